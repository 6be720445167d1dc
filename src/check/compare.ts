/**
 * Comparing the two sides of a claim at one point. Errors are relative and
 * norm-scaled (‖a − b‖ / max(‖a‖, ‖b‖)), never absolute: an absolute
 * tolerance would pass W in place of Wᵀ wherever gradients are tiny. Values
 * that cannot be compared honestly (overflow, NaN, underflow) are trouble,
 * never a pass or a fail.
 */
import type { Relation } from '../derivation/derivation.js';
import { norm2, relErr } from '../numeric/linalg.js';
import { asDense, type Dense, isScalarValue, type Value } from '../numeric/values.js';

import { UNDERFLOW } from '../numeric/reference-check.js';

/** Below this both sides are in the subnormal zone where relative error means nothing. */
export { UNDERFLOW };

/** Matrices with at most this many entries are compared in full, larger ones through probes. */
export const FULL_COMPARE_LIMIT = 256;

/** A point re-evaluated in extended precision: how it was before, and the sides' first entries as decimals. */
export interface ExtendedValues {
  /**
   * trouble; a violation within rounding distance; both sides exactly 0, or a violation only where one side is
   * exactly 0 — where underflow must be ruled out; a violation or an agreement within reach of the digits a value
   * lost on the way (in the subnormals, or to cancellation)
   */
  readonly was: 'trouble' | 'near-tolerance' | 'zero' | 'one-zero' | 'lost-digits';
  /**
   * interval enclosures (float64 bounds rounded outward), wide floats (float64 mantissas, unbounded exponent),
   * 40-digit decimals, or deep ones (64 digits) where cancellation left the 40-digit decision open
   */
  readonly arithmetic: 'interval' | 'wide-float' | 'decimal' | 'deep-decimal';
  readonly lhs: readonly string[];
  readonly rhs: readonly string[];
  /** lhs and rhs with the digits that tell a violation's sides apart (a counterexample's: ./check-claim.ts) */
  readonly apart: () => { readonly lhs: readonly string[]; readonly rhs: readonly string[] };
}

/** The entries of each side an extended look shows (ExtendedValues' lhs and rhs). */
export const EXTENDED_PREVIEW_ENTRIES = 8;

/**
 * ExtendedValues whose previews are written when first read. Only a counterexample's point is ever shown, but
 * every point looked at again makes one (at T = 1024 the lab's eq. (1) looks again at 464 points an instance, and
 * a wide float's 6-digit decimal cost ≈ 15 µs: a tenth of the look). The previews are own, enumerable properties
 * (read like any other: spread, compared in tests, serialised), each computed once, from the first entries kept.
 */
export function lazyExtendedValues<R>(
  was: ExtendedValues['was'],
  arithmetic: ExtendedValues['arithmetic'],
  lhs: readonly R[],
  rhs: readonly R[],
  preview: (x: R, digits: number) => string,
): ExtendedValues {
  const [firstL, firstR] = [lhs.slice(0, EXTENDED_PREVIEW_ENTRIES), rhs.slice(0, EXTENDED_PREVIEW_ENTRIES)];
  const shown = (side: readonly R[]) => {
    let text: readonly string[] | null = null;
    return { enumerable: true, get: () => (text ??= side.map((x) => preview(x, PREVIEW_DIGITS[0]))) };
  };
  // not enumerable: the record's data are its previews (spread, compared, serialised as before)
  const apart = { enumerable: false, value: () => distinguishedPreviews(firstL, firstR, preview) };
  return Object.defineProperties({ was, arithmetic } as ExtendedValues, {
    lhs: shown(firstL),
    rhs: shown(firstR),
    apart,
  });
}

/** The significant digits a preview is written with: the fewest of these that tell the sides apart. */
const PREVIEW_DIGITS = [6, 9, 12, 17, 25, 40] as const;

/**
 * The sides' first entries written with the fewest digits at which every pair of entries the most digits tell apart
 * reads apart: a claim refuted in extended precision by 1e-8 showed `lhs [1] rhs [1]` at six digits (a review's).
 */
