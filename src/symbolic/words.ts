/**
 * Canonical forms of matrix-level expressions that collect like terms.
 *
 * A term is a word over matrix atoms (W, W', cols(…), 𝟙, 𝟙ᵀ) — its skeleton —
 * with a diagonal in every gap between atoms (the identity where none is
 * written) and scalar factors. A sum of terms with the same skeleton is
 * multilinear in those diagonals, so it is determined by one commutative
 * polynomial in which every diagonal entry is tagged with its gap:
 *
 *   diag(a)·M + diag(b)·M  =  (0|a + 0|b) over skeleton M  =  diag(a + b)·M.
 *
 * Vectors are diag(v)·𝟙, so elementwise products commute; adjacent
 * diagonals share a gap and multiply. Two expressions are identical for every
 * size when their canonical forms are equal.
 */
import { addTermInto, cadd, caddInto, cconst, cmul, copyOf, cpolyEqual, type CPoly, czero, showPoly } from './cpoly.js';
import {
  type Atom as AtomId,
  atomMonomialOf,
  atomOf,
  atomsOf,
  atomTag,
  CONSTANT,
  mapAtoms,
  type Monomial,
  monomialOf,
  monomialText,
  shiftTags,
  tagAll,
  tagged,
  untagged,
} from './monomials.js';
import { chargeExactWork, ExpansionTooLarge } from './unsupported.js';

/** scal: a scalar factor; one/oneT: the all-ones column/row */
export type Atom =
  | { readonly kind: 'mat'; readonly key: string }
  | { readonly kind: 'diag' | 'scal'; readonly poly: CPoly }
  | { readonly kind: 'one' | 'oneT' };

/** skeleton key → the tagged polynomial of that skeleton's diagonals and scalars (coefficients included) */
export type NPoly = Map<string, { readonly skeleton: readonly string[]; readonly poly: CPoly }>;

/** Exact expansion is exponential in the number of multi-term factors: past this many monomials, give up. */
export const MAX_WORDS = 20_000;

const ONE = '𝟙';
const ONE_T = '𝟙ᵀ';

const skeletonKey = (sk: readonly string[]) => sk.join(' · ');

/** Tags every atom of a polynomial with the gap it sits in (constants stay untagged). */
function tag(p: CPoly, gap: number): CPoly {
  const out: CPoly = new Map();
  for (const [mono, c] of p) out.set(tagAll(mono, gap), c);
  return out;
}

/** Moves tagged atoms to other gaps (scalars, untagged, stay); atoms meeting in a gap do not cancel. */
function retag(p: CPoly, move: (gap: number) => number): CPoly {
  return relabel(p, (m) => mapAtoms(m, (a) => (atomTag(a) < 0 ? a : tagged(untagged(a), move(atomTag(a))))));
}

/** Each monomial replaced, like terms collected. */
function relabel(p: CPoly, f: (m: Monomial) => Monomial): CPoly {
  const out: CPoly = new Map();
  // like terms collected as any coefficient sum is (a rounded one refused where coefficients must be exact)
  for (const [mono, c] of p) addTermInto(out, f(mono), c);
  return out;
}

function addTerm(p: NPoly, skeleton: readonly string[], poly: CPoly, sign = 1): void {
  if (poly.size === 0) return;
  const key = skeletonKey(skeleton);
  const prev = p.get(key);
  const sum = prev ? caddInto(copyOf(prev.poly), poly, sign) : sign === 1 ? poly : cadd(czero(), poly, -1);
  if (sum.size === 0) p.delete(key);
  else p.set(key, { skeleton, poly: sum });
}

export function nadd(a: NPoly, b: NPoly, sign = 1): NPoly {
  const out: NPoly = new Map(a);
  for (const t of b.values()) addTerm(out, t.skeleton, t.poly, sign);
  return out;
}

const size = (p: NPoly) => [...p.values()].reduce((n, t) => n + t.poly.size, 0);

export function nmul(a: NPoly, b: NPoly): NPoly {
  if (size(a) * size(b) > MAX_WORDS) throw new ExpansionTooLarge(`the exact expansion exceeds ${MAX_WORDS} words`);
  chargeExactWork(a.size * b.size);
  const out: NPoly = new Map();
  for (const x of a.values())
    for (const y of b.values()) {
      // y's gaps follow x's: its first gap is x's last, so diagonals meeting there multiply.
      const shift = x.skeleton.length;
      const [skeleton, poly] = contractOnes(
        [...x.skeleton, ...y.skeleton],
        cmul(x.poly, shift ? relabel(y.poly, (m) => shiftTags(m, shift)) : y.poly),
      );
      addTerm(out, skeleton, poly);
    }
  return out;
}

