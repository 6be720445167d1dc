/**
 * Digits the model's own forward pass loses (a cancellation in an equation's elementwise sum, a value through the
 * subnormals) are noted where the claim READS a value resting on them: a sequence at a time, the loss, a derivative
 * through the steps that lost them (src/numeric/unrolled.ts `lostAt`, noted by src/numeric/evaluate.ts). Points that
 * read such values are within reach of the loss and decided again in decimals, which simulate those steps; wide
 * floats take no such step from float64 (src/symbolic/domains/extended.ts). Claims that never read a lossy value
 * (parameters, a sup, other sequences) are untouched: a watch that gave every point of the instance its whole loss
 * (withdrawn) lost refutations and raised false alarms, kept here as regression cases.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { AGREEMENTS_DECIDED_AGAIN, spreadTies } from '../../src/check/points.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const labModel = lab.slice(0, lab.indexOf('claims:'));

/** A model with extra intermediate sequences (name → equation right-hand side at t), after its state `h`. */
function modelWith(
  extra: Record<string, string>,
  base = labModel,
  stateEquation = '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n',
): string {
  let model = base;
  for (const [name, rhs] of Object.entries(extra)) {
    model = model
      .replace(
        '    h: { role: state, shape: [d] }\n',
        `    h: { role: state, shape: [d] }\n    ${name}: { role: intermediate, shape: [d] }\n`,
      )
      .replace(stateEquation, `${stateEquation}    - ${name}[t] = ${rhs}\n`);
    expect(model).toContain(`${name}[t] = `);
  }
  return model;
}

function verdicts(
  model: string,
  claims: readonly string[],
  forall: Record<number, string> = {},
  options: Parameters<typeof checkDerivation>[1] = { instances: 2 },
): string[] {
  const yaml = claims
    .map((c, i) => `  - id: c${i}\n    claim: ${c}\n${forall[i] ? `    forall: ${forall[i]}\n` : ''}`)
    .join('');
  const file = parseDerivation(`${model}claims:\n${yaml}`, 'forward-lost.yaml');
  return checkDerivation(file, options).map((r) => r.verdict);
}

/** An unread sequence that cancels completely at every step: (1 + 3e-16) − 1 is 2.2e-16 in float64. */
const CANCELLING = { g: '(ones(d) + 3e-16 * ones(d)) - ones(d)' };

describe("digits the model's own forward pass loses count where a claim reads them", () => {
  it('a cancellation: g = (1 + 3e-16) − 1 is 3e-16, 2.2e-16 in float64 (the false claim was consistent)', () => {
    const [wrong, right] = verdicts(modelWith(CANCELLING), [
      'g[T] = 2.220446049250313e-16 * ones(d)',
      'g[T] = 3e-16 * ones(d)',
    ]);
    expect(wrong).toBe('refuted');
    expect(right).not.toBe('refuted');
  });

  it('the subnormals: g and q differ by 1e-5 but round to the same subnormals (the true claim was refuted)', () => {
    const model = modelWith({
      g: '(1e-160 * (1e-160 * h[t])) * 1e300',
      q: '(1e-160 * (1.00001e-160 * h[t])) * 1e300',
    });
    const [wrong, right] = verdicts(model, ['g[T] = q[T]', 'g[T] = 1e-20 * h[T]']);
    expect(wrong).toBe('refuted');
    expect(right).not.toBe('refuted');
  });

  it('wide floats take no lossy step from float64 (sides that underflowed to 0 look there first)', () => {
    // Both sides are 0 in float64 (1e-600 · …): wide floats look first; copying float64's g = 2.2e-16 they would
    // agree with the false claim.
    const [wrong, right] = verdicts(modelWith(CANCELLING), [
      '1e-300 * (1e-300 * g[T]) = 1e-300 * (1e-300 * (2.220446049250313e-16 * ones(d)))',
      '1e-300 * (1e-300 * g[T]) = 1e-300 * (1e-300 * (3e-16 * ones(d)))',
    ]);
    expect(wrong).toBe('refuted');
    expect(right).not.toBe('refuted');
  });

  it("the forward pass's loss: by value read, along the equations' dependencies", () => {
    const plain = parseDerivation(lab, 'lab.yaml');
    const clean = buildInstance(plain.model, instanceSpec(plain.model, 20261120, 0, undefined, { d: 8, m: 3, T: 24 }));
    expect(clean.graph.forwardLoss()).toBe(0);
    const model = modelWith({ ...CANCELLING, e: 'g[t] .* h[t]' });
    const file = parseDerivation(`${model}claims: []\n`, 'g.yaml');
    const lossy = buildInstance(file.model, instanceSpec(file.model, 20261120, 0, undefined, { d: 4, m: 2, T: 6 }));
    const { graph } = lossy;
    // (1 + 3e-16) − 1 is 2.2e-16: ROUNDOFF · (|x| + |y|) / |r| = 1, nothing kept
    expect(graph.forwardLoss(0)).toBe(0);
    for (let t = 1; t <= 6; t++) {
      expect(graph.forwardLoss(t)).toBe(1);
      expect(graph.lostAt({ name: 'g', time: t })).toBe(1);
      expect(graph.lostAt({ name: 'e', time: t })).toBe(1); // reads g
      expect(graph.lostAt({ name: 'h', time: t })).toBe(0); // reads neither
    }
    expect(graph.lostAt({ name: 'W', time: null })).toBe(0);
    expect(graph.lostAt({ name: 'L', time: null })).toBe(0); // the loss reads h and c
  });
});

