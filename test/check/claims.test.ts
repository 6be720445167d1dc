/**
 * Verdicts on the shipped derivations and on deliberately broken claims:
 * exact verdicts, the evidence behind them, counterexamples that replay, and
 * numeric trouble reported as such.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { comparePoint } from '../../src/check/compare.js';
import type { ClaimResult } from '../../src/check/result.js';
import { type EvidenceKind, evidenceOf } from '../../src/check/evidence.js';
import { evidenceSummary, reasonText } from '../../src/emit/evidence-text.js';
import { replayCommand } from '../../src/emit/replay.js';
import { parseDerivation, loadDerivationFile } from '../../src/derivation/load.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { norm2, relErr } from '../../src/numeric/linalg.js';
import { asDense, dense, scalar } from '../../src/numeric/values.js';
import { readFileSync } from 'node:fs';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';
const lab = loadDerivationFile(LAB);
const kangx = loadDerivationFile('derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml');
const lstm = loadDerivationFile('derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml');
const byId = (results: ClaimResult[]) => new Map(results.map((r) => [r.id, r]));
const evidence = <K extends EvidenceKind>(r: ClaimResult, kind: K) => evidenceOf(r.evidence, kind)!;
const summary = (r: ClaimResult, kind: EvidenceKind) => evidenceSummary(evidence(r, kind));

describe('lab 10.5', () => {
  const results = byId(checkDerivation(lab, { instances: 2 }));

  it('eq. (1) as written is verified, and agrees numerically to rounding on every lag', () => {
    const r = results.get('lab-eq1')!;
    expect(r.verdict).toBe('verified');
    expect(evidence(r, 'symbolic').outcome).toMatchObject({ status: 'identical', range: 'T = 3..12', cases: 75 });
    expect(summary(r, 'symbolic')).toMatch(/^identical for T = 3\.\.12, every binding \(75 cases\)/);
    expect(r.relError).toBeLessThan(1e-13);
    const ref = evidence(r, 'reference');
    expect(ref.agreed).toBe(ref.points);
    expect(ref.points).toBe(ref.instances.reduce((n, i) => n + i.sizes.T!, 0));
    expect(evidence(r, 'finite-differences').resolved).toBeGreaterThan(0);
    expect(evidence(r, 'dual-vs-adjoint').worstRelError).toBeLessThan(1e-12);
  });

  it('W in place of Wᵀ is refuted in the contracting regime, with a replayable counterexample', () => {
    const r = results.get('lab-eq1-W-for-WT')!;
    expect(r.verdict).toBe('refuted');
    const cx = r.counterexample!;
    expect(cx.regime).toBe('contracting');
    expect(cx.bindings).toEqual({ k: 1 });
    expect(cx.relError).toBeGreaterThan(0.1);
    expect(replayCommand(cx)).toContain(`--seed ${cx.masterSeed} --instance ${cx.instance}`);
    const replay = checkDerivation(lab, {
      claims: ['lab-eq1-W-for-WT'],
      masterSeed: cx.masterSeed,
      instance: cx.instance,
      sizeOverrides: cx.sizes,
    })[0]!;
    expect(replay.counterexample!.lhs).toEqual(cx.lhs);
    expect(replay.counterexample!.rhs).toEqual(cx.rhs);
  });

  it('an absolute tolerance would pass W for Wᵀ at long lags; the relative error does not', () => {
    const spec = instanceSpec(lab.model, 11, 0, undefined, { d: 4, m: 2, T: 60 });
    expect(spec.regime).toBe('contracting');
    const ev = new Evaluator(buildInstance(lab.model, spec).graph, spec.sizes);
    const claim = lab.claims.find((c) => c.id === 'lab-eq1-W-for-WT')!;
    const lhs = asDense(ev.evaluate(claim.lhs, { k: 60 })).data;
    const rhs = asDense(ev.evaluate(claim.rhs, { k: 60 })).data;
    expect(Math.max(norm2(lhs), norm2(rhs))).toBeLessThan(1e-8);
    expect(relErr(lhs, rhs)).toBeGreaterThan(0.1);
  });

  it('eq. (2) holds with room to spare, says how tight it is, and is proved for every k', () => {
    const r = results.get('lab-eq2')!;
    expect(r.verdict).toBe('proved');
    const tight = evidence(r, 'reference').tightness!;
    expect(tight).toBeGreaterThan(0);
    expect(tight).toBeLessThanOrEqual(1);
  });
});

describe('2024 post, eq. (4): the tool tells which product order holds', () => {
  const results = byId(checkDerivation(kangx, { instances: 2 }));
  it.each(['eq4-chain-descending', 'eq4-closed-descending'])('%s is verified', (id) =>
    expect(results.get(id)!.verdict).toBe('verified'),
  );
  it.each(['eq4-chain-ascending', 'eq4-closed-ascending'])(
    '%s is refuted at t = 3, the first t with two factors',
    (id) => {
      const r = results.get(id)!;
      expect(r.verdict).toBe('refuted');
      expect(r.counterexample!.bindings).toEqual({ t: 3 });
      expect(r.counterexample!.compared).toBe('full matrices');
    },
  );
  it('Wᵀ in the one-step Jacobian is refuted at t = 1', () => {
    expect(results.get('eq4-one-step-W-transposed')!.counterexample!.bindings).toEqual({ t: 1 });
  });
});

describe('LSTM cell path', () => {
  const results = byId(checkDerivation(lstm, { instances: 2 }));
  it('the cell path is far from the full Jacobian in every regime, and the evidence says how far', () => {
    const r = results.get('cell-path-vs-full')!;
    expect(r.verdict).toBe('refuted');
    const byRegime = evidence(r, 'distance').byRegime;
    expect(byRegime.map((v) => v.regime).sort()).toEqual(['contracting', 'expanding', 'near-critical', 'saturated']);
    for (const v of byRegime) expect(v.median).toBeGreaterThan(1e-3);
  });
  it('diag(f_t) is right as a partial derivative and wrong as a total one', () => {
    expect(results.get('cell-step-partial')!.verdict).toBe('verified');
    expect(results.get('cell-path-product')!.verdict).toBe('verified');
    const total = results.get('cell-step-total')!;
    expect(total.verdict).toBe('refuted');
    expect(total.counterexample!.bindings).toEqual({ t: 2 });
  });
});

describe('numeric trouble is never a pass or a fail', () => {
  it('overflow, NaN and underflow are trouble', () => {
    const probes = () => ({ vectors: [], left: false });
    expect(
      comparePoint(dense(2, 1, Float64Array.of(Infinity, 1)), dense(2, 1, Float64Array.of(1, 1)), '=', 1e-9, probes)
        .status,
    ).toBe('trouble');
    expect(comparePoint(scalar(NaN), scalar(1), '<=', 1e-9, probes).status).toBe('trouble');
    expect(
      comparePoint(dense(2, 1, Float64Array.of(1e-300, 0)), dense(2, 1, Float64Array.of(2e-300, 0)), '=', 1e-9, probes)
        .status,
    ).toBe('trouble');
  });

  it('a claim whose values underflow everywhere in float64 is decided in extended precision (W for Wᵀ: refuted)', () => {
    const text = readFileSync(LAB, 'utf8').replace(
      'claim: grad(L, h[T-k]) = prod(i, 1, k, W * diag',
      'claim: 1e-300 * grad(L, h[T-k]) = 1e-300 * prod(i, 1, k, W * diag',
    );
    const d = parseDerivation(text, 'underflow.yaml');
    const r = checkDerivation(d, { claims: ['lab-eq1-W-for-WT'], instances: 1 })[0]!;
    expect(r.verdict).toBe('refuted');
    const ext = evidence(r, 'extended-precision');
    expect(ext.fromTrouble.violate).toBe(evidence(r, 'reference').points);
    expect(r.counterexample!.extended!.lhs[0]).toMatch(/e-30[0-9]$/);
  });

  it('trouble that extended precision cannot resolve either (NaN) stays trouble: unverifiable, with the reason', () => {
    const text = readFileSync(LAB, 'utf8').replace(
      /claims:[\s\S]*/,
      'claims:\n  - id: nan\n    claim: log(0 - abs(sum(h[T]))) = log(0 - abs(sum(h[T])))\n    expect: unverifiable\n',
    );
    const r = checkDerivation(parseDerivation(text, 'nan.yaml'), { instances: 1 })[0]!;
    expect(r.verdict).toBe('unverifiable');
    expect(r.reason).toMatchObject({ why: 'trouble-everywhere' });
    expect(reasonText(r.reason!)).toMatch(/numeric trouble/);
    expect(
      evidence(r, 'trouble')
        .reasons.map((x) => x.reason)
        .join(),
    ).toMatch(/non-finite/);
  });

  it('a node outside the graph inside a lazy product is bad input, not an internal error', () => {
    // the product is evaluated only when the sides are compared; h[T+1] must still be an InputError
    const text = readFileSync(LAB, 'utf8').replace(
      'claim: norm2(jac(h[T], h[T-k])) <= norm2(W)^k',
      'claim: norm2(jac(h[T], h[T-k]) * prod(i, 1, k, diag(h[T-k+i+1]))) <= norm2(W)^k',
    );
    const d = parseDerivation(text, 'outside.yaml');
    expect(() => checkDerivation(d, { claims: ['lab-eq2'], instances: 1 })).toThrow(/leaves the unrolled graph/);
  });

  it('finite differences report that they cannot see a vanishing gradient', () => {
    const r = checkDerivation(lab, {
      claims: ['lab-eq1'],
      instances: 1,
      instance: 0,
      sizeOverrides: { d: 3, m: 2, T: 80 },
    })[0]!;
    expect(r.verdict).toBe('verified');
    const fd = evidence(r, 'finite-differences');
    expect(fd.checks - fd.resolved).toBeGreaterThan(0);
    expect(summary(r, 'finite-differences')).toMatch(/below the noise floor/);
  });
});
