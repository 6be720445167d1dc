/**
 * `gradproof verify`: re-derive and re-check every derivation, compare with
 * the golden fixtures, report drift claim by claim; `--update` rewrites the
 * fixtures. Files are checked in parallel on the available cores.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { expandPaths, type CheckRequest } from '../check/check.js';
import type { ClaimResult } from '../check/result.js';
import { InputError } from '../derivation/errors.js';
import { loadDerivationFile } from '../derivation/load.js';
import {
  type ClaimSnapshot,
  diffSnapshots,
  type Drift,
  type FileSnapshot,
  fileSnapshot,
  snapshotDerivation,
} from './snapshot.js';
import { WorkerPool } from './pool.js';
import type { Derivation } from '../derivation/derivation.js';
import { reasonText } from '../emit/evidence-text.js';
import { reportHolds, summaryMarkdown, withReport } from '../emit/summary-report.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { VERIFY_REPAIR_BUDGET } from '../repair/result.js';
import { LIMITS } from '../ir/limits.js';
import { type CacheUse, type Outcome, VerifyCache } from './cache.js';

function readReadme(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError({ file, line: 1, col: 1 }, `cannot read the README: ${(err as Error).message}`);
  }
}

export interface VerifyOptions {
  readonly fixtures?: string;
  readonly update?: boolean;
  /** a README whose generated verdict summary must be current (rewritten with `update`) */
  readonly readme?: string;
  /**
   * worker threads checking claims at once (default: the available cores); 0 checks everything in this thread.
   * Even one worker beats this thread: its young generation is larger (pool.ts, YOUNG_GENERATION_MB).
   */
  readonly jobs?: number;
  readonly request?: CheckRequest;
  /** called as each file finishes (a progress bar's hook; nothing else depends on it) */
  readonly onFile?: (file: string, done: number, total: number) => void;
  /** check only shard `index` of `count` (1-based, see shardOf); a README is then checked for this shard's documents */
  readonly shard?: Shard;
  /**
   * keep each file's outcome in this folder (or this cache) and answer from it while nothing it depends on
   * changed (./cache.ts); the fixtures and the README are still compared with every outcome
   */
  readonly cache?: string | VerifyCache;
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * The files of one shard: the file list sorted by path (code-unit order),
 * file j (0-based) going to shard (j mod count) + 1 — round robin, so large
 * and small files spread evenly whatever their names. Every runner of a CI
 * matrix given the same paths gets the same split; the shards together are
 * the whole list, each file in exactly one. Files keep their listed order.
 */
export function shardOf(files: readonly string[], shard: Shard): string[] {
  const { index, count } = shard;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count)
    throw new RangeError(`a shard is i/n with 1 ≤ i ≤ n, got ${shard.index}/${shard.count}`);
  const sorted = [...new Set(files)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mine = new Set(sorted.filter((_, j) => j % shard.count === shard.index - 1));
  return [...new Set(files)].filter((f) => mine.has(f));
}

export interface FileVerdict {
  readonly file: string;
  readonly fixture: string;
  /** ok: matches; drift: differs; new: no fixture yet; updated: rewritten by --update */
  readonly status: 'ok' | 'drift' | 'new' | 'updated';
  readonly drifts: readonly Drift[];
  readonly claims: readonly ClaimResult[];
  /** the seconds its check took (when it was checked, for an outcome from the cache) */
  readonly seconds: number;
  /** its outcome came from the cache (--cache) */
  readonly cached: boolean;
}

export interface VerifyReport {
  readonly files: readonly FileVerdict[];
  /** the README's summary section: current, stale (it differs from what the checks produce now) or rewritten */
  readonly readme: null | { readonly file: string; readonly status: 'ok' | 'stale' | 'updated' };
  /** the shard checked, and how many files the whole list has */
  readonly shard: null | (Shard & { readonly of: number });
  /** with a cache: its folder, the files it answered and the files checked */
  readonly cache: CacheUse | null;
  readonly summary: {
    readonly files: number;
    readonly drifted: number;
    readonly claims: number;
    readonly unexpected: number;
  };
  /** true when nothing drifted (or it was updated) and every verdict is the expected one */
  readonly ok: boolean;
}

