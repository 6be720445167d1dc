/**
 * `gradproof verify`: re-derive and re-check every derivation, compare with
 * the golden fixtures, report drift claim by claim; `--update` rewrites the
 * fixtures. Files are checked in parallel on the available cores.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { expandPaths, type CheckRequest, InstancePool } from '../check/check.js';
import type { ClaimResult } from '../check/result.js';
import { InputError } from '../derivation/errors.js';
import { parseDerivation, readDerivationText } from '../derivation/load.js';
import { diffSnapshots, type Drift, type FileSnapshot, fileSnapshot, runTask } from './snapshot.js';
import { type Task, type TaskValue, WorkerPool } from './pool.js';
import type { Derivation } from '../derivation/derivation.js';
import { reasonText } from '../emit/evidence-text.js';
import { cacheUseText } from '../emit/cache-text.js';
import { reportHolds, summaryMarkdown, withReport } from '../emit/summary-report.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readBoundedText } from '../io/read-bounded.js';
import { VERIFY_REPAIR_BUDGET } from '../repair/result.js';
import { type CacheUse, type Part, textDigest, VerifyCache } from './cache.js';
import { count } from '../emit/count.js';

const readReadme = (file: string): string => readBoundedText(file, 'a README (Markdown)');

export interface VerifyOptions {
  readonly fixtures?: string;
  readonly update?: boolean;
  /** a README whose generated verdict summary must be current (rewritten with `update`) */
  readonly readme?: string;
  /**
   * worker threads checking claims at once (default: the available cores); 0 checks everything in this thread.
   * One worker's young generation is larger than this thread's (pool.ts, YOUNG_GENERATION_MB); on the shipped
   * corpus the two now take the same time (README, `node bench/verify.mjs`).
   */
  readonly jobs?: number;
  readonly request?: CheckRequest;
  /** called as each file finishes (a progress bar's hook; nothing else depends on it) */
  readonly onFile?: (file: string, done: number, total: number) => void;
  /** check only shard `index` of `count` (1-based, see shardOf); a README is then checked for this shard's documents */
  readonly shard?: Shard;
  /**
   * keep each claim's outcome and each file's derived forms in this folder (or this cache) and answer from it
   * while nothing they depend on changed (./cache.ts); the fixtures and the README are still compared with every
   * outcome
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
  /**
   * ok: matches; drift: differs; new: no fixture yet; updated: rewritten by --update; error: a file a folder lists
   * that cannot be read (a link to no file) — not verified, its error in `error`, the other files verified
   */
  readonly status: 'ok' | 'drift' | 'new' | 'updated' | 'error';
  readonly drifts: readonly Drift[];
  readonly claims: readonly ClaimResult[];
  /** the seconds its checks took in this run (the parts the cache answered for take none) */
  readonly seconds: number;
  /** with --cache: its parts the cache answered for (claims, and the derived forms); null without */
  readonly fromCache: { readonly claims: number; readonly derived: boolean } | null;
  /** why the file was not verified (status error); null otherwise */
  readonly error: InputError | null;
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
    /** files not verified: they could not be read (status error) */
    readonly errors: number;
  };
  /** true when every file was verified, nothing drifted (or it was updated) and every verdict is the expected one */
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

/** What checking a file gives `verify`: its snapshot, the claims' results, and the seconds it took. */
interface Outcome {
  readonly snapshot: FileSnapshot;
  readonly results: ClaimResult[];
  readonly seconds: number;
  /** its parts the cache answered for: claims, and the derived forms */
  readonly fromCache: { readonly claims: number; readonly derived: boolean } | null;
}

type ClaimPart = Extract<Part, { kind: 'claim' }>;
type DerivedPart = Extract<Part, { kind: 'derived' }>;

/** One file's work: the parts the cache answered for, and the tasks left (those parts it did not). */
interface FileWork {
  readonly derivation: Derivation;
  /** the digest of the text it was loaded from (the workers load it again, and compare) */
  readonly text: string;
  readonly derived: DerivedPart | null;
  /** every selected claim's id, in the file's order, with its part when the cache had it */
  readonly claims: readonly (readonly [string, ClaimPart | null])[];
}

const tasksOf = (w: FileWork, request: CheckRequest): Task[] => {
  const { file } = w.derivation;
  return [
    ...(w.derived ? [] : [{ kind: 'derived', file, text: w.text } as const]),
    ...w.claims
      .filter(([, part]) => !part)
      .map(([id]) => ({ kind: 'claims', file, text: w.text, claims: [id], request }) as const),
  ];
};

