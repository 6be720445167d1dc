/**
 * Ranges that are empty at every binding: `prod(j, t, k+1, …)` with the bounds
 * reversed is silently the identity (a sum, zero), which is almost always a
 * slip. Each range operator (those whose syntax is `op(i, lo, hi, body)`) is
 * evaluated at every binding of the claim on the instances it was checked on,
 * with the ranges around it enumerated; one empty everywhere is reported.
 */
import type { Claim } from '../derivation/derivation.js';
import { evalAffine, type IntEnv } from '../ir/affine.js';
import { children, type Expr, type OpNode } from '../ir/expr.js';
import { formatAffine } from '../ir/affine.js';
import { specOf } from '../ops/index.js';
import { bindings } from './bindings.js';
import { bindingsKey, mergedBindings, withBinding } from '../ir/names.js';

/** Enclosing ranges are enumerated up to this many environments; past it nothing inside is judged. */
const MAX_ENVS = 4096;

const isRange = (e: Expr): e is OpNode =>
  e.kind === 'op' && specOf(e).syntax.args?.join() === 'int-binder,int,int,expr';

/** The range operators of a claim that are empty at every binding on every one of these instances' sizes. */
export function emptyRanges(claim: Claim, sizesPerInstance: readonly IntEnv[]): string[] {
  // Instances of the same sizes have the same bindings: each set of sizes is walked once (a check draws 20
  // instances of one size: 20 × 256 environments at T = 256, and a count 20 times too large for MAX_ENVS).
  const envs = distinctSizes(sizesPerInstance).flatMap((sizes) =>
    bindings(claim, sizes).map((env) => mergedBindings(sizes, env)),
  );
  const everywhereEmpty = new Set<string>();
  const judged = new Map<OpNode, boolean>(); // node → non-empty somewhere
  const visit = (e: Expr, at: readonly IntEnv[]): void => {
    if (!at.length) return;
    if (!isRange(e)) {
      for (const c of children(e)) visit(c, at);
      return;
    }
    // The bounds at every environment first: the inner environments are built only when there are at most
    // MAX_ENVS of them (past it nothing inside is judged, and building them was most of the walk's time).
    const bounds: number[] = [];
    let nonEmpty = judged.get(e) ?? false;
    let count = 0;
    for (const env of at) {
      let lo: number;
      let hi: number;
      try {
        [lo, hi] = [evalAffine(e.ints[0]!, env), evalAffine(e.ints[1]!, env)];
      } catch {
        judged.set(e, true); // a bound on a variable this walk does not bind (a path index): not judged
        return;
      }
      if (hi >= lo) {
        nonEmpty = true;
        count += hi - lo + 1;
      }
      bounds.push(lo, hi);
    }
    judged.set(e, nonEmpty);
    if (count > MAX_ENVS) return;
    const inner: IntEnv[] = [];
    at.forEach((env, j) => {
      for (let i = bounds[2 * j]!; i <= bounds[2 * j + 1]!; i++) inner.push(withBinding(env, e.binder!, i));
    });
    for (const c of children(e)) visit(c, inner);
  };
  for (const side of [claim.lhs, claim.rhs]) visit(side, envs);
  for (const [n, nonEmpty] of judged)
    if (!nonEmpty)
      everywhereEmpty.add(
        `${specOf(n).syntax.call?.[0] ?? n.op}(${n.binder}, ${formatAffine(n.ints[0]!)}, ${formatAffine(n.ints[1]!)}, …)`,
      );
  return [...everywhereEmpty];
}

/** The sizes records that differ, in their first order (records with the same bindings are the same sizes). */
function distinctSizes(sizesPerInstance: readonly IntEnv[]): IntEnv[] {
  const seen = new Map<string, IntEnv>();
  for (const sizes of sizesPerInstance) {
    const key = bindingsKey(sizes);
    if (!seen.has(key)) seen.set(key, sizes);
  }
  return [...seen.values()];
}
