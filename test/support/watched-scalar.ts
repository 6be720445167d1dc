/** A supabs body as the sup's search takes it (src/numeric/sup.ts): float64 with its noted losses, and its extended forms. */
import { parseExpression, type Scope } from '../../src/ir/parse-math.js';
import { compileScalar, compileScalarLoss } from '../../src/ir/scalar-function.js';
import type { WatchedScalar } from '../../src/numeric/sup.js';
import { extendedScalar } from '../../src/symbolic/domains/scalar-extended.js';

/** `body`, a function of x. */
export function watchedScalar(body: string): WatchedScalar {
  const scope: Scope = {
    sequences: new Set(),
    parameters: new Set(),
    loss: null,
    indexVars: new Set(),
    realVars: new Set(['x']),
  };
  const e = parseExpression(body, scope).expr;
  return { value: compileScalar(e, 'x'), lost: compileScalarLoss(e, 'x'), extended: extendedScalar(e, 'x') };
}
