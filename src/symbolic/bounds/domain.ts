/**
 * The integer domain a bound is proved on: the claim's quantifiers (each
 * range affine in the sizes and the earlier variables), the ranges of the
 * products and sums a rewrite sits inside, and the sizes (≥ 1, or the
 * narrower range a claim states, such as n = 1). Bounds on affine
 * expressions are found by substituting, innermost variable first, the end of
 * its range that makes the expression smallest (largest): a valid bound at
 * every point of the domain, whatever the other variables are.
 */
import {
  type Affine,
  affine,
  affineAdd,
  affineEquals,
  affineScale,
  coefficient,
  formatAffine,
} from '../../ir/affine.js';
import type { Expr } from '../../ir/expr.js';
import { affineReplace } from '../../ir/affine.js';
import { substituteSafely } from './substitute.js';
import { nameRecord, own } from '../../ir/names.js';

export interface IntRange {
  readonly name: string;
  readonly lo: Affine;
  readonly hi: Affine;
}

export interface SizeBound {
  readonly min: number;
  /** null: unbounded (the proof holds for every value) */
  readonly max: number | null;
}

export class Domain {
  constructor(
    /** outermost first */
    readonly ranges: readonly IntRange[],
    readonly sizes: Readonly<Record<string, SizeBound>>,
  ) {}

  /** The domain with one more (inner) range; null when the name is already bound here (shadowing). */
  with(r: IntRange): Domain | null {
    if (this.ranges.some((x) => x.name === r.name) || own(this.sizes, r.name) !== undefined) return null;
    return new Domain([...this.ranges, r], this.sizes);
  }

  has(name: string): boolean {
    return this.ranges.some((r) => r.name === name) || own(this.sizes, name) !== undefined;
  }

  /** A lower bound of `a` at every point of the domain, or null when the variables leave it unbounded below. */
  lower(a: Affine): number | null {
    let cur = a;
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const r = this.ranges[i]!;
      const c = coefficient(cur, r.name);
      if (!c) continue;
      cur = affineReplace(cur, r.name, c > 0 ? r.lo : r.hi);
    }
    let value = cur.c;
    for (const [name, c] of Object.entries(cur.terms)) {
      const s = own(this.sizes, name);
      if (!s) return null;
      if (c > 0) value += c * s.min;
      else if (s.max === null) return null;
      else value += c * s.max;
    }
    return value;
  }

  upper(a: Affine): number | null {
    const low = this.lower(affineScale(a, -1));
    return low === null ? null : -low;
  }

  /** a ≥ k everywhere */
  atLeast(a: Affine, k: number): boolean {
    const low = this.lower(a);
    return low !== null && low >= k;
  }

  /** a = b everywhere (after the variables pinned to one value are replaced) */
  equal(a: Affine, b: Affine): boolean {
    const [x, y] = [this.pin(a), this.pin(b)];
    if (affineEquals(x, y)) return true;
    const diff = affineAdd(x, y, -1);
    return this.lower(diff) === 0 && this.upper(diff) === 0;
  }

  /** Variables whose range is a single value (n in T-k+1..T-k+1, a size n: 1..1), innermost first. */
  private pinned(): { name: string; value: Affine }[] {
    const out: { name: string; value: Affine }[] = [];
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const r = this.ranges[i]!;
      if (affineEquals(r.lo, r.hi)) out.push({ name: r.name, value: r.lo });
    }
    for (const [name, s] of Object.entries(this.sizes))
      if (s.max !== null && s.min === s.max) out.push({ name, value: affine(s.min) });
    return out;
  }

  /** An affine expression with every pinned variable replaced by its value. */
  pin(a: Affine): Affine {
    let cur = a;
    for (const p of this.pinned()) cur = affineReplace(cur, p.name, p.value);
    return cur;
  }

  /** An expression with every pinned variable replaced by its value (equal at every point of the domain). */
  pinExpr(e: Expr): Expr {
    let cur = e;
    for (const p of this.pinned()) cur = substituteSafely(cur, p.name, p.value);
    return cur;
  }

  /** Sizes fixed to one value by the claim (n = 1), for the statement of what was proved. */
  fixedSizes(): Record<string, number> {
    const out = nameRecord<number>();
    for (const [name, s] of Object.entries(this.sizes)) if (s.max !== null && s.min === s.max) out[name] = s.min;
    return out;
  }

  describe(): string {
    return this.ranges.map((r) => `${r.name} ∈ ${formatAffine(r.lo)}..${formatAffine(r.hi)}`).join(', ');
  }
}
