/**
 * The words of the bound prover's rules (each rule id's name and what it
 * states), the summary of a bound proof, and its chain as aligned LaTeX in
 * the derivation file's notation.
 */
import type { BoundProofEvidence } from '../check/evidence.js';
import type { Claim, Derivation } from '../derivation/derivation.js';
import type { BoundProof, BoundRule, MonotoneRule } from '../symbolic/bounds/rules.js';
import type { RangeFactId } from '../symbolic/bounds/entries.js';
import { latexWriterFor } from './derive-report.js';

interface RuleText {
  readonly name: string;
  readonly statement: string;
}

export const BOUND_RULE_TEXT: Readonly<Record<BoundRule, RuleText>> = {
  'closed-form': {
    name: 'closed form from the model',
    statement:
      'each derivative replaced by the closed form the engine derives from the equations (a one-step form where the times are ≥ 1, a product of one-step Jacobians for a Markov state over a lag ≥ 0)',
  },
  'backward-step': {
    name: 'one step of the backward recurrence',
    statement:
      '∇_x L = Σ_c (∂c/∂x)ᵀ ∇_c L over the states c that read x other than through another state (the chain rule: every path from x to L passes first through exactly one of them), each ∂c/∂x from the model with the other states held; where L reads only states, not x, and every c lies at a time ≤ T',
  },
  'backward-unrolled': {
    name: 'the backward recurrence unrolled',
    statement:
      "for a state x whose only later child is x itself at the next step, g_u = b_u + A_{u+1}ᵀ g_{u+1} (u < T) and g_T = b_T give ∇_{x_τ}L = Σ_{j=τ}^{T} (∏_{l=τ+1}^{j} A_lᵀ) b_j by induction down from T (A_l = ∂x_l/∂x_{l−1} with the other states held, b_j the terms of x_j's other children)",
  },
  'dact-expansion': { name: 'activation derivative', statement: 'dact(y) = f′(z) written through y = f(z) (time ≥ 1)' },
  'norm-transpose': {
    name: 'norm of a transpose',
    statement: '‖Aᵀ‖ = ‖A‖ for the spectral, Frobenius and max norms (not ∞)',
  },
  'norm-diag': { name: 'norm of a diagonal', statement: '‖diag(v)‖₂ = ‖diag(v)‖_∞ = max_i |v_i|' },
  'norm-zero': { name: 'norm of the zero matrix', statement: '‖0‖ = 0 in every norm' },
  'norm-scalar': { name: '1×1 matrices', statement: 'every norm of a 1×1 matrix is |a|' },
  'norm-homogeneous': {
    name: 'absolute homogeneity',
    statement: '‖cA‖ = |c|·‖A‖ for a 1×1 factor c, in every norm',
  },
  'abs-multiplicative': {
    name: '|ab| = |a||b|',
    statement: 'the norm of a product of 1×1 matrices is the product of their norms',
  },
  'scalar-algebra': {
    name: 'algebra of nonnegative products',
    statement:
      'the same product of powers: commutativity, c^a·c^b = c^{a+b} for a, b ≥ 0, ∏_{i=lo}^{hi} c = c^{hi−lo+1}, ∏ a_i b_i = ∏ a_i ∏ b_i, reindexing',
  },
  'sum-linear': {
    name: 'a constant factor of a sum',
    statement: 'Σ_{j=lo}^{hi} c·a_j = c·Σ_{j=lo}^{hi} a_j for a factor c in which j does not occur',
  },
  triangle: { name: 'triangle inequality', statement: '‖A + B‖ ≤ ‖A‖ + ‖B‖' },
  'triangle-range': {
    name: 'triangle inequality over a range',
    statement: '‖Σ_{j=lo}^{hi} A_j‖ ≤ Σ_{j=lo}^{hi} ‖A_j‖ (both 0 on an empty range)',
  },
  'reverse-triangle': { name: 'reverse triangle inequality', statement: '‖B‖ − ‖C‖ ≤ ‖B ± C‖' },
  submultiplicative: {
    name: 'submultiplicativity',
    statement: '‖AB‖ ≤ ‖A‖‖B‖ for the spectral, Frobenius and induced ∞ norms (not the max norm)',
  },
  'submultiplicative-mixed': {
    name: 'mixed submultiplicativity',
    statement:
      '‖AB‖_F ≤ ‖A‖₂‖B‖_F and ‖AB‖_F ≤ ‖A‖_F‖B‖₂ (column by column), one Frobenius norm kept among the factors',
  },
  'submultiplicative-range': {
    name: 'submultiplicativity over a product',
    statement: '‖∏_i F_i‖ ≤ ∏_i ‖F_i‖ (‖I‖ = 1 for the empty product)',
  },
  'spectral-le-frobenius': { name: 'spectral ≤ Frobenius', statement: '‖A‖₂ ≤ ‖A‖_F' },
  'max-le-norm': {
    name: 'max norm ≤ the others',
    statement: 'max_ij |a_ij| ≤ ‖A‖₂, ‖A‖_F and ‖A‖_∞ (|a_ij| = |e_iᵀ A e_j| ≤ ‖A‖₂ ≤ ‖A‖_F; |a_ij| ≤ its row sum)',
  },
  'max-entrywise-product': {
    name: 'max of a product of entries',
    statement: 'max_i |u_i v_i| ≤ max_i |u_i| · max_i |v_i|',
  },
  'max-hprod': { name: 'max of an elementwise product', statement: 'max |⨀_i u_i| ≤ ∏_i max |u_i|' },
  'activation-range': {
    name: 'range of the activations',
    statement: 'every entry lies in an interval found from the ranges of the activations and their derivatives',
  },
  'activation-sup': {
    name: 'sup over the activation',
    statement: 'max_i |g(u_i)| ≤ sup_x |g(x)|, with u read through the activation that defines the value',
  },
  'sup-lower-bound': { name: 'value of a sup', statement: 'sup_x |g(x)| ≥ |g(x₀)| at x₀ = 0 or in the limit x → ±∞' },
  'constant-order': { name: 'order of constants', statement: 'a ≤ b for numbers' },
  'factor-at-least-one': { name: 'factors ≥ 1', statement: 'B ≤ B·y^e for B ≥ 0, y ≥ 1, e ≥ 0' },
  'diag-range-factors-at-most-one': {
    name: 'fewer diagonal factors in [−1, 1]',
    statement:
      '‖M·diag(⨀_{i∈R} u_i)‖ ≤ ‖M·diag(⨀_{i∈R′} u_i)‖ (or with the diagonal on the left) for R′ inside R when every entry of u_i on R lies in [−1, 1]',
  },
  'range-factors-at-most-one': {
    name: 'fewer factors in [0, 1]',
    statement: '∏_{i∈R} a_i ≤ ∏_{i∈R′} a_i for a range R′ inside R when every a_i on R lies in [0, 1]',
  },
};

