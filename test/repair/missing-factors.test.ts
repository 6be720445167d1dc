/**
 * Slips a review (review141) found no repair for: a parameter factor dropped from a product (no edit inserted one),
 * and 1 − y for 1 − y² inside an entrywise product (repaired only by a pair of edits, when the pair search seeded it).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { repairWords } from '../../src/emit/repair-text.js';

const RNN = 'test/fixtures/models/repair-missing-factors-rnn.yaml';
const LSTM = 'test/fixtures/models/repair-entry-slip-lstm.yaml';

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

describe("an entry replaced by the closed form's entry of the same values", () => {
  it('1 - tanh(s) for 1 - tanh(s).^2 inside o .* (…), in one edit (was: no repair holds)', () => {
    const r = repaired(LSTM, 'one-minus-tanh');
    expect(r.verdict).toBe('refuted');
    const top = r.repairs!.repairs[0]!;
    expect(top.statement).toBe('jac(h[T], s[T]) = diag(o[T] .* (1 - tanh(s[T]).^2))');
    expect(top.edits.map((e) => e.edit)).toEqual(['replace-entry']);
    expect(repairWords(top)).toBe(
      "holds with 1 - tanh(s[T]).^2 in place of 1 - tanh(s[T]), as in the model's closed form",
    );
    expect(top.verdict).toBe('verified');
  });
});
