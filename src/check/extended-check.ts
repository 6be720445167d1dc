/**
 * A second look, in extended precision, at points float64 cannot decide: a
 * point that overflowed or underflowed (trouble) and a violation within
 * rounding distance of the tolerance (cancellation between terms of norm 1
 * leaves differences of 1e-9). Both sides are evaluated again from the same
 * instance with 40 significant digits and an unbounded exponent
 * (src/symbolic/domains/extended.ts); the point counts as trouble only if
 * that fails too, and a violation visible only beyond float64's range
 * refutes with the decimal values shown.
 */
import type { Claim } from '../derivation/derivation.js';
import type { Model } from '../model/model.js';
import type { IntEnv } from '../ir/affine.js';
import { type Expr, mapChildren } from '../ir/expr.js';
import { affine } from '../ir/affine.js';
import { DomainError, type Evaluator } from '../numeric/evaluate.js';
import type { Instance } from '../numeric/instance.js';
import { norm2 } from '../numeric/linalg.js';
import { asDense } from '../numeric/values.js';
import { isGraphDerivative, SymbolicModel, substituteDerivationsAt } from '../symbolic/derive.js';
import { substituteIndex } from '../symbolic/build.js';
import { type Big, BigDecimal, ExtendedInstance } from '../symbolic/domains/extended.js';
import type { RMat } from '../symbolic/ring.js';
import { SymbolicUnsupported } from '../symbolic/unsupported.js';
import { type PointOutcome, UNDERFLOW } from './compare.js';

export const EXTENDED_DIGITS = 40;

/** Violations below this relative error (or 100× the tolerance) are within reach of rounding: look again. */
export const NEAR_TOLERANCE = 1e-4;

export function needsExtendedLook(outcome: PointOutcome, tolerance: number): boolean {
  if (outcome.status === 'trouble') return true;
  return outcome.status === 'violate' && outcome.relError <= Math.max(NEAR_TOLERANCE, 100 * tolerance);
}

const models = new WeakMap<Model, SymbolicModel>();
const instances = new WeakMap<Instance, ExtendedInstance>();

function symbolicModel(model: Model): SymbolicModel {
  let sm = models.get(model);
  if (!sm) {
    sm = new SymbolicModel(model);
    models.set(model, sm);
  }
  return sm;
}

/** Every derivative replaced by its closed form at this binding where it has one; the others stay, with concrete times (the float engine supplies them). */
function closedFormsWherePossible(e: Expr, sm: SymbolicModel, env: IntEnv): Expr {
  const go = (x: Expr): Expr => {
    if (!isGraphDerivative(x)) return mapChildren(x, go);
    try {
      return substituteDerivationsAt(x, sm, env);
    } catch (err) {
      if (!(err instanceof SymbolicUnsupported)) throw err;
      return Object.entries(env).reduce((acc, [name, value]) => substituteIndex(acc, name, affine(value)), x as Expr);
    }
  };
  return go(e);
}

function extendedOf(instance: Instance, evaluator: Evaluator, sm: SymbolicModel): ExtendedInstance {
  let ext = instances.get(instance);
  if (!ext) {
    const floatValue = (e: Expr, env: IntEnv): Float64Array | null => {
      try {
        const v = asDense(evaluator.evaluate(e, env)).data;
        const size = norm2(v);
        return v.every(Number.isFinite) && (size === 0 || size > UNDERFLOW) ? v : null;
      } catch (err) {
        if (err instanceof DomainError) return null;
        throw err;
      }
    };
    ext = new ExtendedInstance(
      instance.graph.model,
      instance.sizes,
      instance.graph.data,
      (name, time) => sm.dactExpression(name, time),
      floatValue,
    );
    instances.set(instance, ext);
  }
  return ext;
}

const preview = (m: RMat<Big>): string[] => m.data.slice(0, 8).map((x) => x.toSignificantDigits(6).toString());

/**
 * The point decided in extended precision, or the float outcome unchanged
 * when extended precision cannot evaluate it (no rule, out of budget).
 */
export function extendedLook(
  claim: Claim,
  entry: { instance: Instance; evaluator: Evaluator },
  env: IntEnv,
  outcome: PointOutcome,
): PointOutcome {
  const sm = symbolicModel(entry.instance.graph.model);
  const full = { ...entry.instance.sizes, ...env };
  let a: RMat<Big>, b: RMat<Big>;
  try {
    const ext = extendedOf(entry.instance, entry.evaluator, sm);
    a = ext.evaluate(closedFormsWherePossible(claim.lhs, sm, full), env);
    b = ext.evaluate(closedFormsWherePossible(claim.rhs, sm, full), env);
  } catch (err) {
    if (err instanceof SymbolicUnsupported || err instanceof DomainError) return outcome;
    throw err;
  }
  // NaN (the log of a negative number, say) is as undecidable in decimals as in floats.
  if (![...a.data, ...b.data].every((x) => x.isFinite())) return outcome;
  const was = outcome.status === 'trouble' ? 'trouble' : 'near-tolerance';
  const extended = { was, lhs: preview(a), rhs: preview(b) } as const;
  const numbers = (m: RMat<Big>) => Float64Array.from(m.data, (x) => x.toNumber());
  if (claim.relation === '=') {
    const n = Math.max(a.data.length, b.data.length);
    const at = (m: RMat<Big>, i: number) => (m.data.length === 1 ? m.data[0]! : m.data[i]!);
    const size = (xs: Big[]) => xs.reduce((s, x) => s.add(x.mul(x)), new BigDecimal(0)).sqrt();
    const diff = size(Array.from({ length: n }, (_, i) => at(a, i).sub(at(b, i))));
    const scale = larger(
      size(Array.from({ length: n }, (_, i) => at(a, i))),
      size(Array.from({ length: n }, (_, i) => at(b, i))),
    );
    const relError = scale.isZero() ? 0 : diff.div(scale).toNumber();
    return {
      status: relError <= claim.tolerance ? 'agree' : 'violate',
      relError,
      lhs: numbers(a),
      rhs: numbers(b),
      compared: outcome.compared,
      extended,
    };
  }
  const [x, y] = claim.relation === '<=' ? [a.data[0]!, b.data[0]!] : [b.data[0]!, a.data[0]!];
  const scale = larger(x.abs(), y.abs());
  const excess = scale.isZero() ? 0 : x.sub(y).div(scale).toNumber();
  const ratio = y.isZero() ? (x.isZero() ? 0 : Infinity) : x.div(y).toNumber();
  return {
    status: excess <= claim.tolerance ? 'agree' : 'violate',
    relError: excess,
    lhs: numbers(a),
    rhs: numbers(b),
    compared: 'scalars',
    ratio,
    extended,
  };
}

const larger = (p: Big, q: Big): Big => (p.lt(q) ? q : p);
