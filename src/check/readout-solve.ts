/**
 * The read-out solve of the adversarial search (./search.ts): with every
 * other part of an instance fixed, the read-out (a parameter only the loss
 * reads, e.g. v in L = v·h_T + ½‖h_T‖²) is chosen to bring the claim closest
 * to failing, by solving instead of searching.
 *
 * Why: every gradient a claim compares is affine in the read-out (the loss's
 * gradient at the last state is, and back-propagation is linear in it), so a
 * bound such as ‖∂L/∂s_k‖ ≥ ‖path‖ − ‖rest‖ is, on one instance, a function of
 * norms of a few affine maps of the read-out. A violation of a wrong bound of
 * that kind needs the rest to nearly cancel in one direction — a thin set the
 * random steps of the evolution strategy rarely hit — while the affine maps
 * (read off d + 1 evaluations of the norms' arguments) let a cheap model of the
 * claim be maximised over the read-out's whole box.
 *
 * The model only proposes: the proposal is then judged like every other point
 * (./points.ts), so a wrong model (a loss not affine in its read-out: checked
 * at one more read-out, and then no model is used) costs a step, never a verdict.
 */
import type { Claim, Relation } from '../derivation/derivation.js';
import { InputError } from '../derivation/errors.js';
import type { IntEnv } from '../ir/affine.js';
import { type Expr, walk } from '../ir/expr.js';
import { specOf } from '../ops/index.js';
import { NORM_KIND, normOf } from '../ops/reductions.js';
import type { InstanceSpace, MutableData } from '../numeric/adversarial.js';
import { DomainError, type Evaluator } from '../numeric/evaluate.js';
import type { Rng } from '../numeric/prng.js';
import { lostPrecisionOf, noteLostPrecision } from '../numeric/lost-digits.js';
import { asDense, dense, type Dense } from '../numeric/values.js';

/**
 * How close the sides come to violating the bound x ≤ y (x: the side that must be smaller): the excess
 * x − y relative to max(|y|, x⁺). Positive exactly when the comparison (./compare.ts, relative to
 * max(|x|, |y|)) sees an excess, and unlike that one it keeps rising with x when x is negative: a lower
 * bound written as a difference (‖path‖ − ‖rest‖) is often negative, and the comparison's measure would
 * reward making it more negative still, away from a violation.
 */
export function closenessOfSides(lhs: number, rhs: number, relation: Relation): number {
  // (no destructuring: a search calls this thousands of times)
  const x = relation === '<=' ? lhs : rhs;
  const y = relation === '<=' ? rhs : lhs;
  const scale = Math.max(Math.abs(y), Math.max(x, 0));
  return scale === 0 ? 0 : (x - y) / scale;
}

/** A claim side as a function of the read-out. */
type Shape =
  /** independent of the read-out: evaluated once per instance */
  | { readonly kind: 'fixed'; readonly expr: Expr }
  /** a value affine in the read-out (a leaf of the model; its norm is taken by the parent) */
  | { readonly kind: 'affine'; readonly expr: Expr; readonly leaf: number }
  | { readonly kind: 'norm'; readonly which: Parameters<typeof normOf>[1]; readonly arg: Shape }
  | { readonly kind: 'arith'; readonly op: string; readonly args: readonly Shape[] };

/** The scalar arithmetic a side may do over the norms (operator id → its function). */
const ARITH: ReadonlyMap<string, (...xs: number[]) => number> = new Map([
  ['add', (a: number, b: number) => a + b],
  ['sub', (a: number, b: number) => a - b],
  ['mul', (a: number, b: number) => a * b],
  ['div', (a: number, b: number) => a / b],
  ['pow', (a: number, b: number) => a ** b],
  ['neg', (a: number) => -a],
  ['abs', (a: number) => Math.abs(a)],
  ['sqrt', (a: number) => Math.sqrt(a)],
] as [string, (...xs: number[]) => number][]);

/** Operators that keep a value affine in the read-out when their other arguments do not depend on it. */
const LINEAR = new Set(['transpose', 'neg', 'add', 'sub', 'mul', 'emul', 'diag']);

/** The claim's structure over the read-out, or null when a side is not scalar arithmetic over norms of affine values. */
export class ReadoutModelShape {
  private constructor(
    readonly lhs: Shape,
    readonly rhs: Shape,
    readonly leaves: readonly Expr[],
  ) {}