/** A stored fixture; one that is not the JSON `--update` writes is bad input, named by its file. */
function readFixture(fixture: string): FileSnapshot {
  const fail = (problem: string, line = 1, col = 1): never => {
    throw new InputError({ file: fixture, line, col }, problem, 'the JSON that gradproof verify --update writes');
  };
  let text: string;
  try {
    text = readFileSync(fixture, 'utf8');
  } catch (err) {
    return fail(`cannot read the fixture: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // V8 names the character offset; the message points at its line and column.
    const at = /position (\d+)/.exec((err as Error).message);
    const before = text.slice(0, at ? Number(at[1]) : 0);
    return fail(
      `corrupt fixture: ${(err as Error).message}`,
      before.split('\n').length,
      before.length - before.lastIndexOf('\n'),
    );
  }
  const isRecord = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isRecord(data) || typeof data.file !== 'string' || !isRecord(data.claims) || !Array.isArray(data.derived))
    return fail('not a gradproof fixture (an object with file, derived and claims)');
  return data as unknown as FileSnapshot;
}

export const fixtureFor = (fixtures: string, file: string): string =>
  join(fixtures, `${basename(file).replace(/\.ya?ml$/, '')}.json`);

/**
 * Every file checked on a pool of `jobs` workers, one task per claim (and one for a file's derived forms):
 * the claims of a file are independent (each has its own exact-work budget and its own caches), so spreading
 * them gives the same results as checking the file in one go, and a file of 49 claims no longer holds one core.
 */
async function checkOnPool(
  pool: WorkerPool,
  derivations: readonly Derivation[],
  request: CheckRequest,
  jobs: number,
  onFileDone: (file: string) => void,
): Promise<Outcome[]> {
  pool.grow(
    Math.min(
      jobs,
      derivations.reduce((n, d) => n + 1 + d.claims.length, 0),
    ),
  );
  return Promise.all(
    derivations.map(async (d) => {
      const claims = request.claims ? d.claims.filter((c) => request.claims!.includes(c.id)) : d.claims;
      const [derived, ...parts] = await Promise.all([
        pool.run({ kind: 'derived', file: d.file }),
        ...claims.map((c) => pool.run({ kind: 'claims', file: d.file, claims: [c.id], request })),
      ]);
      const results: ClaimResult[] = [];
      const snapshots: [string, ClaimSnapshot][] = [];
      for (const { value } of parts)
        if (value.kind === 'claims')
          value.results.forEach((r, k) => {
            results.push(r);
            snapshots.push([r.id, value.snapshots[k]!]);
          });
      const seconds = [derived, ...parts].reduce((sum, p) => sum + p.seconds, 0);
      if (derived.value.kind !== 'derived') throw new Error('a derived-forms task answered with claims');
      onFileDone(d.file);
      return { snapshot: fileSnapshot(d, derived.value.derived, snapshots), results, seconds };
    }),
  );
}

/**
 * Every file checked in this thread, one after another. The checks keep what they build for a file by its
 * derivation (symbolic models and their memoised values, in weak maps): each derivation is taken off `queue`
 * and let go once checked, so that goes with it instead of staying in the heap for the rest of the run.
 */
function checkInTurn(queue: Derivation[], request: CheckRequest, onFileDone: (file: string) => void): Outcome[] {
  const outcomes: Outcome[] = [];
  for (let d = queue.shift(); d; d = queue.shift()) {
    const started = performance.now();
    outcomes.push({ ...snapshotDerivation(d, request), seconds: (performance.now() - started) / 1000 });
    onFileDone(d.file);
  }
  return outcomes;
}

/** A file's cache key, from the bytes it has now; null when it is no regular file of bounded size (the loader says why). */
function cacheKey(cache: VerifyCache, file: string, request: CheckRequest) {
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > LIMITS.fileBytes) return null;
    const bytes = readFileSync(file);
    return { key: cache.keyFor(file, bytes, request), bytes };
  } catch {
    return null;
  }
}

export async function verify(paths: readonly string[], options: VerifyOptions = {}): Promise<VerifyReport> {
  const all = expandPaths(paths);
  if (all.length === 0)
    throw new InputError({ file: paths[0] ?? '.', line: 1, col: 1 }, 'no derivation files here', '.yaml or .yml files');
  if (options.shard && options.update && options.readme)
    throw new RangeError('a sharded run cannot rewrite the README summary: it sees only its own documents');
  // A shard may be empty (more runners than files): it checks nothing and passes.
  const files = options.shard ? shardOf(all, options.shard) : all;
  const jobs = Math.max(0, options.jobs ?? availableParallelism());
  // Refuted claims' repairs are part of the fixtures, searched within verify's own budget.
  const request: CheckRequest = { repair: VERIFY_REPAIR_BUDGET, ...options.request };
  const cache =
    options.cache === undefined
      ? null
      : typeof options.cache === 'string'
        ? new VerifyCache(options.cache)
        : options.cache;
  const keys = files.map((file) => (cache ? cacheKey(cache, file, request) : null));
  const stored = keys.map((k) => (k ? cache!.read(k.key) : null));
  const toCheck = stored.filter((o) => o === null).length;
  // The workers load the engine while this thread loads the files (every file to check has a task at least);
  // none start when the cache answers for every file.
  const pool = jobs > 0 && toCheck > 0 ? new WorkerPool(Math.min(jobs, toCheck + 1)) : null;
  try {
    const report = await verifyFiles(files, all.length, pool, jobs, options, request, stored, (k, outcome) => {
      if (cache && keys[k]) cache.write(keys[k].key, files[k]!, keys[k].bytes, outcome);
    });
    cache?.prune();
    return { ...report, cache: cache?.use() ?? null };
  } finally {
    await pool?.close();
  }
}

async function verifyFiles(
  files: readonly string[],
  listed: number,
  pool: WorkerPool | null,
  jobs: number,
  options: VerifyOptions,
  request: CheckRequest,
  cached: readonly (Outcome | null)[],
  onChecked: (k: number, outcome: Outcome) => void,
): Promise<Omit<VerifyReport, 'cache'>> {
  // Every file must load before any is checked: bad input never leaves a half-written result.
  const derivations = files.map((f) => loadDerivationFile(f));
  const readmeText = options.readme ? readReadme(options.readme) : null;
  const fixtures = options.fixtures ?? 'fixtures';
  // Fixtures are read before any check runs: a corrupt one is reported at once.
  const stored = files.map((file) => {
    const fixture = fixtureFor(fixtures, file);
    return existsSync(fixture) ? readFixture(fixture) : null;
  });
  let finished = 0;
  const done = (file: string) => options.onFile?.(file, ++finished, files.length);
  // what the README summary reads of each document, kept apart from the derivations checked in this thread
  const headers = derivations.map(({ file, title, source }) => ({ file, title, source }));
  // the files the cache does not answer for, taken off `derivations` (checkInTurn lets each go once checked)
  const pending = derivations.splice(0).filter((_, k) => cached[k] === null);
  for (const [k, file] of files.entries()) if (cached[k]) done(file);
  const checked: Outcome[] =
    pool === null
      ? checkInTurn(pending, request, done)
      : await checkOnPool(pool, pending.splice(0), request, jobs, done);
  let next = 0;
  const outcomes = cached.map((o, k) => {
    if (o) return o;
    const outcome = checked[next++]!;
    onChecked(k, outcome);
    return outcome;
  });

  const verdicts: FileVerdict[] = files.map((file, k) => {
    const { snapshot, results, seconds } = outcomes[k]!;
    const fromCache = cached[k] !== null;
    const fixture = fixtureFor(fixtures, file);
    const old = stored[k] ?? null;
    const drifts = old ? diffSnapshots(old, snapshot) : [];
    // Fixtures are named by file name: never let a copy elsewhere overwrite another file's fixture.
    if (options.update && old && old.file !== snapshot.file)
      throw new InputError(
        { file, line: 1, col: 1 },
        `${fixture} belongs to ${old.file}; not overwriting it`,
        'a fixtures folder of its own (--fixtures) for copies',
      );
    if (options.update && (!old || drifts.length)) {
      mkdirSync(fixtures, { recursive: true });
      writeFileAtomic(fixture, `${JSON.stringify(snapshot, null, 2)}\n`);
      return { file, fixture, status: 'updated', drifts, claims: results, seconds, cached: fromCache };
    }
    const status = !old ? 'new' : drifts.length ? 'drift' : 'ok';
    return { file, fixture, status, drifts, claims: results, seconds, cached: fromCache };
  });
  const claims = verdicts.flatMap((v) => v.claims);
  const unexpected = claims.filter((c) => !c.ok).length;
  const drifted = verdicts.filter((v) => v.status === 'drift' || v.status === 'new').length;
  let readme: VerifyReport['readme'] = null;
  if (options.readme && readmeText !== null) {
    const docs = headers.map((h, k) => ({ ...h, claims: verdicts[k]!.claims }));
    const summary = summaryMarkdown(docs);
    const current = withReport(readmeText, summary);
    if (options.shard) readme = { file: options.readme, status: reportHolds(readmeText, docs) ? 'ok' : 'stale' };
    else if (current === readmeText) readme = { file: options.readme, status: 'ok' };
    else if (options.update) {
      writeFileAtomic(options.readme, current);
      readme = { file: options.readme, status: 'updated' };
    } else readme = { file: options.readme, status: 'stale' };
  }
  return {
    readme,
    shard: options.shard ? { ...options.shard, of: listed } : null,
    files: verdicts,
    summary: { files: verdicts.length, drifted, claims: claims.length, unexpected },
    ok: drifted === 0 && unexpected === 0 && readme?.status !== 'stale',
  };
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v)) ?? 'absent';

export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [];
  for (const f of report.files) {
    const bad = f.claims.filter((c) => !c.ok);
    lines.push(
      `${f.status === 'ok' ? '✓' : f.status === 'updated' ? '↻' : '✗'} ${f.file}: ${f.status}, ${f.claims.length} claims${bad.length ? `, ${bad.length} not as expected` : ''} (${f.cached ? `from the cache; checked in ${f.seconds.toFixed(1)} s` : `${f.seconds.toFixed(1)} s`})`,
    );
    if (f.status === 'new') lines.push(`    no fixture at ${f.fixture}: run gradproof verify --update`);
    for (const d of f.drifts.slice(0, 40))
      lines.push(`    ${d.claim ?? '(file)'} ${d.path}:\n      was: ${show(d.old)}\n      now: ${show(d.now)}`);
    if (f.drifts.length > 40) lines.push(`    … and ${f.drifts.length - 40} more differences`);
    for (const c of bad)
      lines.push(`    ${c.id}: ${c.verdict}, expected ${c.expected}${c.reason ? ` — ${reasonText(c.reason)}` : ''}`);
  }
  const s = report.summary;
  if (report.shard)
    lines.push(`shard ${report.shard.index}/${report.shard.count}: ${s.files} of ${report.shard.of} files`);
  if (report.cache)
    lines.push(
      `cache ${report.cache.dir}: ${report.cache.hits} files answered from it, ${report.cache.misses} checked`,
    );
  if (report.readme?.status === 'stale')
    lines.push(
      `✗ ${report.readme.file}: its verdict summary is not the one the checks produce now (run gradproof verify --readme ${report.readme.file} --update)`,
    );
  if (report.readme?.status === 'updated') lines.push(`↻ ${report.readme.file}: verdict summary rewritten`);
  lines.push(
    '',
    `${s.files} files, ${s.claims} claims: ${s.drifted} files drifted, ${s.unexpected} claims not as expected`,
  );
  return lines.join('\n');
}

// Characters XML 1.0 forbids are dropped; the five special ones are escaped.
// eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 forbids
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const xml = (s: string) =>
  s
    .replace(XML_FORBIDDEN, '')
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** JUnit XML: a test suite per file, a test case per claim; drift and unexpected verdicts are failures. */
export function junitXml(report: VerifyReport): string {
  const suites = report.files.map((f) => {
    const cases = f.claims.map((c) => {
      const drift = f.drifts.filter((d) => d.claim === c.id);
      const problems = [
        ...(c.ok ? [] : [`verdict ${c.verdict}, expected ${c.expected}`]),
        ...drift.map((d) => `${d.path}: was ${show(d.old)}, now ${show(d.now)}`),
      ];
      const failure = problems.length
        ? `<failure message="${xml(problems[0]!)}">${xml(problems.join('\n'))}</failure>`
        : '';
      return `    <testcase classname="${xml(f.file)}" name="${xml(c.id)}" time="0">${failure}</testcase>`;
    });
    const fileDrift = f.drifts.filter((d) => d.claim === null);
    if (fileDrift.length || f.status === 'new')
      cases.push(
        `    <testcase classname="${xml(f.file)}" name="(file)" time="0"><failure message="${xml(f.status === 'new' ? 'no fixture' : 'derived forms drifted')}">${xml(fileDrift.map((d) => `${d.path}: was ${show(d.old)}, now ${show(d.now)}`).join('\n'))}</failure></testcase>`,
      );
    const failures = cases.filter((x) => x.includes('<failure')).length;
    return `  <testsuite name="${xml(f.file)}" tests="${cases.length}" failures="${failures}" time="${f.seconds.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const tests = report.files.reduce((n, f) => n + f.claims.length, 0);
  const failures = suites.reduce((n, s) => n + Number(/failures="(\d+)"/.exec(s)![1]), 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="gradproof verify" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
