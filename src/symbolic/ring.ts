/**
 * Exact arithmetic, generic over a commutative ring: the exact evaluator runs
 * the same operator rules over rational-coefficient polynomials in opaque
 * atoms, over ℤ_p, over dual numbers of polynomials (forward mode), and over
 * polynomials in symbolic indices. Values are dense row-major matrices.
 */
import { SymbolicUnsupported } from './unsupported.js';

export interface Ring<R> {
  readonly zero: R;
  readonly one: R;
  readonly add: (a: R, b: R) => R;
  /** Σ terms, the same as adding them one by one from zero (a ring whose sums copy may add them in place) */
  readonly sum?: (terms: readonly R[]) => R;
  readonly sub: (a: R, b: R) => R;
  readonly neg: (a: R) => R;
  readonly mul: (a: R, b: R) => R;
  /** a number as a ring element (exactly: ℤ_p reads a double as m/2^k) */
  readonly fromNumber: (x: number) => R;
  /**
   * a constant an expression writes, or an index value: exact, where the ring tells exact constants apart from
   * computed values (wide floats' ±1, src/symbolic/domains/wide-float.ts); absent, fromNumber
   */
  readonly constant?: (x: number) => R;
  /**
   * a float64 result known only to within `doubt` times its size (a value of the float engine, a spectral norm from
   * float64's SVD): a ring that tracks such doubts carries it through its arithmetic (the decimals); absent, fromNumber
   */
  readonly fromInexact?: (x: number, doubt: number) => R;
  /** how far an element may lie from the value it stands for, from the inexact values it rests on (null: none) */
  readonly doubtOf?: (a: R) => R | null;
  /** a, known to within `doubt` (a result computed outside the ring's operations from doubtful inputs) */
  readonly withDoubt?: (a: R, doubt: R) => R;
  /**
   * how far a function value computed to the ring's precision may lie from the function's value, `units` halves of a
   * unit in its last digit (null: the ring does not count its own rounding in doubts; the rounding-tracked decimals do)
   */
  readonly ownRounding?: (a: R, units: number) => R | null;
  readonly isZero: (a: R) => boolean;
  /** the number this element is, when it is a constant */
  readonly constantOf: (a: R) => number | null;
  /** a / b, or null where the ring cannot divide by b */
  readonly div: (a: R, b: R) => R | null;
  /** a canonical text, for equality and keys */
  readonly key: (a: R) => string;
  /** for rings of real numbers (extended precision): order, size and conversion, so norms can be computed */
  readonly ordered?: OrderedRing<R>;
  /**
   * Every grouping of a product or sum gives the same value (exact arithmetic on one canonical form per element,
   * no work charged): evaluators may combine terms in any grouping and reuse partial products (ℤ_p).
   */
  readonly regroups?: boolean;
  /** a faster matrix product where the ring has one (the shapes already checked) */
  readonly matmul?: (a: RMat<R>, b: RMat<R>) => RMat<R>;
  /** a compact form for matrices kept for later (memoised values), where one element is a whole object */
  readonly compact?: CompactForm<R>;
}

/** A matrix stored compactly (typed arrays): `unpack` gives back entries equal to the packed ones, bit for bit. */
export interface PackedMat {
  readonly rows: number;
  readonly cols: number;
  readonly packed: Float64Array;
}

export interface CompactForm<R> {
  readonly pack: (m: RMat<R>) => PackedMat;
  readonly unpack: (p: PackedMat) => RMat<R>;
}

