/**
 * Dense row-major Float64Array kernels.
 *
 * Conventions: vectors are Float64Array; `out` parameters are optional and
 * allocated when omitted; every norm propagates NaN (a NaN that silently
 * vanished inside a max or a comparison could turn a failed check into a pass).
 */
import { Rng } from './prng.js';
import { simdMatVec, simdServes, withResident } from './simd.js';
import { newVec } from './slab.js';
import { chargeWork } from './work-meter.js';

/** What a dense factorization (singular values, eigenvalues) is charged on the work meter, in units of n³: its iterations' sweeps. */
export const FACTORIZATION_SWEEPS = 10;

export interface Mat {
  rows: number;
  cols: number;
  /** Row-major: entry (i, j) lives at data[i * cols + j]. */
  data: Float64Array;
}

/** A Float64Array `data` is wrapped without copying; a plain array is copied; omitted means zeros. */
export function mat(rows: number, cols: number, data?: Float64Array | readonly number[]): Mat {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`mat: invalid shape ${rows}x${cols}`);
  }
  const buf =
    data === undefined ? new Float64Array(rows * cols) : data instanceof Float64Array ? data : Float64Array.from(data);
  if (buf.length !== rows * cols) {
    throw new RangeError(`mat: ${rows}x${cols} needs ${rows * cols} entries, got ${buf.length}`);
  }
  return { rows, cols, data: buf };
}

/** `part` names the argument within `what` (' x', ' out'): the message is built only when it is thrown. */
function assertLength(v: Float64Array, n: number, what: string, part = ''): void {
  if (v.length !== n) throw new RangeError(`${what}${part}: expected length ${n}, got ${v.length}`);
}

/**
 * Kernels that write `out` while still reading an input give wrong answers if
 * the two share memory. Only called when the caller supplied `out`: reading
 * `.buffer` forces V8 to move an on-heap typed array off-heap, which made
 * every small matVec several times slower.
 */
function assertNoOverlap(out: Float64Array, input: Float64Array, what: string): void {
  if (out.buffer !== input.buffer) return;
  const outEnd = out.byteOffset + out.byteLength;
  const inEnd = input.byteOffset + input.byteLength;
  if (out.byteOffset < inEnd && input.byteOffset < outEnd) {
    throw new RangeError(`${what}: output must not alias an input`);
  }
}

/** Validates x and a caller-supplied `out` (or allocates it) for a matrix–vector kernel. */
function vectorOutput(
  A: Mat,
  x: Float64Array,
  out: Float64Array | undefined,
  inLen: number,
  outLen: number,
  what: string,
): Float64Array {
  assertLength(x, inLen, what, ' x');
  if (!out) return newVec(outLen);
  assertLength(out, outLen, what, ' out');
  assertNoOverlap(out, x, what);
  assertNoOverlap(out, A.data, what);
  return out;
}

/** A·x (vectorised where WebAssembly SIMD serves: ./simd.ts, the same operations in the same order). */
export function matVec(A: Mat, x: Float64Array, out?: Float64Array): Float64Array {
  return matVecInto(A, x, vectorOutput(A, x, out, A.cols, A.rows, 'matVec'));
}

/** matVec into y, for a caller whose lengths are right and whose y shares no memory with A or x. */
function matVecInto(A: Mat, x: Float64Array, y: Float64Array): Float64Array {
  chargeWork(A.data.length);
  if (simdServes(A.rows, A.cols)) return simdMatVec(false, A.rows, A.cols, A.data, x, y);
  return plainMatVecInto(A, x, y);
}

/** The plain loop of matVec: the reference the vectorised kernel is tested against. */
export function plainMatVec(A: Mat, x: Float64Array): Float64Array {
  return plainMatVecInto(A, x, vectorOutput(A, x, undefined, A.cols, A.rows, 'matVec'));
}

