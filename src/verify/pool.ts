/**
 * `verify`'s worker pool: `size` worker threads started once, each loading
 * the engine once, fed tasks (a file's claims, a file's derived forms) as
 * they come free — so a file with many claims spreads over the cores, and no
 * task pays a cold start.
 */
import { Worker } from 'node:worker_threads';
import type { CheckRequest } from '../check/check.js';
import type { ClaimResult } from '../check/result.js';
import { InputError, type SourcePos } from '../derivation/errors.js';
import type { ClaimSnapshot, FileSnapshot } from './snapshot.js';

/**
 * `text`: the SHA-256 of the file's text as the main thread read it (textDigest in ./cache.ts); a worker that reads
 * other text (the file changed during the run) fails the task instead of answering for text no one else saw.
 */
export type Task =
  | {
      readonly kind: 'claims';
      readonly file: string;
      /** the digest of the text the main thread read: a worker reading other text refuses the task (verify) */
      readonly text?: string;
      /** the text itself, which the worker checks instead of reading the file (check: the text it loaded) */
      readonly source?: string;
      readonly claims: readonly string[];
      readonly request: CheckRequest;
    }
  | { readonly kind: 'derived'; readonly file: string; readonly text?: string };

export type TaskValue =
  | { readonly kind: 'claims'; readonly results: ClaimResult[]; readonly snapshots: ClaimSnapshot[] }
  | { readonly kind: 'derived'; readonly derived: FileSnapshot['derived'] };

export interface TaskReply {
  readonly id: number;
  readonly ok: boolean;
  readonly value: TaskValue;
  /** the task's time in its worker */
  readonly seconds: number;
  readonly error?: {
    readonly name: string;
    readonly message: string;
    readonly pos: SourcePos | null;
    readonly problem?: string;
    readonly expected?: string;
  };
}

/** A task's answer, its time in its worker, and which worker (0-based, in start order) it ran on. */
export interface TaskDone {
  readonly value: TaskValue;
  readonly seconds: number;
  readonly worker: number;
}

interface Pending {
  readonly id: number;
  readonly task: Task;
  readonly resolve: (reply: TaskDone) => void;
  readonly reject: (err: Error) => void;
}

// Under tsx (tests, `npm run gradproof`) a worker registers the TypeScript loader first.
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker-tsx.mjs' : './worker.js', import.meta.url);

/**
 * A worker's young generation (3 × its semi-space): checking allocates many short-lived arrays beside
 * memo tables that live for a file, and V8's default 16 MiB semi-space scavenges (and promotes) often.
 * Measured on the shipped corpus (`verify`, 2 workers, 3 alternating runs each): 96 MiB 59.2 s CPU, 31.7 s
 * wall, 1.13 GB peak RSS; 192 MiB 55.5 s, 29.7 s, 1.19 GB; 256 MiB 53.4 s, 28.5 s, 1.44 GB. A tenth less
 * time for a third of a gigabyte more at the peak.
 */
export const YOUNG_GENERATION_MB = 256;

/**
 * A worker inherits the process's options, but one started by `node --input-type=module -e …` (as
 * bench/verify.mjs does) would refuse to load its file: that option is for the process's own script only.
 * Node refuses V8's options in a worker's list (`node --max-old-space-size=4096 …/gradproof verify` stopped with an
 * internal error): they are the process's, in force in every worker already, and `startWorker` leaves them out.
 */
let workerExecArgv: readonly string[] = process.execArgv.filter(
  (a, k, all) => !a.startsWith('--input-type') && all[k - 1] !== '--input-type',
);

/** A pool's worker, with the process's options a worker takes (see workerExecArgv). */
function startWorker(): Worker {
  const start = () =>
    new Worker(WORKER_URL, {
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      execArgv: [...workerExecArgv],
    });
  try {
    return start();
  } catch (err) {
    // Node names the options it refused ("…invalid execArgv flags: --max-old-space-size=4096, --expose-gc")
    const refused =
      (err as { code?: string }).code === 'ERR_WORKER_INVALID_EXEC_ARGV' && /flags: (.*)$/.exec((err as Error).message);
    if (!refused) throw err;
    const names = new Set(refused[1]!.split(', '));
    workerExecArgv = workerExecArgv.filter((a) => !names.has(a));
    return start();
  }
}