/** A task's answer as the parts it checked. */
function partsOf(value: TaskValue, seconds: number): Part[] {
  if (value.kind === 'derived') return [{ kind: 'derived', derived: value.derived, seconds }];
  // a task checks one claim: its time is that claim's
  return value.results.map((result, k) => ({ kind: 'claim', result, snapshot: value.snapshots[k]!, seconds }));
}

/**
 * Every task on a pool of `jobs` workers, one task per claim (and one for a file's derived forms): the claims of a
 * file are independent (each has its own exact-work budget and its own caches), so spreading them gives the same
 * results as checking the file in one go, and a file of 49 claims no longer holds one core.
 */
async function checkOnPool(
  pool: WorkerPool,
  work: readonly FileWork[],
  request: CheckRequest,
  jobs: number,
  onFileChecked: (k: number, parts: Part[]) => void,
): Promise<void> {
  const tasks = work.map((w) => tasksOf(w, request));
  pool.grow(
    Math.min(
      jobs,
      tasks.reduce((n, t) => n + t.length, 0),
    ),
  );
  await Promise.all(
    tasks.map(async (fileTasks, k) => {
      const done = await Promise.all(fileTasks.map((t) => pool.run(t)));
      onFileChecked(
        k,
        done.flatMap((d) => partsOf(d.value, d.seconds)),
      );
    }),
  );
}

/**
 * Every task in this thread, file after file, as a worker runs them (one instance pool per file). The checks keep
 * what they build for a file by its derivation (symbolic models and their memoised values, in weak maps): each
 * file's work is taken off `queue` and let go once checked, so that goes with it instead of staying in the heap for
 * the rest of the run.
 */
