/**
 * Agreements float64 cannot vouch for (digits lost on the way, where 1 − h²
 * cancels at saturated units) decided by interval enclosures first: every
 * agreement they prove is one the 40-digit decimals find too, and the
 * evidence says which arithmetic decided how many.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { DEFAULT_OPTIONS } from '../../src/check/check-claim.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { bindings } from '../../src/check/bindings.js';
import { comparePoint, type Probes } from '../../src/check/compare.js';
import {
  type ExtendedScope,
  extendedLook,
  intervalLook,
  lookReason,
  lookWith,
} from '../../src/check/extended-check.js';
import { runPoints } from '../../src/check/points.js';
import { REGIMES } from '../../src/derivation/derivation.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import type { IntEnv } from '../../src/ir/affine.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { ROUNDOFF, takeLostPrecision } from '../../src/numeric/lost-digits.js';
import { DECIMALS } from '../../src/symbolic/domains/extended.js';

const solution = parseDerivation(readFileSync('derivations/lab-10-5-solution.yaml', 'utf8'), 'solution.yaml');

describe('agreements decided by interval enclosures', () => {
  // The solution's eq. (1) (the RNN's gradient as the product of Wᵀ·diag(1 − h²)): at saturated units 1 − h²
  // cancels, so a few agreements per instance are within reach of the digits lost on the way.
  const claim = solution.claims.find((c) => c.id === 'lab-eq1')!;

  it('each agrees in 40-digit decimals too, with a relative error below the tolerance there', () => {
    let enclosed = 0;
    for (let index = 0; index < 4 * DEFAULT_OPTIONS.instances; index++) {
      const spec = instanceSpec(solution.model, DEFAULT_OPTIONS.masterSeed, index, REGIMES, {});
      const instance = buildInstance(solution.model, spec);
      const entry = { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
      for (const p of runPoints(claim, entry, 0, null)) {
        if (p.outcome.status === 'trouble' || p.outcome.extended?.arithmetic !== 'interval') continue;
        enclosed++;
        expect(p.outcome.status).toBe('agree');
        expect(p.outcome.extended.was).toBe('lost-digits');
        const decimal = lookWith(DECIMALS, claim, entry, p.env, p.outcome);
        expect(decimal.status).toBe('agree');
        if (decimal.status !== 'agree') continue;
        expect(decimal.relError).toBeLessThanOrEqual(claim.tolerance);
        // the midpoint estimate reported is the decimals' figure to far better than the tolerance
        expect(Math.abs(decimal.relError - p.outcome.relError)).toBeLessThan(claim.tolerance);
      }
    }
    expect(enclosed).toBeGreaterThan(0);
  });

  it('the evidence counts the enclosures and says so', () => {
    const [r] = checkDerivation(solution, { claims: ['lab-eq1'] });
    expect(r!.verdict).toBe('verified');
    const ext = evidenceOf(r!.evidence, 'extended-precision')!;
    // 6 rest on values that lost digits, decided by enclosures; 4 more on a saturated unit's 1 − h² as float64's sweep
    // computes it (no enclosure decides them: the decimals do). The instances are small enough for every one of
    // them to be decided again (with 3 per instance, 1 was counted apart).
    expect(ext.fromLostDigits).toEqual({ agree: 10, violate: 0 });
    expect(ext.intervals).toBe(6);
    expect(evidenceSummary(ext)).toMatch(
      /^10 within reach of the digits .* \(10 agree, 0 violate\): decided again by interval enclosures \(float64 bounds rounded outward\) \(6\) or with 40-digit decimals and an unbounded exponent \(4\)$/,
    );
  });
});

describe('enclosures through |x| and the loss gradient written out', () => {
  const vanilla = parseDerivation(readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8'), 'vanilla.yaml');
  const lstm2018 = parseDerivation(readFileSync('derivations/why-lstm-works-2018.yaml', 'utf8'), '2018.yaml');

  // grad-W-path-sum reads ∇_{h_T} L: as an atom its float64 value encloses nothing, so intervals take v + h_T from
  // the loss's own expression. Every point of the first instances, looked at as if float64 had lost digits there.
  it('grad-W-path-sum: enclosures decide its points, each an agreement in 40-digit decimals too', () => {
    const claim = vanilla.claims.find((c) => c.id === 'grad-W-path-sum')!;
    const open: number[] = [];
    let enclosed = 0;
    for (let index = 0; index < 5; index++) {
      const instance = buildInstance(vanilla.model, instanceSpec(vanilla.model, DEFAULT_OPTIONS.masterSeed, index));
      const entry = { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
      for (const p of runPoints(claim, entry, 0, null)) {
        expect(p.outcome.status).toBe('agree');
        const look = intervalLook(claim, entry, p.env, p.outcome, new Map(), 'lost-digits');
        if (look.status !== 'agree') open.push(index);
        if (look.status !== 'agree') continue;
        enclosed++;
        expect(lookWith(DECIMALS, claim, entry, p.env, p.outcome).status).toBe('agree');
      }
    }
    // all but instance 3's, where float64 lost digits (the one its check sends to the decimals): too wide there
    expect(enclosed).toBe(4);
    expect(open).toEqual([3]);
    const [r] = checkDerivation(vanilla, { claims: ['grad-W-path-sum'] });
    expect(evidenceOf(r!.evidence, 'extended-precision')!.intervals).toBe(4);
  });

  // eq4-signed-bound reads |Σ W_rec| (abs maps intervals exactly: test/symbolic/interval.test.ts).
  it('eq4-signed-bound: agreements through |x| are decided by enclosures, the rest in decimals', () => {
    const [r] = checkDerivation(lstm2018, { claims: ['eq4-signed-bound'] });
    expect(r!.verdict).toBe('refuted');
    const ext = evidenceOf(r!.evidence, 'extended-precision')!;
    // every one: the eight that rest on a bound side exactly 0 ((s + |s|)/2 with s < 0) too, since the enclosures keep an
    // exact sum exact (TwoSum: s + (−s) is [0, 0]); until 2026-12-07 they were widened to ±5e-324, and a 0 in the
    // decimals may be a cancellation there, so those eight points were trouble
    expect(ext.fromLostDigits).toEqual({ agree: 90, violate: 0 });
    expect(ext.intervals).toBe(90);
    expect(evidenceOf(r!.evidence, 'trouble')).toBeUndefined();
  });
});

describe('sides exactly 0 after the subnormals: wide floats look before enclosures', () => {
  const vanilla = parseDerivation(readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8'), 'vanilla.yaml');
  const claim = vanilla.claims.find((c) => c.id === 'lab-eq1')!;
  // Contracting: the product of Wᵀ·diag(1 − h²) passes through the subnormals to exactly 0 from some lag on.
  const spec = instanceSpec(vanilla.model, DEFAULT_OPTIONS.masterSeed, 0, ['contracting'], { d: 16, m: 4, T: 1100 });
  const instance = buildInstance(vanilla.model, spec);
  const entry = { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
  const noProbes = (): Probes => {
    throw new Error('eq. (1) compares vectors: no probes');
  };
  const floatPoint = (env: IntEnv) => {
    takeLostPrecision();
    const [lhs, rhs] = entry.evaluator.evaluateSides(claim.lhs, claim.rhs, env);
    const outcome = comparePoint(lhs, rhs, claim.relation, claim.tolerance, noProbes);
    return { outcome, lost: takeLostPrecision() };
  };
  const envs = bindings(claim, instance.sizes);

  it('underflowed agreements are decided in wide floats, with no enclosure built for them', () => {
    const decidedBy = new Map<string, number>();
    instance.graph.withResidentParams(() => {
      for (const env of envs.filter((_, i) => i % 20 === 0)) {
        const { outcome, lost } = floatPoint(env);
        if (lookReason(outcome, claim.tolerance, lost) !== 'zero') continue;
        expect(lost).toBeGreaterThan(ROUNDOFF);
        // a scope of its own: whatever the point needed, and only that, is in it
        const scope: ExtendedScope = new Map();
        const look = extendedLook(claim, entry, env, outcome, lost, scope);
        expect(look.status).toBe('agree');
        const arithmetic = look.status === 'trouble' ? 'none' : look.extended!.arithmetic;
        decidedBy.set(arithmetic, (decidedBy.get(arithmetic) ?? 0) + 1);
        if (arithmetic === 'wide-float') expect([...scope.keys()]).toEqual(['wide-float']);
      }
    });
    // every one of them (a sample: every 20th lag of 1100; from lag ≈ 420 on the sides are exactly 0)
    expect([...decidedBy.keys()]).toEqual(['wide-float']);
    expect(decidedBy.get('wide-float')).toBeGreaterThanOrEqual(30);
  });

  it('enclosures, looking first, prove none of them: the order decides nothing', () => {
    const scope: ExtendedScope = new Map();
    instance.graph.withResidentParams(() => {
      for (const env of envs.filter((_, i) => i % 97 === 0)) {
        const { outcome, lost } = floatPoint(env);
        if (lookReason(outcome, claim.tolerance, lost) !== 'zero') continue;
        expect(intervalLook(claim, entry, env, outcome, scope, 'zero').status).toBe('undecided');
      }
    });
    expect(scope.has('interval')).toBe(true);
  });
});
