/**
 * A review's bad inputs (2026-12-05), each of which ended in an internal error, ran without bound or wrote what
 * pdflatex cannot compile: now each is a located error (exit 2) or a page that compiles.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/derivation/errors.js';
import { summaryMarkdown } from '../../src/emit/summary-report.js';
import { check, checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { readBoundedText } from '../../src/io/read-bounded.js';
import { ExprError } from '../../src/ir/errors.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { printExpr } from '../../src/ir/print.js';
import { MAX_MARKDOWN_NESTING, tooDeeplyNested } from '../../src/latex/scaffold/displays.js';
import { numberedSource } from '../../src/render/katex.js';
import { MAX_PLOT_POINTS } from '../../src/render/plot-data.js';
import { plotSvg } from '../../src/render/render.js';
import { escapeTex, texSafeFormula } from '../../src/render/tex.js';
import { deriveQuantities, MAX_PRINTED_FORM_NODES, scopeOf } from '../../src/symbolic/quantities.js';
import { formSize } from '../../src/symbolic/derive.js';
import { gradproof } from './spawn.js';
import { TINY_RNN_FILE } from '../support/model-file.js';
import { parseSizePairs } from '../../src/cli/sizes.js';

const tmp = mkdtempSync(join(tmpdir(), 'gradproof-bad-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const LAB = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');

/** The error `f` throws (a test failure where it throws nothing). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('nothing thrown');
}

describe('plot --over', () => {
  const plot = (over: string, range: { lo: string; hi: string } | null) =>
    plotSvg(LAB, { quantity: 'norm2(W)^k', over, range, sizes: new Map(), vary: null, masterSeed: 1 });
  it.each([
    ['T', null, "--over T: 'T' is a size of the model (fixed per instance: --size)"],
    ['d', { lo: '1', hi: '10' }, "--over d: 'd' is a size of the model (fixed per instance: --size)"],
    ['k', { lo: 'a', hi: 'b' }, "'a' is not an index variable in scope"],
    ['k', { lo: '1', hi: 'T*T' }, 'a time index or bound must be an integer affine expression'],
    ['k', { lo: '5', hi: '1' }, '--over k: the range 5..1 is empty'],
    [
      'k',
      { lo: '1', hi: '1000000' },
      `--over k: the range 1..1000000 has 1000000 points, more than a plot's ${MAX_PLOT_POINTS}`,
    ],
  ])('%s=%o is a located error', async (over, range, problem) => {
    const err = await plot(over, range).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).pos.file).toBe('<--over>');
    expect((err as InputError).problem).toBe(problem);
  });
  it('a free index other than the plotted one is unknown where it is written', async () => {
    const err = await plotSvg(LAB, {
      quantity: 'norm2(W)^j',
      over: 'k',
      range: null,
      sizes: new Map(),
      vary: null,
      masterSeed: 1,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as InputError).message).toMatch(/^<quantity>:1:10: unknown symbol 'j'/);
  });
});

describe('bounded reads', () => {
  it('refuses devices and pipes before reading (a README, a file for --write, a post)', () => {
    for (const what of ['a README (Markdown)', 'a Markdown file for --write'])
      expect(thrown(() => readBoundedText('/dev/zero', what)).message).toBe(
        `/dev/zero:1:1: not a regular file (expected ${what})`,
      );
    const fifo = join(tmp, 'pipe.md');
    execFileSync('mkfifo', [fifo]);
    expect(thrown(() => readBoundedText(fifo, 'a README (Markdown)')).message).toMatch(/:1:1: not a regular file/);
  });
  it('verify --readme /dev/zero stops at once with exit 2', async () => {
    const r = await gradproof('verify', 'derivations/lab-10-5-vanilla-rnn.yaml', '--readme', '/dev/zero');
    // all three at once: a CI run once ended with status null and no more said (the signal and stderr tell why)
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({
      status: 2,
      signal: null,
      stderr: 'gradproof: /dev/zero:1:1: not a regular file (expected a README (Markdown))\n',
    });
  });
});

describe('scaffold', () => {
  it('refuses a post nested deeper than the Markdown reader goes, at its line', () => {
    expect(tooDeeplyNested(`# t\n\n${'> '.repeat(5000)}x\n`)).toEqual({ line: 3, depth: 5000 });
    expect(tooDeeplyNested(`${'- '.repeat(3000)}x`)!.line).toBe(1);
    expect(tooDeeplyNested(`> > quoted\n- a\n  - b\n    - c\n`)).toBeNull();
    expect(tooDeeplyNested(`${'> '.repeat(MAX_MARKDOWN_NESTING)}x`)).toBeNull();
    // a second review's ordinary posts: indentation, a blank line of spaces, code in a fence, 120 list markers
    expect(tooDeeplyNested(`${' '.repeat(300)}\n${' '.repeat(210)}diagram\n${'- '.repeat(120)}x`)).toBeNull();
    const numbers = Array.from({ length: 1000 }, (_, i) => `${i}.`).join(' ');
    expect(tooDeeplyNested(`\`\`\`\n${numbers}\n${'> '.repeat(900)}\n\`\`\`\nafter`)).toBeNull();
    expect(tooDeeplyNested(`~~~\ncode\n~~~\n${'> '.repeat(600)}x`)).toEqual({ line: 4, depth: 600 });
  });
  it('exits 2 with the location instead of overflowing the stack', async () => {
    const post = join(tmp, 'deep.md');
    writeFileSync(post, `${'> '.repeat(5000)}x\n`);
    const r = await gradproof('scaffold', post);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/deep\.md:1:1: a line nests about 5000 quotes or list items/);
  });
});

describe('LaTeX and HTML output of what a source writes', () => {
  it('keeps a source that numbers itself (\\tag) out of our numbered display', () => {
    expect(numberedSource('\\|W\\| \\le 2', '3')).toBe('\\|W\\| \\le 2 \\tag{3}');
    expect(numberedSource('\\|W\\| \\le 2 \\tag{2}', '3')).toBe('\\|W\\| \\le 2 \\tag{2}');
    expect(numberedSource('\\frac{', '3')).toBeNull();
  });
  it('writes into .tex only what compiles inside our display', () => {
    expect(texSafeFormula('\\|W\\| \\le 2')).toBe(true);
    for (const tex of [
      '\\|W\\| \\le 2 \\tag{2}',
      '\\begin{equation} x \\end{equation}',
      '\\begin{align} x &= 1 \\end{align}',
      '\\verb|x|',
    ])
      expect(texSafeFormula(tex)).toBe(false);
  });
  it('quotes as text what KaTeX reads and pdflatex does not (a second review compiled each)', () => {
    for (const tex of [
      '\\bm{h}_t',
      '\\argmax_x f',
      '\\Alpha',
      '\\cancel{x}',
      'a \\coloneqq b',
      '\\mathclap{x}',
      '\\color{#ff0000} x',
      '\\begin{darray}{cc} a & b \\end{darray}',
      '\\begin{matrix*}[r] a \\end{matrix*}',
      '\\begin{CD} A @>>> B \\end{CD}',
      '\\begin{array}{c:c} a & b \\end{array}',
    ])
      expect(texSafeFormula(tex)).toBe(false);
    // what amsmath and amssymb define stays LaTeX
    for (const tex of [
      '\\boldsymbol{h}_t',
      '\\operatorname*{arg\\,max}_x f',
      '\\begin{pmatrix} a \\end{pmatrix}',
      '\\mathbb{R}',
    ])
      expect(texSafeFormula(tex)).toBe(true);
  });
  it('spells out control characters (pdflatex stops on a raw ESC)', () => {
    expect(escapeTex('a\u001b[31mb\u0007')).toBe('a[U+001B][31mb[U+0007]');
  });
});

describe('expressions', () => {
  it('refuses an empty one (it was "unsupported constant undefined")', () => {
    const err = thrown(() => parseExpression('  ', scopeOf(LAB)));
    expect(err).toBeInstanceOf(ExprError);
    expect(err.message).toMatch(/an empty expression/);
  });
});

// Until 2026-12-07 a link to no file in a folder stopped the whole folder's check ("cannot read file: ENOENT", nothing
// checked), and five located messages had no "(expected …)": a review found them.
describe('files in a folder, and what each message expects', () => {
  it("check: a dangling link in a folder is that file's error, at the end, exit 2; the other files are checked", async () => {
    const dir = join(tmp, 'with-dangling');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), readFileSync('derivations/lab-10-5-vanilla-rnn.yaml'));
    symlinkSync(join(tmp, 'no-such-target.yaml'), join(dir, 'dangling.yaml'));
    const report = check([dir], { claims: ['lab-eq1'], instances: 1 });
    expect(report.claims.map((c) => [c.id, c.verdict])).toEqual([['lab-eq1', 'verified']]);
    expect(report.errors.map((e) => e.message)).toEqual([
      `${join(dir, 'dangling.yaml')}:1:1: cannot read file: ENOENT (expected a derivation file (.yaml) that can be read)`,
    ]);
    const run = await gradproof('check', dir, '--claim', 'lab-eq1', '--instances', '1');
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('lab-eq1');
    expect(run.stderr).toBe(
      `gradproof: ${join(dir, 'dangling.yaml')}:1:1: cannot read file: ENOENT (expected a derivation file (.yaml) that can be read)\n`,
    );
  }, 120_000);

  it("verify: a dangling link in a folder is that file's error status (text, --junit, --json), the others verified, exit 2", async () => {
    const dir = join(tmp, 'verify-dangling');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), TINY_RNN_FILE);
    const dangling = join(dir, 'dangling.yaml');
    symlinkSync(join(tmp, 'no-such-target.yaml'), dangling);
    const fixtures = join(tmp, 'verify-dangling-fixtures');
    const junit = join(tmp, 'verify-dangling.xml');
    const error = `${dangling}:1:1: cannot read file: ENOENT (expected a derivation file (.yaml) that can be read)`;
    const args = ['verify', dir, '--fixtures', fixtures, '--instances', '1', '--jobs', '0'];
    const run = await gradproof(...args, '--update', '--junit', junit);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`gradproof: ${error}\n`);
    expect(run.stdout.replace(/\(\d+\.\d s\)/, '(… s)')).toBe(
      [
        `↻ ${join(dir, 'a.yaml')}: updated, 1 claim (… s)`,
        `✗ ${dangling}: error, not verified`,
        `    ${error}`,
        '',
        '2 files, 1 claim: 0 files drifted, 0 claims not as expected, 1 file not verified (an error)',
        '',
      ].join('\n'),
    );
    // the other file was verified: its fixture written
    expect((JSON.parse(readFileSync(join(fixtures, 'a.json'), 'utf8')) as { file: string }).file).toBe(
      join(dir, 'a.yaml'),
    );
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites name="gradproof verify" tests="2" failures="0" errors="1">');
    expect(xml).toContain(
      `  <testsuite name="${dangling}" tests="1" failures="0" errors="1" time="0">\n` +
        `    <testcase classname="${dangling}" name="(file)" time="0"><error message="cannot read file: ENOENT">${error}</error></testcase>\n` +
        '  </testsuite>',
    );
    const json = await gradproof(...args, '--json');
    expect(json.status).toBe(2);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      files: { file: string; status: string; error?: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.files.map((f) => [f.file, f.status, f.error ?? null])).toEqual([
      [join(dir, 'a.yaml'), 'ok', null],
      [dangling, 'error', error],
    ]);
  }, 180_000);

  it.each([
    ['    - heading: [A]\n', 'heading must be text (expected text (a string or a number))'],
    [
      '    - heading: A\n      claims: [nope]\n',
      "no claim or chain 'nope' in this file (expected the id of a claim or chain above)",
    ],
    [
      '    - heading: A\n      claims: [lab-eq1]\n    - heading: B\n      claims: [lab-eq1]\n',
      "claim 'lab-eq1' is already shown in another section (expected each claim in one section only)",
    ],
    [
      '    - heading: A\n      plots:\n        - { claim: lab-eq1, over: k, sizes: { T: 1000 } }\n',
      'size T must be an integer in 1..512 (expected T from 1 to 512)',
    ],
  ])('%#: %s', (section, message) => {
    const text = `${readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8')}\ndocument:\n  sections:\n${section}`;
    expect(thrown(() => parseDerivation(text, 'doc.yaml')).message).toMatch(
      new RegExp(`^doc\\.yaml:\\d+:\\d+: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    );
  });
});

describe('derive', () => {
  it('refuses a time no instance has, where check refuses the node (it printed zeros)', () => {
    expect(thrown(() => deriveQuantities(LAB, 'grad(L, h[T+1])', null)).message).toBe(
      '<quantity>:1:9: h[T+1] is outside the unrolled graph (0..T) for every instance (T in 3..9) (expected a time from 0 to T)',
    );
    expect(thrown(() => deriveQuantities(LAB, 'grad(L, x[0])', null)).message).toMatch(
      /^<quantity>:1:9: x\[0\] is outside the unrolled graph \(1\.\.T\)/,
    );
    expect(thrown(() => deriveQuantities(LAB, 'grad(L, h[T-10])', null)).message).toMatch(/h\[T-10\] is outside/);
    // inside for some instance, or with a free index: derived — h[10d − 40] only at d = 4 (between the corners of
    // d in 2..5, T in 3..9, each failing one limit or the other: a second review found it refused)
    for (const q of ['grad(L, h[0])', 'grad(L, h[T-5])', 'grad(L, h[T-k])', 'grad(L, x[1])', 'grad(L, h[10*d-40])'])
      expect(deriveQuantities(LAB, q, null)).toHaveLength(1);
  });
  // Until 2026-12-07 `--unroll k=1000` with T ≤ 9 wrote out h[T-999] (a time no instance has), `--unroll T=1000`
  // a horizon the model's range excludes, and `--unroll k=1000` on grad(L, h[T-2]) changed nothing: all exit 0.
  it('refuses --unroll values the run cannot unroll, and a value nothing reads', async () => {
    expect(thrown(() => deriveQuantities(LAB, 'grad(L, h[T-k])', { k: 1000 })).message).toBe(
      '<--unroll>:1:1: --unroll k=1000: in grad(L, h[T-k]), h[T-1000] is outside the unrolled graph (0..T) for every instance (T in 3..9) (expected k from 0 to 9)',
    );
    expect(thrown(() => deriveQuantities(LAB, 'grad(L, h[T-k])', { T: 1000 })).message).toBe(
      "<--unroll>:1:1: --unroll T=1000: the model's size T is from 3 to 9 (expected T from 3 to 9)",
    );
    expect(thrown(() => deriveQuantities(LAB, 'grad(L, h[T-k])', { T: 4, k: 6 })).message).toBe(
      '<--unroll>:1:1: --unroll T=4 k=6: in grad(L, h[T-k]), h[-2] is outside the unrolled graph (0..T) for every instance (T = 4) (expected k from 0 to 4)',
    );
    expect(thrown(() => deriveQuantities(LAB, 'grad(L, h[T-2])', { k: 1000 })).message).toBe(
      '<--unroll>:1:1: --unroll k=1000: grad(L, h[T-2]) reads no k, so the value would be ignored (expected a name it reads: T)',
    );
    // honoured inside: T = 9 and k = 9 write out nine factors; T = 6 sets the horizon of grad(L, W)'s sum
    expect(
      printExpr(deriveQuantities(LAB, 'grad(L, h[T-k])', { T: 9, k: 9 })[0]!.unrolled!).split("W'").length - 1,
    ).toBe(9);
    expect(printExpr(deriveQuantities(LAB, 'grad(L, W)', { T: 6 })[0]!.unrolled!)).toContain('grad(L, h[6])');
    const run = await gradproof(
      'derive',
      'derivations/lab-10-5-vanilla-rnn.yaml',
      'grad(L, h[T-k])',
      '--unroll',
      'k=1000',
    );
    expect([run.status, run.stdout, run.stderr]).toEqual([
      2,
      '',
      'gradproof: <--unroll>:1:1: --unroll k=1000: in grad(L, h[T-k]), h[T-1000] is outside the unrolled graph (0..T) for every instance (T in 3..9) (expected k from 0 to 9)\n',
    ]);
  }, 60_000);

  it('refuses an --unroll name no quantity can read', () => {
    expect(thrown(() => deriveQuantities(LAB, 'grad(L, h[T-k])', { zz: 5 })).message).toMatch(
      /^<--unroll>:1:1: --unroll zz: 'zz' is neither a size of the model nor a free index/,
    );
  });
});

describe('report', () => {
  it('writes a label with math delimiters or template tags as text (render --format md did, report did not)', () => {
    const text = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
    const d = parseDerivation(
      `${text.slice(0, text.indexOf('\nclaims:'))}\nclaims:\n  - id: c\n    label: "$$x$$ {{ x }} {% raw %}"\n    claim: norm2(W) <= norm2(W)\n`,
      'report.yaml',
    );
    const md = summaryMarkdown([
      { file: d.file, title: '{{< shortcode >}} $a$', source: null, claims: checkDerivation(d) },
    ]);
    // (since 2026-12-06 with render --format md's escaper: braces and > backslashed too)
    expect(md).toContain('| \\$\\$x\\$\\$ &#123;\\{ x \\}\\} &#123;% raw %\\} |');
    expect(md).toContain('#### &#123;\\{&lt; shortcode \\>\\}\\} \\$a\\$');
    expect(md).not.toMatch(/\{\{|\{%|(?<!\\)\$/);
    // a statement is a code span, which templates read too: it becomes a <code> element with the opener an entity
    const claimWith = (statement: string) =>
      summaryMarkdown([{ file: 'f', title: 't', source: null, claims: [{ ...checkDerivation(d)[0]!, statement }] }]);
    expect(claimWith('{{ x }} <= y')).toContain('<code>&#123;{ x }} &lt;= y</code>');
    expect(claimWith('norm2(W) <= 1')).toContain('`norm2(W) <= 1`');
  });
});

describe("a file's notation symbols", () => {
  it("are checked as a claim's are: one LaTeX symbol each", () => {
    const text = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
    for (const key of ['__proto__', 'not a symbol at all']) {
      const file = text.replace('notation:\n', `notation:\n  symbols: { '${key}': W }\n`);
      expect(thrown(() => parseDerivation(file, 'n.yaml')).message).toMatch(
        new RegExp(`^n\\.yaml:\\d+:\\d+: '${key}' is not one LaTeX symbol`),
      );
    }
  });
});

describe('YAML aliases', () => {
  it('are named as what is not read (it said only that a mapping was expected)', () => {
    const text = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8')
      .replace('    W: {', '    W: &w {')
      .replace('    h: {', '    V: *w\n    h: {');
    expect(thrown(() => parseDerivation(text, 'a.yaml')).message).toMatch(
      /^a\.yaml:\d+:8: symbol V must be a mapping: '\*w' is a YAML alias, which gradproof does not read/,
    );
  });
});

describe('scaffold on nesting inside a line', () => {
  it('reads past 3000 nested emphases (emphasis is not parsed: no stack overflow, no located error needed)', async () => {
    const post = join(tmp, 'emph.md');
    writeFileSync(post, `${'*a '.repeat(3000)}x${' a*'.repeat(3000)}\n\n$$\nh_t = 1\n$$\n`);
    const r = await gradproof('scaffold', post);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('h_t = 1');
  });
});

describe('a second review of hostile inputs (2026-12-06)', () => {
  const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
  const withNotation = (key: string, value: string) => {
    const line = `  ${key}: '${value.replace(/'/g, "''")}'`;
    // a key the file sets already (its horizon) is replaced: YAML refuses a key twice
    return lab.includes(`\n  ${key}: `)
      ? lab.replace(new RegExp(`\n  ${key}: .*`), `\n${line}`)
      : lab.replace('notation:\n', `notation:\n${line}\n`);
  };

  it.each([
    ['name.W', '\\input{/etc/hostname}', "\\input is not taken in a symbol's LaTeX"],
    ['name.W', '\\mathbf{W}\\gdef\\verdict#1{\\input{/etc/hostname}}', 'the character "#" is not taken'],
    ['name.W', '\\end{aligned}\\]\\input{/etc/hostname}\\[', "\\end is not taken in a symbol's LaTeX"],
    ['name.W', '\\href{javascript:alert(1)}{W}', "\\href is not taken in a symbol's LaTeX"],
    ['name.W', '\\mathbf{W', 'KaTeX cannot read it'],
    ['name.W', 'W % the rest of the line', 'the character "%" is not taken'],
    ['name.h', '\\csname W\\endcsname', "\\csname is not taken in a symbol's LaTeX"],
    ['horizon', '\\write18{id}', "\\write is not taken in a symbol's LaTeX"],
  ])('notation %s: %s is refused where it is written (pdflatex would run it)', (key, value, problem) => {
    const text = withNotation(key, value);
    const err = thrown(() => parseDerivation(text, 'hint.yaml'));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problem).toContain(`notation ${key}: ${problem}`);
    expect((err as InputError).pos.line).toBe(text.slice(0, text.indexOf(`${key}:`)).split('\n').length);
  });

  it("keeps the shipped files' hints and the usual ones", () => {
    for (const v of [
      '\\bar{\\mathbf{h}}',
      '\\widetilde{C}',
      'W_{rec}',
      'E^{h}',
      "W'",
      '\\mathcal{L}_t(\\theta)',
      '\\tau',
      // a second review's, refused by the first version
      '\\mathbf{W}_{\\!hh}',
      '\\overrightarrow{h}',
      'W^\\intercal',
      '\\mathring{W}',
      'W_{h\\to y}',
    ])
      expect(() => parseDerivation(withNotation('name.W', v), 'hint.yaml')).not.toThrow();
  });

  it('zeros, ones and eye with a size below 1: located at the claim, or at the model where the ranges allow it', () => {
    const model = lab.slice(0, lab.indexOf('claims:'));
    const claim = (c: string) => `${model}claims:\n  - id: c\n    claim: '${c}'\n    forall: k in 1..3\n`;
    for (const [c, shown] of [
      ['norm2(zeros(-1, 2)) <= 1', 'zeros(-1, 2)'],
      ['norm2(ones(k - 2)) <= 9', 'ones(-1, 1)'],
      ['logsumexp(zeros(k - 1)) <= 9', 'zeros(0, 1)'],
    ] as const) {
      const err = thrown(() => checkDerivation(parseDerivation(claim(c), 'sizes.yaml'), { instances: 1, search: 0 }));
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).problem).toBe(`claim 'c' leaves the unrolled graph: ${shown} has no entries`);
      expect((err as InputError).expected).toBe('sizes of at least 1 at every binding');
    }
    // what each expects, not time indices inside 0..T (which every such error said)
    for (const [c, expected] of [
      ['norm2(cols(W, 0, 1)) <= 1', 'columns within 1..'],
      ['max(i, 3, 1, 1) <= 1', 'a range with at least one value at every binding'],
      ['norm2(W^(k - 2)) <= 9', 'an integer exponent k ≥ 0 at every binding'],
    ] as const) {
      const err = thrown(() => checkDerivation(parseDerivation(claim(c), 'sizes.yaml'), { instances: 1, search: 0 }));
      expect((err as InputError).expected).toContain(expected);
    }
    const loss = lab.replace(/loss: L = (.*)/, 'loss: L = $1 + sum(zeros(d - 3))');
    const err = thrown(() => parseDerivation(loss, 'loss.yaml'));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problem).toBe("zeros(d-3) has a size of -1 for some sizes in the model's ranges");
    expect(() =>
      parseDerivation(lab.replace(/loss: L = (.*)/, 'loss: L = $1 + sum(zeros(d - 1))'), 'ok.yaml'),
    ).not.toThrow();
  });
});

describe('derived forms that grow as Fibonacci numbers (2026-12-06)', () => {
  // intermediates z_i = tanh(W(z_{i−2} + z_{i−1}) + x): ∂z_i/∂h written out doubles about every 1.44 steps
  const fibonacci = (n: number) => {
    const zs = Array.from({ length: n }, (_, k) => `z${k + 1}`);
    const reads = (k: number) => (k === 0 ? 'h[t-1]' : k === 1 ? 'z1[t]' : `z${k - 1}[t] + z${k}[t]`);
    return parseDerivation(
      `gradproof: 1
title: Fibonacci intermediates
model:
  name: fibonacci
  sizes: { d: 2, T: 3 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    x: { role: input, shape: [d] }
    h: { role: state, shape: [d] }
${zs.map((z) => `    ${z}: { role: intermediate, shape: [d] }`).join('\n')}
  equations:
${zs.map((z, k) => `    - ${z}[t] = tanh(W*(${reads(k)}) + x[t])`).join('\n')}
    - h[t] = z${n}[t] + h[t-1]
  loss: L = sum(h[T])
claims:
  - id: c
    claim: grad(L, h[T-1]) = grad(L, h[T-1])
`,
      'fibonacci.yaml',
    );
  };

  it('derive: no closed form past what it prints, said so, instead of running past 3 GB (30 intermediates)', () => {
    const [one] = deriveQuantities(fibonacci(30), 'jac(h[t], h[t-1])', null);
    expect(one!.derived).toBeNull();
    expect(one!.problem).toBe(`∂z20/∂h has 1.59e+5 nodes written out, more than ${MAX_PRINTED_FORM_NODES}`);
  });

  it('check: the closed form is kept shared (its transposes too), and its identity decided (1.7 GB and 120 s before)', () => {
    const [r] = checkDerivation(fibonacci(30), { instances: 1, search: 0 });
    expect(r!.verdict).toBe('verified');
  });

  it('derives the smaller ones as before (12 intermediates)', () => {
    const [one] = deriveQuantities(fibonacci(12), 'jac(h[t], h[t-1])', null);
    expect(one!.problem).toBeNull();
    expect(formSize(one!.derived!)).toBeLessThan(MAX_PRINTED_FORM_NODES);
  });
});

describe('messages and silent acceptances a review found (2026-12-06)', () => {
  const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
  const problemOf = (text: string) => (thrown(() => parseDerivation(text, 'x.yaml')) as InputError).problem;

  it('a definition named as a symbol, or naming a parameter twice, is refused at its key', () => {
    const withDefinition = (head: string, body: string) =>
      lab.replace('model:\n', `definitions:\n  "${head}": "${body}"\nmodel:\n`);
    expect(problemOf(withDefinition('W(k)', 'W^k'))).toBe(
      "definition 'W' has the name of a symbol or function of the model",
    );
    expect(problemOf(withDefinition('A(k, k)', 'W^k'))).toBe("definition A names its parameter 'k' twice");
    expect(() => parseDerivation(withDefinition('A(k)', 'W^k'), 'x.yaml')).not.toThrow();
  });

  it('reads a file with CR line endings as its lines (it was a YAML error on line 1)', () => {
    const cr = lab.replace(/\r?\n/g, '\r');
    const d = parseDerivation(cr, 'cr.yaml');
    expect(d.claims.map((c) => c.id)).toEqual(parseDerivation(lab, 'lf.yaml').claims.map((c) => c.id));
    // positions stay where they are, a line per CR
    const bad = cr.replace('T: 3..9', 'T: 3..x');
    expect(thrown(() => parseDerivation(bad, 'cr.yaml')).message).toMatch(/^cr\.yaml:13:8: bad range for size T/);
  });

  it("a literal beyond float64's range says so (it was 'unsupported constant Infinity')", () => {
    const err = thrown(() => parseExpression('1e999 * norm2(W)', scopeOf(LAB))) as ExprError;
    expect([err.message, err.expected]).toEqual([
      "the number 1e999 is beyond float64's range (it reads as Infinity)",
      'a number below 1.8e308 in size',
    ]);
  });

  it('the exact engines refuse a size below 1 they reach where the numbers do not (an internal error before)', () => {
    const model = lab.slice(0, lab.indexOf('claims:'));
    const d = parseDerivation(`${model}claims:\n  - id: c\n    claim: sum(ones(d - 3)) = d - 3\n`, 'x.yaml');
    const [r] = checkDerivation(d, { instances: 1, search: 0, sizeOverrides: { d: 5 } });
    expect(r!.verdict).toBe('consistent');
    expect(evidenceSummary(evidenceOf(r!.evidence, 'symbolic')!)).toContain(
      'ones has a size of -1 at some sizes the exact check reaches',
    );
  });

  it('a definition may be named as a size (it is read only as a call)', () => {
    const text = lab.replace('model:\n', 'definitions:\n  "m(k)": "W^k"\nmodel:\n');
    expect(() => parseDerivation(text, 'x.yaml')).not.toThrow();
  });

  it('--size given twice is refused, not the last one taken', () => {
    expect(() => parseSizePairs(['T=3', 'd=2', 'T=4'], 100)).toThrow("--size T is given twice ('T=3', 'T=4')");
    expect([...parseSizePairs(['T=3', 'd=2'], 100)]).toEqual([
      ['T', 3],
      ['d', 2],
    ]);
  });

  it('scaffold reads a post that starts with a byte-order mark (it found 0 equations)', async () => {
    const post = join(tmp, 'bom.md');
    writeFileSync(post, '\uFEFF# t\n\n$$a_{t} = W b_{t}$$\n');
    const r = await gradproof('scaffold', post);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 display equations');
  });
});
