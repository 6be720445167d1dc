/**
 * What the bound prover knows about entries, each fact from a checked rule
 * rather than taken on faith:
 *
 *   ranges     an interval for every entry of an entrywise expression, from
 *              the ranges of the activations (|tanh| < 1, 0 < σ < 1,
 *              exp > 0), a value the model defines as y = f(z) lying in f's
 *              range, u² ∈ [0, max(u_lo², u_hi²)], u(1 − u) ≤ 1/4 for every
 *              real u (and its exact range on a bounded u), a product over a
 *              range of factors in [0, 1] staying in [0, 1], and interval
 *              arithmetic, all in exact rationals
 *   sup match  normMax(E) ≤ sup_x |g(x)| when E_i = g(u_i) entry by entry —
 *              directly, or after unfolding values the model defines by an
 *              activation (y = f(z), so g(y) = g(f(z)))
 *   sup value  sup_x |g(x)| ≥ |g(0)|, |lim_{x→±∞} g(x)|, evaluated exactly
 */
import { type Affine, formatAffine } from '../../ir/affine.js';
import { type Expr, isOp, node, num, type OpNode, type Seq } from '../../ir/expr.js';
import { isScalar } from '../../ir/shape.js';
import { printExpr } from '../../ir/print.js';
import { specOf, toElementwise } from '../../ops/index.js';
import type { Model } from '../../model/model.js';
import { TIME_VAR } from '../../model/model.js';
import type { Domain } from './domain.js';
import { entryKey, isEntrywise, NotNormal, sameMatrix, type Shapes } from './normal.js';
import { substituteSafely } from './substitute.js';
import {
  type Q,
  q,
  Q0,
  Q1,
  qabs,
  qadd,
  qcmp,
  qFromDyadic,
  qFromNumber,
  qle,
  qmax,
  qmin,
  qmul,
  qneg,
  qpow,
  qsub,
} from './rational.js';

export interface EntryContext {
  readonly model: Model;
  readonly domain: Domain;
  readonly shapes: Shapes;
  /** dact(y[τ]) written as f′ through y (the engine's rule), or null */
  readonly dact: (name: string, time: Affine) => Expr | null;
}

/** The facts an interval rests on, by rule id, with what they were about. */
export type RangeFactId =
  | 'range-tanh'
  | 'range-sigma'
  | 'range-exp'
  | 'range-step'
  | 'model-activation'
  | 'square-range'
  | 'logistic-quadratic'
  | 'hprod-range'
  | 'interval-arithmetic';

export interface RangeFact {
  readonly id: RangeFactId;
  readonly about: string;
}

/** A closed interval containing every entry; null ends are unbounded. */
export interface Interval {
  readonly lo: Q | null;
  readonly hi: Q | null;
  readonly facts: readonly RangeFact[];
}

const UNBOUNDED: Interval = { lo: null, hi: null, facts: [] };

/**
 * The activations whose range (the registry's `increasing.range`, one record per operator) a rule here
 * establishes, and that rule's id: the range is read from the registry, not written again.
 */
const RANGE_FACTS: ReadonlyMap<string, RangeFactId> = new Map([
  ['tanh', 'range-tanh'],
  ['sigma', 'range-sigma'],
  ['exp', 'range-exp'],
  ['step', 'range-step'],
]);

/** An activation's range from the registry, as exact ends (an infinite end is unbounded); null without a rule here. */
function activationRange(op: string, range: readonly [number, number] | undefined): Interval | null {
  const fact = RANGE_FACTS.get(op);
  if (!fact || !range) return null;
  // an infinite end, or one no small exact rational holds, is left unbounded: wider, so still sound
  return { lo: qFromDyadic(range[0]), hi: qFromDyadic(range[1]), facts: [{ id: fact, about: op }] };
}

const facts = (...xs: Interval[]): RangeFact[] => {
  const out: RangeFact[] = [];
  for (const x of xs) for (const f of x.facts) if (!out.some((g) => g.id === f.id && g.about === f.about)) out.push(f);
  return out;
};

