/**
 * Unit-level expressions with symbolic indices (α, γ, t left as letters),
 * compared as commutative polynomials whose atoms are the printed units —
 * `dact(h[t+1, alpha])`, `U[alpha, gamma]` — so that identities between
 * templates hold for every value of their indices, not just tested ones.
 */
import { affine, type Affine, type IntEnv } from '../ir/affine.js';
import type { Expr, Index } from '../ir/expr.js';
import { formatIndex } from '../ir/index-ref.js';
import { printExpr } from '../ir/print.js';
import { mapChildren } from './build.js';
import { cadd, cconst, cmul, cpolyKey, type CPoly, csym } from './canonical.js';
import { SymbolicUnsupported } from './differentiate.js';

/** The polynomial of a scalar unit-level expression, indices substituted from env (the rest stay symbolic). */
export function templatePoly(e: Expr, env: IntEnv = {}): CPoly {
  const go = (x: Expr): CPoly => {
    switch (x.kind) {
      case 'num':
        return cconst(x.value);
      case 'ivar':
        return env[x.name] !== undefined ? cconst(env[x.name]!) : csym(x.name);
      case 'comp':
      case 'entry':
      case 'dact':
      case 'ideriv':
        return csym(printExpr(x, env));
      case 'delta': {
        const [a, b] = [formatIndex(x.a, env), formatIndex(x.b, env)].sort();
        if (a === b) return cconst(1);
        if (/^-?\d+$/.test(a!) && /^-?\d+$/.test(b!)) return cconst(0);
        return csym(`delta(${a}, ${b})`);
      }
      case 'add':
      case 'sub':
        return cadd(go(x.left), go(x.right), x.kind === 'add' ? 1 : -1);
      case 'neg':
        return cadd(new Map(), go(x.arg), -1);
      case 'mul':
      case 'emul':
        return cmul(go(x.left), go(x.right));
      default:
        throw new SymbolicUnsupported(`${x.kind} in a unit-level template`);
    }
  };
  return go(e);
}

export const sameTemplate = (a: Expr, b: Expr, env: IntEnv = {}): boolean => cpolyKey(templatePoly(a, env)) === cpolyKey(templatePoly(b, env));

/**
 * Replaces path positions by index variables: `bind(F, g, pos ↦ name)` turns
 * g[l] into `a` and g[l+1] into `b` when the map says so; any other position
 * of the path is an error (the template reads more of the path than allowed).
 */
export function bindPath(e: Expr, path: string, name: (pos: Affine) => string | null): Expr {
  const ix = (i: Index): Index => {
    if (i.kind !== 'path' || i.name !== path) return i;
    const bound = name(i.pos);
    if (!bound) throw new SymbolicUnsupported(`the template reads ${path} at an unexpected position`);
    return { kind: 'affine', a: affine(0, { [bound]: 1 }) };
  };
  const go = (x: Expr): Expr => {
    switch (x.kind) {
      case 'comp':
        return { ...x, index: ix(x.index) };
      case 'entry':
        return { ...x, row: ix(x.row), col: x.col ? ix(x.col) : null };
      case 'delta':
        return { ...x, a: ix(x.a), b: ix(x.b) };
      case 'dact':
        return { ...x, index: x.index ? ix(x.index) : null };
      case 'unit':
        return { ...x, index: ix(x.index) };
      case 'ideriv':
        return { ...x, of: { ...x.of, index: ix(x.of.index) }, wrt: { ...x.wrt, row: ix(x.wrt.row), col: x.wrt.col ? ix(x.wrt.col) : null } };
      default:
        return mapChildren(x, go);
    }
  };
  return go(e);
}
