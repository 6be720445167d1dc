/**
 * Eigenvalues of a real, not necessarily symmetric, matrix: balancing,
 * reduction to upper Hessenberg form by stabilised elimination, and the
 * Francis double-shift QR iteration (the classic balanc/elmhes/hqr sequence,
 * as in EISPACK and Numerical Recipes §11.5–11.6). The spectral radius ρ(A)
 * is the largest modulus; for a non-normal A it can be far below ‖A‖₂.
 */
import { FACTORIZATION_SWEEPS, type Mat, pow2ScaleFor } from './linalg.js';
import { chargeWork } from './work-meter.js';

/** 1-based square work array, as the algorithm is usually written (index 0 unused). */
type Work = number[][];

function toWork(A: Mat): Work {
  const n = A.rows;
  const a: Work = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
  for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) a[i]![j] = A.data[(i - 1) * n + (j - 1)]!;
  return a;
}

/** Similarity by powers of 2 so rows and columns have comparable norms (exact in floating point). */
function balance(a: Work, n: number): void {
  const RADIX = 2;
  const SQRDX = RADIX * RADIX;
  let done = false;
  while (!done) {
    done = true;
    for (let i = 1; i <= n; i++) {
      let r = 0;
      let c = 0;
      for (let j = 1; j <= n; j++)
        if (j !== i) {
          c += Math.abs(a[j]![i]!);
          r += Math.abs(a[i]![j]!);
        }
      if (c === 0 || r === 0) continue;
      let g = r / RADIX;
      let f = 1;
      const s = c + r;
      while (c < g) {
        f *= RADIX;
        c *= SQRDX;
      }
      g = r * RADIX;
      while (c > g) {
        f /= RADIX;
        c /= SQRDX;
      }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        g = 1 / f;
        for (let j = 1; j <= n; j++) a[i]![j]! *= g;
        for (let j = 1; j <= n; j++) a[j]![i]! *= f;
      }
    }
  }
}

/** Upper Hessenberg form by Gaussian elimination with pivoting (a similarity transform). */
function hessenberg(a: Work, n: number): void {
  for (let m = 2; m < n; m++) {
    let x = 0;
    let i = m;
    for (let j = m; j <= n; j++)
      if (Math.abs(a[j]![m - 1]!) > Math.abs(x)) {
        x = a[j]![m - 1]!;
        i = j;
      }
    if (i !== m) {
      for (let j = m - 1; j <= n; j++) [a[i]![j], a[m]![j]] = [a[m]![j]!, a[i]![j]!];
      for (let j = 1; j <= n; j++) [a[j]![i], a[j]![m]] = [a[j]![m]!, a[j]![i]!];
    }
    if (x === 0) continue;
    for (i = m + 1; i <= n; i++) {
      let y = a[i]![m - 1]!;
      if (y === 0) continue;
      y /= x;
      a[i]![m - 1] = y;
      for (let j = m; j <= n; j++) a[i]![j]! -= y * a[m]![j]!;
      for (let j = 1; j <= n; j++) a[j]![m]! += y * a[j]![i]!;
    }
  }
}

const sign = (a: number, b: number) => (b >= 0 ? Math.abs(a) : -Math.abs(a));

