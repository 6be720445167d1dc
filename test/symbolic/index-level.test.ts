/**
 * The index-level engine on the 2023 post: exact polynomial identities at
 * small (d, t), the induction proof with t symbolic (and where broken variants
 * fail), soundness of each step of the proof chain on random instances, and
 * the post's wrong steps localised.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { bindings } from '../../src/check/check-claim.js';
import type { ClaimResult } from '../../src/check/result.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { ruleName, stepDetail } from '../../src/emit/proof-text.js';
import { claimLatex, proofLatex } from '../../src/emit/claim-latex.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { affine } from '../../src/ir/affine.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { asDense } from '../../src/numeric/values.js';
import { substituteIndex } from '../../src/symbolic/build.js';
import { chainShape } from '../../src/ir/path-chain.js';
import type { OpNode } from '../../src/ir/expr.js';
import { cpolyKey } from '../../src/symbolic/cpoly.js';
import { proveUnitClosedForm } from '../../src/symbolic/induction.js';
import { PolyEvaluator } from '../../src/symbolic/domains/polynomial.js';
import katex from 'katex';
import { indexCheck } from '../../src/check/symbolic-check.js';
import { LIMITS } from '../../src/ir/limits.js';
import { remainingExactWork, withExactBudget } from '../../src/symbolic/unsupported.js';

const FILE = 'derivations/understanding-lstms-2023-index-level.yaml';
const post = loadDerivationFile(FILE);
const claim = (id: string) => post.claims.find((c) => c.id === id)!;
const text = readFileSync(FILE, 'utf8');

describe('exact unit-level identities', () => {
  it('∂h_t^α/∂w_ij from forward mode over the model equals the path sum, as polynomials, for small (d, t)', () => {
    const c = claim('closed-form-w');
    for (const d of [1, 2, 3]) {
      const sizes = { d, n: 2, m: 1, T: 4 };
      const pe = new PolyEvaluator(post.model, sizes);
      for (const b of bindings(c, sizes))
        expect(cpolyKey(pe.evaluate(c.lhs, b).data[0]!)).toBe(cpolyKey(pe.evaluate(c.rhs, b).data[0]!));
    }
  });

  it('the polynomial has one monomial per index path (d = 2, t = 3: 1 + 2 + 4 paths, γ_k = i only)', () => {
    const pe = new PolyEvaluator(post.model, { d: 2, n: 1, m: 1, T: 3 });
    const poly = pe.evaluate(claim('closed-form-w').lhs, { t: 3, alpha: 1, i: 1, j: 1 }).data[0]!;
    // paths ending at γ_k = i = 1: k = 0: 1 (α = 1), k = 1: γ_1 = 1, k = 2: γ_1 ∈ {1,2}, γ_2 = 1 → 1 + 1 + 2
    expect(poly.size).toBe(4);
    expect([...poly.values()].every((c) => c === 1)).toBe(true);
  });
});

describe('unit-level claims that name a derivative of sequence values (eᵀ_k ∂y_1/∂h_1 e_i ∂h_1^i/∂w_ij)', () => {
  const withChainStep = (id: string, to: string) =>
    parseDerivation(
      text.replace(
        '\nclaims:\n',
        `\nclaims:\n  - id: ${id}\n    claim: "${to}"\n    forall: k in 1..m, i in 1..d, j in 1..n\n    expect: consistent\n`,
      ),
      FILE,
    );

  it.each(['first-step-w-chain.1', 'first-step-w-chain.2', 'first-step-u-chain.1', 'first-step-u-chain.2'])(
    '%s is identical, ∂y_1/∂h_1 by its derived closed form',
    (id) => {
      const evidence = indexCheck(post, claim(id));
      expect(evidence.outcome.status).toBe('identical');
      expect(evidence.outcome).toMatchObject({ derivatives: ['jac(y[1], h[1])'] });
      expect(evidenceSummary(evidence)).toContain('jac(y[1], h[1]) by the closed form the engine derives');
    },
  );

  it.each([
    // σ_h′ of another hidden unit, σ_h′ for σ_y′, another input
    [
      'hidden-unit-fixed',
      "unit(m, k)' * jac(y[1], h[1]) * unit(d, i) * d(h[1, i], W[i, j]) = dact(y[1, k]) * V[k, i] * dact(h[1, 1]) * x[1, j]",
    ],
    [
      'dact-swapped',
      "unit(m, k)' * jac(y[1], h[1]) * unit(d, i) * d(h[1, i], W[i, j]) = dact(h[1, k]) * V[k, i] * dact(h[1, i]) * x[1, j]",
    ],
    [
      'input-unit',
      "unit(m, k)' * jac(y[1], h[1]) * unit(d, i) * d(h[1, i], W[i, j]) = dact(y[1, k]) * V[k, i] * dact(h[1, i]) * x[1, 1]",
    ],
  ])('a wrong step (%s) is not identical', (id, to) => {
    const d = withChainStep(id, to);
    const evidence = indexCheck(
      d,
      d.claims.find((c) => c.id === id)!,
    );
    expect(evidence.outcome.status).toBe('different');
  });

  it('a claim without derivatives of sequence values keeps the activation derivatives as atoms', () => {
    const evidence = indexCheck(post, claim('closed-form-w'));
    expect(evidence.outcome.status).toBe('identical');
    expect(evidence.outcome).not.toHaveProperty('derivatives');
  });
});

describe('proof by induction on t', () => {
  it('proves the corrected closed forms for w and u, every rule checked', () => {
    for (const id of ['closed-form-w', 'closed-form-u']) {
      const p = proveUnitClosedForm(post.model, claim(id).lhs, claim(id).rhs)!;
      expect(p.ok).toBe(true);
      expect(p.steps.map(ruleName)).toEqual([
        'recurrence from the model',
        'path range',
        'base case t = 1',
        'apply the induction hypothesis',
        'distribute a finite sum',
        'extend each path by one step (first factor)',
        'reindex the path γ′_{ℓ+1} = γ_ℓ (later factors)',
        'reindex the path (last factor)',
        'shift the sum index k ↦ k+1',
        'split off the k = 0 term (empty path, empty product)',
      ]);
    }
  });

  const variant = (closedForm: string) => {
    const t = text.replace(
      'claim: d(h[t, alpha], W[i, j]) = sum(k, 0, t-1, pathsum(g, k, alpha, d, prod(l, 0, k-1, B(g[l], g[l+1], t-l)) * A(g[k], t-k)))',
      `claim: ${closedForm}`,
    );
    const c = parseDerivation(t, 'v.yaml').claims.find((x) => x.id === 'closed-form-w')!;
    return proveUnitClosedForm(post.model, c.lhs, c.rhs)!;
  };
  it.each([
    [
      'γ over the inputs 1..n',
      'd(h[t, alpha], W[i, j]) = sum(k, 0, t-1, pathsum(g, k, alpha, n, prod(l, 0, k-1, B(g[l], g[l+1], t-l)) * A(g[k], t-k)))',
      'path range',
    ],
    [
      'B one step late',
      'd(h[t, alpha], W[i, j]) = sum(k, 0, t-1, pathsum(g, k, alpha, d, prod(l, 0, k-1, B(g[l], g[l+1], t-l-1)) * A(g[k], t-k)))',
      'extend each path by one step (first factor)',
    ],
    [
      'A one step off',
      'd(h[t, alpha], W[i, j]) = sum(k, 0, t-1, pathsum(g, k, alpha, d, prod(l, 0, k-1, B(g[l], g[l+1], t-l)) * A(g[k], t-k+1)))',
      'base case t = 1',
    ],
    [
      'k up to t',
      'd(h[t, alpha], W[i, j]) = sum(k, 0, t, pathsum(g, k, alpha, d, prod(l, 0, k-1, B(g[l], g[l+1], t-l)) * A(g[k], t-k)))',
      'base case t = 1',
    ],
  ])('names the failing rule when %s', (_what, closedForm, rule) => {
    const p = variant(closedForm);
    expect(p.ok).toBe(false);
    expect(ruleName(p.steps.find((s) => !s.ok)!)).toBe(rule);
  });

  it("says which part of the base case fails (a review's: it quoted an equal term as the fault)", () => {
    const failure = (closedForm: string) => stepDetail(variant(closedForm).steps.find((s) => !s.ok)!);
    // the last term dropped: at t = 1 the sum is empty, its k = 0 term would be right
    expect(
      failure(
        'd(h[t, alpha], W[i, j]) = sum(k, 0, t-2, pathsum(g, k, alpha, d, prod(l, 0, k-1, B(g[l], g[l+1], t-l)) * A(g[k], t-k)))',
      ),
    ).toBe('at t = 1 the sum runs over k = 0..-1, not the single term k = 0');
    expect(
      failure(
        'd(h[t, alpha], W[i, j]) = sum(k, 0, t-1, pathsum(g, k, alpha, d, prod(l, 0, k-1, B(g[l], g[l+1], t-l)) * A(g[k], t-k+1)))',
      ),
    ).toMatch(/^at t = 1 its k = 0 term is .+, not A\(α, 1\) = /);
  });

  it('each line of the inductive step is numerically sound on random instances (property)', () => {
    const c = claim('closed-form-w');
    const p = proveUnitClosedForm(post.model, c.lhs, c.rhs)!;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 4 }), (seed, t) => {
        const spec = instanceSpec(post.model, seed, seed % 4, undefined, { d: 3, n: 2, m: 1, T: 6 });
        const ev = new Evaluator(buildInstance(post.model, spec).graph, spec.sizes);
        const env = { t, alpha: 1 + (seed % 3), i: 1 + ((seed >> 2) % 3), j: 1 + ((seed >> 4) % 2) };
        const lhs = asDense(ev.evaluate(p.stepLhs, env)).data[0]!;
        for (const line of p.chain) {
          const v = asDense(ev.evaluate(line.rhs, env)).data[0]!;
          expect(Math.abs(v - lhs)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(lhs)));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('the rendered proof chain renders in KaTeX (strict)', () => {
    const r = checkDerivation(post, { claims: ['closed-form-w'], instances: 1 })[0]!;
    expect(r.verdict).toBe('proved');
    const claim = post.claims.find((c) => c.id === 'closed-form-w')!;
    katex.renderToString(proofLatex(post, r.proof!), { strict: 'error', throwOnError: true, displayMode: true });
    katex.renderToString(claimLatex(post, claim), { strict: 'error', throwOnError: true, displayMode: true });
  });
});

describe("the post's wrong steps, localised", () => {
  const results = new Map<string, ClaimResult>(
    checkDerivation(post, {
      instances: 1,
      claims: [
        'first-step-v-as-written',
        'expansion-as-written',
        'closed-form-w-as-written',
        'induction-step-as-written.1',
        'induction-step-as-written.2',
        'induction-step-as-written.3',
        'vanish-by-path-factor',
        'vanish-by-row-sums',
      ],
    }).map((r) => [r.id, r]),
  );
  it('the missing σ_y′ in ∂y_1/∂v is refuted at the smallest sizes', () => {
    const r = results.get('first-step-v-as-written')!;
    expect(r.verdict).toBe('refuted');
    expect(r.counterexample!.sizes).toMatchObject({ d: 1, m: 1 });
  });
  it('the off-by-one A(γ_1, t) is refuted at t = 2', () => {
    expect(results.get('expansion-as-written')!.counterexample!.bindings).toMatchObject({ t: 2 });
  });
  it('γ over 1..n is refuted, and the proof names the path range', () => {
    const r = results.get('closed-form-w-as-written')!;
    expect(r.verdict).toBe('refuted');
    const proof = evidenceOf(r.evidence, 'induction')!;
    expect(proof.steps.find((s) => !s.ok)!.rule).toBe('path-range');
    expect(evidenceSummary(proof)).toMatch(/path range/);
  });
  it('in the chain of the inductive step, step 2 is the first that fails', () => {
    expect(
      ['induction-step-as-written.1', 'induction-step-as-written.2', 'induction-step-as-written.3'].map(
        (id) => results.get(id)!.verdict,
      ),
    ).toEqual(['verified', 'refuted', 'verified']);
  });
  it('a single path factor below 1 does not bound the total derivative; the row-sum product does', () => {
    expect(results.get('vanish-by-path-factor')!.verdict).toBe('refuted');
    expect(results.get('vanish-by-row-sums')!.verdict).toBe('proved');
  });
});

it('substituting an index keeps unit indices and path positions in step', () => {
  const c = claim('closed-form-w');
  const shifted = substituteIndex(c.rhs, 't', affine(1, { t: 1 }));
  const pe = new PolyEvaluator(post.model, { d: 2, n: 1, m: 1, T: 4 });
  expect(cpolyKey(pe.evaluate(shifted, { t: 2, alpha: 1, i: 1, j: 1 }).data[0]!)).toBe(
    cpolyKey(pe.evaluate(c.rhs, { t: 3, alpha: 1, i: 1, j: 1 }).data[0]!),
  );
});

it('derive prints the unit recurrence that the model implies, in the post notation', async () => {
  const { deriveQuantities } = await import('../../src/symbolic/quantities.js');
  const { printExpr } = await import('../../src/ir/print.js');
  const [q] = deriveQuantities(post, 'd(h[t, alpha], W[i, j])', null);
  expect(printExpr(q!.derived!)).toBe(
    'dact(h[t, alpha])*delta(alpha, i)*x[t, j] + sum(gamma, 1, d, dact(h[t, alpha])*U[alpha, gamma]*d(h[t-1, gamma], W[i, j]))',
  );
});

it('path sums that are not chains are enumerated, numerically and exactly', () => {
  const t = text.replace(
    'claim: d(h[2, alpha], W[i, j]) = dact(h[2, alpha]) * (delta(alpha, i) * x[2, j] + U[alpha, i] * d(h[1, i], W[i, j]))',
    'claim: pathsum(g, 2, alpha, d, U[g[0], g[2]]) = d * sum(c, 1, d, U[alpha, c])',
  );
  const [r] = checkDerivation(parseDerivation(t, 'p.yaml'), { claims: ['second-step-h-w'], instances: 1 });
  expect(r!.verdict).toBe('verified');
  expect(r!.relError).toBeLessThan(1e-12);
});

it('a path sum whose tail is several factors (σ′ · δ · x written out) is a chain: the same polynomial as enumerating the paths', () => {
  const inline =
    'pathsum(g, k, alpha, d, prod(l, 0, k-1, dact(h[t-l, g[l]])*U[g[l], g[l+1]])*dact(h[t-k, g[k]])*delta(g[k], i)*x[t-k, j])';
  // The same sum with the tail's factors moved in front of the ∏: no chain shape, so every path is enumerated.
  const enumerated =
    'pathsum(g, k, alpha, d, dact(h[t-k, g[k]])*delta(g[k], i)*x[t-k, j]*prod(l, 0, k-1, dact(h[t-l, g[l]])*U[g[l], g[l+1]]))';
  const t = text.replace(
    'claim: d(h[2, alpha], W[i, j]) = dact(h[2, alpha]) * (delta(alpha, i) * x[2, j] + U[alpha, i] * d(h[1, i], W[i, j]))\n    forall: alpha in 1..d, i in 1..d, j in 1..n',
    `claim: ${inline} = ${enumerated}\n    forall: t in 1..T, k in 0..t-1, alpha in 1..d, i in 1..d, j in 1..n`,
  );
  const d = parseDerivation(t, 'p.yaml');
  const c = d.claims.find((x) => x.id === 'second-step-h-w')!;
  expect(chainShape(c.lhs as OpNode)).not.toBeNull();
  expect(chainShape(c.rhs as OpNode)).toBeNull();
  const sizes = { d: 3, n: 1, m: 1, T: 4 };
  const pe = new PolyEvaluator(d.model, sizes);
  let cases = 0;
  for (const b of bindings(c, sizes)) {
    expect(cpolyKey(pe.evaluate(c.lhs, b).data[0]!)).toBe(cpolyKey(pe.evaluate(c.rhs, b).data[0]!));
    cases++;
  }
  expect(cases).toBe(90); // t ≤ 4 and k < t (10 pairs), α and i in 1..3, j = 1
});

describe('the prover refuses what its rules do not cover (review findings)', () => {
  const variantClaim = (closedForm: string) => {
    const t = text.replace(
      'claim: d(h[t, alpha], W[i, j]) = sum(k, 0, t-1, pathsum(g, k, alpha, d, prod(l, 0, k-1, B(g[l], g[l+1], t-l)) * A(g[k], t-k)))',
      `claim: ${closedForm}`,
    );
    return parseDerivation(t, 'v.yaml').claims.find((x) => x.id === 'closed-form-w')!;
  };
  it('a tail that reads the start α cannot be reindexed: no proof', () => {
    const c = variantClaim(
      'd(h[t, alpha], W[i, j]) = sum(k, 0, t-1, pathsum(g, k, alpha, d, prod(l, 0, k-1, B(g[l], g[l+1], t-l)) * (A(g[k], t-k) + (1 - delta(g[k], alpha)) * delta(t-k, 7) * x[1, j])))',
    );
    const p = proveUnitClosedForm(post.model, c.lhs, c.rhs)!;
    expect(p.ok).toBe(false);
    expect(p.steps[0]!.rule).toBe('path-sum-shape');
    expect(stepDetail(p.steps[0]!)).toMatch(/G reads alpha/);
  });
  it('a product that stops one factor short is not the path sum the rules know', () => {
    const c = variantClaim(
      'd(h[t, alpha], W[i, j]) = sum(k, 0, t-1, pathsum(g, k, alpha, d, prod(l, 0, k-2, B(g[l], g[l+1], t-l)) * A(g[k], t-k)))',
    );
    expect(proveUnitClosedForm(post.model, c.lhs, c.rhs)).toBeNull();
  });
  it('definitions substitute all their parameters at once (an argument named like a parameter is not captured)', () => {
    const t = text
      .replace(
        'claim: d(h[t, alpha], W[i, j]) = A(alpha, t) + sum(c, 1, d, B(alpha, c, t) * d(h[t-1, c], W[i, j]))',
        'claim: d(h[t, q], W[i, j]) = A(q, t) + sum(c, 1, d, B(q, c, t) * d(h[t-1, c], W[i, j]))',
      )
      .replace(
        'forall: t in 1..T, alpha in 1..d, i in 1..d, j in 1..n\n    expect: verified\n  - id: expansion-as-written',
        'forall: t in 1..T, q in 1..d, i in 1..d, j in 1..n\n    expect: verified\n  - id: expansion-as-written',
      );
    const [r] = checkDerivation(parseDerivation(t, 'm.yaml'), { claims: ['recurrence-w'], instances: 1 });
    expect(r!.verdict).toBe('verified');
  });
});

describe('tangents shared across claims', () => {
  it('a claim spends the same exact work and reaches the same outcome whether the tangents were cached or not', () => {
    // A copy of the model's equations: a fresh cache, filled by the first run and read by the second.
    const fresh = { ...post, model: { ...post.model, equations: [...post.model.equations] } };
    const run = () =>
      withExactBudget(() => {
        const evidence = indexCheck(fresh, claim('closed-form-w'));
        return { evidence, left: remainingExactWork() };
      });
    const [first, second] = [run(), run()];
    expect(first.evidence.outcome.status).toBe('identical');
    expect(second).toEqual(first);
    expect(first.left).toBeLessThan(LIMITS.exactWork);
  });

  it('steps computed at another horizon are charged as a fresh computation at this one would be', () => {
    // The model at T = 5 or 6 alone, over the given equations (the tangent cache is theirs).
    const atHorizon = (T: number, equations: typeof post.model.equations = [...post.model.equations]) => ({
      ...post,
      model: { ...post.model, equations, sizes: { ...post.model.sizes, T: { min: T, max: T } } },
    });
    const run = (T: number, equations?: typeof post.model.equations) =>
      withExactBudget(() => {
        const evidence = indexCheck(atHorizon(T, equations), claim('closed-form-w'));
        return { evidence, left: remainingExactWork() };
      });
    const alone = { 5: run(5), 6: run(6) };
    expect(alone[5].evidence.outcome.status).toBe('identical');
    expect(alone[5].left).toBeGreaterThan(alone[6].left);
    // T = 6 reads the five steps T = 5 computed, and T = 5 the first five of T = 6's.
    for (const order of [
      [5, 6],
      [6, 5],
    ] as const) {
      const shared = [...post.model.equations];
      for (const T of order) expect(run(T, shared)).toEqual(alone[T]);
    }
  });
});
