/**
 * Closed forms across several states (block products of state Jacobians),
 * losses summed over time, parameter gradients of per-step values, and the
 * exact comparisons that decide them: definitions written out, norm
 * readings, stacked vectors. Every closed form is compared with the numeric
 * reference on seeded instances, at lags 0, 1 and longer and from time 0.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { symbolicCheck } from '../../src/check/symbolic-check.js';
import type { Derivation } from '../../src/derivation/derivation.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { contentKey } from '../../src/ir/content-key.js';
import { printExpr } from '../../src/ir/print.js';
import { type Affine, affineAdd, affineVar, boundValue } from '../../src/ir/affine.js';
import type { Expr } from '../../src/ir/expr.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { relErr } from '../../src/numeric/linalg.js';
import { asDense } from '../../src/numeric/values.js';
import { SymbolicModel, substituteDerivationsAt } from '../../src/symbolic/derive.js';
import { deriveQuantities } from '../../src/symbolic/quantities.js';

const load = (f: string) => loadDerivationFile(`derivations/${f}.yaml`);
const lstm2024 = load('how-does-lstm-avoid-gradient-explosion-2024-lstm');
const rnnOutputs = load('how-does-lstm-avoid-gradient-explosion-2024-eq5');
const lstm2019 = load('how-lstms-solve-vanishing-gradients-2019');
const post2018 = load('why-lstm-works-2018');
/** The symbolic outcome of one of the 2018 post's claims as shipped. */
const shipped2018 = (id: string) =>
  symbolicCheck(
    post2018,
    post2018.claims.find((c) => c.id === id)!,
    1,
  )!.outcome;

/** The lab solution's file with one claim `lhs = lhs` (k in 1..T) in place of its claims. */
function withClaim(lhs: string): string {
  const text = readFileSync('derivations/lab-10-5-solution.yaml', 'utf8');
  const at = text.indexOf('\nclaims:\n');
  return `${text.slice(0, at)}\nclaims:\n  - id: c\n    claim: ${lhs} = ${lhs}\n    forall: k in 1..T\n`;
}

/** The closed form of `quantity` against the reference, at every binding given, on two seeded instances of T = 6. */
function agreesWithReference(d: Derivation, quantity: string, bindings: Record<string, number>[]): number {
  const [q] = deriveQuantities(d, quantity, null);
  expect(q!.derived, q!.problem ?? '').not.toBeNull();
  let compared = 0;
  for (const index of [0, 3]) {
    const spec = instanceSpec(d.model, 17, index, undefined, { T: 6 });
    const ev = new Evaluator(buildInstance(d.model, spec).graph, spec.sizes);
    for (const env of bindings) {
      const reference = asDense(ev.evaluate(q!.quantity, env)).data;
      // Both the symbolic form and the per-binding form the checks use (accumulated lags, time 0 as initial values).
      const symbolic = asDense(ev.evaluate(q!.derived!, env)).data;
      const perBinding = asDense(
        ev.evaluate(substituteDerivationsAt(q!.quantity, new SymbolicModel(d.model), { ...spec.sizes, ...env }), env),
      ).data;
      expect(relErr(reference, perBinding), `${quantity} at ${JSON.stringify(env)}`).toBeLessThan(1e-11);
      expect(relErr(reference, symbolic), `${quantity} at ${JSON.stringify(env)}`).toBeLessThan(1e-11);
      compared++;
    }
  }
  return compared;
}

