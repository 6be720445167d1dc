/**
 * A third review's bad inputs (2026-12-07): each is a located error (exit 2) saying what was expected, or, where the
 * input is fine, a run bounded in work before the work is done.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { attachDashValues, VALUE_OPTIONS } from '../../src/cli/dash-values.js';
import { InstancePool } from '../../src/check/check-claim.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { asDense } from '../../src/numeric/values.js';
import { chargeWork, needWork, withWorkLimit } from '../../src/numeric/work-meter.js';
import { scopeOf } from '../../src/symbolic/quantities.js';
import { gradproof } from './spawn.js';

const tmp = mkdtempSync(join(tmpdir(), 'gradproof-third-review-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const LAB = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');

/** The InputError parsing `text` throws (a test failure where it throws nothing, or something else). */
function inputError(text: string, file = 'x.yaml'): InputError {
  try {
    parseDerivation(text, file);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('nothing thrown');
}

/** Line and column (1-based) of the first `needle` in `text`, after `from`. */
function at(text: string, needle: string, from = 0): { line: number; col: number } {
  const offset = text.indexOf(needle, from);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

describe('verify --shard', () => {
  const EXPECTED = (raw: string) => `gradproof: --shard takes i/n with 1 ≤ i ≤ n (e.g. --shard 2/3), got '${raw}'\n`;

  it.each([
    [['--shard', '-1/2'], '-1/2'],
    [['--shard=-1/2'], '-1/2'],
    [['--shard', '-x'], '-x'],
    [['--shard', '0/2'], '0/2'],
    [['--shard', '3/2'], '3/2'],
    [['--shard', '1/0'], '1/0'],
    [['--shard', 'a/b'], 'a/b'],
  ])('%j says what a shard is (it said "Unknown argument: 1" for -1/2)', async (args, raw) => {
    const r = await gradproof('verify', 'derivations', ...args);
    expect([r.status, r.stderr, r.stdout]).toEqual([2, EXPECTED(raw), '']);
  });

  it('a value that starts with a dash is the value of any option that takes one', async () => {
    const r = await gradproof('check', 'derivations/lab-10-5-vanilla-rnn.yaml', '--size', '-d=3');
    expect([r.status, r.stderr]).toEqual([
      2,
      "gradproof: --size takes NAME=INTEGER with 1 ≤ INTEGER ≤ 100000, got '-d=3'\n",
    ]);
  });
});

describe('options that take a value', () => {
  it('are every option declared with a value (type string) in the CLI', () => {
    const declared = new Set<string>();
    for (const f of readdirSync('src/cli').filter((name) => name.endsWith('.ts'))) {
      const text = readFileSync(`src/cli/${f}`, 'utf8');
      for (const [, name, rest] of text.matchAll(/\.option\(\s*'([a-z-]+)',\s*([^)]*)/g))
        if (/type: 'string'|workLimitOption/.test(rest!)) declared.add(name!);
    }
    expect([...declared].sort()).toEqual([...VALUE_OPTIONS].sort());
  });

  it('take a value with a dash attached, and leave negative numbers, flags and what follows -- alone', () => {
    expect(attachDashValues(['verify', '--shard', '-1/2', '--json'])).toEqual(['verify', '--shard=-1/2', '--json']);
    expect(attachDashValues(['check', 'f', '--workLimit', '-x'])).toEqual(['check', 'f', '--workLimit=-x']);
    expect(attachDashValues(['check', 'f', '--seed', '-1'])).toEqual(['check', 'f', '--seed', '-1']);
    expect(attachDashValues(['verify', '--shard', '--json'])).toEqual(['verify', '--shard', '--json']);
    expect(attachDashValues(['verify', '--json', '-x'])).toEqual(['verify', '--json', '-x']);
    expect(attachDashValues(['check', '--', '--size', '-x'])).toEqual(['check', '--', '--size', '-x']);
  });
});

describe("a size's YAML type", () => {
  const withSize = (value: string) => LAB.replace(/\n {4}d: 2\.\.5 .*/, `\n    d: ${value}`);
  const EXPECTED = 'an integer or a range such as 2..6';

  it.each([
    [
      '[2, 3]',
      'bad range for size d: YAML reads a list here, not an integer or a range',
      `${EXPECTED} (lo..hi, not [lo, hi])`,
    ],
    ['{a: 1}', 'bad range for size d: YAML reads a mapping here, not an integer or a range', EXPECTED],
    ['true', "bad range for size d: YAML reads 'true' as a boolean, not an integer or a range", EXPECTED],
    ['', 'bad range for size d: no value', EXPECTED],
    ['big', "bad range for size d: 'big'", EXPECTED],
    ['2.5', "bad range for size d: '2.5'", EXPECTED],
    ['-2', "bad range for size d: '-2'", EXPECTED],
    ['5..2', 'empty or non-positive range for size d', 'lo..hi with 1 ≤ lo ≤ hi'],
  ])('d: %s says what it expected, at the value', (value, problem, expected) => {
    const text = withSize(value);
    const err = inputError(text);
    expect([err.problem, err.expected]).toEqual([problem, expected]);
    expect(err.pos).toEqual({ file: 'x.yaml', ...at(text, 'd: ', text.indexOf('sizes:')), col: 8 });
  });

  it('on the command line: file:line:col, what was expected, exit 2', async () => {
    const file = join(tmp, 'list.yaml');
    writeFileSync(file, withSize('[2, 3]'));
    const r = await gradproof('check', file);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `gradproof: ${file}:11:8: bad range for size d: YAML reads a list here, not an integer or a range (expected ${EXPECTED} (lo..hi, not [lo, hi]))\n`,
    );
  });
});

describe('a size written other than in decimal digits', () => {
  // YAML reads 0x10, 0o17, 1e3, +3 and 3.0 as numbers, which were taken as sizes 16, 15, 1000, 3 and 3 without a word.
  // Sizes are written in decimal: each of these is refused, with the number YAML read, and so is a leading zero
  // (YAML 1.1 reads 010 as octal 8, YAML 1.2 as 10). Quoted, or where YAML reads text (1_000), they were refused and
  // still are.
  const withSize = (value: string) => LAB.replace(/\n {4}d: 2\.\.5 .*/, `\n    d: ${value}`);
  const DECIMAL = 'an integer or a range such as 2..6, in decimal digits';

  it.each([
    ['0x10', "bad range for size d: '0x10' is not in decimal digits (YAML reads it as 16)", `${DECIMAL}: 16`],
    ['0o17', "bad range for size d: '0o17' is not in decimal digits (YAML reads it as 15)", `${DECIMAL}: 15`],
    ['1e3', "bad range for size d: '1e3' is not in decimal digits (YAML reads it as 1000)", `${DECIMAL}: 1000`],
    ['+3', "bad range for size d: '+3' is not in decimal digits (YAML reads it as 3)", `${DECIMAL}: 3`],
    ['3.0', "bad range for size d: '3.0' is not in decimal digits (YAML reads it as 3)", `${DECIMAL}: 3`],
    ['010', "bad range for size d: '010' has a leading zero (octal in YAML 1.1)", `${DECIMAL}, without leading zeros`],
    [
      '02..5',
      "bad range for size d: '02..5' has a leading zero (octal in YAML 1.1)",
      `${DECIMAL}, without leading zeros`,
    ],
    ['1_000', "bad range for size d: '1_000'", 'an integer or a range such as 2..6'],
    ["'0x10'", "bad range for size d: '0x10'", 'an integer or a range such as 2..6'],
  ])('d: %s is refused at the value', (value, problem, expected) => {
    const text = withSize(value);
    const err = inputError(text);
    expect([err.problem, err.expected]).toEqual([problem, expected]);
    expect([err.pos.line, err.pos.col]).toEqual([11, 8]);
  });

  it('decimal sizes and ranges, quoted or not, are read as before', () => {
    for (const value of ['4', '2..5', "'3'", '"2 .. 4"', '1', '10..12'])
      expect(() => parseDerivation(withSize(value), 'x.yaml')).not.toThrow();
    expect(parseDerivation(withSize('10..12'), 'x.yaml').model.sizes.d).toEqual({ min: 10, max: 12 });
  });

  it("in a claim's own sizes too", () => {
    const text = LAB.replace(
      '    forall: k in 1..T\n    expect: verified',
      '    forall: k in 1..T\n    sizes: { d: 0x3 }\n    expect: verified',
    );
    const err = inputError(text);
    expect(err.problem).toBe("bad range for size d: '0x3' is not in decimal digits (YAML reads it as 3)");
  });

  it('on the command line: exit 2, located', async () => {
    const file = join(tmp, 'hex.yaml');
    writeFileSync(file, withSize('0x10'));
    const r = await gradproof('check', file);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `gradproof: ${file}:11:8: bad range for size d: '0x10' is not in decimal digits (YAML reads it as 16) (expected ${DECIMAL}: 16)\n`,
    );
  });
});

