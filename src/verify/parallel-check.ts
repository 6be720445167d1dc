/**
 * `check` on worker threads: verify's pool (./pool.ts) fed one task per claim, so a file of 49 claims is checked on
 * every core instead of one. The claims of a file are independent (each has its own budgets and caches; the
 * instances a claim draws depend on its seeds alone — bench/order-audit.mjs checks that each claim's result is the
 * one it gets alone), so the results are those `check` gives in one thread, in the same order, with the same
 * errors. Input is refused before any worker starts, by the same code (prepareCheck). A file whose claims did not
 * all load is checked in this thread (a worker loads a file whole), as is a run with a single claim to check,
 * where starting a worker costs more than it saves.
 */
import { checkDerivation, type CheckRequest, checkReport, InstancePool, prepareCheck } from '../check/check.js';
import type { CheckReport, ClaimResult } from '../check/result.js';
import type { Derivation } from '../derivation/derivation.js';
import { InputError } from '../derivation/errors.js';
import { type Part, textDigest, type VerifyCache } from './cache.js';
import { type CachedAnswers, cachedAnswers, inFileOrder, storeChecked, uncached } from './cached-check.js';
import { type Task, type TaskDone, WorkerPool } from './pool.js';
import { snapshotClaim } from './snapshot.js';

export interface ParallelCheckOptions {
  /** worker threads at most (0: this thread) */
  readonly jobs: number;
  /** answer claims from this cache where it can, and store the others (as `check --cache`) */
  readonly cache?: VerifyCache | null;
  /** called with the number of workers before they start (the command line tunes V8's tiering there) */
  readonly beforeWorkers?: (workers: number) => void;
}

/** One claim to check: where it belongs, and its task. */
interface ClaimTask {
  readonly file: number;
  readonly id: string;
  readonly task: Task & { kind: 'claims' };
}

/** A claim's outcome: its result and what the cache keeps of it, or the error that made it ill-formed. */
type Outcome = { readonly part: Part } | { readonly error: InputError };

export async function checkInParallel(
  paths: readonly string[],
  request: CheckRequest,
  options: ParallelCheckOptions,
): Promise<CheckReport> {
  const prepared = prepareCheck(paths, request);
  const { derivations, texts, errors } = prepared;
  const { onClaim, ...shipped } = prepared.request;
  const cache = options.cache ?? null;
  const answers: CachedAnswers[] = derivations.map((d, k) =>
    cache ? cachedAnswers(cache, d, texts[k]!, prepared.request) : uncached(d, prepared.request),
  );
  const tasks: ClaimTask[] = derivations.flatMap((d, file) =>
    answers[file]!.missing.map((id) => ({
      file,
      id,
      task: { kind: 'claims', file: d.file, text: textDigest(texts[file]!), claims: [id], request: shipped } as const,
    })),
  );
  const inThread = (d: Derivation) => options.jobs === 0 || tasks.length < 2 || (d.claimErrors?.length ?? 0) > 0;
  const pooled = tasks.filter((t) => !inThread(derivations[t.file]!));
  const outcomes = new Map<ClaimTask, Outcome>();
  const settle = (t: ClaimTask, outcome: Outcome) => {
    outcomes.set(t, outcome);
    onClaim?.(t.id, 0, 0);
  };
  const workers = Math.min(options.jobs, pooled.length);
  if (workers > 0) options.beforeWorkers?.(workers);
  const pool = workers > 0 ? new WorkerPool(workers) : null;
  try {
    const running = pooled.map((t) =>
      pool!.run(t.task).then(
        (done) => settle(t, { part: claimPart(done) }),
        (err: unknown) => {
          // an ill-formed claim is its own error; anything else (a worker that died) ends the run
          if (!(err instanceof InputError)) throw err;
          settle(t, { error: err });
        },
      ),
    );
    await Promise.all(running);
    // this thread's share (one instance pool per file, as a worker keeps), once the workers are done: the pool hands
    // out tasks from this thread's event loop
    const instances = new Map<number, InstancePool>();
    for (const t of tasks.filter((t) => inThread(derivations[t.file]!))) {
      const d = derivations[t.file]!;
      let pool = instances.get(t.file);
      if (!pool) instances.set(t.file, (pool = new InstancePool(d)));
      const started = performance.now();
      const ill: InputError[] = [];
      const [result] = checkDerivation(d, { ...shipped, claims: [t.id] }, ill, pool);
      const seconds = (performance.now() - started) / 1000;
      settle(
        t,
        result ? { part: { kind: 'claim', result, snapshot: snapshotClaim(d, result), seconds } } : { error: ill[0]! },
      );
    }
  } finally {
    await pool?.close();
  }
  // the files' order, each file's claims in order, as one thread checks them
  const claims: ClaimResult[] = derivations.flatMap((d, file) => {
    const parts: Part[] = [];
    for (const t of tasks)
      if (t.file === file) {
        const outcome = outcomes.get(t)!;
        if ('error' in outcome) errors.push(outcome.error);
        else parts.push(outcome.part);
      }
    storeChecked(cache, d, texts[file]!, answers[file]!, parts);
    return inFileOrder(d, prepared.request, answers[file]!);
  });
  return checkReport(prepared, claims);
}

/** A claim task's answer as the part the cache keeps (a task checks one claim: its time is that claim's). */
function claimPart(done: TaskDone): Part {
  if (done.value.kind !== 'claims') throw new Error('a claim task answered with derived forms');
  return { kind: 'claim', result: done.value.results[0]!, snapshot: done.value.snapshots[0]!, seconds: done.seconds };
}
