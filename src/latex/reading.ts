/**
 * The reading of a formula before it is printed as ASCII: a small expression tree whose every node keeps the
 * LaTeX span it came from. Index expressions (times, bounds, unit indices) are a separate small tree so that
 * they can be compared and shifted as affine forms (the ⋯ rule in ellipsis.ts).
 */
import { type Affine, affine, affineAdd, affineScale, affineVar } from '../ir/affine.js';
import type { Span } from './katex-tree.js';

export type Ix =
  | { readonly k: 'inum'; readonly value: number; readonly span: Span }
  | { readonly k: 'ivar'; readonly name: string; readonly span: Span }
  | {
      readonly k: 'iadd';
      readonly op: '+' | '-';
      readonly l: Ix;
      readonly r: Ix;
      readonly span: Span;
      readonly opSpan: Span;
    }
  | { readonly k: 'ineg'; readonly arg: Ix; readonly span: Span }
  | { readonly k: 'imul'; readonly c: number; readonly arg: Ix; readonly span: Span }
  /** an index computed by a rule (⋯) or given by the symbol map, located at `span` */
  | { readonly k: 'iaff'; readonly a: Affine; readonly span: Span };

export type E =
  | { readonly k: 'num'; readonly text: string; readonly span: Span }
  /** a parameter, the loss, a size or index variable used as a value, a bound real variable, or verbatim text from the symbol map */
  | {
      readonly k: 'sym';
      readonly name: string;
      readonly role: 'parameter' | 'loss' | 'index' | 'real' | 'raw';
      readonly span: Span;
    }
  | {
      readonly k: 'seq';
      readonly name: string;
      readonly time: Ix;
      readonly unit: Ix | null;
      readonly span: Span;
      readonly nameSpan: Span;
    }
  /** a bare sequence name: held at every step in partial(…) */
  | { readonly k: 'held'; readonly name: string; readonly span: Span }
  | { readonly k: 'entry'; readonly name: string; readonly idx: readonly Ix[]; readonly span: Span }
  | {
      readonly k: 'bin';
      readonly op: '+' | '-' | '*' | '.*' | '/';
      readonly l: E;
      readonly r: E;
      readonly span: Span;
      readonly opSpan: Span;
    }
  | {
      readonly k: 'pow';
      readonly op: '^' | '.^';
      readonly base: E;
      readonly exp: E;
      readonly span: Span;
      readonly opSpan: Span;
    }
  | { readonly k: 'neg'; readonly arg: E; readonly span: Span }
  | { readonly k: 'tr'; readonly arg: E; readonly span: Span; readonly opSpan: Span }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly E[]; readonly span: Span }
  /** an index used as a value (an exponent t−k+1, an argument of a definition A(α, t)) */
  | { readonly k: 'ix'; readonly ix: Ix; readonly span: Span }
  | {
      readonly k: 'range';
      readonly fn: 'prod' | 'sum' | 'hprod';
      readonly v: string;
      readonly vSpan: Span;
      readonly lo: Ix;
      readonly hi: Ix;
      readonly body: E;
      readonly span: Span;
    }
  /** `fraction`: written ∂a/∂b (numerator layout: a row when it multiplies a matrix); ∇ gives a column */
  | {
      readonly k: 'deriv';
      readonly mode: 'grad' | 'jac' | 'partial' | 'd';
      readonly of: E;
      readonly wrt: E;
      readonly held: readonly E[];
      readonly span: Span;
      readonly fraction?: boolean;
    }
  | { readonly k: 'supabs'; readonly v: string; readonly vSpan: Span; readonly body: E; readonly span: Span }
  | { readonly k: 'concat'; readonly items: readonly E[]; readonly span: Span };

export type Relation = '=' | '<=' | '>=';

/** An index as an integer affine form (src/ir/affine.ts); null for none here (every Ix has one). */
export function affineOf(ix: Ix): Affine {
  switch (ix.k) {
    case 'inum':
      return affine(ix.value);
    case 'ivar':
      return affineVar(ix.name);
    case 'ineg':
      return affineScale(affineOf(ix.arg), -1);
    case 'imul':
      return affineScale(affineOf(ix.arg), ix.c);
    case 'iadd':
      return affineAdd(affineOf(ix.l), affineOf(ix.r), ix.op === '+' ? 1 : -1);
    case 'iaff':
      return ix.a;
  }
}