/** Eigenvalues (re, im) of an upper Hessenberg matrix by the Francis double-shift QR; null if it does not converge. */
function hqr(a: Work, n: number): { re: number[]; im: number[]; sweeps: number } | null {
  const wr = new Array<number>(n + 1).fill(0);
  const wi = new Array<number>(n + 1).fill(0);
  let anorm = 0;
  for (let i = 1; i <= n; i++) for (let j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(a[i]![j]!);
  let nn = n;
  let t = 0;
  let sweeps = 0;
  // The iteration's scalars carry values from one sweep to the next (p, q, r between bulge-chasing steps).
  let p = 0;
  let q = 0;
  let r = 0;
  let s: number;
  let w: number;
  let x: number;
  let y: number;
  let z: number;
  while (nn >= 1) {
    let its = 0;
    let l: number;
    do {
      for (l = nn; l >= 2; l--) {
        s = Math.abs(a[l - 1]![l - 1]!) + Math.abs(a[l]![l]!);
        if (s === 0) s = anorm;
        if (Math.abs(a[l]![l - 1]!) + s === s) {
          a[l]![l - 1] = 0;
          break;
        }
      }
      x = a[nn]![nn]!;
      if (l === nn) {
        wr[nn] = x + t;
        wi[nn--] = 0;
      } else {
        y = a[nn - 1]![nn - 1]!;
        w = a[nn]![nn - 1]! * a[nn - 1]![nn]!;
        if (l === nn - 1) {
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + sign(z, p);
            wr[nn - 1] = wr[nn] = x + z;
            if (z) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn - 1] = -(wi[nn] = z);
          }
          nn -= 2;
        } else {
          if (its === 60) return null;
          if (its === 10 || its === 20 || its === 40) {
            // Exceptional shifts break the rare cycles of the plain double shift.
            t += x;
            for (let i = 1; i <= nn; i++) a[i]![i]! -= x;
            s = Math.abs(a[nn]![nn - 1]!) + Math.abs(a[nn - 1]![nn - 2]!);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          ++its;
          ++sweeps;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m]![m]!;
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[m + 1]![m]! + a[m]![m + 1]!;
            q = a[m + 1]![m + 1]! - z - r - s;
            r = a[m + 2]![m + 1]!;
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m]![m - 1]!) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(a[m - 1]![m - 1]!) + Math.abs(z) + Math.abs(a[m + 1]![m + 1]!));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i]![i - 2] = 0;
            if (i !== m + 2) a[i]![i - 3] = 0;
          }
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[k]![k - 1]!;
              q = a[k + 1]![k - 1]!;
              r = k !== nn - 1 ? a[k + 2]![k - 1]! : 0;
              x = Math.abs(p) + Math.abs(q) + Math.abs(r);
              if (x !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            s = sign(Math.sqrt(p * p + q * q + r * r), p);
            if (s === 0) continue;
            if (k === m) {
              if (l !== m) a[k]![k - 1] = -a[k]![k - 1]!;
            } else a[k]![k - 1] = -s * x;
            p += s;
            x = p / s;
            y = q / s;
            z = r / s;
            q /= p;
            r /= p;
            for (let j = k; j <= nn; j++) {
              p = a[k]![j]! + q * a[k + 1]![j]!;
              if (k !== nn - 1) {
                p += r * a[k + 2]![j]!;
                a[k + 2]![j]! -= p * z;
              }
              a[k + 1]![j]! -= p * y;
              a[k]![j]! -= p * x;
            }
            const mmin = nn < k + 3 ? nn : k + 3;
            for (let i = l; i <= mmin; i++) {
              p = x * a[i]![k]! + y * a[i]![k + 1]!;
              if (k !== nn - 1) {
                p += z * a[i]![k + 2]!;
                a[i]![k + 2]! -= p * r;
              }
              a[i]![k + 1]! -= p * q;
              a[i]![k]! -= p;
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return { re: wr.slice(1), im: wi.slice(1), sweeps };
}

/** The eigenvalues of a real square matrix, or null when the iteration does not converge (reported as trouble). */
export function eigenvalues(A: Mat): { re: number[]; im: number[] } | null {
  const ev = eigenvaluesWithError(A);
  return ev && { re: ev.re, im: ev.im };
}

/**
 * The eigenvalues, with a bound on the backward error of the computation: they are the exact eigenvalues of B + E, B a
 * matrix similar to A (balanced by powers of two) and ‖E‖_F ≤ `backward`. Balancing and the scaling by powers of two
 * are exact; the elimination to Hessenberg form and each double-shift QR sweep are backward stable, each adding a few
 * units of roundoff per entry of the matrices they work on (taken as 16·n² roundoffs of the larger of ‖B‖_F and the
 * Hessenberg matrix's ‖H‖_F, which measures any growth the elimination had, per stage: the elimination's n and every
 * sweep done). `norm`: ‖B‖_F.
 */
export function eigenvaluesWithError(A: Mat): { re: number[]; im: number[]; backward: number; norm: number } | null {
  if (A.rows !== A.cols) throw new RangeError(`eigenvalues of a ${A.rows}×${A.cols} matrix`);
  if (!A.data.every(Number.isFinite)) return null;
  const n = A.rows;
  chargeWork(FACTORIZATION_SWEEPS * n * n * n);
  const a = toWork(A);
  // Balanced first (a similarity by powers of two: it evens out entries 1e300 apart, [[0, 1e200], [1e-200, 0]]), then,
  // where its entries are far from 1, scaled by a power of two (exact) and the eigenvalues scaled back: on entries
  // near 1e-162 the iteration's products fell into the subnormals and ρ(1e-162·Q) came out 5e-4 off (the true
  // ρ ≤ ‖·‖₂ was refuted); scaled before balancing, the small entries of a matrix spanning 1e400 were flushed to 0
  // (ρ of that one came out 0; both found by reviews).
  balance(a, n);
  let m = 0;
  for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) m = Math.max(m, Math.abs(a[i]![j]!));
  if (m === 0) return { re: new Array<number>(n).fill(0), im: new Array<number>(n).fill(0), backward: 0, norm: 0 };
  const [f1, f2] = m < 2 ** -400 || m > 2 ** 400 ? pow2ScaleFor(m) : [1, 1];
  if (f1 !== 1 || f2 !== 1) for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) a[i]![j] = a[i]![j]! * f1 * f2;
  const balanced = frobeniusOf(a, n);
  hessenberg(a, n);
  const reduced = frobeniusOf(a, n);
  const ev = hqr(a, n);
  if (!ev) return null;
  const back = (x: number) => x / f1 / f2;
  const backward = BACKWARD_ROUNDOFFS * n * n * (n + ev.sweeps) * 2 ** -53 * Math.max(balanced, reduced);
  return { re: ev.re.map(back), im: ev.im.map(back), backward: back(backward), norm: back(balanced) };
}

