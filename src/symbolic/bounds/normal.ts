/**
 * Normal forms the bound prover compares by. Each is a chain of identities,
 * so equal forms mean equal values at every point of the domain:
 *
 *   entries   a vector or scalar built entrywise (⊙, +, −, activations, ⨀):
 *             a commutative polynomial in atoms (entries of sequences,
 *             activations of their arguments, products over a range)
 *   matrices  a sum of ordered words over matrix atoms, products distributed,
 *             scalars in front, adjacent diagonals merged (diag(u)·diag(v) =
 *             diag(u ⊙ v)), transposes pushed to the atoms
 *   scalars   a sum of monomials: leaves (norms, sups, constants) with
 *             integer exponents affine in the indices (all ≥ 0 on the domain),
 *             products over a range split into powers of what does not
 *             depend on the index (∏_{i=lo}^{hi} c = c^{hi−lo+1}) and one
 *             product per factor that does, reindexed to a canonical range
 *             (a shift for matrix products, a shift or reflection where the
 *             factors commute)
 *
 * Nothing here decides a bound; the rules (./lemmas.ts) use these to check
 * that two expressions are the same quantity.
 */
import { type Affine, affine, affineAdd, affineScale, affineVars, formatAffine } from '../../ir/affine.js';
import { type Expr, intVarsOf, isOp, node, type OpNode } from '../../ir/expr.js';
import { printExpr } from '../../ir/print.js';
import { formatShape, isColumn, isScalar, type Shape } from '../../ir/shape.js';
import { specOf } from '../../ops/index.js';
import { affineExpr, substituteReal } from '../build.js';
import { NotNormal, substituteSafely } from './substitute.js';
import { ExprError } from '../../ir/errors.js';
import { cadd, cconst, cmul, constantOf, type CPoly, cpolyKey, cpow, csym, inverseOf } from '../cpoly.js';
import { transpose } from '../transpose.js';
import type { Domain } from './domain.js';
import { exactPower, exactProduct, exactQuotient, exactSum } from '../exact-float.js';

export { NotNormal };

const fail = (why: string): never => {
  throw new NotNormal(why);
};
/** Constants combine exactly or not at all: a rounded coefficient would make different quantities one form. */
export const rounds = (what: string): never => fail(`a constant float64 cannot hold exactly (${what})`);

export interface Shapes {
  shape(e: Expr): Shape;
}

const MAX_TERMS = 4000;

// ── ranges ──────────────────────────────────────────────────────────────────

/** A canonical binder name no file can use (keys only; never printed in a proof). */
const canonicalBinder = (depth: number) => `ι${depth}`;

/** Number of terms of a range lo..hi: hi − lo + 1. */
export const rangeLength = (lo: Affine, hi: Affine): Affine => affineAdd(affineAdd(hi, lo, -1), affine(1));

/**
 * The key of a product or sum over a range, independent of the binder's name
 * and of where the range starts: the body with i = lo + ι over ι = 0..n−1,
 * or — when the terms commute — also with i = hi − ι (the order reversed),
 * whichever key is smaller.
 */
function rangeKey(
  op: string,
  n: OpNode,
  commutative: boolean,
  keyOf: (body: Expr, depth: number) => string,
  depth: number,
): string {
  const [lo, hi] = [n.ints[0]!, n.ints[1]!];
  const iota = canonicalBinder(depth);
  const shifted = substituteSafely(n.args[0]!, n.binder!, affineAdd(lo, affine(0, { [iota]: 1 })));
  const keys = [keyOf(shifted, depth + 1)];
  if (commutative) {
    const reflected = substituteSafely(n.args[0]!, n.binder!, affineAdd(hi, affine(0, { [iota]: -1 })));
    keys.push(keyOf(reflected, depth + 1));
  }
  keys.sort();
  return `${op}[${formatAffine(rangeLength(lo, hi))}](${keys[0]})`;
}

// ── entries ─────────────────────────────────────────────────────────────────

