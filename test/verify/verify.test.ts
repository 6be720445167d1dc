/**
 * `verify`: drift is reported claim by claim, --update rewrites fixtures, a
 * wrong claim flips a verdict, JUnit XML is well-formed, and a README's
 * generated summary is checked and rewritten. (The whole shipped corpus is
 * CI's main job, `gradproof verify --readme README.md`, not a unit test.)
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { InputError } from '../../src/derivation/errors.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { REPORT_END, REPORT_START, summaryMarkdown } from '../../src/emit/summary-report.js';
import { WorkerPool } from '../../src/verify/pool.js';
import { fixtureFor, junitXml, shardOf, verify } from '../../src/verify/verify.js';
import { HANG_GUARD, ROOT } from '../cli/spawn.js';

describe('verify', () => {
  it('a deliberately edited fixture fails with a readable diff naming the claim and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-fixtures-'));
    cpSync('fixtures', dir, { recursive: true });
    const file = 'derivations/lab-10-5-vanilla-rnn.yaml';
    const path = fixtureFor(dir, file);
    const fixture = JSON.parse(readFileSync(path, 'utf8')) as { claims: Record<string, { verdict: string }> };
    fixture.claims['lab-eq1']!.verdict = 'consistent';
    writeFileSync(path, JSON.stringify(fixture));
    const report = await verify([file], { fixtures: dir, jobs: 0 });
    expect(report.ok).toBe(false);
    expect(report.files[0]!.status).toBe('drift');
    expect(report.files[0]!.drifts).toEqual([
      { claim: 'lab-eq1', path: 'verdict', old: 'consistent', now: 'verified' },
    ]);
    const xml = junitXml(report);
    expect(xml).toMatch(
      /<testcase classname="derivations\/lab-10-5-vanilla-rnn.yaml" name="lab-eq1" time="0"><failure message="verdict: was consistent, now verified">/,
    );
    expect(xml).toMatch(/<testsuites name="gradproof verify" tests="\d+" failures="1">/);
  });

  it('a corrupt fixture is bad input naming the fixture file (read before any check runs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-fixtures-'));
    const file = 'derivations/lab-10-5-vanilla-rnn.yaml';
    for (const [text, problem] of [
      [
        '{"file": "x",\n  "claims": {',
        /:2:14: corrupt fixture: .*\(expected the JSON that gradproof verify --update writes\)/,
      ],
      ['[1, 2]', /:1:1: not a gradproof fixture/],
      ['{"file": "x", "claims": null, "derived": []}', /:1:1: not a gradproof fixture/],
    ] as const) {
      writeFileSync(fixtureFor(dir, file), text);
      const err = (await verify([file], { fixtures: dir, jobs: 0 }).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(InputError);
      expect(err.message.startsWith(fixtureFor(dir, file))).toBe(true);
      expect(err.message).toMatch(problem);
    }
  });

  it('--update rewrites a drifted fixture, after which verify passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-fixtures-'));
    const file = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml';
    const first = await verify([file], { fixtures: dir, jobs: 0 });
    expect(first.files[0]!.status).toBe('new');
    expect(first.ok).toBe(false);
    expect((await verify([file], { fixtures: dir, jobs: 0, update: true })).files[0]!.status).toBe('updated');
    expect((await verify([file], { fixtures: dir, jobs: 0 })).ok).toBe(true);
  });

  it('a deliberately wrong claim added to a copy of a document flips its verdict', () => {
    const text = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8').replace(
      "claim: grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])",
      "claim: grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i-1].^2)) * grad(L, h[T])",
    );
    const [r] = checkDerivation(parseDerivation(text, 'copy.yaml'), { claims: ['lab-eq1'], instances: 1 });
    expect(r!.verdict).toBe('refuted');
    expect(r!.ok).toBe(false);
  });
});

it("a README's verdict summary is checked against the results, and --update rewrites it in place", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-readme-'));
  const file = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml';
  const readme = join(dir, 'README.md');
  writeFileSync(readme, `# a project\n\n${REPORT_START}\n\nold text\n\n${REPORT_END}\n\nafter\n`);
  // fixtures in the temporary folder too: an update must not rewrite the repository's own (it did, where the results
  // had moved)
  const stale = await verify([file], { jobs: 0, readme, fixtures: dir });
  expect(stale.readme).toEqual({ file: readme, status: 'stale' });
  expect(stale.ok).toBe(false);
  expect((await verify([file], { jobs: 0, readme, fixtures: dir, update: true })).readme!.status).toBe('updated');
  const text = readFileSync(readme, 'utf8');
  expect(text.startsWith('# a project\n\n')).toBe(true);
  expect(text.endsWith('\n\nafter\n')).toBe(true);
  const d = loadDerivationFile(file);
  const claims = checkDerivation(d);
  expect(text).toContain(summaryMarkdown([{ file, title: d.title, source: d.source, claims }]));
  const again = await verify([file], { jobs: 0, readme });
  expect(again.readme!.status).toBe('ok');
  expect(again.ok).toBe(true);
});

describe('verify --shard', () => {
  const files = ['d/e.yaml', 'b/a.yaml', 'a/z.yaml', 'c.yaml', 'a/b.yaml'];

  it('splits by sorted path, round robin: file j goes to shard j mod n + 1, listed order kept', () => {
    // sorted: a/b, a/z, b/a, c, d/e
    expect(shardOf(files, { index: 1, count: 2 })).toEqual(['d/e.yaml', 'b/a.yaml', 'a/b.yaml']);
    expect(shardOf(files, { index: 2, count: 2 })).toEqual(['a/z.yaml', 'c.yaml']);
    expect(shardOf(files, { index: 3, count: 3 })).toEqual(['b/a.yaml']);
    expect(shardOf(files, { index: 1, count: 3 })).toEqual(['c.yaml', 'a/b.yaml']);
    expect(shardOf(files, { index: 7, count: 7 })).toEqual([]);
  });

  it('the shards of any n partition the list, whatever order it is given in', () => {
    for (let n = 1; n <= 7; n++) {
      const shards = Array.from({ length: n }, (_, i) => shardOf(files, { index: i + 1, count: n }));
      expect(shards.flat().sort()).toEqual([...files].sort());
      const reversed = Array.from({ length: n }, (_, i) => shardOf([...files].reverse(), { index: i + 1, count: n }));
      expect(reversed.map((s) => [...s].sort())).toEqual(shards.map((s) => [...s].sort()));
    }
  });

  it('refuses i/n outside 1 ≤ i ≤ n', () => {
    for (const [index, count] of [
      [0, 3],
      [4, 3],
      [1, 0],
      [1.5, 3],
    ] as const)
      expect(() => shardOf(files, { index, count })).toThrow(/a shard is i\/n with 1 ≤ i ≤ n/);
  });

  it("a shard checks its own files, and with --readme its own documents' sections of the summary", async () => {
    const rnn = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml';
    const lstm = 'derivations/lab-10-5-lstm.yaml';
    const dir = mkdtempSync(join(tmpdir(), 'gp-shard-'));
    const readme = join(dir, 'README.md');
    writeFileSync(readme, `# a project\n\n${REPORT_START}\n\nold text\n\n${REPORT_END}\n`);
    await verify([rnn, lstm], { jobs: 0, readme, update: true, fixtures: dir });
    const first = await verify([lstm, rnn], { jobs: 0, readme, fixtures: dir, shard: { index: 1, count: 2 } });
    expect(first.files.map((f) => f.file)).toEqual([rnn]);
    expect(first.shard).toEqual({ index: 1, count: 2, of: 2 });
    expect(first.readme!.status).toBe('ok');
    expect(first.ok).toBe(true);
    // A README whose section for the second shard's document lost a row is stale for that shard only.
    const text = readFileSync(readme, 'utf8');
    const row = text.split('\n').find((l) => l.startsWith('| ') && text.indexOf(l) > text.indexOf(lstm))!;
    writeFileSync(readme, text.replace(`${row}\n`, ''));
    const second = await verify([lstm, rnn], { jobs: 0, readme, fixtures: dir, shard: { index: 2, count: 2 } });
    expect(second.files.map((f) => f.file)).toEqual([lstm]);
    expect(second.readme!.status).toBe('stale');
    expect(second.ok).toBe(false);
    expect((await verify([lstm, rnn], { jobs: 0, readme, fixtures: dir, shard: { index: 1, count: 2 } })).ok).toBe(
      true,
    );
    const empty = await verify([lstm, rnn], { jobs: 0, fixtures: dir, shard: { index: 3, count: 3 } });
    expect(empty.files).toEqual([]);
    expect(empty.ok).toBe(true);
  });
});

describe('verify on a worker pool', () => {
  it('claims spread over workers give the snapshot the file gets checked in one thread', async () => {
    const file = 'derivations/lab-10-5-lstm.yaml';
    const dir = mkdtempSync(join(tmpdir(), 'gp-pool-'));
    const one = await verify([file], { jobs: 0, fixtures: dir, update: true });
    expect(one.files[0]!.status).toBe('updated');
    const pooled = await verify([file], { jobs: 2, fixtures: dir });
    expect(pooled.files[0]!.drifts).toEqual([]);
    expect(pooled.files[0]!.status).toBe('ok');
    expect(pooled.files[0]!.claims.map((c) => c.id)).toEqual(one.files[0]!.claims.map((c) => c.id));
  });

  it("one job is one worker (its young generation is larger than this thread's), zero jobs this thread: the same snapshot", async () => {
    const file = 'derivations/lab-10-5-vanilla-rnn.yaml';
    const dir = mkdtempSync(join(tmpdir(), 'gp-one-'));
    const run = vi.spyOn(WorkerPool.prototype, 'run');
    try {
      expect((await verify([file], { jobs: 0, fixtures: dir, update: true })).files[0]!.status).toBe('updated');
      expect(run).not.toHaveBeenCalled();
      const single = await verify([file], { jobs: 1, fixtures: dir });
      expect(run).toHaveBeenCalled();
      expect(single.files[0]!.drifts).toEqual([]);
      expect(single.files[0]!.status).toBe('ok');
    } finally {
      run.mockRestore();
    }
  });

  it("a claim's cross-checks do not depend on the claims checked before it (memoised values keep their derivatives)", () => {
    const d = loadDerivationFile('derivations/lab-10-5-lstm.yaml');
    const summaries = (results: ReturnType<typeof checkDerivation>, id: string) =>
      results.find((r) => r.id === id)!.evidence.map((e) => JSON.stringify(e));
    const all = checkDerivation(d, { instances: 1 });
    for (const id of ['lab-eq4-exact', 'lab-eq3-total-without-c']) {
      const alone = checkDerivation(d, { instances: 1, claims: [id] });
      expect(summaries(alone, id)).toEqual(summaries(all, id));
      // checked last in the file, with every sweep memoised by the claims before it, it still cross-checks
      expect(all.find((r) => r.id === id)!.evidence.some((e) => e.kind === 'dual-vs-adjoint')).toBe(true);
    }
  });
});

it.each([
  ['run as `node --input-type=module -e` (how bench/verify.mjs runs it)', []],
  // V8's options are refused in a worker's own list (they were an internal error, exit 3): they hold in workers anyway
  [
    'started with V8 options (`node --max-old-space-size=4096 --expose-gc …`)',
    ['--max-old-space-size=4096', '--expose-gc'],
  ],
])('the worker pool starts from a process %s', async (_, v8Options: string[]) => {
  const script = `
    const { verify } = await import('./src/verify/verify.ts');
    const report = await verify(['derivations/lab-10-5-vanilla-rnn.yaml'], { jobs: 2 });
    console.log(JSON.stringify(report.summary));
  `;
  const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [...v8Options, '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...HANG_GUARD,
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  expect(run.stderr).not.toContain('ERR_INPUT_TYPE_NOT_ALLOWED');
  expect(run.stderr).not.toContain('invalid execArgv');
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({
    files: 1,
    drifted: 0,
    claims: 4,
    unexpected: 0,
    errors: 0,
  });
});
