import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { affine, affineVar } from '../../src/ir/affine.js';
import { contentKey, valueKey } from '../../src/ir/content-key.js';
import { type Expr, type Index, ivar, node, num, seq, sym } from '../../src/ir/expr.js';

// h[T-k+i]: the index of the module comment's example.
const lagged = () => seq('h', affine(0, { T: 1, k: -1, i: 1 }));
const path = (pos: number | string): Index => ({
  kind: 'path',
  name: 'g',
  pos: typeof pos === 'number' ? affine(pos) : affineVar(pos),
});
/** an entry read at path positions, as the index-level files' B(g[l], g[l+1], t-l) */
const atPath = (a: Index, b: Index) => node('B', [sym('W')], { units: [a, b], ints: [affine(0, { t: 1, l: -1 })] });

describe('contentKey', () => {
  it('is equal where every index read has the same value, different where one differs', () => {
    const e = node('mul', [sym('W'), lagged()]);
    expect(contentKey(e, { T: 9, k: 5, i: 2 })).toBe(contentKey(e, { T: 9, k: 6, i: 3 }));
    expect(contentKey(e, { T: 9, k: 5, i: 2 })).not.toBe(contentKey(e, { T: 9, k: 5, i: 3 }));
    // variables the tree does not read do not split keys
    expect(contentKey(e, { T: 9, k: 5, i: 2, j: 1 })).toBe(contentKey(e, { T: 9, k: 5, i: 2, j: 7 }));
  });

  it('keys equal structures built apart alike, and different structures apart', () => {
    const env = { T: 9, k: 5, i: 2 };
    expect(contentKey(node('mul', [sym('W'), lagged()]), env)).toBe(contentKey(node('mul', [sym('W'), lagged()]), env));
    expect(contentKey(node('mul', [sym('W'), lagged()]), env)).not.toBe(
      contentKey(node('mul', [sym('U'), lagged()]), env),
    );
    expect(contentKey(node('add', [sym('W'), lagged()]), env)).not.toBe(
      contentKey(node('mul', [sym('W'), lagged()]), env),
    );
    // h[T-k+i] and h[T-k+i+1] at bindings with equal values denote the same node but are different structures
    const shifted = seq('h', affine(1, { T: 1, k: -1, i: 1 }));
    expect(contentKey(shifted, { T: 9, k: 5, i: 1 })).not.toBe(contentKey(lagged(), { T: 9, k: 5, i: 2 }));
  });

  it('keys a partly bound index on its substituted form', () => {
    const e = lagged();
    // T-k+i at T=9, k=3 and at T=10, k=4: 6+i both times
    expect(contentKey(e, { T: 9, k: 3 })).toBe(contentKey(e, { T: 10, k: 4 }));
    expect(contentKey(e, { T: 9, k: 4 })).not.toBe(contentKey(e, { T: 9, k: 3 }));
    // 6+i (i free) is not 6 + k (k free) nor the bound value 6
    expect(contentKey(e, { T: 9, k: 3 })).not.toBe(contentKey(e, { T: 9, i: -3 }));
    expect(contentKey(e, { T: 9, k: 3 })).not.toBe(contentKey(e, { T: 9, k: 3, i: 0 }));
  });

  it('keys index variables and units by value, per position in the tree', () => {
    const pair = (a: Expr, b: Expr) => node('pair', [a, b]);
    const e = pair(ivar('i'), ivar('j'));
    expect(contentKey(e, { i: 1, j: 2 })).not.toBe(contentKey(e, { i: 2, j: 1 }));
    expect(contentKey(e, { i: 1, j: 2 })).toBe(contentKey(pair(ivar('i'), ivar('j')), { i: 1, j: 2 }));
    // a repeated child is read once: both halves change together
    const twice = pair(lagged(), lagged());
    expect(contentKey(twice, { T: 9, k: 5, i: 2 })).toBe(contentKey(twice, { T: 9, k: 4, i: 1 }));
    const unit = (a: string) => node('entry', [sym('W')], { units: [{ kind: 'affine', a: affineVar(a) }] });
    expect(contentKey(unit('i'), { i: 3 })).toBe(contentKey(unit('i'), { i: 3, j: 4 }));
    expect(contentKey(unit('i'), { i: 3 })).not.toBe(contentKey(unit('i'), { i: 4 }));
    expect(contentKey(unit('i'), {})).not.toBe(contentKey(unit('j'), {}));
    // a constant leaf reads nothing
    expect(contentKey(num(2), { i: 1 })).toBe(contentKey(num(2), { i: 5 }));
    expect(contentKey(num(2), {})).not.toBe(contentKey(num(3), {}));
    // String(-0) is '0', yet 1/-0 is not 1/0
    expect(contentKey(node('div', [num(1), num(-0)]), {})).not.toBe(contentKey(node('div', [num(1), num(0)]), {}));
  });

  it('keys a tree reading path positions on the whole assignment, in any order', () => {
    const e = node('mul', [atPath(path('l'), path(1)), lagged()]);
    const env = { t: 4, l: 0, T: 9, k: 5, i: 2 };
    const a = contentKey(e, { ...env, 'g#0': 2, 'g#1': 1 });
    expect(contentKey(e, { 'g#1': 1, ...env, 'g#0': 2 })).toBe(a);
    expect(contentKey(e, { ...env, 'g#0': 2, 'g#1': 2 })).not.toBe(a);
    expect(contentKey(e, { ...env, 'g#0': 2, 'g#1': 1, 'g#2': 1 })).not.toBe(a);
    // a bound position reads its value: g[1] = 1 at g#1 = 1 as at another assignment with g#1 = 1
    const bound = atPath(path(1), path(1));
    expect(contentKey(bound, { t: 4, l: 0, 'g#1': 1 })).not.toBe(contentKey(bound, { t: 4, l: 0, 'g#1': 3 }));
  });

  it('keys a value reading path positions where they are bound on their values, under a binder on the whole assignment', () => {
    const e = node('mul', [atPath(path('l'), path(1)), lagged()]);
    const env = { t: 4, l: 0, T: 9, k: 5, i: 2 };
    const a = valueKey(e, { ...env, 'g#0': 2, 'g#1': 1 });
    expect(valueKey(e, { ...env, 'g#0': 2, 'g#1': 2 })).not.toBe(a);
    // positions it does not read do not split value keys (they do split content keys)
    expect(valueKey(e, { ...env, 'g#0': 2, 'g#1': 1, 'g#2': 1 })).toBe(a);
    expect(contentKey(e, { ...env, 'g#0': 2, 'g#1': 1, 'g#2': 1 })).not.toBe(
      contentKey(e, { ...env, 'g#0': 2, 'g#1': 1 }),
    );
    // ∏ over l reads g[l] at every l: the whole assignment, in any order
    const overL = node('prod', [e], { ints: [affine(0), affine(1)], binder: 'l' });
    const b = valueKey(overL, { ...env, 'g#0': 2, 'g#1': 1 });
    expect(valueKey(overL, { 'g#1': 1, ...env, 'g#0': 2 })).toBe(b);
    expect(valueKey(overL, { ...env, 'g#0': 2, 'g#1': 1, 'g#2': 1 })).not.toBe(b);
    // a position that is not bound keeps the assignment in the key
    expect(valueKey(e, { ...env, 'g#1': 1 })).not.toBe(valueKey(e, { ...env, 'g#1': 1, 'g#2': 1 }));
  });

  it('keys a tree of thousands of nodes without exhausting the stack', () => {
    let e: Expr = lagged();
    for (let n = 0; n < 12_000; n++) e = node('add', [e, num(n)]);
    expect(contentKey(e, { T: 9, k: 5, i: 2 })).toBe(contentKey(e, { T: 9, k: 6, i: 3 }));
  });
});