describe('claims that never read a lossy value are untouched by it (the withdrawn whole-instance watch)', () => {
  it('a parameter-only claim false at k = T stays refuted beside an unread cancelling sequence', () => {
    expect(
      verdicts(modelWith(CANCELLING), ['k * norm2(W) <= (T - 1) * norm2(W) * supabs(x, 1 - tanh(x)^2)'], {
        0: 'k in 1..T',
      }),
    ).toEqual(['refuted']);
  });

  it('the same beside a natural cancellation (e = h[t] − h[t−1], saturated, d = 32, T = 128)', () => {
    const model = modelWith({ e: 'h[t] - h[t-1]' }).replace('claims:', 'claims:');
    const yaml = `${model}claims:\n  - id: c0\n    claim: k * norm2(W) <= (T - 1) * norm2(W) * supabs(x, 1 - tanh(x)^2)\n    forall: k in 1..T\n    regimes: [saturated]\n`;
    const file = parseDerivation(yaml, 'natural.yaml');
    const [r] = checkDerivation(file, { instances: 2, search: 0, sizeOverrides: { d: 32, T: 128 } });
    expect(r!.verdict).toBe('refuted');
  });

  it("agreements are ranked by each point's own loss: a false bound (from k = 4) hidden by cancellation is refuted", () => {
    expect(
      verdicts(
        modelWith(CANCELLING),
        ['((exp(10^(-4*k)) - 1) * 10^(4*k)) * norm2(h[T]) <= 1.5 * exp(-(2^k)/23) * norm2(h[T])'],
        { 0: 'k in 1..T' },
      ),
    ).toEqual(['refuted']);
  });

  it("the same false bound reading a lossy value at every binding: ties broken by the claim's own loss", () => {
    // every point carries g's total loss (1): ranked by it alone, k = 1..3 (true) were decided again and the rest
    // kept float64's agreement (consistent)
    expect(
      verdicts(
        modelWith(CANCELLING),
        ['((exp(10^(-4*k)) - 1) * 10^(4*k)) * norm2(g[T]) <= 1.5 * exp(-(2^k)/23) * norm2(g[T])'],
        { 0: 'k in 1..T' },
      ),
    ).toEqual(['refuted']);
  });

  it('where the figures tie at every binding, the agreements decided again are spread over them', () => {
    // g loses every digit at every step and the claim loses nothing itself: every point ties. True at k = 1..3 (the
    // exact ‖g[T]‖ is 3e-16·√d), false from k = 4; deciding the first three bindings again left it consistent.
    expect(
      verdicts(modelWith(CANCELLING), ['norm2(g[T]) <= sqrt(d) * (2.5e-16 + 1e-13 * 10^(-k))'], { 0: 'k in 1..T' }),
    ).toEqual(['refuted']);
    const at = (lostPrecision: number, ownLost: number, i: number, closeness = 0) => ({
      lostPrecision,
      ownLost,
      i,
      closeness,
    });
    const tied = [0, 1, 2, 3, 4, 5, 6].map((i) => at(1, 0, i));
    // the closest (the first, where all are as close), the middle, the last, then the moving positions, starting
    // one further on each instance (the samples of consecutive instances overlap where a fixed position takes one;
    // the property below: enough instances decide every binding)
    expect(AGREEMENTS_DECIDED_AGAIN).toBe(5);
    expect(spreadTies(tied, 0).map((a) => a.i)).toEqual([0, 3, 6, 4, 1, 2, 5]);
    expect(spreadTies(tied, 2).map((a) => a.i)).toEqual([0, 3, 6, 1, 5, 2, 4]);
    // the one float64 saw closest to the tolerance first
    const oneClose = tied.map((a) => (a.i === 2 ? { ...a, closeness: -0.1 } : { ...a, closeness: -0.9 }));
    expect(spreadTies(oneClose, 0).map((a) => a.i)).toEqual([2, 0, 3, 6, 4, 1, 5]);
    // no more than the sample: all are decided, in the order by loss
    const ranked = [at(1, 0.5, 4), at(1, 0, 0), at(1, 0, 1), at(0.5, 0, 2), at(0.5, 0, 3)];
    expect(spreadTies(ranked)).toEqual(ranked);
    // ties or none, the same positions: the closest, the most lost, the middle and last bindings, a moving one; then
    // by loss and moving in turn (ranked by loss alone, figures that grow with the lag — a product's k·ε — put the
    // short lags last, and a claim false only at k = 1, or only at k = 40 of 1..200, stood once the budget ran out)
    const fewTied = [at(1, 0, 0), at(1, 0, 1), at(1, 0, 2), at(1, 0, 3), at(0.5, 0, 4), at(0.5, 0, 5)];
    expect(spreadTies(fewTied).map((a) => a.i)).toEqual([0, 2, 5, 3, 1, 4]);
    const growing = [5, 4, 3, 2, 1, 0].map((k) => at((k + 1) * 1e-9, 0, k, k === 0 ? -0.1 : -0.5));
    expect(spreadTies(growing).map((a) => a.i)).toEqual([0, 5, 2, 3, 1, 4]);
    const closeInTies = fewTied.map((a) => ({ ...a, closeness: a.i === 2 ? -0.1 : -0.5 }));
    expect(spreadTies(closeInTies).map((a) => a.i)).toEqual([2, 0, 5, 3, 1, 4]);
  });

  it('the order: a permutation whose sample holds the closest, first, middle and last; over instances every binding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 80 }),
        fc.array(fc.double({ min: -1, max: 0, noNaN: true }), { minLength: 80, maxLength: 80 }),
        fc.nat({ max: 1000 }),
        (size, closeness, index) => {
          const sorted = Array.from({ length: size }, (_, i) => ({
            lostPrecision: 1,
            ownLost: 0,
            i,
            closeness: closeness[i]!,
          }));
          const out = spreadTies(sorted, index);
          expect(out.map((a) => a.i).sort((x, y) => x - y)).toEqual(sorted.map((a) => a.i));
          const sample = new Set(out.slice(0, AGREEMENTS_DECIDED_AGAIN).map((a) => a.i));
          const closest = sorted.reduce((b, a) => (a.closeness > b.closeness ? a : b)).i;
          for (const must of [closest, 0, Math.floor((size - 1) / 2), size - 1]) expect(sample.has(must)).toBe(true);
          // the moving pick (one per instance's sample): enough consecutive instances decide every binding
          const covered = new Set<number>();
          for (let r = index; r < index + 3 * size; r++)
            for (const a of spreadTies(sorted, r).slice(0, AGREEMENTS_DECIDED_AGAIN)) covered.add(a.i);
          expect(covered.size).toBe(size);
        },
      ),
      { seed: 20261205, numRuns: 200 },
    );
  });

  it('the same with figures that differ (ranked by loss): the sample holds the closest, the most lost, the middle and last bindings; over instances every binding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 80 }),
        fc.array(fc.double({ min: -1, max: 0, noNaN: true }), { minLength: 80, maxLength: 80 }),
        fc.array(fc.double({ min: 1e-12, max: 1, noNaN: true }), { minLength: 80, maxLength: 80 }),
        fc.nat({ max: 1000 }),
        (size, closeness, losses, index) => {
          const sorted = Array.from({ length: size }, (_, i) => ({
            lostPrecision: losses[i]!,
            ownLost: 0,
            i,
            closeness: closeness[i]!,
          })).sort((a, b) => b.lostPrecision - a.lostPrecision || a.i - b.i);
          const out = spreadTies(sorted, index);
          expect(out.map((a) => a.i).sort((x, y) => x - y)).toEqual(sorted.map((a) => a.i).sort((x, y) => x - y));
          const sample = new Set(out.slice(0, AGREEMENTS_DECIDED_AGAIN).map((a) => a.i));
          const closest = sorted.reduce((b, a) => (a.closeness > b.closeness ? a : b)).i;
          for (const must of [closest, sorted[0]!.i, Math.floor((size - 1) / 2), size - 1])
            expect(sample.has(must)).toBe(true);
          const covered = new Set<number>();
          for (let r = index; r < index + 3 * size; r++)
            for (const a of spreadTies(sorted, r).slice(0, AGREEMENTS_DECIDED_AGAIN)) covered.add(a.i);
          expect(covered.size).toBe(size);
        },
      ),
      { seed: 20261205, numRuns: 200 },
    );
  });

  it('a claim false at one binding between the first, middle and last, with every figure tied, is refuted', () => {
    // false only at j = 3 (its bound 2.82e-16·√d under the exact 3e-16·√d); float64's 2.2e-16 agrees everywhere.
    // Deciding the first, the middle and the last again on every instance left it consistent: now small instances
    // decide every agreement (the budget), and larger ones the closest to the tolerance (j = 3) among their four.
    const claim = 'norm2(g[T]) <= sqrt(d) * (2.5e-16 + 1e-13 * 10^(16 * (j + 9 / j) - 99.5))';
    expect(verdicts(modelWith(CANCELLING), [claim], { 0: 'j in 2..T+5' })).toEqual(['refuted']);
    expect(
      verdicts(modelWith(CANCELLING), [claim], { 0: 'j in 2..T+5' }, { instances: 2, sizeOverrides: { T: 30, d: 12 } }),
    ).toEqual(['refuted']);
  });

  it("the lab's eq. (2) stays proved beside an unread cancelling sequence", () => {
    const model = modelWith(CANCELLING);
    const file = parseDerivation(`${model}${lab.slice(lab.indexOf('claims:'))}`, 'lab-g.yaml');
    const byId = new Map(checkDerivation(file, { instances: 2 }).map((r) => [r.id, r.verdict]));
    expect(byId.get('lab-eq2')).toBe('proved');
    expect(byId.get('lab-eq1')).toBe('verified');
  });

  it('a claim on a user function (softplus) stays verified beside an unread cancelling sequence', () => {
    const softplus = readFileSync('test/fixtures/models/softplus-rnn.yaml', 'utf8');
    const base = softplus.slice(0, softplus.indexOf('claims:'));
    const model = modelWith(CANCELLING, base, '    - h[t] = softplus(W*h[t-1] + U*x[t])\n');
    expect(
      verdicts(
        model,
        ['jac(h[t], h[t-1]) = diag(sigma(W*h[t-1] + U*x[t])) * W', 'jac(h[t], h[t-1]) = diag(1 - h[t].^2) * W'],
        { 0: 't in 1..T', 1: 't in 1..T' },
      ),
    ).toEqual(['verified', 'refuted']);
  });
});

