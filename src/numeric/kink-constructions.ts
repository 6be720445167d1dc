/**
 * Every kink argument at a kink away from 0, and just beside it, for the adversarial search's constructions
 * (./adversarial.ts): a hard tanh max(−1, min(1, z)) kinks at z = ±1, a ReLU6 min(6, max(0, z)) at 6, a shifted ReLU
 * max(0.5, z) at 0.5, a step(z − 0.5) at 0.5. Every other construction puts the drives at 0 (`peak`), the kink of a
 * ReLU; a claim false only where a unit sits just inside or just past a kink elsewhere — a hard-tanh Jacobian that keeps
 * slope 1 up to |z| < 1.01, or drops it from |z| > 0.99; a bound false only with a unit just below a clip — held on
 * every instance the search tried at some seeds and was refuted at others (review162; test/check/kink-constructions.test.ts).
 *
 * Beyond the regimes (inside, a bias stays within ±0.4, too little to reach a level of 1 or 6 against W h): from `peak`
 * (the drives, the initial states and the inputs at 0; the recurrent matrices as the start has them), each kink's
 * argument set by its bias to the level at step 1, the initial states then moved to where step 1 takes them (`stateAt`),
 * the argument set at step 1 again (then every step repeats the first) and at step T last (KINK_PASSES): at the level,
 * KINK_OFFSETS·(1 + |level|) above it and as far below. At the level itself the sweeps take ½, a convention: the search's
 * nudges (src/check/search.ts violationNearby) then look on both sides; the offsets are on each side already.
 *
 * A kink is a max or min with a constant operand (the kink where the other operand, with any constant clip inside it
 * taken off, meets the constant), or |e| or step(e) of e = a − c, c − a or a + c, in an equation or in the body of a
 * function it calls (then at the call's argument); its argument must add one bias (in it, or in the equation of an
 * intermediate it is), which moves it. Levels of 0 are left to `peak`. None for a model without
 * such a kink: no other model's search moves.
 */
import type { Expr } from '../ir/expr.js';
import { isOp, walk } from '../ir/expr.js';
import { printExpr } from '../ir/print.js';
import type { Model } from '../model/model.js';
import { argumentOf } from './steepest-constructions.js';
import type { Vec } from './kernel.js';
import type { InstanceData } from './unrolled.js';
import { type Block, biasesOf, type Construction, type InstanceSpace, peak, type StateAt } from './adversarial.js';

/** A kink argument's value at step t on instance data (the model's forward pass); null where there is none. */
export type KinkArgument = (data: InstanceData, argument: Expr, t: number) => Vec | null;

/** Where a model's equation kinks: its argument at `level`, and the bias that moves the argument. */
interface KinkSite {
  readonly target: string;
  /** the operand the kink compares, in the equation's time (t) */
  readonly argument: Expr;
  readonly level: number;
  readonly lever: Block;
  readonly sign: 1 | -1;
}

/**
 * How far beside a kink the offset constructions put its argument, relative to 1 + |level|, each way: 1e-3 first (the
 * argument's own cancellation, |a| − 0.5 at 0.5015, then loses 3 digits: an LSTM candidate max(0, |a| − 0.5) with its
 * slope kept to |a| > 0.51 was violated only where float64 could not vouch for it, at 1e-6 alone; review163), then 1e-6
 * (a band narrower than 1e-3 beside the kink).
 */
export const KINK_OFFSETS = [1e-3, 1e-6] as const;
/**
 * Passes solving the bias: at step 1 from the initial states at 0, then (the states moved to where step 1 took them)
 * at step 1 again, where every step then repeats the first (h_0 = φ(level) gives z_1 = level and h_1 = h_0), and at step
 * T last, for a model whose steps do not repeat so (a cell whose state accumulates).
 */
const KINK_PASSES = 3;
/** The kink itself, then each offset above and below it. */
const OFFSETS: readonly number[] = [0, ...KINK_OFFSETS.flatMap((o) => [o, -o])];

/** A constant operand's value (a number, or its negation); null for anything else. */
function constantOf(e: Expr): number | null {
  if (e.kind === 'num') return e.value;
  if (isOp(e, 'neg') && e.args[0]!.kind === 'num') return -e.args[0]!.value;
  return null;
}