  static of(claim: Claim, lossName: string | null, readouts: ReadonlySet<string>): ReadoutModelShape | null {
    if (claim.relation === '=' || !readouts.size) return null;
    const depends = (e: Expr): boolean => {
      let found = false;
      walk(e, (x) => {
        if (x.kind === 'sym' && (readouts.has(x.name) || x.name === lossName)) found = true;
        if (x.kind === 'op' && specOf(x).graphDerivative) {
          const of = x.args[0]!;
          if (of.kind === 'sym' && of.name === lossName) found = true;
        }
      });
      return found;
    };
    const leaves: Expr[] = [];
    let ok = true;
    // An affine value: every operator from it down to the loss's derivatives keeps affinity.
    const affine = (e: Expr): boolean => {
      if (!depends(e)) return true;
      if (e.kind === 'sym') return true;
      if (e.kind !== 'op') return false;
      if (specOf(e).graphDerivative) return true;
      if (!LINEAR.has(e.op)) return false;
      const moving = e.args.filter(depends);
      return (e.op === 'add' || e.op === 'sub' || moving.length === 1) && moving.every(affine);
    };
    const shape = (e: Expr): Shape => {
      if (!depends(e)) return { kind: 'fixed', expr: e };
      if (e.kind === 'op') {
        const which = NORM_KIND.get(e.op);
        if (which && affine(e.args[0]!)) {
          leaves.push(e.args[0]!);
          return { kind: 'norm', which, arg: { kind: 'affine', expr: e.args[0]!, leaf: leaves.length - 1 } };
        }
      }
      if (affine(e)) {
        leaves.push(e);
        return { kind: 'affine', expr: e, leaf: leaves.length - 1 };
      }
      if (e.kind === 'op' && ARITH.get(e.op)?.length === e.args.length)
        return { kind: 'arith', op: e.op, args: e.args.map(shape) };
      ok = false;
      return { kind: 'fixed', expr: e };
    };
    const [lhs, rhs] = [shape(claim.lhs), shape(claim.rhs)];
    return ok && leaves.length ? new ReadoutModelShape(lhs, rhs, leaves) : null;
  }
}

/** One coordinate of the read-out: an entry of a read-out block. */
interface Coordinate {
  readonly block: InstanceSpace['readouts'][number];
  readonly entry: number;
}

/** Relative mismatch above which the claim is not taken to be affine in its read-out. */
const AFFINE_CHECK = 1e-7;
/** Random read-outs the model is tried at, and rounds of the pattern search from the best few. */
const SAMPLES = 32;
const REFINED = 3;
const PATTERN_ROUNDS = 20;

/**
 * The read-out that brings the claim closest to failing on `data` (every block but the read-outs kept),
 * by the model above; null when the model cannot be built (or the claim is not affine in the read-out).
 * Costs d + 1 evaluations of the norms' arguments, each at every binding (one more while `affinity` is
 * not yet checked on this path); `evaluatorFor`'s graphs may share one forward pass (src/check/search.ts).
 */