describe("a reduction in the model's equations notes what it loses; a sweep carries what its derivatives read", () => {
  /** truly 1e-10; float64's sum is 1.0000000827e-10 (8.3e-9 off) */
  const cancelling = '[(1 + 1e-10) * ones(1); -1 * ones(1)]';

  it("sum(v) and trace(A) in an equation: the false claim on float64's own value is refuted (was consistent)", () => {
    for (const g of [`sum(${cancelling}) * ones(d)`, `trace(diag(${cancelling})) * ones(d)`]) {
      const [wrong, right] = verdicts(modelWith({ g }), [
        'g[T] = 1.0000000827e-10 * ones(d)',
        'g[T] = 1e-10 * ones(d)',
      ]);
      expect([g, wrong]).toEqual([g, 'refuted']);
      expect([g, right]).toEqual([g, 'consistent']);
    }
  });

  it('a sum that cancels where no derivative reads it adds no trouble to the gradient claims', () => {
    // s cancels by 10⁶ at every step, and so does the loss's first sum: noted in the forward pass, their figure went into
    // every sweep from L (the loss's whole figure) and the gradient claims went unverifiable; a sum's derivative reads
    // no value, nor does a constant factor's (0.5 ·, · ones(d)). The same model with sums that do not cancel has the
    // same trouble (points whose h lost digits, where the decimals have no rule for this loss's gradient).
    const modelCancelling = (sign: string) =>
      modelWith({ s: `sum([h[t]; ${sign}0.999999 * h[t]]) * ones(d)` }).replace(
        'L = sum(c .* h[T]) + 0.5 * sum(h[T] .^ 2)',
        `L = 0.5 * sum([c .* h[T]; ${sign}0.999999 * (c .* h[T])]) + 0.5 * sum(h[T] .^ 2) + sum(s[T])`,
      );
    const run = (sign: string) => {
      const file = parseDerivation(
        `${modelCancelling(sign)}claims:\n` +
          `  - id: eq1\n    claim: grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])\n    forall: k in 1..T\n` +
          `  - id: eq1-W\n    claim: grad(L, h[T-k]) = prod(i, 1, k, W * diag(1 - h[T-k+i].^2)) * grad(L, h[T])\n    forall: k in 1..T\n`,
        'reduction-loss.yaml',
      );
      return checkDerivation(file, { masterSeed: 7 }).map((r) => ({
        verdict: r.verdict,
        trouble: r.evidence.find((e) => e.kind === 'trouble')?.points ?? 0,
      }));
    };
    const [cancelling, plain] = [run('-'), run('')];
    expect(cancelling.map((r) => r.verdict)).toEqual(['consistent', 'refuted']);
    expect(cancelling[0]!.trouble).toBe(plain[0]!.trouble);
    // 20 at seed 7 (fewer before the second round of instances took every largest size: more bindings there)
    expect(cancelling[0]!.trouble).toBeLessThanOrEqual(20);
  });
});

