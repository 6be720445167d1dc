/** Integer expressions of a claim (`T - 1`, `k - i + 1`) read as affine forms in its integer variables. */
import { type Affine, affine, affineAdd, affineScale, affineVar, isConstant } from './affine.js';
import type { Expr } from './expr.js';

/** An expression of integer variables and integers by +, −, unary − and × by a constant, as an affine form (else null). */
export function integerAffine(e: Expr): Affine | null {
  switch (e.kind) {
    case 'num':
      return Number.isSafeInteger(e.value) ? affine(e.value) : null;
    case 'ivar':
      return affineVar(e.name);
    case 'op': {
      if (e.op === 'neg' && e.args.length === 1) {
        const a = integerAffine(e.args[0]!);
        return a && affineScale(a, -1);
      }
      if ((e.op !== 'add' && e.op !== 'sub' && e.op !== 'mul') || e.args.length !== 2) return null;
      const a = integerAffine(e.args[0]!);
      const b = a && integerAffine(e.args[1]!);
      if (!a || !b) return null;
      if (e.op !== 'mul') return affineAdd(a, b, e.op === 'add' ? 1 : -1);
      if (isConstant(a)) return affineScale(b, a.c);
      return isConstant(b) ? affineScale(a, b.c) : null;
    }
    case 'rvar':
    case 'seq':
    case 'sym':
      return null;
  }
}
