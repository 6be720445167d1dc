/**
 * What a chain whose steps all hold concludes (src/emit/chain-text.ts): a ≤ b ≥ c holds step by step and relates
 * nothing of a to c; "all 2 steps hold" alone read as if it did (a review's).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { formatCheckReport } from '../../src/emit/text-report.js';
import { modelFile } from '../support/model-file.js';

const file = (relations: readonly string[]) =>
  modelFile({
    title: 'chains',
    sizes: 'd: 2..3, m: 1..2, T: 3..4',
    symbols: ['W', 'U', 'x', 'h'],
    equations: ['h[t] = tanh(W*h[t-1] + U*x[t])'],
    loss: 'L = sum(h[T])',
    // ‖W‖, then ‖W‖ + 1 (above), 2‖W‖ + 1 (above), ‖W‖ + 1 again (below the step before)
    claims: `  - id: c
    chain:
      from: norm2(W)
      steps:
${['norm2(W) + 1', '2 * norm2(W) + 1', 'norm2(W) + 1']
  .slice(0, relations.length)
  .map(
    (to, k) =>
      `        - to: ${relations[k] === '=' ? 'norm2(W) + 0' : to}\n          relation: "${relations[k]}"\n          by: step ${k + 1}\n`,
  )
  .join('')}`,
  });

const dir = mkdtempSync(join(tmpdir(), 'chains-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const outcome = (relations: readonly string[]) => {
  const path = join(dir, `${relations.join('').replace(/[<>=]/g, (c) => ({ '<': 'l', '>': 'g', '=': 'e' })[c]!)}.yaml`);
  writeFileSync(path, file(relations));
  const report = check([path], { instances: 1, search: 10 });
  expect(report.errors).toEqual([]);
  expect(report.claims.map((c) => c.verdict)).not.toContain('refuted');
  return formatCheckReport(report)
    .split('\n')
    .find((l) => l.startsWith('  chain c:'));
};

describe('what a chain concludes', () => {
  it('≤ steps: the first side ≤ the last', () => {
    expect(outcome(['<=', '<='])).toBe('  chain c: all 2 steps hold: the first side ≤ the last');
  });
  it('an equality among ≤ steps: still ≤', () => {
    expect(outcome(['=', '<='])).toBe('  chain c: all 2 steps hold: the first side ≤ the last');
  });
  it('≤ then ≥: nothing follows for the ends', () => {
    expect(outcome(['<=', '<=', '>='])).toBe(
      '  chain c: all 3 steps hold, but they mix ≤ and ≥: nothing follows for the first side against the last',
    );
  });
});