/** Every index expression in a node, in print order (for comparing two factors of a ⋯ product). */
export function indicesOf(e: E): Ix[] {
  const out: Ix[] = [];
  const visit = (n: E): void => {
    switch (n.k) {
      case 'seq':
        out.push(n.time);
        if (n.unit) out.push(n.unit);
        return;
      case 'entry':
        out.push(...n.idx);
        return;
      case 'ix':
        out.push(n.ix);
        return;
      case 'range':
        out.push(n.lo, n.hi);
        visit(n.body);
        return;
      case 'bin':
      case 'call':
      case 'concat':
      case 'deriv':
      case 'held':
      case 'neg':
      case 'num':
      case 'pow':
      case 'supabs':
      case 'sym':
      case 'tr':
        for (const c of childrenOf(n)) visit(c);
    }
  };
  visit(e);
  return out;
}

export function childrenOf(e: E): readonly E[] {
  switch (e.k) {
    case 'bin':
      return [e.l, e.r];
    case 'pow':
      return [e.base, e.exp];
    case 'neg':
    case 'tr':
      return [e.arg];
    case 'call':
      return e.args;
    case 'range':
    case 'supabs':
      return [e.body];
    case 'deriv':
      return [e.of, e.wrt, ...e.held];
    case 'concat':
      return e.items;
    case 'entry':
    case 'held':
    case 'ix':
    case 'num':
    case 'seq':
    case 'sym':
      return [];
  }
}

/** The node with every index replaced by `f(index)` (same structure otherwise). */
export function mapIndices(e: E, f: (ix: Ix) => Ix): E {
  const m = (n: E): E => mapIndices(n, f);
  switch (e.k) {
    case 'seq':
      return { ...e, time: f(e.time), unit: e.unit ? f(e.unit) : null };
    case 'entry':
      return { ...e, idx: e.idx.map(f) };
    case 'ix':
      return { ...e, ix: f(e.ix) };
    case 'bin':
      return { ...e, l: m(e.l), r: m(e.r) };
    case 'pow':
      return { ...e, base: m(e.base), exp: m(e.exp) };
    case 'neg':
    case 'tr':
      return { ...e, arg: m(e.arg) };
    case 'call':
      return { ...e, args: e.args.map(m) };
    case 'range':
      return { ...e, lo: f(e.lo), hi: f(e.hi), body: m(e.body) };
    case 'supabs':
      return { ...e, body: m(e.body) };
    case 'deriv':
      return { ...e, of: m(e.of), wrt: m(e.wrt), held: e.held.map(m) };
    case 'concat':
      return { ...e, items: e.items.map(m) };
    case 'held':
    case 'num':
    case 'sym':
      return e;
  }
}

/** A structural key that ignores indices and locations: two factors of a ⋯ product must share it. */
export function templateKey(e: E): string {
  switch (e.k) {
    case 'num':
      return `#${e.text}`;
    case 'sym':
      return `s:${e.name}`;
    case 'seq':
      return `q:${e.name}${e.unit ? ',u' : ''}`;
    case 'held':
      return `H:${e.name}`;
    case 'entry':
      return `e:${e.name}/${e.idx.length}`;
    case 'ix':
      return 'ix';
    case 'bin':
      return `(${templateKey(e.l)}${e.op}${templateKey(e.r)})`;
    case 'pow':
      return `(${templateKey(e.base)}${e.op}${templateKey(e.exp)})`;
    case 'neg':
      return `-(${templateKey(e.arg)})`;
    case 'tr':
      return `(${templateKey(e.arg)})'`;
    case 'call':
      return `${e.fn}(${e.args.map(templateKey).join(',')})`;
    case 'range':
      return `${e.fn}[${e.v}](${templateKey(e.body)})`;
    case 'deriv':
      return `${e.mode}(${[e.of, e.wrt, ...e.held].map(templateKey).join(',')})`;
    case 'supabs':
      return `supabs[${e.v}](${templateKey(e.body)})`;
    case 'concat':
      return `[${e.items.map(templateKey).join(';')}]`;
  }
}

export function spanOf(e: E): Span {
  return e.span;
}

export function join(a: Span, b: Span): Span {
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}
