/**
 * A worker thread of `verify`'s pool: started once, it answers tasks until
 * the pool closes — the claims of a file (their results and snapshots) or a
 * file's derived forms. The derivation and instances of the file it works on
 * are kept, so the parts of one file cost its loading once per worker. verify's
 * tasks name the file (and the digest of the text the main thread read);
 * check's carry the text itself, which is what it checks.
 */
import { parentPort } from 'node:worker_threads';
import { InstancePool } from '../check/check.js';
import type { Derivation } from '../derivation/derivation.js';
import { InputError } from '../derivation/errors.js';
import { parseDerivation, readDerivationText } from '../derivation/load.js';
import { textDigest } from './cache.js';
import { runTask } from './snapshot.js';
import type { Task, TaskReply } from './pool.js';

const loaded = new Map<string, { derivation: Derivation; pool: InstancePool; digest: string }>();

function fileState(file: string, source: string | undefined) {
  let state = loaded.get(file);
  if (state && source !== undefined && state.digest !== textDigest(source)) state = undefined;
  if (!state) {
    // The pool hands a worker its file's tasks while any is queued, and every task is queued at the start:
    // once it moves to another file it is not sent back to this one, so the file's instances and memoised
    // values are dropped (a task of it that did come would load it again, with the same results).
    loaded.clear();
    const text = source ?? readDerivationText(file);
    const derivation = parseDerivation(text, file);
    state = { derivation, pool: new InstancePool(derivation), digest: textDigest(text) };
    loaded.set(file, state);
  }
  return state;
}

function run(task: Task): TaskReply['value'] {
  const { derivation, pool, digest } = fileState(task.file, task.kind === 'claims' ? task.source : undefined);
  // Answers for text the main thread did not read would be judged, and cached, as its own.
  if (task.text !== undefined && task.text !== digest)
    throw new InputError(
      { file: task.file, line: 1, col: 1 },
      'the file changed while verify was checking it',
      'files left as they are until verify ends',
    );
  return runTask(derivation, pool, task);
}

parentPort!.on('message', ({ id, task }: { id: number; task: Task }) => {
  const started = performance.now();
  try {
    const value = run(task);
    parentPort!.postMessage({ id, ok: true, value, seconds: (performance.now() - started) / 1000 });
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({
      id,
      ok: false,
      error: {
        name: e.name,
        message: e.message,
        pos: (e as { pos?: unknown }).pos ?? null,
        problem: (e as { problem?: string }).problem,
        expected: (e as { expected?: string }).expected,
      },
    });
  }
});
