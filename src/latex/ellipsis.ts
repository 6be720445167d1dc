/**
 * Products written with an ellipsis: `A_t A_{t-1} ⋯ A_{k+1}`, `f_t ⊙ ⋯ ⊙ f_{k+1}`, `(∂h_t/∂o_t ∂o_t/∂h_{t−1}) ⋯
 * (∂h_k/∂o_k ∂o_k/∂h_{k−1})`.
 *
 * The rule: the block repeated is the shortest run of p factors just before the ⋯ that has the same structure as
 * the p factors just after it, every index that differs between the two differing by the same amount D ≠ 0.
 * Earlier copies of the block (each shifted by the same constant step) are taken in. The factors run
 * from the first copy, F(a), to the block after the ⋯, F(b):
 *   - a > b (the index decreases as written, like a backward chain): prod(j, b, a, F(a+b−j)), j increasing left
 *     to right; when a+b would double a variable (a = t, b = t−k+1) the copies are counted instead:
 *     prod(j, 1, a−b+1, F(a+1−j));
 *   - a < b: prod(j, a, b, F(j)).
 * With only one copy before the ⋯, which way it runs is decided by the sign of D with typical sizes
 * T ≫ t ≫ s ≫ k ≫ other indices (a note says so). Around ⊙ the product is hprod, otherwise prod.
 */
import type { Span } from './katex-tree.js';
import {
  type Affine,
  affine,
  affineAdd,
  affineEquals,
  affineVar,
  affineVars,
  formatAffine as affineText,
  isConstant,
} from '../ir/affine.js';
import { type E, type Ix, affineOf, indicesOf, join, mapIndices, templateKey } from './reading.js';

export interface TermItem {
  readonly e: E | 'ellipsis';
  /** the operator before this factor (null for the first) */
  readonly op: '*' | '.*' | '/' | 'cdot' | 'juxt' | null;
  readonly opSpan: Span;
  readonly span: Span;
}

export interface EllipsisHelpers {
  fail(span: Span, problem: string, expected?: string): never;
  note(span: Span, text: string): void;
  freshName(avoid: ReadonlySet<string>): string;
  magnitude(name: string): number;
}

interface Shift {
  /** a − b for the indices that differ */
  readonly d: Affine;
  /** positions (in the block's index list) of the indices that differ */
  readonly moving: readonly boolean[];
}

/** The common shift between two blocks of factors, or null when they are not copies of one another. */
function shiftBetween(a: readonly E[], b: readonly E[]): Shift | null {
  if (a.length !== b.length) return null;
  for (let i = 0; i < a.length; i++) if (templateKey(a[i]!) !== templateKey(b[i]!)) return null;
  const ia = a.flatMap(indicesOf);
  const ib = b.flatMap(indicesOf);
  if (ia.length !== ib.length || !ia.length) return null;
  let d: Affine | null = null;
  const moving: boolean[] = [];
  for (let i = 0; i < ia.length; i++) {
    const x = affineOf(ia[i]!);
    const y = affineOf(ib[i]!);
    const diff = affineAdd(x, y, -1);
    if (isConstant(diff) && diff.c === 0) {
      moving.push(false);
      continue;
    }
    if (d && !affineEquals(d, diff)) return null;
    d = diff;
    moving.push(true);
  }
  return d ? { d, moving } : null;
}

