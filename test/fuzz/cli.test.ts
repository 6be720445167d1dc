/**
 * A sample of hostile input through the command line, as a user runs it:
 * mutated derivation files (test/fuzz/mutations.ts) and the fuzz campaign's
 * findings about files and outputs. Exit 0, 1 or 2 only — never 3 — and a
 * failure is one `gradproof: …` line on stderr naming where (file:line:col,
 * or the flag and path), without a stack trace. The compiled CLI
 * (bin/gradproof.js, which runs the bundle dist/bundle/cli.js) starts fastest;
 * when the bundle is older than src/ the sources are run through tsx instead,
 * so the test never checks stale code.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { HANG_GUARD } from '../cli/spawn.js';
import { hostileFile, SMALL } from './mutations.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';
const LAB_TEXT = readFileSync(join(ROOT, LAB), 'utf8');
/** the lab file's header and model, without its claims */
const LAB_MODEL = LAB_TEXT.slice(0, LAB_TEXT.indexOf('\nclaims:') + 1);

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true }))
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  return latest;
}
const distFresh = (() => {
  try {
    return statSync(join(ROOT, 'dist/bundle/cli.js')).mtimeMs >= newest('src');
  } catch {
    return false;
  }
})();
const COMMAND = distFresh ? ['bin/gradproof.js'] : ['--import', 'tsx', 'src/cli/main.ts'];

interface Run {
  readonly args: readonly string[];
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function gradproof(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.GRADPROOF_DEBUG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...COMMAND, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...HANG_GUARD,
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ args, status, stdout, stderr }));
  });
}

/** Runs at most two at a time (the machine has two cores, shared). */
async function all(runs: (() => Promise<Run>)[]): Promise<Run[]> {
  const out: Run[] = new Array<Run>(runs.length);
  let next = 0;
  const lane = async () => {
    while (next < runs.length) {
      const k = next++;
      out[k] = await runs[k]!();
    }
  };
  await Promise.all([lane(), lane()]);
  return out;
}

function expectCleanExit(r: Run): void {
  const context = `gradproof ${r.args.join(' ')}\n${r.stderr}`;
  expect([0, 1, 2], context).toContain(r.status);
  expect(r.stderr, context).not.toMatch(/^\s+at /m);
  expect(r.stderr, context).not.toMatch(/internal error/);
}

/** Exit 2: one line on stderr that starts with `where`, nothing on stdout. */
function expectBadInput(r: Run, where: RegExp): void {
  expectCleanExit(r);
  const context = `gradproof ${r.args.join(' ')}\n${r.stderr}`;
  expect(r.status, context).toBe(2);
  expect(r.stdout, context).toBe('');
  expect(r.stderr.trimEnd().split('\n'), context).toHaveLength(1);
  expect(r.stderr, context).toMatch(where);
}

const tmp = mkdtempSync(join(tmpdir(), 'gradproof-fuzz-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('fuzzing the CLI', () => {
  it('mutated derivation files: check exits 0, 1 or 2, and 2 with a located message exactly when the file does not load', async () => {
    // Files whose sizes stay small (or that do not load), so that each run is short; the sample is fixed by the seed.
    const sample = fc
      .sample(hostileFile(SMALL, 2), { numRuns: 40, seed: fc.readConfigureGlobal().seed })
      .map((h, k) => ({ ...h, path: join(tmp, `m${k}.yaml`) }))
      .filter((h) => {
        try {
          const d = parseDerivation(h.text, h.path);
          return Math.max(...Object.values(d.model.sizes).map((r) => r.max)) <= 12;
        } catch (err) {
          return err instanceof InputError;
        }
      })
      .slice(0, 3);
    expect(sample.length).toBe(3);
    for (const h of sample) writeFileSync(h.path, h.text);
    const runs = await all(sample.map((h) => () => gradproof('check', h.path, '--instance', '0')));
    runs.forEach((r, k) => {
      const where = new RegExp(`^gradproof: ${escape(sample[k]!.path)}:[1-9]\\d*:[1-9]\\d*: \\S`);
      let claimErrors: number | null;
      try {
        claimErrors = parseDerivation(sample[k]!.text, sample[k]!.path, { perClaimErrors: true }).claimErrors!.length;
      } catch {
        claimErrors = null;
      }
      if (claimErrors === null) expectBadInput(r, where);
      else if (claimErrors === 0) expectCleanExit(r);
      else {
        // Ill-formed claims: each a located line on stderr, the file's other claims still checked.
        expectCleanExit(r);
        expect(r.status).toBe(2);
        for (const line of r.stderr.trimEnd().split('\n')) expect(line).toMatch(where);
      }
    });
  });

  it("the campaign's findings about files and outputs: exit 2 naming the file and place, or the flag and path", async () => {
    const file = (name: string, claim: string) => {
      const path = join(tmp, name);
      writeFileSync(
        path,
        `${LAB_MODEL}claims:\n  - id: c1\n    claim: ${claim}\n    forall: k in 1..T\n    expect: refuted\n`,
      );
      return path;
    };
    const proto = file('proto.yaml', 'sum(__proto__, 1, k, h[T-__proto__]) = k*h[T]');
    const lazy = file('lazy.yaml', 'prod(i, 0, 1, diag(h[T+i])) = eye(d)');
    const fixtures = join(tmp, 'fixtures');
    mkdirSync(fixtures);
    writeFileSync(
      join(fixtures, 'lab-10-5-vanilla-rnn.json'),
      '{"file": "derivations/lab-10-5-vanilla-rnn.yaml", "claims": {',
    );
    // A named pipe stands in for a device such as /dev/full (writing to a pipe nobody reads would block).
    const fifo = join(tmp, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const [zero, reserved, outside, unroll, corrupt, pipe, missing] = await all([
      () => gradproof('check', '/dev/zero'),
      () => gradproof('check', proto),
      () => gradproof('check', lazy, '--instance', '0'),
      () => gradproof('derive', LAB, 'grad(L, h[T-k])', '--unroll', 'k=5000'),
      () => gradproof('verify', LAB, '--fixtures', fixtures, '--jobs', '0', '--instances', '1'),
      () => gradproof('verify', LAB, '--junit', fifo, '--jobs', '0', '--instances', '1'),
      () => gradproof('report', LAB, '--write', join(tmp, 'no-such-README.md')),
    ]);
    expectBadInput(zero!, /^gradproof: \/dev\/zero:1:1: not a regular file/);
    expectBadInput(
      reserved!,
      new RegExp(`^gradproof: ${escape(proto)}:\\d+:\\d+: bound variable '__proto__' is refused`),
    );
    expectBadInput(outside!, new RegExp(`^gradproof: ${escape(lazy)}:\\d+:5: claim 'c1' leaves the unrolled graph`));
    expectBadInput(unroll!, /^gradproof: --unroll takes K or NAME=K \(K ≤ 1000\), got 'k=5000'/);
    expectBadInput(
      corrupt!,
      new RegExp(`^gradproof: ${escape(join(fixtures, 'lab-10-5-vanilla-rnn.json'))}:1:\\d+: corrupt fixture`),
    );
    expectBadInput(pipe!, new RegExp(`^gradproof: --junit ${escape(fifo)}: cannot write \\(not a regular file\\)`));
    expectBadInput(missing!, /^gradproof: --write .*no-such-README\.md: cannot read \(ENOENT\)/);
  });
});