describe('several states: blocks of the product of state Jacobians', () => {
  const lags = [
    { t: 5, k: 0 },
    { t: 5, k: 1 },
    { t: 5, k: 3 },
    { t: 6, k: 5 },
  ];
  it.each(['jac(h[t], h[t-k])', 'jac(h[t], C[t-k])', 'jac(C[t], h[t-k])', 'jac(C[t], C[t-k])'])(
    'the 2024 LSTM: %s equals the reference at lags 0, 1, 3 and 5',
    (quantity) => {
      expect(agreesWithReference(lstm2024, quantity, lags)).toBe(8);
    },
  );

  it('from time 0 the seed is an initial value: the product form with a unit column, as the reference', () => {
    // jac(h[t], C[t-k]) at t = k: C_0 does not feed h_0 (an initial value), unlike C_σ for σ ≥ 1.
    const sm = new SymbolicModel(lstm2024.model);
    const [q] = deriveQuantities(lstm2024, 'jac(h[t], C[t-k])', null);
    const spec = instanceSpec(lstm2024.model, 17, 1, undefined, { T: 6 });
    const ev = new Evaluator(buildInstance(lstm2024.model, spec).graph, spec.sizes);
    for (const env of [
      { t: 3, k: 3 },
      { t: 6, k: 6 },
    ]) {
      const reference = asDense(ev.evaluate(q!.quantity, env)).data;
      const form = substituteDerivationsAt(q!.quantity, sm, { ...spec.sizes, ...env });
      expect(relErr(reference, asDense(ev.evaluate(form, env)).data)).toBeLessThan(1e-11);
    }
  });

  it('a value outside the state (the per-step error ε_t) reads the past through the state of its step', () => {
    expect(agreesWithReference(post2018, 'jac(eps[t], x[t-k])', lags)).toBe(8);
    expect(agreesWithReference(post2018, 'jac(epsh[t], C[t-k])', lags)).toBe(8);
  });

  it('a gate that reads the state of the step before its own (o_τ from h̄_{τ−1}): that row times the product from its second factor, for k ≥ 1', () => {
    const lab = load('lab-10-5-solution');
    const at = [
      { t: 5, k: 0 },
      { t: 5, k: 1 },
      { t: 5, k: 2 },
      { t: 5, k: 4 },
      { t: 6, k: 5 },
    ];
    for (const q of ['jac(o[t], s[t-k])', 'jac(o[t], hl[t-k])', 'jac(e[t], s[t-k])', 'jac(g[t], x[t-k])'])
      expect(agreesWithReference(lab, q, at), q).toBe(10);
    const [q] = deriveQuantities(lab, 'jac(o[t], s[t-k])', null);
    expect(printExpr(q!.derived!)).toContain('(1 - delta(k, 0))*');
  });

  it('∇ of the loss from a value at time 0 is derived at that time: s_0 is an initial value and feeds no h̄_0', () => {
    const lab = load('lab-10-5-solution');
    const sm = new SymbolicModel(lab.model);
    const [q] = deriveQuantities(lab, 'grad(L, s[T-k])', null);
    const spec = instanceSpec(lab.model, 17, 2, undefined, { T: 6 });
    const ev = new Evaluator(buildInstance(lab.model, spec).graph, spec.sizes);
    for (const k of [5, 6]) {
      const reference = asDense(ev.evaluate(q!.quantity, { k })).data;
      const form = substituteDerivationsAt(q!.quantity, sm, { ...spec.sizes, k });
      expect(relErr(reference, asDense(ev.evaluate(form, { k })).data), `k = ${k}`).toBeLessThan(1e-11);
    }
    // the symbolic form reads h̄_σ's step at σ = T − k, which at k = T does not exist
    expect(() => ev.evaluate(q!.derived!, { k: 6 })).toThrow(/o\[0\] is outside/);
  });

  it('∇ of the loss through the values it reads, Σ_i (∂y_i/∂x)ᵀ ∇_{y_i} L, the y_i that x cannot reach left out', () => {
    const lab = load('lab-10-5-solution');
    const sm = new SymbolicModel(lab.model);
    const through = (text: string) => {
      const e = sm.throughLossRead(parseDerivation(withClaim(text), 'x.yaml').claims[0]!.lhs);
      return e && printExpr(e);
    };
    // L reads h[T] (the RNN) and h̄[T] (the LSTM): s reaches only h̄, h only h
    expect(through('grad(L, s[T-k])')).toBe("jac(hl[T], s[T-k])'*grad(L, hl[T])");
    expect(through('grad(L, h[T-k])')).toBe("jac(h[T], h[T-k])'*grad(L, h[T])");
    expect(through('grad(L, hl[T])')).toBeNull();
    // the identity it decides, and a false twin it does not
    for (const [rhs, status] of [
      ["jac(hl[T], s[T-k])' * grad(L, hl[T])", 'identical'],
      ["2 * jac(hl[T], s[T-k])' * grad(L, hl[T])", 'different'],
    ] as const) {
      const text = withClaim('grad(L, s[T-k])').replace('= grad(L, s[T-k])', `= ${rhs}`);
      const d = parseDerivation(text, 'x.yaml');
      const outcome = symbolicCheck(d, d.claims[0]!, 7)!.outcome;
      expect(outcome.status, rhs).toBe(status);
      if (outcome.status === 'identical') expect(outcome.throughLossRead).toBe(outcome.cases);
    }
    // ∂a/∂x through a's reads (the product rule on h̄ = o ⊙ tanh(s)), each ∂p/∂x opaque; pruned where p cannot reach x
    const T = affineVar('T');
    const back = affineAdd(T, affineVar('k'), -1);
    const step = (a: string) => printExpr(sm.forwardStep({ name: a, time: T }, { name: 's', time: back })!);
    expect(step('hl')).toBe(
      'diag(tanh(s[T]))*jac(o[T], s[T-k]) + diag(o[T])*diag(1 - tanh(s[T]).^2)*jac(s[T], s[T-k])',
    );
    expect(step('o')).toBe('diag(o[T] .* (1 - o[T]))*U_o*jac(hl[T-1], s[T-k])');
    for (const [rhs, status] of [
      [
        "jac(s[T], s[T-k])' * diag(1 - tanh(s[T]).^2) * diag(o[T]) * grad(L, hl[T]) + jac(o[T], s[T-k])' * diag(tanh(s[T])) * grad(L, hl[T])",
        'identical',
      ],
      // the route through the output gate dropped
      ["jac(s[T], s[T-k])' * diag(1 - tanh(s[T]).^2) * diag(o[T]) * grad(L, hl[T])", 'different'],
    ] as const) {
      const text = withClaim("jac(hl[T], s[T-k])' * grad(L, hl[T])").replace(
        "= jac(hl[T], s[T-k])' * grad(L, hl[T])",
        `= ${rhs}`,
      );
      const d = parseDerivation(text, 'x.yaml');
      const outcome = symbolicCheck(d, d.claims[0]!, 7)!.outcome;
      expect(outcome.status, rhs).toBe(status);
      if (outcome.status === 'identical') expect(outcome.throughReads).toBe(outcome.cases);
    }
    const apart = (loss: string) =>
      parseDerivation(
        [
          'gradproof: 1',
          'title: apart',
          'model:',
          '  sizes: { d: 1..3, T: 2..5 }',
          '  symbols:',
          '    W: { role: parameter, shape: [d, d], init: recurrent }',
          '    x: { role: input, shape: [d] }',
          '    s: { role: state, shape: [d] }',
          '    h: { role: state, shape: [d] }',
          '  equations:',
          '    - s[t] = 0.5 * s[t-1] + x[t]',
          '    - h[t] = tanh(W*h[t-1] + x[t])',
          `  loss: ${loss}`,
          'claims:',
          '  - id: c',
          '    claim: grad(L, s[T]) = grad(L, s[T])',
        ].join('\n'),
        'apart.yaml',
      );
    const rewritten = (d: Derivation) => new SymbolicModel(d.model).throughLossRead(d.claims[0]!.lhs);
    // L reads h[T] alone, which s never reaches: ∇_{s[T]}L = 0
    expect(printExpr(rewritten(apart('L = sum(h[T])'))!)).toBe('zeros(d, 1)');
    // h[T] depends on h[T−1]: ∇_{h[T−1]}L is not L's partial derivative there, so nothing is rewritten
    expect(rewritten(apart('L = sum(h[T]) + sum(h[T-1])'))).toBeNull();
  });

  it('∇_{s_{t−1}}L by one step of the backward recurrence, the gradients at s_t and h_{t−1} opaque; a wrong gate is not', () => {
    const text = readFileSync('derivations/how-lstms-solve-vanishing-gradients-2019.yaml', 'utf8');
    const at = text.indexOf('\nclaims:\n');
    for (const [gate, status] of [
      ['f[t]', 'identical'],
      ['f[t-1]', 'different'],
    ] as const) {
      const claim = `grad(L, s[t-1]) = diag(${gate}) * grad(L, s[t]) + diag(o[t-1] .* sigma(s[t-1]) .* (1 - sigma(s[t-1]))) * grad(L, h[t-1])`;
      const d = parseDerivation(
        `${text.slice(0, at)}\nclaims:\n  - id: c\n    claim: ${claim}\n    forall: t in 2..T\n`,
        'x.yaml',
      );
      const outcome = symbolicCheck(d, d.claims[0]!, 7)!.outcome;
      expect(outcome.status, gate).toBe(status);
      if (outcome.status === 'identical') expect(outcome.throughChildren).toBe(outcome.cases);
    }
  });

  it('∇_{r_t}L stepped through the values that read r_t until every gradient is one eq. (5) names; a dropped route or a wrong factor is not', () => {
    const text = readFileSync('derivations/how-does-lstm-avoid-gradient-explosion-2024-eq5.yaml', 'utf8');
    const at = text.indexOf('\nclaims:\n');
    const withEq5 = (rhs: string) =>
      parseDerivation(
        `${text.slice(0, at)}\nclaims:\n  - id: c\n    claim: grad(L, r[t]) = ${rhs}\n    forall: t in 1..T-1\n`,
        'x.yaml',
      );
    const eq5 = "diag(1 - tanh(r[t]).^2) * U' * grad(L, r[t+1]) + diag(1 - tanh(r[t]).^2) * V' * grad(L, z[t])";
    for (const [rhs, status] of [
      [eq5, 'identical'],
      // the route through the output z_t dropped
      ["diag(1 - tanh(r[t]).^2) * U' * grad(L, r[t+1])", 'different'],
      // tanh² for 1 − tanh²
      [eq5.replaceAll('1 - tanh(r[t]).^2', 'tanh(r[t]).^2'), 'different'],
    ] as const) {
      const d = withEq5(rhs);
      const o = symbolicCheck(d, d.claims[0]!, 7)!.outcome;
      expect(o.status, rhs).toBe(status);
      if (o.status === 'identical') {
        expect(o.throughReaders).toBe(o.cases - (o.repeated ?? 0));
        // every binding decided with derivatives opaque: so are those at T = 48, where no ℤ_p test runs
        expect(o.random?.opaque).toBe(o.random?.bindings.length);
      }
    }
    const sm = new SymbolicModel(rnnOutputs.model);
    const t = affineVar('t');
    const r = { name: 'r', time: t };
    const named = new Set(['grad(L, r[t+1])', 'grad(L, z[t])']);
    const keep = (g: Expr) => named.has(printExpr(g));
    // two steps: r_t → h_t, then h_t → r_{t+1} and z_t
    expect(printExpr(sm.gradientThroughReaders(r, keep, () => true)!)).toBe(
      "diag(1 - h[t].^2)*(U'*grad(L, r[t+1]) + V'*grad(L, z[t]))",
    );
    // at t = T there is no r_{T+1}: its term is left out
    expect(printExpr(sm.gradientThroughReaders(r, keep, (c) => c.name !== 'r')!)).toBe(
      "diag(1 - h[t].^2)*V'*grad(L, z[t])",
    );
    // a child whose existence is not known, a gradient never named within the steps, a value the loss reads
    expect(sm.gradientThroughReaders(r, keep, () => null)).toBeNull();
    expect(
      sm.gradientThroughReaders(
        r,
        (g) => printExpr(g) === 'grad(L, z[t])',
        () => true,
      ),
    ).toBeNull();
    expect(sm.gradientThroughReaders({ name: 'z', time: t }, keep, () => true)).toBeNull();
  });

  it('∂h_t/∂h_{t−k} through the states at t − 1 (eq. (5) of 2018, corrected); a total ∂h_t/∂C_{t−1} in place of the held one is not', () => {
    const sm = new SymbolicModel(post2018.model);
    const [t, tk] = [affineVar('t'), affineAdd(affineVar('t'), affineVar('k'), -1)];
    // s's time minus x's at t = 5 and lag k
    const lagAt = (k: number) => (s: { time: Affine | null }) => boundValue(s.time!, { t: 5 })! - (5 - k);
    const form = sm.forwardThroughStates({ name: 'h', time: t }, { name: 'h', time: tk }, lagAt(3));
    expect(printExpr(form!)).toBe(
      'partial(h[t], C[t-1], h[t-1])*jac(C[t-1], h[t-k]) + jac(h[t], h[t-1])*jac(h[t-1], h[t-k])',
    );
    // ∂h_{t}/∂x_{t−k} for the section-1 state x, the LSTM's input: through x_{t−1} (C_{t−1} and h_{t−1}, which
    // depend on it, held), C_{t−1} and h_{t−1}; the running sums E and Eh, which h does not read, left out
    const x = sm.forwardThroughStates(
      { name: 'h', time: t },
      { name: 'x', time: affineAdd(t, affineVar('k'), -1) },
      lagAt(1),
    );
    expect(printExpr(x!)).toBe(
      'partial(h[t], x[t-1], C[t-1], h[t-1])*jac(x[t-1], x[t-k]) + partial(h[t], C[t-1], h[t-1])*jac(C[t-1], x[t-k]) + jac(h[t], h[t-1])*jac(h[t-1], x[t-k])',
    );
    // a lag not known at the binding
    expect(sm.forwardThroughStates({ name: 'h', time: t }, { name: 'h', time: tk }, () => null)).toBeNull();
    // one state: the step is the product's first factor (the language lets equations read only t, and states at t − 1)
    const reading = (equation: string) =>
      new SymbolicModel(
        parseDerivation(
          [
            'gradproof: 1',
            'title: bypass',
            'model:',
            '  sizes: { d: 1..2, T: 2..5 }',
            '  symbols:',
            '    W: { role: parameter, shape: [d, d], init: recurrent }',
            '    x: { role: input, shape: [d] }',
            '    h: { role: state, shape: [d] }',
            '  equations:',
            `    - ${equation}`,
            'claims:',
            '  - id: c',
            '    claim: h[T] = h[T]',
          ].join('\n'),
          'bypass.yaml',
        ).model,
      ).forwardThroughStates({ name: 'h', time: t }, { name: 'h', time: tk }, lagAt(3));
    expect(printExpr(reading('h[t] = tanh(W*h[t-1] + x[t])')!)).toBe('jac(h[t], h[t-1])*jac(h[t-1], h[t-k])');
    const shipped = shipped2018('eq5-recursion');
    expect(shipped.status).toBe('identical');
    if (shipped.status === 'identical') expect(shipped.throughStates).toBe(shipped.opaqueDerivatives);
    const total = recursion2018(
      'jac(h[t], h[t-k]) = jac(h[t], h[t-1]) * jac(h[t-1], h[t-k]) + jac(h[t], C[t-1]) * jac(C[t-1], h[t-k])',
    );
    expect(total.status).toBe('different');
  });

  it("the recursion through both paths: the step through the states at t − 1, then ∂h_t/∂h_{t−1} and the held ∂h_t/∂C_{t−1} through h_t's reads, the one-step Jacobians written out", () => {
    const o = shipped2018('eq5-recursion-two-paths');
    expect(o.status).toBe('identical');
    if (o.status === 'identical') {
      expect(o.blockProductsOpaque).toBe(66);
      expect([o.throughStates, o.throughReads, o.randomOnly]).toEqual([66, 66, null]);
    }
    // the cell route through the total ∂C_t/∂C_{t−1}, which also runs through h_{t−1}: false
    const twin = recursion2018(
      'jac(h[t], h[t-k]) = (jac(h[t], C[t]) * jac(C[t], h[t-1]) + jac(h[t], o[t]) * jac(o[t], h[t-1])) * jac(h[t-1], h[t-k]) + jac(h[t], C[t]) * jac(C[t], C[t-1]) * jac(C[t-1], h[t-k])',
    );
    expect(twin.status).toBe('different');
  });

  it('∂h_t/∂h_{t−k} unrolled through the states down to one-step factors meets the product plus the cell routes (2018); a route too many is not', () => {
    const sm = new SymbolicModel(post2018.model);
    const [t, tk] = [affineVar('t'), affineAdd(affineVar('t'), affineVar('k'), -1)];
    // at t = 6, k = 3: h_6 → h_5 → h_4, the last one step after h_3
    const lag = (y: { time: Affine | null }) => boundValue(y.time!, { t: 6 })! - 3;
    expect(printExpr(sm.forwardUnrolled({ name: 'h', time: t }, { name: 'h', time: tk }, lag)!)).toBe(
      'partial(h[t], C[t-1], h[t-1])*jac(C[t-1], h[t-k]) + jac(h[t], h[t-1])*(partial(h[t-1], C[t-2], h[t-2])*jac(C[t-2], h[t-k]) + jac(h[t-1], h[t-2])*jac(h[t-2], h[t-k]))',
    );
    const o = shipped2018('eq5-product-plus-cell-routes');
    expect(o.status).toBe('identical');
    if (o.status === 'identical') {
      expect(o.throughStatesUnrolled).toBeGreaterThan(0);
      expect(o.opaqueDerivatives).toBe(o.cases - (o.repeated ?? 0));
      expect(o.randomOnly).toBeNull();
    }
    // the cell routes from the exit step j = 1 on: the route leaving at the last step dropped (false)
    const dropped = recursion2018(
      'jac(h[t], h[t-k]) = prod(i, 1, k, jac(h[t-i+1], h[t-i])) + sum(j, 1, k-2, prod(i, 1, j, jac(h[t-i+1], h[t-i])) * partial(h[t-j], C[t-j-1], h[t-j-1]) * jac(C[t-j-1], h[t-k]))',
    );
    expect(dropped.status).toBe('different');
    // summed up to k − 1, the extra route ends in ∂C_{t−k}/∂h_{t−k} = 0 (C is computed before h): true, and the
    // unrolled reading does not decide it (that Jacobian is an atom there), the closed forms do
    const zeroRoute = recursion2018(
      'jac(h[t], h[t-k]) = prod(i, 1, k, jac(h[t-i+1], h[t-i])) + sum(j, 0, k-1, prod(i, 1, j, jac(h[t-i+1], h[t-i])) * partial(h[t-j], C[t-j-1], h[t-j-1]) * jac(C[t-j-1], h[t-k]))',
    );
    expect(zeroRoute.status).toBe('identical');
  });

  it('∇_{s_k}L unrolled to the horizon meets the sum over the exit step (2019); a gate too many or the last step dropped is not', () => {
    const text = readFileSync('derivations/how-lstms-solve-vanishing-gradients-2019.yaml', 'utf8');
    const at = text.indexOf('\nclaims:\n');
    const byExitStep = (from: string, gatesFrom: string) =>
      `sum(j, ${from}, T, diag(hprod(l, ${gatesFrom}, j, f[l])) * diag(o[j] .* sigma(s[j]) .* (1 - sigma(s[j]))) * grad(L, h[j]))`;
    for (const [rhs, status] of [
      [byExitStep('k', 'k+1'), 'identical'],
      // the forget gate of step k as well
      [byExitStep('k', 'k'), 'different'],
      // the exit at step k itself dropped
      [byExitStep('k+1', 'k+1'), 'different'],
    ] as const) {
      const d = parseDerivation(
        `${text.slice(0, at)}\nclaims:\n  - id: c\n    claim: grad(L, s[k]) = ${rhs}\n    forall: k in 1..T\n`,
        'x.yaml',
      );
      const o = symbolicCheck(d, d.claims[0]!, 7)!.outcome;
      expect(o.status, rhs).toBe(status);
      if (o.status === 'identical') {
        expect(o.throughChildrenUnrolled).toBe(o.cases - (o.repeated ?? 0));
        expect(o.random?.opaque).toBe(o.random?.bindings.length);
      }
    }
  });

  it('prints the product of 2×2 block grids and picks one block', () => {
    const [q] = deriveQuantities(lstm2024, 'jac(C[t], h[t-k])', null);
    const text = printExpr(q!.derived!);
    // a grid printed as a claim writes a block matrix, [A, B; C, D] (the parser reads it back)
    expect(text.startsWith('[prod(i, 1, k, [diag(f[t-i+1]), ')).toBe(true);
    expect(text.endsWith(']{0,1}')).toBe(true);
  });
});