function distinguishedPreviews<R>(
  lhs: readonly R[],
  rhs: readonly R[],
  preview: (x: R, digits: number) => string,
): { lhs: readonly string[]; rhs: readonly string[] } {
  const at = (digits: number) => ({ lhs: lhs.map((x) => preview(x, digits)), rhs: rhs.map((x) => preview(x, digits)) });
  const most = at(PREVIEW_DIGITS[PREVIEW_DIGITS.length - 1]!);
  const n = Math.min(lhs.length, rhs.length);
  for (const digits of PREVIEW_DIGITS.slice(0, -1)) {
    const texts = at(digits);
    let apart = true;
    for (let i = 0; i < n && apart; i++) apart = texts.lhs[i] !== texts.rhs[i] || most.lhs[i] === most.rhs[i];
    if (apart) return texts;
  }
  return most;
}

export type PointOutcome =
  | {
      readonly status: 'agree' | 'violate';
      readonly relError: number;
      readonly lhs: Float64Array;
      readonly rhs: Float64Array;
      readonly compared: string;
      readonly ratio?: number;
      /** set when the point was decided again in extended precision */
      readonly extended?: ExtendedValues;
      /**
       * a claim written strict (< or >) whose sides interval enclosures prove equal (or the wrong way) here, though
       * within the tolerance: both exactly 0 at W = 0, say — the strict relation fails exactly (a 'violate' whose
       * relError is ≤ the tolerance); set only on such a violation
       */
      readonly exactTie?: true;
      /**
       * found at the instance nudged off a kink's tie (../check/search.ts counterexamplePoints: every value moved by
       * 1e-9·(|v| + 1)), where the tie's values were the sweeps' ½ and the nudged ones are derivatives that exist
       */
      readonly offKinkTie?: true;
      /**
       * set when float64 could not decide the point and it was not decided again (why: no rule or the work budget
       * for a violation near the tolerance; for an agreement within reach of lost digits, not among the few per
       * instance decided again, or the instance too large): the float64 outcome stands
       */
      readonly unsettled?: { readonly was: ExtendedValues['was']; readonly why: string };
    }
  | {
      readonly status: 'trouble';
      readonly reason: string;
      readonly lhs: Float64Array;
      readonly rhs: Float64Array;
      readonly compared: string;
      /**
       * float64 found the claim violated here, or extended precision did where float64's agreement could not be
       * vouched for, and nothing could decide it again (within reach of digits lost on the way, or against an exact 0
       * that may be an underflow): not a refutation, but no agreement either
       */
      readonly undecidedViolation?: true;
      /**
       * in extended precision the sides' difference is what cancellation's lost digits explain (an exact 0, or within
       * their reach): no evidence alone, but what an identity's rounding residue looks like (./verdict.ts)
       */
      readonly roundingResidue?: true;
      /** a violation only at a kink's exact tie, which a nudge of every value removes (../check/search.ts tieChecked) */
      readonly atKinkTie?: true;
    };

export interface Probes {
  /** probe directions for operators: applied on the right (columns) or, with `left`, as rows */
  readonly vectors: readonly Dense[];
  readonly left: boolean;
}

/** The largest |entry| of v, or NaN if an entry is not finite. */
function peakOf(v: Float64Array): number {
  let peak = 0;
  for (let i = 0; i < v.length; i++) {
    const x = Math.abs(v[i]!);
    if (!(x <= Number.MAX_VALUE)) return NaN;
    if (x > peak) peak = x;
  }
  return peak;
}

function trouble(a: Float64Array, b: Float64Array): string | null {
  const [pa, pb] = [peakOf(a), peakOf(b)];
  if (Number.isNaN(pa) || Number.isNaN(pb)) return 'non-finite value (overflow or NaN)';
  // ‖v‖₂ ≥ max|v_i| (norm2 rescales by powers of two, exactly): far above the underflow line, or all zero,
  // the norms need not be computed.
  const peak = Math.max(pa, pb);
  if (peak === 0 || peak >= 2 * UNDERFLOW) return null;
  const m = Math.max(norm2(a), norm2(b));
  if (m > 0 && m < UNDERFLOW) return `underflow (both sides below ${UNDERFLOW})`;
  return null;
}

