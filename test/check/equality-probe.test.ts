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
import { loadDerivationFile } from '../../src/derivation/load.js';
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