describe('a derivative sweep notes what its own sums lose to cancellation', () => {
  // g and q differ by 8e-8 of their derivative (truly 1e-10 W and 1.00000008e-10 W), and float64 rounds both constants
  // to the same double: both Jacobians come out bit for bit the same, their tangents cancelled as the values did. The
  // values the sweeps read (W, h) lost nothing: noting only those (f83f553) let the false claims pass (a review found it)
  const model = modelWith({
    g: '(1 + 1e-10) * (W * h[t-1]) - W * h[t-1]',
    q: '(1 + 1.00000008e-10) * (W * h[t-1]) - W * h[t-1]',
  });

  it('the false equality of two Jacobians that cancel alike is refuted (was consistent)', () => {
    expect(
      verdicts(
        model,
        [
          'jac(g[k], h[j]) + 1e-30 * jac(h[k], h[j]) = jac(q[k], h[j]) + 1e-30 * jac(h[k], h[j])',
          'jac(g[k], h[j]) = jac(q[k], h[j])',
        ],
        { 0: 'k in 1..T, j in 1..k', 1: 'k in 1..T, j in 1..T' },
        {},
      ),
    ).toEqual(['refuted', 'refuted']);
  });

  it('the same through a quotient, whose tangent subtracts (da − (a/b)·db)/b (was consistent)', () => {
    const quotient = modelWith({
      g: '(W * h[t-1] + ones(d)) ./ (W * h[t-1] + (1 + 1e-10) * ones(d))',
      q: '(W * h[t-1] + ones(d)) ./ (W * h[t-1] + (1 + 1.00000008e-10) * ones(d))',
    });
    expect(verdicts(quotient, ['jac(g[k], h[j]) = jac(q[k], h[j])'], { 0: 'k in 1..T, j in 1..T' }, {})).toEqual([
      'refuted',
    ]);
  });

  // The symbolic check made both forms one while its coefficients rounded ((1 + 1e-10) − 1 and (1 + 1.00000008e-10) − 1
  // are the same double): `unverifiable` then, identical forms against refuting numbers; it refuses rounded
  // coefficients now, and the ℤ_p test, exact on doubles, finds them different (test/check/exact-coefficients.test.ts).
  it('without cross-checks it is refuted, not verified', () => {
    expect(verdicts(model, ['jac(g[k], h[k-1]) = jac(q[k], h[k-1])'], { 0: 'k in 1..T' }, { crossChecks: 0 })).toEqual([
      'refuted',
    ]);
  });
});