const withFact = (i: Interval, f: RangeFact | null, ...from: Interval[]): Interval => ({
  lo: i.lo,
  hi: i.hi,
  facts: [...facts(...from), ...(f ? [f] : [])],
});

function addI(a: Interval, b: Interval, sign: 1 | -1): Interval {
  const bb = sign === 1 ? b : { lo: b.hi && qneg(b.hi), hi: b.lo && qneg(b.lo), facts: b.facts };
  return {
    lo: a.lo && bb.lo ? qadd(a.lo, bb.lo) : null,
    hi: a.hi && bb.hi ? qadd(a.hi, bb.hi) : null,
    facts: facts(a, b),
  };
}

const isZero = (i: Interval) => i.lo !== null && i.hi !== null && qcmp(i.lo, Q0) === 0 && qcmp(i.hi, Q0) === 0;

function mulI(a: Interval, b: Interval): Interval {
  if (isZero(a) || isZero(b)) return { lo: Q0, hi: Q0, facts: facts(a, b) };
  if (!a.lo || !a.hi || !b.lo || !b.hi) return { ...UNBOUNDED, facts: facts(a, b) };
  const ps = [qmul(a.lo, b.lo), qmul(a.lo, b.hi), qmul(a.hi, b.lo), qmul(a.hi, b.hi)];
  return { lo: ps.reduce(qmin), hi: ps.reduce(qmax), facts: facts(a, b) };
}

/** |u|^k for u in the interval: [0 or the smaller end, the larger end]. */
function powI(a: Interval, k: number): Interval {
  if (k === 0) return { lo: Q1, hi: Q1, facts: a.facts };
  if (!a.lo || !a.hi) {
    // an even power is ≥ 0 whatever u is
    return k % 2 === 0 ? { lo: Q0, hi: null, facts: a.facts } : { ...UNBOUNDED, facts: a.facts };
  }
  const [x, y] = [qpow(a.lo, k), qpow(a.hi, k)];
  if (k % 2 === 1) return { lo: x, hi: y, facts: a.facts };
  const straddles = qle(a.lo, Q0) && qle(Q0, a.hi);
  return { lo: straddles ? Q0 : qmin(x, y), hi: qmax(x, y), facts: a.facts };
}

/** u − u² for u in the interval: at most 1/4 for every real u (at u = 1/2), its ends where u is bounded. */
function logisticI(a: Interval): Interval {
  const quarter = q(1, 4);
  if (!a.lo || !a.hi) return { lo: null, hi: quarter, facts: a.facts };
  const f = (u: Q) => qsub(u, qmul(u, u));
  const half = q(1, 2);
  const inside = qle(a.lo, half) && qle(half, a.hi);
  return { lo: qmin(f(a.lo), f(a.hi)), hi: inside ? quarter : qmax(f(a.lo), f(a.hi)), facts: a.facts };
}

/** The model's equation for a sequence, when it defines it as an activation y[t] = f(z). */
export function activationDefinition(model: Model, name: string): OpNode | null {
  const eq = model.equations.find((x) => x.target === name);
  if (!eq || eq.rhs.kind !== 'op' || !specOf(eq.rhs).activation) return null;
  return eq.rhs;
}

/** The model's equation for a sequence, when it defines it as max(a, b) or min(a, b) (ReLU, hard tanh). */
function extremumDefinition(model: Model, name: string): OpNode | null {
  const eq = model.equations.find((x) => x.target === name);
  return eq && (isOp(eq.rhs, 'max2') || isOp(eq.rhs, 'min2')) ? eq.rhs : null;
}

