/**
 * Budgets (src/ir/limits.ts): every one exceeded is a located InputError
 * naming the limit — never an exhausted heap or stack, never a run that does
 * not end — while long but flat input (a 6,000-term sum) loads and is checked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check, checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { InputError } from '../../src/derivation/errors.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { depthOf } from '../../src/ir/expr.js';
import { LIMITS } from '../../src/ir/limits.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { printExpr } from '../../src/ir/print.js';
import { unrollProducts } from '../../src/symbolic/derive.js';
import { chargeExactWork, SymbolicUnsupported, withExactBudget } from '../../src/symbolic/unsupported.js';
import { deriveQuantities as derive } from '../../src/symbolic/quantities.js';
import { modelFile } from '../support/model-file.js';

const FILE = 'limits.yaml';

function file({ sizes = 'd: 2..3, m: 1..2, T: 3..4', defs = '', claims = '' } = {}): string {
  return modelFile({
    title: 'limits',
    sizes,
    symbols: ['W', 'U', 'x', 'h'],
    equations: ['h[t] = tanh(W*h[t-1] + U*x[t])'],
    loss: 'L = sum(h[T])',
    sections: defs,
    claims: claims || '  - id: c0\n    claim: h[T] = h[T]\n    expect: verified\n',
  });
}

/** One claim (double-quoted in YAML, so that it may start with a sign). */
const claim = (text: string, forall = '', expect = 'consistent') =>
  `  - id: c1\n    claim: "${text}"\n${forall ? `    forall: ${forall}\n` : ''}    expect: ${expect}\n`;

function loadError(text: string): InputError {
  try {
    parseDerivation(text, FILE);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw new Error(`expected an InputError, got ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  throw new Error('expected an InputError, but the file loaded');
}

/** The error is located (file:line:col) and says what went wrong. */
function expectLocated(text: string, problem: RegExp, line?: number): InputError {
  const err = loadError(text);
  expect(err.message).toMatch(/^limits\.yaml:\d+:\d+: /);
  expect(err.message).toMatch(problem);
  if (line !== undefined) expect(err.pos.line).toBe(line);
  return err;
}

const CLAIM_LINE = 15;

describe('reading a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses what is not a regular file (a device would be read without end)', () => {
    expect(() => loadDerivationFile('/dev/zero')).toThrow(/^\/dev\/zero:1:1: not a regular file/);
    expect(() => loadDerivationFile(dir)).toThrow(/not a regular file/);
  });

  it('refuses a file over the size limit before reading it', () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `${file()}# ${'x'.repeat(LIMITS.fileBytes)}\n`);
    expect(() => loadDerivationFile(big)).toThrow(
      new RegExp(`big\\.yaml:1:1: the file has \\d+ bytes, more than the limit of ${LIMITS.fileBytes}`),
    );
  });

  it('deeply nested YAML is a located error', () => {
    expectLocated(
      file().replace('title: limits', `title: ${'['.repeat(5000)}${']'.repeat(5000)}`),
      /the YAML is too deeply nested/,
    );
  });
});

