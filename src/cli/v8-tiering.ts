/**
 * V8's tiering for `verify` on a pool that keeps every core busy: seconds of work spread over thousands of
 * lukewarm functions (an operator record's `exact`, `print`, `dims`…; the canonicalizer's; the checkers'),
 * each hot for a while and then done with, compiled again in every worker's isolate.
 *
 * With V8's defaults a function is optimised by TurboFan after a small budget of interpreted work, often
 * several times (199 "wrong map" deoptimisations over the corpus, `node --trace-deopt`), with what it calls
 * inlined. The compiling runs on V8's background threads: free while a core is idle, but on a pool with a
 * worker per core it takes the workers' own time — half of the process's CPU besides the workers' (20.9 s
 * against 27.1 s in `verify`). A larger interrupt budget (the interpreted work before a function is
 * optimised) leaves lukewarm functions in the baseline tiers, and no inlining makes each compile cheaper.
 * Neither changes what code computes. Measured on the shipped corpus, 2 cores, alternating runs
 * (bench/verify.mjs and bench/symbolic-stage.mjs, 2026-12-03):
 * - `verify`, 2 workers: 24.8 → 21.2 s wall, 48.3 → 41.1 s CPU (compiler and GC threads 20.9 → 7.9 s);
 * - its symbolic stage alone, 2 workers: 6.1–6.3 → 4.6 s wall, 11.8–12.3 → 9.0 s CPU;
 * - but with one busy thread (`--jobs 0`, `--jobs 1`, `check`) the same CPU and 10–18 % more wall time: the
 *   idle core compiled for free, and the code stays longer in slower tiers. So only a saturating pool gets it.
 * The flags are the process's (the workers started after them have them too), so only the command line sets
 * them, never the library. GRADPROOF_V8_TIERING=default keeps V8's own (to compare).
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

export const TIERING_FLAGS = ['--interrupt-budget=1000000', '--no-turbo-inlining'] as const;

/** Whether `jobs` workers (verify's default: one per core) leave no core idle for V8's background compiling. */
export const busiesEveryCore = (jobs: number | undefined, cores = availableParallelism()): boolean =>
  cores >= 2 && (jobs ?? cores) >= cores;

/**
 * Sets TIERING_FLAGS when a pool of `jobs` workers busies every core (before the workers start: they compile
 * with the flags in force), unless GRADPROOF_V8_TIERING=default. Whether it set them.
 */
export function tuneTieringForPool(jobs: number | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.GRADPROOF_V8_TIERING === 'default' || !busiesEveryCore(jobs)) return false;
  for (const flag of TIERING_FLAGS) setFlagsFromString(flag);
  return true;
}
