/** Static shapes of expressions against a model's declarations, cached per expression. */
import { evalAffine, type IntEnv } from './affine.js';
import type { Expr } from './expr.js';
import { inferShape } from './infer-shape.js';
import { type Shape, shapeFromDims } from './shape.js';

export interface ShapeSource {
  /** a declared symbol (parameter or sequence); the loss is a scalar */
  readonly symbols: ReadonlyMap<string, { readonly shape: Shape }>;
  readonly loss: { readonly name: string } | null;
}

const caches = new WeakMap<ShapeSource, WeakMap<Expr, Shape>>();

/** The shape of an expression in a model (shapes never depend on bindings: dimensions are affine in the sizes). */
export function shapeIn(model: ShapeSource, e: Expr): Shape {
  let cache = caches.get(model);
  if (!cache) {
    cache = new WeakMap();
    caches.set(model, cache);
  }
  // Every sub-expression's shape is kept: the engines ask for the shapes of nested nodes one after another.
  return (
    cache.get(e) ??
    inferShape(
      e,
      { shapeOf: (name) => (name === model.loss?.name ? shapeFromDims([]) : model.symbols.get(name)!.shape) },
      new WeakMap(),
      cache,
    )
  );
}

export function dimsIn(model: ShapeSource, e: Expr, env: IntEnv): [number, number] {
  const s = shapeIn(model, e);
  return [evalAffine(s.rows, env), evalAffine(s.cols, env)];
}
