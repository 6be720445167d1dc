/**
 * Counts in messages take their noun in the number: "1 claim", "2 claims" (until 2026-12-07 the reports said
 * "1 claims", "1 files", "counterexample(s)": a review found them).
 */
import { describe, expect, it } from 'vitest';
import { check, checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { cacheUseText } from '../../src/emit/cache-text.js';
import { count } from '../../src/emit/count.js';
import { formatCheckReport } from '../../src/emit/text-report.js';
import { buildDocument } from '../../src/render/document.js';
import { formatVerifyReport, type VerifyReport } from '../../src/verify/verify.js';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';

describe('counts in messages', () => {
  it('count', () => {
    expect([count(0, 'claim'), count(1, 'claim'), count(2, 'claim'), count(1, "file's", "files'")]).toEqual([
      '0 claims',
      '1 claim',
      '2 claims',
      "1 file's",
    ]);
  });

  it('check, render and the cache line of one claim', () => {
    const report = check([LAB], { claims: ['lab-eq1'], instances: 1 });
    expect(formatCheckReport(report).split('\n').at(-1)).toBe(
      '1 claim: 1 with the expected verdict, 0 not (master seed 20261120)',
    );
    const d = loadDerivationFile(LAB);
    const results = checkDerivation(d, { claims: ['lab-eq1'], instances: 1 });
    expect(buildDocument({ derivation: d, results, plots: new Map() }).summary).toBe(
      '1 claim checked: 1 verified; 1 with the verdict the file expects.',
    );
    expect(cacheUseText({ dir: 'c', claims: { answered: 0, checked: 1 }, derived: { answered: 1, checked: 0 } })).toBe(
      "cache c: 0 of 1 claim and 1 of 1 file's derived forms answered from it",
    );
  });

  it('verify of one file with one claim, one of them drifted and not as expected', () => {
    const claim = check([LAB], { claims: ['lab-eq1'], instances: 1 }).claims[0]!;
    const report: VerifyReport = {
      files: [
        {
          file: LAB,
          fixture: 'f.json',
          status: 'drift',
          drifts: [],
          claims: [{ ...claim, ok: false }],
          seconds: 1,
          fromCache: { claims: 0, derived: true },
          error: null,
        },
      ],
      readme: null,
      shard: { index: 1, count: 1, of: 1 },
      cache: null,
      summary: { files: 1, drifted: 1, claims: 1, unexpected: 1, errors: 0 },
      ok: false,
    };
    const lines = formatVerifyReport(report).split('\n');
    expect(lines[0]).toBe(
      `✗ ${LAB}: drift, 1 claim, 1 not as expected (1.0 s; 0 of 1 claim and the derived forms from the cache)`,
    );
    expect(lines.slice(-3)).toEqual([
      'shard 1/1: 1 of 1 file',
      '',
      '1 file, 1 claim: 1 file drifted, 1 claim not as expected',
    ]);
  });
});
