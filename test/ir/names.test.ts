/**
 * Defence in depth behind the loader's refusal of reserved names: records
 * keyed by names (affine terms, bindings, sizes) have no prototype and are
 * read through own properties, so `__proto__`, `constructor`, … work like any
 * other name in the engine — never dropped, never NaN.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import type { Claim } from '../../src/derivation/derivation.js';
import { parseDerivation } from '../../src/derivation/load.js';
import {
  affine,
  affineAdd,
  affineScale,
  affineVar,
  affineVars,
  evalAffine,
  formatAffine,
  substituteAffine,
} from '../../src/ir/affine.js';
import { substituteInts } from '../../src/ir/expr.js';
import { nameRecord, own, reservedNameProblem } from '../../src/ir/names.js';
import { parseExpression, parseIndex, type Scope } from '../../src/ir/parse-math.js';
import { printExpr } from '../../src/ir/print.js';
import { modelFile } from '../support/model-file.js';

const NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'] as const;

const BASE = modelFile({
  title: 'tanh RNN',
  sizes: 'd: 2..3, T: 3..5',
  symbols: ['W', 'c: { role: parameter, shape: [d] }', 'h'],
  equations: ['h[t] = tanh(W*h[t-1])'],
  loss: 'L = sum(c .* h[T])',
  claims: '  - id: placeholder\n    claim: h[T] = h[T]\n    expect: verified\n',
});

const scopeWith = (name: string): Scope => ({
  sequences: new Set(['h']),
  parameters: new Set(['W', 'c']),
  loss: 'L',
  indexVars: new Set(['d', 'T', name]),
  realVars: new Set(),
});

describe('reserved names', () => {
  it('are the properties of Object.prototype and __proto__, and only those', () => {
    for (const name of [...NAMES, 'isPrototypeOf', '__defineGetter__', 'toLocaleString'])
      expect(reservedNameProblem(name, 'size name')).toMatch(/refused/);
    for (const name of ['d', 'T', 'proto', 'Constructor', 'to_string', 'k'])
      expect(reservedNameProblem(name, 'x')).toBeNull();
  });

  it('null-prototype records hold them as own keys', () => {
    for (const name of NAMES) {
      const r = nameRecord([[name, 3]]);
      expect(own(r, name)).toBe(3);
      expect(Object.keys(r)).toEqual([name]);
      expect(own({}, name)).toBeUndefined();
    }
  });
});

describe.each(NAMES)("'%s' works like any other name inside the engine", (name) => {
  it('in affine time indices: kept, substituted, evaluated, never NaN', () => {
    const a = affineAdd(affine(1, { T: 1 }), affineScale(affineVar(name), -1));
    expect(affineVars(a).sort()).toEqual(['T', name].sort());
    expect(formatAffine(a)).toBe(`T-${name}+1`);
    expect(evalAffine(a, { T: 9, [name]: 2 })).toBe(8);
    expect(() => evalAffine(a, { T: 9 })).toThrow(/unbound index variable/);
    expect(formatAffine(substituteAffine(a, { [name]: 2 }))).toBe('T-1');
    expect(formatAffine(substituteAffine(a, { T: 9 }))).toBe(`-${name}+10`);
    expect(formatAffine(affineAdd(a, affineVar(name)))).toBe('T+1');
  });

  it('parsed as an index variable', () => {
    const scope = scopeWith(name);
    expect(evalAffine(parseIndex(`T-${name}+1`, scope), { T: 5, [name]: 3 })).toBe(3);
    const e = parseExpression(`h[T-${name}] * ${name}`, scope).expr;
    expect(printExpr(e, { [name]: 2 })).toBe('h[T-2]*2');
    expect(printExpr(substituteInts(e, { [name]: 2 }))).toBe('h[T-2]*2');
  });

  it('as a quantifier: a false claim over it is refuted, a true one verified', () => {
    const d = parseDerivation(BASE, 'names.yaml');
    const scope = scopeWith(name);
    const claim = (id: string, lhs: string, rhs: string, expect: Claim['expect']): Claim => ({
      ...d.claims[0]!,
      id,
      statement: `${lhs} = ${rhs}`,
      lhs: parseExpression(lhs, scope).expr,
      rhs: parseExpression(rhs, scope).expr,
      forall: [{ name, lo: affine(1), hi: affine(2) }],
      expect,
    });
    const results = checkDerivation(
      {
        ...d,
        claims: [
          claim('dropped-index', `h[T-${name}]`, 'h[T]', 'refuted'),
          claim('scalar-use', `${name} * h[T]`, `h[T] + (${name} - 1) * h[T]`, 'verified'),
        ],
      },
      { instances: 1, masterSeed: 7 },
    );
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['dropped-index', 'refuted'],
      ['scalar-use', 'verified'],
    ]);
  });
});
