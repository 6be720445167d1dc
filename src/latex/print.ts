/**
 * The reading → ASCII claim syntax, with a source map: for every ASCII character the LaTeX span it came from.
 * Parentheses are only those the ASCII needs (mathjs precedence: + − < * .* / < unary − < ^ .^ < postfix ');
 * chains of the same associative operator (* or .*) print flat, as the hand-written claims do.
 */
import { formatAffine } from '../ir/affine.js';
import type { Span } from './katex-tree.js';
import type { E, Ix, Relation } from './reading.js';

export interface Printed {
  readonly text: string;
  /** ascii offset → LaTeX start offset */
  readonly starts: number[];
  /** ascii offset → LaTeX end offset */
  readonly ends: number[];
}

export class AsciiWriter {
  private text = '';
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  w(s: string, span: Span): void {
    this.text += s;
    for (let i = 0; i < s.length; i++) {
      this.starts.push(span[0]);
      this.ends.push(span[1]);
    }
  }

  done(): Printed {
    return { text: this.text, starts: this.starts, ends: this.ends };
  }

  relation(lhs: E, rel: Relation, relSpan: Span, rhs: E): void {
    this.expr(lhs);
    this.w(` ${rel} `, relSpan);
    this.expr(rhs);
  }

  expr(e: E, min = 0): void {
    const p = prec(e);
    if (p < min) {
      this.w('(', e.span);
      this.bare(e);
      this.w(')', [e.span[1] - 1, e.span[1]]);
    } else this.bare(e);
  }

  private bare(e: E): void {
    const at = e.span;
    switch (e.k) {
      case 'num':
        return this.w(e.text, at);
      case 'sym':
        return this.w(e.name, at);
      case 'held':
        return this.w(e.name, at);
      case 'seq':
        this.w(e.name, e.nameSpan);
        this.w('[', e.time.span);
        this.index(e.time);
        if (e.unit) {
          this.w(', ', e.unit.span);
          this.index(e.unit);
        }
        return this.w(']', e.time.span);
      case 'entry':
        this.w(`${e.name}[`, at);
        e.idx.forEach((ix, i) => {
          if (i) this.w(', ', ix.span);
          this.index(ix);
        });
        return this.w(']', at);
      case 'ix':
        return this.index(e.ix);
      case 'bin': {
        // A chain a + b + c … is nested to the left: its left spine is walked here, not recursed into per term.
        const lmin = (b: BinE): number => (b.op === '+' || b.op === '-' ? 1 : 2);
        const spine: BinE[] = [e];
        for (let b = e; b.l.k === 'bin' && prec(b.l) >= lmin(b); b = b.l) spine.push(b.l);
        const innermost = spine[spine.length - 1]!;
        this.expr(innermost.l, lmin(innermost));
        for (let i = spine.length - 1; i >= 0; i--) {
          const b = spine[i]!;
          const assoc = b.op === '*' || b.op === '.*';
          this.w(` ${b.op} `, b.opSpan);
          if (b.op === '+') this.expr(b.r, 1);
          else if (b.op === '-') this.expr(b.r, 2);
          else if (assoc && b.r.k === 'bin' && b.r.op === b.op) this.expr(b.r, 2);
          else this.expr(b.r, 3);
        }
        return;
      }
      case 'neg':
        this.w('-', at);
        return this.expr(e.arg, 3);
      case 'pow':
        this.expr(e.base, 5);
        this.w(e.op, e.opSpan);
        return this.expr(e.exp, 9);
      case 'tr':
        this.expr(e.arg, 9);
        return this.w("'", e.opSpan);
      case 'call':
        this.w(`${e.fn}(`, at);
        e.args.forEach((a, i) => {
          if (i) this.w(', ', a.span);
          this.expr(a);
        });
        return this.w(')', at);
      case 'range':
        this.w(`${e.fn}(`, at);
        this.w(e.v, e.vSpan);
        this.w(', ', at);
        this.index(e.lo);
        this.w(', ', at);
        this.index(e.hi);
        this.w(', ', at);
        this.expr(e.body);
        return this.w(')', at);
      case 'deriv': {
        this.w(`${e.mode}(`, at);
        this.expr(e.of);
        this.w(', ', at);
        this.expr(e.wrt);
        for (const h of e.held) {
          this.w(', ', h.span);
          this.expr(h);
        }
        return this.w(')', at);
      }
      case 'supabs':
        this.w('supabs(', at);
        this.w(e.v, e.vSpan);
        this.w(', ', at);
        this.expr(e.body);
        return this.w(')', at);
      case 'concat':
        this.w('[', at);
        e.items.forEach((item, i) => {
          if (i) this.w('; ', item.span);
          this.expr(item);
        });
        return this.w(']', at);
    }
  }

  index(ix: Ix, inner = false): void {
    switch (ix.k) {
      case 'inum':
        return this.w(String(ix.value), ix.span);
      case 'ivar':
        return this.w(ix.name, ix.span);
      case 'iaff': {
        const text = formatAffine(ix.a);
        return this.w(inner && compound(text) ? `(${text})` : text, ix.span);
      }
      case 'ineg':
        this.w('-', ix.span);
        return this.index(ix.arg, true);
      case 'imul':
        this.w(`${ix.c}*`, ix.span);
        return this.index(ix.arg, true);
      case 'iadd': {
        const paren = inner;
        if (paren) this.w('(', ix.span);
        this.index(ix.l);
        this.w(ix.op, ix.opSpan);
        this.index(ix.r, ix.op === '-' && (ix.r.k === 'iadd' || (ix.r.k === 'iaff' && compound(formatAffine(ix.r.a)))));
        if (paren) this.w(')', ix.span);
        return;
      }
    }
  }
}

type BinE = Extract<E, { k: 'bin' }>;

/** An affine index with more than one term needs brackets inside another index. */
const compound = (text: string): boolean => /[+-]/.test(text.slice(1));

function prec(e: E): number {
  switch (e.k) {
    case 'bin':
      return e.op === '+' || e.op === '-' ? 1 : 2;
    case 'neg':
      return 3;
    case 'pow':
      return 4;
    case 'tr':
      return 5;
    case 'ix':
      return e.ix.k === 'iadd' ||
        e.ix.k === 'ineg' ||
        e.ix.k === 'imul' ||
        (e.ix.k === 'iaff' && /[+\-*]/.test(formatAffine(e.ix.a).slice(1)))
        ? 1
        : 9;
    case 'call':
    case 'concat':
    case 'deriv':
    case 'entry':
    case 'held':
    case 'num':
    case 'range':
    case 'seq':
    case 'supabs':
    case 'sym':
      return 9;
  }
}

export function printExpr(e: E): Printed {
  const w = new AsciiWriter();
  w.expr(e);
  return w.done();
}