export const MONOTONE_TEXT: Readonly<Record<MonotoneRule, string>> = {
  'mono-sum': 'a sum grows with each term',
  'mono-product': 'a product grows with a factor whose co-factors are ≥ 0',
  'mono-power': 'x^e grows with x ≥ 0 for e ≥ 0',
  'mono-range-product': 'a product over a range grows with its factors ≥ 0',
  'mono-range-sum': 'a sum over a range grows with its terms',
};

export const RANGE_FACT_TEXT: Readonly<Record<RangeFactId, string>> = {
  'range-tanh': '|tanh| < 1',
  'range-sigma': '0 < σ < 1',
  'range-exp': 'exp > 0',
  'range-step': '0 ≤ H ≤ 1 (Heaviside step, H(0) = ½)',
  'model-activation': "a value the model defines as y = f(z) (an activation, or max or min) lies in f's range",
  'square-range': 'u² between 0 and the larger square of u’s ends',
  'logistic-quadratic': 'u(1 − u) ≤ 1/4 for every real u',
  'hprod-range': 'a product of factors in [0, 1] stays in [0, 1]',
  'interval-arithmetic': 'interval arithmetic',
};

const joinNames = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;

/** "every k, T, d and m (n = 1)" */
export function provedFor(e: Pick<BoundProofEvidence, 'symbolic' | 'fixed'>): string {
  const fixed = Object.entries(e.fixed).map(([k, v]) => `${k} = ${v}`);
  // A claim with no variable (a sup's value, constants) is proved outright: no "for every " with nothing after it.
  const every = e.symbolic.length ? [`every ${joinNames(e.symbolic)}`] : [];
  return [...every, ...(fixed.length ? [`(${fixed.join(', ')})`] : [])].join(' ');
}

