/**
 * Commutative polynomials with numeric coefficients in opaque atoms
 * ("h[3]", "W[2,1]", "tanh(…)"): the entries of diagonals in canonical forms,
 * and the values of the exact unit-level evaluator. Monomials are interned
 * ids (monomials.ts); their printed form (sorted atom names joined by a
 * separator no printed atom contains) is what keys and names read.
 */
import type { Ring } from './ring.js';
import { chargeExactWork, SymbolicUnsupported } from './unsupported.js';
import { exactQuotient, type OnRounding, productRounds, sumRounds } from './exact-float.js';
import {
  atomMonomialOf,
  atomOf,
  CONSTANT,
  type Monomial,
  monomialChars,
  monomialInverse,
  monomialProduct,
  monomialShown,
  monomialText,
} from './monomials.js';

export { TAG_MARK } from './monomials.js';

/** monomial → coefficient; never holds a zero coefficient */
export type CPoly = Map<Monomial, number>;

export const czero = (): CPoly => new Map<Monomial, number>();
export const cconst = (c: number): CPoly => (c === 0 ? czero() : new Map([[CONSTANT, c]]));
/** The polynomial that is one atom (the whole name is the atom, whatever it contains). */
export const csym = (name: string): CPoly => (name === '' ? cconst(1) : new Map([[atomMonomialOf(atomOf(name)), 1]]));

/**
 * A coefficient as computed, refused when float64 could not hold it: a product of nonzero coefficients
 * that underflowed (1e-300 · 1e-300 is 0, so 1e-600 and 2e-600 would compare equal) or left the range.
 */
export function inRange(c: number): number {
  if (c === 0 || (Math.abs(c) >= MIN_NORMAL && Number.isFinite(c))) return c;
  throw outOfRange(c);
}

const MIN_NORMAL = 2 ** -1022;

/**
 * Whether coefficient arithmetic must be exact (set while the bound prover normalises: there equal forms
 * prove a bound, and a rounded coefficient would make (1 + 1e-17)·x and x one form). The equality engine
 * leaves it off: its identical forms are confirmed by the ℤ_p test, which reads every double exactly.
 */
let roundedCoefficient: OnRounding | null = null;

/**
 * `compute` with every coefficient sum, product and quotient required to be exact in float64: one that rounds
 * calls `onRounding` (which throws the caller's own refusal).
 */
export function withExactCoefficients<T>(onRounding: OnRounding, compute: () => T): T {
  const outer = roundedCoefficient;
  roundedCoefficient = onRounding;
  try {
    return compute();
  } finally {
    roundedCoefficient = outer;
  }
}
const outOfRange = (c: number, what = `a coefficient outside float64's normal range (${c})`) =>
  new SymbolicUnsupported(`${what}: exact forms cannot compare it`);

/** a + sign·b. Polynomials are never changed once built, so a sum with zero is the other side itself. */
export function cadd(a: CPoly, b: CPoly, sign = 1): CPoly {
  if (b.size === 0) return a;
  if (a.size === 0 && sign === 1) return b;
  return caddInto(copyOf(a), b, sign);
}

/**
 * A copy, in a's order. Not `new Map(a)`: the constructor reads a through the iterator protocol, an entry
 * array per term, and sums copy their left side at every addition.
 */
export function copyOf(a: CPoly): CPoly {
  const out: CPoly = new Map();
  for (const [m, c] of a) out.set(m, c);
  return out;
}

/** Σ terms, added in order into one new polynomial (a running sum of cadd would copy it at every term). */
export function csum(terms: readonly CPoly[]): CPoly {
  let nonzero = 0;
  let last: CPoly = czero();
  for (const t of terms)
    if (t.size) {
      nonzero++;
      last = t;
    }
  if (nonzero <= 1) return last;
  const out: CPoly = new Map();
  for (const t of terms) caddInto(out, t);
  return out;
}

/** target += sign·b, in place (sums of many terms would copy quadratically otherwise). */
export function caddInto(target: CPoly, b: CPoly, sign = 1): CPoly {
  for (const [m, c] of b) addTermInto(target, m, sign * c);
  return target;
}

/** target[m] += c, in place: the one place a coefficient sum is made (refused where it rounds and must not). */
export function addTermInto(target: CPoly, m: Monomial, c: number): void {
  const prev = target.get(m) ?? 0;
  if (roundedCoefficient && sumRounds(prev, c)) roundedCoefficient(`${prev} + ${c}`);
  const v = inRange(prev + c);
  if (v === 0) target.delete(m);
  else target.set(m, v);
}

/** The longest printed monomial: a product's cost grows with it (powers repeat their atom). */
function width(p: CPoly): number {
  let w = 0;
  for (const m of p.keys()) w = Math.max(w, monomialChars(m));
  return w;
}

export function cmul(a: CPoly, b: CPoly): CPoly {
  // The same charge as when monomials were strings: characters of the longest printed monomial.
  chargeExactWork(a.size * b.size * (1 + (width(a) + width(b)) / 64));
  if (a.size === 1 || b.size === 1) {
    const single = oneTermTimes(a, b);
    if (single) return single;
  }
  const out: CPoly = new Map();
  for (const [ma, ca] of a)
    for (const [mb, cb] of b) {
      const m = monomialProduct(ma, mb);
      const prev = out.get(m) ?? 0;
      const p = nonzeroProduct(ca, cb);
      if (roundedCoefficient && sumRounds(prev, p)) roundedCoefficient(`${prev} + ${p}`);
      const v = inRange(prev + p);
      if (v === 0) out.delete(m);
      else out.set(m, v);
    }
  return out;
}