/**
 * Combines its arguments entry by entry (⊙, +, −, activations, ⨀, diag(u)·v,
 * a scaling): its entries are a polynomial in its arguments' entries. A
 * leaf (a sequence value, a parameter vector, a number) counts as well.
 */
export function isEntrywise(e: Expr, shapes: Shapes): boolean {
  if (e.kind !== 'op') return true;
  const spec = specOf(e);
  if (spec.activation || isOp(e, 'hprod', 'dact')) return true;
  const flag = spec.entrywise;
  const isScalarExpr = (x: Expr) => isScalar(shapes.shape(x));
  return flag === true || (typeof flag === 'function' && flag(e, isScalarExpr));
}

/** Entrywise all the way down to sequence values, parameters, numbers and activations (whose argument is one atom). */
export function isPureEntrywise(e: Expr, shapes: Shapes): boolean {
  if (e.kind !== 'op') return true;
  if (!isEntrywise(e, shapes)) return false;
  if (specOf(e).activation || isOp(e, 'hprod', 'dact')) return true;
  return e.args.every((a) => isPureEntrywise(a, shapes));
}

function integerConstant(e: Expr): number | null {
  return e.kind === 'num' && Number.isInteger(e.value) ? e.value : null;
}

/**
 * The entries of an entrywise vector or scalar as a commutative polynomial:
 * u ⊙ v = v ⊙ u, (a + b) ⊙ c = a ⊙ c + b ⊙ c, diag(u)·v = u ⊙ v, and so on.
 */
export function entryPoly(e: Expr, shapes: Shapes, depth = 0): CPoly {
  const go = (x: Expr) => entryPoly(x, shapes, depth);
  switch (e.kind) {
    case 'num':
      return cconst(e.value);
    case 'sym':
    case 'seq':
    case 'ivar':
    case 'rvar':
      return csym(printExpr(e));
    case 'op':
      break;
  }
  // A value computed otherwise (W·h, a norm, a matrix) is one atom, keyed by its own form.
  const shape = shapes.shape(e);
  if (!isEntrywise(e, shapes) || !(isScalar(shape) || isColumn(shape))) return csym(`[${matrixKey(e, shapes, depth)}]`);
  const spec = specOf(e);
  if (spec.activation) return csym(`${e.op === 'ufn' ? e.name : e.op}(${cpolyKey(go(e.args[0]!))})`);
  switch (e.op) {
    case 'add':
      return cadd(go(e.args[0]!), go(e.args[1]!));
    case 'sub':
      return cadd(go(e.args[0]!), go(e.args[1]!), -1);
    case 'neg':
      return cadd(new Map(), go(e.args[0]!), -1);
    case 'emul':
      return cmul(go(e.args[0]!), go(e.args[1]!));
    case 'mul': {
      const [a, b] = e.args;
      return cmul(go(isOp(a!, 'diag') ? a.args[0]! : a!), go(b!));
    }
    case 'div': {
      const d = e.args[1]!;
      if (d.kind !== 'num' || d.value === 0) return csym(printExpr(e));
      return cmul(go(e.args[0]!), cconst(inverseOf(d.value)));
    }
    case 'epow':
    case 'pow': {
      const k = integerConstant(e.args[1]!);
      if (k === null || k < 0 || k > 8) return csym(`(${cpolyKey(go(e.args[0]!))})^${printExpr(e.args[1]!)}`);
      return cpow(go(e.args[0]!), k);
    }
    case 'hprod':
      return csym(rangeKey('hprod', e, true, (b, d) => cpolyKey(entryPoly(b, shapes, d)), depth));
    case 'zeros':
      return cconst(0);
    default:
      return csym(printExpr(e));
  }
}

export const entryKey = (e: Expr, shapes: Shapes): string => cpolyKey(entryPoly(e, shapes));

// ── matrices ────────────────────────────────────────────────────────────────

type Factor =
  | { readonly kind: 'diag'; readonly poly: CPoly }
  /** an entrywise vector at the end of a word */
  | { readonly kind: 'vec'; readonly poly: CPoly }
  | { readonly kind: 'atom'; readonly key: string };

