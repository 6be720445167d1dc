/**
 * A declared derivative's body reads its argument at every x, so the derived closed forms share the argument's
 * tree once per x: the symbolic check's walk over them (blockProductsOpaque) visited each node as often as it was
 * shared, the body's size times the argument's, and at 20 000 × 20 000 aborted out of memory at 4.3 GB (a review's).
 * Each node is now visited once.
 */
import { describe, expect, it } from 'vitest';
import { gradproofUnder } from '../cli/spawn.js';

describe('shared structure in derived closed forms', () => {
  it('a derivative reading its argument 3000 times, of an argument of 3000 terms, is checked in a 250 MB heap', async () => {
    // before: aborted out of memory under this heap (exit 134); now ≈ 5 s
    const run = await gradproofUnder(
      ['--max-old-space-size=250'],
      'check',
      'test/fixtures/bounds/shared-derivative.yaml',
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { claims: { verdict: string }[] };
    // the closed forms differ formally (f's derivative is not written 1 − h²); the numbers agree
    expect(report.claims.map((c) => c.verdict)).toEqual(['consistent']);
  });
});
