/**
 * `verify --cache` (src/verify/cache.ts): unchanged claims, request and build answer from the cache with the
 * results a fresh check gives; an edited claim is checked again alone, an edit outside the claims, another request
 * or another build checks everything; a corrupt or renamed entry is a miss; a file edited while it was checked is
 * not stored; the folder is bounded; the fixtures are still compared.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/derivation/errors.js';
import { codeIdentity, dependencyVersions, textDigest, VerifyCache } from '../../src/verify/cache.js';
import { WorkerPool } from '../../src/verify/pool.js';
import type { FileVerdict } from '../../src/verify/verify.js';
import { fixtureFor, formatVerifyReport, verify } from '../../src/verify/verify.js';
import { gradproof } from '../cli/spawn.js';

/** the shipped file with the fewest claims (3), and one more (5), each with its shipped fixture */
const EQ5 = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-eq5.yaml';
const RNN = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml';
const fresh = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const entries = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.bin'));
/** every part of the file answered from the cache */
const allCached = (f: FileVerdict) => f.fromCache?.claims === f.claims.length && f.fromCache.derived;
/** no part of it */
const noneCached = (f: FileVerdict) => f.fromCache?.claims === 0 && !f.fromCache.derived;

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
    expect(first.cache).toEqual({
      dir: cache,
      claims: { answered: 0, checked: 3 },
      derived: { answered: 0, checked: 1 },
    });
    expect(noneCached(first.files[0]!)).toBe(true);
    expect(first.ok).toBe(true);
    expect(entries(cache)).toHaveLength(4); // one per claim, one for the derived forms

    const second = await verify([EQ5], { jobs: 0, cache });
    expect(second.cache).toEqual({
      dir: cache,
      claims: { answered: 3, checked: 0 },
      derived: { answered: 1, checked: 0 },
    });
    expect(allCached(second.files[0]!)).toBe(true);
    expect(second.files[0]!.claims).toEqual(first.files[0]!.claims);
    expect(second.files[0]!.seconds).toBe(0);
    expect(second.ok).toBe(true);
    expect(formatVerifyReport(second)).toMatch(
      /✓ derivations\/how-does-lstm-avoid-gradient-explosion-2024-eq5.yaml: ok, 3 claims \(from the cache\)\n[^]*cache .*: 3 of 3 claims and 1 of 1 file's derived forms answered from it/,
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
    expect(allCached(drifted.files[0]!)).toBe(true);
    expect(drifted.files[0]!.drifts).toEqual([{ claim: id, path: 'verdict', old: 'consistent', now: was }]);
    expect(drifted.ok).toBe(false);
  });

  it('an edited claim is checked again alone, with the verdict a fresh check gives; moved claims stay cached', async () => {
    const cache = fresh('gp-cache-');
    const { file, fixtures } = copyOfEq5();
    await verify([file], { jobs: 0, cache, fixtures, update: true });

    // the second claim's expectation edited: it alone is checked, and its verdict is no longer the expected one
    const text = readFileSync(file, 'utf8');
    const edited = text.replace('    expect: refuted\n', '    expect: verified\n');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    const after = await verify([file], { jobs: 0, cache, fixtures });
    expect(after.files[0]!.fromCache).toEqual({ claims: 2, derived: false });
    expect(after.summary.unexpected).toBe(1);
    expect(after.files[0]!.claims.find((c) => !c.ok)!.id).toBe('eq5-without-transpose');
    expect(formatVerifyReport(after)).toMatch(/\(\d+\.\d s; 2 of 3 claims from the cache\)/);
    // the same results as checking the edited file with no cache at all
    const fresher = await verify([file], { jobs: 0, fixtures });
    expect(after.files[0]!.claims).toEqual(fresher.files[0]!.claims);

    // blank lines between claims and the first claim moved to the end: every claim's text and the rest of the file are
    // unchanged, so every claim is answered from the cache, with a fresh check's results
    const items = edited.split(/\n(?= {2}- id: )/);
    const moved = `${items[0]}\n${[items[2], items[3], `${items[1]}\n`].join('\n\n')}`.replace(/\n+$/, '\n');
    writeFileSync(file, moved);
    const reordered = await verify([file], { jobs: 0, cache, fixtures });
    expect(reordered.files[0]!.fromCache).toEqual({ claims: 3, derived: false });
    expect(reordered.files[0]!.claims.map((c) => c.id)).toEqual(['eq5-without-transpose', 'eq5-last-step', 'eq5']);
    const freshMoved = await verify([file], { jobs: 0, fixtures });
    expect(reordered.files[0]!.claims).toEqual(freshMoved.files[0]!.claims);
  });

  it('an edit outside the claims, another request or another build checks every claim again', async () => {
    const cache = fresh('gp-cache-');
    const { file, fixtures } = copyOfEq5();
    await verify([file], { jobs: 0, cache, fixtures, update: true });
    expect(allCached((await verify([file], { jobs: 0, cache, fixtures })).files[0]!)).toBe(true);

    // another seed
    const seeded = await verify([file], { jobs: 0, cache, fixtures, request: { masterSeed: 7 } });
    expect(seeded.files[0]!.fromCache).toEqual({ claims: 0, derived: true });
    // another build (the code identity is part of every key)
    const otherBuild = new VerifyCache(cache, `${codeIdentity()}-edited`);
    expect(noneCached((await verify([file], { jobs: 0, cache: otherBuild, fixtures })).files[0]!)).toBe(true);
    // the model edited (a bias dropped): every claim depends on it
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('    - z[t] = V*h[t] + c\n', '    - z[t] = V*h[t]\n'));
    const remodelled = await verify([file], { jobs: 0, cache, fixtures });
    expect(noneCached(remodelled.files[0]!)).toBe(true);
  });

  it("an edit to one claim's item changes its key alone; with a YAML alias in the file, every claim's", () => {
    const cache = new VerifyCache(fresh('gp-cache-'), 'test-build');
    const text = [
      'gradproof: 1',
      'model: {}',
      'claims:',
      '  - id: a',
      '    claim: x = x',
      '  - id: b',
      '    claim: y = y',
      '',
    ].join('\n');
    const claims = [
      { id: 'a', pos: { file: 'f.yaml', line: 4, col: 5 } },
      { id: 'b', pos: { file: 'f.yaml', line: 6, col: 5 } },
    ];
    const keys = (t: string) => cache.keysFor('f.yaml', t, claims, {});
    const before = keys(text);
    const editedB = keys(text.replace('y = y', 'y = 2 * y'));
    expect(editedB.claims.get('a')).toBe(before.claims.get('a'));
    expect(editedB.claims.get('b')).not.toBe(before.claims.get('b'));
    // the derived forms are keyed by the whole file
    expect(editedB.derived).not.toBe(before.derived);
    // an edit outside the list changes every key
    const remodelled = keys(text.replace('model: {}', 'model: { sizes: {} }'));
    expect(remodelled.claims.get('a')).not.toBe(before.claims.get('a'));
    // an anchor in a and an alias in b: b reads a's text, so no claim is keyed by its own item alone
    const aliased = text.replace('claim: x = x', 'claim: &same x = x').replace('claim: y = y', 'claim: *same');
    const aliasedEdited = aliased.replace('&same x = x', '&same x = 1 * x');
    expect(keys(aliasedEdited).claims.get('b')).not.toBe(keys(aliased).claims.get('b'));
    expect(keys(aliasedEdited).claims.get('a')).not.toBe(keys(aliased).claims.get('a'));
    // a claim whose position lies in no item (a loader that placed it elsewhere): every claim by the whole file
    const stray = cache.keysFor(
      'f.yaml',
      text.replace('y = y', 'y = 2 * y'),
      [claims[0]!, { id: 'b', pos: { file: 'f.yaml', line: 1, col: 1 } }],
      {},
    );
    expect(stray.claims.get('a')).not.toBe(before.claims.get('a'));
  });

  it('--update writes from the cache the fixture a fresh check writes', async () => {
    const cache = fresh('gp-cache-');
    await verify([EQ5], { jobs: 0, cache });
    const [fromCache, checked] = [fresh('gp-cache-fx-'), fresh('gp-cache-fx-')];
    const written = await verify([EQ5], { jobs: 0, cache, fixtures: fromCache, update: true });
    expect(allCached(written.files[0]!)).toBe(true);
    expect(written.files[0]!.status).toBe('updated');
    await verify([EQ5], { jobs: 0, fixtures: checked, update: true });
    expect(readFileSync(fixtureFor(fromCache, EQ5), 'utf8')).toBe(readFileSync(fixtureFor(checked, EQ5), 'utf8'));
    expect(readFileSync(fixtureFor(checked, EQ5), 'utf8')).toBe(readFileSync(fixtureFor('fixtures', EQ5), 'utf8'));
  });

  it('a corrupt entry, or one stored under another key, is a miss and is written again', async () => {
    const cache = fresh('gp-cache-');
    await verify([EQ5], { jobs: 0, cache });
    const [entry] = entries(cache);
    writeFileSync(join(cache, entry!), 'not a serialized outcome');
    const afterCorrupt = await verify([EQ5], { jobs: 0, cache });
    expect(afterCorrupt.cache!.claims.checked + afterCorrupt.cache!.derived.checked).toBe(1);
    expect(afterCorrupt.ok).toBe(true);
    expect(allCached((await verify([EQ5], { jobs: 0, cache })).files[0]!)).toBe(true);

    // every entry of EQ5 replaced by one of RNN's (a claim's or its derived forms'): each names RNN's key, so
    // every part of EQ5 is checked, none answered with RNN's
    const eq5Entries = entries(cache);
    await verify([RNN], { jobs: 0, cache });
    const rnnEntry = entries(cache).find((n) => !eq5Entries.includes(n))!;
    for (const n of eq5Entries) cpSync(join(cache, rnnEntry), join(cache, n));
    const swapped = await verify([EQ5], { jobs: 0, cache });
    expect(noneCached(swapped.files[0]!)).toBe(true);
    expect(swapped.files[0]!.claims.map((c) => c.id)).toEqual(['eq5', 'eq5-without-transpose', 'eq5-last-step']);
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
      // called as each claim is checked, before the file's parts are stored
      request: { onClaim: () => writeFileSync(file, `${text}\n# edited\n`) },
    });
    expect(entries(cache)).toHaveLength(0);
  });

  it("the build's identity names every declared dependency's installed version (KaTeX loads from node_modules)", () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const named = dependencyVersions(join(process.cwd(), 'src')).split('\0').filter(Boolean);
    expect(named.map((n) => n.slice(0, n.lastIndexOf('@')))).toEqual(Object.keys(manifest.dependencies).sort());
    for (const entry of named) {
      const name = entry.slice(0, entry.lastIndexOf('@'));
      const installed = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(entry).toBe(`${name}@${installed.version}`);
    }
  });

  it('a worker refuses a task for other text than the main thread read (the file changed during the run)', async () => {
    // else a file edited, checked by a worker, then restored would store the edit's verdicts under the original's keys
    const pool = new WorkerPool(1);
    try {
      const err = (await pool
        .run({ kind: 'derived', file: EQ5, text: textDigest('another text') })
        .catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(/eq5\.yaml:1:1: the file changed while verify was checking it/);
      const done = await pool.run({ kind: 'derived', file: EQ5, text: textDigest(readFileSync(EQ5, 'utf8')) });
      expect(done.value.kind).toBe('derived');
    } finally {
      await pool.close();
    }
  });

  it('keeps the most recently used entries past its bound', () => {
    const dir = fresh('gp-cache-');
    const cache = new VerifyCache(dir, 'test-build', 3);
    const names = Array.from({ length: 5 }, (_, k) => `${String(k).repeat(64)}.bin`);
    names.forEach((n, k) => {
      writeFileSync(join(dir, n), 'x');
      utimesSync(join(dir, n), 1000 + k, 1000 + k);
    });
    writeFileSync(join(dir, 'README'), 'not an entry: never deleted');
    cache.prune();
    expect(readdirSync(dir).sort()).toEqual(['README', ...names.slice(2)].sort());
  });

  it('verify prunes the folder to its bound, and clears temporary files a killed write left', async () => {
    const dir = fresh('gp-cache-');
    const old = Date.now() / 1000 - 7200;
    const stale = `.${'a'.repeat(64)}.bin.123.1.tmp`;
    const recent = `.${'b'.repeat(64)}.bin.123.2.tmp`;
    for (const n of [stale, recent, ...Array.from({ length: 6 }, (_, k) => `${String(k).repeat(64)}.bin`)]) {
      writeFileSync(join(dir, n), 'x');
      if (n !== recent) utimesSync(join(dir, n), old, old);
    }
    mkdirSync(join(dir, `${'9'.repeat(64)}.bin`)); // not a file: never deleted, and no error
    await verify([EQ5], { jobs: 0, cache: new VerifyCache(dir, codeIdentity(), 5) });
    const left = readdirSync(dir);
    expect(left).not.toContain(stale);
    expect(left).toContain(recent);
    expect(left).toContain(`${'9'.repeat(64)}.bin`);
    // the 4 entries this run wrote are the most recent; of the 6 old ones, the bound keeps one
    expect(entries(dir).filter((n) => statSync(join(dir, n)).isFile())).toHaveLength(5);
  });

  it('on a worker pool, a run with some files cached checks only the others and gives the same results', async () => {
    const cache = fresh('gp-cache-');
    const alone = await verify([EQ5, RNN], { jobs: 0 });
    await verify([EQ5], { jobs: 0, cache });
    const mixed = await verify([EQ5, RNN], { jobs: 1, cache });
    expect(mixed.cache).toEqual({
      dir: cache,
      claims: { answered: 3, checked: 5 },
      derived: { answered: 1, checked: 1 },
    });
    expect(mixed.files.map(allCached)).toEqual([true, false]);
    expect(mixed.files.map(noneCached)).toEqual([false, true]);
    expect(mixed.files.map((f) => f.claims)).toEqual(alone.files.map((f) => f.claims));
    expect(mixed.ok).toBe(true);
  });

  it('the command line: --cache-dir answers the second run from the cache, in words and in --json', async () => {
    const cache = fresh('gp-cache-');
    const first = await gradproof('verify', EQ5, '--cache-dir', cache, '--jobs', '0');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`cache ${cache}: 0 of 3 claims and 0 of 1 file's derived forms answered from it`);
    const second = await gradproof('verify', EQ5, '--cache-dir', cache, '--jobs', '0', '--json');
    expect(second.status).toBe(0);
    const report = JSON.parse(second.stdout) as { cache: unknown; files: { fromCache: unknown }[] };
    expect(report.cache).toEqual({
      dir: cache,
      claims: { answered: 3, checked: 0 },
      derived: { answered: 1, checked: 0 },
    });
    expect(report.files[0]!.fromCache).toEqual({ claims: 3, derived: true });
  });
});
