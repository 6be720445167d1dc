/** One derivation file checked in a worker thread (for `verify` on several cores). */
import { parentPort, workerData } from 'node:worker_threads';
import { loadDerivationFile } from '../derivation/load.js';
import type { CheckRequest } from '../check/check.js';
import { snapshotDerivation } from './snapshot.js';

const { file, request } = workerData as { file: string; request: CheckRequest };
try {
  const { snapshot, results } = snapshotDerivation(loadDerivationFile(file), request);
  parentPort!.postMessage({ ok: true, snapshot, results });
} catch (err) {
  const e = err as Error;
  parentPort!.postMessage({
    ok: false,
    name: e.name,
    message: e.message,
    pos: (e as { pos?: unknown }).pos ?? null,
    problem: (e as { problem?: string }).problem,
    expected: (e as { expected?: string }).expected,
  });
}
