/** Shape inference: leaves from the model's declarations, operators by their records' rules. */
import { ExprError } from './errors.js';
import type { Expr } from './expr.js';
import { SCALAR, type Shape } from './shape.js';
import { specOf } from '../ops/index.js';
import type { ShapeContext } from '../ops/contexts.js';

export interface ShapeEnv {
  /** declared shape of a model symbol (parameter, sequence, loss) */
  shapeOf(name: string): Shape;
}

/** The shape of an expression; a located ExprError (at the offending node's offset) when it has none. */
export function inferShape(
  expr: Expr,
  env: ShapeEnv,
  offsets: WeakMap<Expr, number> = new WeakMap(),
  cache: Map<Expr, Shape> | WeakMap<Expr, Shape> = new Map(),
): Shape {
  const ctx: ShapeContext = {
    shapeOf: (e) => infer(e),
    fail: (node, problem, expected) => {
      throw new ExprError(offsets.get(node) ?? 0, problem, expected);
    },
  };
  const infer = (e: Expr): Shape => {
    const known = cache.get(e);
    if (known) return known;
    let s: Shape;
    switch (e.kind) {
      case 'num':
      case 'ivar':
      case 'rvar':
        s = SCALAR;
        break;
      case 'sym':
      case 'seq':
        s = env.shapeOf(e.name);
        break;
      case 'op':
        s = specOf(e).shape(e, ctx);
        break;
    }
    cache.set(e, s);
    return s;
  };
  return infer(expr);
}
