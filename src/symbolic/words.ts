/**
 * Canonical word forms of matrix-level expressions: a sum of ordered words
 * over matrix atoms with numeric coefficients. Vectors are written diag(v)·𝟙
 * so that elementwise products commute (u ⊙ v = diag(u)·diag(v)·𝟙); adjacent
 * diagonals merge, and a diagonal's entries are a commutative polynomial.
 * Scalars commute with everything and are kept first.
 */
import { cconst, cmul, constantOf, cpolyKey, type CPoly } from './cpoly.js';
import { chargeExactWork, SymbolicUnsupported } from './unsupported.js';

/** scal: a scalar factor; one/oneT: the all-ones column/row */
export type Atom =
  | { readonly kind: 'mat'; readonly key: string }
  | { readonly kind: 'diag' | 'scal'; readonly poly: CPoly }
  | { readonly kind: 'one' | 'oneT' };

export interface Term {
  readonly coef: number;
  readonly word: readonly Atom[];
}

/** term key (word) → term */
export type NPoly = Map<string, Term>;

/** Exact expansion is exponential in the number of multi-term factors: past this many words, give up. */
export const MAX_WORDS = 20_000;

const atomKey = (a: Atom): string =>
  a.kind === 'mat'
    ? a.key
    : a.kind === 'diag'
      ? `diag(${cpolyKey(a.poly)})`
      : a.kind === 'scal'
        ? `(${cpolyKey(a.poly)})`
        : a.kind === 'one'
          ? '𝟙'
          : '𝟙ᵀ';
const wordKey = (w: readonly Atom[]): string => w.map(atomKey).join(' · ');

/** Pulls scalars to the front, merges adjacent diagonals, absorbs constants; null if the word vanishes. */
function normalize(coef: number, word: readonly Atom[]): Term | null {
  const out: Atom[] = [];
  let scalar = cconst(1);
  for (const a of word) {
    if (a.kind === 'scal') {
      scalar = cmul(scalar, a.poly);
      continue;
    }
    const last = out[out.length - 1];
    if (a.kind === 'diag' && last?.kind === 'diag')
      out[out.length - 1] = { kind: 'diag', poly: cmul(last.poly, a.poly) };
    else out.push(a);
  }
  const kept: Atom[] = [];
  const c0 = constantOf(scalar);
  if (c0 === null) kept.push({ kind: 'scal', poly: scalar });
  else coef *= c0;
  for (const a of out) {
    const c = a.kind === 'diag' ? constantOf(a.poly) : null;
    if (c === null) kept.push(a);
    else coef *= c;
  }
  return coef === 0 ? null : { coef, word: kept };
}

function addTerm(p: NPoly, t: Term | null, sign = 1): void {
  if (!t) return;
  const key = wordKey(t.word);
  const prev = p.get(key);
  const coef = (prev?.coef ?? 0) + sign * t.coef;
  if (coef === 0) p.delete(key);
  else p.set(key, { coef, word: t.word });
}

export function nadd(a: NPoly, b: NPoly, sign = 1): NPoly {
  const out: NPoly = new Map(a);
  for (const t of b.values()) addTerm(out, t, sign);
  return out;
}

export function nmul(a: NPoly, b: NPoly): NPoly {
  if (a.size * b.size > MAX_WORDS) throw new SymbolicUnsupported(`the exact expansion exceeds ${MAX_WORDS} words`);
  chargeExactWork(a.size * b.size);
  const out: NPoly = new Map();
  for (const x of a.values())
    for (const y of b.values()) addTerm(out, normalize(x.coef * y.coef, [...x.word, ...y.word]));
  return out;
}

export function ntranspose(a: NPoly): NPoly {
  const flip = (x: Atom): Atom => {
    if (x.kind === 'one') return { kind: 'oneT' };
    if (x.kind === 'oneT') return { kind: 'one' };
    if (x.kind !== 'mat') return x;
    return { kind: 'mat', key: x.key.endsWith("'") ? x.key.slice(0, -1) : `${x.key}'` };
  };
  const out: NPoly = new Map();
  for (const t of a.values()) addTerm(out, normalize(t.coef, [...t.word].reverse().map(flip)));
  return out;
}

export const nconst = (c: number): NPoly => {
  const p: NPoly = new Map();
  addTerm(p, normalize(c, []));
  return p;
};

export const nword = (...word: Atom[]): NPoly => {
  const p: NPoly = new Map();
  addTerm(p, normalize(1, word));
  return p;
};

export const nneg = (a: NPoly): NPoly => nadd(new Map(), a, -1);

/** Equal canonical forms, coefficients compared exactly (a near miss is not an identity). */
export function samePoly(a: NPoly, b: NPoly): boolean {
  if (a.size !== b.size) return false;
  for (const [k, t] of a) {
    const u = b.get(k);
    if (!u || t.coef !== u.coef) return false;
  }
  return true;
}

export function formatPoly(p: NPoly): string {
  if (p.size === 0) return '0';
  return [...p.values()].map((t) => `${t.coef === 1 ? '' : `${t.coef}·`}${wordKey(t.word) || '1'}`).join(' + ');
}