export function solveReadout(
  shape: ReadoutModelShape,
  claim: Claim,
  space: InstanceSpace,
  data: MutableData,
  envs: readonly IntEnv[],
  evaluatorFor: (data: MutableData) => Evaluator,
  rng: Rng,
  affinity: { checked: boolean },
): MutableData | null {
  const coords: Coordinate[] = space.readouts.flatMap((block) =>
    Array.from({ length: block.rows * block.cols }, (_, entry) => ({ block, entry })),
  );
  const n = coords.length;
  const read = (d: MutableData) => coords.map((c) => space.values(d, c.block)[c.entry]!);
  const withReadout = (r: readonly number[]): MutableData => {
    const d = space.copy(data);
    coords.forEach((c, i) => (space.values(d, c.block)[c.entry] = r[i]!));
    return d;
  };
  const base = read(data);
  const steps = coords.map((c) => c.block.law.std || 1);

  // The leaves' values at the base read-out and one step along each coordinate, at every binding.
  const leafValues = (ev: Evaluator): Dense[][] =>
    envs.map((env) => shape.leaves.map((e) => asDense(ev.evaluate(e, env))));
  let at0: Dense[][];
  let fixed: Map<Expr, number>[];
  const slopes: Dense[][][] = [];
  try {
    const ev0 = evaluatorFor(data);
    at0 = leafValues(ev0);
    const scalars = envs.map((env) => fixedValues(shape, ev0, env));
    if (scalars.some((m) => m === null)) return null;
    fixed = scalars as Map<Expr, number>[];
    for (let i = 0; i < n; i++) {
      const r = base.slice();
      r[i]! += steps[i]!;
      const moved = leafValues(evaluatorFor(withReadout(r)));
      slopes.push(moved.map((vals, b) => vals.map((v, l) => minus(v, at0[b]![l]!, 1 / steps[i]!))));
    }
  } catch (err) {
    if (err instanceof DomainError || err instanceof InputError) return null;
    throw err;
  }
  // The model is evaluated thousands of times per solve: each leaf's prediction is written into a buffer of its
  // own (a fitness reads every leaf once, and its norm is taken before the next fitness overwrites it).
  const predicted: Dense[][] = at0.map((leaves) =>
    leaves.map((v) => ({ kind: 'dense', rows: v.rows, cols: v.cols, data: new Float64Array(v.data.length) })),
  );
  const predict = (r: readonly number[], b: number, l: number): Dense => {
    const out = predicted[b]![l]!.data;
    out.set(at0[b]![l]!.data);
    for (let i = 0; i < n; i++) {
      const delta = r[i]! - base[i]!;
      if (delta === 0) continue;
      const s = slopes[i]![b]![l]!.data;
      for (let k = 0; k < out.length; k++) out[k]! += delta * s[k]!;
    }
    // As every value does (values.ts's dense()): its subnormal entries are noted.
    noteLostPrecision(lostPrecisionOf(out));
    return predicted[b]![l]!;
  };
  const box = coords.map((c) => space.range(c.block));
  const uniformIn = () => box.map(([lo, hi]) => lo + (hi - lo) * rng.uniform());

  // Affine? One more read-out, predicted against evaluated (once per path: whether the loss is affine in
  // its read-out is a property of the model, not of the weights).
  const probe = uniformIn();
  if (!affinity.checked) {
    let probed: Dense[][];
    try {
      probed = leafValues(evaluatorFor(withReadout(probe)));
    } catch (err) {
      if (err instanceof DomainError || err instanceof InputError) return null;
      throw err;
    }
    for (let b = 0; b < envs.length; b++)
      for (let l = 0; l < shape.leaves.length; l++) {
        const [want, got] = [probed[b]![l]!.data, predict(probe, b, l).data];
        let [diff, size] = [0, 0];
        for (let k = 0; k < want.length; k++) {
          diff = Math.max(diff, Math.abs(want[k]! - got[k]!));
          size = Math.max(size, Math.abs(want[k]!));
        }
        if (!(diff <= AFFINE_CHECK * size)) return null;
      }
    affinity.checked = true;
  }

  const fitness = (r: readonly number[]): number => {
    let best = -Infinity;
    for (let b = 0; b < envs.length; b++) {
      const c = closenessOfSides(
        valueOf(shape.lhs, fixed[b]!, predict, r, b),
        valueOf(shape.rhs, fixed[b]!, predict, r, b),
        claim.relation,
      );
      if (c > best) best = c;
    }
    return Number.isNaN(best) ? -Infinity : best;
  };

  // Random read-outs in the box, then a pattern search (step halving) from the best few. The loops allocate
  // nothing per move but the move itself (no destructuring, which runs the iterator protocol): thousands per solve.
  const tried = [base, probe, ...Array.from({ length: SAMPLES }, uniformIn)].map((r) => ({ r, f: fitness(r) }));
  tried.sort((a, b) => b.f - a.f);
  let best = tried[0]!;
  for (const start of tried.slice(0, REFINED)) {
    let cur = start;
    let step = 0.25;
    for (let round = 0; round < PATTERN_ROUNDS && step > 1e-4; round++) {
      let moved = false;
      for (let i = 0; i < n; i++)
        for (let sign = 1; sign >= -1; sign -= 2) {
          const lo = box[i]![0];
          const hi = box[i]![1];
          const to = Math.min(hi, Math.max(lo, cur.r[i]! + sign * step * (hi - lo)));
          // Clipped back onto the point itself (at the box's edge: one move in twelve): its fitness is cur.f.
          if (Object.is(to, cur.r[i])) continue;
          const r = cur.r.slice();
          r[i] = to;
          const f = fitness(r);
          if (f > cur.f) {
            cur = { r, f };
            moved = true;
          }
        }
      if (!moved) step /= 2;
    }
    if (cur.f > best.f) best = cur;
  }
  return best.f > -Infinity ? withReadout(best.r) : null;
}

function minus(a: Dense, b: Dense, scale: number): Dense {
  const out = new Float64Array(a.data.length);
  for (let k = 0; k < out.length; k++) out[k] = (a.data[k]! - b.data[k]!) * scale;
  return dense(a.rows, a.cols, out);
}

/** The read-out-independent scalars of a side, evaluated once per binding. */
function fixedValues(shape: ReadoutModelShape, ev: Evaluator, env: IntEnv): Map<Expr, number> | null {
  const out = new Map<Expr, number>();
  let scalars = true;
  const visit = (s: Shape): void => {
    if (s.kind === 'fixed') {
      const v = asDense(ev.evaluate(s.expr, env));
      scalars &&= v.data.length === 1;
      out.set(s.expr, v.data[0]!);
    } else if (s.kind === 'norm') visit(s.arg);
    else if (s.kind === 'arith') s.args.forEach(visit);
  };
  visit(shape.lhs);
  visit(shape.rhs);
  return scalars ? out : null;
}

/** A side's value at read-out r and binding b, its leaves predicted (`leaf(r, b, l)`: no closure per fitness). */
function valueOf(
  s: Shape,
  fixed: Map<Expr, number>,
  leaf: (r: readonly number[], b: number, l: number) => Dense,
  r: readonly number[],
  b: number,
): number {
  switch (s.kind) {
    case 'fixed':
      return fixed.get(s.expr)!;
    case 'affine':
      return leaf(r, b, s.leaf).data[0]!;
    case 'norm':
      return s.arg.kind === 'affine' ? normOf(leaf(r, b, s.arg.leaf), s.which) : NaN;
    case 'arith': {
      const f = ARITH.get(s.op)!;
      const x = s.args[0]!;
      const y = s.args[1];
      return y === undefined
        ? f(valueOf(x, fixed, leaf, r, b))
        : f(valueOf(x, fixed, leaf, r, b), valueOf(y, fixed, leaf, r, b));
    }
  }
}
