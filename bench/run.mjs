/**
 * Benchmarks: figures, not pass/fail tests. `npm run bench` builds, then runs
 * this against the compiled library (what `npx gradproof` runs; tsx's
 * on-the-fly transform makes tight loops ~2× slower).
 *
 *  eq1-sweep  the lab's eq. (1) for every lag k = 1..256 at d = 64, T = 256,
 *             on 20 instances (5 per regime), with the reference cross-checks.
 *  verify-eq1 the symbolic engine alone: the lab's eq. (1) as written, exact
 *             canonical forms for every T = 3..12 and k = 1..T, plus the ℤ_p
 *             randomized test at T = 48.
 *  index-d4t6 the 2023 post's closed form for ∂h_t^α/∂w_ij, exact polynomials
 *             for d = 4, t = 1..6, every (α, i, j) with n = 2 (192 cases);
 *             (bench/pathsum.mjs: the same against SymPy, side by side);
 *             then the whole unit-level check (d = 1..4, n = 1..2) and the
 *             induction proof with t symbolic.
 *  shipped    `check` on every shipped derivation with the default settings.
 *
 * Each figure is wall time and the process's CPU time over the runs (CPU moves
 * less with the load of a shared machine). Names given on the command line
 * run only those benchmarks: `node bench/run.mjs index-d4t6 verify-eq1`.
 * `npm run bench` then runs bench/baseline.mjs: the eq1 workload against a hand-written numpy BPTT (ratio, scaling in T and d
 * with fitted exponents, peak memory); `npm run bench:baseline` runs that part alone),
 * bench/pathsum.mjs (the path-sum identity against SymPy) and bench/symbolic-stage.mjs (the symbolic stage
 * of every shipped claim: CPU per file, wall time on 2 worker threads; `npm run bench:symbolic` alone).
 */
// The public API, and the engine's internals that the benchmarks time directly.
import { check, checkDerivation, evidenceMethod, evidenceSummary, loadDerivationFile } from '../dist/index.js';
import { indexCheck, symbolicCheck } from '../dist/check/symbolic-check.js';
import { proveUnitClosedForm } from '../dist/symbolic/induction.js';
import { indexD4T6 } from './pathsum.mjs';

const only = process.argv.slice(2);
const wanted = (label) => only.length === 0 || only.some((name) => label.startsWith(name));

function time(label, run, repeats = 5) {
  if (!wanted(label)) return null;
  const times = [];
  const cpus = [];
  let result;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    result = run();
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpus.push((c.user + c.system) / 1000);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  times.sort((a, b) => a - b);
  console.log(
    `${label}: median ${median(times).toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times.at(-1).toFixed(0)}, ${repeats} runs); CPU median ${median(cpus).toFixed(0)} ms`,
  );
  return result;
}

const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const eq1 = time('eq1-sweep  d=64 m=16 T=256, k=1..256, 20 instances', () =>
  checkDerivation(lab, { claims: ['lab-eq1'], instances: 5, sizeOverrides: { d: 64, m: 16, T: 256 } }),
);
if (eq1) for (const e of eq1[0].evidence) console.log(`  ${evidenceMethod(e)}: ${evidenceSummary(e)}`);
const eq1Claim = lab.claims.find((c) => c.id === 'lab-eq1');
const sym = time('verify-eq1 symbolic, T = 3..12, k = 1..T', () => symbolicCheck(lab, eq1Claim, 1), 5);
if (sym) console.log(`  ${sym.outcome.status}: ${evidenceSummary(sym)}`);
const post = loadDerivationFile('derivations/understanding-lstms-2023-index-level.yaml');
const closed = post.claims.find((c) => c.id === 'closed-form-w');
time('index-d4t6 exact, d = 4, T = 6, n = 2, all (t, α, i, j)', indexD4T6, 3);
const idx = time(
  'index-all  unit-level check of closed-form-w (d = 1..4, n = 1..2, T = 6)',
  () => indexCheck(post, closed),
  3,
);
if (idx) console.log(`  ${evidenceSummary(idx)}`);
const proof = time(
  'proof      induction on t for closed-form-w',
  () => proveUnitClosedForm(post.model, closed.lhs, closed.rhs),
  5,
);
if (proof) console.log(`  ${proof.ok ? 'proved' : 'failed'}: ${proof.steps.length} rule applications`);
const report = time('shipped    check derivations (default: 5 instances per regime)', () => check(['derivations']), 3);
if (report) console.log(`  ${report.summary.total} claims, ${report.summary.failed} not as expected`);
