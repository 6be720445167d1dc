/**
 * The model zoo: realistic recurrent cells (GRU, MGU, LSTM and its CIFG and peephole variants, leaky, residual,
 * two-layer, scalar gains and gates, broadcast scalars, softmax / MSE heads, masked, time-weighted and discounted
 * losses, softplus) in test/fixtures/zoo/*.yaml, each with true claims and the false ones people plausibly
 * write. Every claim's verdict must be the file's `expect:`, and must agree with an independent numpy truth
 * (test/fixtures/zoo/truth.json, written by truth.py there; python is not needed here): a true claim is never
 * `refuted`, a false one always is. A disagreement is a bug of gradproof, kept out of the suite
 * (test/fixtures/zoo-bugs/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { VERDICTS, type Verdict } from '../../src/derivation/derivation.js';

const DIR = 'test/fixtures/zoo';
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** truth.json: file → claim id → truth; keys starting with `_` are metadata (seeds, instance counts, evidence). */
const TRUTH = JSON.parse(readFileSync(join(DIR, 'truth.json'), 'utf8')) as Record<string, unknown>;
const truthOf = (file: string): Record<string, boolean> => (TRUTH[file] ?? {}) as Record<string, boolean>;

/** Verdicts a claim may have given its truth: a true claim anything but `refuted`, a false one only `refuted`. */
const ALLOWED_IF_TRUE: readonly Verdict[] = VERDICTS.filter((v) => v !== 'refuted');
const ALLOWED_IF_FALSE: readonly Verdict[] = ['refuted'];

describe('model zoo', () => {
  it('has its fixtures', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(14);
    expect(ALLOWED_IF_TRUE).toEqual(['proved', 'verified', 'consistent', 'unverifiable']);
  });

  it('truth.json and the fixture files name the same claims', () => {
    const truthFiles = Object.keys(TRUTH)
      .filter((k) => !k.startsWith('_'))
      .sort();
    expect(truthFiles).toEqual(FILES);
    for (const file of FILES) {
      const ids = loadDerivationFile(join(DIR, file)).claims.map((c) => c.id);
      expect(Object.keys(truthOf(file)).sort(), file).toEqual([...ids].sort());
      for (const v of Object.values(truthOf(file))) expect(typeof v, file).toBe('boolean');
    }
  });

  for (const file of FILES) {
    it(file, () => {
      const derivation = loadDerivationFile(join(DIR, file));
      const truth = truthOf(file);
      const results = checkDerivation(derivation);
      expect(results.map((r) => r.id)).toEqual(derivation.claims.map((c) => c.id));
      const seen = results.map((r) => {
        const claim = derivation.claims.find((c) => c.id === r.id)!;
        const allowed = truth[r.id] ? ALLOWED_IF_TRUE : ALLOWED_IF_FALSE;
        return {
          id: r.id,
          verdict: r.verdict,
          expect: claim.expect,
          agreesWithTruth: allowed.includes(r.verdict),
        };
      });
      const want = seen.map((s) => ({ ...s, verdict: s.expect, agreesWithTruth: true }));
      // every claim carries an expectation
      for (const s of seen) expect(s.expect, `${file} ${s.id} has no expect:`).not.toBeNull();
      // (a) the verdict is the file's `expect:`, (b) it agrees with the numpy truth (one diff names the claim)
      expect(seen).toEqual(want);
    });
  }
});
