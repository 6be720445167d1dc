/**
 * Interned monomials (src/symbolic/monomials.ts): products, reciprocals and
 * the printed keys that caches and atom names read, checked against the
 * string monomials they replace (sorted atom names joined by a separator).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cadd,
  caddInto,
  cconst,
  cmul,
  cpolyEqual,
  cpolyKey,
  type CPoly,
  csym,
  czero,
  POLY_RING,
} from '../../src/symbolic/cpoly.js';
import {
  atomOf,
  atomsOf,
  atomText,
  CONSTANT,
  INV,
  MONO_SEP,
  type Monomial,
  monomialChars,
  monomialOf,
  monomialProduct,
  monomialShown,
  monomialText,
  POOL_CHUNK,
  TAG_MARK,
  tagged,
} from '../../src/symbolic/monomials.js';
import { withExactBudget } from '../../src/symbolic/unsupported.js';

/** The string monomials as they were: merge two sorted keys, cancel an atom with its reciprocal in the same gap. */
function referenceProduct(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  const atoms = [...a.split(MONO_SEP), ...b.split(MONO_SEP)].sort();
  if (!atoms.some((x) => x.includes(INV))) return atoms.join(MONO_SEP);
  const parts = (x: string): [string, string, boolean] => {
    const tag = new RegExp(`^\\d+${TAG_MARK}`).exec(x)?.[0] ?? '';
    const rest = x.slice(tag.length);
    return rest.startsWith(INV) ? [tag, rest.slice(1), true] : [tag, rest, false];
  };
  const kept = [...atoms];
  for (const x of atoms) {
    const [tag, base, inverse] = parts(x);
    if (!inverse) continue;
    const at = kept.indexOf(tag + base);
    if (at >= 0 && kept.includes(x)) {
      kept.splice(at, 1);
      kept.splice(kept.indexOf(x), 1);
    }
  }
  return kept.sort().join(MONO_SEP);
}

// Atom texts of every kind: plain, reciprocal, tagged, tagged reciprocal; names sort differently from their first use.
const NAMES = ['h[3,1]', 'W[2,1]', 'dact(h[2,1])', 'x[1]', 'b', 'tanh(1·a + 2·c)', 'Σ(h[1])', 'y'];
const atomArb = fc
  .record({
    name: fc.constantFrom(...NAMES),
    inverse: fc.boolean(),
    gap: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  })
  .map(({ name, inverse, gap }) => `${gap === undefined ? '' : `${gap}${TAG_MARK}`}${inverse ? INV : ''}${name}`);
const monomialArb = fc.array(atomArb, { maxLength: 6 });

/** A monomial as a product of its atoms, one at a time (cancelling as it goes). */
const productOf = (texts: readonly string[]): Monomial =>
  texts.reduce((m, t) => monomialProduct(m, monomialOf([atomOf(t)])), CONSTANT);
const referenceOf = (texts: readonly string[]): string => texts.reduce(referenceProduct, '');

