/**
 * Golden snapshots of `check` on the shipped derivations (default seed, 2
 * instances per regime): verdicts, evidence counts and counterexamples. A
 * change in the engine or a derivation that moves any of them shows up here.
 * Regenerate deliberately with UPDATE_FIXTURES=1 npx vitest run test/check/fixtures.test.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import type { ClaimResult } from '../../src/check/result.js';
import { loadDerivationFile } from '../../src/derivation/load.js';

const round = (x: number | null) => (x === null || !Number.isFinite(x) ? x : Number(x.toPrecision(6)));

function snapshot(r: ClaimResult) {
  const cx = r.counterexample;
  return {
    verdict: r.verdict,
    expected: r.expected,
    evidence: r.evidence.map((e) => e.summary),
    counterexample: cx && { instance: cx.instance, instanceSeed: cx.instanceSeed, regime: cx.regime, sizes: cx.sizes, bindings: cx.bindings, lhs: cx.lhs.map(round), rhs: cx.rhs.map(round), relError: round(cx.relError) },
  };
}

describe('golden check snapshots', () => {
  for (const file of readdirSync('derivations').filter((f) => f.endsWith('.yaml'))) {
    it(file, () => {
      const results = checkDerivation(loadDerivationFile(`derivations/${file}`), { instances: 2 });
      const actual = Object.fromEntries(results.map((r) => [r.id, snapshot(r)]));
      const path = `fixtures/check/${basename(file, '.yaml')}.json`;
      if (process.env.UPDATE_FIXTURES) writeFileSync(path, `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(JSON.parse(readFileSync(path, 'utf8')));
    });
  }
});