interface Term {
  readonly coef: number;
  /** commuting scalar factors */
  readonly scalar: CPoly;
  readonly word: readonly Factor[];
}

type MPoly = Map<string, Term>;

const factorKey = (f: Factor): string =>
  f.kind === 'atom' ? f.key : f.kind === 'diag' ? `diag(${cpolyKey(f.poly)})` : `vec(${cpolyKey(f.poly)})`;
const termKey = (t: Omit<Term, 'coef'>): string => `${cpolyKey(t.scalar)}|${t.word.map(factorKey).join(' · ')}`;

function normalizeTerm(coef: number, scalar: CPoly, word: readonly Factor[]): Term | null {
  const out: Factor[] = [];
  let c = coef;
  let s = scalar;
  const constant = constantOf(s);
  if (constant !== null) {
    c = exactProduct(c, constant, rounds);
    s = cconst(1);
  }
  for (const f of word) {
    const last = out[out.length - 1];
    if (f.kind === 'diag' && last?.kind === 'diag')
      out[out.length - 1] = { kind: 'diag', poly: cmul(last.poly, f.poly) };
    else if (f.kind === 'vec' && last?.kind === 'diag')
      out[out.length - 1] = { kind: 'vec', poly: cmul(last.poly, f.poly) };
    else out.push(f);
  }
  const kept: Factor[] = [];
  for (const f of out) {
    const k = f.kind === 'diag' ? constantOf(f.poly) : null;
    if (k === null) kept.push(f);
    else c = exactProduct(c, k, rounds);
  }
  return c === 0 ? null : { coef: c, scalar: s, word: kept };
}

function addTerm(p: MPoly, t: Term | null, sign = 1): void {
  if (!t) return;
  const key = termKey(t);
  const prev = p.get(key);
  const coef = exactSum(prev?.coef ?? 0, sign * t.coef, rounds);
  if (coef === 0) p.delete(key);
  else p.set(key, { ...t, coef });
  if (p.size > MAX_TERMS) fail('too many terms');
}

const single = (t: Term | null): MPoly => {
  const p: MPoly = new Map();
  addTerm(p, t);
  return p;
};

function madd(a: MPoly, b: MPoly, sign = 1): MPoly {
  const out: MPoly = new Map(a);
  for (const t of b.values()) addTerm(out, t, sign);
  return out;
}

function mmul(a: MPoly, b: MPoly): MPoly {
  if (a.size * b.size > MAX_TERMS) fail('too many terms');
  const out: MPoly = new Map();
  for (const x of a.values())
    for (const y of b.values())
      addTerm(
        out,
        normalizeTerm(exactProduct(x.coef, y.coef, rounds), cmul(x.scalar, y.scalar), [...x.word, ...y.word]),
      );
  return out;
}

const toggle = (key: string) => (key.endsWith("'") ? key.slice(0, -1) : `${key}'`);

function mtranspose(a: MPoly): MPoly {
  const out: MPoly = new Map();
  for (const t of a.values()) {
    const word = [...t.word].reverse().map((f): Factor => {
      if (f.kind === 'atom') return { kind: 'atom', key: toggle(f.key) };
      if (f.kind === 'vec') return { kind: 'atom', key: `${factorKey(f)}'` };
      return f;
    });
    addTerm(out, normalizeTerm(t.coef, t.scalar, word));
  }
  return out;
}

