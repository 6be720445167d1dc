/**
 * `verify --cache` (src/verify/cache.ts): an unchanged file, request and build answer from the cache with the
 * results the check gave; any change to one of them checks again; a corrupt, renamed or stale entry is a miss;
 * a file edited while it was checked is not stored; the folder is bounded; the fixtures are still compared.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeIdentity, VerifyCache } from '../../src/verify/cache.js';
import { fixtureFor, formatVerifyReport, verify } from '../../src/verify/verify.js';
import { gradproof } from '../cli/spawn.js';

/** the shipped file with the fewest claims (3), and one more (5), each with its shipped fixture */
const EQ5 = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-eq5.yaml';
const RNN = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml';
const fresh = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const entries = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.bin'));

/** a copy of EQ5 in a folder of its own, with its fixture in another */
function copyOfEq5() {
  const dir = fresh('gp-cache-src-');
  const file = join(dir, 'eq5.yaml');
  cpSync(EQ5, file);
  return { file, fixtures: fresh('gp-cache-fx-') };
}

describe('verify --cache', () => {
  it('answers an unchanged file from the cache with the same results, and still compares the fixture', async () => {
    const cache = fresh('gp-cache-');
    const first = await verify([EQ5], { jobs: 0, cache });
    expect(first.cache).toEqual({ dir: cache, hits: 0, misses: 1 });
    expect(first.files[0]!.cached).toBe(false);
    expect(first.ok).toBe(true);
    expect(entries(cache)).toHaveLength(1);

    const second = await verify([EQ5], { jobs: 0, cache });
    expect(second.cache).toEqual({ dir: cache, hits: 1, misses: 0 });
    expect(second.files[0]!.cached).toBe(true);
    expect(second.files[0]!.claims).toEqual(first.files[0]!.claims);
    expect(second.files[0]!.seconds).toBe(first.files[0]!.seconds);
    expect(second.ok).toBe(true);
    expect(formatVerifyReport(second)).toMatch(
      /✓ derivations\/how-does-lstm-avoid-gradient-explosion-2024-eq5.yaml: ok, 3 claims \(from the cache; checked in \d+\.\d s\)/,
    );

    // the fixture is judged on every run: an edited one drifts though the outcome came from the cache
    const fixtures = fresh('gp-cache-fx-');
    cpSync('fixtures', fixtures, { recursive: true });
    const path = fixtureFor(fixtures, EQ5);
    const fixture = JSON.parse(readFileSync(path, 'utf8')) as { claims: Record<string, { verdict: string }> };
    const [id] = Object.keys(fixture.claims);
    const was = fixture.claims[id!]!.verdict;
    fixture.claims[id!]!.verdict = 'consistent';
    writeFileSync(path, JSON.stringify(fixture));
    const drifted = await verify([EQ5], { jobs: 0, cache, fixtures });
    expect(drifted.files[0]!.cached).toBe(true);
    expect(drifted.files[0]!.drifts).toEqual([{ claim: id, path: 'verdict', old: 'consistent', now: was }]);
    expect(drifted.ok).toBe(false);
  });

  it("an edit to the file, another request or another build checks again; the edit's verdict is the new one", async () => {
    const cache = fresh('gp-cache-');
    const { file, fixtures } = copyOfEq5();
    await verify([file], { jobs: 0, cache, fixtures, update: true });
    expect((await verify([file], { jobs: 0, cache, fixtures })).files[0]!.cached).toBe(true);

    // another seed
    const seeded = await verify([file], { jobs: 0, cache, fixtures, request: { masterSeed: 7 } });
    expect(seeded.files[0]!.cached).toBe(false);
    // another build (the code identity is part of every key)
    const otherBuild = new VerifyCache(cache, `${codeIdentity()}-edited`);
    expect((await verify([file], { jobs: 0, cache: otherBuild, fixtures })).files[0]!.cached).toBe(false);

    // a claim of the file edited: its verdict is the edited claim's, not the cached one
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/expect: (verified|proved)/, 'expect: refuted');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const after = await verify([file], { jobs: 0, cache, fixtures });
    expect(after.files[0]!.cached).toBe(false);
    expect(after.summary.unexpected).toBe(1);
  });

  it('a corrupt entry, or one stored under another key, is a miss and is written again', async () => {
    const cache = fresh('gp-cache-');
    await verify([EQ5], { jobs: 0, cache });
    const [entry] = entries(cache);
    writeFileSync(join(cache, entry!), 'not a serialized outcome');
    const afterCorrupt = await verify([EQ5], { jobs: 0, cache });
    expect(afterCorrupt.files[0]!.cached).toBe(false);
    expect(afterCorrupt.ok).toBe(true);
    expect((await verify([EQ5], { jobs: 0, cache })).files[0]!.cached).toBe(true);

    // RNN's entry renamed to EQ5's key: its content names RNN's key, so EQ5 is checked, not answered with RNN's
    await verify([RNN], { jobs: 0, cache });
    const rnnEntry = entries(cache).find((n) => n !== entry)!;
    renameSync(join(cache, rnnEntry), join(cache, entry!));
    const swapped = await verify([EQ5], { jobs: 0, cache });
    expect(swapped.files[0]!.cached).toBe(false);
    expect(swapped.files[0]!.claims).toHaveLength(3);
    expect(swapped.ok).toBe(true);
  });

  it('a file edited while it is checked is not stored (the entry would not be its current bytes)', async () => {
    const cache = fresh('gp-cache-');
    const { file, fixtures } = copyOfEq5();
    const text = readFileSync(file, 'utf8');
    await verify([file], {
      jobs: 0,
      cache,
      fixtures,
      // called once the file is checked, before its outcome is stored
      onFile: () => writeFileSync(file, `${text}\n# edited\n`),
    });
    expect(entries(cache)).toHaveLength(0);
  });

  it('keeps the most recently used entries past its bound', () => {
    const dir = fresh('gp-cache-');
    const cache = new VerifyCache(dir, 'test-build');
    const names = Array.from({ length: 5 }, (_, k) => `${String(k).repeat(64)}.bin`);
    names.forEach((n, k) => {
      writeFileSync(join(dir, n), 'x');
      utimesSync(join(dir, n), 1000 + k, 1000 + k);
    });
    writeFileSync(join(dir, 'README'), 'not an entry: never deleted');
    cache.prune(3);
    expect(readdirSync(dir).sort()).toEqual(['README', ...names.slice(2)].sort());
  });

  it('on a worker pool, a run with some files cached checks only the others and gives the same results', async () => {
    const cache = fresh('gp-cache-');
    const alone = await verify([EQ5, RNN], { jobs: 0 });
    await verify([EQ5], { jobs: 0, cache });
    const mixed = await verify([EQ5, RNN], { jobs: 1, cache });
    expect(mixed.cache).toEqual({ dir: cache, hits: 1, misses: 1 });
    expect(mixed.files.map((f) => f.cached)).toEqual([true, false]);
    expect(mixed.files.map((f) => f.claims)).toEqual(alone.files.map((f) => f.claims));
    expect(mixed.ok).toBe(true);
  });

  it('the command line: --cache-dir answers the second run from the cache, in words and in --json', async () => {
    const cache = fresh('gp-cache-');
    const first = await gradproof('verify', EQ5, '--cache-dir', cache, '--jobs', '0');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`cache ${cache}: 0 files answered from it, 1 checked`);
    const second = await gradproof('verify', EQ5, '--cache-dir', cache, '--jobs', '0', '--json');
    expect(second.status).toBe(0);
    const report = JSON.parse(second.stdout) as { cache: unknown; files: { cached: boolean }[] };
    expect(report.cache).toEqual({ dir: cache, hits: 1, misses: 0 });
    expect(report.files[0]!.cached).toBe(true);
  });
});
