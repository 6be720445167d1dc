/**
 * Claims of a file that narrow its sizes to the same ranges share one claim derivation, and through it
 * one instance pool (instances, memoised values) and one symbolic model: a claim's result must be the
 * one it gets alone, whatever was checked before it on them.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation, InstancePool } from '../../src/check/check.js';
import { claimDerivation, NARROWED_POOLS } from '../../src/check/check-claim.js';
import type { ClaimResult } from '../../src/check/result.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

const FILE = 'derivations/understanding-lstms-2023-index-level.yaml';
// Two groups of claims at the same narrowed sizes (T = 2..6; d = 2..4, T = 3..6), each with refuted and
// holding claims, equalities and bounds (the adversarial search runs on the bounds' shared instances).
const CLAIMS = [
  'second-step-v-as-written',
  'second-step-v',
  'second-step-h-w',
  'second-step-y-u',
  'vanish-by-path-factor',
  'vanish-by-row-sums',
];
const REQUEST = { instances: 1 };

const load = () => loadDerivationFile(FILE);
const json = (r: ClaimResult) => JSON.stringify(r);

describe('claims at the same narrowed sizes share a derivation', () => {
  it('claimDerivation gives one derivation per model and size ranges, and the file derivation without sizes', () => {
    const d = load();
    const byId = new Map(d.claims.map((c) => [c.id, c]));
    const [a, b, wide] = ['second-step-v', 'second-step-h-w', 'vanish-by-row-sums'].map((id) =>
      claimDerivation(d, byId.get(id)!),
    );
    expect(a).toBe(b); // both narrow T to 2..6
    expect(a).not.toBe(d);
    expect(a!.model.sizes.T).toEqual({ min: 2, max: 6 });
    expect(wide).not.toBe(a); // d = 2..4, T = 3..6
    expect(wide!.model.sizes.d).toEqual({ min: 2, max: 4 });
    expect(claimDerivation(d, byId.get('first-step-v')!)).toBe(d);
    // another load of the file is another file derivation: nothing is shared across loads
    expect(claimDerivation(load(), byId.get('second-step-v')!)).not.toBe(a);
  });

  it('a file pool keeps the pools of the last narrowed derivations it served, and no more', () => {
    const d = load();
    const pool = new InstancePool(d);
    expect(pool.forDerivation(d)).toBe(pool);
    const narrowed = [...new Set(d.claims.map((c) => claimDerivation(d, c)).filter((x) => x !== d))];
    expect(narrowed.length).toBeGreaterThan(NARROWED_POOLS);
    const first = pool.forDerivation(narrowed[0]!);
    expect(pool.forDerivation(narrowed[0]!)).toBe(first);
    expect(first.derivation).toBe(narrowed[0]);
    for (const other of narrowed.slice(1, NARROWED_POOLS + 1)) pool.forDerivation(other);
    expect(pool.forDerivation(narrowed[0]!)).not.toBe(first); // evicted, built again
  });

  it('every claim has the result it has alone, in file order and reversed on one pool', () => {
    const alone = new Map(CLAIMS.map((id) => [id, json(checkDerivation(load(), { ...REQUEST, claims: [id] })[0]!)]));
    const d = load();
    const forward = checkDerivation(d, { ...REQUEST, claims: CLAIMS });
    expect(forward.map((r) => r.id)).toEqual(CLAIMS);
    for (const r of forward) expect(json(r)).toBe(alone.get(r.id));
    const again = load();
    const pool = new InstancePool(again);
    for (const id of [...CLAIMS].reverse())
      expect(json(checkDerivation(again, { ...REQUEST, claims: [id] }, undefined, pool)[0]!)).toBe(alone.get(id));
    // The claims are a mix, so a leak from a refuted claim into a holding one would show.
    const verdicts = forward.map((r) => r.verdict);
    expect(verdicts).toContain('refuted');
    expect(verdicts).toContain('verified');
    expect(verdicts).toContain('proved');
  });
});