/** The words of a matrix, vector or scalar expression; NotNormal where it has none. */
export function matrixPoly(e: Expr, shapes: Shapes, depth = 0): MPoly {
  const go = (x: Expr) => matrixPoly(x, shapes, depth);
  if (e.kind === 'num') return single(normalizeTerm(e.value, cconst(1), []));
  const shape = shapes.shape(e);
  const scalarShape = isScalar(shape);
  const atom = (key: string) => single(normalizeTerm(1, cconst(1), [{ kind: 'atom', key }]));
  if ((scalarShape || isColumn(shape)) && isPureEntrywise(e, shapes)) {
    const poly = entryPoly(e, shapes, depth);
    return scalarShape
      ? single(normalizeTerm(1, poly, []))
      : single(normalizeTerm(1, cconst(1), [{ kind: 'vec', poly }]));
  }
  if (e.kind !== 'op') return atom(printExpr(e));
  const noBroadcast = () => {
    if (!scalarShape && e.args.some((a) => isScalar(shapes.shape(a))))
      fail(`a scalar broadcast into a matrix: ${printExpr(e)}`);
  };
  switch (e.op) {
    case 'add':
      noBroadcast();
      return madd(go(e.args[0]!), go(e.args[1]!));
    case 'sub':
      noBroadcast();
      return madd(go(e.args[0]!), go(e.args[1]!), -1);
    case 'neg':
      return madd(new Map(), go(e.args[0]!), -1);
    case 'mul':
      return mmul(go(e.args[0]!), go(e.args[1]!));
    case 'div': {
      const d = e.args[1]!;
      if (d.kind !== 'num' || d.value === 0) return fail(`division by ${printExpr(d)}`);
      // each coefficient divided exactly, as the scalar form does: 1/c rounded gave W/1.9999999999999996 and
      // W/1.9999999999999998 one form, and ‖W/a‖ ≤ ‖W/b‖ for a < b was proved
      const out: MPoly = new Map();
      for (const t of go(e.args[0]!).values()) addTerm(out, { ...t, coef: exactQuotient(t.coef, d.value, rounds) });
      return out;
    }
    case 'transpose': {
      const pushed = transpose(e.args[0]!);
      if (pushed && !isOp(pushed, 'transpose')) return go(pushed);
      return mtranspose(go(e.args[0]!));
    }
    case 'diag':
      return single(normalizeTerm(1, cconst(1), [{ kind: 'diag', poly: entryPoly(e.args[0]!, shapes, depth) }]));
    case 'eye':
      return single(normalizeTerm(1, cconst(1), []));
    case 'zeros':
      return new Map();
    case 'prod': {
      // ∏ diag(u_i) = diag(⨀ u_i): diagonal factors commute.
      const body = e.args[0]!;
      if (isOp(body, 'diag'))
        return single(
          normalizeTerm(1, cconst(1), [
            { kind: 'diag', poly: entryPoly(node('hprod', [body.args[0]!], e), shapes, depth) },
          ]),
        );
      return atom(rangeKey('prod', e, false, (b, d) => matrixKeyOf(matrixPoly(b, shapes, d)), depth));
    }
    case 'rsum':
      return atom(rangeKey('sum', e, true, (b, d) => matrixKeyOf(matrixPoly(b, shapes, d)), depth));
    default:
      return scalarShape ? single(normalizeTerm(1, csym(`{${leafKey(e, shapes, depth)}}`), [])) : atom(printExpr(e));
  }
}

const matrixKeyOf = (p: MPoly): string =>
  p.size === 0
    ? '0'
    : [...p.values()]
        .map((t) => `${t.coef}*${termKey(t)}`)
        .sort()
        .join(' + ');

/** A key equal for two expressions exactly when their word forms agree (shape included). */
export function matrixKey(e: Expr, shapes: Shapes, depth = 0): string {
  return `${formatShape(shapes.shape(e))}:${matrixKeyOf(matrixPoly(e, shapes, depth))}`;
}

/**
 * Whether e is the zero matrix (or vector) by its word form: zeros(·), or what cancels to it (A − A). The engine's
 * closed form of ∂h_s/∂h_t for s < t is zeros(d, d) (h_s reads no later value).
 */
export function isZeroMatrix(e: Expr, shapes: Shapes): boolean {
  try {
    return matrixKeyOf(matrixPoly(e, shapes)) === '0';
  } catch (err) {
    if (err instanceof NotNormal || err instanceof ExprError) return false;
    throw err;
  }
}