/** e as a·core + c, core one expression that is no sum, difference, negation or constant multiple (null: e is constant). */
interface Linear {
  readonly core: Expr | null;
  readonly a: number;
  readonly c: number;
}

/** e as a·core + c for a single core (two cores alike by their text), or null where e mixes two different ones. */
function linear(e: Expr): Linear | null {
  const k = constantOf(e);
  if (k !== null) return { core: null, a: 0, c: k };
  if (e.kind === 'op' && e.op === 'neg' && e.args.length === 1) {
    const x = linear(e.args[0]!);
    return x && { core: x.core, a: -x.a, c: -x.c };
  }
  if (e.kind === 'op' && e.args.length === 2 && (e.op === 'add' || e.op === 'sub' || e.op === 'mul')) {
    const [x, y] = [linear(e.args[0]!), linear(e.args[1]!)];
    if (!x || !y) return null;
    if (e.op === 'mul') {
      if (x.core === null) return { core: y.core, a: x.c * y.a, c: x.c * y.c };
      if (y.core === null) return { core: x.core, a: y.c * x.a, c: y.c * x.c };
      return { core: e, a: 1, c: 0 };
    }
    const sign = e.op === 'add' ? 1 : -1;
    if (x.core !== null && y.core !== null && printExpr(x.core) !== printExpr(y.core)) return { core: e, a: 1, c: 0 };
    return { core: x.core ?? y.core, a: x.a + sign * y.a, c: x.c + sign * y.c };
  }
  return { core: e, a: 1, c: 0 };
}

/** Whether two numbers are equal up to rounding (a kink's level read back through its own operands). */
const sameLevel = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-12 * (1 + Math.abs(y));

/**
 * Where e equals `level`, as the innermost operand that gets there and the value it has there: through a constant added,
 * subtracted or multiplied and a negation (e as a·core + c), |·| (both signs), a constant clip inside (ReLU6's max(0, z)
 * at 6: z at 6), and a max or min of two affine forms of one expression (a leaky ReLU's max(0.1 z, z) at 3: z at 3; at
 * −3: z at −30). Past anything else, e itself at the level.
 */
function solved(e: Expr, level: number, depth = 0): { operand: Expr; level: number }[] {
  if (depth > MAX_PEEL) return [{ operand: e, level }];
  const form = linear(e);
  if (!form || form.core === null) return form ? [] : [{ operand: e, level }];
  if (form.core !== e) return form.a === 0 ? [] : solved(form.core, (level - form.c) / form.a, depth + 1);
  if (e.kind !== 'op') return [{ operand: e, level }];
  const next = (x: Expr, at: number) => solved(x, at, depth + 1);
  if ((e.op === 'max2' || e.op === 'min2') && e.args.length === 2) {
    const [a, b] = e.args as [Expr, Expr];
    const [ca, cb] = [constantOf(a), constantOf(b)];
    if (ca !== null && cb === null) return next(b, level);
    if (cb !== null && ca === null) return next(a, level);
    const [p, q] = [linear(a), linear(b)];
    if (!p?.core || !q?.core || printExpr(p.core) !== printExpr(q.core)) return [{ operand: e, level }];
    // the value of the common expression where the max or min is at the level: the candidate the pick keeps
    const pick = e.op === 'max2' ? Math.max : Math.min;
    const at = (f: Linear, v: number) => f.a * v + f.c;
    const inner = [p, q]
      .filter((f) => f.a !== 0)
      .map((f) => (level - f.c) / f.a)
      .find((v) => sameLevel(pick(at(p, v), at(q, v)), level));
    return inner === undefined ? [{ operand: e, level }] : next(p.core, inner);
  }
  if (e.op === 'abs' && e.args.length === 1)
    return level > 0
      ? [...next(e.args[0]!, level), ...next(e.args[0]!, -level)]
      : level === 0
        ? next(e.args[0]!, 0)
        : [];
  return [{ operand: e, level }];
}
/** How many layers `solved` peels (a constant clip, a shift, a scale, |·|): the equations' depth, in practice. */
const MAX_PEEL = 16;

/**
 * The (operand, level) pairs where a kink operator kinks: max(c, e) where e = c; max(p, q) of two affine forms of one
 * expression where they cross (max(0.5 z + 0.5, z) at z = 1, min(z, 2 − z) at z = 1); |e| and step(e) where e = 0.
 */
