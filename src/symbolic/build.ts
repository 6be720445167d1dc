/**
 * Simplifying constructors for matrix-level IR, used by the symbolic engine
 * so that derived forms read like the documents: no `·I`, no `0 +`, and
 * transposes pushed down to the atoms ((D·W)ᵀ = Wᵀ·D for diagonal D).
 * `null` stands for the zero matrix throughout.
 */
import { type Affine, affine, affineAdd, affineScale } from '../ir/affine.js';
import { type Expr, type Index, mapChildren } from '../ir/expr.js';
import { mapIndex } from '../ir/index-ref.js';

export type Jac = Expr | null;

export const eye = (size: Affine): Expr => ({ kind: 'eye', size });
export const num = (value: number): Expr => ({ kind: 'num', value });
export const diag = (arg: Expr): Expr => ({ kind: 'diag', arg });

export function mul(a: Jac, b: Jac): Jac {
  if (!a || !b) return null;
  if (a.kind === 'eye') return b;
  if (b.kind === 'eye') return a;
  if (a.kind === 'num' && a.value === 1) return b;
  if (b.kind === 'num' && b.value === 1) return a;
  return { kind: 'mul', left: a, right: b };
}

export function add(a: Jac, b: Jac): Jac {
  if (!a) return b;
  if (!b) return a;
  return { kind: 'add', left: a, right: b };
}

export function neg(a: Jac): Jac {
  if (!a) return null;
  if (a.kind === 'neg') return a.arg;
  return { kind: 'neg', arg: a };
}

export function sub(a: Jac, b: Jac): Jac {
  if (!b) return a;
  if (!a) return neg(b);
  return { kind: 'sub', left: a, right: b };
}

export function emul(a: Expr, b: Expr): Expr {
  if (a.kind === 'num' && a.value === 1) return b;
  if (b.kind === 'num' && b.value === 1) return a;
  return { kind: 'emul', left: a, right: b };
}

/** Aᵀ with the transpose pushed to the leaves. */
export function transpose(a: Jac): Jac {
  if (!a) return null;
  switch (a.kind) {
    case 'transpose':
      return a.arg;
    case 'diag':
    case 'eye':
    case 'num':
      return a;
    case 'mul':
      return mul(transpose(a.right), transpose(a.left));
    case 'add':
      return add(transpose(a.left), transpose(a.right));
    case 'sub':
      return sub(transpose(a.left), transpose(a.right));
    case 'neg':
      return neg(transpose(a.arg));
    case 'prod': {
      // (F_lo ⋯ F_hi)ᵀ = F_hiᵀ ⋯ F_loᵀ: the same range with i ↦ lo + hi − i.
      const flipped = affineAdd(affineAdd(a.lo, a.hi), affine(0, { [a.index]: 1 }), -1);
      return { kind: 'prod', index: a.index, lo: a.lo, hi: a.hi, body: transpose(substituteIndex(a.body, a.index, flipped))! };
    }
    default:
      return { kind: 'transpose', arg: a };
  }
}

/** a with the variable `name` replaced by `value`. */
export function replaceVar(a: Affine, name: string, value: Affine): Affine {
  const coef = a.terms[name];
  if (!coef) return a;
  const rest = affineAdd(a, affine(0, { [name]: coef }), -1);
  return affineAdd(rest, affineScale(value, coef));
}

/** Replaces an integer variable by an affine expression everywhere (indices, bounds, scalar uses). */
export function substituteIndex(e: Expr, name: string, value: Affine): Expr {
  const sub1 = (a: Affine): Affine => replaceVar(a, name, value);
  const ref = <R extends { time: Affine | null }>(r: R): R => (r.time ? { ...r, time: sub1(r.time) } : r);
  const ix = (i: Index): Index => mapIndex(i, sub1);
  const go = (x: Expr): Expr => {
    switch (x.kind) {
      case 'seq':
        return { ...x, time: sub1(x.time) };
      case 'ivar':
        if (x.name !== name) return x;
        return isConst(value) ? num(value.c) : x;
      case 'prod':
      case 'sum':
      case 'hprod':
        if (x.index === name) return x;
        return { ...x, lo: sub1(x.lo), hi: sub1(x.hi), body: go(x.body) };
      case 'deriv':
        return { ...x, of: ref(x.of), wrt: ref(x.wrt), fixed: x.fixed.map(ref) };
      case 'eye':
        return { ...x, size: sub1(x.size) };
      case 'cols':
        return { ...x, arg: go(x.arg), from: sub1(x.from), to: sub1(x.to) };
      case 'comp':
        return { ...x, time: sub1(x.time), index: ix(x.index) };
      case 'entry':
        return { ...x, row: ix(x.row), col: x.col ? ix(x.col) : null };
      case 'delta':
        return { ...x, a: ix(x.a), b: ix(x.b) };
      case 'dact':
        return { ...x, time: sub1(x.time), index: x.index ? ix(x.index) : null };
      case 'unit':
        return { ...x, size: sub1(x.size), index: ix(x.index) };
      case 'ideriv':
        return { ...x, of: { ...x.of, time: sub1(x.of.time), index: ix(x.of.index) }, wrt: { ...x.wrt, row: ix(x.wrt.row), col: x.wrt.col ? ix(x.wrt.col) : null } };
      case 'pathsum':
        return { ...x, length: sub1(x.length), range: sub1(x.range), start: ix(x.start), body: go(x.body) };
      default:
        return mapChildren(x, go);
    }
  };
  return go(e);
}

const isConst = (a: Affine) => Object.keys(a.terms).length === 0;

/** Replaces the real variable `name` by an expression (a user function's derivative at its argument). */
export function substituteReal(e: Expr, name: string, value: Expr): Expr {
  if (e.kind === 'rvar') return e.name === name ? value : e;
  if (e.kind === 'supabs' && e.variable === name) return e;
  return mapChildren(e, (c) => substituteReal(c, name, value));
}

export { mapChildren };