/**
 * The next task for a worker, as an index into the files of the queued tasks: another of its file's if any is
 * queued (instances and memoised sweeps are shared by a file's claims), else the first of the file with the
 * most tasks queued that no busy worker is on — so the workers start on different large files and meet on
 * the last one. (bench/symbolic-stage.mjs hands out claims by it too.)
 */
export function nextTaskIndex(
  queued: readonly string[],
  last: string | undefined,
  busyFiles: ReadonlySet<string>,
): number {
  const same = last === undefined ? -1 : queued.indexOf(last);
  if (same >= 0) return same;
  const counts = new Map<string, number>();
  for (const file of queued) counts.set(file, (counts.get(file) ?? 0) + 1);
  let best = 0;
  let bestScore = -Infinity;
  queued.forEach((file, k) => {
    // a file another worker is on counts less: prefer a file of one's own
    const score = counts.get(file)! - (busyFiles.has(file) ? 1e6 : 0);
    if (score > bestScore) [best, bestScore] = [k, score];
  });
  return best;
}

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private failure: Error | null = null;

  constructor(size: number) {
    this.grow(size);
  }

  /** Starts workers until there are `size` (a pool started before its tasks are known grows to fit them). */
  grow(size: number): void {
    for (let k = this.workers.length; k < size; k++) {
      const worker = startWorker();
      worker.on('message', (reply: TaskReply) => this.settle(worker, reply));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`a verify worker stopped (exit code ${code})`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  private closing = false;

  run(task: Task): Promise<TaskDone> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.dispatchSoon();
    });
  }

  private dispatchScheduled = false;

  /**
   * Tasks queued in one go (verify queues every file's at once) are handed out once all are queued: the
   * first two went to two workers as they came, so both loaded the first file and began on it.
   */
  private dispatchSoon(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      if (!this.failure) this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const worker = this.idle.pop()!;
      const [pending] = this.queue.splice(this.pick(this.lastFile.get(worker)), 1);
      this.busy.set(worker, pending!);
      const { task } = pending!;
      this.lastFile.set(worker, task.file);
      // A worker keeps the file it last loaded: the text goes to it once, not with each claim (a 4 MB file of 1000
      // claims cost 1000 copies and digests — 42 s of CPU, 27 s of it in the kernel, and 1.1 GB, against 6.6 s and
      // 280 MB in one thread; a review's).
      const loaded = task.text === undefined ? undefined : `${task.file}\0${task.text}`;
      const warm = loaded !== undefined && this.lastText.get(worker) === loaded;
      this.lastText.set(worker, loaded);
      worker.postMessage({
        id: pending!.id,
        task: warm && task.kind === 'claims' && task.source !== undefined ? { ...task, source: undefined } : task,
      });
    }
  }

  /** the file and digest of the text each worker last loaded (undefined: not known) */
  private readonly lastText = new Map<Worker, string | undefined>();

  /** the file each worker last worked on: its instances and memoised values are warm there */
  private readonly lastFile = new Map<Worker, string>();

  private pick(last: string | undefined): number {
    return nextTaskIndex(
      this.queue.map((p) => p.task.file),
      last,
      new Set([...this.busy.values()].map((p) => p.task.file)),
    );
  }

  private settle(worker: Worker, reply: TaskReply): void {
    const pending = this.busy.get(worker);
    if (!pending || pending.id !== reply.id) return;
    this.busy.delete(worker);
    this.idle.push(worker);
    if (reply.ok) pending.resolve({ value: reply.value, seconds: reply.seconds, worker: this.workers.indexOf(worker) });
    else {
      const e = reply.error!;
      pending.reject(
        e.name === 'InputError' && e.pos
          ? new InputError(e.pos, e.problem ?? e.message, e.expected)
          : new Error(e.message),
      );
    }
    this.dispatch();
  }

  /** A worker died: its task and every queued one fail with the cause. */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const pending of [...this.busy.values(), ...this.queue.splice(0)]) pending.reject(this.failure);
    this.busy.clear();
  }

  /** Ends the workers without waiting for them, and without their holding the process open meanwhile. */
  abandon(): void {
    this.closing = true;
    for (const w of this.workers) {
      w.unref();
      void w.terminate();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