function kinksOf(x: Expr): { operand: Expr; level: number }[] {
  if ((isOp(x, 'max2') || isOp(x, 'min2')) && x.args.length === 2) {
    const [a, b] = x.args as [Expr, Expr];
    const [ca, cb] = [constantOf(a), constantOf(b)];
    if (ca !== null && cb === null) return solved(b, ca);
    if (cb !== null && ca === null) return solved(a, cb);
    const [p, q] = [linear(a), linear(b)];
    if (!p?.core || !q?.core || p.a === q.a || printExpr(p.core) !== printExpr(q.core)) return [];
    return solved(p.core, (q.c - p.c) / (p.a - q.a));
  }
  if ((isOp(x, 'abs') || isOp(x, 'step')) && x.args.length === 1) return solved(x.args[0]!, 0);
  return [];
}

/**
 * The model's kinks away from 0 whose argument a bias moves, one per bias and level (the first met): in its equations,
 * and in the functions they call (`functions:`), a kink of the function's variable at the call's argument.
 */
function kinkSites(model: Model, space: InstanceSpace): KinkSite[] {
  const sites: KinkSite[] = [];
  const seen = new Set<string>();
  const add = (target: string, operand: Expr, level: number) => {
    if (level === 0 || !Number.isFinite(level)) return;
    const biases = biasesOf(argumentOf(model, operand), space.blocks);
    if (biases.length !== 1) return;
    const key = `${biases[0]!.lever.name} ${level}`;
    if (seen.has(key)) return;
    seen.add(key);
    sites.push({ target, argument: operand, level, ...biases[0]! });
  };
  for (const eq of model.equations)
    walk(eq.rhs, (x) => {
      for (const { operand, level } of kinksOf(x)) add(eq.target, operand, level);
      if (x.kind !== 'op' || x.op !== 'ufn' || x.name === null || x.args.length !== 1) return;
      const called = model.functions.get(x.name);
      if (called)
        walk(called.value, (y) => {
          for (const { operand, level } of kinksOf(y))
            if (operand.kind === 'rvar' && operand.name === called.variable) add(eq.target, x.args[0]!, level);
        });
    });
  return sites;
}

/** The kink levels, each with its sites (the biases that set them), beyond the regimes; none inside them. */
function levels(model: Model, space: InstanceSpace): Map<number, KinkSite[]> {
  const byLevel = new Map<number, KinkSite[]>();
  if (space.domain !== 'beyond') return byLevel;
  for (const s of kinkSites(model, space)) byLevel.set(s.level, [...(byLevel.get(s.level) ?? []), s]);
  return byLevel;
}

/** How many constructions kinkConstructions builds from a start of this space: the same for every start. */
export const kinkConstructionCount = (model: Model, space: InstanceSpace): number =>
  levels(model, space).size * OFFSETS.length;

/** The constructions from a start (beyond the regimes, for a model with a kink away from 0). */
export function kinkConstructions(
  model: Model,
  space: InstanceSpace,
  start: InstanceData,
  argumentAt: KinkArgument,
  stateAt: StateAt,
): Construction[] {
  const states = space.blocks.filter((b) => b.role === 'state');
  return [...levels(model, space)].flatMap(([level, sites]) =>
    OFFSETS.map((side) => {
      const target = level + side * (1 + Math.abs(level));
      const data = space.copy(start);
      peak(space, data);
      for (let pass = 0; pass < KINK_PASSES; pass++) {
        for (const s of sites) {
          const z = argumentAt(data, s.argument, pass < KINK_PASSES - 1 ? 1 : space.horizon);
          const lever = space.values(data, s.lever);
          if (!z || z.length !== lever.length) continue;
          for (let i = 0; i < z.length; i++) lever[i]! -= s.sign * (z[i]! - target);
        }
        // then the initial states where step 1 takes them, so that the steps before T are much like T
        if (pass === 0)
          for (const b of states) {
            const v = stateAt(data, b.name, 1);
            if (v && v.length === b.rows * b.cols) space.values(data, b).set(v);
          }
      }
      const where = sites.map((s) => s.target).join(', ');
      const beside = side === 0 ? '' : `, just ${side > 0 ? 'above' : 'below'} it (${target})`;
      return {
        name: `every unit at the kink of ${where} where its argument is ${level}${beside}`,
        data: space.projected(data) ?? space.copy(start),
      };
    }),
  );
}
