/**
 * The 2023 post's path-sum identity (∂h_t^α/∂w_ij as a sum over index paths)
 * checked as exact polynomials for d = 4, n = 2, t = 1..6 and every (α, i, j)
 * — 192 cases — by gradproof's exact engine and by SymPy
 * (bench/pathsum_sympy.py, written independently), side by side: process CPU
 * time of each, alternating, and the ratio. Figures, not a test.
 *
 *   npm run build && node bench/pathsum.mjs [repeats]
 *
 * Needs python3 with sympy for the baseline; says so and skips it otherwise.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bindings } from '../dist/check/bindings.js';
import { loadDerivationFile } from '../dist/index.js';
import { cpolyKey } from '../dist/symbolic/cpoly.js';
import { PolyEvaluator } from '../dist/symbolic/domains/polynomial.js';

const SIZES = { d: 4, n: 2, m: 1, T: 6 };

/** Every binding of the closed form at SIZES, lhs and rhs as exact polynomials; returns the cases compared. */
export function indexD4T6() {
  const post = loadDerivationFile(
    fileURLToPath(new URL('../derivations/understanding-lstms-2023-index-level.yaml', import.meta.url)),
  );
  const closed = post.claims.find((c) => c.id === 'closed-form-w');
  const pe = new PolyEvaluator(post.model, SIZES);
  let cases = 0;
  for (const b of bindings(closed, SIZES)) {
    if (cpolyKey(pe.evaluate(closed.lhs, b).data[0]) !== cpolyKey(pe.evaluate(closed.rhs, b).data[0]))
      throw new Error(`differs at ${JSON.stringify(b)}`);
    cases++;
  }
  return cases;
}

/** gradproof in a fresh process: {cases, seconds (process CPU of the check alone), maxrss_kib}. */
function gradproofRun() {
  const script = `
    const { indexD4T6 } = await import(${JSON.stringify(import.meta.url)});
    const c0 = process.cpuUsage();
    const cases = indexD4T6();
    const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ cases, seconds: (c.user + c.system) / 1e6, maxrss_kib: process.resourceUsage().maxRSS }));
  `;
  return childJson(process.execPath, ['--input-type=module', '-e', script]);
}

function sympyRun() {
  return childJson('python3', [fileURLToPath(new URL('./pathsum_sympy.py', import.meta.url))]);
}

function childJson(command, args) {
  const run = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (run.error || run.status !== 0) return { error: (run.error?.message ?? run.stderr).trim().split('\n').at(-1) };
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const repeats = Number(process.argv[2] ?? 2);
  const probe = spawnSync('python3', ['-c', 'import sympy; print(sympy.__version__)'], { encoding: 'utf8' });
  const sympyVersion = probe.status === 0 ? probe.stdout.trim() : null;
  console.log(
    `path-sum identity, d = 4, n = 2, t = 1..6, all (α, i, j): gradproof vs SymPy ${sympyVersion ?? '(not available)'}`,
  );
  if (!sympyVersion) console.log('  python3 with sympy not found: the SymPy baseline is skipped');
  const ours = [];
  const theirs = [];
  for (let r = 0; r < repeats; r++) {
    ours.push(gradproofRun());
    if (sympyVersion) theirs.push(sympyRun());
  }
  const line = (label, runs) => {
    const failed = runs.find((x) => x.error);
    if (failed) return (console.log(`  ${label}: failed (${failed.error})`), null);
    const best = Math.min(...runs.map((x) => x.seconds));
    const rss = Math.max(...runs.map((x) => x.maxrss_kib)) / 1024;
    console.log(
      `  ${label}: ${runs[0].cases} cases, CPU ${best.toFixed(3)} s (best of ${runs.length}), peak RSS ${rss.toFixed(0)} MiB`,
    );
    return best;
  };
  const g = line('gradproof', ours);
  const s = sympyVersion ? line('SymPy    ', theirs) : null;
  if (g && s) console.log(`  SymPy / gradproof = ${(s / g).toFixed(1)}× (CPU time of the check, start-up excluded)`);
}
