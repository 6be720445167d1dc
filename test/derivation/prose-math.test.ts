/**
 * Prose math is checked when the file is loaded, at the `$` that opens the formula. Until 2026-12-07 a formula in a
 * `document:` that KaTeX does not render was found only when `render` built the page — after the checks had run, and
 * `check` and `verify` passed the file — and was located at the start of the prose scalar (a review found it).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { inlines } from '../../src/derivation/prose.js';
import { gradproof } from '../cli/spawn.js';
import { TINY_RNN_FILE } from '../support/model-file.js';

const HEAD = `${TINY_RNN_FILE}document:
  sections:
    - heading: A
      claims: [eq1]
`;
// the document starts on line 15; a section's prose key (appended) is on line 19

function refusal(prose: string): string {
  try {
    parseDerivation(`${HEAD}${prose}`, 'bad.yaml');
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  throw new Error('no error');
}

const FRAC =
  "prose math $\\frac{k$ does not render: KaTeX parse error: Unexpected end of input in a macro argument, expected '}' at end of input: \\frac{k (expected LaTeX that KaTeX parses)";

describe('a formula in prose that does not render is refused by the loader, at its opening $', () => {
  it('a plain scalar over two lines', () => {
    expect(refusal('      prose: the product\n        of $\\frac{k$ factors\n')).toBe(`bad.yaml:20:12: ${FRAC}`);
  });

  it('a folded block scalar (>)', () => {
    expect(
      refusal('      prose: >\n        Start here, $x$ is fine.\n\n        The product of $\\frac{k$ factors.\n'),
    ).toBe(`bad.yaml:22:24: ${FRAC}`);
  });

  it('a literal block scalar (|), display math', () => {
    expect(refusal('      prose: |\n        one\n          two $$\\def\\x{1}$$\n')).toBe(
      'bad.yaml:21:15: prose math $$\\def\\x{1}$$ uses \\def (expected math without definitions)',
    );
  });

  it("single- and double-quoted scalars, with an escape before the '$'", () => {
    expect(refusal("      prose: 'it''s $\\frac{k$'\n")).toBe(`bad.yaml:19:21: ${FRAC}`);
    expect(refusal('      prose: "\\u0041 \\\\ $\\\\frac{k$"\n')).toBe(`bad.yaml:19:25: ${FRAC}`);
  });

  it('a caption and the intro are checked the same way', () => {
    const text = HEAD.replace('  sections:', '  intro: fine $x$ and $\\sqrt$\n  sections:');
    expect(() => parseDerivation(text, 'bad.yaml')).toThrow(/^bad\.yaml:16:23: prose math \$\\sqrt\$ does not render/);
  });

  it('prose whose math renders loads, and reads as before', () => {
    const d = parseDerivation(`${HEAD}      prose: "costs \\\\$5 and $x^2$\\n\\nnext $$y$$"\n`, 'ok.yaml');
    expect(inlines(d.document!.sections[0]!.prose!.text)).toEqual([
      [
        { kind: 'text', text: 'costs $5 and ' },
        { kind: 'math', tex: 'x^2' },
      ],
      [
        { kind: 'text', text: 'next ' },
        { kind: 'display', tex: 'y' },
      ],
    ]);
  });
});

describe('check, render and verify refuse such a file before any work', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gradproof-prose-math-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const file = join(tmp, 'bad.yaml');
  writeFileSync(file, `${HEAD}      prose: the product\n        of $\\frac{k$ factors\n`);
  const message = `gradproof: ${file}:20:12: ${FRAC}\n`;

  it.each([
    ['check', ['--instances', '1'], null],
    ['render', ['--instances', '1', '--out', join(tmp, 'out.html')], join(tmp, 'out.html')],
    ['verify', ['--instances', '1', '--jobs', '0', '--update', '--fixtures', join(tmp, 'fx')], join(tmp, 'fx')],
  ])(
    '%s: exit 2, the located message, nothing written',
    async (command, args, written) => {
      const run = await gradproof(command, file, ...args);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(message);
      expect(run.stdout).toBe('');
      if (written) expect(existsSync(written)).toBe(false);
    },
    120_000,
  );
});
