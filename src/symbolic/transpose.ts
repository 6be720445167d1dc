/** Aᵀ with the transpose pushed to the leaves ((D·W)ᵀ = Wᵀ·D for diagonal D), by each operator's rule. */
import { node } from '../ir/expr.js';
import { specOf } from '../ops/index.js';
import type { Jac } from './build.js';

export function transpose(a: Jac): Jac {
  if (!a) return null;
  if (a.kind === 'num') return a;
  if (a.kind !== 'op') return node('transpose', [a]);
  const spec = specOf(a);
  if (spec.symmetric) return a;
  if (spec.transposed) return spec.transposed(a, transpose);
  return node('transpose', [a]);
}
