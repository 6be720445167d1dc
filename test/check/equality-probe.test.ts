/**
 * An equality has no adversarial search: where its closed forms differ and every drawn point agrees, the structured
 * constructions beyond the regimes are evaluated from the instances drawn at those sizes (src/check/search.ts
 * equalityProbe). review158 found equalities false only past a kink no regime reaches consistent: a clip at ±30 whose
 * derivative the claim drops. The counterexample's sides are recomputed from its export (which rebuilds the
 * construction) by test/fixtures/numpy/equality_probe.py: closed form and central differences.
 */
import { describe, expect, it } from 'vitest';
import { check, checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { counterexampleExport } from '../../src/emit/export-script.js';
import { formatCheckReport } from '../../src/emit/text-report.js';
import NUMPY from '../fixtures/numpy/equality-probe.json' with { type: 'json' };

const FILE = 'test/fixtures/models/clip-probe.yaml';
const CLIP = loadDerivationFile(FILE);

describe('an equality probed beyond the regimes', () => {
  const [dropped, kept] = checkDerivation(CLIP, { masterSeed: 1 });

  it('refutes the derivative without its clip at numpy’s values, and keeps the true one consistent', () => {
    expect([dropped!.verdict, kept!.verdict]).toEqual(['refuted', 'consistent']);
    const cx = dropped!.counterexample!;
    expect([cx.instance, cx.sizes]).toEqual([NUMPY.instance, NUMPY.sizes]);
    expect(cx.probe?.construction).toBe('magnified');
    expect(Number.isInteger(cx.probe?.index)).toBe(true);
    // a unit past the clip (z = −92.7): its row of the Jacobian is 0, the claim's is W's
    expect(NUMPY.clippedUnits).toBe(1);
    const lhs = cx.lhs.map(Number);
    lhs.forEach((v, i) => {
      expect(v).toBeCloseTo(NUMPY.lhs[i]!, 14);
      expect(v).toBeCloseTo(NUMPY.lhsFiniteDifferences[i]!, 8);
    });
    cx.rhs.forEach((v, i) => expect(v).toBeCloseTo(NUMPY.rhs[i]!, 14));
    expect(cx.relError).toBeCloseTo(NUMPY.relError, 12);
    expect(cx.beyondRegimes!.length).toBeGreaterThan(0);
  });

  it('says where it looked, in the evidence and in the counterexample', () => {
    const guided = evidenceOf(kept!.evidence, 'guided-search')!;
    expect(guided.violations).toBe(0);
    expect(guided.probe!.constructions).toBeGreaterThan(40);
    expect(evidenceSummary(guided)).toMatch(
      /^instances at d=2, m=1, T=3 agree too; from them, \d+ structured constructions beyond the regimes \(saturated units, laws 8× as wide, inputs far out\) agree too$/,
    );
    const report = check([FILE], { claims: ['clip-dropped'], masterSeed: 1 });
    expect(formatCheckReport(report)).toContain(
      'as the construction "magnified" beyond the regimes builds it (probing the equality where its closed forms differ)',
    );
  });

  it('exports the construction, not the drawn instance', () => {
    const report = check([FILE], { claims: ['clip-dropped'], masterSeed: 1 });
    const exported = JSON.parse(counterexampleExport(report, 'cx.json')!.json) as {
      claims: { parameters: Record<string, { values: number[][] }>; lhs: { values: number[][] } }[];
    };
    const [claim] = exported.claims;
    expect(claim!.parameters.W!.values.flat()).toEqual(NUMPY.rhs);
    expect(claim!.lhs.values.flat()).toEqual(NUMPY.lhs);
  });
});

/** A one-state model with `cell` as its equation and `claim` about it, as a file's text. */
const model = (cell: string, claim: string, loss = 'sum(h[T])') => `gradproof: 1
model:
  sizes: { d: 2..3, m: 1..2, T: 3..5 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, m] }
    b: { role: parameter, shape: [d], init: bias }
    x: { role: input, shape: [m] }
    z: { role: intermediate, shape: [d] }
    h: { role: state, shape: [d] }
  equations:
    - z[t] = W*h[t-1] + U*x[t] + b
    - h[t] = ${cell}
  loss: L = ${loss}
claims:
  - id: true-identity
    claim: ${claim}
`;

describe('what the probe does not take for a violation (review159)', () => {
  it('leaves a smooth model alone: its true identity, 0 against 1e-70 at a saturated unit, stays consistent', () => {
    // 1 − tanh²(81) is 0 in float64 and in 40-digit decimals; 4σ(2z)σ(−2z) is 1e-70 there
    const text = model('tanh(z[t])', 'jac(h[T], h[T-1]) = diag(4 * sigma(2*z[T]) .* sigma(-2*z[T])) * W');
    const [result] = checkDerivation(parseDerivation(text, 'smooth.yaml'));
    expect(result!.verdict).toBe('consistent');
    expect(evidenceOf(result!.evidence, 'guided-search')!.probe).toBeUndefined();
  });

  it('does not refute at a tie that a nudge of every value undoes', () => {
    // min(max(0, z), z) is z: its Jacobian is W everywhere, but the sweeps' ½ and ½ compose to ¾ at z = 0 exactly
    const text = model('min(max(0, z[t]), z[t])', 'jac(h[T], h[T-1]) = W');
    for (const masterSeed of [20261120, 1]) {
      const [result] = checkDerivation(parseDerivation(text, 'tie.yaml'), { masterSeed });
      expect(result!.verdict).toBe('consistent');
      const probe = evidenceOf(result!.evidence, 'guided-search')!.probe!;
      expect(probe.constructions).toBeGreaterThan(40);
      expect(probe.violations).toBe(0);
    }
  });

  it('keeps a kinked model’s true identity at a saturated unit: the decimals’ rounded 0 carries its bound', () => {
    // The loss reads a kink, so the probe runs; at "saturated high, at the cap" z is 81 and 1 − tanh² rounds to 0 in
    // 64-digit decimals, 4σ(2z)σ(−2z) is 8e-70. A matrix product skipped the rounded 0 as a structural one and dropped
    // its bound: refuted at seeds 20261120, 1 and 3 before.
    const text = model(
      'tanh(z[t])',
      'jac(h[T], h[T-1]) = diag(4 * sigma(2*z[T]) .* sigma(-2*z[T])) * W',
      'sum(max(0, h[T]))',
    );
    for (const masterSeed of [20261120, 1]) {
      const [result] = checkDerivation(parseDerivation(text, 'kinked.yaml'), { masterSeed });
      expect(result!.verdict).toBe('consistent');
      const probe = evidenceOf(result!.evidence, 'guided-search')!.probe!;
      expect(probe.constructions).toBeGreaterThan(40);
      expect(probe.violations).toBe(0);
    }
  });
});

describe('the probe where the closed forms cannot be compared exactly (review161)', () => {
  // A leaky slope of 0.1 has no exact binary value: the symbolic stage cannot expand the forms, and ℤ_p disagrees.
  // Until 2026-12-08 only a formal difference aimed the probe, and the leaky ReLU's Jacobian with its clip at 30
  // dropped was consistent (the same claim with slope 0.5 was refuted).
  const LEAKY = model('min(30, max(0.1*z[t], z[t]))', 'jac(h[T], h[T-1]) = diag(0.1 + 0.9 * step(z[T])) * W');
  const KEPT = model(
    'min(30, max(0.1*z[t], z[t]))',
    'jac(h[T], h[T-1]) = diag((0.1 + 0.9 * step(z[T])) .* step(30 - z[T])) * W',
  );

  for (const masterSeed of [20261120, 1]) {
    it(`refutes the clip dropped past the clip, and keeps the clip kept (seed ${masterSeed})`, () => {
      const [dropped] = checkDerivation(parseDerivation(LEAKY, 'leaky.yaml'), { masterSeed });
      expect(dropped!.verdict).toBe('refuted');
      const symbolic = evidenceOf(dropped!.evidence, 'symbolic')!;
      expect(symbolic.outcome).toMatchObject({
        status: 'undecided',
        undecided: { why: 'too-large', randomAgrees: false },
      });
      const cx = dropped!.counterexample!;
      expect(cx.probe).toBeDefined();
      // a unit past the clip: its row of the Jacobian is 0, the claim's is W's row (slope 1 above 0)
      const d = cx.sizes.d!;
      const rows = (m: readonly number[]) => Array.from({ length: d }, (_, i) => m.slice(i * d, (i + 1) * d));
      const clipped = rows(cx.lhs).findIndex(
        (row, i) => row.every((v) => v === 0) && rows(cx.rhs)[i]!.some((v) => v !== 0),
      );
      expect(clipped).toBeGreaterThanOrEqual(0);
      const [kept] = checkDerivation(parseDerivation(KEPT, 'kept.yaml'), { masterSeed });
      expect(kept!.verdict).toBe('consistent');
      expect(evidenceOf(kept!.evidence, 'guided-search')!.probe!.violations).toBe(0);
    });
  }
});
