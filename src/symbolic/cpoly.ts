/**
 * Commutative polynomials with numeric coefficients in opaque atoms
 * ("h[3]", "W[2,1]", "tanh(…)"): the entries of diagonals in canonical forms,
 * and the values of the exact unit-level evaluator. A monomial is a sorted
 * list of atom names (powers repeat the atom) joined by a separator no
 * printed atom contains.
 */
import type { Ring } from './ring.js';
import { chargeExactWork } from './unsupported.js';

/** monomial key ("" for the constant) → coefficient; never holds a zero coefficient */
export type CPoly = Map<string, number>;

const SEP = '\u241E';

export const cconst = (c: number): CPoly => (c === 0 ? new Map<string, number>() : new Map([['', c]]));
export const csym = (name: string): CPoly => new Map([[name, 1]]);

export function cadd(a: CPoly, b: CPoly, sign = 1): CPoly {
  return caddInto(new Map(a), b, sign);
}

/** target += sign·b, in place (sums of many terms would copy quadratically otherwise). */
export function caddInto(target: CPoly, b: CPoly, sign = 1): CPoly {
  for (const [m, c] of b) {
    const v = (target.get(m) ?? 0) + sign * c;
    if (v === 0) target.delete(m);
    else target.set(m, v);
  }
  return target;
}

function monoMul(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  const [x, y] = [a.split(SEP), b.split(SEP)];
  const out: string[] = [];
  let [i, j] = [0, 0];
  while (i < x.length && j < y.length) out.push(x[i]! <= y[j]! ? x[i++]! : y[j++]!);
  while (i < x.length) out.push(x[i++]!);
  while (j < y.length) out.push(y[j++]!);
  return out.join(SEP);
}

/** The longest monomial key: a product's cost grows with it (powers repeat their atom). */
function width(p: CPoly): number {
  let w = 0;
  for (const m of p.keys()) w = Math.max(w, m.length);
  return w;
}

export function cmul(a: CPoly, b: CPoly): CPoly {
  chargeExactWork(a.size * b.size * (1 + (width(a) + width(b)) / 64));
  const out: CPoly = new Map();
  for (const [ma, ca] of a)
    for (const [mb, cb] of b) {
      const m = monoMul(ma, mb);
      const v = (out.get(m) ?? 0) + ca * cb;
      if (v === 0) out.delete(m);
      else out.set(m, v);
    }
  return out;
}

export function cpow(a: CPoly, n: number): CPoly {
  let out = cconst(1);
  for (let i = 0; i < n; i++) out = cmul(out, a);
  return out;
}

export function cpolyKey(p: CPoly): string {
  if (p.size === 0) return '0';
  return [...p.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([m, c]) => `${c}${m ? `·${m}` : ''}`)
    .join(' + ');
}

/** A polynomial for people: factors joined by '·'. */
export function showPoly(p: CPoly): string {
  return cpolyKey(p).split(SEP).join('·');
}

export const constantOf = (p: CPoly): number | null =>
  p.size === 0 ? 0 : p.size === 1 && p.has('') ? p.get('')! : null;

/** Polynomials as a ring: division only by a nonzero constant (with a floating coefficient, as the documents' 1/2). */
export const POLY_RING: Ring<CPoly> = {
  zero: new Map(),
  one: cconst(1),
  add: (a, b) => cadd(a, b),
  sub: (a, b) => cadd(a, b, -1),
  neg: (a) => cadd(new Map(), a, -1),
  mul: cmul,
  fromNumber: cconst,
  isZero: (a) => a.size === 0,
  constantOf,
  div: (a, b) => {
    const c = constantOf(b);
    return c ? cmul(a, cconst(1 / c)) : null;
  },
  key: cpolyKey,
};