describe('a binder that shadows a variable of the binding', () => {
  // ∏_{i=1}^{t−s} diag(1 − h_{t−i+1}²), as the derived closed form of ∂h_t/∂W writes it, read at a claim's own
  // quantified i: the key held t − s and t − i_outer + 1, so (t, s, i) = (5, 2, 4) and (4, 1, 3) shared a key and
  // the float evaluator's memo gave one's value for the other (∂h_5/∂W entries off by a factor of 40 at d = 4).
  const factor = node('diag', [node('sub', [num(1), node('epow', [seq('h', affine(1, { t: 1, i: -1 })), num(2)])])]);
  const product = node('prod', [factor], { ints: [affine(1), affine(0, { t: 1, s: -1 })], binder: 'i' });

  it('keys the product by what it reads (t and t − s), whatever the outer i', () => {
    expect(contentKey(product, { t: 5, s: 2, i: 4 })).not.toBe(contentKey(product, { t: 4, s: 1, i: 3 }));
    expect(contentKey(product, { t: 5, s: 2, i: 4 })).toBe(contentKey(product, { t: 5, s: 2, i: 1 }));
    expect(contentKey(product, { t: 5, s: 2, i: 4 })).toBe(contentKey(product, { t: 5, s: 2 }));
  });

  it('equal keys only where t and t − s are equal (property)', () => {
    const binding = fc.record({
      t: fc.integer({ min: 1, max: 12 }),
      s: fc.integer({ min: 0, max: 12 }),
      i: fc.integer({ min: -3, max: 12 }),
    });
    fc.assert(
      fc.property(binding, binding, (a, b) => {
        const same = contentKey(product, a) === contentKey(product, b);
        expect(same).toBe(a.t === b.t && a.t - a.s === b.t - b.s);
      }),
      { seed: 20261205, numRuns: 500 },
    );
  });
});
