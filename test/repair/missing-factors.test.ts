/**
 * Slips a review (review141) found no repair for: a parameter factor dropped from a product (no edit inserted one).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { repairWords } from '../../src/emit/repair-text.js';

const RNN = 'test/fixtures/models/repair-missing-factors-rnn.yaml';

const repaired = (file: string, id: string) =>
  checkDerivation(loadDerivationFile(file), { claims: [id], instances: 1, repair: true })[0]!;

describe('a matrix parameter inserted into a product', () => {
  it("W' where the adjoint recurrence dropped it (was: no repair holds, every candidate tried)", () => {
    const r = repaired(RNN, 'missing-W');
    expect(r.verdict).toBe('refuted');
    expect(r.repairs!.status).toBe('found');
    const top = r.repairs!.repairs[0]!;
    expect(top.statement).toBe("grad(L, h[T-1]) = W'*diag(1 - h[T].^2)*grad(L, h[T])");
    expect(top.edits.map((e) => e.edit)).toEqual(['insert-parameter']);
    expect(repairWords(top)).toBe("holds with the factor W' before diag(1 - h[T].^2)");
    expect(top.verdict).toBe('verified');
  });
});
