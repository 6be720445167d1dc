/** The IR's one listing of structure: parsing into generic operator nodes, walks, integer fields, binder-aware substitution. */
import { describe, expect, it } from 'vitest';
import { affine, formatAffine } from '../../src/ir/affine.js';
import { type Expr, intVarsOf, isOp, mapIntFields, some, substituteInts, walk } from '../../src/ir/expr.js';
import { parseExpression, type Scope } from '../../src/ir/parse-math.js';
import { printExpr } from '../../src/ir/print.js';
import { substituteIndex } from '../../src/symbolic/build.js';

const scope: Scope = {
  sequences: new Set(['h', 'x']),
  parameters: new Set(['W', 'U']),
  loss: 'L',
  indexVars: new Set(['T', 'k', 'd', 't', 'a', 'i', 'j']),
  realVars: new Set(),
};
const parse = (text: string): Expr => parseExpression(text, scope).expr;

describe('parsing into operator nodes', () => {
  it('an ordered product binds its index over its body; its bounds are integer fields outside the binder', () => {
    const e = parse("prod(l, 1, k, W' * diag(1 - h[T-k+l].^2))");
    expect(isOp(e, 'prod')).toBe(true);
    if (!isOp(e, 'prod')) return;
    expect(e.binder).toBe('l');
    expect(e.ints.map(formatAffine)).toEqual(['1', 'k']);
    expect(isOp(e.args[0]!, 'mul')).toBe(true);
  });

  it('units, entries and the unit derivative are nodes over the sequence and parameter leaves', () => {
    const e = parse('d(h[t, a], W[i, j])');
    expect(isOp(e, 'd')).toBe(true);
    if (!isOp(e, 'd')) return;
    const [unit, entry] = e.args;
    expect(isOp(unit!, 'comp') && unit.args[0]).toMatchObject({ kind: 'seq', name: 'h' });
    expect(isOp(entry!, 'entry') && entry.args[0]).toMatchObject({ kind: 'sym', name: 'W' });
    expect(printExpr(e)).toBe('d(h[t, a], W[i, j])');
  });

  it('sum(v) and sum(i, lo, hi, body) are two records under one name, told apart by arity', () => {
    expect((parse('sum(x[t])') as { op: string }).op).toBe('sumall');
    expect((parse('sum(l, 1, T, x[l])') as { op: string }).op).toBe('rsum');
  });
});

describe('generic walks over the fields listed once', () => {
  it("intVarsOf reads every integer a node uses: times, bounds, units, δ's indices", () => {
    expect([...intVarsOf(parse('d(h[T, a], W[i, j]) * delta(T, 6)'))].sort()).toEqual(['T', 'a', 'i', 'j']);
    expect([...intVarsOf(parse('unit(d, a)'))].sort()).toEqual(['a', 'd']);
  });

  it('walk and some visit a 6,000-term sum without exhausting the stack', () => {
    let e: Expr = { kind: 'num', value: 1 };
    for (let n = 0; n < 6000; n++)
      e = {
        kind: 'op',
        op: 'add',
        args: [e, { kind: 'num', value: n }],
        ints: [],
        units: [],
        binder: null,
        name: null,
      };
    let count = 0;
    walk(e, () => count++);
    expect(count).toBe(12001);
    expect(some(e, (x) => x.kind === 'num' && x.value === 5999)).toBe(true);
  });

  it("substitution stops at a binder of the same name but still maps the binder's own bounds", () => {
    const e = parse('h[k] + prod(l, 1, k, W * diag(h[l]))');
    expect(printExpr(substituteIndex(e, 'k', affine(3)))).toBe('h[3] + prod(l, 1, 3, W*diag(h[l]))');
    const shadowed = parse('sum(l, 1, k, h[l]) + x[l]'.replace('x[l]', 'x[k]'));
    expect(printExpr(substituteInts(shadowed, { l: 2, k: 4 }))).toBe('sum(l, 1, 4, h[l]) + x[4]');
  });

  it('mapIntFields changes integer fields and nothing else', () => {
    const e = parse('eye(d)');
    const shifted = mapIntFields(e, (a) => ({ ...a, c: a.c + 1 }));
    expect(printExpr(shifted)).toBe('eye(d+1)');
  });
});