describe('sizes and memory', () => {
  it('a size beyond its limit, at its range', () => {
    expectLocated(
      file({ sizes: 'd: 2..5000, m: 1, T: 3' }),
      /size d up to 5000 is more than the limit of 4096 \(expected d ≤ 4096\)/,
      4,
    );
    expectLocated(file({ sizes: 'd: 2, m: 1, T: 100001' }), /size T up to 100001 is more than the limit of 100000/, 4);
    // Beyond safe integers: refused by the same rule, not by a generator failing later.
    expectLocated(file({ sizes: 'd: 2..90071992547409930, m: 1, T: 3' }), /more than the limit of 4096/);
  });

  it('an unrolled graph beyond the memory budget, at the sizes', () => {
    expectLocated(
      file({ sizes: 'd: 4000, m: 1, T: 3..2000' }),
      /at the largest sizes \(d=4000, m=1, T=2000\) one instance's unrolled graph would hold .* numbers, more than the limit of 16777216/,
      4,
    );
  });

  it('a value beyond the budget (eye(1000000000)), at the value', () => {
    const text = file({ claims: claim('eye(1000000) = eye(1000000)') });
    const err = expectLocated(text, /this value has up to 1\.00e\+12 entries, more than the limit/, CLAIM_LINE);
    expect(err.pos.col).toBe(13);
  });

  it('a value whose size depends on a quantifier is bounded over its range', () => {
    expectLocated(file({ claims: claim('eye(k*5000) = eye(k*5000)', 'k in 1..T') }), /this value has up to .* entries/);
  });

  it('nested ranges beyond the work budget', () => {
    expectLocated(
      file({ claims: claim('sum(i, 1, 100000, sum(j, 1, 100000, h[T])) = h[T]') }),
      /takes more than 10000000 steps per binding \(nested sum\/prod\/hprod ranges\)/,
      CLAIM_LINE,
    );
  });

  it('the work over every binding beyond the claim budget (eq. (1) for every lag at T = 99999), at the side', () => {
    // each binding alone is within the per-binding budget; all of them took 2.2 GB and over 2 minutes
    const text = file({
      sizes: 'd: 2, m: 1, T: 99999',
      claims: claim("grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])", 'k in 1..T'),
    });
    const err = expectLocated(
      text,
      /evaluating this side at every binding takes about 9\.00e\+10 steps \(899996 per binding, 99999 bindings\), more than the limit of 100000000/,
      CLAIM_LINE,
    );
    expect(err.message).toContain('expected shorter ranges or fewer bindings');
    // at T = 1024 (the speed benchmark's longest) it loads
    expect(() =>
      parseDerivation(
        file({
          sizes: 'd: 2, m: 1, T: 1024',
          claims: claim("grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])", 'k in 1..T'),
        }),
        FILE,
      ),
    ).not.toThrow();
  });

  it('an integer constant beyond ±10⁶ in an index', () => {
    expectLocated(
      file({ claims: claim('h[T-100000000000] = h[T]') }),
      /an index or bound with a number beyond ±1000000/,
    );
  });

  it('more symbols, claims or quantifiers than the limits, at the first one past it', () => {
    const manySymbols = file().replace(
      '    h: { role: state, shape: [d] }\n',
      `    h: { role: state, shape: [d] }\n${Array.from({ length: 300 }, (_, i) => `    p${i}: { role: parameter, shape: [d] }\n`).join('')}`,
    );
    expectLocated(manySymbols, /more than 256 symbols \(expected at most 256 symbols in one file\)/, 6 + 256);
    const manyClaims = Array.from(
      { length: 1001 },
      (_, i) => `  - id: c${i}\n    claim: h[T] = h[T]\n    expect: verified\n`,
    ).join('');
    expectLocated(file({ claims: manyClaims }), /more than 1000 claims/, 14 + 3 * 1000);
    const quantifiers = Array.from({ length: 9 }, (_, i) => `q${i} in 1..2`).join(', ');
    expectLocated(file({ claims: claim('h[T] = h[T]', quantifiers) }), /more than 8 quantifiers/, 16);
  });

  it('quantifier bindings beyond the budget are a located error for the claim', () => {
    const d = parseDerivation(
      file({ sizes: 'd: 2, m: 1, T: 100', claims: claim('h[T] = h[T]', 'k in 1..T, a in 1..T, j in 1..T') }),
      FILE,
    );
    expect(() => checkDerivation(d, { instances: 1 })).toThrow(
      /^limits\.yaml:14:5: claim 'c1' has more than 100000 quantifier bindings at .*T=100/,
    );
  });

  it('sizes fixed on the command line are held to the same budgets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradproof-limits-'));
    try {
      const path = join(dir, 'f.yaml');
      writeFileSync(path, file({ claims: claim('eye(d) * h[T] = h[T]') }));
      expect(() => check([path], { sizeOverrides: { d: 5000 }, instances: 1 })).toThrow(
        /--size d=5000: d = 5000 is more than the limit of 4096/,
      );
      expect(() => check([path], { sizeOverrides: { d: 4096, T: 3000 }, instances: 1 })).toThrow(
        /--size d=4096 --size T=3000: at the largest sizes .* more than the limit of 16777216/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('long and deep expressions', () => {
  it('a 6,000-term sum loads and is checked (verified), and one term short is refuted', () => {
    const terms = (n: number) => Array.from({ length: n }, () => 'h[T]').join(' + ');
    const d = parseDerivation(
      file({
        claims:
          claim(`${terms(6000)} = 6000*h[T]`, '', 'verified') +
          claim(`${terms(6000)} = 5999*h[T]`, '', 'refuted').replace('id: c1', 'id: c2') +
          claim(
            `${Array.from({ length: 1000 }, () => 'h[T] - h[T-1]').join(' + ')} = 1000*(h[T] - h[T-1])`,
            '',
            'verified',
          ).replace('id: c1', 'id: c3'),
      }),
      FILE,
    );
    // Balanced into a tree of depth ~log₂ 6000, so every recursive walker stays shallow.
    expect(depthOf(d.claims[0]!.lhs)).toBeLessThan(20);
    const results = checkDerivation(d, { instances: 1, instance: 0 });
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['c1', 'verified'],
      ['c2', 'refuted'],
      ['c3', 'verified'],
    ]);
  });

  it('also in an index: T-1-1-…-1', () => {
    const d = parseDerivation(file({ claims: claim(`h[T${'-1+1'.repeat(5000)}] = h[T]`, '', 'verified') }), FILE);
    expect(checkDerivation(d, { instances: 1 })[0]!.verdict).toBe('verified');
  });

  it('10,000 nested brackets: "too deeply nested", at the bracket past the limit', () => {
    const err = expectLocated(
      file({ claims: claim(`${'('.repeat(10000)}1${')'.repeat(10000)} = 1`) }),
      /too deeply nested: brackets more than 64 levels deep \(expected a flatter expression\)/,
      CLAIM_LINE,
    );
    expect(err.pos.col).toBe(13 + LIMITS.nesting);
  });

  it('5,000 unary minus signs, 5,000 transposes, x^x^…^x: "too deeply nested"', () => {
    expectLocated(
      file({ claims: claim(`${'- '.repeat(5000)}1 = 1`) }),
      /too deeply nested: more than 64 levels/,
      CLAIM_LINE,
    );
    expectLocated(
      file({ claims: claim(`W${"'".repeat(5000)} = W`) }),
      /too deeply nested: more than 64 levels/,
      CLAIM_LINE,
    );
    // mathjs recurses on x^x^…: its stack may run out first (then "for the parser"), or the tree is too deep.
    expectLocated(file({ claims: claim(`${Array(5000).fill('1').join('^')} = 1`) }), /too deeply nested/, CLAIM_LINE);
  });

  it('definitions whose expansions nest past 256 levels', () => {
    const tanh = (x: string) => `${'tanh('.repeat(17)}${x}${')'.repeat(17)}`;
    const defs = `definitions:\n  "D0(g)": "${tanh('g')}"\n${Array.from({ length: 15 }, (_, i) => `  "D${i + 1}(g)": "${tanh(`D${i}(g)`)}"\n`).join('')}`;
    expectLocated(
      file({ defs, claims: claim('D15(h[T]) = h[T]') }),
      /too deeply nested: more than 256 levels once the definitions are expanded/,
      CLAIM_LINE + 17,
    );
  });

  it('an expression longer than the character limit', () => {
    expectLocated(
      file({ claims: claim(`${'1 + '.repeat(60000)}1 = 1`) }),
      /has \d+ characters, more than the limit of 200000/,
    );
  });

  it('a name longer than the limit', () => {
    expectLocated(
      file({ claims: claim(`${'a'.repeat(40000)} = 1`) }),
      /a name of 40000 characters is longer than the limit of 100/,
    );
  });

  it('definitions that double at each level, and definitions nested past the depth limit', () => {
    // Eight copies per level: 8⁶ terms.
    const copies = (i: number) => Array.from({ length: 8 }, () => `A${i}(g)`).join(' + ');
    const doubling = `definitions:\n  "A0(g)": "g"\n${Array.from({ length: 6 }, (_, i) => `  "A${i + 1}(g)": "${copies(i)}"\n`).join('')}`;
    expectLocated(
      file({ defs: doubling, claims: claim('A6(1) = 1') }),
      /more than 50000 parts once its definitions are expanded/,
    );
    const chain = `definitions:\n  "A0(g)": "g"\n${Array.from({ length: 40 }, (_, i) => `  "A${i + 1}(g)": "A${i}(g)"\n`).join('')}`;
    expectLocated(
      file({ defs: chain, claims: claim('A40(1) = 1') }),
      /: in A40\(…\) → … → A25\(1\) = A24\(\(1\)\) \(16 nested definitions\): definitions expanded more than 16 levels deep \(at A24\)/,
    );
  });
});

describe('a definition applied in its own argument', () => {
  it('is expanded there first: D0(D0(x)) is x⁴, not "unknown function D0" (a review found)', () => {
    const defs = `definitions:\n  "D0(a)": "a * a"\n`;
    const d = parseDerivation(file({ defs, claims: claim('D0(D0(norm2(W))) = norm2(W)^4') }), FILE);
    expect(printExpr(d.claims[0]!.lhs)).toBe('norm2(W)*norm2(W)*norm2(W)*norm2(W)');
    const [r] = checkDerivation(d, { instances: 1 });
    // the numbers agree (an identity of norms the symbolic engine does not decide: consistent)
    expect(r!.verdict).toBe('consistent');
    expect(r!.relError).toBeLessThan(1e-15);
  });

  it('its text doubling at each level is refused at the character limit, not built', () => {
    // 2¹⁸ copies of norm2(W): the argument's text past 200 000 characters at the 15th level
    const defs = `definitions:\n  "D0(a)": "a * a"\n`;
    const nested = 'D0('.repeat(18) + 'norm2(W)' + ')'.repeat(18);
    expectLocated(
      file({ defs, claims: claim(`${nested} = 1`) }),
      /D0 expanded has more than 200000 characters \(expected fewer nested uses of the definition\)/,
    );
  });
});

describe('the exact engines', () => {
  it('leave a product of thousands of diagonals undecided within their budget instead of expanding it', () => {
    const factors = Array.from({ length: 1500 }, () => 'diag(1 - h[T].^2)').join('*');
    const d = parseDerivation(file({ claims: claim(`${factors} * h[T] = h[T]`, '', 'refuted') }), FILE);
    const [r] = checkDerivation(d, { instances: 1 });
    expect(r!.verdict).toBe('refuted');
    const outcome = evidenceOf(r!.evidence, 'symbolic')!.outcome;
    expect(outcome.status === 'undecided' && outcome.undecided).toMatchObject({ why: 'too-large' });
    // Whichever bound stops it first: the words' size limit, the claim's work budget, or a binomial coefficient of
    // (1 − h²)^1500 past 2^53, which float64 cannot hold (test/symbolic/exact-budget.test.ts has the budget alone).
    expect(JSON.stringify(outcome)).toMatch(
      /more than 4000000 products of terms|exceeds \d+ words|a coefficient float64 cannot hold exactly/,
    );
  });

  it('charge their work to a budget per check, and to none outside one', () => {
    expect(() => chargeExactWork(LIMITS.exactWork * 10)).not.toThrow();
    expect(() =>
      withExactBudget(() => {
        chargeExactWork(LIMITS.exactWork / 2);
        chargeExactWork(LIMITS.exactWork / 2 + 1);
      }),
    ).toThrow(SymbolicUnsupported);
    // Each check starts afresh.
    expect(withExactBudget(() => (chargeExactWork(LIMITS.exactWork), 'within'))).toBe('within');
  });

  it('keep a power beyond the exponent limit as an opaque atom', () => {
    const d = parseDerivation(
      file({ claims: claim('norm2(W)^1000000 * h[T] = norm2(W)^1000000 * h[T]', '', 'verified') }),
      FILE,
    );
    expect(checkDerivation(d, { instances: 1 })[0]!.verdict).toBe('verified');
  });
});

describe('derive --unroll', () => {
  it('writes a long product out as a balanced product (printing stays shallow)', () => {
    // a horizon up to 1000, so that k = 1000 is a lag the run has (with T ≤ 9 it is refused: test/cli/bad-input-review)
    const text = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8').replace('T: 3..9 ', 'T: 3..1000 ');
    const [q] = derive(parseDerivation(text, 'long.yaml'), 'grad(L, h[T-k])', { k: 1000 });
    expect(depthOf(q!.unrolled!)).toBeLessThan(40);
    expect(printExpr(q!.unrolled!).split("W'").length - 1).toBe(1000);
  });

  it('refuses to write out more factors than the limit (nested products)', () => {
    const scope = {
      sequences: new Set(['h']),
      parameters: new Set(['W']),
      loss: null,
      indexVars: new Set(['k']),
      realVars: new Set<string>(),
    };
    const nested = parseExpression('prod(i, 1, k, prod(j, 1, k, W))', scope).expr;
    expect(depthOf(unrollProducts(nested, { k: 90 }))).toBeLessThan(40);
    expect(() => unrollProducts(nested, { k: 200 })).toThrow(/more than 10000 factors/);
  });
});