describe('interned monomials', () => {
  it('print, cancel and charge exactly as the string monomials did', () => {
    fc.assert(
      fc.property(monomialArb, monomialArb, (a, b) => {
        const [x, y] = [productOf(a), productOf(b)];
        const [rx, ry] = [referenceOf(a), referenceOf(b)];
        expect(monomialText(x)).toBe(rx);
        const product = monomialProduct(x, y);
        expect(monomialText(product)).toBe(referenceProduct(rx, ry));
        // The exact-work charge reads the printed length: the same budget as before.
        expect(monomialChars(product)).toBe(referenceProduct(rx, ry).length);
      }),
      { numRuns: 500 },
    );
  });

  it('products stay right while the memo of products grows from its first size (thousands of distinct pairs)', () => {
    // The memo starts at 2^10 slots and doubles (rehashing what it holds) up to its full size: a product read
    // back after several doublings must still be the product of those two monomials.
    const atoms = Array.from({ length: 90 }, (_, i) => atomOf(`grow${i}`));
    const pairs: [Monomial, Monomial, string][] = [];
    for (let i = 0; i < atoms.length; i++)
      for (let j = i + 1; j < atoms.length; j += 2) {
        const [a, b] = [monomialOf([atoms[i]!]), monomialOf([atoms[j]!, atoms[(j * 7) % atoms.length]!])];
        pairs.push([a, b, referenceProduct(monomialText(a), monomialText(b))]);
      }
    expect(pairs.length).toBeGreaterThan(2000);
    for (const [a, b, expected] of pairs) expect(monomialText(monomialProduct(a, b))).toBe(expected);
    for (const [a, b, expected] of pairs) expect(monomialText(monomialProduct(b, a))).toBe(expected);
  });

  it('products are commutative and associative', () => {
    fc.assert(
      fc.property(monomialArb, monomialArb, monomialArb, (a, b, c) => {
        const [x, y, z] = [productOf(a), productOf(b), productOf(c)];
        expect(monomialProduct(x, y)).toBe(monomialProduct(y, x));
        expect(monomialProduct(monomialProduct(x, y), z)).toBe(monomialProduct(x, monomialProduct(y, z)));
      }),
      { numRuns: 500 },
    );
  });

  it('an atom cancels its reciprocal in the same gap only', () => {
    const x = monomialOf([atomOf('x[1]')]);
    const inverse = monomialOf([atomOf(`${INV}x[1]`)]);
    expect(monomialProduct(x, inverse)).toBe(CONSTANT);
    const inGap = (gap: number, text: string) => monomialOf([tagged(atomOf(text), gap)]);
    expect(monomialProduct(inGap(2, 'x[1]'), inGap(2, `${INV}x[1]`))).toBe(CONSTANT);
    const apart = monomialProduct(inGap(1, 'x[1]'), inGap(2, `${INV}x[1]`));
    expect(monomialText(apart)).toBe(`1${TAG_MARK}x[1]${MONO_SEP}2${TAG_MARK}${INV}x[1]`);
    // One copy each: x²·x⁻¹ = x.
    expect(monomialProduct(monomialProduct(x, x), inverse)).toBe(x);
    // Dividing by a monomial and multiplying back gives the polynomial again (y ⊙ ŷ⁻¹ ⊙ ŷ = y).
    const p = cadd(cmul(csym('y'), csym('x[1]')), cconst(3));
    const q = POLY_RING.div(p, cmul(csym('x[1]'), cconst(2)))!;
    expect(cpolyKey(q)).toBe(`0.5·y + 1.5·${INV}x[1]`);
    expect(cpolyKey(cmul(q, cmul(csym('x[1]'), cconst(2))))).toBe(cpolyKey(p));
  });

  it('keys do not depend on the order of construction or interning', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(monomialArb, fc.integer({ min: -3, max: 3 })), { minLength: 1, maxLength: 6 }),
        fc.func(fc.integer()),
        (terms, order) => {
          const build = (list: typeof terms): CPoly => {
            const p = czero();
            for (const [atoms, c] of list) caddInto(p, cmul(cconst(c), new Map([[productOf(atoms), 1]])));
            return p;
          };
          // The same terms summed in another order, each monomial's atoms multiplied in another order.
          const shuffled = [...terms]
            .map(([atoms, c]) => [[...atoms].sort((s, t) => order(s) - order(t) || (s < t ? -1 : 1)), c] as const)
            .sort((s, t) => order(s[0].join()) - order(t[0].join()));
          const [p, q] = [build(shuffled.map(([a, c]) => [[...a], c])), build(terms)];
          expect(cpolyKey(p)).toBe(cpolyKey(q));
          expect(cpolyEqual(p, q)).toBe(true);
          // Equality without printing agrees with the keys, also when the polynomials differ.
          const r = cadd(q, cmul(cconst(2), new Map([[productOf(terms[0]![0]), 1]])));
          expect(cpolyEqual(p, r)).toBe(cpolyKey(p) === cpolyKey(r));
        },
      ),
      { numRuns: 300 },
    );
    // Atoms first seen in reverse order of their names still print sorted: keys read texts, never ids.
    const late = ['zz-late[9]', 'zz-late[1]'].map(atomOf);
    expect(monomialText(monomialOf(late))).toBe(`zz-late[1]${MONO_SEP}zz-late[9]`);
    expect(atomsOf(monomialOf(late)).map(atomText).sort()).toEqual(['zz-late[1]', 'zz-late[9]']);
  });

  it('a whole name is one atom, whatever it contains', () => {
    const inner = cadd(cmul(csym('a'), csym('b')), csym('c'));
    const name = `tanh(${cpolyKey(inner)})`;
    const p = cmul(csym(name), csym('u'));
    expect(cpolyKey(p)).toBe(`1·${name}${MONO_SEP}u`);
    expect(
      atomsOf([...p.keys()][0]!)
        .map(atomText)
        .sort(),
    ).toEqual([name, 'u']);
  });

  it('monomials stay readable and findable past several pool chunks and table doublings', () => {
    // The pool is chunks of POOL_CHUNK atoms (a full chunk is left, a new one started; a monomial longer than
    // a chunk gets one of its own) and the table of ids doubles by the hashes it holds: every monomial must
    // read back its own atoms, be found again from them, and multiply right, wherever it lies.
    const atoms = Array.from({ length: 1200 }, (_, i) => atomOf(`chunk${i}`));
    const made: [Monomial, number[]][] = [];
    // distinct monomials (their first two atoms tell k apart), 8 to 24 atoms, 2.5 chunks of them
    let interned = 0;
    for (let k = 0; interned < 2.5 * POOL_CHUNK; k++) {
      const list = [atoms[k % 1000]!, atoms[1000 + Math.floor(k / 1000)]!];
      for (let i = 0; i < 6 + (k % 17); i++) list.push(atoms[(i * 37 + k) % 1000]!);
      made.push([monomialOf(list), list]);
      interned += list.length;
    }
    // one monomial longer than a chunk, between the others (its atoms in id order: the insertion sort is linear)
    const long = Array.from({ length: POOL_CHUNK + 5 }, (_, i) => atoms[Math.floor(i / 1024)]!);
    const longId = monomialOf(long);
    for (let k = 0; k < 1000; k++) {
      const list = [atoms[k]!, atoms[(k * 3) % 1000]!, atoms[1100]!];
      made.push([monomialOf(list), list]);
    }
    expect(new Set(made.map(([m]) => m)).size).toBeGreaterThan(130_000);
    const sorted = (list: readonly number[]) => [...list].sort((a, b) => a - b);
    const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    let wrong = 0;
    for (const [m, list] of made) if (!same(atomsOf(m), sorted(list)) || monomialOf([...list].reverse()) !== m) wrong++;
    expect(wrong).toBe(0);
    expect(same(atomsOf(longId), long)).toBe(true);
    expect(monomialOf(long)).toBe(longId);
    const [first, last] = [made[0]!, made[made.length - 1]!];
    expect(atomsOf(monomialProduct(first[0], last[0]))).toEqual(sorted([...first[1], ...last[1]]));
    expect(same(atomsOf(monomialProduct(first[0], longId)), sorted([...first[1], ...long]))).toBe(true);
  });

  it('shown monomials read as the printed text rewritten (separator as ·, gap tags as |)', () => {
    // Atoms whose texts hold the separator and a tag mark (a norm's atom names a key), tagged and not.
    const inner = [`n(2·a${MONO_SEP}b)`, `m(1·3${TAG_MARK}c + d)`, ...NAMES];
    const arb = fc.array(
      fc.record({
        name: fc.constantFrom(...inner),
        gap: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
      }),
      { maxLength: 7 },
    );
    fc.assert(
      fc.property(arb, (list) => {
        const m = monomialOf(
          list.map(({ name, gap }) => (gap === undefined ? atomOf(name) : tagged(atomOf(name), gap))),
        );
        const text = monomialText(m);
        expect(monomialShown(m, false)).toBe(text.split(MONO_SEP).join('·'));
        expect(monomialShown(m, true)).toBe(text.split(MONO_SEP).join('·').split(TAG_MARK).join('|'));
      }),
      { numRuns: 500 },
    );
  });

  it('the exact-work budget still bounds a long expansion', () => {
    // (1 + x)^n has n + 1 terms: the charge grows with the products of terms, as before.
    let p = cconst(1);
    const step = cadd(cconst(1), csym('x'));
    expect(() =>
      withExactBudget(() => {
        for (let i = 0; i < 5000; i++) p = cmul(p, step);
      }),
    ).toThrow(/products of terms/);
  });
});