export interface OrderedRing<R> {
  readonly abs: (a: R) => R;
  readonly sqrt: (a: R) => R;
  readonly lt: (a: R, b: R) => boolean;
  /** the nearest double (±Infinity or 0 outside its range) */
  readonly toNumber: (a: R) => number;
  /** the larger and the smaller of two (where `lt` cannot always say which, as for intervals that overlap) */
  readonly max?: (a: R, b: R) => R;
  readonly min?: (a: R, b: R) => R;
  /**
   * Present where values are enclosures (intervals), whose results must contain the true value: what is only
   * estimated in float64 elsewhere (a spectral norm) has its own rule, or none.
   */
  /**
   * ρ(A), computed in the ring's own precision, its value carrying (as a doubt) how far it may lie from the spectral
   * radius of the matrix the entries stand for: decimals (../numeric/decimal-eigen.ts). Absent: no rule.
   */
  readonly spectralRadius?: (m: RMat<R>) => R;
  readonly enclosures?: {
    /** an enclosure of ‖A‖₂ */
    readonly spectralNorm: (m: RMat<R>) => R;
  };
}

/** The larger of two (a tie keeps a), through the ring's max where it has one. */
export const larger = <R>(o: OrderedRing<R>, a: R, b: R): R => (o.max ? o.max(a, b) : o.lt(a, b) ? b : a);
/** The smaller of two (a tie keeps a), through the ring's min where it has one. */
export const smaller = <R>(o: OrderedRing<R>, a: R, b: R): R => (o.min ? o.min(a, b) : o.lt(b, a) ? b : a);

export interface RMat<R> {
  readonly rows: number;
  readonly cols: number;
  readonly data: readonly R[];
}

export const rscalar = <R>(x: R): RMat<R> => ({ rows: 1, cols: 1, data: [x] });
export const risScalar = <R>(m: RMat<R>): boolean => m.rows === 1 && m.cols === 1;

