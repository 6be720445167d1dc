/**
 * An output path whose folder is a file (`--out /etc/passwd/x.html`): until 2026-12-06 `render --out`, `plot --out`,
 * `check --export`, `verify --junit` and `check --cache-dir` stopped with "internal error: ENOTDIR", exit 3, and
 * `scaffold --out` said only "cannot write (ENOTDIR)" (a review found it). Every one is now exit 2 naming the flag,
 * the path, the file in the way and what the path should be, and nothing is written.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputProblem } from '../../src/io/atomic-write.js';
import { gradproof } from './spawn.js';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';
const SOLUTION = 'derivations/lab-10-5-solution.yaml';
const dir = mkdtempSync(join(tmpdir(), 'gradproof-output-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'a-file');
writeFileSync(file, 'x');
const post = join(dir, 'post.md');
writeFileSync(post, '# A post\n\n$$\nh_t = \\tanh(W h_{t-1})\n$$\n');

describe('an output path under a file', () => {
  it('outputProblem names the file in the way, however deep the path', () => {
    expect(outputProblem(join(file, 'x.html'))).toBe(`${file} is a file, not a folder`);
    expect(outputProblem(join(file, 'sub', 'x.html'))).toBe(`${file} is a file, not a folder`);
    expect(outputProblem(join(dir, 'none', 'x.html'))).toBe(`no folder ${join(dir, 'none')}`);
    expect(outputProblem(join(dir, 'x.html'))).toBeNull();
  });

  it.each([
    ['render', ['render', LAB, '--instances', '1', '--out', join(file, 'x.html')], '--out', 'cannot write'],
    ['plot', ['plot', SOLUTION, 'lab-eq2', '--over', 'k', '--out', join(file, 'x.svg')], '--out', 'cannot write'],
    [
      'check --export',
      ['check', LAB, '--instances', '1', '--export', join(file, 'x.json')],
      '--export',
      'cannot write',
    ],
    ['verify --junit', ['verify', LAB, '--junit', join(file, 'j.xml')], '--junit', 'cannot write'],
    ['check --cache-dir', ['check', LAB, '--cache-dir', join(file, 'c')], '--cache-dir', 'cannot use it as a folder'],
    ['scaffold --out', ['scaffold', post, '--out', join(file, 'x.yaml')], '--out', 'cannot write'],
  ])(
    '%s: exit 2, the flag, the path and the file in the way',
    async (_name, args, flag, verb) => {
      const r = await gradproof(...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(/internal error|ENOTDIR|^\s+at /m);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(
        `gradproof: ${flag} ${args[args.length - 1]}: ${verb} (${file} is a file, not a folder)`,
      );
      expect(r.stderr).toMatch(/; expected a /);
      expect(readdirSync(dir).sort()).toEqual(['a-file', 'post.md']);
    },
    120_000,
  );
});
