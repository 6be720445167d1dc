/** The three runs the premise tests compare a file's verdicts across. */
import { expect } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import type { Derivation } from '../../src/derivation/derivation.js';

/**
 * A file checked under the default master seed and under seed 1, and its false claims alone with `--search 2000`;
 * `result(run, id)` is one claim's result in one run.
 */
export function premiseRuns(file: Derivation, falseIds: readonly string[]) {
  const falseOnly = { ...file, claims: file.claims.filter((c) => falseIds.includes(c.id)) };
  const runs = {
    default: checkDerivation(file, { masterSeed: 20261120 }),
    'seed 1': checkDerivation(file, { masterSeed: 1 }),
    'search 2000': checkDerivation(falseOnly, { masterSeed: 20261120, search: 2000 }),
  };
  const result = (run: keyof typeof runs, id: string) => runs[run].find((r) => r.id === id)!;
  /**
   * Each of `ids` consistent under the default master seed and seed 1, its tightest point beyond the regimes at most
   * the bound and, with `within`, closer to it than that
   */
  const expectConsistentBeyond = (ids: readonly string[], within?: number) => {
    for (const run of ['default', 'seed 1'] as const)
      for (const id of ids) {
        const r = result(run, id);
        expect(r.verdict, `${id} ${run}`).toBe('consistent');
        const beyond = evidenceOf(r.evidence, 'search')!.beyond!;
        expect(beyond.bestRatio!, `${id} ${run}`).toBeLessThanOrEqual(1);
        if (within !== undefined) expect(beyond.bestRatio!, `${id} ${run}`).toBeGreaterThan(1 - within);
      }
  };
  return { runs, result, expectConsistentBeyond };
}