describe('a claim through nested definitions', () => {
  // D15(k) = D14(k) = … = D1(k), and D1 reads a symbol that is not there
  const nested = (levels: number, body = 'norm2(W^k) + unknownthing') => {
    const defs = Array.from({ length: levels - 1 }, (_, i) => `  "D${i + 2}(k)": "D${i + 1}(k)"\n`).join('');
    const model = LAB.slice(0, LAB.indexOf('claims:'));
    return `${model.replace('model:\n', `definitions:\n  "D1(k)": "${body}"\n${defs}model:\n`)}claims:\n  - id: deep\n    claim: D${levels}(k) <= 1\n    forall: k in 1..3\n`;
  };

  it('names the outermost and the innermost and says how many levels (it named all 15, 394 characters)', () => {
    const text = nested(15);
    const err = inputError(text);
    expect(err.problem).toBe(
      "in D15(…) → … → D1(k) = norm2(W^k) + unknownthing (15 nested definitions): unknown symbol 'unknownthing'",
    );
    expect(err.pos).toEqual({ file: 'x.yaml', ...at(text, 'D15(k) <= 1') });
    expect(err.message.length).toBeLessThan(220);
  });

  it('two levels are both named, one is shown expanded', () => {
    expect(inputError(nested(2)).problem).toBe(
      "in D2(…) → D1(k) = norm2(W^k) + unknownthing: unknown symbol 'unknownthing'",
    );
    expect(inputError(nested(1)).problem).toBe("in D1(k) = norm2(W^k) + unknownthing: unknown symbol 'unknownthing'");
    // an argument in parentheses once, however deep it is passed on
    const text = nested(5).replace('claim: D5(k) <= 1', 'claim: D5(k + 1) <= 1');
    expect(inputError(text).problem).toBe(
      "in D5(…) → … → D1(k + 1) = norm2(W^(k + 1)) + unknownthing (5 nested definitions): unknown symbol 'unknownthing'",
    );
  });

  it('on the command line: exit 2, file:line:col', async () => {
    const file = join(tmp, 'nested.yaml');
    writeFileSync(file, nested(15));
    const r = await gradproof('check', file);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `gradproof: ${file}:${at(nested(15), 'D15(k) <= 1').line}:12: in D15(…) → … → D1(k) = norm2(W^k) + unknownthing (15 nested definitions): unknown symbol 'unknownthing' (expected one of the declared symbols or index variables)\n`,
    );
  });
});