function checkInTurn(
  queue: (FileWork | null)[],
  request: CheckRequest,
  onFileChecked: (k: number, parts: Part[]) => void,
): void {
  for (let k = 0; queue.length; k++) {
    const w = queue.shift();
    if (!w) continue;
    const instances = new InstancePool(w.derivation);
    const parts = tasksOf(w, request).flatMap((task) => {
      const started = performance.now();
      const value = runTask(w.derivation, instances, task);
      return partsOf(value, (performance.now() - started) / 1000);
    });
    onFileChecked(k, parts);
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
  const cache =
    options.cache === undefined
      ? null
      : typeof options.cache === 'string'
        ? new VerifyCache(options.cache)
        : options.cache;
  // The README is read before any worker starts: a README that cannot be read stops the run with no thread to end.
  const readmeText = options.readme ? readReadme(options.readme) : null;
  let pool: WorkerPool | null = null;
  const startPool = (tasks: number) => (pool ??= jobs > 0 && tasks > 0 ? new WorkerPool(Math.min(jobs, tasks)) : null);
  // Without a cache every file has a task at least: the workers load the engine while this thread loads the
  // files. With one, they start only for what the cache does not answer, once that is known.
  if (!cache && files.length > 0) startPool(files.length + 1);
  let report: VerifyReport;
  try {
    report = await verifyFiles(paths, files, all.length, startPool, jobs, options, cache, readmeText);
  } catch (err) {
    // Bad input found while the workers may still be loading the engine: the error goes out at once, and the
    // workers, no longer holding the process open, end on their own.
    (pool as WorkerPool | null)?.abandon();
    throw err;
  }
  await (pool as WorkerPool | null)?.close();
  cache?.prune();
  return report;
}

async function verifyFiles(
  paths: readonly string[],
  listedFiles: readonly string[],
  listed: number,
  startPool: (tasks: number) => WorkerPool | null,
  jobs: number,
  options: VerifyOptions,
  cache: VerifyCache | null,
  readmeText: string | null,
): Promise<VerifyReport> {
  // Every file must load before any is checked: bad input never leaves a half-written result. The text read is the
  // one the cache keys are made from. A file a folder lists that cannot be read (a link to no file) is that file's
  // error, its status in the report, and the others are verified (as check does): it stopped the whole run (a review
  // found it). A file named on the command line that cannot be read stops the run.
  const unreadable = new Map<string, InputError>();
  const texts: string[] = [];
  const files: string[] = [];
  for (const file of listedFiles)
    try {
      texts.push(readDerivationText(file));
      files.push(file);
    } catch (err) {
      if (!(err instanceof InputError) || paths.includes(file)) throw err;
      unreadable.set(file, err);
    }
  const derivations = files.map((f, k) => parseDerivation(texts[k]!, f));
  const fixtures = options.fixtures ?? 'fixtures';
  // Fixtures are read before any check runs: a corrupt one is reported at once.
  const stored = files.map((file) => {
    const fixture = fixtureFor(fixtures, file);
    return existsSync(fixture) ? readFixture(fixture) : null;
  });
  // Refuted claims' repairs are part of the fixtures, searched within verify's own budget.
  const request: CheckRequest = { repair: VERIFY_REPAIR_BUDGET, ...options.request };
  let finished = 0;
  const done = (file: string) => options.onFile?.(file, ++finished, listedFiles.length);
  for (const file of unreadable.keys()) done(file);
  // what the README summary reads of each document, kept apart from the derivations checked in this thread
  const headers = derivations.map(({ file, title, source }) => ({ file, title, source }));
  const selected = (d: Derivation) =>
    request.claims ? d.claims.filter((c) => request.claims!.includes(c.id)) : d.claims;
  const keys = derivations.map((d, k) => (cache ? cache.keysFor(d.file, texts[k]!, selected(d), request) : null));
  // each file's work, taken off `derivations` (checkInTurn lets each go once checked)
  const work: FileWork[] = derivations.splice(0).map((derivation, k) => ({
    derivation,
    text: textDigest(texts[k]!),
    derived: keys[k] ? (cache!.read(keys[k].derived, 'derived') as DerivedPart | null) : null,
    claims: selected(derivation).map(
      (c) => [c.id, keys[k] ? (cache!.read(keys[k].claims.get(c.id)!, 'claim') as ClaimPart | null) : null] as const,
    ),
  }));
  const claimIdsOf = work.map((w) => w.claims.map(([id]) => id));
  const cachedParts = work.map((w) => ({
    derived: w.derived,
    claims: new Map(w.claims.filter(([, p]) => p).map(([id, p]) => [id, p!])),
  }));
  const outcomes: (Outcome | null)[] = files.map(() => null);
  const finish = (k: number, checked: Part[]) => {
    const key = keys[k];
    if (cache && key)
      cache.write(
        files[k]!,
        texts[k]!,
        checked.map((p) => [p.kind === 'derived' ? key.derived : key.claims.get(p.result.id)!, p] as const),
      );
    const derived = cachedParts[k]!.derived ?? (checked.find((p) => p.kind === 'derived') as DerivedPart);
    const byId = new Map(cachedParts[k]!.claims);
    for (const p of checked) if (p.kind === 'claim') byId.set(p.result.id, p);
    const claims = claimIdsOf[k]!.map((id) => byId.get(id)!);
    outcomes[k] = {
      snapshot: fileSnapshot(
        headers[k]!,
        derived.derived,
        claims.map((c) => [c.result.id, c.snapshot] as const),
      ),
      results: claims.map((c) => c.result),
      seconds: checked.reduce((sum, p) => sum + p.seconds, 0),
      fromCache: cache ? { claims: cachedParts[k]!.claims.size, derived: cachedParts[k]!.derived !== null } : null,
    };
    done(files[k]!);
  };
  const left = work.map((w) => tasksOf(w, request).length);
  // files the cache answered for whole are finished first
  work.forEach((_, k) => {
    if (left[k] === 0) finish(k, []);
  });
  const pending = work.map((w, k) => (left[k] ? w : null));
  work.splice(0);
  const pool = startPool(left.reduce((a, b) => a + b, 0));
  if (pool) {
    const onPool = pending.flatMap((w, k) => (w ? [[w, k] as const] : []));
    await checkOnPool(
      pool,
      onPool.map(([w]) => w),
      request,
      jobs,
      (j, parts) => finish(onPool[j]![1], parts),
    );
  } else checkInTurn(pending, request, finish);

  const checked: FileVerdict[] = files.map((file, k) => {
    const { snapshot, results, seconds, fromCache } = outcomes[k]!;
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
      return { file, fixture, status: 'updated', drifts, claims: results, seconds, fromCache, error: null };
    }
    const status = !old ? 'new' : drifts.length ? 'drift' : 'ok';
    return { file, fixture, status, drifts, claims: results, seconds, fromCache, error: null };
  });
  // in the order the files were listed, each unreadable one where it stands
  let next = 0;
  const verdicts: FileVerdict[] = listedFiles.map((file) => {
    const error = unreadable.get(file);
    if (!error) return checked[next++]!;
    const fixture = fixtureFor(fixtures, file);
    return { file, fixture, status: 'error', drifts: [], claims: [], seconds: 0, fromCache: null, error };
  });
  const claims = verdicts.flatMap((v) => v.claims);
  const unexpected = claims.filter((c) => !c.ok).length;
  const drifted = verdicts.filter((v) => v.status === 'drift' || v.status === 'new').length;
  let readme: VerifyReport['readme'] = null;
  if (options.readme && readmeText !== null) {
    const docs = headers.map((h, k) => ({ ...h, claims: checked[k]!.claims }));
    const summary = summaryMarkdown(docs);
    const current = withReport(readmeText, summary);
    if (options.shard) readme = { file: options.readme, status: reportHolds(readmeText, docs) ? 'ok' : 'stale' };
    else if (current === readmeText) readme = { file: options.readme, status: 'ok' };
    // a summary missing an unreadable file's documents is not written over the README
    else if (options.update && unreadable.size === 0) {
      writeFileAtomic(options.readme, current);
      readme = { file: options.readme, status: 'updated' };
    } else readme = { file: options.readme, status: 'stale' };
  }
  return {
    readme,
    cache: cache?.use() ?? null,
    shard: options.shard ? { ...options.shard, of: listed } : null,
    files: verdicts,
    summary: { files: verdicts.length, drifted, claims: claims.length, unexpected, errors: unreadable.size },
    ok: drifted === 0 && unexpected === 0 && unreadable.size === 0 && readme?.status !== 'stale',
  };
}

