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
  const answersOf = (k: number) =>
    cache
      ? cachedAnswers(cache, derivations[k]!, texts[k]!, prepared.request)
      : uncached(derivations[k]!, prepared.request);
  // A file named twice (or inside a folder also named) is one file's work: a copy takes the first's outcomes — with a
  // cache, answered from what the first stored — as one thread checking them in turn gives.
  const firstCopy = derivations.map((d, k) =>
    derivations.findIndex((e, j) => e.file === d.file && texts[j] === texts[k]),
  );
  const answers = new Map<number, CachedAnswers>();
  for (let k = 0; k < derivations.length; k++) if (firstCopy[k] === k) answers.set(k, answersOf(k));
  // Each task carries the text this thread loaded, which its worker checks: not the file again, which may have
  // changed since (what --jobs 0 checks is the text read here too).
  // The digest names the text to a worker that has it loaded already (the pool sends the text to each worker once).
  const tasks: ClaimTask[] = [...answers].flatMap(([file, a]) => {
    const text = a.missing.length ? textDigest(texts[file]!) : '';
    return a.missing.map((id) => ({
      file,
      id,
      task: {
        kind: 'claims',
        file: derivations[file]!.file,
        text,
        source: texts[file]!,
        claims: [id],
        request: shipped,
      } as const,
    }));
  });
  // A worker loads a file whole: one whose claims did not all load is checked here, as is a single claim.
  const loadedWhole = (t: ClaimTask) => !derivations[t.file]!.claimErrors?.length;
  const eligible = tasks.filter(loadedWhole);
  const pooled = options.jobs > 0 && eligible.length >= 2 ? eligible : [];
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
    for (const t of tasks.filter((t) => !outcomes.has(t))) {
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
    const first = firstCopy[file]!;
    const a = first === file ? answers.get(file)! : answersOf(file);
    const parts: Part[] = [];
    for (const id of a.missing) {
      const task = tasks.find((t) => t.file === first && t.id === id);
      if (first !== file) onClaim?.(id, 0, 0);
      // a copy's claim the cache no longer answers (its entry went since the first copy read it): the first's answer
      if (!task) {
        a.answered.set(id, answers.get(first)!.answered.get(id)!);
        continue;
      }
      const outcome = outcomes.get(task)!;
      if ('error' in outcome) errors.push(outcome.error);
      else parts.push(outcome.part);
    }
    storeChecked(cache, d, texts[file]!, a, parts);
    return inFileOrder(d, prepared.request, a);
  });
  return checkReport(prepared, claims);
}

/** A claim task's answer as the part the cache keeps (a task checks one claim: its time is that claim's). */
function claimPart(done: TaskDone): Part {
  if (done.value.kind !== 'claims') throw new Error('a claim task answered with derived forms');
  return { kind: 'claim', result: done.value.results[0]!, snapshot: done.value.snapshots[0]!, seconds: done.seconds };
}