/** y[τ] = f(z(τ)) from the model (an activation, or max/min), valid where the equation defines y (τ ≥ 1); null otherwise. */
export function unfoldActivation(v: Seq, ctx: EntryContext): OpNode | null {
  const rhs = activationDefinition(ctx.model, v.name) ?? extremumDefinition(ctx.model, v.name);
  if (!rhs || !ctx.domain.atLeast(v.time, 1)) return null;
  try {
    return substituteSafely(rhs, TIME_VAR, v.time) as OpNode;
  } catch (err) {
    if (err instanceof NotNormal) return null;
    throw err;
  }
}

const activationName = (n: OpNode) =>
  n.op === 'ufn' ? (n.name ?? 'f') : n.op === 'max2' ? 'max' : n.op === 'min2' ? 'min' : n.op;

/**
 * max(a, b) lies above the larger known lower end and below the larger upper end where both are known; min(a, b) the
 * other way round (hard tanh max(−1, min(1, z)) in [−1, 1] whatever z).
 */
function extremumI(a: Interval, b: Interval, larger: boolean): Interval {
  const either = (x: Q | null, y: Q | null, pick: (x: Q, y: Q) => Q) => (x && y ? pick(x, y) : (x ?? y));
  const both = (x: Q | null, y: Q | null, pick: (x: Q, y: Q) => Q) => (x && y ? pick(x, y) : null);
  return larger
    ? { lo: either(a.lo, b.lo, qmax), hi: both(a.hi, b.hi, qmax), facts: facts(a, b) }
    : { lo: both(a.lo, b.lo, qmin), hi: either(a.hi, b.hi, qmin), facts: facts(a, b) };
}

/** Flattens a chain of ⊙ (and scalings, diag(u)·v) into its factors. */
export function entryFactors(e: Expr, shapes: Shapes): Expr[] {
  if (isOp(e, 'emul')) return e.args.flatMap((a) => entryFactors(a, shapes));
  if (isOp(e, 'mul')) {
    const [a, b] = e.args as [Expr, Expr];
    const scalarSide = [a, b].some((x) => isScalar(shapes.shape(x)));
    if (isOp(a, 'diag')) return [...entryFactors(a.args[0]!, shapes), ...entryFactors(b, shapes)];
    if (scalarSide) return [...entryFactors(a, shapes), ...entryFactors(b, shapes)];
  }
  return [e];
}

const safeKey = (e: Expr, shapes: Shapes): string | null => {
  try {
    return entryKey(e, shapes);
  } catch (err) {
    if (err instanceof NotNormal) return null;
    throw err;
  }
};