function plainMatVecInto(A: Mat, x: Float64Array, y: Float64Array): Float64Array {
  const { rows, cols, data } = A;
  // Four accumulators per row (independent dependency chains run about 30% faster in V8 than one), two
  // rows per pass sharing the loads of x. Each row's sum is the same expression whether paired or not.
  const c4 = cols - (cols & 3);
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    let k = i * cols;
    let l = k + cols;
    let j = 0;
    for (; j < c4; j += 4, k += 4, l += 4) {
      const x0 = x[j] as number;
      const x1 = x[j + 1] as number;
      const x2 = x[j + 2] as number;
      const x3 = x[j + 3] as number;
      s0 += (data[k] as number) * x0;
      s1 += (data[k + 1] as number) * x1;
      s2 += (data[k + 2] as number) * x2;
      s3 += (data[k + 3] as number) * x3;
      t0 += (data[l] as number) * x0;
      t1 += (data[l + 1] as number) * x1;
      t2 += (data[l + 2] as number) * x2;
      t3 += (data[l + 3] as number) * x3;
    }
    for (; j < cols; j++, k++, l++) {
      s0 += (data[k] as number) * (x[j] as number);
      t0 += (data[l] as number) * (x[j] as number);
    }
    y[i] = s0 + s1 + (s2 + s3);
    y[i + 1] = t0 + t1 + (t2 + t3);
  }
  for (; i < rows; i++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = i * cols;
    let j = 0;
    for (; j < c4; j += 4, k += 4) {
      s0 += (data[k] as number) * (x[j] as number);
      s1 += (data[k + 1] as number) * (x[j + 1] as number);
      s2 += (data[k + 2] as number) * (x[j + 2] as number);
      s3 += (data[k + 3] as number) * (x[j + 3] as number);
    }
    for (; j < cols; j++, k++) s0 += (data[k] as number) * (x[j] as number);
    y[i] = s0 + s1 + (s2 + s3);
  }
  return y;
}

/** Aᵀ·x, accumulated row by row so the transpose is never formed. */
export function matTVec(A: Mat, x: Float64Array, out?: Float64Array): Float64Array {
  return matTVecInto(A, x, vectorOutput(A, x, out, A.rows, A.cols, 'matTVec'));
}

/** matTVec into y, for a caller whose lengths are right and whose y shares no memory with A or x. */
function matTVecInto(A: Mat, x: Float64Array, y: Float64Array): Float64Array {
  chargeWork(A.data.length);
  if (simdServes(A.rows, A.cols)) return simdMatVec(true, A.rows, A.cols, A.data, x, y);
  return plainMatTVecInto(A, x, y);
}

/** The plain loop of matTVec: the reference the vectorised kernel is tested against. */
export function plainMatTVec(A: Mat, x: Float64Array): Float64Array {
  return plainMatTVecInto(A, x, vectorOutput(A, x, undefined, A.rows, A.cols, 'matTVec'));
}

function plainMatTVecInto(A: Mat, x: Float64Array, y: Float64Array): Float64Array {
  y.fill(0);
  const { rows, cols, data } = A;
  // Four rows per pass over y: each y[j] still receives its terms in row order (((y + a₀x₀) + a₁x₁) + …),
  // so the result is bitwise that of one row at a time, with a quarter of the loads and stores of y.
  const r4 = rows - (rows & 3);
  let i = 0;
  for (; i < r4; i += 4) {
    const x0 = x[i] as number;
    const x1 = x[i + 1] as number;
    const x2 = x[i + 2] as number;
    const x3 = x[i + 3] as number;
    const k0 = i * cols;
    const k1 = k0 + cols;
    const k2 = k1 + cols;
    const k3 = k2 + cols;
    for (let j = 0; j < cols; j++)
      y[j] =
        (y[j] as number) +
        (data[k0 + j] as number) * x0 +
        (data[k1 + j] as number) * x1 +
        (data[k2 + j] as number) * x2 +
        (data[k3 + j] as number) * x3;
  }
  for (; i < rows; i++) {
    const xi = x[i] as number;
    const row = i * cols;
    for (let j = 0; j < cols; j++) y[j] = (y[j] as number) + (data[row + j] as number) * xi;
  }
  return y;
}

/** A·B (i-k-j loop order so the inner loop streams rows of B and C). */
export function matMul(A: Mat, B: Mat): Mat {
  if (A.cols !== B.rows) throw new RangeError(`matMul: ${A.rows}x${A.cols} · ${B.rows}x${B.cols}`);
  chargeWork(A.rows * A.cols * B.cols);
  const C = mat(A.rows, B.cols);
  const n = B.cols;
  for (let i = 0; i < A.rows; i++) {
    for (let k = 0; k < A.cols; k++) {
      const aik = A.data[i * A.cols + k] as number;
      for (let j = 0; j < n; j++) {
        C.data[i * n + j] = (C.data[i * n + j] as number) + aik * (B.data[k * n + j] as number);
      }
    }
  }
  return C;
}