export function rfill<R>(rows: number, cols: number, at: (i: number, j: number) => R): RMat<R> {
  const data: R[] = new Array<R>(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = at(i, j);
  return { rows, cols, data };
}

export function ridentity<R>(ring: Ring<R>, n: number): RMat<R> {
  return rfill(n, n, (i, j) => (i === j ? ring.one : ring.zero));
}

/**
 * Entrywise, a scalar side broadcasting against the other. Other shapes that differ have no entrywise meaning: an
 * expression the symbolic engine built with them (a broadcast scalar's Jacobian, a row, added to a matrix's, once)
 * has no value here — unsupported, not entries read past a row's end.
 */
export function rzip<R>(a: RMat<R>, b: RMat<R>, f: (x: R, y: R) => R): RMat<R> {
  const big = a.data.length >= b.data.length ? a : b;
  const [sa, sb] = [a.data.length === 1, b.data.length === 1];
  if (!sa && !sb && (a.rows !== b.rows || a.cols !== b.cols))
    throw new SymbolicUnsupported(`entrywise operands of shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols}`);
  const data = new Array<R>(big.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(sa ? a.data[0]! : a.data[i]!, sb ? b.data[0]! : b.data[i]!);
  return { rows: big.rows, cols: big.cols, data };
}

export function rmap<R>(a: RMat<R>, f: (x: R) => R): RMat<R> {
  return { rows: a.rows, cols: a.cols, data: a.data.map(f) };
}

/**
 * A 0 that stands for nothing but 0: a product with it may be skipped. A decimal 0 carrying a doubt (1 − tanh²(81),
 * which the decimals round to 0, its value 1e-70) may not: its product carries the doubt, and dropping it left a
 * Jacobian's 0 without one against a sech² side of 1e-70, a violation of rounding's making (review159).
 */
export const skippableZero = <R>(ring: Ring<R>, x: R): boolean => ring.isZero(x) && !ring.doubtOf?.(x);

export function rmatmul<R>(ring: Ring<R>, a: RMat<R>, b: RMat<R>): RMat<R> {
  if (a.cols !== b.rows) throw new RangeError(`shape mismatch ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`);
  if (ring.matmul) return ring.matmul(a, b);
  const data = new Array<R>(a.rows * b.cols);
  if (ring.sum) {
    const terms: R[] = [];
    for (let i = 0; i < a.rows; i++)
      for (let j = 0; j < b.cols; j++) {
        terms.length = 0;
        for (let k = 0; k < a.cols; k++) {
          const x = a.data[i * a.cols + k]!;
          const y = b.data[k * b.cols + j]!;
          if (!skippableZero(ring, x) && !skippableZero(ring, y)) terms.push(ring.mul(x, y));
        }
        data[i * b.cols + j] = terms.length ? ring.sum(terms) : ring.zero;
      }
    return { rows: a.rows, cols: b.cols, data };
  }
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      let acc = ring.zero;
      for (let k = 0; k < a.cols; k++) {
        const x = a.data[i * a.cols + k]!;
        const y = b.data[k * b.cols + j]!;
        if (!skippableZero(ring, x) && !skippableZero(ring, y)) acc = ring.add(acc, ring.mul(x, y));
      }
      data[i * b.cols + j] = acc;
    }
  return { rows: a.rows, cols: b.cols, data };
}

export function rtranspose<R>(a: RMat<R>): RMat<R> {
  return rfill(a.cols, a.rows, (i, j) => a.data[j * a.cols + i]!);
}

/** x^n for an integer n ≥ 0, by squaring. */
export function rpow<R>(ring: Ring<R>, x: R, n: number): R {
  let result = ring.one;
  let base = x;
  let e = n;
  while (e > 0) {
    if (e & 1) result = ring.mul(result, base);
    e = Math.floor(e / 2);
    if (e > 0) base = ring.mul(base, base);
  }
  return result;
}

/** A^n for a square A and an integer n ≥ 1 by repeated squaring: at most 2·⌊log₂ n⌋ products. */
export function rmatpow<R>(ring: Ring<R>, a: RMat<R>, n: number): RMat<R> {
  let result: RMat<R> | null = null;
  let base = a;
  for (let e = n; ;) {
    if (e % 2 === 1) result = result ? rmatmul(ring, result, base) : base;
    e = Math.floor(e / 2);
    if (e === 0) return result!;
    base = rmatmul(ring, base, base);
  }
}

export function requal<R>(ring: Ring<R>, a: RMat<R>, b: RMat<R>): boolean {
  const n = Math.max(a.data.length, b.data.length);
  if ((a.data.length !== n && a.data.length !== 1) || (b.data.length !== n && b.data.length !== 1)) return false;
  for (let i = 0; i < n; i++)
    if (
      ring.key(a.data.length === 1 ? a.data[0]! : a.data[i]!) !==
      ring.key(b.data.length === 1 ? b.data[0]! : b.data[i]!)
    )
      return false;
  return true;
}

/** Matrices this small stay as they are: two typed arrays cost more than a few entries. */
const SMALLEST_PACKED = 8;

/** A value kept for later: packed where the ring has a compact form (and the matrix is not tiny), else as it is. */
export type Kept<R> = RMat<R> | PackedMat;

export function keep<R>(ring: Ring<R>, m: RMat<R>): Kept<R> {
  return ring.compact && m.data.length >= SMALLEST_PACKED ? ring.compact.pack(m) : m;
}

export function reread<R>(ring: Ring<R>, kept: Kept<R>): RMat<R> {
  return 'packed' in kept ? ring.compact!.unpack(kept) : kept;
}

/**
 * Memoised values by key, packed while they are kept (a wide-float vector is 64 objects, its packed form two
 * typed arrays). A value read back a second time is read often (a matrix applied at every step of a chain, whose
 * scaled rows the ring caches by identity): from then on it stays unpacked.
 */
export class KeptValues<R, K = string> {
  private readonly kept = new Map<K, Kept<R>>();
  /** packed values read back once already (made on the first read-back: most tables never pack) */
  private rereadOnce: Set<K> | null = null;
  constructor(private readonly ring: Ring<R>) {}

  get(key: K): RMat<R> | undefined {
    const k = this.kept.get(key);
    if (k === undefined || !('packed' in k)) return k;
    const m = reread(this.ring, k);
    const once = (this.rereadOnce ??= new Set<K>());
    if (once.delete(key)) this.kept.set(key, m);
    else once.add(key);
    return m;
  }

  set(key: K, m: RMat<R>): void {
    this.kept.set(key, keep(this.ring, m));
  }
}