describe('losses over time and gradients of per-step values', () => {
  it('a loss summed over time: ∇_{r_t} L for every t, the last step included', () => {
    const bindings = [1, 2, 5, 6].map((t) => ({ t }));
    expect(agreesWithReference(rnnOutputs, 'grad(L, r[t])', bindings)).toBe(8);
    expect(agreesWithReference(rnnOutputs, 'grad(L, z[t])', bindings)).toBe(8);
    expect(agreesWithReference(rnnOutputs, 'grad(L, h[T-k])', [{ k: 0 }, { k: 2 }, { k: 5 }])).toBe(6);
  });

  it('the backward recurrence δ_t = ∂ℓ_t/∂h_t + J_{t+1}ᵀ δ_{t+1} is verified symbolically, and is derive’s default', () => {
    const o = outcome(
      rnnOutputs,
      "grad(L, h[t]) = grad(L, h[t], h[t+1]) + jac(h[t+1], h[t])' * grad(L, h[t+1])",
      '    forall: t in 1..T-1\n',
    );
    expect(o.status).toBe('identical');
    // Its direct part is the output term: ∂ℓ_t/∂h_t = Vᵀ ∂L/∂z_t.
    expect(outcome(rnnOutputs, "grad(L, h[t], h[t+1]) = V' * grad(L, z[t])", '    forall: t in 1..T-1\n').status).toBe(
      'identical',
    );
    const labels = deriveQuantities(lstm2024, null, null).map((q) => q.label);
    expect(labels).toContain('backward recurrence of ∇_CL with h held at t, from the step after');
  });

  it('a value at lag 0 of itself outside the state: the δ(k, 0) term gives the identity', () => {
    expect(
      agreesWithReference(rnnOutputs, 'jac(z[t], z[t-k])', [
        { t: 4, k: 0 },
        { t: 4, k: 2 },
      ]),
    ).toBe(4);
  });

  it('∇ of a per-step error with respect to a parameter sums to the step, not the horizon', () => {
    expect(agreesWithReference(post2018, 'grad(eps[t], W_rec)', [{ t: 1 }, { t: 4 }])).toBe(4);
    const [q] = deriveQuantities(post2018, 'grad(eps[t], W_rec)', null);
    expect(printExpr(q!.derived!).startsWith('sum(s__, 1, t, ')).toBe(true);
  });

  it('the LSTM gradient into the cell state through h_T (a loss reading one value)', () => {
    expect(agreesWithReference(lstm2019, 'grad(L, s[T-k])', [{ k: 0 }, { k: 1 }, { k: 4 }])).toBe(6);
  });
});

