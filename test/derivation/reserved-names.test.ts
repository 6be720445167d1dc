/**
 * Names that JavaScript's objects reserve (every property of
 * Object.prototype, and `__proto__`) are refused wherever a derivation file
 * declares a name, with the error at the name. A fuzz campaign found
 * `sum(__proto__, 1, k, h[T-__proto__]) = k*h[T]` verified (the index was
 * dropped from the affine time index) and `constructor` as an index giving NaN.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';

const FILE = 'names.yaml';
const NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'] as const;

const BASE = `gradproof: 1
title: tanh RNN
notation: { profile: lab }
model:
  sizes:
    d: 2..3
    T: 3..5
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    c: { role: parameter, shape: [d] }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*h[t-1])
  loss: L = sum(c .* h[T])
claims:
  - id: one
    claim: h[T] = h[T]
    expect: verified
`;

function edit(from: string, to: string): string {
  if (BASE.split(from).length !== 2) throw new Error(`test bug: '${from}' must occur exactly once`);
  return BASE.replace(from, to);
}

/** Each place a file declares a name: the file with `name` declared there, and the text the error must point at. */
const SITES: Record<string, (name: string) => { text: string; marker: string }> = {
  size: (n) => ({ text: edit('    d: 2..3\n', `    ${n}: 1..2\n    d: 2..3\n`), marker: `${n}: 1..2` }),
  symbol: (n) => ({
    text: edit('    h: { role', `    ${n}: { role: parameter, shape: [d] }\n    h: { role`),
    marker: `${n}: { role: parameter`,
  }),
  function: (n) => ({
    text: edit('  loss:', `  functions:\n    ${n}: { value: "tanh(x)", derivative: "1 - tanh(x)^2" }\n  loss:`),
    marker: `${n}: { value`,
  }),
  "a function's variable": (n) => ({
    text: edit(
      '  loss:',
      `  functions:\n    f: { value: "tanh(z)", derivative: "1 - tanh(z)^2", variable: ${n} }\n  loss:`,
    ),
    marker: `${n} }`,
  }),
  loss: (n) => ({ text: edit('loss: L = sum(c .* h[T])', `loss: ${n} = sum(c .* h[T])`), marker: `${n} = sum` }),
  definition: (n) => ({ text: edit('claims:', `definitions:\n  "${n}(g)": "g"\nclaims:`), marker: `"${n}(g)"` }),
  "a definition's parameter": (n) => ({
    text: edit('claims:', `definitions:\n  "A(${n})": "1"\nclaims:`),
    marker: `"A(${n})"`,
  }),
  quantifier: (n) => ({
    text: edit('    expect: verified', `    forall: ${n} in 1..T\n    expect: verified`),
    marker: `${n} in`,
  }),
  'claim id': (n) => ({ text: edit('id: one', `id: ${n}`), marker: `${n}\n` }),
  'notation key': (n) => ({ text: edit('{ profile: lab }', `{ profile: lab, ${n}: x }`), marker: `${n}: x` }),
  'notation name': (n) => ({ text: edit('{ profile: lab }', `{ profile: lab, name.${n}: x }`), marker: `name.${n}` }),
  ...Object.fromEntries(
    (
      [
        ['sum index', (n: string) => `sum(${n}, 1, 2, h[T-${n}]) = 2*h[T]`],
        ['product index', (n: string) => `prod(${n}, 1, 2, W) = W*W`],
        ['hprod index', (n: string) => `hprod(${n}, 1, 2, h[T]) = h[T] .* h[T]`],
        ['path of a path sum', (n: string) => `pathsum(${n}, 1, 1, d, 1) = d`],
        ['supabs variable', (n: string) => `norm2(W) <= 10 * supabs(${n}, tanh(${n}))`],
      ] as const
    ).map(([site, claim]) => [
      site,
      (n: string) => ({
        text: edit('claim: h[T] = h[T]', `claim: ${claim(n)}`).replace('expect: verified', 'expect: consistent'),
        marker: `${n},`,
      }),
    ]),
  ),
};

function loadError(text: string): InputError {
  try {
    parseDerivation(text, FILE);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw new Error(`expected an InputError, got ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  throw new Error('expected an InputError, but the file loaded');
}

function at(text: string, marker: string): { line: number; col: number } {
  const offset = text.indexOf(marker);
  if (offset < 0) throw new Error(`test bug: no '${marker}'`);
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, col: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

describe('names JavaScript reserves are refused where they are declared', () => {
  it('the base file loads', () => {
    expect(parseDerivation(BASE, FILE).claims).toHaveLength(1);
  });

  for (const [site, make] of Object.entries(SITES))
    for (const name of NAMES)
      it(`${site} '${name}'`, () => {
        const { text, marker } = make(name);
        const err = loadError(text);
        expect({ line: err.pos.line, col: err.pos.col }).toEqual(at(text, marker));
        expect(err.message).toMatch(/^names\.yaml:\d+:\d+: /);
        expect(err.message).toContain(name);
        // Names the identifier rules already refuse (a leading _) say so; the others say why they are refused.
        if (!name.startsWith('_')) expect(err.message).toMatch(/is refused: every JavaScript object has a property/);
      });
});
