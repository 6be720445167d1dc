/**
 * Canonical ASCII printing of the IR, in the derivation-file syntax; each
 * operator prints itself through its record. With an environment it
 * substitutes index variables, so the printed text names the value at that
 * binding (opaque atoms of the exact evaluators are keyed by it).
 */
import { type Affine, boundValue, formatAffine, formatAffineAt, type IntEnv, substituteAffine } from './affine.js';
import type { Expr, Index, NodeRef } from './expr.js';
import { pathKey } from './path-chain.js';
import { precedence, specOf } from '../ops/index.js';
import type { PrintContext } from '../ops/contexts.js';
import { own } from './names.js';

export function formatNodeRef(ref: NodeRef, env: IntEnv = {}): string {
  return ref.time ? `${ref.name}[${formatAffineAt(ref.time, env)}]` : ref.name;
}

/** A unit index at a binding: the path position's value when the environment binds it. */
export function formatIndex(ix: Index, env: IntEnv = {}): string {
  if (ix.kind === 'affine') return formatAffineAt(ix.a, env);
  // Hot (content keys): a position whose variables are all bound needs no substituted form.
  const at = boundValue(ix.pos, env);
  if (at !== undefined) return String(own(env, pathKey(ix.name, at)) ?? `${ix.name}[${at}]`);
  const pos = substituteAffine(ix.pos, env);
  const bound = Object.keys(pos.terms).length === 0 ? own(env, pathKey(ix.name, pos.c)) : undefined;
  return bound !== undefined ? String(bound) : `${ix.name}[${formatAffine(pos)}]`;
}

const asciiPrecedence = (e: Expr): number => (e.kind === 'op' ? precedence(e).ascii : 9);

export function printExpr(e: Expr, env: IntEnv = {}): string {
  return printWith(e, printContext(env), env);
}

function printWith(e: Expr, ctx: PrintContext, env: IntEnv): string {
  switch (e.kind) {
    case 'num':
      return e.value < 0 || Object.is(e.value, -0) ? `(${e.value})` : String(e.value);
    case 'sym':
    case 'rvar':
      return e.name;
    case 'ivar': {
      const bound = own(env, e.name);
      return bound === undefined ? e.name : bound < 0 ? `(${bound})` : String(bound);
    }
    case 'seq':
      return `${e.name}[${formatAffineAt(e.time, env)}]`;
    case 'op':
      return specOf(e).print(e, ctx);
  }
}

/**
 * A printer of trees without a binding (`printExpr(e)`) that keeps every subtree's text: a node's text is a function
 * of its own fields and its children's texts, so a tree that shares most of its subtrees with trees printed before
 * (an edit of one site, path-copied) costs what is new in it. The texts live as long as the printer.
 */
export function keptTextPrinter(): (e: Expr) => string {
  const texts = new WeakMap<Expr, string>();
  const env: IntEnv = {};
  const text = (x: Expr): string => {
    let t = texts.get(x);
    if (t === undefined) texts.set(x, (t = printWith(x, ctx, env)));
    return t;
  };
  const ctx: PrintContext = {
    expr: text,
    wrap: (x, prec, rightSide = false) => {
      const p = asciiPrecedence(x);
      const t = text(x);
      return p < prec || (rightSide && p === prec) ? `(${t})` : t;
    },
    int: (a: Affine) => formatAffineAt(a, env),
    unit: (ix) => formatIndex(ix, env),
  };
  return text;
}

function printContext(env: IntEnv): PrintContext {
  const ctx: PrintContext = {
    expr: (x) => printWith(x, ctx, env),
    wrap: (x, prec, rightSide = false) => {
      const p = asciiPrecedence(x);
      const text = printWith(x, ctx, env);
      return p < prec || (rightSide && p === prec) ? `(${text})` : text;
    },
    int: (a: Affine) => formatAffineAt(a, env),
    unit: (ix) => formatIndex(ix, env),
  };
  return ctx;
}
