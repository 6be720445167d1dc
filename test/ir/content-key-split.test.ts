// splitContentKey (numeric keys of the exact evaluator's value table) against valueKey, the text it stands in
// for: two evaluations must share a numeric key exactly when they share the text key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { affine, type Affine } from '../../src/ir/affine.js';
import { valueKey as contentKey, type SplitKey, splitContentKey } from '../../src/ir/content-key.js';
import { type Expr, type Index, ivar, node, num, seq, sym } from '../../src/ir/expr.js';
import { nameRecord } from '../../src/ir/names.js';

const VARS = ['T', 'k', 'i', 't'] as const;
const split = (e: Expr, env: Record<string, number>): SplitKey => ({
  ...splitContentKey(e, env, { structure: 0, values: 0 }),
});
const sameSplit = (a: SplitKey, b: SplitKey) => a.structure === b.structure && a.values === b.values;

/** small values collide often; large ones sit at and past the packing's limits (2^25, 2^51, 2^53) */
const value = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: -70, max: 70 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      -(2 ** 25),
      2 ** 25 - 1,
      2 ** 25,
      2 ** 51 - 1,
      -(2 ** 51),
      2 ** 51,
      2 ** 53,
      -(2 ** 60),
      -0,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(0.5, -1.5, Number.NaN) },
);
const affineArb: fc.Arbitrary<Affine> = fc
  .tuple(
    fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -2, max: 2 }) }, { weight: 1, arbitrary: value }),
    fc.uniqueArray(
      fc.tuple(fc.constantFrom(...VARS), fc.oneof(fc.constantFrom(-1, 1, 2), fc.constantFrom(2 ** 30, 0.5))),
      { maxLength: 2, selector: ([n]) => n },
    ),
  )
  .map(([c, terms]) => affine(c, nameRecord(terms)));
const indexArb: fc.Arbitrary<Index> = fc.oneof(
  affineArb.map((a): Index => ({ kind: 'affine', a })),
  affineArb.map((pos): Index => ({ kind: 'path', name: 'g', pos })),
);
const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(num(2), sym('W')),
    affineArb.map((a) => seq('h', a)),
    fc.constantFrom(...VARS).map(ivar),
    fc
      .tuple(
        fc.constantFrom('mul', 'add'),
        fc.array(tie('expr'), { minLength: 1, maxLength: 3 }),
        fc.array(affineArb, { maxLength: 2 }),
        fc.array(indexArb, { maxLength: 2 }),
        // a binder of an index (then path positions read below it are not read at this binding) or of the path
        fc.constantFrom(null, null, null, 'k', 'g'),
      )
      .map(([op, args, ints, units, binder]) => node(op, args, { ints, units, binder })),
  ),
}));
const envArb = fc.record(
  { T: value, k: value, i: value, t: value, 'g#0': value, 'g#1': value, 'g#2': value },
  { requiredKeys: [] },
);
/** a second environment near the first: variables moved by a shared shift keep differences like T-k, not T+k */
const nearArb = (env: Record<string, number>) =>
  fc
    .tuple(
      fc.integer({ min: -2, max: 2 }),
      fc.array(fc.constantFrom(0, 0, 1, -1, 'shift'), { minLength: 7, maxLength: 7 }),
    )
    .map(([shift, moves]) =>
      Object.fromEntries(
        Object.entries(env).map(([name, v], j) => [name, moves[j] === 'shift' ? v + shift : v + (moves[j] as number)]),
      ),
    );

