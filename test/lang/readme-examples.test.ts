/** The README's examples for the language items parse and give the verdicts it states. */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { rnnWith } from './model.js';

describe('README examples', () => {
  it('entry access in a matrix claim, normMin/normMax, max over a range, 1 ./ v, definitions in a matrix claim', () => {
    const text = rnnWith(`  - id: entry
    claim: norm2(W) >= abs(W[1, 2])
    expect: consistent
  - id: min-max
    claim: normMin(W) <= normMax(W)
    expect: consistent
  - id: max-range
    claim: max(i, 1, T, normMax(h[i])) <= 1
    expect: consistent
  - id: reciprocal
    claim: sum((1 ./ (2 + h[T].^2)) .* (2 + h[T].^2)) = d
    expect: consistent
  - id: defined
    claim: J(T) = diag(1 - h[T].^2) * W
    expect: verified
`).replace('claims:', 'definitions:\n  "J(s)": "jac(h[s], h[s-1])"\nclaims:');
    const d = parseDerivation(text, 'readme.yaml');
    const results = checkDerivation(d, { instances: 1 });
    expect(results.map((r) => [r.id, r.verdict])).toEqual(results.map((r) => [r.id, r.expected]));
  });
});