/** The facts the rules rested on, from the values their checks recorded (activation ranges, unfolded values, sups). */
function factsOf(e: BoundProofEvidence): string[] {
  const out: string[] = [];
  for (const s of e.steps)
    for (const v of s.values) {
      if (s.rule === 'activation-range' && v.facts)
        for (const f of v.facts.split('; ')) if (f.startsWith('model-activation: ')) out.push(f.slice(18));
      if (s.rule === 'activation-range' && v.bound)
        out.push(`max |${v.from?.replace(/^normMax\((.*)\)$/, '$1')}| ≤ ${v.bound}`);
      if (s.rule === 'activation-sup' && v.unfolded) out.push(...v.unfolded.split('; '));
      if (s.rule === 'sup-lower-bound') out.push(`${v.to} ≥ ${v.value} (${v.at})`);
    }
  return [...new Set(out)];
}

/** The longest side of an unjustified step written out in words; a longer one keeps its two ends. */
export const STEP_TEXT_LIMIT = 200;

/**
 * `text`, or, past `limit` characters, its first and last parts around an ellipsis with its length: the step a
 * proof stopped at can be a whole claim side (a review's 12 000-term sup printed one line of 132 098 characters),
 * and the JSON keeps it whole.
 */
export function elided(text: string, limit = STEP_TEXT_LIMIT): string {
  const chars = Array.from(text); // by code point: an ellipsis never splits a character
  if (chars.length <= limit) return text;
  const head = Math.ceil((limit * 3) / 4);
  const tail = limit - head;
  return `${chars.slice(0, head).join('')} … ${chars.slice(chars.length - tail).join('')} (${chars.length} characters)`;
}

export function boundSummary(e: BoundProofEvidence): string {
  if (!e.ok) {
    const f = e.failure;
    if (!f) return 'not proved';
    const after = f.after?.length ? `after ${f.after.join(', then ')}, ` : '';
    return `not proved: ${after}${elided(f.goal)} ≤ ${elided(f.target)} is not justified (${f.why})`;
  }
  const rules = e.steps.map((s) => (s.sites > 1 ? `${s.rule} ×${s.sites}` : s.rule));
  const facts = factsOf(e);
  const scope = provedFor(e);
  // no rule applied: the two sides are one expression (x ≤ x)
  const chain = rules.length ? rules.join(' → ') : 'the two sides are the same expression';
  const residues = e.roundingResiduesDecided ? `; it ${roundingResiduesText(e.roundingResiduesDecided, '')}` : '';
  return `proved${scope ? ` for ${scope}` : ''}: ${chain}${facts.length ? `; ${facts.join('; ')}` : ''}${residues}`;
}

/**
 * What exact evidence (identical closed forms, a proof) decides among the points float64 could not compare: `where`
 * says at which sizes (' at these sizes', or '' for all).
 */
export function roundingResiduesText(residues: number, where: string): string {
  return `decides the ${residues === 1 ? 'point' : `${residues} points`} float64 could not compare${where}, where extended precision found the sides' difference to be what cancellation left (exact zeros less rounding)`;
}

/**
 * The chain as aligned LaTeX from the claim's left side: lhs ≤ … ≤ rhs for
 * a ≤ claim, lhs ≥ … ≥ rhs for ≥ (the proof read backwards), each line
 * tagged with its rule's id.
 */
export function boundProofLatex(d: Derivation, claim: Pick<Claim, 'lhs' | 'rhs'>, proof: BoundProof): string {
  const w = latexWriterFor(d);
  const exprs = [proof.start, ...proof.steps.map((s) => s.expr)];
  const rel = (r: '=' | '<=' | '>=') => (r === '=' ? '=' : r === '<=' ? '\\le' : '\\ge');
  const tag = (rule: BoundRule) => `\\quad \\text{(${rule})}`;
  const lines: string[] = [];
  // one formula: an index printed as the horizon is primed in every line where any line reads the horizon
  w.scope([claim.lhs, ...exprs], () => {
    if (proof.relation === '<=')
      proof.steps.forEach((s, i) =>
        lines.push(`${i === 0 ? w.expr(claim.lhs) : ''} &${rel(s.relation)} ${w.expr(exprs[i + 1]!)}${tag(s.rule)}`),
      );
    else
      for (let i = proof.steps.length - 1; i >= 0; i--) {
        const s = proof.steps[i]!;
        lines.push(
          `${i === proof.steps.length - 1 ? w.expr(claim.lhs) : ''} &${rel(s.relation === '=' ? '=' : '>=')} ${w.expr(exprs[i]!)}${tag(s.rule)}`,
        );
      }
  });
  return `\\begin{aligned}\n${lines.join(' \\\\\n')}\n\\end{aligned}`;
}