/** An interval holding every entry of an entrywise expression (exact; unbounded where nothing is known). */
export function entryRange(e: Expr, ctx: EntryContext): Interval {
  const go = (x: Expr) => entryRange(x, ctx);
  if (e.kind === 'num') {
    const v = qFromNumber(e.value);
    return v ? { lo: v, hi: v, facts: [] } : UNBOUNDED;
  }
  if (e.kind === 'seq') {
    const def = unfoldActivation(e, ctx);
    if (!def) return UNBOUNDED;
    const inner = go(def);
    if (inner.lo === null && inner.hi === null) return UNBOUNDED;
    return withFact(inner, {
      id: 'model-activation',
      about: `${printExpr(e)} = ${activationName(def)}(…)`,
    });
  }
  if (e.kind !== 'op') return UNBOUNDED;
  if (e.op === 'max2' || e.op === 'min2')
    return withFact(extremumI(go(e.args[0]!), go(e.args[1]!), e.op === 'max2'), {
      id: 'interval-arithmetic',
      about: activationName(e),
    });
  // Only an operator that works entry by entry maps ranges of entries to a range of entries: A^k of a matrix, like
  // A·B, mixes entries (σ(W − 30)² has entries near d although σ's are below 1 — a review found it proved ≤ 1).
  if (!isEntrywise(e, ctx.shapes)) return UNBOUNDED;
  const spec = specOf(e);
  if (spec.activation) {
    const range = activationRange(e.op, spec.activation.increasing?.range);
    if (range) return range;
    if (e.op === 'identity') return go(e.args[0]!);
    return UNBOUNDED;
  }
  switch (e.op) {
    case 'add':
      return withFact(addI(go(e.args[0]!), go(e.args[1]!), 1), { id: 'interval-arithmetic', about: '+' });
    case 'sub':
      return withFact(addI(go(e.args[0]!), go(e.args[1]!), -1), { id: 'interval-arithmetic', about: '−' });
    case 'neg': {
      const a = go(e.args[0]!);
      return { lo: a.hi && qneg(a.hi), hi: a.lo && qneg(a.lo), facts: a.facts };
    }
    case 'emul':
    case 'mul': {
      const fs = entryFactors(e, ctx.shapes);
      return fs.length === 1 ? UNBOUNDED : productRange(fs, ctx);
    }
    case 'div': {
      const d = e.args[1]!;
      const v = d.kind === 'num' ? qFromNumber(d.value) : null;
      if (!v || qle(v, Q0)) return UNBOUNDED;
      return mulI(go(e.args[0]!), { lo: q(v.d, v.n), hi: q(v.d, v.n), facts: [] });
    }
    case 'epow':
    case 'pow': {
      const k = e.args[1]!;
      if (k.kind !== 'num' || !Number.isInteger(k.value) || k.value < 0 || k.value > 16) return UNBOUNDED;
      return withFact(powI(go(e.args[0]!), k.value), { id: 'square-range', about: `(·)^${k.value}` });
    }
    case 'hprod': {
      const inner = ctx.domain.with({ name: e.binder!, lo: e.ints[0]!, hi: e.ints[1]! });
      if (!inner) return UNBOUNDED;
      const b = entryRange(e.args[0]!, { ...ctx, domain: inner });
      if (!b.lo || !b.hi) return UNBOUNDED;
      const fact: RangeFact = { id: 'hprod-range', about: '⨀' };
      // The empty product is 1: every case below contains it.
      if (qle(Q0, b.lo) && qle(b.hi, Q1)) return { lo: Q0, hi: Q1, facts: [...b.facts, fact] };
      if (qle(q(-1), b.lo) && qle(b.hi, Q1)) return { lo: q(-1), hi: Q1, facts: [...b.facts, fact] };
      return UNBOUNDED;
    }
    case 'dact': {
      const v = e.args[0]!;
      if (v.kind !== 'seq' || !ctx.domain.atLeast(v.time, 1)) return UNBOUNDED;
      const d = ctx.dact(v.name, v.time);
      return d ? go(d) : UNBOUNDED;
    }
    default:
      return UNBOUNDED;
  }
}

/** A product of entry factors: u ⊙ (1 − u) pairs by the quadratic bound, u ⊙ u as a square, the rest by intervals. */
function productRange(factors: readonly Expr[], ctx: EntryContext): Interval {
  const keys = factors.map((f) => safeKey(f, ctx.shapes));
  const used = new Set<number>();
  const parts: Interval[] = [];
  for (let a = 0; a < factors.length; a++) {
    if (used.has(a) || keys[a] === null) continue;
    const complement = safeKey(node('sub', [num(1), factors[a]!]), ctx.shapes);
    for (let b = 0; b < factors.length; b++) {
      if (b === a || used.has(b) || keys[b] === null) continue;
      if (keys[b] === complement) {
        used.add(a).add(b);
        parts.push(
          withFact(logisticI(entryRange(factors[a]!, ctx)), {
            id: 'logistic-quadratic',
            about: printExpr(factors[a]!),
          }),
        );
        break;
      }
      if (keys[b] === keys[a]) {
        used.add(a).add(b);
        parts.push(
          withFact(powI(entryRange(factors[a]!, ctx), 2), { id: 'square-range', about: printExpr(factors[a]!) }),
        );
        break;
      }
    }
  }
  factors.forEach((f, i) => {
    if (!used.has(i)) parts.push(entryRange(f, ctx));
  });
  const out = parts.reduce((acc, p) => mulI(acc, p), { lo: Q1, hi: Q1, facts: [] } as Interval);
  return parts.length > 1 ? withFact(out, { id: 'interval-arithmetic', about: '⊙' }) : out;
}