describe("a derivative sweep notes what computing an activation's derivative loses", () => {
  // At z = 10, float64's 1 − tanh(z)² is 8.244614546626394e-9, the truth 8.24461445577e-9 (1.1e-8 away): the sweep
  // computes it from float64's y, and the false claim written with float64's own figure was consistent (a review found
  // it, at b285675 too); its true twin stays consistent. Likewise σ(1 − σ) at z = 20 (a declared derivative's body:
  // test/check/exact-coefficients.test.ts).
  const saturated = (f: string, z: number) => modelWith({ g: `${f}(${z} * ones(d) + 1e-30 * (W * h[t-1]))` });

  it.each([
    // (as float64 reads them: a literal with more digits is refused, src/ir/parse-math.ts)
    ['tanh', 10, '8.244614546626394e-9', '8.244614455767397e-9'],
    ['sigma', 20, '2.0611536879193953e-9', '2.061153613941849e-9'],
  ])(
    "%s at a saturated unit: float64's own derivative is refuted, the true one consistent",
    (f, z, float64s, truth) => {
      const [wrong, right] = verdicts(
        saturated(f, z),
        [`jac(g[k], h[k-1]) = 1e-30 * (${float64s} * W)`, `jac(g[k], h[k-1]) = 1e-30 * (${truth} * W)`],
        { 0: 'k in 1..T', 1: 'k in 1..T' },
        {},
      );
      expect([wrong, right]).toEqual(['refuted', 'consistent']);
    },
  );
});
