/**
 * normMax ↔ normMin among the norm swaps: a lower bound through a diagonal written with its largest entry where the
 * smallest belongs (‖diag(f)·v‖ ≥ max|f|·‖v‖ is false, ≥ min|f|·‖v‖ holds) had no edit to repair it (a review's).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { repairWords } from '../../src/emit/repair-text.js';

const lstm = readFileSync('derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml', 'utf8');

describe('normMax and normMin swapped', () => {
  it('repairs a lower bound written with the largest entry of the forget gate', () => {
    const d = parseDerivation(
      `${lstm.slice(0, lstm.indexOf('claims:'))}claims:
  - id: cell-path-lower
    claim: norm2(partial(C[T], C[T-1], h) * v) >= normMax(f[T]) * norm2(v)
`,
      'norm-min.yaml',
    );
    const [r] = checkDerivation(d, { instances: 1, repair: true });
    expect(r!.verdict).toBe('refuted');
    const search = r!.repairs!;
    // (the derivative dropped holds too, as 0 < f < 1: before, the only repair offered)
    expect(search.repairs.map((x) => x.statement)).toEqual([
      'norm2(v) >= normMax(f[T])*norm2(v)',
      'norm2(partial(C[T], C[T-1], h)*v) >= normMin(f[T])*norm2(v)',
    ]);
    expect(repairWords(search.repairs[1]!)).toBe('holds with normMin in place of normMax');
    expect(search.repairs[1]!.edits.map((e) => e.edit)).toEqual(['swap-norm']);
  });
});
