/** The words of the induction rules: each rule id's name, what it establishes, and what a failure found. */
import type { InductionRule, ProofStep } from '../symbolic/proof.js';

type Values = Readonly<Record<string, string>>;

interface RuleText {
  readonly name: string;
  readonly statement: (v: Values) => string;
  readonly failure: (v: Values) => string;
}

export const INDUCTION_RULE_TEXT: Readonly<Record<InductionRule, RuleText>> = {
  'path-sum-shape': {
    name: 'path-sum shape',
    statement: () => 'F(γ_ℓ, γ_{ℓ+1}, ℓ, t) and G(γ_k, k, t) depend on the path only through their own positions',
    failure: (v) => `${v.misuse}: the reindexing rules do not apply`,
  },
  'recurrence-from-model': {
    name: 'recurrence from the model',
    statement: (v) =>
      v.range !== undefined
        ? `∂h_t^α/∂P_ij = A(α,t) + Σ_{γ=1}^{${v.range}} B(α,γ,t) ∂h_{t−1}^γ/∂P_ij, with h_0 independent of P`
        : `∂${v.state}/∂${v.param} one step at a time`,
    failure: (v) => v.message ?? '',
  },
  'path-range': {
    name: 'path range',
    statement: (v) =>
      `the path sum's γ run over 1..${v.pathRange}, as the recurrence's Σ_γ over 1..${v.recurrenceRange}`,
    failure: (v) =>
      `the closed form sums γ over 1..${v.pathRange} but the recurrence sums over 1..${v.recurrenceRange}`,
  },
  'base-case': {
    name: 'base case t = 1',
    statement: () => 'the sum has the single term k = 0, and G(α, 0, 1) = A(α, 1) = ∂h_1^α/∂P_ij',
    failure: (v) => {
      const range = `at t = 1 the sum runs over k = ${v.lo}..${v.hi}, not the single term k = 0`;
      const term = `its k = 0 term is ${v.term}, not A(α, 1) = ${v.A1}`;
      return v.fault === 'range' ? range : v.fault === 'term' ? `at t = 1 ${term}` : `${range}, and ${term}`;
    },
  },
  'induction-hypothesis': {
    name: 'apply the induction hypothesis',
    statement: () => 'replace ∂h_t^γ/∂P_ij by the closed form at t (γ in place of α)',
    failure: () => '',
  },
  'distribute-sum': {
    name: 'distribute a finite sum',
    statement: () => 'Σ_γ B·Σ_k PS_k = Σ_k Σ_γ B·PS_k',
    failure: () => '',
  },
  'extend-first-factor': {
    name: 'extend each path by one step (first factor)',
    statement: () => 'F(α, γ, 0, t+1) = B(α, γ, t+1)',
    failure: (v) => `F(α, γ, 0, t+1) = ${v.factor} but B(α, γ, t+1) = ${v.B}`,
  },
  'reindex-later-factors': {
    name: 'reindex the path γ′_{ℓ+1} = γ_ℓ (later factors)',
    statement: () => 'F(a, b, ℓ+1, t+1) = F(a, b, ℓ, t)',
    failure: (v) => `F(a, b, ℓ+1, t+1) = ${v.shifted} differs from F(a, b, ℓ, t) = ${v.factor}`,
  },
  'reindex-last-factor': {
    name: 'reindex the path (last factor)',
    statement: () => 'G(b, k+1, t+1) = G(b, k, t)',
    failure: (v) => `G(b, k+1, t+1) = ${v.shifted} differs from G(b, k, t) = ${v.tail}`,
  },
  'shift-sum-index': {
    name: 'shift the sum index k ↦ k+1',
    statement: () => 'the upper limit grows by one: hi(t+1) = hi(t) + 1',
    failure: (v) => `hi(t+1) = ${v.next} but hi(t) + 1 = ${v.grown}`,
  },
  'split-off-first-term': {
    name: 'split off the k = 0 term (empty path, empty product)',
    statement: () => 'the sum starts at k = 0 and its k = 0 term G(α, 0, t) is A(α, t)',
    failure: (v) => `the sum starts at k = ${v.lo}; G(α, 0, t) = ${v.term}, A(α, t) = ${v.A}`,
  },
};

export const ruleName = (s: ProofStep): string => INDUCTION_RULE_TEXT[s.rule].name;
export const stepStatement = (s: ProofStep): string => INDUCTION_RULE_TEXT[s.rule].statement(s.values);
/** What the check found: "checked", or the failure with the values it compared. */
export const stepDetail = (s: ProofStep): string => (s.ok ? 'checked' : INDUCTION_RULE_TEXT[s.rule].failure(s.values));
