/**
 * Scalar functions of one real variable, compiled from the IR into closures
 * (never eval): the bodies of user-declared activations, their derivatives,
 * and sups. Only numbers, the variable and operators with a scalar rule
 * (arithmetic, activations) are allowed — what a scalar function is built from.
 */
import { walk, type Expr, type OpNode } from './expr.js';
import { specOf } from '../ops/index.js';
import { conditionOf, type ElementwiseRule } from '../ops/elementwise.js';
import { addedLoss, cancellationOf, lostPrecisionOf, magnifiedLoss } from '../numeric/lost-digits.js';
import { exponentMagnification, powerLoss } from '../ops/arithmetic.js';
import { chargeWork } from '../numeric/work-meter.js';

export type ScalarFn = (x: number) => number;

/** An operator's scalar rule, its declared functions looked up in `user`; a plain Error where it has none. */
function scalarRule(e: OpNode, user: ReadonlyMap<string, ElementwiseRule>): (...args: number[]) => number {
  const spec = specOf(e);
  if (!spec.scalar) throw new Error(`${e.op} is not allowed in a scalar function`);
  return spec.scalar(e, (name: string) => {
    const rule = user.get(name);
    if (!rule) throw new Error(`unknown function ${name}`);
    return rule;
  });
}

/** Throws a plain Error naming the construct when the body is not a scalar function of `variable`. */
export function compileScalar(
  e: Expr,
  variable: string,
  user: ReadonlyMap<string, ElementwiseRule> = new Map(),
): ScalarFn {
  switch (e.kind) {
    case 'num':
      return () => e.value;
    case 'rvar':
      if (e.name !== variable) throw new Error(`unknown variable ${e.name}`);
      return (x) => x;
    case 'sym':
    case 'seq':
    case 'ivar':
      throw new Error(
        `${e.kind === 'ivar' ? 'an integer variable' : `'${e.name}'`} is not allowed in a scalar function`,
      );
    case 'op': {
      const f = scalarRule(e, user);
      const args = e.args.map((a) => compileScalar(a, variable, user));
      if (args.length === 1) {
        const [a] = args as [ScalarFn];
        return (x) => f(a(x));
      }
      if (args.length === 2) {
        const [a, b] = args as [ScalarFn, ScalarFn];
        return (x) => f(a(x), b(x));
      }
      return (x) => f(...args.map((a) => a(x)));
    }
  }
}

/**
 * What float64 loses evaluating a scalar function at x: the worst relative precision a sum in its body leaves
 * after cancellation (src/numeric/lost-digits.ts, cancellationOf; 1 − tanh(14) keeps 13 bits of 53), a subnormal
 * value on the way, and what the declared functions it calls lose in their own bodies (0: nothing noted), carried
 * up the body as the claim evaluator carries it (the worst on the way; a product the sum of its operands'; a power
 * beyond a square |k| times its base's, as ops/arithmetic.ts notePowerLoss). The same operations as `compileScalar`'s function, in the same order, so
 * the sums watched are the ones its value came from.
 */
export function compileScalarLoss(
  e: Expr,
  variable: string,
  user: ReadonlyMap<string, ElementwiseRule> = new Map(),
): (x: number) => number {
  // the loss of the subtree evaluated last: each closure sets it after its children's, which its parent reads
  let last = 0;
  const one = new Float64Array(1);
  const subnormal = (r: number) => {
    one[0] = r;
    return lostPrecisionOf(one);
  };
  const go = (x: Expr): ScalarFn => {
    if (x.kind !== 'op') {
      const leaf = compileScalar(x, variable, user);
      return (t) => {
        last = 0;
        return leaf(t);
      };
    }
    const f = scalarRule(x, user);
    const args = x.args.map(go);
    const sum = x.op === 'add' || x.op === 'sub';
    const power = x.op === 'pow' || x.op === 'epow';
    // a product's or a quotient's operands' figures add, as their relative errors do (lost-digits.ts addedLoss)
    const product = x.op === 'mul' || x.op === 'emul' || x.op === 'div' || x.op === 'ediv';
    const declared = x.name ? user.get(x.name) : undefined;
    if (args.length === 1) {
      const [a] = args as [ScalarFn];
      // a declared function's body; what the argument lost, magnified by the function's condition number (log near 1
      // magnifies the argument's rounding alone too)
      const ownLoss = declared?.lostAt;
      const rule = declared ?? specOf(x).activation?.rule(x, (name) => user.get(name)!);
      return (t) => {
        const v = a(t);
        const below = last;
        const r = f(v);
        const magnified = rule && (below > 0 || rule.magnification) ? magnifiedLoss(conditionOf(rule, v, r), below) : 0;
        last = Math.max(below, ownLoss ? ownLoss(v) : 0, magnified, subnormal(r));
        return r;
      };
    }
    if (args.length === 2) {
      const [a, b] = args as [ScalarFn, ScalarFn];
      return (t) => {
        const u = a(t);
        const lu = last;
        const v = b(t);
        const lv = last;
        const r = f(u, v);
        // a power magnifies its base's lost digits |k| times and its exponent's |k·ln u| times, a sum that cancels both
        // operands' (|u| + |v|)/|r| times
        const carried = power
          ? Math.max(lu, powerLoss(v, lu), lv > 0 ? magnifiedLoss(exponentMagnification(u, v), lv) : 0)
          : sum && (lu > 0 || lv > 0)
            ? Math.max(lu, magnifiedLoss((Math.abs(u) + Math.abs(v)) / Math.abs(r), Math.max(lu, lv)))
            : product
              ? addedLoss(lu, lv)
              : lu;
        last = Math.max(carried, lv, sum ? cancellationOf(u, v, r) : subnormal(r));
        return r;
      };
    }
    return (t) => {
      let below = 0;
      const values = args.map((a) => {
        const v = a(t);
        below = Math.max(below, last);
        return v;
      });
      const r = f(...values);
      last = Math.max(below, subnormal(r));
      return r;
    };
  };
  const body = go(e);
  return (x) => {
    body(x);
    return last;
  };
}

