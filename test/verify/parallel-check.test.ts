/**
 * `check` on worker threads (src/verify/parallel-check.ts): the results, the errors and their order that `check`
 * gives in one thread; with a cache, the answers `check --cache` gives; a file whose claims did not all load is
 * checked in this thread, and its ill-formed claims reported as one thread reports them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { VerifyCache } from '../../src/verify/cache.js';
import { cachedChecker } from '../../src/verify/cached-check.js';
import { checkInParallel } from '../../src/verify/parallel-check.js';
import { gradproof } from '../cli/spawn.js';

const EQ5 = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-eq5.yaml';
const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';
const fresh = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const messages = (r: { errors: readonly Error[] }) => r.errors.map((e) => e.message);

describe('check on worker threads', () => {
  it('gives the results one thread gives, in the same order, and counts progress over every claim', async () => {
    const request = { instances: 1, claims: ['eq5', 'eq5-last-step', 'lab-eq1', 'lab-eq2', 'lab-eq1-W-for-WT'] };
    const progress: number[] = [];
    const parallel = await checkInParallel(
      [EQ5, LAB],
      { ...request, onClaim: (_id, done, total) => progress.push(done * 100 + total) },
      { jobs: 2 },
    );
    const alone = check([EQ5, LAB], request);
    expect(parallel.claims).toEqual(alone.claims);
    expect(parallel.claims.map((c) => c.id)).toEqual([
      'eq5',
      'eq5-last-step',
      'lab-eq1',
      'lab-eq1-W-for-WT',
      'lab-eq2',
    ]);
    expect(parallel.summary).toEqual(alone.summary);
    expect(progress.sort((a, b) => a - b)).toEqual([105, 205, 305, 405, 505]);
  });

  it('reports ill-formed claims (found loading, found checking) as one thread does, and checks the rest', async () => {
    const dir = fresh('gp-pcheck-');
    // r[t+1] at t = T leaves the unrolled graph: found while the claim is checked (on a worker)
    const leaving = join(dir, 'eq5.yaml');
    writeFileSync(leaving, readFileSync(EQ5, 'utf8').replace('forall: t in 1..T-1', 'forall: t in 1..T'));
    // an unknown sequence: found while the file loads (the file is checked in this thread)
    const unknown = join(dir, 'lab.yaml');
    writeFileSync(
      unknown,
      readFileSync(LAB, 'utf8').replace(
        'claim: grad(L, h[T-k]) = prod(i, 1, k, W * diag',
        'claim: grad(L, q[T-k]) = prod(i, 1, k, W * diag',
      ),
    );
    const request = { instances: 1, claims: ['eq5', 'eq5-last-step', 'lab-eq1', 'lab-eq1-W-for-WT', 'lab-eq2'] };
    const parallel = await checkInParallel([leaving, unknown], request, { jobs: 2 });
    const alone = check([leaving, unknown], request);
    expect(messages(parallel)).toEqual(messages(alone));
    expect(messages(parallel)).toEqual([
      expect.stringMatching(/lab\.yaml:.*q/),
      expect.stringMatching(/claim 'eq5' leaves the unrolled graph/),
    ]);
    expect(parallel.claims).toEqual(alone.claims);
    expect(parallel.claims.map((c) => c.id)).toEqual(['eq5-last-step', 'lab-eq1', 'lab-eq2']);
  });

  it('with a cache: the second run is answered from it, with the same results', async () => {
    const cache = new VerifyCache(fresh('gp-pcache-'));
    const first = await checkInParallel([EQ5], { instances: 1 }, { jobs: 2, cache });
    expect(cache.use().claims).toEqual({ answered: 0, checked: 3 });
    const second = await checkInParallel([EQ5], { instances: 1 }, { jobs: 2, cache });
    expect(cache.use().claims).toEqual({ answered: 3, checked: 3 });
    expect(second.claims).toEqual(first.claims);
    expect(first.claims).toEqual(check([EQ5], { instances: 1 }).claims);
  });

  it('checks the text it loaded, as one thread does, when the file changes during the run', async () => {
    const file = join(fresh('gp-pcheck-'), 'eq5.yaml');
    writeFileSync(file, readFileSync(EQ5, 'utf8'));
    const alone = check([file], { instances: 1 });
    const running = checkInParallel([file], { instances: 1 }, { jobs: 2 });
    // loaded already (the call reads every file before it returns): the workers must not read this
    writeFileSync(file, readFileSync(EQ5, 'utf8').replace('forall: t in 1..T-1', 'forall: t in 1..T'));
    const parallel = await running;
    expect(messages(parallel)).toEqual([]);
    expect(parallel.claims).toEqual(alone.claims);
  });

  it('a file named twice is checked once, its copy answered as one thread answers it (with a cache, from it)', async () => {
    const cache = new VerifyCache(fresh('gp-pcache-'));
    const parallel = await checkInParallel([EQ5, EQ5], { instances: 1 }, { jobs: 2, cache });
    // as check --cache in one thread: the first copy's 3 claims checked, the second's answered
    expect(cache.use().claims).toEqual({ answered: 3, checked: 3 });
    const oneThread = new VerifyCache(fresh('gp-pcache-'));
    check([EQ5, EQ5], { instances: 1 }, cachedChecker(oneThread));
    expect(oneThread.use().claims).toEqual(cache.use().claims);
    expect(parallel.claims).toEqual(check([EQ5, EQ5], { instances: 1 }).claims);
    expect(parallel.claims).toHaveLength(6);
    const uncachedRun = await checkInParallel([EQ5, EQ5], { instances: 1 }, { jobs: 2 });
    expect(uncachedRun.claims).toEqual(parallel.claims);
  });

  it('starts no worker for a single claim a worker could take (the rest checked in this thread)', async () => {
    const dir = fresh('gp-pcheck-');
    const unknown = join(dir, 'lab.yaml');
    writeFileSync(
      unknown,
      readFileSync(LAB, 'utf8').replace('claim: grad(L, h[T-k]) = prod', 'claim: grad(L, q[T-k]) = prod'),
    );
    const started: number[] = [];
    const request = { instances: 1, claims: ['eq5', 'lab-eq2'] };
    const parallel = await checkInParallel([EQ5, unknown], request, { jobs: 2, beforeWorkers: (n) => started.push(n) });
    expect(started).toEqual([]);
    expect(parallel.claims).toEqual(check([EQ5, unknown], request).claims);
    // two claims a worker can take: two workers
    await checkInParallel([EQ5], { instances: 1 }, { jobs: 2, beforeWorkers: (n) => started.push(n) });
    expect(started).toEqual([2]);
  });

  it('the command line: --jobs 0 and the default print the same report', async () => {
    const args = ['check', EQ5, '--instances', '1', '--json'];
    const [inThread, pooled] = await Promise.all([gradproof(...args, '--jobs', '0'), gradproof(...args)]);
    expect(pooled.status).toBe(inThread.status);
    const strip = (out: string) => out.replace(/"seconds": [0-9.e-]+/g, '"seconds": 0');
    expect(strip(pooled.stdout)).toEqual(strip(inThread.stdout));
    expect((JSON.parse(pooled.stdout) as { claims: unknown[] }).claims).toHaveLength(3);
    const bad = await gradproof('check', EQ5, '--jobs', '-1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--jobs/);
  });
});