/** The roundoffs per entry and stage taken for the backward error of the eigenvalues' computation (`eigenvaluesWithError`). */
const BACKWARD_ROUNDOFFS = 16;

/** ‖·‖_F of a work array (its scaled entries are near 1: no overflow). */
function frobeniusOf(a: Work, n: number): number {
  let s = 0;
  for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) s += a[i]![j]! * a[i]![j]!;
  return Math.sqrt(s);
}

/** ρ(A) = max |λ|; NaN when the eigenvalues could not be computed. */
export function spectralRadius(A: Mat): number {
  return spectralRadiusWithError(A, 0).rho;
}

/**
 * ρ(A) and a bound on how far it may lie from the spectral radius of the matrix A stands for, whose entries A's are
 * within `entryPrecision` of (relative to ‖A‖_F). The eigenvalues of a nearly defective matrix move far more than its
 * entries: a Jordan block of size k by ε^(1/k) of an entry change ε (a nilpotent matrix's ρ = 0 came out 1.5e-8 in
 * float64, and true claims about ρ were refuted on it, a review found). Elsner's theorem bounds that for any matrix:
 * every eigenvalue of A + E lies within (‖A‖₂ + ‖A + E‖₂)^(1 − 1/n)·‖E‖₂^(1/n) of one of A's and the other way round,
 * so ρ moves by at most as much; taken once for the computation's backward error (on the balanced matrix) and once
 * for the entries' own. `error` is NaN where ρ is.
 */
export function spectralRadiusWithError(A: Mat, entryPrecision: number): { rho: number; error: number } {
  const ev = eigenvaluesWithError(A);
  if (!ev) return { rho: NaN, error: NaN };
  let rho = 0;
  for (let i = 0; i < ev.re.length; i++) rho = Math.max(rho, Math.hypot(ev.re[i]!, ev.im[i]!));
  let size = 0;
  for (let i = 0; i < A.data.length; i++) size = Math.max(size, Math.abs(A.data[i]!));
  // ‖A‖_F ≤ n·max|a_ij| (no overflow on the way)
  const norm = A.rows * size;
  const error = elsnerBound(ev.norm, ev.backward, A.rows) + elsnerBound(norm, entryPrecision * norm, A.rows);
  return { rho, error };
}

/**
 * Elsner's bound on how far the eigenvalues of A + E may lie from A's: (‖A‖ + ‖A + E‖)^(1 − 1/n)·‖E‖^(1/n), for
 * ‖A‖ ≤ `norm` and ‖E‖ ≤ `e` (‖A + E‖ ≤ norm + e), in logarithms (no overflow), with a relative 2⁻⁴⁰ to spare for
 * its own rounding.
 */
export function elsnerBound(norm: number, e: number, n: number): number {
  if (!(e > 0)) return e === 0 ? 0 : NaN;
  const log = (1 - 1 / n) * Math.log(2 * norm + e) + Math.log(e) / n;
  return Math.exp(log) * (1 + 2 ** -40);
}