describe("macros defined in a formula's LaTeX", () => {
  // \gdef\foo{W} \|\foo\| \le … was read as ‖W‖ ≤ …, the definition dropped without a word
  const model = LAB.slice(0, LAB.indexOf('claims:'));
  const withLatex = (latex: string) => `${model}claims:\n  - id: c\n    latex: '${latex}'\n`;
  const PROBLEM = (name: string) =>
    `\\${name}: macros defined by users are not allowed in a formula (KaTeX reads it with trust off)`;
  const EXPECTED = "the formula with the macro's text written out";

  it.each([
    ['gdef', '\\|W\\| \\le \\gdef\\foo{W}\\|\\foo\\|'],
    ['def', '\\|W\\| \\le \\def\\foo{W}\\|\\foo\\|'],
    ['edef', '\\|W\\| \\le \\edef\\foo{W}\\|\\foo\\|'],
    ['xdef', '\\|W\\| \\le \\xdef\\foo{W}\\|\\foo\\|'],
    ['newcommand', '\\|W\\| \\le \\newcommand{\\foo}{W}\\|\\foo\\|'],
    ['renewcommand', '\\|W\\| \\le \\renewcommand{\\foo}{W}\\|W\\|'],
    ['providecommand', '\\|W\\| \\le \\providecommand{\\foo}{W}\\|\\foo\\|'],
    ['let', '\\|W\\| \\le \\let\\foo=W \\|\\foo\\|'],
    ['futurelet', '\\|W\\| \\le \\futurelet\\foo\\bar W \\|W\\|'],
    ['global', '\\|W\\| \\le \\global\\def\\foo{W}\\|\\foo\\|'],
    ['long', '\\|W\\| \\le \\long\\def\\foo{W}\\|\\foo\\|'],
  ])('\\%s is refused where it is written', (name, latex) => {
    const text = withLatex(latex);
    const err = inputError(text);
    expect([err.problem, err.expected]).toEqual([PROBLEM(name), EXPECTED]);
    expect(err.pos).toEqual({ file: 'x.yaml', ...at(text, `\\${name}`) });
  });

  it('a control sequence that only ends in those letters, and an escaped backslash, are read as before', () => {
    expect(() => parseDerivation(withLatex('\\|W\\| \\le \\|W\\| \\\\ '), 'x.yaml')).not.toThrow();
    const err = inputError(withLatex('\\|W\\| \\le \\|W\\| \\letter'));
    expect(err.problem).not.toContain('macros defined by users');
  });

  it("in a model equation's LaTeX too", () => {
    const text = LAB.replace(
      '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)',
      "    - latex: '\\gdef\\z{h} h_t = \\tanh(W h_{t-1} + U x_t + b)'",
    );
    const err = inputError(text);
    expect(err.problem).toBe(PROBLEM('gdef'));
    expect(err.pos).toEqual({ file: 'x.yaml', ...at(text, '\\gdef') });
  });

  it('on the command line: exit 2, file:line:col, nothing checked', async () => {
    const file = join(tmp, 'gdef.yaml');
    const text = withLatex('\\gdef\\foo{W} \\|\\foo\\| \\le \\|W\\|');
    writeFileSync(file, text);
    const r = await gradproof('check', file);
    const { line, col } = at(text, '\\gdef');
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`gradproof: ${file}:${line}:${col}: ${PROBLEM('gdef')} (expected ${EXPECTED})\n`);
  });
});