/**
 * 𝟙ᵀ·diag(v)·𝟙 = Σ_i v_i, a scalar: where a word reads 𝟙ᵀ then 𝟙, the diagonal between them becomes the
 * scalar atom Σ(v) (one per monomial of v, so sums stay linear) and the gaps on either side merge. The
 * atom is the one sum(v) reads as, so ŷ(ŷᵀ(y ⊙ ŷ⁻¹)) and ŷ·sum(y) meet.
 */
function contractOnes(skeleton: readonly string[], poly: CPoly): [readonly string[], CPoly] {
  let sk = skeleton;
  let p = poly;
  for (let j = sk.indexOf(ONE_T); j >= 0 && j + 1 < sk.length; j = sk.indexOf(ONE_T, j + 1)) {
    if (sk[j + 1] !== ONE) continue;
    const middle = j + 1;
    p = relabel(p, (mono) => {
      const entry: AtomId[] = [];
      const rest: AtomId[] = [];
      for (const atom of atomsOf(mono)) {
        const gap = atomTag(atom);
        if (gap === middle) entry.push(untagged(atom));
        else if (gap < 0 || gap < j) rest.push(atom);
        else rest.push(tagged(untagged(atom), gap === middle + 1 ? j : gap - 2));
      }
      rest.push(atomOf(sumAtom(monomialText(monomialOf(entry)))));
      return monomialOf(rest);
    });
    sk = [...sk.slice(0, j), ...sk.slice(j + 2)];
    j = -1;
  }
  return [sk, p];
}

/** The scalar Σ_i m_i of a vector whose entry is the monomial m (the key sum(v) uses too). */
export const sumAtom = (entryMonomial: string): string => `Σ(${entryMonomial})`;

/** Σ_i v_i of a vector with generic entry p: one Σ atom per monomial, coefficients kept. */
export function entrySums(p: CPoly): CPoly {
  return relabel(p, (mono) => atomMonomialOf(atomOf(sumAtom(monomialText(mono)))));
}

export function ntranspose(a: NPoly): NPoly {
  const flip = (atom: string) =>
    atom === ONE ? ONE_T : atom === ONE_T ? ONE : atom.endsWith("'") ? atom.slice(0, -1) : `${atom}'`;
  const out: NPoly = new Map();
  for (const t of a.values()) {
    const last = t.skeleton.length;
    addTerm(
      out,
      [...t.skeleton].reverse().map(flip),
      retag(t.poly, (g) => last - g),
    );
  }
  return out;
}

export const nconst = (c: number): NPoly => {
  const p: NPoly = new Map();
  addTerm(p, [], cconst(c));
  return p;
};

/** One word: matrix atoms form the skeleton, each diagonal is tagged with the gap it stands in. */
export const nword = (...word: Atom[]): NPoly => {
  const skeleton: string[] = [];
  let poly = cconst(1);
  for (const a of word) {
    if (a.kind === 'scal') poly = cmul(poly, a.poly);
    else if (a.kind === 'diag') poly = cmul(poly, tag(a.poly, skeleton.length));
    else skeleton.push(a.kind === 'mat' ? a.key : a.kind === 'one' ? ONE : ONE_T);
  }
  const p: NPoly = new Map();
  addTerm(p, skeleton, poly);
  return p;
};

export const nneg = (a: NPoly): NPoly => nadd(new Map(), a, -1);

/**
 * The entries of a diagonal matrix diag(v) (skeleton empty) or of a column
 * vector diag(v)·𝟙, as one commutative polynomial; null for any other form.
 */
export function diagonalEntries(p: NPoly, form: 'diagonal' | 'vector'): CPoly | null {
  if (p.size !== 1) return null;
  const { skeleton, poly } = [...p.values()][0]!;
  if (skeleton.length !== (form === 'vector' ? 1 : 0) || (form === 'vector' && skeleton[0] !== ONE)) return null;
  // Every diagonal must stand before the 𝟙 (gap 0): that is the vector's own entry.
  for (const mono of poly.keys()) if (atomsOf(mono).some((a) => atomTag(a) > 0)) return null;
  return relabel(poly, (mono) => (mono === CONSTANT ? mono : mapAtoms(mono, untagged)));
}

/** Equal canonical forms, coefficients compared exactly (a near miss is not an identity). */
export function samePoly(a: NPoly, b: NPoly): boolean {
  if (a.size !== b.size) return false;
  for (const [k, t] of a) {
    const u = b.get(k);
    if (!u || !cpolyEqual(t.poly, u.poly)) return false;
  }
  return true;
}

/**
 * A canonical form printed, its terms in the order of their skeletons: equal forms print alike whatever order
 * their terms were built in (a norm of a form is an atom keyed by this text).
 */
export function formatPoly(p: NPoly): string {
  if (p.size === 0) return '0';
  return [...p]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([, t]) => `[${showPoly(t.poly, true)}] ${skeletonKey(t.skeleton) || '1'}`)
    .join(' + ');
}