/**
 * Work units (src/numeric/work-meter.ts, ≈ 5 ns each overall) one node of a compiled body costs a call: measured
 * ≈ 10 ns a node for the value's closures and ≈ 17 ns for the lost-digit watch's (compileScalarLoss), tanh bodies
 * of 10 to 1000 terms.
 */
export const VALUE_UNITS_PER_NODE = 2;
export const LOSS_UNITS_PER_NODE = 4;

/** What one call of each of a declared function's four closures costs, its callees' calls included. */
export interface ScalarCosts {
  readonly value: number;
  readonly derivative: number;
  readonly lost: number;
  readonly derivativeLost: number;
}

/** The nodes of a body and the declared functions it calls, once per call site. */
function bodyShape(e: Expr, declared: (name: string) => ScalarCosts | undefined) {
  let nodes = 0;
  const calls: ScalarCosts[] = [];
  walk(e, (x) => {
    nodes++;
    const callee = x.kind === 'op' && x.name ? declared(x.name) : undefined;
    if (callee) calls.push(callee);
  });
  return { nodes, calls };
}

/**
 * A declared function's costs per call, from its bodies and its callees' costs (computed once, at load, so a chain
 * of functions each calling the one before four times is a number here, not 4¹⁰ calls). The value's and the
 * derivative's closures call their callees' values; a lost-digit watch calls each callee's value, its own watch and
 * its derivative (the callee's condition number, conditionOf). The value's and the derivative's are exactly what the
 * metered closures (meteredRule) charge together over one call; the watches' are at most that (a callee's condition
 * number is read only where digits were lost below it).
 */
export function declaredCosts(
  value: Expr,
  derivative: Expr,
  declared: (name: string) => ScalarCosts | undefined,
): ScalarCosts {
  const [v, d] = [bodyShape(value, declared), bodyShape(derivative, declared)];
  const sum = (calls: ScalarCosts[], of: (c: ScalarCosts) => number) => calls.reduce((n, c) => n + of(c), 0);
  const watched = (c: ScalarCosts) => c.value + c.lost + c.derivative;
  return {
    value: VALUE_UNITS_PER_NODE * v.nodes + sum(v.calls, (c) => c.value),
    derivative: VALUE_UNITS_PER_NODE * d.nodes + sum(d.calls, (c) => c.value),
    lost: LOSS_UNITS_PER_NODE * v.nodes + sum(v.calls, watched),
    derivativeLost: LOSS_UNITS_PER_NODE * d.nodes + sum(d.calls, watched),
  };
}

/** The nodes of a scalar body: what one call of its compiled closures walks (VALUE_UNITS_PER_NODE each). */
export const bodyNodes = (e: Expr): number => bodyShape(e, () => undefined).nodes;

/**
 * A compiled scalar function that charges the work meter `units` a call: a claim's scalar body (a `supabs` searched
 * over thousands of points, once per repair candidate that edits it) was computed uncharged, and its search ran past
 * the work limit unseen (a review's: 318 s CPU with --work-limit 1e9).
 */
export function meteredScalar<A extends unknown[]>(fn: (...args: A) => number, units: number): (...args: A) => number {
  return (...args: A) => {
    chargeWork(units);
    return fn(...args);
  };
}

/**
 * A declared function's rule whose closures charge the work meter for their own bodies' nodes as they are called
 * (the callees they call charge for theirs): every kernel and engine that applies the rule is then counted, however
 * deep the calls nest — the forward pass is otherwise charged by the equation's shape, one unit an entry.
 */
export function meteredRule(
  rule: ElementwiseRule & Required<Pick<ElementwiseRule, 'lostAt' | 'derivativeLost'>>,
  value: Expr,
  derivative: Expr,
): ElementwiseRule {
  const [v, d] = [bodyNodes(value), bodyNodes(derivative)];
  return {
    ...rule,
    value: meteredScalar(rule.value, VALUE_UNITS_PER_NODE * v),
    derivative: meteredScalar(rule.derivative, VALUE_UNITS_PER_NODE * d),
    lostAt: meteredScalar(rule.lostAt, LOSS_UNITS_PER_NODE * v),
    derivativeLost: meteredScalar(rule.derivativeLost, LOSS_UNITS_PER_NODE * d),
  };
}