/** One claim checked symbolically against a shipped derivation's model (the file's own claims replaced). */
/** A claim about ∂h_t/∂h_{t−k} in the 2018 post's model, for t in 2..T and k in 2..t. */
function recursion2018(claim: string) {
  return outcome(post2018, claim, '    forall: t in 2..T, k in 2..t\n');
}

function outcome(d: Derivation, claim: string, extra = '') {
  const source = readFileSync(d.file, 'utf8');
  const head = source.slice(0, source.search(/^claims:/m));
  const text = `${head}claims:\n  - id: c\n    claim: ${JSON.stringify(claim)}\n${extra}    expect: consistent\n`;
  const parsed = parseDerivation(text, d.file);
  return symbolicCheck(parsed, parsed.claims[0]!, 1)!.outcome;
}

describe('identities with every derivative an opaque matrix, where the closed forms stop expanding', () => {
  const lab = load('lab-10-5-solution');
  const forall = '    forall: k in 1..T\n';

  it('‖J‖ = ‖(J − P) + P‖ over T = 3..12, long lags by the opaque reading, the count in the evidence', () => {
    const o = outcome(
      lab,
      'norm2(jac(s[T], s[T-k])) = norm2((jac(s[T], s[T-k]) - partial(s[T], s[T-k], hl)) + partial(s[T], s[T-k], hl))',
      forall,
    );
    expect(o).toMatchObject({ status: 'identical', range: 'T = 3..12', cases: 75 });
    expect((o as { opaqueDerivatives?: number }).opaqueDerivatives).toBeGreaterThan(0);
  });

  it.each([
    [
      'twice the cell path added back',
      'norm2(jac(s[T], s[T-k])) = norm2((jac(s[T], s[T-k]) - partial(s[T], s[T-k], hl)) + 2 * partial(s[T], s[T-k], hl))',
    ],
    ['the cell path dropped', 'norm2(jac(s[T], s[T-k])) = norm2(jac(s[T], s[T-k]) - partial(s[T], s[T-k], hl))'],
  ])('a false twin (%s) is not identical', (_, claim) => {
    expect(outcome(lab, claim, forall).status).not.toBe('identical');
  });
});

