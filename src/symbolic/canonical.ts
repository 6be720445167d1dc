/**
 * Exact canonical forms for matrix-level expressions at concrete indices:
 * a sum of ordered words over matrix atoms with numeric coefficients.
 * Vectors are written diag(v)·𝟙 so that elementwise products commute
 * (u ⊙ v = diag(u)·diag(v)·𝟙 = diag(v)·diag(u)·𝟙); adjacent diagonals merge,
 * and a diagonal's entries are a commutative polynomial in opaque entrywise
 * symbols (h[5], f[3], tanh(…)). Two expressions are identical for every
 * size when their canonical forms are equal.
 */
import type { IntEnv } from '../ir/affine.js';
import { children as childrenOf, type Expr } from '../ir/expr.js';
import { printExpr } from '../ir/print.js';
import { evalAffine } from '../ir/affine.js';
import type { SymbolicModel } from './derive.js';
import { SymbolicUnsupported } from './differentiate.js';

// ── commutative polynomials (entries of a diagonal) ────────────────────────
/** monomial key ("h[3]^2*f[4]", "" for the constant) → coefficient */
export type CPoly = Map<string, number>;

export const cconst = (c: number): CPoly => (c === 0 ? new Map() : new Map([['', c]]));
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
 * Monomials are sorted factor lists joined by a separator that no printed
 * atom contains (atoms such as "(W*h[4])" contain '*'; splitting on it would
 * let different products of atoms share a key). Powers are repeated factors.
 */
const SEP = '\u241E';

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

