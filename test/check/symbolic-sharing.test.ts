/**
 * The symbolic stage shares work across the claims of one model (the ℤ_p tester's atoms and memoised
 * values, forward-mode tangents): a claim's outcome must be what it is when checked alone, whatever
 * was checked before it against the same model.
 */
import { describe, expect, it } from 'vitest';
import { claimDerivation, DEFAULT_OPTIONS, symbolicStage } from '../../src/check/check-claim.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

const FILES = [
  'derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml',
  'derivations/how-does-lstm-avoid-gradient-explosion-2024-lstm.yaml',
  'derivations/lab-10-5-lstm.yaml',
];

const stageOf = (file: string, order: (ids: string[]) => string[]) => {
  const derivation = loadDerivationFile(file, { perClaimErrors: true });
  const byId = new Map(derivation.claims.map((c) => [c.id, c]));
  const out = new Map<string, string>();
  for (const id of order([...byId.keys()])) {
    const claim = byId.get(id)!;
    out.set(id, JSON.stringify(symbolicStage(claimDerivation(derivation, claim), claim, DEFAULT_OPTIONS.masterSeed)));
  }
  return out;
};

describe('symbolic stage: sharing across claims', () => {
  it.each(FILES)('every claim of %s has the outcome it has alone, in file order and reversed', (file) => {
    const forward = stageOf(file, (ids) => ids);
    const reversed = stageOf(file, (ids) => [...ids].reverse());
    // Alone: a fresh load per claim, so nothing is shared with another claim.
    const alone = new Map([...forward.keys()].map((id) => [id, stageOf(file, () => [id]).get(id)!]));
    expect(reversed).toEqual(alone);
    expect(forward).toEqual(alone);
    // The files hold both identities and refuted claims, so a leak between them would show.
    const statuses = [...alone.values()].map(
      (json) => (JSON.parse(json) as { symbolic: { outcome: { status: string } } | null }).symbolic?.outcome.status,
    );
    expect(statuses).toContain('identical');
    expect(statuses).toContain('different');
  });
});