/** max |entry| from an interval, or null when unbounded. */
export function absBound(i: Interval): Q | null {
  if (!i.lo || !i.hi) return null;
  return qmax(qabs(i.lo), qabs(i.hi));
}

// ── sup match ───────────────────────────────────────────────────────────────

export interface SupMatch {
  /** u with E = g(u) entry by entry */
  readonly argument: Expr;
  /** values unfolded through the model's activation equations, e.g. "h[T-i+1] = tanh(…)" */
  readonly unfolded: readonly string[];
}

/** Only numbers and the bound variable: g is a function of x alone. */
function onlyBinder(e: Expr, binder: string): boolean {
  if (e.kind === 'num') return true;
  if (e.kind === 'rvar') return e.name === binder;
  if (e.kind !== 'op') return false;
  return e.args.every((a) => onlyBinder(a, binder));
}

const COMMUTATIVE = new Set(['add', 'emul']);

function flatten(e: Expr, op: string): Expr[] {
  return isOp(e, op) ? e.args.flatMap((a) => flatten(a, op)) : [e];
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** First-order matching of the sup's body (x the pattern variable) against an entrywise expression. */
function match(p: Expr, e: Expr, binder: string, bound: { value: Expr | null }, shapes: Shapes): boolean {
  if (p.kind === 'rvar' && p.name === binder) {
    if (!bound.value) {
      bound.value = e;
      return true;
    }
    return sameMatrix(bound.value, e, shapes);
  }
  if (p.kind === 'num') return e.kind === 'num' && e.value === p.value;
  if (p.kind !== 'op' || e.kind !== 'op' || p.op !== e.op || p.name !== e.name) return false;
  if (p.args.length !== e.args.length || p.ints.length || e.ints.length) return false;
  if (COMMUTATIVE.has(p.op)) {
    const [ps, es] = [flatten(p, p.op), flatten(e, p.op)];
    if (ps.length !== es.length || ps.length > 5) return false;
    for (const perm of permutations(es)) {
      const trial = { value: bound.value };
      if (ps.every((x, i) => match(x, perm[i]!, binder, trial, shapes))) {
        bound.value = trial.value;
        return true;
      }
    }
    return false;
  }
  return p.args.every((x, i) => match(x, e.args[i]!, binder, bound, shapes));
}

/** The activation-defined sequence values in e. */
function activationValues(e: Expr, ctx: EntryContext): Seq[] {
  const out = new Map<string, Seq>();
  const visit = (x: Expr) => {
    if (x.kind === 'seq' && unfoldActivation(x, ctx)) out.set(printExpr(x), x);
    if (x.kind === 'op' && !specOf(x).graphDerivative) x.args.forEach(visit);
  };
  visit(e);
  return [...out.values()];
}

function unfold(e: Expr, which: ReadonlySet<string>, ctx: EntryContext): Expr {
  if (e.kind === 'seq' && which.has(printExpr(e))) return unfoldActivation(e, ctx) ?? e;
  if (e.kind !== 'op' || specOf(e).graphDerivative) return e;
  return { ...e, args: e.args.map((a) => unfold(a, which, ctx)) };
}

/** E = g(u) entry by entry, for the g of supabs(x, g(x)); null when no unfolding makes it so. */
export function supMatch(E: Expr, sup: OpNode, ctx: EntryContext): SupMatch | null {
  const binder = sup.binder!;
  const body = sup.args[0]!;
  if (!onlyBinder(body, binder)) return null;
  const pattern = toElementwise(body);
  const values = activationValues(E, ctx);
  const subsets: Seq[][] = [[]];
  if (values.length) subsets.push(values);
  if (values.length > 1 && values.length <= 4) for (const v of values) subsets.push([v]);
  for (const subset of subsets) {
    const names = new Set(subset.map((v) => printExpr(v)));
    const candidate = unfold(E, names, ctx);
    const bound = { value: null as Expr | null };
    if (!match(pattern, candidate, binder, bound, ctx.shapes) || !bound.value) continue;
    // u must have E's shape (a vector of the same length, or both scalars): g acts entry by entry.
    try {
      const [su, se] = [ctx.shapes.shape(bound.value), ctx.shapes.shape(E)];
      if (formatAffine(su.rows) !== formatAffine(se.rows) || formatAffine(su.cols) !== formatAffine(se.cols)) continue;
    } catch {
      continue;
    }
    return {
      argument: bound.value,
      unfolded: subset.map((v) => `${printExpr(v)} = ${activationName(unfoldActivation(v, ctx)!)}(…)`),
    };
  }
  return null;
}

// ── sup value ───────────────────────────────────────────────────────────────

type Point = 'zero' | '+inf' | '-inf';
type Value = Q | '+inf' | '-inf' | null;

const LIMITS: Readonly<Record<string, { zero: Q | null; pinf: Value; ninf: Value }>> = {
  tanh: { zero: Q0, pinf: Q1, ninf: q(-1) },
  sigma: { zero: q(1, 2), pinf: Q1, ninf: Q0 },
  exp: { zero: Q1, pinf: '+inf', ninf: Q0 },
};

/** g at 0, or its limit at ±∞, exactly; null when unknown (or infinite inside arithmetic). */
function valueAt(e: Expr, binder: string, point: Point): Value {
  const go = (x: Expr) => valueAt(x, binder, point);
  if (e.kind === 'num') return qFromNumber(e.value);
  if (e.kind === 'rvar') return e.name !== binder ? null : point === 'zero' ? Q0 : point;
  if (e.kind !== 'op') return null;
  const args = e.args.map(go);
  if (specOf(e).activation) {
    const a = args[0];
    if (e.op === 'identity') return a ?? null;
    const lim = LIMITS[e.op];
    if (!lim || a === null || a === undefined) return null;
    if (a === '+inf') return lim.pinf;
    if (a === '-inf') return lim.ninf;
    return qcmp(a, Q0) === 0 ? lim.zero : null;
  }
  if (args.some((a) => a === null || a === '+inf' || a === '-inf')) return null;
  const [a, b] = args as Q[];
  switch (e.op) {
    case 'add':
      return qadd(a!, b!);
    case 'sub':
      return qsub(a!, b!);
    case 'neg':
      return qneg(a!);
    case 'mul':
    case 'emul':
      return qmul(a!, b!);
    case 'div':
      return qcmp(b!, Q0) === 0 ? null : qmul(a!, q(b!.d, b!.n));
    case 'pow':
    case 'epow': {
      if (b!.d !== 1n || b!.n < 0n || b!.n > 16n) return null;
      return qpow(a!, Number(b!.n));
    }
    default:
      return null;
  }
}

export interface SupLower {
  readonly value: Q;
  /** where: "x = 0", "x → +∞", "x → −∞" */
  readonly at: string;
}

/** The largest of |g(0)|, |lim_{x→+∞} g|, |lim_{x→−∞} g| that is known: sup_x |g(x)| is at least that. */
export function supLowerBound(sup: OpNode): SupLower | null {
  let best: SupLower | null = null;
  const labels: Record<Point, string> = { zero: 'x = 0', '+inf': 'x → +∞', '-inf': 'x → −∞' };
  for (const point of ['zero', '+inf', '-inf'] as const) {
    const v = valueAt(sup.args[0]!, sup.binder!, point);
    if (v === null || v === '+inf' || v === '-inf') continue;
    const a = qabs(v);
    if (!best || qcmp(a, best.value) > 0) best = { value: a, at: labels[point] };
  }
  return best;
}
