/** A sum/prod whose range is empty at every binding (bounds reversed) is a warning naming the claim. */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { warningText } from '../../src/emit/evidence-text.js';
import { formatCheckReport } from '../../src/emit/text-report.js';
import { rnnWith } from './model.js';

const d = parseDerivation(
  rnnWith(`  - id: reversed
    claim: jac(h[T], h[T-k]) = prod(j, T, T-k, diag(1 - h[j].^2) * W)
    forall: k in 1..T
  - id: increasing
    claim: jac(h[T], h[T-k]) = prod(j, 0, k-1, diag(1 - h[T-j].^2) * W)
    forall: k in 1..T
  - id: empty-at-one-binding
    claim: jac(h[T], h[T-k]) = prod(j, 0, k-1, diag(1 - h[T-j].^2) * W)
    forall: k in 0..T
  - id: nested-sum
    claim: sum(i, 1, k, sum(j, i + 1, i, norm2(W))) = 0
    forall: k in 1..T
`),
  'empty.yaml',
);
const results = new Map(checkDerivation(d, { instances: 1 }).map((r) => [r.id, r]));

describe('ranges empty at every binding', () => {
  it('are a warning naming the claim and the range (prod with its bounds reversed)', () => {
    const r = results.get('reversed')!;
    // an empty product is the identity, so the claim is refuted too — but the warning says why
    expect(r.verdict).toBe('refuted');
    expect(r.warnings).toEqual([{ kind: 'empty-range', claim: 'reversed', range: 'prod(j, T, T-k, …)' }]);
    expect(warningText(r.warnings[0]!)).toMatch(/^claim 'reversed': prod\(j, T, T-k, …\) is empty at every binding/);
  });

  it('are not reported when the range is non-empty somewhere (k = 0 gives an empty product legitimately)', () => {
    expect(results.get('increasing')!.verdict).toBe('verified');
    expect(results.get('increasing')!.warnings).toEqual([]);
    expect(results.get('empty-at-one-binding')!.warnings).toEqual([]);
  });

  it('are found inside other ranges, with the outer binder enumerated', () => {
    const r = results.get('nested-sum')!;
    expect(r.warnings.map((w) => (w.kind === 'empty-range' ? w.range : ''))).toEqual(['sum(j, i+1, i, …)']);
  });

  it('are judged once per size: twenty instances of one size enumerate the ranges of one', () => {
    // At T = 20 the outer sum binds i 210 times over k = 1..20: inside the limit of 4096 environments for one
    // instance, past it when the twenty instances' identical bindings were counted twenty times over.
    const [r] = checkDerivation(d, { claims: ['nested-sum'], instances: 5, sizeOverrides: { T: 20 } });
    expect(r!.verdict).toBe('verified');
    expect(r!.warnings.map((w) => (w.kind === 'empty-range' ? w.range : ''))).toEqual(['sum(j, i+1, i, …)']);
  });

  it('appear in the text report under the claim', () => {
    const rs = [...results.values()];
    const text = formatCheckReport({
      claims: rs,
      summary: { total: rs.length, ok: rs.length, failed: 0 },
      masterSeed: 1,
      derivations: [d],
      errors: [],
    });
    expect(text).toMatch(/reversed +refuted[^\n]*\n {6}warning: claim 'reversed': prod/);
  });
});
