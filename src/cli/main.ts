/**
 * The gradproof command line: a thin layer over the library. Heavy modules
 * (mathjs, the engine) load only inside the command that needs them, so
 * `gradproof --help` answers at once. Exit codes: 0 every verdict as
 * expected, 1 some verdict not, 2 bad input or usage, 3 internal error.
 */
import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import type { CheckReport } from '../check/result.js';
import { errorsObject, wantsJson } from './json-errors.js';
import { progressBar } from './progress.js';
import { checkOutput, printErr, printOut, UsageError, writeOutput } from './output.js';
import { type CacheArgs, cacheFolder, withCacheOptions } from './cache-option.js';
import { plotCommand, renderCommand } from './render-commands.js';
import { type RepairArgs, RepairUsageError, repairRequest, withRepairOptions } from './repair-option.js';
import { workLimitOption } from './work-limit-option.js';
import { scaffoldCommand } from './scaffold-command.js';
import { tuneTieringForPool } from './v8-tiering.js';
import { parseSizePairs } from './sizes.js';
import { integer } from './integer-option.js';
import { attachDashValues } from './dash-values.js';
import { count } from '../emit/count.js';

/** The version in package.json (two levels up from src/cli and from dist/cli alike). */
function packageVersion(): string {
  const pkg = createRequire(import.meta.url)('../../package.json') as { version?: string };
  return pkg.version ?? 'unknown';
}

/** The library's public API, loaded only by the command that needs it (so `--help` answers at once). */
const library = () => import('../index.js');

/** Sizes beyond this are surely typos; T = 10⁵ at d = 64 is already minutes of work. */
const MAX_SIZE = 100_000;

/** --size pairs as the library's record of sizes (a null-prototype record). */
function parseSizes(raw: readonly string[] | undefined): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  for (const [name, value] of parseSizePairs(raw, MAX_SIZE)) out[name] = value;
  return out;
}

async function runCheck(
  argv: {
    paths: string[];
    seed?: number;
    instances: number;
    instance?: number;
    size?: string[];
    claim?: string[];
    search?: number;
    beyond?: number;
    workLimit?: number;
    json: boolean;
    export?: string;
    jobs?: number;
  } & RepairArgs &
    CacheArgs,
): Promise<number> {
  const repair = repairRequest(argv);
  const folder = cacheFolder(argv);
  const { formatCheckReport, checkReportJson, VerifyCache, cacheUseText, checkInParallel, scriptPath } =
    await library();
  const cache = folder === undefined ? null : new VerifyCache(folder);
  // both files the export writes, before the run: a script path in the way left the JSON written and exit 2 (a review)
  if (argv.export) for (const path of [argv.export, scriptPath(argv.export)]) checkOutput('--export', path);
  const jobs = argv.jobs ?? availableParallelism();
  const bar = progressBar('checking', { quiet: argv.json });
  let report;
  try {
    report = await checkInParallel(
      argv.paths,
      {
        repair,
        ...(argv.seed !== undefined ? { masterSeed: argv.seed } : {}),
        instances: argv.instances,
        ...(argv.instance !== undefined ? { instance: argv.instance } : {}),
        sizeOverrides: parseSizes(argv.size),
        ...(argv.claim ? { claims: argv.claim } : {}),
        ...(argv.search !== undefined ? { search: argv.search } : {}),
        ...(argv.beyond !== undefined ? { beyond: argv.beyond } : {}),
        ...(argv.workLimit !== undefined ? { workLimit: argv.workLimit } : {}),
        onClaim: (id, done, total) => bar.update(id, done, total),
      },
      // V8's tiering set before the workers start (they compile with the flags in force); a run with one claim starts none
      { jobs, cache, beforeWorkers: (workers) => tuneTieringForPool(workers) },
    );
    cache?.prune();
  } finally {
    bar.stop();
  }
  const use = cache?.use();
  // The export is computed before anything is printed: past a claim's work limit its error is the output (one JSON
  // object with --json), and nothing is written.
  const exported = argv.export ? await counterexamplesFor(argv.export, report, argv.workLimit) : null;
  // With every claim ill-formed there is no report to print (JSON always has one object).
  if (argv.json || report.claims.length)
    printOut(
      argv.json
        ? `${JSON.stringify({ ...checkReportJson(report), ...(use ? { cache: use } : {}) }, null, 2)}\n`
        : `${formatCheckReport(report)}\n${use ? `${cacheUseText(use)}\n` : ''}`,
    );
  if (argv.export) await writeExport(argv.export, exported);
  // Ill-formed claims and unreadable files: each located, the rest checked, exit 2 at the end.
  for (const e of report.errors) printErr(`gradproof: ${e.message}\n`);
  return report.errors.length ? 2 : report.summary.failed === 0 ? 0 : 1;
}