/** Same matrix (or vector, or scalar) by word forms; false when either has none. */
export function sameMatrix(a: Expr, b: Expr, shapes: Shapes): boolean {
  try {
    return matrixKey(a, shapes) === matrixKey(b, shapes);
  } catch (err) {
    if (err instanceof NotNormal || err instanceof ExprError) return false;
    throw err;
  }
}

/** A matrix that is one diagonal diag(v) (coefficient ±1): its entries' key and sign; null otherwise. */
export function asSingleDiagonal(e: Expr, shapes: Shapes): { key: string; sign: number } | null {
  try {
    const p = matrixPoly(e, shapes);
    if (p.size !== 1) return null;
    const t = [...p.values()][0]!;
    const f = t.word[0];
    if (Math.abs(t.coef) !== 1 || constantOf(t.scalar) !== 1 || t.word.length !== 1 || f?.kind !== 'diag') return null;
    return { key: cpolyKey(f.poly), sign: t.coef };
  } catch (err) {
    if (err instanceof NotNormal || err instanceof ExprError) return null;
    throw err;
  }
}

// ── scalars ─────────────────────────────────────────────────────────────────

export interface Power {
  readonly leaf: Expr;
  readonly exp: Affine;
}

export interface Mono {
  readonly coef: number;
  /** leaf key → leaf and exponent */
  readonly factors: ReadonlyMap<string, Power>;
}

export type SPoly = readonly Mono[];

const NORMS = new Set(['norm2', 'normF', 'normInf', 'normMax', 'normMin']);

/** The key of a scalar leaf: norms by the word form of their argument, sups up to the binder's name. */
export function leafKey(e: Expr, shapes: Shapes, depth = 0): string {
  try {
    if (isOp(e, ...NORMS)) {
      const arg = e.args[0]!;
      const byEntries =
        (e.op === 'normMax' || e.op === 'normMin') && isColumn(shapes.shape(arg)) && isEntrywise(arg, shapes);
      return `${e.op}(${byEntries ? `e:${cpolyKey(entryPoly(arg, shapes, depth))}` : matrixKey(arg, shapes, depth)})`;
    }
  } catch (err) {
    if (!(err instanceof NotNormal)) throw err;
  }
  if (isOp(e, 'supabs'))
    return `supabs(${printExpr(substituteReal(e.args[0]!, e.binder!, { kind: 'rvar', name: 'ξ' }))})`;
  if (isOp(e, 'prod') && e.binder) return rangeKey('prod', e, true, (b, d) => leafKey(b, shapes, d), depth);
  return printExpr(e);
}

const isZeroExp = (a: Affine) => !affineVars(a).length && a.c === 0;

const monoKey = (m: Mono): string =>
  [...m.factors.entries()]
    .filter(([, p]) => !isZeroExp(p.exp))
    .map(([k, p]) => `${k}^${formatAffine(p.exp)}`)
    .sort()
    .join(' · ');

function monoMul(a: Mono, b: Mono): Mono {
  const factors = new Map(a.factors);
  for (const [k, p] of b.factors) {
    const prev = factors.get(k);
    factors.set(k, prev ? { leaf: prev.leaf, exp: affineAdd(prev.exp, p.exp) } : p);
  }
  return { coef: exactProduct(a.coef, b.coef, rounds), factors };
}

function combine(monos: readonly Mono[]): SPoly {
  const out = new Map<string, Mono>();
  for (const m of monos) {
    const key = monoKey(m);
    const prev = out.get(key);
    const coef = exactSum(prev?.coef ?? 0, m.coef, rounds);
    if (coef === 0) out.delete(key);
    else out.set(key, { coef, factors: m.factors });
  }
  return [...out.values()];
}

/** m^k for a constant k ≥ 0 */
function monoPow(m: Mono, k: number): Mono {
  const factors = new Map<string, Power>();
  for (const [key, p] of m.factors) factors.set(key, { leaf: p.leaf, exp: affineScale(p.exp, k) });
  return { coef: exactPower(m.coef, k, rounds), factors };
}