describe('matrix powers and products of many factors: their work counted before it is done', () => {
  // norm2(W^999999) walked 999999 factors for each column of every instance (≈ 2.5·10⁹ operations an instance at
  // d = 5): the claim's work limit stopped it after 80 s and 714 MB; prod(i, 1, 1e6, W) likewise after 48 s.
  const lab = parseDerivation(LAB, 'lab.yaml');
  const pool = new InstancePool(lab);
  const sizes = { T: 4, d: 5, m: 2 };
  const evaluate = (text: string, limit: number) => {
    const { evaluator } = pool.get(1, 0, sizes);
    const expr = parseExpression(text, scopeOf(lab)).expr;
    return withWorkLimit(limit, () => asDense(evaluator.evaluate(expr, {})));
  };

  // Q: W scaled to spectral radius 1, so that neither power vanishes; (1 + 0 * p) makes the factors depend on the
  // index, which keeps the walk
  it.each([
    ['W^999999', 'Q^5000', 'prod(p, 1, 5000, (1 + 0 * p) * Q)'],
    ['prod(p, 1, 1000000, W)', 'prod(p, 1, 5000, Q)', 'prod(p, 1, 5000, (1 + 0 * p) * Q)'],
    [
      'prod(p, 1, 1000000, W * diag(1 - h[T].^2))',
      'prod(p, 1, 5000, Q * diag(1 - h[T].^2))',
      'prod(p, 1, 5000, (1 + 0 * p) * Q * diag(1 - h[T].^2))',
    ],
  ])('%s costs a power by squaring: tens of products, not 10⁶ steps per column', (text, squaring, walking) => {
    const run = evaluate(`norm2(${text})`, 1e6);
    expect(run.exceeded).toBe(false);
    expect(run.spent).toBeLessThan(1e5);
    // the same matrix as the walk computes, to rounding
    const q = (e: string) => e.replaceAll('Q', '(W / rho(W))');
    const [squared, walked] = [evaluate(q(squaring), Infinity).value!, evaluate(q(walking), Infinity).value!];
    const scale = Math.max(...walked.data.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-300);
    squared.data.forEach((x, j) => expect(Math.abs(x - walked.data[j]!)).toBeLessThanOrEqual(1e-6 * scale));
  });

  it('work needed is refused before it is done, counted just past the limit (not what was never done)', () => {
    const outer = withWorkLimit(1000, () => {
      const inner = withWorkLimit(100, () => {
        chargeWork(10);
        needWork(500);
        chargeWork(1);
      });
      expect([inner.exceeded, inner.spent]).toEqual([true, 101]);
      needWork(800); // 101 + 800 fits the outer limit: nothing charged
      return 'done';
    });
    expect(outer).toEqual({ value: 'done', spent: 101, exceeded: false });
  });

  it('a product whose factors change with the index is stopped before its walk, where the limit cannot take it', () => {
    const fresh = new InstancePool(lab);
    const { evaluator } = fresh.get(1, 0, sizes);
    const expr = parseExpression('norm2(prod(p, 1, 1000000, (1 + 0 * p) * W))', scopeOf(lab)).expr;
    const run = withWorkLimit(1e6, () => evaluator.evaluate(expr, {}));
    expect(run.exceeded).toBe(true);
    // no partial result was computed (before: ≈ 1900 steps walked and kept until the limit was passed)
    expect(evaluator.productMemo.kept.entries).toBe(0);
  });

  it('on the command line: norm2(W^999999) and prod(i, 1, 1e6, W) are checked to their verdicts (both stopped at the work limit, exit 2)', async () => {
    const model = LAB.slice(0, LAB.indexOf('claims:'));
    const file = join(tmp, 'power.yaml');
    writeFileSync(
      file,
      `${model}claims:
  - id: power
    claim: norm2(W^999999) <= norm2(W)^999999
    expect: consistent
  - id: product
    claim: norm2(prod(i, 1, 1000000, W)) <= norm2(W)^1000000
    expect: consistent
`,
    );
    const r = await gradproof('check', file, '--jobs', '0');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/✓ power\s+consistent\s+consistent/);
    // its points in doubt decided in extended precision: 10⁶ wide-float products each before, now the power's squares
    expect(r.stdout).toMatch(/✓ product\s+consistent\s+consistent\s.*\n.*20\/20 points agree/);
    expect(r.status).toBe(0);
  });
});