/** Reduces both sides to vectors that can be compared: full values, or probe responses. */
function sides(lhs: Value, rhs: Value, probes: () => Probes): { a: Float64Array; b: Float64Array; compared: string } {
  if (lhs.kind === 'dense' && rhs.kind === 'dense') {
    // `jac(...) = 0` style: a scalar right side broadcasts.
    const b =
      isScalarValue(rhs) && !isScalarValue(lhs) ? new Float64Array(lhs.data.length).fill(rhs.data[0]!) : rhs.data;
    return {
      a: lhs.data,
      b,
      compared: isScalarValue(lhs) ? 'scalars' : lhs.cols === 1 || lhs.rows === 1 ? 'full vectors' : 'full matrices',
    };
  }
  const size = lhs.rows * lhs.cols;
  if (size <= FULL_COMPARE_LIMIT) {
    const [a, b] = [asDense(lhs), asDense(rhs)];
    return {
      a: a.data,
      b: isScalarValue(b) && size > 1 ? new Float64Array(size).fill(b.data[0]!) : b.data,
      compared: 'full matrices',
    };
  }
  const p = probes();
  const respond = (v: Value, dir: Dense): Float64Array => {
    if (v.kind === 'op') return (p.left ? v.applyT(dir) : v.apply(dir)).data;
    if (isScalarValue(v)) return dir.data.map((x) => x * v.data[0]!);
    const d = v;
    const out = new Float64Array(p.left ? d.cols : d.rows);
    for (let i = 0; i < d.rows; i++)
      for (let j = 0; j < d.cols; j++) {
        if (p.left) out[j]! += d.data[i * d.cols + j]! * dir.data[i]!;
        else out[i]! += d.data[i * d.cols + j]! * dir.data[j]!;
      }
    return out;
  };
  const concat = (v: Value) => {
    const parts = p.vectors.map((dir) => respond(v, dir));
    const out = new Float64Array(parts.reduce((n, x) => n + x.length, 0));
    let at = 0;
    for (const x of parts) {
      out.set(x, at);
      at += x.length;
    }
    return out;
  };
  return {
    a: concat(lhs),
    b: concat(rhs),
    compared: `${p.vectors.length} random probe${p.vectors.length > 1 ? 's' : ''} (${p.left ? 'vᵀX' : 'Xu'})`,
  };
}

export function comparePoint(
  lhs: Value,
  rhs: Value,
  relation: Relation,
  tolerance: number,
  probes: () => Probes,
): PointOutcome {
  if (relation === '=') {
    const { a, b, compared } = sides(lhs, rhs, probes);
    const reason = trouble(a, b);
    if (reason) return { status: 'trouble', reason, lhs: a, rhs: b, compared };
    const relError = relErr(a, b);
    return { status: relError <= tolerance ? 'agree' : 'violate', relError, lhs: a, rhs: b, compared };
  }
  const [a, b] = [asDense(lhs).data, asDense(rhs).data];
  const reason = trouble(a, b);
  if (reason) return { status: 'trouble', reason, lhs: a, rhs: b, compared: 'scalars' };
  const [x, y] = relation === '<=' ? [a[0]!, b[0]!] : [b[0]!, a[0]!];
  const scale = Math.max(Math.abs(x), Math.abs(y));
  // relative excess of the side that must be smaller; ≤ 0 when the inequality holds
  const excess = scale === 0 ? 0 : (x - y) / scale;
  return {
    status: excess <= tolerance ? 'agree' : 'violate',
    relError: excess,
    lhs: a,
    rhs: b,
    compared: 'scalars',
    // how tight, as lhs/rhs (≥: rhs/lhs): only against a positive larger side — against 0 or a negative one the ratio says
    // nothing (a true `log(norm2(J)) <= k * log(norm2(W))` was reported "tightest lhs/rhs Infinity"; a review's)
    ...(y > 0 ? { ratio: x / y } : {}),
  };
}