export function transpose(A: Mat): Mat {
  const T = mat(A.cols, A.rows);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < A.cols; j++) T.data[j * A.rows + i] = A.data[i * A.cols + j] as number;
  }
  return T;
}

export function dot(a: Float64Array, b: Float64Array): number {
  assertLength(b, a.length, 'dot');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** y += alpha·x in place; returns y. */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): Float64Array {
  assertLength(y, x.length, 'axpy');
  for (let i = 0; i < x.length; i++) y[i] = (y[i] as number) + alpha * (x[i] as number);
  return y;
}

/** max |v_i|; NaN if any entry is NaN (Math.max alone would do, but a loop avoids spreading huge arrays). */
function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i] as number);
    if (Number.isNaN(a)) return NaN;
    if (a > m) m = a;
  }
  return m;
}

/**
 * Factors [f1, f2] with f1·f2 = 2⁻ᵉ, where 2ᵉ ≈ m (m finite, > 0). Multiplying
 * by a power of two is exact (barring underflow of entries far below m), so
 * rescaling adds no rounding; the factor is split in two because 2⁻ᵉ alone is
 * not representable for subnormal m. Hot loops take the two factors from the
 * exponent (`scaleExponent`, `firstScale`, `secondScale`): no pair allocated per call.
 */
export function pow2ScaleFor(m: number): [number, number] {
  const e = scaleExponent(m);
  return [firstScale(e), secondScale(e)];
}

/** e with 2ᵉ ≈ m (m finite, > 0): what the two scale factors are made from. */
export const scaleExponent = (m: number): number => binaryExponent(m);
/** The first factor of 2⁻ᵉ (see `pow2ScaleFor`). */
export const firstScale = (e: number): number => POWERS_OF_TWO[POWER_OFFSET - Math.trunc(e / 2)]!;
/** The second factor of 2⁻ᵉ (see `pow2ScaleFor`). */
export const secondScale = (e: number): number => POWERS_OF_TWO[POWER_OFFSET + Math.trunc(e / 2) - e]!;

/** 2^k for |k| ≤ 600 (both factors above stay within ±538): a look-up costs a quarter of `2 ** k`. */
const POWER_OFFSET = 600;
const POWERS_OF_TWO = Float64Array.from({ length: 2 * POWER_OFFSET + 1 }, (_, i) => 2 ** (i - POWER_OFFSET));

const exponentView = new Float64Array(1);
const exponentBits = new Uint32Array(exponentView.buffer);
/** The index of the high 32-bit word of a float64 in this machine's byte order. */
const HIGH_WORD = new Uint8Array(Float64Array.of(-0).buffer)[7] === 0x80 ? 1 : 0;

/**
 * ⌊log₂ m⌋ for m finite and > 0, read off the float's exponent field (norms call this for every vector; it is
 * exact where Math.log2 may round up just below a power of two); subnormals, which have no exponent field of
 * their own, go through Math.log2 (off by one at worst, which leaves the scaled maximum in [1/2, 2)).
 */
function binaryExponent(m: number): number {
  exponentView[0] = m;
  const biased = (exponentBits[HIGH_WORD]! >>> 20) & 0x7ff;
  return biased === 0 ? Math.floor(Math.log2(m)) : biased - 1023;
}

/**
 * Euclidean norm, immune to overflow/underflow of the squares: entries are
 * rescaled by a power of two near max|v_i| first (the idea behind BLAS dnrm2,
 * but with an exact scale). Inf if any entry is ±Inf, NaN if any is NaN.
 */
export function norm2(v: Float64Array): number {
  const m = maxAbs(v);
  if (m === 0 || !Number.isFinite(m)) return m;
  const e = scaleExponent(m);
  const f1 = firstScale(e);
  const f2 = secondScale(e);
  let ssq = 0;
  for (let i = 0; i < v.length; i++) {
    const s = (v[i] as number) * f1 * f2;
    ssq += s * s;
  }
  return Math.sqrt(ssq) / f1 / f2;
}

