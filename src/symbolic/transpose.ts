/** Aᵀ with the transpose pushed to the leaves ((D·W)ᵀ = Wᵀ·D for diagonal D), by each operator's rule. */
import { type Expr, node } from '../ir/expr.js';
import { specOf } from '../ops/index.js';
import type { Jac } from './build.js';

/**
 * Each node's transpose, once: a derived form shares its subterms (a Jacobian reads the one before it several times),
 * and transposing it as a tree took time exponential in its depth (a model whose intermediates each read the two
 * before: 27 % of a check at 26 of them, past 120 s at 30; a review found it). Shared in, shared out.
 */
const transposes = new WeakMap<Expr, Expr>();

export function transpose(a: Jac): Jac {
  if (!a) return null;
  if (a.kind === 'num') return a;
  const known = transposes.get(a);
  if (known) return known;
  const t = transposeFresh(a);
  if (t) transposes.set(a, t);
  return t;
}

function transposeFresh(a: Expr): Jac {
  if (a.kind !== 'op') return node('transpose', [a]);
  const spec = specOf(a);
  if (spec.symmetric) return a;
  if (spec.transposed) return spec.transposed(a, transpose);
  return node('transpose', [a]);
}