/** `--export FILE`'s contents: the refuted claims' counterexamples, each rebuilt within its claim's work limit. */
async function counterexamplesFor(path: string, report: CheckReport, workLimit: number | undefined) {
  const { counterexampleExport } = await library();
  return counterexampleExport(report, basename(path), workLimit);
}

/** `--export FILE`: the refuted claims' counterexamples as JSON, and beside it a numpy script replaying them. */
async function writeExport(path: string, exported: Awaited<ReturnType<typeof counterexamplesFor>>) {
  const { scriptPath, writeFileAtomic } = await library();
  if (!exported) {
    printErr(`gradproof: --export ${path}: no refuted claim, nothing written\n`);
    return;
  }
  writeOutput('--export', path, exported.json, writeFileAtomic);
  writeOutput('--export', scriptPath(path), exported.script, writeFileAtomic);
  printErr(
    `gradproof: ${count(exported.claims, 'counterexample')} written to ${path}; replay with: python3 ${scriptPath(path)}\n`,
  );
}

// Declared as strings so a message can quote what was typed ('abc', not NaN).
async function runDerive(argv: {
  file: string;
  quantity?: string;
  format: string;
  unroll?: string[];
}): Promise<number> {
  const { loadDerivationFile, derive, formatDerived } = await library();
  if (!['text', 'latex', 'json'].includes(argv.format))
    throw new UsageError(`--format takes text, latex or json, got '${argv.format}'`);
  const derivation = loadDerivationFile(argv.file);
  const unroll = argv.unroll ? parseBindings(argv.unroll) : null;
  const results = derive(derivation, argv.quantity ?? null, unroll);
  printOut(`${formatDerived(derivation, results, argv.format as 'text' | 'latex' | 'json')}\n`);
  return 0;
}