/** max |v_i| (NaN-propagating). */
export function normInfVec(v: Float64Array): number {
  return maxAbs(v);
}

export function frobenius(A: Mat): number {
  return norm2(A.data);
}

/** Induced ∞-norm: max over rows of Σ_j |a_ij|. */
export function normInf(A: Mat): number {
  const sums = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let j = 0; j < A.cols; j++) s += Math.abs(A.data[i * A.cols + j] as number);
    sums[i] = s;
  }
  return maxAbs(sums);
}

/** Induced 1-norm: max over columns of Σ_i |a_ij|. */
export function norm1(A: Mat): number {
  const sums = new Float64Array(A.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < A.cols; j++) sums[j] = (sums[j] as number) + Math.abs(A.data[i * A.cols + j] as number);
  }
  return maxAbs(sums);
}

const EPS = Number.EPSILON;
const MAX_JACOBI_SWEEPS = 100;
/** After prescaling σ_max ≥ max|a_ij| ≳ 1/2; see the skip rule in singularValues. */
const NEGLIGIBLE_SQ = 2 ** -800;

/**
 * Singular values, descending, length min(rows, cols), by one-sided Jacobi
 * (Hestenes): plane rotations are applied to pairs of columns until every
 * pair is numerically orthogonal; the column norms are then the singular
 * values. It is backward stable with σ_max accurate to O(√m·ε) relative,
 * which is why it (and not an eigen-solve of AᵀA, which squares the condition
 * number) backs the ‖J‖₂ checks.
 *
 * Returns all-NaN if A has a non-finite entry. Throws if it does not converge.
 */
export function singularValues(A: Mat): Float64Array {
  // Orthogonalise the shorter dimension: columns of A if tall, rows (= columns of Aᵀ) if wide.
  const tall = A.rows >= A.cols;
  const k = Math.min(A.rows, A.cols);
  // one-sided Jacobi: a handful of sweeps of k²/2 rotations over columns of length max(rows, cols)
  chargeWork(FACTORIZATION_SWEEPS * A.rows * A.cols * k);
  const len = Math.max(A.rows, A.cols);
  const sigma = new Float64Array(k);
  if (k === 0) return sigma;

  const m = maxAbs(A.data);
  if (!Number.isFinite(m)) return sigma.fill(NaN);
  if (m === 0) return sigma;

  // Exact power-of-two prescale to max|a_ij| ≈ 1 (within a factor 2) so squares and dots cannot overflow.
  const [f1, f2] = pow2ScaleFor(m);
  const cols: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const v = new Float64Array(len);
    for (let r = 0; r < len; r++) {
      const entry = tall ? A.data[r * A.cols + c] : A.data[c * A.cols + r];
      v[r] = (entry as number) * f1 * f2;
    }
    cols.push(v);
  }

  // Pairs with cosine below tol are treated as orthogonal; √len·ε is LAPACK dgesvj's choice.
  // The leftover cosines perturb σ_max by ≲ tol relative, and every σ by ≲ tol·σ_max absolute.
  const tol = Math.sqrt(len) * EPS;
  let converged = false;
  for (let sweep = 0; sweep < MAX_JACOBI_SWEEPS && !converged; sweep++) {
    converged = true;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        const ap = cols[p] as Float64Array;
        const aq = cols[q] as Float64Array;
        // Recomputed every time (not updated) so rounding cannot drift the norms.
        const alpha = dot(ap, ap);
        const beta = dot(aq, aq);
        const gamma = dot(ap, aq);
        // Columns with norm² below NEGLIGIBLE_SQ are left alone: their squares and dot products
        // may underflow, which can stall convergence, and they move no σ by more than ~2^-400·σ_max.
        if (alpha < NEGLIGIBLE_SQ || beta < NEGLIGIBLE_SQ) continue;
        if (!(Math.abs(gamma) > tol * Math.sqrt(alpha) * Math.sqrt(beta))) continue;
        converged = false;
        // Rotation zeroing the (p, q) entry of the 2x2 Gram matrix [[α, γ], [γ, β]];
        // t is the smaller root of t² + 2ζt − 1 = 0, which keeps |θ| ≤ π/4.
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.hypot(1, zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let r = 0; r < len; r++) {
          const x = ap[r] as number;
          const y = aq[r] as number;
          ap[r] = c * x - s * y;
          aq[r] = s * x + c * y;
        }
      }
    }
  }
  if (!converged) throw new Error(`singularValues: Jacobi SVD did not converge in ${MAX_JACOBI_SWEEPS} sweeps`);

  for (let c = 0; c < k; c++) sigma[c] = norm2(cols[c] as Float64Array) / f1 / f2;
  return sigma.sort().reverse();
}

