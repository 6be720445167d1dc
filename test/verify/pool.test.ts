/**
 * verify's worker pool hands out tasks queued in one go only once all are queued: the file with the
 * most tasks first, another file to the next worker, and each worker stays on its file while it has
 * tasks queued (its instances and memoised values are there).
 */
import { afterEach, expect, it } from 'vitest';
import { WorkerPool } from '../../src/verify/pool.js';

let pool: WorkerPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

it('tasks queued together start on different files, the larger first, and a file stays with its worker', async () => {
  pool = new WorkerPool(2);
  const small = 'derivations/lab-10-5-vanilla-rnn.yaml';
  const large = 'derivations/lab-10-5-lstm.yaml';
  // Queued in this order: the small file's two tasks first (each worker would take one as they came).
  const files = [small, small, large, large, large];
  const done = await Promise.all(files.map((file) => pool!.run({ kind: 'derived', file })));
  for (const d of done) expect(d.value.kind).toBe('derived');
  const workerOf = (k: number) => done[k]!.worker;
  expect(workerOf(0)).not.toBe(workerOf(2)); // the two files began on different workers
  expect(workerOf(1)).toBe(workerOf(0)); // the small file's second task stayed with its worker
  expect(new Set(done.map((d) => d.worker))).toEqual(new Set([0, 1]));
});