export function cmul(a: CPoly, b: CPoly): CPoly {
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

const constantOf = (p: CPoly): number | null => (p.size === 0 ? 0 : p.size === 1 && p.has('') ? p.get('')! : null);

// ── words ──────────────────────────────────────────────────────────────────
/** scal: a scalar factor (commutes with everything, kept first); one/oneT: the all-ones column/row */
type Atom = { readonly kind: 'mat'; readonly key: string } | { readonly kind: 'diag' | 'scal'; readonly poly: CPoly } | { readonly kind: 'one' | 'oneT' };

interface Term {
  readonly coef: number;
  readonly word: readonly Atom[];
}

/** term key (word) → term */
export type NPoly = Map<string, Term>;

const atomKey = (a: Atom): string =>
  a.kind === 'mat' ? a.key : a.kind === 'diag' ? `diag(${cpolyKey(a.poly)})` : a.kind === 'scal' ? `(${cpolyKey(a.poly)})` : a.kind === 'one' ? '𝟙' : '𝟙ᵀ';
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
    if (a.kind === 'diag' && last?.kind === 'diag') out[out.length - 1] = { kind: 'diag', poly: cmul(last.poly, a.poly) };
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

function nadd(a: NPoly, b: NPoly, sign = 1): NPoly {
  const out: NPoly = new Map(a);
  for (const t of b.values()) addTerm(out, t, sign);
  return out;
}

/** Exact expansion is exponential in the number of multi-term factors: past this many words, give up. */
export const MAX_WORDS = 20_000;

function nmul(a: NPoly, b: NPoly): NPoly {
  if (a.size * b.size > MAX_WORDS) throw new SymbolicUnsupported(`the exact expansion exceeds ${MAX_WORDS} words`);
  const out: NPoly = new Map();
  for (const x of a.values()) for (const y of b.values()) addTerm(out, normalize(x.coef * y.coef, [...x.word, ...y.word]));
  return out;
}

function ntranspose(a: NPoly): NPoly {
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

const nconst = (c: number): NPoly => {
  const p: NPoly = new Map();
  addTerm(p, normalize(c, []));
  return p;
};
const nword = (...word: Atom[]): NPoly => {
  const p: NPoly = new Map();
  addTerm(p, normalize(1, word));
  return p;
};

// ── expansion ──────────────────────────────────────────────────────────────
export class Canonicalizer {
  constructor(private readonly sm: SymbolicModel) {}

  private isScalar(e: Expr): boolean {
    const s = this.sm.shape(e);
    const one = (a: typeof s.rows) => a.c === 1 && Object.keys(a.terms).length === 0;
    return one(s.rows) && one(s.cols);
  }

  private isVector(e: Expr): boolean {
    const s = this.sm.shape(e);
    return s.cols.c === 1 && Object.keys(s.cols.terms).length === 0;
  }

  private readonly rhsIndex = new Map<string, Map<string, string>>();

  /** Canonical keys of every activation right side f(z_τ), τ = 1..T, mapped to the symbol of the value it defines. */
  private sequenceIndex(env: IntEnv): Map<string, string> {
    const T = env.T ?? 0;
    const cacheKey = Object.entries(env).sort().join();
    let index = this.rhsIndex.get(cacheKey);
    if (!index) {
      index = new Map();
      this.rhsIndex.set(cacheKey, index);
      for (let tau = 1; tau <= T; tau++)
        for (const eq of this.sm.model.equations) {
          const rhs = eq.rhs;
          if (rhs.kind !== 'call' && rhs.kind !== 'ucall') continue;
          const at = { ...env, t: tau };
          const key = `${rhs.kind === 'call' ? rhs.fn : rhs.name}(${cpolyKey(this.entries(rhs.arg, at))})`;
          index.set(key, printExpr({ kind: 'seq', name: eq.target, time: { c: tau, terms: {} } }));
        }
    }
    return index;
  }

  /** Built from entries alone (no matrix product inside), so its entries are an honest polynomial. */
  private entrywise(e: Expr): boolean {
    let ok = true;
    const visit = (x: Expr) => {
      if (x.kind === 'mul' && !this.isScalar(x.left) && !this.isScalar(x.right) && x.left.kind !== 'diag') ok = false;
      if (x.kind === 'concat' || x.kind === 'cols' || x.kind === 'prod' || x.kind === 'sum') ok = false;
    };
    const rec = (x: Expr) => {
      visit(x);
      if (x.kind !== 'call' && x.kind !== 'ucall') for (const c of childrenOf(x)) rec(c);
    };
    rec(e);
    return ok;
  }

  /** The entries of a vector (or a scalar) as a commutative polynomial. */
  entries(e: Expr, env: IntEnv): CPoly {
    const opaque = (): CPoly => csym(`(${printExpr(e, env)})`);
    switch (e.kind) {
      case 'num':
        return cconst(e.value);
      case 'ivar':
        return cconst(env[e.name]!);
      case 'seq':
      case 'sym':
      case 'deriv':
        return csym(printExpr(e, env));
      case 'dact':
        // f′ of y's activation, in the engine's own form (σ′ = σ(1 − σ), tanh′ = 1 − y²), unit by unit for vectors.
        if (e.index) return csym(printExpr(e, env));
        return this.entries(this.sm.dactExpression(e.name, e.time), env);
      case 'add':
      case 'sub':
        return cadd(this.entries(e.left, env), this.entries(e.right, env), e.kind === 'add' ? 1 : -1);
      case 'neg':
        return cadd(new Map(), this.entries(e.arg, env), -1);
      case 'emul':
        return cmul(this.entries(e.left, env), this.entries(e.right, env));
      case 'mul':
        if (this.isScalar(e.left) || this.isScalar(e.right)) return cmul(this.entries(e.left, env), this.entries(e.right, env));
        if (e.left.kind === 'diag') return cmul(this.entries(e.left.arg, env), this.entries(e.right, env));
        return opaque();
      case 'div': {
        const d = constantOf(this.entries(e.right, env));
        return d ? cmul(this.entries(e.left, env), cconst(1 / d)) : opaque();
      }
      case 'epow':
        return Number.isInteger(e.exponent) && e.exponent >= 0 ? cpow(this.entries(e.base, env), e.exponent) : opaque();
      case 'pow': {
        const n = constantOf(this.entries(e.exponent, env));
        return n !== null && Number.isInteger(n) && n >= 0 ? cpow(this.entries(e.base, env), n) : opaque();
      }
      case 'call':
      case 'ucall': {
        const key = `${e.kind === 'call' ? e.fn : e.name}(${cpolyKey(this.entries(e.arg, env))})`;
        // An activation that is some equation's right side at a time τ is that sequence value, h[τ].
        return csym(this.sequenceIndex(env).get(key) ?? key);
      }
      case 'hprod': {
        let acc = cconst(1);
        const [lo, hi] = [evalAffine(e.lo, env), evalAffine(e.hi, env)];
        for (let i = lo; i <= hi; i++) acc = cmul(acc, this.entries(e.body, { ...env, [e.index]: i }));
        return acc;
      }
      default:
        return opaque();
    }
  }

  /** The canonical form of a matrix-level expression with every index bound by env. */
  expand(e: Expr, env: IntEnv): NPoly {
    const vector = () => nword({ kind: 'diag', poly: this.entries(e, env) }, { kind: 'one' });
    switch (e.kind) {
      case 'num':
      case 'ivar':
        return nconst(e.kind === 'num' ? e.value : env[e.name]!);
      case 'sym':
        if (this.isScalar(e)) return nword({ kind: 'scal', poly: csym(e.name) });
        return this.isVector(e) ? vector() : nword({ kind: 'mat', key: e.name });
      case 'emul':
        // A Hadamard product of matrices has no word form: an opaque matrix atom.
        if (!this.isVector(e)) return nword({ kind: 'mat', key: `(${printExpr(e, env)})` });
        if (!this.isScalar(e)) {
          // u ⊙ v = diag(u)·v with an entrywise side as the diagonal, so a matrix-product side keeps its words.
          if (this.entrywise(e.left)) return nmul(nword({ kind: 'diag', poly: this.entries(e.left, env) }), this.expand(e.right, env));
          if (this.entrywise(e.right)) return nmul(nword({ kind: 'diag', poly: this.entries(e.right, env) }), this.expand(e.left, env));
        }
        return this.isScalar(e) ? nword({ kind: 'scal', poly: this.entries(e, env) }) : vector();
      case 'seq':
      case 'epow':
      case 'call':
      case 'ucall':
      case 'hprod':
      case 'dact':
        return this.isScalar(e) ? nword({ kind: 'scal', poly: this.entries(e, env) }) : vector();
      case 'deriv':
        if (this.isVector(e)) return vector();
        return nword({ kind: 'mat', key: printExpr(e, env) });
      case 'add':
      case 'sub': {
        // A scalar added to a vector or matrix broadcasts (as the numeric engine does): c·𝟙 or c·𝟙𝟙ᵀ.
        const side = (x: Expr, other: Expr) => {
          const p = this.expand(x, env);
          if (!this.isScalar(x) || this.isScalar(other)) return p;
          return nmul(p, this.isVector(other) ? nword({ kind: 'one' }) : nword({ kind: 'one' }, { kind: 'oneT' }));
        };
        return nadd(side(e.left, e.right), side(e.right, e.left), e.kind === 'add' ? 1 : -1);
      }
      case 'pow':
        return nword({ kind: 'scal', poly: this.entries(e, env) });
      case 'neg':
        return nadd(new Map(), this.expand(e.arg, env), -1);
      case 'mul':
        return nmul(this.expand(e.left, env), this.expand(e.right, env));
      case 'div': {
        const d = constantOf(this.entries(e.right, env));
        if (!d) throw new SymbolicUnsupported(`division by ${printExpr(e.right, env)}`);
        return nmul(this.expand(e.left, env), nconst(1 / d));
      }
      case 'transpose':
        return ntranspose(this.expand(e.arg, env));
      case 'diag':
        return nword({ kind: 'diag', poly: this.entries(e.arg, env) });
      case 'eye':
        return nconst(1);
      case 'cols':
        return nword({ kind: 'mat', key: printExpr(e, env) });
      case 'prod': {
        const [lo, hi] = [evalAffine(e.lo, env), evalAffine(e.hi, env)];
        let acc = nconst(1);
        for (let i = lo; i <= hi; i++) acc = nmul(acc, this.expand(e.body, { ...env, [e.index]: i }));
        return acc;
      }
      case 'sum': {
        const [lo, hi] = [evalAffine(e.lo, env), evalAffine(e.hi, env)];
        let acc: NPoly = new Map();
        for (let i = lo; i <= hi; i++) acc = nadd(acc, this.expand(e.body, { ...env, [e.index]: i }));
        return acc;
      }
      default:
        // Norms, sups and other scalars: opaque commuting factors.
        if (this.isScalar(e)) return nword({ kind: 'scal', poly: csym(`(${printExpr(e, env)})`) });
        throw new SymbolicUnsupported(`no canonical form for ${e.kind}`);
    }
  }
}

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