const constantMono = (c: number): Mono => ({ coef: c, factors: new Map() });
const leafMono = (leaf: Expr, key: string, exp: Affine = affine(1)): Mono => ({
  coef: 1,
  factors: new Map([[key, { leaf, exp }]]),
});

/** An integer exponent written with numbers, index variables, +, − and products by constants. */
export function exponentOf(e: Expr): Affine | null {
  if (e.kind === 'num') return Number.isInteger(e.value) ? affine(e.value) : null;
  if (e.kind === 'ivar') return affine(0, { [e.name]: 1 });
  if (!isOp(e, 'add', 'sub', 'neg', 'mul')) return null;
  const args = e.args.map(exponentOf);
  if (args.some((a) => a === null)) return null;
  const [a, b] = args as Affine[];
  switch (e.op) {
    case 'add':
      return affineAdd(a!, b!);
    case 'sub':
      return affineAdd(a!, b!, -1);
    case 'neg':
      return affineScale(a!, -1);
    default:
      if (!affineVars(a!).length) return affineScale(b!, a!.c);
      if (!affineVars(b!).length) return affineScale(a!, b!.c);
      return null;
  }
}

/**
 * The scalar normal form at every point of `domain`. Exponents are kept only
 * where they are ≥ 0 on the domain (x^a·x^b = x^{a+b} needs it at x = 0); a
 * power or product that does not qualify stays one leaf.
 */