export function resolveEllipses(items: readonly TermItem[], h: EllipsisHelpers): TermItem[] {
  let out = [...items];
  for (;;) {
    const q = out.findIndex((it) => it.e === 'ellipsis');
    if (q < 0) return out;
    const ell = out[q]!;
    if (q === 0 || q === out.length - 1) h.fail(ell.span, '⋯ needs a factor on each side', 'F(a) ⋯ F(b)');
    const left = out.slice(0, q);
    const right = out.slice(q + 1);
    if (left.some((it) => it.e === 'ellipsis')) h.fail(ell.span, 'two ⋯ in one product');
    const es = (xs: readonly TermItem[]): E[] => xs.map((x) => x.e as E);
    let p = 0;
    let shift: Shift | null = null;
    for (let n = 1; n <= Math.min(left.length, right.length); n++) {
      if (right.slice(0, n).some((it) => it.e === 'ellipsis')) break;
      shift = shiftBetween(es(left.slice(q - n)), es(right.slice(0, n)));
      if (shift) {
        p = n;
        break;
      }
    }
    if (!shift)
      h.fail(
        ell.span,
        'cannot tell what ⋯ repeats: the factors on its two sides do not have the same form with shifted indices',
        'F(a) ⋯ F(b) with the same F',
      );
    // earlier copies of the block, each shifted by the same constant step
    let copies = 1;
    let step: number | null = null;
    for (;;) {
      const start = q - (copies + 1) * p;
      if (start < 0) break;
      const s = shiftBetween(es(left.slice(start, start + p)), es(left.slice(start + p, start + 2 * p)));
      if (!s || !isConstant(s.d) || s.d.c === 0 || (step !== null && s.d.c !== step)) break;
      if (s.moving.some((m, i) => m !== shift.moving[i])) break;
      step = s.d.c;
      copies++;
    }
    const firstStart = q - copies * p;
    const first = es(left.slice(firstStart, firstStart + p));
    const last = es(right.slice(0, p));
    const ia = first.flatMap(indicesOf);
    const ib = last.flatMap(indicesOf);
    const ref = shift.moving.indexOf(true);
    const aRef = affineOf(ia[ref]!);
    const bRef = affineOf(ib[ref]!);
    const total = affineAdd(aRef, bRef, -1); // a − b over the whole run
    let decreasing: boolean;
    if (step !== null) decreasing = step > 0;
    else {
      let v = total.c;
      for (const [n, c] of Object.entries(total.terms)) v += c * h.magnitude(n);
      if (v === 0) h.fail(ell.span, 'cannot tell which way ⋯ runs');
      decreasing = v > 0;
      h.note(
        ell.span,
        `⋯ from ${affineText(aRef)} to ${affineText(bRef)}: assumed ${affineText(aRef)} ${decreasing ? '≥' : '≤'} ${affineText(bRef)}`,
      );
    }
    if (step !== null && Math.abs(step) !== 1)
      h.fail(ell.span, `the copies before ⋯ step by ${step}`, 'consecutive indices');
    const avoid = new Set<string>();
    for (const ix of [...ia, ...ib]) for (const n of affineVars(affineOf(ix))) avoid.add(n);
    const v = h.freshName(avoid);
    const vAff = affineVar(v);
    let lo: Affine;
    let hi: Affine;
    let at: (a: Affine) => Affine;
    const doubled = Object.values(affineAdd(aRef, bRef).terms).some((c) => Math.abs(c) > 1);
    // F(x) at the bound variable: x ↦ x + b − j (decreasing), x ↦ x + 1 − j (counted copies), x ↦ x − a + j.
    if (decreasing && !doubled) {
      lo = bRef;
      hi = aRef;
      at = (a) => affineAdd(affineAdd(a, bRef), vAff, -1);
    } else if (decreasing) {
      lo = affine(1);
      hi = affineAdd(total, affine(1));
      at = (a) => affineAdd(affineAdd(a, affine(1)), vAff, -1);
    } else {
      lo = aRef;
      hi = bRef;
      at = (a) => affineAdd(affineAdd(a, aRef, -1), vAff);
    }
    const spanOfIx = (ix: Ix): Span => ix.span;
    let pos = 0;
    const bodyFactors = first.map((f) =>
      mapIndices(f, (ix) => {
        const i = pos++;
        if (!shift.moving[i]) return ix;
        return { k: 'iaff', a: at(affineOf(ix)), span: spanOfIx(ix) };
      }),
    );
    const blockItems = left.slice(firstStart, firstStart + p);
    let body = bodyFactors[0]!;
    for (let i = 1; i < bodyFactors.length; i++) {
      const op = blockItems[i]!.op === '.*' ? '.*' : '*';
      body = {
        k: 'bin',
        op,
        l: body,
        r: bodyFactors[i]!,
        span: join(body.span, bodyFactors[i]!.span),
        opSpan: blockItems[i]!.opSpan,
      };
    }
    const hadamard = ell.op === '.*' || right[0]!.op === '.*';
    const fn = hadamard ? 'hprod' : 'prod';
    const span = join(left[firstStart]!.span, right[p - 1]!.span);
    const range: E = {
      k: 'range',
      fn,
      v,
      vSpan: ell.span,
      lo: { k: 'iaff', a: lo, span: ib[ref]!.span },
      hi: { k: 'iaff', a: hi, span: ia[ref]!.span },
      body,
      span,
    };
    h.note(
      ell.span,
      `F(${affineText(aRef)}) ⋯ F(${affineText(bRef)}) with a ${p}-factor block F read as ${fn}(${v}, ${affineText(lo)}, ${affineText(hi)}, …) (${decreasing ? 'the index decreasing' : 'the index increasing'} left to right, as written)`,
    );
    const item: TermItem = { e: range, op: left[firstStart]!.op, opSpan: left[firstStart]!.opSpan, span };
    out = [...out.slice(0, firstStart), item, ...out.slice(q + 1 + p)];
  }
}
