/**
 * Values a model defines entry by entry — h = o ⊙ σ(C), C = f ⊙ C₋₁ + i ⊙ g,
 * E = E₋₁ + ε — written out by their equations. Exact comparisons treat a
 * sequence value as an opaque atom first; when that finds the two sides
 * different, writing such values out decides claims that restate the
 * equations themselves (`h[t] = o[t] .* sigma(s[t])`). Both readings are
 * exact: an identity between atoms is an identity between their definitions.
 * Equations with a matrix product or an activation at the root stay atoms
 * (the activation is read back as the value it defines).
 */
import type { Expr, Seq } from '../ir/expr.js';
import { shapeIn } from '../ir/shape-of.js';
import { isScalar } from '../ir/shape.js';
import { type Model, TIME_VAR } from '../model/model.js';
import type { ExactContext } from '../ops/contexts.js';
import type { RMat } from './ring.js';
import { specOf } from '../ops/index.js';

const cache = new WeakMap<Model, Map<string, Expr | null>>();

/** Built from entries alone: every operator entrywise (an activation's argument is one opaque atom per entry). */
function isEntrywise(model: Model, e: Expr): boolean {
  if (e.kind !== 'op') return true;
  const spec = specOf(e);
  if (spec.activation) return true;
  const flag = spec.entrywise;
  if (flag === false || flag === undefined) return false;
  if (typeof flag === 'function' && !flag(e, (x) => isScalar(shapeIn(model, x)))) return false;
  return e.args.every((a) => isEntrywise(model, a));
}

/** The right side of `name`'s equation (in the time variable t) when it is entrywise and not one activation; else null. */
export function entrywiseDefinition(model: Model, name: string): Expr | null {
  let byName = cache.get(model);
  if (!byName) {
    byName = new Map();
    cache.set(model, byName);
  }
  if (!byName.has(name)) {
    const eq = model.equations.find((q) => q.target === name);
    const rhs = eq?.rhs;
    const ok = rhs !== undefined && !(rhs.kind === 'op' && specOf(rhs).activation);
    byName.set(name, ok && isEntrywise(model, rhs) ? rhs : null);
  }
  return byName.get(name)!;
}

/** The names a model can write out (for evidence: which values were replaced by their definitions). */
export function entrywiseDefined(model: Model): string[] {
  return model.equations.map((q) => q.target).filter((n) => entrywiseDefinition(model, n) !== null);
}

/** A sequence value at a computed step (τ ≥ 1) as its entrywise definition evaluated in the same domain; else null. */
export function writtenOut<R>(model: Model, value: Seq, ctx: ExactContext<R>): RMat<R> | null {
  const definition = entrywiseDefinition(model, value.name);
  if (!definition) return null;
  const tau = ctx.int(value.time);
  return tau >= 1 ? ctx.eval(definition, { ...ctx.env, [TIME_VAR]: tau }) : null;
}