describe('exact comparisons that decide more', () => {
  it('values defined entrywise are written out when atoms differ; a wrong restatement stays different', () => {
    const right = outcome(lstm2019, 'h[t] = o[t] .* sigma(f[t] .* s[t-1] + i[t] .* st[t])', '    forall: t in 1..T\n');
    expect(right).toMatchObject({ status: 'identical', unfolded: ['s', 'h'] });
    const wrong = outcome(
      lstm2019,
      'h[t] = o[t] .* sigma(f[t] .* s[t-1] + i[t] .* st[t-1])',
      '    forall: t in 2..T\n',
    );
    expect(wrong.status).toBe('different');
  });

  it('‖diag(v)‖₂ = max|v_i| is recognised; ‖v‖₂ = max|v_i| is not', () => {
    expect(outcome(lstm2019, 'norm2(diag(f[T])) = normMax(f[T])').status).toBe('identical');
    expect(outcome(lstm2019, 'normInf(diag(f[T] .* o[T])) = normMax(o[T] .* f[T])').status).toBe('identical');
    expect(outcome(lstm2019, 'norm2(f[T]) = normMax(f[T])').status).not.toBe('identical');
  });

  it('𝟙ᵀ diag(v) 𝟙 is sum(v), and entries are Laurent monomials (v ⊘ u ⊙ u = v)', () => {
    expect(outcome(lstm2019, "ones(d)' * diag(f[T]) * ones(d) = sum(f[T])").status).toBe('identical');
    expect(outcome(lstm2019, "ones(d)' * diag(f[T]) * ones(d) = sum(o[T])").status).not.toBe('identical');
    expect(outcome(lstm2019, 'f[T] ./ o[T] .* o[T] = f[T]').status).toBe('identical');
    expect(outcome(lstm2019, 'f[T] ./ o[T] .* f[T] = o[T]').status).not.toBe('identical');
  });

  it('a stacked vector meets the column blocks of the matrix it multiplies', () => {
    const o = outcome(
      post2018,
      'W_o * [h[t-1]; x[t]] = cols(W_o, 1, d) * h[t-1] + cols(W_o, d+1, d+n) * x[t]',
      '    forall: t in 1..T\n',
    );
    expect(o.status).toBe('identical');
    const shifted = outcome(
      post2018,
      'W_o * [h[t-1]; x[t]] = cols(W_o, 1, d) * h[t-1] + cols(W_o, d+1, d+n) * x[t-1]',
      '    forall: t in 2..T\n',
    );
    expect(shifted.status).not.toBe('identical');
  });

  it('past the expansion limit the randomized identity test decides, and the evidence says from where', () => {
    // the cell path term of eq. (6): a sum over the exit step of Jacobians with whole sequences held, which no
    // chain-rule reading meets, so the closed forms are expanded
    const o = shipped2018('eq6-cell-path-term');
    expect(o.status).toBe('identical');
    if (o.status === 'identical') {
      expect(o.randomOnly?.cases).toBeGreaterThan(0);
      expect(o.randomOnly!.from.k).toBeGreaterThanOrEqual(3);
    }
    // A wrong recursion (Jacobians in the other order) is still told apart exactly.
    const wrong = recursion2018(
      'jac(h[t], h[t-k]) = jac(h[t-1], h[t-k]) * jac(h[t], h[t-1]) + partial(h[t], C[t-1], h[t-1]) * jac(C[t-1], h[t-k])',
    );
    expect(wrong.status).toBe('different');
  });
});

describe('content keys are structural', () => {
  it('equal trees built separately share a key; a different time does not', () => {
    const sm = new SymbolicModel(lstm2024.model);
    const [q] = deriveQuantities(lstm2024, 'jac(h[t], h[t-k])', null);
    const a = substituteDerivationsAt(q!.quantity, sm, { d: 2, m: 1, T: 6, t: 5, k: 2 });
    const [q2] = deriveQuantities(lstm2024, 'jac(h[t], h[t-k])', null);
    const b = substituteDerivationsAt(q2!.quantity, new SymbolicModel(lstm2024.model), {
      d: 2,
      m: 1,
      T: 6,
      t: 5,
      k: 2,
    });
    expect(a).not.toBe(b);
    expect(contentKey(a, { t: 5, k: 2 })).toBe(contentKey(b, { t: 5, k: 2 }));
    expect(contentKey(a, { t: 5, k: 2 })).not.toBe(contentKey(a, { t: 5, k: 3 }));
  });
});
