/**
 * `expect:` is optional: a claim without it is reported with its verdict and
 * "no expectation", never counts as a failure, and its verdict is still pinned
 * by the fixture `verify --update` writes.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { checkReportJson } from '../../src/emit/json-report.js';
import { formatCheckReport } from '../../src/emit/text-report.js';
import { snapshotClaim } from '../../src/verify/snapshot.js';
import { rnnWith } from './model.js';

const text = rnnWith(`  - id: right
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
  - id: wrong
    claim: grad(L, h[T-1]) = W * diag(1 - h[T].^2) * grad(L, h[T])
  - id: wrong-expected-verified
    claim: grad(L, h[T-1]) = W * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
  - id: chain
    chain:
      from: grad(L, h[T-1])
      steps:
        - { to: "W' * diag(1 - h[T].^2) * grad(L, h[T])", by: "one step back" }
`);
const d = parseDerivation(text, 'open.yaml');
const results = checkDerivation(d, { instances: 1 });
const byId = new Map(results.map((r) => [r.id, r]));
const report = {
  claims: results,
  summary: {
    total: results.length,
    ok: results.filter((r) => r.ok).length,
    failed: results.filter((r) => !r.ok).length,
  },
  masterSeed: 20261120,
  derivations: [d],
  errors: [],
};

describe('claims with no expectation', () => {
  it('are loaded with expect null (claims and chain steps)', () => {
    expect(d.claims.map((c) => [c.id, c.expect])).toEqual([
      ['right', null],
      ['wrong', null],
      ['wrong-expected-verified', 'verified'],
      ['chain.1', null],
    ]);
  });

  it('get their verdict and never fail, while a wrong expectation still does', () => {
    expect(byId.get('right')).toMatchObject({ verdict: 'verified', expected: null, ok: true });
    expect(byId.get('wrong')).toMatchObject({ verdict: 'refuted', expected: null, ok: true });
    expect(byId.get('wrong')!.counterexample).not.toBeNull();
    expect(byId.get('wrong-expected-verified')).toMatchObject({ verdict: 'refuted', ok: false });
    expect(byId.get('chain.1')).toMatchObject({ verdict: 'verified', expected: null, ok: true });
  });

  it('read "no expectation" in the text report, marked neither ✓ nor ✗, and counted apart', () => {
    const out = formatCheckReport(report);
    expect(out).toMatch(/^ {2}· wrong +refuted +no expectation /m);
    expect(out).toMatch(/^ {2}✗ wrong-expected-verified +refuted +verified /m);
    expect(out).toMatch(/4 claims: 0 with the expected verdict, 1 not, 3 with no expectation/);
  });

  it('read "no expectation" in JSON, with expected null', () => {
    const json = checkReportJson(report) as { claims: Record<string, unknown>[] };
    expect(json.claims[1]).toMatchObject({ id: 'wrong', expected: null, expectation: 'no expectation', ok: true });
    expect(json.claims[2]).toMatchObject({ expected: 'verified', expectation: 'verified', ok: false });
  });

  it('are recorded in fixtures with their verdict (drift in it is still caught)', () => {
    const snap = snapshotClaim(d, byId.get('wrong')!);
    expect(snap.expected).toBeNull();
    expect(snap.verdict).toBe('refuted');
    expect(snap.counterexample).not.toBeNull();
  });
});