async function runVerify(
  argv: {
    paths: string[];
    update: boolean;
    json: boolean;
    junit?: string;
    jobs?: string;
    seed?: number;
    instances: number;
    search?: number;
    beyond?: number;
    workLimit?: number;
    fixtures?: string;
    readme?: string;
    shard?: string;
  } & CacheArgs,
): Promise<number> {
  const shard = argv.shard !== undefined ? parseShard(argv.shard) : undefined;
  if (shard && argv.update && argv.readme)
    throw new UsageError(
      '--shard with --update cannot rewrite --readme: a shard sees only its own documents (update without --shard)',
    );
  // verify's own modules only: the library's rendering and plotting (vega) are no part of it.
  const [{ verify, formatVerifyReport, junitXml }, { writeFileAtomic }] = await Promise.all([
    import('../verify/verify.js'),
    import('../io/atomic-write.js'),
  ]);
  const cache = cacheFolder(argv);
  if (argv.junit) checkOutput('--junit', argv.junit);
  const bar = progressBar('verifying', { quiet: argv.json });
  const jobs = argv.jobs !== undefined ? integer('jobs', 0)(argv.jobs)! : undefined;
  tuneTieringForPool(jobs);
  const report = await verify(argv.paths.length ? argv.paths : ['derivations'], {
    update: argv.update,
    ...(argv.readme ? { readme: argv.readme } : {}),
    ...(argv.fixtures ? { fixtures: argv.fixtures } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(shard ? { shard } : {}),
    ...(cache !== undefined ? { cache } : {}),
    request: {
      instances: argv.instances,
      ...(argv.seed !== undefined ? { masterSeed: argv.seed } : {}),
      ...(argv.search !== undefined ? { search: argv.search } : {}),
      ...(argv.beyond !== undefined ? { beyond: argv.beyond } : {}),
      ...(argv.workLimit !== undefined ? { workLimit: argv.workLimit } : {}),
    },
    onFile: (file, done, total) => bar.update(file, done, total),
  }).finally(() => bar.stop());
  if (argv.junit) writeOutput('--junit', argv.junit, junitXml(report), writeFileAtomic);
  const plain = {
    ok: report.ok,
    summary: report.summary,
    shard: report.shard,
    readme: report.readme,
    cache: report.cache,
    files: report.files.map((f) => ({
      file: f.file,
      fixture: f.fixture,
      status: f.status,
      seconds: f.seconds,
      fromCache: f.fromCache,
      ...(f.error ? { error: f.error.message } : {}),
      drifts: f.drifts,
      claims: f.claims.map((c) => ({
        id: c.id,
        verdict: c.verdict,
        expected: c.expected,
        ok: c.ok,
        corrects: c.corrects,
      })),
    })),
  };
  printOut(argv.json ? `${JSON.stringify(plain, null, 2)}\n` : `${formatVerifyReport(report)}\n`);
  // Unreadable files a folder lists: each its file's error, the rest verified, exit 2 at the end (as check).
  const errors = report.files.flatMap((f) => (f.error ? [f.error] : []));
  for (const e of errors) printErr(`gradproof: ${e.message}\n`);
  return errors.length ? 2 : report.ok ? 0 : 1;
}

async function runReport(argv: { paths: string[]; write?: string }): Promise<number> {
  const [
    { checkDerivation, expandPaths, loadDerivationFile, summaryMarkdown, withReport, writeFileAtomic },
    { readBoundedText },
  ] = await Promise.all([library(), import('../io/read-bounded.js')]);
  // The file to rewrite is read before any check runs: a wrong path (a device, a pipe) is reported at once, by its flag.
  let readme: string | null = null;
  try {
    if (argv.write) readme = readBoundedText(argv.write, 'a Markdown file');
  } catch (err) {
    if (!(err instanceof Error && 'problem' in err)) throw err;
    throw new UsageError(
      `--write ${argv.write}: cannot read (${String(err.problem).replace(/^cannot read file: /, '')})`,
    );
  }
  if (argv.write) checkOutput('--write', argv.write);
  const derivations = expandPaths(argv.paths.length ? argv.paths : ['derivations']).map((f) => loadDerivationFile(f));
  const markdown = summaryMarkdown(
    derivations.map((d) => ({ file: d.file, title: d.title, source: d.source, claims: checkDerivation(d) })),
  );
  if (argv.write && readme !== null) writeOutput('--write', argv.write, withReport(readme, markdown), writeFileAtomic);
  else printOut(`${markdown}\n`);
  return 0;
}

/** Products written out by `--unroll` have at most this many factors each (a longer one is a product to read, not a list). */
const MAX_UNROLL = 1000;

/** `--unroll 3` binds k; `--unroll T=6 --unroll k=3` binds several. */
function parseBindings(raw: readonly string[]): Record<string, number> {
  const out = Object.create(null) as Record<string, number>;
  for (const item of raw) {
    const m = /^(?:([A-Za-z][A-Za-z0-9_]*)=)?(\d+)$/.exec(item);
    if (!m || Number(m[2]) > MAX_UNROLL)
      throw new UsageError(`--unroll takes K or NAME=K (K ≤ ${MAX_UNROLL}), got '${item}'`);
    out[m[1] ?? 'k'] = Number(m[2]);
  }
  return out;
}

/** `--shard i/n`: the i-th of n shards, 1 ≤ i ≤ n (as vitest and Playwright number them). */
function parseShard(raw: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count)
    throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n (e.g. --shard 2/3), got '${raw}'`);
  return { index, count };
}

/**
 * yargs renders a command's whole help text as soon as the command's handler has started, kept for a
 * failure that shows help; this CLI's `.fail` never does, and the rendering (string widths of every
 * option's text, in code not yet compiled) was ≈ 0.1 s of CPU in every command's run. yargs has no
 * option for it: the internal method is replaced when it is there, and left alone otherwise.
 */
function withoutHelpCache<T>(cli: T): T {
  const internal = cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  return cli;
}

export async function main(args: string[]): Promise<void> {
  let code = 0;
  try {
    await withoutHelpCache(yargs(attachDashValues(args)))
      .scriptName('gradproof')
      .usage(
        '$0 <command> [options]\n\nDerive, check and render the mathematics of gradients through recurrent networks.',
      )
      .command(
        'check <paths..>',
        'check the claims of derivation files (or folders of them)',
        (y) =>
          withCacheOptions(withRepairOptions(y), 'their verdicts are printed as checked')
            .positional('paths', {
              type: 'string',
              array: true,
              demandOption: true,
              describe: 'derivation files or folders',
            })
            .option('seed', {
              type: 'string',
              describe: 'master seed (per-instance seeds derive from it)',
              coerce: integer('seed', 0),
            })
            .option('instances', {
              type: 'string',
              default: '5',
              describe: 'instances per regime',
              coerce: integer('instances', 1),
            })
            .option('instance', {
              type: 'string',
              describe: 'replay only this instance index',
              coerce: integer('instance', 0),
            })
            .option('search', {
              type: 'string',
              describe: 'instances the adversarial search of an inequality may evaluate (0 turns it off)',
              coerce: integer('search', 0),
            })
            .option('beyond', {
              type: 'string',
              describe:
                'instances it may evaluate beyond the sampled regimes, for a claim without regimes: (default: a quarter of --search)',
              coerce: integer('beyond', 0),
            })
            .option('work-limit', workLimitOption())
            .option('size', { type: 'string', array: true, describe: 'fix a size, e.g. --size d=4 --size T=8' })
            .option('claim', { type: 'string', array: true, describe: 'check only these claim ids' })
            .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
            .option('export', {
              type: 'string',
              describe: "write refuted claims' counterexamples to this JSON file, with a numpy script beside it (.py)",
            })
            .option('jobs', {
              type: 'string',
              describe:
                'worker threads checking claims at once (default: the available cores, when more than one claim is checked); 0 checks in the main thread',
              coerce: integer('jobs', 0),
            })
            .example('$0 check derivations', 'check every shipped derivation')
            .example('$0 check post.yaml --cache', 'while editing: only the claims that changed are checked again')
            .example(
              '$0 check derivations/lab-10-5-vanilla-rnn.yaml --claim lab-eq1 --seed 7 --instance 3',
              'replay one instance',
            ),
        async (argv) => {
          code = await runCheck(argv as never);
        },
      )
      .command(
        'derive <file> [quantity]',
        'derive closed forms from a model: one-step Jacobians, products over lags, loss gradients',
        (y) =>
          y
            .positional('file', { type: 'string', demandOption: true, describe: 'a derivation file' })
            .positional('quantity', {
              type: 'string',
              describe: "e.g. 'grad(L, h[T-k])' (default: the model's one-step Jacobians)",
            })
            .option('format', { type: 'string', default: 'text', describe: 'text | latex | json' })
            .option('unroll', {
              type: 'string',
              array: true,
              describe: 'write products out for concrete indices: --unroll 3 (k = 3) or --unroll T=6',
            })
            .example(
              "$0 derive derivations/lab-10-5-vanilla-rnn.yaml 'grad(L, h[T-k])' --format latex",
              "the lab's eq. (1)",
            ),
        async (argv) => {
          code = await runDerive(argv);
        },
      )
      .command(
        'verify [paths..]',
        're-derive and re-check every derivation (with the repairs of refuted claims) and compare with the golden fixtures (the CI job)',
        (y) =>
          withCacheOptions(y, 'the fixtures are still compared')
            .positional('paths', {
              type: 'string',
              array: true,
              default: [] as string[],
              describe: 'derivation files or folders (default: derivations)',
            })
            .option('update', {
              type: 'boolean',
              default: false,
              describe: 'rewrite the fixtures that drifted or are missing',
            })
            .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
            .option('junit', { type: 'string', describe: 'also write JUnit XML to this file' })
            .option('readme', {
              type: 'string',
              describe: 'a README whose verdict summary must be current (rewritten with --update), e.g. README.md',
            })
            .option('jobs', {
              type: 'string',
              describe:
                'worker threads checking claims at once (default: the available cores); 0 checks in the main thread',
            })
            .option('fixtures', { type: 'string', describe: 'the fixtures folder (default: fixtures)' })
            .option('shard', {
              type: 'string',
              describe:
                'check only shard i of n (i/n, 1-based): files sorted by path, the j-th (from 0) to shard j mod n + 1',
            })
            .option('seed', { type: 'string', coerce: integer('seed', 0), describe: 'master seed' })
            .option('instances', {
              type: 'string',
              default: '5',
              coerce: integer('instances', 1),
              describe: 'instances per regime',
            })
            .option('search', {
              type: 'string',
              describe: 'instances the adversarial search of an inequality may evaluate (0 turns it off)',
              coerce: integer('search', 0),
            })
            .option('beyond', {
              type: 'string',
              describe:
                'instances it may evaluate beyond the sampled regimes, for a claim without regimes: (default: a quarter of --search)',
              coerce: integer('beyond', 0),
            })
            .option('work-limit', workLimitOption())
            .example('$0 verify --shard 2/3 --readme README.md', 'the second of three CI runners')
            .example('$0 verify --cache --readme README.md', 'a CI run that checks again only the claims that changed'),
        async (argv) => {
          code = await runVerify(argv as never);
        },
      )
      .command(
        'report [paths..]',
        'a Markdown table per document: claim as written, verdict, corrected form and its verdict',
        (y) =>
          withCacheOptions(y, 'the fixtures are still compared')
            .positional('paths', {
              type: 'string',
              array: true,
              default: [] as string[],
              describe: 'derivation files or folders (default: derivations)',
            })
            .option('write', {
              type: 'string',
              describe: 'replace the report section of this Markdown file (e.g. README.md)',
            }),
        async (argv) => {
          code = await runReport(argv);
        },
      )
      .command(renderCommand((c) => (code = c)))
      .command(plotCommand((c) => (code = c)))
      .command(scaffoldCommand((c) => (code = c)))
      .demandCommand(1, 'name a command (see --help)')
      .strict()
      .help()
      .version('version', 'print the version', `gradproof ${packageVersion()}`)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .parseAsync();
  } catch (err) {
    const e = err as Error;
    if (
      e.name === 'InputError' ||
      err instanceof UsageError ||
      e.name === 'UsageError' ||
      err instanceof RepairUsageError ||
      e.name === 'YError'
    ) {
      printErr(`gradproof: ${e.message}\n`);
      if (wantsJson(args)) printOut(errorsObject(e));
      code = 2;
    } else {
      printErr(`gradproof: internal error: ${e.message}\n${process.env.GRADPROOF_DEBUG ? `${e.stack}\n` : ''}`);
      if (wantsJson(args)) printOut(errorsObject(new Error(`internal error: ${e.message}`)));
      code = 3;
    }
  }
  process.exitCode = code;
}

/** True when this file is the program being run (tsx src/cli/main.ts …), not imported by bin/gradproof.js. */
function isEntryPoint(): boolean {
  try {
    return (
      process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

if (isEntryPoint()) await main(process.argv.slice(2));
