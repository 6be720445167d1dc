/**
 * Index substitution that refuses to capture: putting `i := k + 1` into a
 * body with a product over its own `k` would change what the body means, so
 * it is refused (NotNormal) rather than done. Every substitution the bound
 * prover makes for a comparison goes through here.
 */
import { type Affine, affineVars } from '../../ir/affine.js';
import { type Expr, walkOnce } from '../../ir/expr.js';
import { substituteIndex } from '../build.js';

/** No normal form (or no safe rewriting): two expressions are then simply not shown equal. */
export class NotNormal extends Error {}

export function substituteSafely(e: Expr, name: string, value: Affine): Expr {
  const vars = new Set(affineVars(value));
  walkOnce(e, (x) => {
    if (x.kind === 'op' && x.binder !== null && vars.has(x.binder))
      throw new NotNormal(`substituting ${name} would capture ${x.binder}`);
  });
  return substituteIndex(e, name, value);
}
