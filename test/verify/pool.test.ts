/**
 * verify's worker pool hands out tasks queued in one go only once all are queued: the file with the
 * most tasks first, and a worker stays on its file while it has tasks queued (its instances and
 * memoised values are there). One worker, so the order is the pool's choice alone, not timing.
 */
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { textDigest } from '../../src/verify/cache.js';
import { nextTaskIndex, WorkerPool } from '../../src/verify/pool.js';

let pool: WorkerPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

it('tasks queued together: the file with the most tasks first, then each file to its end', async () => {
  pool = new WorkerPool(1);
  const small = 'derivations/lab-10-5-vanilla-rnn.yaml';
  const large = 'derivations/lab-10-5-lstm.yaml';
  // Queued in this order: the small file's first (dispatched as they came, it would run first).
  const files = [small, large, small, large, large];
  const order: string[] = [];
  await Promise.all(files.map((file) => pool!.run({ kind: 'derived', file }).then(() => order.push(file))));
  expect(order).toEqual([large, large, large, small, small]);
});

it('the next task: its own file first, else the file with the most queued that no other worker is on', () => {
  const queued = ['a', 'b', 'b', 'c', 'c', 'c'];
  expect(nextTaskIndex(queued, 'b', new Set())).toBe(1); // stays on its file
  expect(nextTaskIndex(queued, 'd', new Set())).toBe(3); // its file done: the file with most tasks (c)
  expect(nextTaskIndex(queued, undefined, new Set(['c']))).toBe(1); // c has a worker: b, not c
  expect(nextTaskIndex(['c', 'c'], undefined, new Set(['c']))).toBe(0); // only c left: meet there
});

it("a file's text goes to a worker once: the next claim of it is checked on the text that worker loaded", async () => {
  pool = new WorkerPool(1);
  const file = 'derivations/lab-10-5-vanilla-rnn.yaml';
  const source = readFileSync(file, 'utf8');
  const text = textDigest(source);
  const claims = (id: string, withSource: string) =>
    pool!.run({ kind: 'claims', file, text, source: withSource, claims: [id], request: { instances: 1, search: 0 } });
  const first = await claims('lab-eq1', source);
  // Sent with the task, text that is not the digest's would be read and refused ("the file changed…"): the pool
  // leaves it out for the worker that has the digest's text loaded, so the claim is checked on that.
  const second = await claims('lab-eq1-W-for-WT', 'not the file: 1000 claims would have copied 4 MB each');
  const verdicts = [first, second].map((d) => (d.value.kind === 'claims' ? d.value.results[0]!.verdict : null));
  expect(verdicts).toEqual(['verified', 'refuted']);
});
