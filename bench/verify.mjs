/**
 * `verify` on the shipped corpus: wall and CPU time (every thread of the
 * process, workers included) in the main thread (`--jobs 0`), on one worker (`--jobs 1`) and with the default pool,
 * each in a fresh process, as `npx gradproof verify` runs. Figures, not a
 * test: on a shared machine wall time moves with the load, CPU time less so
 * (the load average is printed beside them). Each run is made twice, alternating: with V8's tiering as
 * `gradproof verify` sets it (src/cli/v8-tiering.ts: tuned where the pool busies every core, so the
 * one-thread runs are the same twice) and with V8's defaults, and the ratio is printed.
 *
 * Then `verify --cache` with the default pool, in a copy of the corpus: an empty cache, every claim cached, a
 * comment added in one claim of the largest file (that claim alone is checked again), and one outside the claims
 * of another file (all its claims are).
 *
 *   npm run build && node bench/verify.mjs [repeats] [--cache-only]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const cacheOnly = process.argv.includes('--cache-only');
const repeats = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 1);
const dist = new URL('../dist/', import.meta.url).href;
// One child per run: it times its own verify (wall, and process CPU — all threads) and prints one JSON line.
const child = (jobs, cache = null) => `
  const { tuneTieringForPool } = await import('${dist}cli/v8-tiering.js');
  tuneTieringForPool(${jobs === null ? 'undefined' : jobs}); // as \`gradproof verify\` does, unless GRADPROOF_V8_TIERING=default
  const { verify } = await import('${dist}index.js');
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  const report = await verify(['derivations'], { readme: 'README.md'${jobs === null ? '' : `, jobs: ${jobs}`}${cache ? `, cache: ${JSON.stringify(cache)}` : ''} });
  const c = process.cpuUsage(c0);
  const startup = process.cpuUsage(); // since the process began: start-up included
  // Per thread (Linux /proc): the main thread, and V8's platform threads (concurrent compilation and GC, for
  // every isolate); the workers have exited, so their own CPU is the rest of the process's.
  const { readdirSync, readFileSync, existsSync } = await import('node:fs');
  const threads = existsSync('/proc/self/task')
    ? readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return { main: Number(tid) === process.pid, cpu: (Number(f[11]) + Number(f[12])) / 100 }; // utime + stime: ticks of 10 ms
      })
    : null;
  const threadCpu = (main) => threads.filter((t) => t.main === main).reduce((a, t) => a + t.cpu, 0);
  console.log(JSON.stringify({
    mainThread: threads ? threadCpu(true) : null,
    v8Threads: threads ? threadCpu(false) : null,
    wall: (performance.now() - w0) / 1000,
    cpu: (c.user + c.system) / 1e6,
    total: (startup.user + startup.system) / 1e6,
    ok: report.ok,
    claims: report.summary.claims,
    checked: report.cache && report.cache.claims.checked,
  }));
`;
const runChild = (jobs, { cache = null, cwd = undefined, env = {} } = {}) => {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', child(jobs, cache)], {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, GRADPROOF_V8_TIERING: undefined, ...env },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
};

console.log(`verify on derivations/ (${availableParallelism()} cores available)`);
const tierings = [
  ['tuned', {}],
  ['V8 defaults', { GRADPROOF_V8_TIERING: 'default' }],
];
for (const [label, jobs] of cacheOnly
  ? []
  : [
      ['--jobs 0 (main thread)', 0],
      ['--jobs 1 (one worker)', 1],
      [`default (${availableParallelism()} workers)`, null],
    ]) {
  const walls = new Map(tierings.map(([t]) => [t, []]));
  for (let r = 0; r < repeats; r++)
    for (const [tiering, env] of tierings) {
      const load = loadavg()[0].toFixed(1);
      const m = runChild(jobs, { env });
      walls.get(tiering).push(m);
      console.log(
        `${label}, ${tiering}: wall ${m.wall.toFixed(1)} s, CPU ${m.cpu.toFixed(1)} s (process ${m.total.toFixed(1)} s with start-up${
          m.mainThread === null
            ? ''
            : `: main thread ${m.mainThread.toFixed(1)} s, V8 compiler/GC threads ${m.v8Threads.toFixed(1)} s, workers ${(m.total - m.mainThread - m.v8Threads).toFixed(1)} s`
        }), ${m.claims} claims, ${m.ok ? 'no drift' : 'DRIFT'}; load average ${load}`,
      );
    }
  const mean = (t, key) => walls.get(t).reduce((a, m) => a + m[key], 0) / repeats;
  console.log(
    `${label}: tuned / V8 defaults = ${(mean('tuned', 'wall') / mean('V8 defaults', 'wall')).toFixed(2)}× wall, ${(mean('tuned', 'cpu') / mean('V8 defaults', 'cpu')).toFixed(2)}× CPU (mean of ${repeats})`,
  );
}

// verify --cache: a copy of the corpus (derivations, fixtures, README) with a cache folder of its own
const copy = mkdtempSync(join(tmpdir(), 'gp-bench-cache-'));
for (const part of ['derivations', 'fixtures', 'README.md'])
  cpSync(new URL(`../${part}`, import.meta.url), join(copy, part), { recursive: true });
const cache = join(copy, '.gradproof-cache');
const cached = (label) => {
  const m = runChild(null, { cache, cwd: copy });
  console.log(
    `--cache, ${label}: wall ${m.wall.toFixed(2)} s, CPU ${m.cpu.toFixed(2)} s (process ${m.total.toFixed(2)} s with start-up), ${m.checked} of ${m.claims} claims checked, ${m.ok ? 'no drift' : 'DRIFT'}`,
  );
};
cached('empty cache');
for (let r = 0; r < repeats; r++) cached('every claim cached');
const edit = (file, from, to, label) => {
  const path = join(copy, 'derivations', file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  writeFileSync(path, text.replace(from, to));
  cached(`${file}: ${label}`);
};
// comments: other text, the same claims, so what is checked again gives the same outcome (and the fixtures hold)
edit(
  'understanding-lstms-2023-index-level.yaml',
  '    expect: ',
  '    # edited for bench/verify.mjs\n    expect: ',
  'a comment in one claim (of 66)',
);
edit(
  'how-lstms-solve-vanishing-gradients-2019.yaml',
  '\nclaims:\n',
  '\n# edited for bench/verify.mjs\nclaims:\n',
  'a comment outside the claims (49 claims)',
);