/** A file's time, and what the cache answered for in it. */
function timing(f: FileVerdict): string {
  const cached = f.fromCache;
  const seconds = `${f.seconds.toFixed(1)} s`;
  if (!cached || (cached.claims === 0 && !cached.derived)) return seconds;
  if (cached.claims === f.claims.length && cached.derived) return 'from the cache';
  return `${seconds}; ${cached.claims} of ${count(f.claims.length, 'claim')}${cached.derived ? ' and the derived forms' : ''} from the cache`;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v)) ?? 'absent';

export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [];
  for (const f of report.files) {
    if (f.error) {
      lines.push(`✗ ${f.file}: error, not verified`, `    ${f.error.message}`);
      continue;
    }
    const bad = f.claims.filter((c) => !c.ok);
    lines.push(
      `${f.status === 'ok' ? '✓' : f.status === 'updated' ? '↻' : '✗'} ${f.file}: ${f.status}, ${count(f.claims.length, 'claim')}${bad.length ? `, ${bad.length} not as expected` : ''} (${timing(f)})`,
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
    lines.push(`shard ${report.shard.index}/${report.shard.count}: ${s.files} of ${count(report.shard.of, 'file')}`);
  if (report.cache) lines.push(cacheUseText(report.cache));
  if (report.readme?.status === 'stale')
    lines.push(
      `✗ ${report.readme.file}: its verdict summary is not the one the checks produce now (run gradproof verify --readme ${report.readme.file} --update)`,
    );
  if (report.readme?.status === 'updated') lines.push(`↻ ${report.readme.file}: verdict summary rewritten`);
  lines.push(
    '',
    `${count(s.files, 'file')}, ${count(s.claims, 'claim')}: ${count(s.drifted, 'file')} drifted, ${count(s.unexpected, 'claim')} not as expected${s.errors ? `, ${count(s.errors, 'file')} not verified (an error)` : ''}`,
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

/**
 * JUnit XML: a test suite per file, a test case per claim; drift and unexpected verdicts are failures. A file that
 * could not be read is a suite of one test case, `(file)`, in error.
 */
export function junitXml(report: VerifyReport): string {
  const suites = report.files.map((f) => {
    if (f.error)
      return `  <testsuite name="${xml(f.file)}" tests="1" failures="0" errors="1" time="0">\n    <testcase classname="${xml(f.file)}" name="(file)" time="0"><error message="${xml(f.error.problem)}">${xml(f.error.message)}</error></testcase>\n  </testsuite>`;
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
  const tests = report.files.reduce((n, f) => n + (f.error ? 1 : f.claims.length), 0);
  const failures = suites.reduce((n, s) => n + Number(/failures="(\d+)"/.exec(s)![1]), 0);
  const errors = report.summary.errors;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="gradproof verify" tests="${tests}" failures="${failures}"${errors ? ` errors="${errors}"` : ''}>\n${suites.join('\n')}\n</testsuites>\n`;
}
