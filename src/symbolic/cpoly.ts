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

/**
 * An atom's reciprocal is the atom with this mark in front: monomials are
 * Laurent (x · x⁻¹ = 1), so y ⊙ ŷ⁻¹ ⊙ ŷ = y, as a rational identity wherever
 * both sides are defined.
 */
const INV = '\u2215';

function monoMul(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  const [x, y] = [a.split(SEP), b.split(SEP)];
  const out: string[] = [];
  let [i, j] = [0, 0];
  while (i < x.length && j < y.length) out.push(x[i]! <= y[j]! ? x[i++]! : y[j++]!);
  while (i < x.length) out.push(x[i++]!);
  while (j < y.length) out.push(y[j++]!);
  return (a.includes(INV) || b.includes(INV) ? cancelInverses(out) : out).join(SEP);
}

/** Canonical forms tag an atom with the gap it stands in ("2␟h[3]"): the reciprocal mark follows the tag. */
export const TAG_MARK = '\u241F';
const TAGGED = new RegExp(`^\\d+${TAG_MARK}`);

/** An atom as [tag, the atom itself, reciprocal?]. */
function parts(atom: string): [string, string, boolean] {
  const tag = TAGGED.exec(atom)?.[0] ?? '';
  const rest = atom.slice(tag.length);
  return rest.startsWith(INV) ? [tag, rest.slice(1), true] : [tag, rest, false];
}

/** Removes each atom together with one copy of its reciprocal (in the same gap). */
function cancelInverses(atoms: readonly string[]): string[] {
  const inverses = new Map<string, number>();
  for (const atom of atoms) {
    const [tag, base, inverse] = parts(atom);
    if (inverse) inverses.set(tag + base, (inverses.get(tag + base) ?? 0) + 1);
  }
  if (!inverses.size) return [...atoms];
  const cancelled = new Map<string, number>();
  const kept: string[] = [];
  for (const atom of atoms) {
    if (parts(atom)[2]) continue;
    const left = (inverses.get(atom) ?? 0) - (cancelled.get(atom) ?? 0);
    if (left > 0) cancelled.set(atom, (cancelled.get(atom) ?? 0) + 1);
    else kept.push(atom);
  }
  for (const [key, count] of inverses) {
    const [tag, base] = parts(key);
    for (let k = cancelled.get(key) ?? 0; k < count; k++) kept.push(`${tag}${INV}${base}`);
  }
  return kept.sort();
}

/** 1/m of a monomial: every atom replaced by its reciprocal (untagged: division happens on entries). */
const monoInverse = (m: string): string =>
  m
    ? m
        .split(SEP)
        .map((atom) => {
          const [tag, base, inverse] = parts(atom);
          return inverse ? tag + base : `${tag}${INV}${base}`;
        })
        .sort()
        .join(SEP)
    : '';

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

/**
 * Laurent polynomials as a ring: division by a nonzero constant (with a floating coefficient, as the
 * documents' 1/2) or by one monomial (ŷ⁻¹); by a sum, none.
 */
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
    if (c) return cmul(a, cconst(1 / c));
    if (b.size !== 1) return null;
    const [m, coefficient] = [...b][0]!;
    return cmul(a, new Map([[monoInverse(m), 1 / coefficient]]));
  },
  key: cpolyKey,
};