describe('splitContentKey', () => {
  it('gives equal keys exactly when valueKey does (generated trees, environments, free variables, path positions)', () => {
    fc.assert(
      fc.property(
        expr,
        fc.option(expr, { nil: undefined }),
        envArb,
        fc.oneof(
          envArb,
          envArb.chain((env) => fc.tuple(fc.constant(env), nearArb(env))),
        ),
        (e1, e2Arb, env1, env2Arb) => {
          // the same tree at two environments (often near each other), or two trees (equal structures built
          // apart often) at one or two
          const e2 = e2Arb ?? e1;
          const [first, env2] = Array.isArray(env2Arb) ? env2Arb : [env1, env2Arb];
          env1 = first;
          const textEqual = contentKey(e1, env1) === contentKey(e2, env2);
          expect(sameSplit(split(e1, env1), split(e2, env2))).toBe(textEqual);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('packs bound integer indices into a number, leaving text for rebound path positions and large values', () => {
    const lagged = (c: number) => seq('h', affine(c, { T: 1, k: -1, i: 1 }));
    const pair = node('mul', [lagged(0), node('add', [lagged(1), ivar('t')])]);
    const a = split(pair, { T: 9, k: 5, i: 2, t: -3 });
    expect(typeof a.values).toBe('number');
    // T-k+i+1 follows T-k+i: one digit for both; t another
    expect(sameSplit(a, split(pair, { T: 9, k: 6, i: 3, t: -3 }))).toBe(true);
    expect(sameSplit(a, split(pair, { T: 9, k: 6, i: 3, t: 3 }))).toBe(false);
    // a free variable: packed too, apart from every bound key and from keys with other variables free
    const free = split(pair, { T: 9, k: 5, t: 1 });
    expect(typeof free.values).toBe('number');
    expect(sameSplit(free, split(pair, { T: 10, k: 6, t: 1 }))).toBe(true);
    expect(sameSplit(free, split(pair, { T: 9, k: 5, t: 2 }))).toBe(false);
    expect(sameSplit(free, split(pair, { T: 9, i: 5, t: 1 }))).toBe(false);
    expect(sameSplit(free, split(pair, { T: 4, t: 1 }))).toBe(false);
    expect(typeof split(pair, { T: 9, k: 5, i: 2, t: 2 ** 30 }).values).toBe('string');
    // a path position read where it is bound packs its value; under a binder that rebinds it, the assignment is text
    const atPath = node('B', [sym('W')], { units: [{ kind: 'path', name: 'g', pos: affine(0, { l: 1 }) }] });
    expect(typeof split(atPath, { l: 0, 'g#0': 1 }).values).toBe('number');
    expect(sameSplit(split(atPath, { l: 0, 'g#0': 1 }), split(atPath, { l: 1, 'g#0': 2, 'g#1': 1 }))).toBe(true);
    expect(typeof split(atPath, { l: 1, 'g#0': 1 }).values).toBe('string');
    const overL = node('prod', [atPath], { ints: [affine(0), affine(1)], binder: 'l' });
    expect(typeof split(overL, { 'g#0': 1, 'g#1': 1 }).values).toBe('string');
    // twenty-six parts of two bits each: -2..1 fit, 2 does not
    const wide = node(
      'add',
      Array.from({ length: 26 }, (_, j) => seq('h', affine(0, { [`v${j}`]: 1 }))),
    );
    const env = (x: number) => Object.fromEntries(Array.from({ length: 26 }, (_, j) => [`v${j}`, j === 25 ? x : 0]));
    expect(typeof split(wide, env(-2)).values).toBe('number');
    expect(typeof split(wide, env(1)).values).toBe('number');
    expect(typeof split(wide, env(2)).values).toBe('string');
    expect(sameSplit(split(wide, env(-2)), split(wide, env(1)))).toBe(false);
  });

  it('shares a digit only between indices with the same variables and coefficients, computed exactly', () => {
    // T-k and T+k: equal T-k at two bindings says nothing of T+k
    const two = node('mul', [seq('h', affine(0, { T: 1, k: -1 })), seq('h', affine(0, { T: 1, k: 1 }))]);
    expect(sameSplit(split(two, { T: 5, k: 2 }), split(two, { T: 6, k: 3 }))).toBe(false);
    expect(contentKey(two, { T: 5, k: 2 })).not.toBe(contentKey(two, { T: 6, k: 3 }));
    // 2^30·(T-k) and 1 + 2^30·(T-k) at T = k = 2^60: the terms round away, so the text reads 0 and 0 there,
    // yet 0 and 1 at T = k = 1; a digit for the first alone would say both bindings alike
    const big = (c: number) => seq('h', affine(c, { T: 2 ** 30, k: -(2 ** 30) }));
    const pair = node('mul', [big(0), big(1)]);
    const [huge, small] = [
      { T: 2 ** 60, k: 2 ** 60 },
      { T: 1, k: 1 },
    ];
    expect(contentKey(pair, huge)).not.toBe(contentKey(pair, small));
    expect(sameSplit(split(pair, huge), split(pair, small))).toBe(false);
  });
});