/** ‖A‖₂ = σ_max (0 for an empty matrix; NaN if A has a non-finite entry). */
export function spectralNorm(A: Mat): number {
  return singularValues(A)[0] ?? 0;
}

/** The largest eigenvalue of the symmetric tridiagonal matrix (diagonal a, off-diagonal b), by bisection on Sturm counts. */
function largestTridiagonalEigenvalue(a: readonly number[], b: readonly number[]): number {
  const k = a.length;
  // Gershgorin: every eigenvalue lies in [lo, hi]
  let [lo, hi] = [Infinity, -Infinity];
  for (let i = 0; i < k; i++) {
    const r = (i > 0 ? Math.abs(b[i - 1]!) : 0) + (i < k - 1 ? Math.abs(b[i]!) : 0);
    lo = Math.min(lo, a[i]! - r);
    hi = Math.max(hi, a[i]! + r);
  }
  // eigenvalues above x: the negative pivots of T − xI's LDLᵀ (Sturm)
  const above = (x: number): number => {
    let count = 0;
    let d = 1;
    for (let i = 0; i < k; i++) {
      d = a[i]! - x - (i > 0 ? (b[i - 1]! * b[i - 1]!) / d : 0);
      if (d === 0) d = -EPS * (Math.abs(x) + EPS);
      if (d < 0) count++;
    }
    return k - count;
  };
  for (let it = 0; it < 200 && hi - lo > 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi)); it++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (above(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * ‖A‖₂ to float64's precision by Lanczos on AᵀA with full reorthogonalisation, from a fixed random start: the
 * largest Ritz value θ converges like Chebyshev-accelerated power iteration, and the loop stops where its residual
 * ‖AᵀA x − θx‖ = β|y_last| (x the Ritz vector, y its coordinates in the Krylov basis) is at rounding level — θ is
 * then within that of an eigenvalue, and a Ritz vector near a cluster just below σ₁² keeps a residual of the gap's
 * size, so the loop does not stop inside it (a review's 1 − 1e-8 cluster under σ₁ = 1: a stop on "θ unchanged for
 * two steps" was 1.2e-8 short) — or where the Krylov space is the whole space or invariant, where θ is exact. The
 * entries are first brought near 1 by a power of two (exact), so neither 1e307 nor subnormal entries overflow or
 * vanish on the way. The power iteration that scaled the regimes' matrices until 2026-12-06 stalled 2e-9 to 8e-7
 * below the norm at d = 16..256, and the regimes' matrices it scaled had norms that much above the regime's: a claim
 * tight at a regime's norm (`norm2(W) <= 1` in the near-critical regime, whose norm is 1) was refuted on that alone.
 * A few dozen products of A and Aᵀ on a random matrix, where `spectralNorm`'s one-sided Jacobi takes n³ work per
 * sweep (9 ms at d = 64, 1 s at d = 256).
 */
export function largestSingularValue(A: Mat): number {
  const n = A.cols;
  if (A.rows === 0 || n === 0) return 0;
  const m = maxAbs(A.data);
  if (!Number.isFinite(m)) return NaN;
  if (m === 0) return 0;
  const [f1, f2] = pow2ScaleFor(m);
  const scaled = new Float64Array(A.data.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = A.data[i]! * f1 * f2;
  const B = mat(A.rows, n, scaled);
  // divided out one factor at a time: their product may overflow (subnormal entries) or vanish
  return withResident([scaled], () => lanczosTop(B)) / f1 / f2;
}

/** The relative residual at which the Ritz value is taken as σ₁²: a few units in the last place. */
const RITZ_RESIDUAL = 16 * EPS;

function lanczosTop(A: Mat): number {
  const n = A.cols;
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  const w = new Float64Array(A.rows);
  let q = new Rng(0x5eed).fillNormal(new Float64Array(n));
  let nq = norm2(q);
  for (let j = 0; j < n; j++) q[j] = q[j]! / nq;
  let theta = 0;
  // at most n steps: the Krylov space is then the whole space, and θ exact
  for (let step = 0; step < n; step++) {
    basis.push(q);
    matVecInto(A, q, w);
    const z = matTVecInto(A, w, new Float64Array(n));
    alpha.push(dot(q, z));
    // Full reorthogonalisation, twice ("twice is enough"): z ⟂ every basis vector, which also takes out α q and β q₋₁.
    chargeWork(4 * basis.length * n);
    for (let pass = 0; pass < 2; pass++)
      for (const b of basis) {
        const c = dot(b, z);
        for (let j = 0; j < n; j++) z[j] = z[j]! - c * b[j]!;
      }
    theta = largestTridiagonalEigenvalue(alpha, beta);
    nq = norm2(z);
    if (!(nq > EPS * Math.max(theta, EPS)) || nq * lastRitzComponent(alpha, beta, theta) <= RITZ_RESIDUAL * theta)
      break;
    beta.push(nq);
    for (let j = 0; j < n; j++) z[j] = z[j]! / nq;
    q = z;
  }
  return Math.sqrt(theta);
}

/**
 * |y_last| of the unit eigenvector y of the tridiagonal (a, b) for its largest eigenvalue θ, by two steps of inverse
 * iteration with a shift just above θ: σI − T is then positive definite, and its LDLᵀ solve needs no pivoting.
 */
function lastRitzComponent(a: readonly number[], b: readonly number[], theta: number): number {
  const k = a.length;
  const shift = theta + 8 * EPS * Math.max(Math.abs(theta), EPS);
  const d = new Float64Array(k);
  // LDLᵀ of σI − T: d the pivots, the multipliers −b_i/d_i
  for (let i = 0; i < k; i++) {
    d[i] = shift - a[i]! - (i > 0 ? (b[i - 1]! * b[i - 1]!) / d[i - 1]! : 0);
    if (!(d[i]! > 0)) d[i] = EPS * Math.max(Math.abs(theta), EPS);
  }
  let y = new Float64Array(k).fill(1);
  for (let it = 0; it < 2; it++) {
    const x = new Float64Array(k);
    // forward: L u = y (L unit lower, subdiagonal −b_{i−1}/d_{i−1}); then D, then Lᵀ backward
    for (let i = 0; i < k; i++) x[i] = y[i]! + (i > 0 ? (b[i - 1]! / d[i - 1]!) * x[i - 1]! : 0);
    for (let i = 0; i < k; i++) x[i] = x[i]! / d[i]!;
    for (let i = k - 2; i >= 0; i--) x[i] = x[i]! + (b[i]! / d[i]!) * x[i + 1]!;
    const nx = norm2(x);
    if (!(nx > 0) || !Number.isFinite(nx)) return 1;
    for (let i = 0; i < k; i++) x[i] = x[i]! / nx;
    y = x;
  }
  return Math.abs(y[k - 1]!);
}

/**
 * Copy of A scaled so its spectral norm is `target`, to float64's precision (`largestSingularValue`): the regimes'
 * recurrent matrices have the regime's norm, not a norm a power iteration's stall left above it.
 */
export function scaleToSpectralNorm(A: Mat, target: number): Mat {
  if (!(target >= 0) || !Number.isFinite(target)) throw new RangeError(`scaleToSpectralNorm: bad target ${target}`);
  const est = largestSingularValue(A);
  if (!(est > 0) || !Number.isFinite(est)) {
    throw new RangeError(`scaleToSpectralNorm: cannot rescale a matrix with norm ${est}`);
  }
  const factor = target / est;
  // every entry times the factor (a loop, not a closure called per entry)
  const scaled = new Float64Array(A.data.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = A.data[i]! * factor;
  return mat(A.rows, A.cols, scaled);
}

/**
 * ‖a − b‖₂ / max(‖a‖₂, ‖b‖₂); 0 when both are exactly zero; NaN if any entry
 * is non-finite. Both vectors are first rescaled by the same power of two so
 * that a − b cannot overflow even for entries near ±1.8e308.
 */
export function relErr(a: Float64Array, b: Float64Array): number {
  assertLength(b, a.length, 'relErr');
  const n = a.length;
  // max(maxAbs(a), maxAbs(b)) in one pass; a NaN or an infinity anywhere makes it NaN either way
  let m = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.abs(a[i] as number);
    const y = Math.abs(b[i] as number);
    if (!(x <= Number.MAX_VALUE && y <= Number.MAX_VALUE)) return NaN;
    if (x > m) m = x;
    if (y > m) m = y;
  }
  if (m === 0) return 0;
  const e = scaleExponent(m);
  const f1 = firstScale(e);
  const f2 = secondScale(e);
  // norm2 of the rescaled a, b and their difference, computed from the entries on the fly (two passes, no
  // arrays): the same operations in the same order as norm2 on the materialised vectors. The maxima are taken
  // by comparison: every entry is finite here, so Math.max's NaN and −0 cases never arise.
  let ma = 0;
  let mb = 0;
  let md = 0;
  for (let i = 0; i < n; i++) {
    const sa = (a[i] as number) * f1 * f2;
    const sb = (b[i] as number) * f1 * f2;
    const ua = Math.abs(sa);
    const ub = Math.abs(sb);
    const ud = Math.abs(sa - sb);
    if (ua > ma) ma = ua;
    if (ub > mb) mb = ub;
    if (ud > md) md = ud;
  }
  const ea = ma > 0 ? scaleExponent(ma) : 0;
  const eb = mb > 0 ? scaleExponent(mb) : 0;
  const ed = md > 0 ? scaleExponent(md) : 0;
  const a1 = firstScale(ea);
  const a2 = secondScale(ea);
  const b1 = firstScale(eb);
  const b2 = secondScale(eb);
  const d1 = firstScale(ed);
  const d2 = secondScale(ed);
  let qa = 0;
  let qb = 0;
  let qd = 0;
  for (let i = 0; i < n; i++) {
    const sa = (a[i] as number) * f1 * f2;
    const sb = (b[i] as number) * f1 * f2;
    const ua = sa * a1 * a2;
    const ub = sb * b1 * b2;
    const ud = (sa - sb) * d1 * d2;
    qa += ua * ua;
    qb += ub * ub;
    qd += ud * ud;
  }
  const na = ma === 0 ? 0 : Math.sqrt(qa) / a1 / a2;
  const nb = mb === 0 ? 0 : Math.sqrt(qb) / b1 / b2;
  const nd = md === 0 ? 0 : Math.sqrt(qd) / d1 / d2;
  return nd / Math.max(na, nb);
}

/**
 * A⁻¹ by Gauss–Jordan elimination with partial pivoting, or null when A is
 * singular to working precision (a pivot below n·ε·max|a_ij|).
 */
export function invert(A: Mat): Float64Array | null {
  const n = A.rows;
  if (A.cols !== n) throw new RangeError(`invert: ${A.rows}x${A.cols} is not square`);
  chargeWork(2 * n * n * n);
  const w = 2 * n;
  const a = new Float64Array(n * w);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      a[i * w + j] = A.data[i * n + j]!;
      scale = Math.max(scale, Math.abs(A.data[i * n + j]!));
    }
    a[i * w + n + i] = 1;
  }
  if (!Number.isFinite(scale)) return null;
  const tiny = n * Number.EPSILON * scale;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * w + col]!) > Math.abs(a[pivot * w + col]!)) pivot = r;
    if (!(Math.abs(a[pivot * w + col]!) > tiny)) return null;
    if (pivot !== col)
      for (let j = 0; j < w; j++) [a[col * w + j], a[pivot * w + j]] = [a[pivot * w + j]!, a[col * w + j]!];
    const p = a[col * w + col]!;
    for (let j = 0; j < w; j++) a[col * w + j]! /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * w + col]!;
      if (f === 0) continue;
      for (let j = 0; j < w; j++) a[r * w + j]! -= f * a[col * w + j]!;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = a[i * w + n + j]!;
  return out;
}
