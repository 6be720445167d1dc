/**
 * Canonical ASCII printing of the IR, in the derivation-file syntax. With an
 * environment it substitutes index variables, which makes the printed text a
 * content key: two factors that print the same are the same value on an
 * instance (the evaluator memoises on it to share work between lags).
 */
import { type IntEnv, formatAffine, substituteAffine, type Affine } from './affine.js';
import type { Expr, NodeRef } from './expr.js';
import { formatIndex } from './index-ref.js';

const PREC: Partial<Record<Expr['kind'], number>> = { add: 1, sub: 1, mul: 2, emul: 2, div: 2, neg: 3, pow: 4, epow: 4, transpose: 5 };
const OPS: Partial<Record<Expr['kind'], string>> = { add: ' + ', sub: ' - ', mul: '*', emul: ' .* ', div: ' / ' };
const NORM_NAMES = { '2': 'norm2', F: 'normF', inf: 'normInf', max: 'normMax' } as const;

export function formatNodeRef(ref: NodeRef, env: IntEnv = {}): string {
  return ref.time ? `${ref.name}[${formatAffine(substituteAffine(ref.time, env))}]` : ref.name;
}

export function printExpr(e: Expr, env: IntEnv = {}): string {
  const idx = (a: Affine): string => formatAffine(substituteAffine(a, env));
  const wrap = (child: Expr, parentPrec: number, rightSide = false): string => {
    const p = PREC[child.kind] ?? 9;
    const text = printExpr(child, env);
    return p < parentPrec || (rightSide && p === parentPrec) ? `(${text})` : text;
  };
  switch (e.kind) {
    case 'num':
      return e.value < 0 || Object.is(e.value, -0) ? `(${e.value})` : String(e.value);
    case 'sym':
    case 'rvar':
      return e.name;
    case 'ivar': {
      const bound = env[e.name];
      return bound === undefined ? e.name : bound < 0 ? `(${bound})` : String(bound);
    }
    case 'seq':
      return `${e.name}[${idx(e.time)}]`;
    case 'add':
    case 'sub':
    case 'mul':
    case 'emul':
    case 'div': {
      const p = PREC[e.kind]!;
      // Products associate (matrix or scalar), so a nested product on the right needs no parentheses.
      const right = e.kind === 'mul' && e.right.kind === 'mul' ? printExpr(e.right, env) : wrap(e.right, p, true);
      return `${wrap(e.left, p)}${OPS[e.kind]}${right}`;
    }
    case 'neg':
      return `-${wrap(e.arg, PREC.neg! + 1)}`;
    case 'pow':
      return `${wrap(e.base, PREC.pow! + 1)}^${wrap(e.exponent, PREC.pow! + 1)}`;
    case 'epow':
      return `${wrap(e.base, PREC.epow! + 1)}.^${e.exponent}`;
    case 'transpose':
      return `${wrap(e.arg, PREC.transpose!)}'`;
    case 'call':
      return `${e.fn}(${printExpr(e.arg, env)})`;
    case 'ucall':
      return `${e.name}(${printExpr(e.arg, env)})`;
    case 'diag':
      return `diag(${printExpr(e.arg, env)})`;
    case 'norm':
      return `${NORM_NAMES[e.which]}(${printExpr(e.arg, env)})`;
    case 'sumall':
      return `sum(${printExpr(e.arg, env)})`;
    case 'concat':
      return `[${e.items.map((i) => printExpr(i, env)).join('; ')}]`;
    case 'prod':
    case 'sum':
      return `${e.kind}(${e.index}, ${idx(e.lo)}, ${idx(e.hi)}, ${printExpr(e.body, env)})`;
    case 'deriv': {
      const refs = [e.of, e.wrt, ...e.fixed].map((r) => formatNodeRef(r, env));
      return `${e.mode}(${refs.join(', ')})`;
    }
    case 'supabs':
      return `supabs(${e.variable}, ${printExpr(e.body, env)})`;
    case 'eye':
      return `eye(${idx(e.size)})`;
    case 'comp':
      return `${e.name}[${idx(e.time)}, ${formatIndex(e.index, env)}]`;
    case 'entry':
      return `${e.name}[${formatIndex(e.row, env)}${e.col ? `, ${formatIndex(e.col, env)}` : ''}]`;
    case 'delta':
      return `delta(${formatIndex(e.a, env)}, ${formatIndex(e.b, env)})`;
    case 'dact':
      return `dact(${e.name}[${idx(e.time)}${e.index ? `, ${formatIndex(e.index, env)}` : ''}])`;
    case 'pathsum':
      return `pathsum(${e.path}, ${idx(e.length)}, ${formatIndex(e.start, env)}, ${idx(e.range)}, ${printExpr(e.body, env)})`;
    case 'ideriv':
      return `d(${e.of.name}[${idx(e.of.time)}, ${formatIndex(e.of.index, env)}], ${e.wrt.name}[${formatIndex(e.wrt.row, env)}${e.wrt.col ? `, ${formatIndex(e.wrt.col, env)}` : ''}])`;
    case 'unit':
      return `unit(${idx(e.size)}, ${formatIndex(e.index, env)})`;
    case 'cols':
      return `cols(${printExpr(e.arg, env)}, ${idx(e.from)}, ${idx(e.to)})`;
    case 'hprod':
      return `hprod(${e.index}, ${idx(e.lo)}, ${idx(e.hi)}, ${printExpr(e.body, env)})`;
  }
}