/** ca·cb for nonzero coefficients, refused if it underflows or overflows. */
const nonzeroProduct = (ca: number, cb: number): number => {
  if (roundedCoefficient && productRounds(ca, cb)) roundedCoefficient(`${ca} · ${cb}`);
  const p = ca * cb;
  if (p === 0) throw outOfRange(p, `a product of coefficients ${ca} and ${cb} underflowed to 0`);
  return inRange(p);
};

/**
 * a·b when one side is a single term: multiplying by one monomial maps distinct monomials to distinct ones,
 * so no two products meet and each is set once — the same map cmul's general loop builds. A product
 * that meets another (an uncancelled x·∕x inside a monomial) returns null: the general loop decides.
 */
function oneTermTimes(a: CPoly, b: CPoly): CPoly | null {
  const out: CPoly = new Map();
  const oneOnLeft = a.size === 1;
  const [m1, c1] = (oneOnLeft ? a : b).entries().next().value!;
  // each product in the general loop's operand order (a's term first)
  for (const [m, c] of oneOnLeft ? b : a) {
    const v = oneOnLeft ? nonzeroProduct(c1, c) : nonzeroProduct(c, c1);
    const size = out.size;
    out.set(oneOnLeft ? monomialProduct(m1, m) : monomialProduct(m, m1), v);
    if (out.size === size) return null;
  }
  return out;
}

export function cpow(a: CPoly, n: number): CPoly {
  let out = cconst(1);
  for (let i = 0; i < n; i++) out = cmul(out, a);
  return out;
}

/**
 * A canonical text: equal polynomials give equal keys whatever order they were built in (terms sorted
 * by their printed monomials, never by ids, which depend on what this process saw first).
 */
export function cpolyKey(p: CPoly): string {
  if (p.size === 0) return '0';
  return inKeyOrder(p)
    .map(([m, c]) => `${c}${m ? `·${m}` : ''}`)
    .join(' + ');
}

/** The terms as printed monomial, coefficient and monomial, in the order of the key (by printed monomial). */
function inKeyOrder(p: CPoly): [string, number, Monomial][] {
  const terms: [string, number, Monomial][] = [];
  for (const [m, c] of p) terms.push([monomialText(m), c, m]);
  return terms.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

/**
 * cpolyKey(a) === cpolyKey(b), mostly without printing: the same monomials with the same coefficients
 * print the same; anything else is decided by the keys themselves.
 */
export function cpolyEqual(a: CPoly, b: CPoly): boolean {
  if (a === b) return true;
  if (a.size === b.size) {
    let same = true;
    for (const [m, c] of a)
      if (b.get(m) !== c) {
        same = false;
        break;
      }
    if (same) return true;
  }
  return cpolyKey(a) === cpolyKey(b);
}

/**
 * A polynomial for people: its key with factors joined by '·' (and, with `gaps`, a canonical word's gap tags
 * marked '|'), printed term by term from memoised monomials rather than by rewriting the whole key.
 */
export function showPoly(p: CPoly, gaps = false): string {
  if (p.size === 0) return '0';
  return inKeyOrder(p)
    .map(([text, c, m]) => (text ? `${c}·${monomialShown(m, gaps)}` : `${c}`))
    .join(' + ');
}

/** 1/c, refused where it rounds and coefficients must be exact (1/3). */
export const inverseOf = (c: number): number => (roundedCoefficient ? exactQuotient(1, c, roundedCoefficient) : 1 / c);

/**
 * 1/c as a polynomial: the constant where float64 holds it exactly (1/4), else the atom `1/c` (1/3), so that x/3
 * and x/3 are one form and x/3 and 0.3333333333333333·x are not (the ℤ_p test, exact on doubles, decides those).
 */
export function cinverse(c: number): CPoly {
  // −(1/3), not an atom 1/-3 beside 1/3 (x/3 − x/(−3) is 2x/3)
  if (c < 0) return cadd(czero(), cinverse(-c), -1);
  const q = 1 / c;
  return Number.isFinite(q) && !productRounds(q, c) && q * c === 1 ? cconst(q) : csym(`1/${c}`);
}

export const constantOf = (p: CPoly): number | null =>
  p.size === 0 ? 0 : p.size === 1 && p.has(CONSTANT) ? p.get(CONSTANT)! : null;

/**
 * Laurent polynomials as a ring: division by a nonzero constant (with a floating coefficient, as the
 * documents' 1/2) or by one monomial (ŷ⁻¹); by a sum, none.
 */
export const POLY_RING: Ring<CPoly> = {
  zero: new Map(),
  one: cconst(1),
  add: (a, b) => cadd(a, b),
  sum: csum,
  sub: (a, b) => cadd(a, b, -1),
  neg: (a) => cadd(new Map(), a, -1),
  mul: cmul,
  fromNumber: cconst,
  isZero: (a) => a.size === 0,
  constantOf,
  div: (a, b) => {
    const c = constantOf(b);
    if (c) return cmul(a, cinverse(c));
    if (b.size !== 1) return null;
    const [m, coefficient] = [...b][0]!;
    return cmul(cmul(a, new Map([[monomialInverse(m), 1]])), cinverse(coefficient));
  },
  key: cpolyKey,
};