export function scalarNormal(e: Expr, shapes: Shapes, domain: Domain): SPoly {
  const leaf = (x: Expr): SPoly => [leafMono(x, leafKey(x, shapes))];
  const go = (x: Expr, dom: Domain): SPoly => {
    if (x.kind === 'num') return x.value === 0 ? [] : [constantMono(x.value)];
    if (x.kind !== 'op') return leaf(x);
    switch (x.op) {
      case 'add':
        return combine([...go(x.args[0]!, dom), ...go(x.args[1]!, dom)]);
      case 'sub':
        return combine([...go(x.args[0]!, dom), ...go(x.args[1]!, dom).map((m) => ({ ...m, coef: -m.coef }))]);
      case 'neg':
        return go(x.args[0]!, dom).map((m) => ({ ...m, coef: -m.coef }));
      case 'mul':
      case 'emul': {
        // A row times a column is scalar, but its factors are not numbers that commute: one leaf (taken apart,
        // (h'h)(c'c) and (h'c)(c'h) had one form, and the reversed Cauchy–Schwarz inequality was proved).
        if (!x.args.every((a) => isScalar(shapes.shape(a))) || !isScalar(shapes.shape(x))) return leaf(x);
        const [a, b] = [go(x.args[0]!, dom), go(x.args[1]!, dom)];
        return combine(a.flatMap((m) => b.map((n) => monoMul(m, n))));
      }
      case 'div': {
        const d = x.args[1]!;
        if (d.kind !== 'num' || d.value === 0) return leaf(x);
        return go(x.args[0]!, dom).map((m) => ({ ...m, coef: exactQuotient(m.coef, d.value, rounds) }));
      }
      case 'pow':
        return power(x, dom) ?? leaf(x);
      case 'prod':
        return rangeProduct(x, dom) ?? leaf(x);
      case 'norm2':
      case 'normF':
      case 'normInf':
      case 'normMax':
        return normOfConstant(x, dom) ?? leaf(x);
      default:
        return leaf(x);
    }
  };
  /** Every norm of a 1×1 constant c is |c| (what ‖c·A‖ = |c|·‖A‖ leaves outside the norm). */
  const normOfConstant = (x: OpNode, dom: Domain): SPoly | null => {
    if (!isScalar(shapes.shape(x.args[0]!))) return null;
    const inner = go(x.args[0]!, dom);
    if (!inner.length) return [];
    return inner.length === 1 && !inner[0]!.factors.size ? [constantMono(Math.abs(inner[0]!.coef))] : null;
  };
  const power = (x: OpNode, dom: Domain): SPoly | null => {
    if (!isScalar(shapes.shape(x.args[0]!))) return null;
    const raw = exponentOf(x.args[1]!);
    if (!raw) return null;
    const exp = dom.pin(raw);
    const base = go(x.args[0]!, dom);
    if (!affineVars(exp).length) {
      if (exp.c < 0 || exp.c > 8) return null;
      let acc: SPoly = [constantMono(1)];
      for (let i = 0; i < exp.c; i++) acc = combine(acc.flatMap((m) => base.map((n) => monoMul(m, n))));
      return acc;
    }
    if (!dom.atLeast(exp, 0) || base.length !== 1) return null;
    const m = base[0]!;
    return [raisedTo(m, exp)];
  };
  /** m^e for a symbolic e ≥ 0: every exponent must be a constant to stay affine. */
  const raisedTo = (m: Mono, exp: Affine): Mono => {
    const factors = new Map<string, Power>();
    for (const [k, p] of m.factors) {
      if (affineVars(p.exp).length) fail('an exponent of an exponent');
      factors.set(k, { leaf: p.leaf, exp: affineScale(exp, p.exp.c) });
    }
    let coef = m.coef;
    if (coef !== 1) {
      if (coef < 0) fail('a negative constant to a symbolic power');
      const c = { kind: 'num', value: coef } as const;
      factors.set(`#${coef}`, { leaf: c, exp });
      coef = 1;
    }
    return { coef, factors };
  };
  const rangeProduct = (x: OpNode, dom: Domain): SPoly | null => {
    if (!isScalar(shapes.shape(x))) return null;
    const [lo, hi] = [x.ints[0]!, x.ints[1]!];
    const i = x.binder!;
    const inner = dom.with({ name: i, lo, hi });
    if (!inner) return null;
    const body = go(x.args[0]!, inner);
    if (body.length !== 1) return null;
    const m = body[0]!;
    const n = dom.pin(rangeLength(lo, hi));
    const independent: Mono = {
      coef: m.coef,
      factors: new Map([...m.factors].filter(([, p]) => !intVarsOf(p.leaf).has(i))),
    };
    let out: Mono = constantMono(1);
    if (independent.factors.size || independent.coef !== 1) {
      if (!dom.atLeast(n, 0)) return null;
      for (const p of independent.factors.values()) if (affineVars(p.exp).length) return null;
      out = affineVars(n).length ? raisedTo(independent, n) : monoPow(independent, n.c);
    }
    for (const p of m.factors.values()) {
      if (!intVarsOf(p.leaf).has(i)) continue;
      if (affineVars(p.exp).length) return null;
      const ranged = node('prod', [p.leaf], { ints: [lo, hi], binder: i });
      out = monoMul(out, leafMono(ranged, leafKey(ranged, shapes), p.exp));
    }
    return [out];
  };
  return go(domain.pinExpr(e), domain);
}

/** A monomial as an expression: coefficient, then each leaf to its power. */
export function rebuild(m: Mono): Expr {
  let acc: Expr | null = m.coef === 1 ? null : { kind: 'num', value: m.coef };
  for (const p of m.factors.values()) {
    const f: Expr = formatAffine(p.exp) === '1' ? p.leaf : node('pow', [p.leaf, exponentExpr(p.exp)]);
    acc = acc ? node('mul', [acc, f]) : f;
  }
  return acc ?? { kind: 'num', value: 1 };
}

/** An affine exponent as an expression (k, T-k+1, 2). */
export const exponentExpr = affineExpr;

export const polyKey = (p: SPoly): string =>
  p
    .map((m) => `${m.coef}×${monoKey(m)}`)
    .sort()
    .join(' + ');

/** Equal scalar normal forms on the domain (false where either has none). */
export function sameScalar(a: Expr, b: Expr, shapes: Shapes, domain: Domain): boolean {
  try {
    return polyKey(scalarNormal(a, shapes, domain)) === polyKey(scalarNormal(b, shapes, domain));
  } catch (err) {
    if (err instanceof NotNormal || err instanceof ExprError) return false;
    throw err;
  }
}

export { monoKey };
