/**
 * `gradproof render` and `gradproof plot` run as a user would (a child
 * process): bad usage is exit 2 with one located line and nothing on stdout,
 * an unwritable --out is refused before the run, and a good run writes what
 * it promises. No kill timer: a loaded machine may be slow, not wrong.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradproof } from '../cli/spawn.js';

const SOLUTION = 'derivations/lab-10-5-solution.yaml';
const RNN = 'derivations/lab-10-5-vanilla-rnn.yaml';
const LONG = 10 * 60_000;
const dir = mkdtempSync(join(tmpdir(), 'gradproof-render-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gradproof render / plot on the command line', () => {
  it.each([
    [
      ['render', RNN, '--out', '/nonexistent-folder/x.html'],
      /^gradproof: --out \/nonexistent-folder\/x\.html: cannot write \(no folder \/nonexistent-folder\); expected a writable file path whose folder exists\n$/,
    ],
    [['render', RNN, '--format', 'pdf'], /^gradproof: --format takes html, md, tex, got 'pdf'\n$/],
    [
      ['plot', SOLUTION, 'lab-eq2', '--over', 'j'],
      /^gradproof: derivations\/lab-10-5-solution\.yaml:99:5: claim 'lab-eq2' has no quantifier 'j'/,
    ],
    [
      ['plot', SOLUTION, 'lab-eq2', '--over', 'k', '--vary', 'b_e=1,x'],
      /^gradproof: --vary takes NAME=V1,V2,… with numbers, got 'b_e=1,x'\n$/,
    ],
    [
      ['plot', SOLUTION, 'norm2(W^k)', '--over', 'k=1..40', '--size', 'T=3', '--work-limit', '2e4'],
      /^gradproof: derivations\/lab-10-5-solution\.yaml:1:1: the plot needs more work than the limit of 2\.00e\+4 operations/,
    ],
    // at the claim plotted (a review's: it was 1:1)
    [
      ['plot', RNN, 'lab-eq2', '--over', 'k', '--work-limit', '1000'],
      /^gradproof: derivations\/lab-10-5-vanilla-rnn\.yaml:43:5: the plot needs more work than the limit of 1\.00e\+3 operations/,
    ],
    [
      ['plot', SOLUTION, 'lab-eq2', '--over', 'k', '--work-limit', '0'],
      /^gradproof: --work-limit takes a whole number of operations from 1 to 1e12 \(e\.g\. 5e9\), got '0'\n$/,
    ],
    [
      ['render', RNN, '--work-limit', 'lots'],
      /^gradproof: --work-limit takes a whole number of operations from 1 to 1e12 \(e\.g\. 5e9\), got 'lots'\n$/,
    ],
  ])(
    '%j: exit 2, one line, nothing on stdout',
    async (args, message) => {
      const r = await gradproof(...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    LONG,
  );

  it(
    'plot writes an SVG with one series per forget-gate bias and the bound',
    async () => {
      const r = await gradproof(
        'plot',
        SOLUTION,
        'cell-path-bound',
        '--over',
        'k',
        '--size',
        'T=6',
        '--vary',
        'b_e=1,5',
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^<svg[^>]*>.*<\/svg>\n$/s);
      for (const label of ['b_e = 1', 'b_e = 5', 'bound: supabs(x, sigma(x))^k']) expect(r.stdout).toContain(label);
    },
    LONG,
  );

  it(
    'render --format tex writes a document with the source equation numbers',
    async () => {
      const out = join(dir, 'rnn.tex');
      const r = await gradproof('render', RNN, '--format', 'tex', '--instances', '1', '--out', out);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      const tex = readFileSync(out, 'utf8');
      expect(tex).toMatch(/^\\documentclass/);
      expect(tex).toContain('\\tag{1}');
      expect(tex).toContain('\\tag{2}');
      expect(tex.trimEnd().endsWith('\\end{document}')).toBe(true);
    },
    LONG,
  );
  it(
    'render --format tex keeps each plot as a note with its caption (plots were dropped without one)',
    async () => {
      const out = join(dir, 'solution.tex');
      const r = await gradproof('render', SOLUTION, '--format', 'tex', '--instances', '1', '--out', out);
      expect(r.status, r.stderr).toBe(0);
      const tex = readFileSync(out, 'utf8');
      expect(tex).toMatch(/\[Plot of [^\]]*: see the HTML rendering or \\texttt\{gradproof plot\}\.\]/);
    },
    LONG,
  );
});
