/**
 * A claim's quantifiers as the document shows them. The 2019 post names its last step t (`horizon: t`) and states its
 * claims for every t in 1..T: the pages read "(t ∈ {1, …, t})" at 14 claims (a review's). Where a bound prints as the
 * variable does, the last step is written in words; elsewhere the set is kept.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { buildDocument } from '../../src/render/document.js';
import { markdownDocument } from '../../src/render/markdown.js';
import { modelFile } from '../support/model-file.js';

const FILE = modelFile({
  preamble: 'notation:\n  horizon: t\n',
  sizes: 'd: 2..3, m: 1..2, T: 3..4',
  symbols: ['W', 'U', 'b', 'x', 'h'],
  equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
  loss: 'L = sum(h[T])',
  claims: [
    '  - { id: every-step, claim: "jac(h[t], h[t-1]) = diag(1 - h[t].^2) * W", forall: "t in 1..T" }',
    '  - { id: before-last, claim: "jac(h[t+1], h[t]) = diag(1 - h[t+1].^2) * W", forall: "t in 2..T-1" }',
    '  - { id: lags, claim: "jac(h[T], h[T-k]) = jac(h[T], h[T-k])", forall: "k in 2..T" }',
  ].join('\n'),
});

describe('quantifiers in the rendered document', () => {
  it('write the last step in words where a bound prints as the variable, and keep the set elsewhere', () => {
    const d = parseDerivation(FILE, 'horizon-t.yaml');
    const results = checkDerivation(d, { instances: 1, search: 0 });
    const md = markdownDocument([buildDocument({ derivation: d, results, plots: new Map() })], () => 'p.svg');
    expect(md).toContain('(1 \\le t \\le \\text{the last step})');
    expect(md).toContain('(2 \\le t \\le \\text{the last step} - 1)');
    expect(md).toContain('(k \\in \\{2, \\dots, t\\})');
    expect(md).not.toMatch(/t \\in \\\{1, \\dots, t\\\}/);
  });
});
