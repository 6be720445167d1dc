/**
 * The eigenvalues of a real square matrix in decimals (decimal.js, the extended looks' numbers): the sequence of
 * ./eigen.ts — balancing, elimination to Hessenberg form, the Francis double-shift QR iteration — carried out in the
 * decimals' own precision, with a bound on its backward error, so that ρ in extended precision is the decimals' and
 * not float64's (whose error for a nearly defective matrix is the n-th root of its rounding: 1.5e-8 for a nilpotent
 * matrix's ρ = 0). Balancing is by powers of 10 here: exact in decimals, as powers of 2 are in float64.
 */
import type { Decimal } from 'decimal.js';

type Big = Decimal;
type Work = Big[][];

/** 1-based square work array (index 0 unused), as in ./eigen.ts. */
function toWork(data: readonly Big[], n: number, D: typeof Decimal): Work {
  const a: Work = Array.from({ length: n + 1 }, () => new Array<Big>(n + 1).fill(new D(0)));
  for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) a[i]![j] = data[(i - 1) * n + (j - 1)]!;
  return a;
}

function balance(a: Work, n: number, D: typeof Decimal): void {
  const RADIX = 10;
  const SQRDX = RADIX * RADIX;
  let done = false;
  while (!done) {
    done = true;
    for (let i = 1; i <= n; i++) {
      let r = new D(0);
      let c = new D(0);
      for (let j = 1; j <= n; j++)
        if (j !== i) {
          c = c.plus(a[j]![i]!.abs());
          r = r.plus(a[i]![j]!.abs());
        }
      if (c.isZero() || r.isZero()) continue;
      let g = r.div(RADIX);
      let f = new D(1);
      const s = c.plus(r);
      while (c.lt(g)) {
        f = f.times(RADIX);
        c = c.times(SQRDX);
      }
      g = r.times(RADIX);
      while (c.gt(g)) {
        f = f.div(RADIX);
        c = c.div(SQRDX);
      }
      if (c.plus(r).div(f).lt(s.times(0.95))) {
        done = false;
        const inverse = new D(1).div(f);
        for (let j = 1; j <= n; j++) a[i]![j] = a[i]![j]!.times(inverse);
        for (let j = 1; j <= n; j++) a[j]![i] = a[j]![i]!.times(f);
      }
    }
  }
}

function hessenberg(a: Work, n: number): void {
  for (let m = 2; m < n; m++) {
    let x = a[m]![m - 1]!.times(0);
    let i = m;
    for (let j = m; j <= n; j++)
      if (a[j]![m - 1]!.abs().gt(x.abs())) {
        x = a[j]![m - 1]!;
        i = j;
      }
    if (i !== m) {
      for (let j = m - 1; j <= n; j++) [a[i]![j], a[m]![j]] = [a[m]![j]!, a[i]![j]!];
      for (let j = 1; j <= n; j++) [a[j]![i], a[j]![m]] = [a[j]![m]!, a[j]![i]!];
    }
    if (x.isZero()) continue;
    for (i = m + 1; i <= n; i++) {
      let y = a[i]![m - 1]!;
      if (y.isZero()) continue;
      y = y.div(x);
      a[i]![m - 1] = y;
      for (let j = m; j <= n; j++) a[i]![j] = a[i]![j]!.minus(y.times(a[m]![j]!));
      for (let j = 1; j <= n; j++) a[j]![m] = a[j]![m]!.plus(y.times(a[j]![i]!));
    }
  }
}

/**
 * √a by Newton's iteration from float64's root: decimal.js's own took 70–110 µs (a QR sweep takes n of them), three
 * steps here take a few µs and leave a relative error far below the digits' (16 → 32 → 64 → 128 correct digits). The
 * iteration's use of it needs no correct rounding: a reflector's norm off by its last digits is one more rounding of
 * the sweep, which the backward error counts.
 */
function sqrtOf(a: Big): Big {
  if (a.isZero()) return a;
  const D = a.constructor as typeof Decimal;
  const half = Math.floor(a.e / 2);
  const scaled = a.times(new D(`1e${-2 * half}`)).toNumber();
  let x = new D(Math.sqrt(scaled)).times(new D(`1e${half}`));
  for (let i = 0; i < 3; i++) x = x.plus(a.div(x)).times(0.5);
  return x;
}

const sign = (a: Big, b: Big): Big => (b.isNeg() && !b.isZero() ? a.abs().neg() : a.abs());

/** The iterations an eigenvalue may take (./eigen.ts allows 60 in float64; more digits take a few more sweeps). */
const MAX_ITERATIONS = 120;

function hqr(a: Work, n: number, D: typeof Decimal): { re: Big[]; im: Big[]; sweeps: number } | null {
  const zero = new D(0);
  const wr = new Array<Big>(n + 1).fill(zero);
  const wi = new Array<Big>(n + 1).fill(zero);
  let anorm = zero;
  for (let i = 1; i <= n; i++) for (let j = Math.max(i - 1, 1); j <= n; j++) anorm = anorm.plus(a[i]![j]!.abs());
  let nn = n;
  let t = zero;
  let sweeps = 0;
  let p = zero;
  let q = zero;
  let r = zero;
  let s: Big;
  let w: Big;
  let x: Big;
  let y: Big;
  let z: Big;
  while (nn >= 1) {
    let its = 0;
    let l: number;
    do {
      for (l = nn; l >= 2; l--) {
        s = a[l - 1]![l - 1]!.abs().plus(a[l]![l]!.abs());
        if (s.isZero()) s = anorm;
        if (a[l]![l - 1]!.abs().plus(s).eq(s)) {
          a[l]![l - 1] = zero;
          break;
        }
      }
      x = a[nn]![nn]!;
      if (l === nn) {
        wr[nn] = x.plus(t);
        wi[nn--] = zero;
      } else {
        y = a[nn - 1]![nn - 1]!;
        w = a[nn]![nn - 1]!.times(a[nn - 1]![nn]!);
        if (l === nn - 1) {
          p = y.minus(x).times(0.5);
          q = p.times(p).plus(w);
          z = sqrtOf(q.abs());
          x = x.plus(t);
          if (!q.isNeg() || q.isZero()) {
            z = p.plus(sign(z, p));
            wr[nn - 1] = wr[nn] = x.plus(z);
            if (!z.isZero()) wr[nn] = x.minus(w.div(z));
            wi[nn - 1] = wi[nn] = zero;
          } else {
            wr[nn - 1] = wr[nn] = x.plus(p);
            wi[nn] = z;
            wi[nn - 1] = z.neg();
          }
          nn -= 2;
        } else {
          if (its === MAX_ITERATIONS) return null;
          if (its % 10 === 0 && its > 0) {
            // exceptional shifts, as in ./eigen.ts
            t = t.plus(x);
            for (let i = 1; i <= nn; i++) a[i]![i] = a[i]![i]!.minus(x);
            s = a[nn]![nn - 1]!.abs().plus(a[nn - 1]![nn - 2]!.abs());
            y = x = s.times(0.75);
            w = s.times(s).times(-0.4375);
          }
          ++its;
          ++sweeps;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m]![m]!;
            r = x.minus(z);
            s = y.minus(z);
            p = r
              .times(s)
              .minus(w)
              .div(a[m + 1]![m]!)
              .plus(a[m]![m + 1]!);
            q = a[m + 1]![m + 1]!.minus(z).minus(r).minus(s);
            r = a[m + 2]![m + 1]!;
            s = p.abs().plus(q.abs()).plus(r.abs());
            p = p.div(s);
            q = q.div(s);
            r = r.div(s);
            if (m === l) break;
            const u = a[m]![m - 1]!.abs().times(q.abs().plus(r.abs()));
            const v = p.abs().times(
              a[m - 1]![m - 1]!.abs()
                .plus(z.abs())
                .plus(a[m + 1]![m + 1]!.abs()),
            );
            if (u.plus(v).eq(v)) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i]![i - 2] = zero;
            if (i !== m + 2) a[i]![i - 3] = zero;
          }
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[k]![k - 1]!;
              q = a[k + 1]![k - 1]!;
              r = k !== nn - 1 ? a[k + 2]![k - 1]! : zero;
              x = p.abs().plus(q.abs()).plus(r.abs());
              if (!x.isZero()) {
                p = p.div(x);
                q = q.div(x);
                r = r.div(x);
              }
            }
            s = sign(sqrtOf(p.times(p).plus(q.times(q)).plus(r.times(r))), p);
            if (s.isZero()) continue;
            if (k === m) {
              if (l !== m) a[k]![k - 1] = a[k]![k - 1]!.neg();
            } else a[k]![k - 1] = s.neg().times(x);
            p = p.plus(s);
            x = p.div(s);
            y = q.div(s);
            z = r.div(s);
            q = q.div(p);
            r = r.div(p);
            for (let j = k; j <= nn; j++) {
              p = a[k]![j]!.plus(q.times(a[k + 1]![j]!));
              if (k !== nn - 1) {
                p = p.plus(r.times(a[k + 2]![j]!));
                a[k + 2]![j] = a[k + 2]![j]!.minus(p.times(z));
              }
              a[k + 1]![j] = a[k + 1]![j]!.minus(p.times(y));
              a[k]![j] = a[k]![j]!.minus(p.times(x));
            }
            const mmin = nn < k + 3 ? nn : k + 3;
            for (let i = l; i <= mmin; i++) {
              p = x.times(a[i]![k]!).plus(y.times(a[i]![k + 1]!));
              if (k !== nn - 1) {
                p = p.plus(z.times(a[i]![k + 2]!));
                a[i]![k + 2] = a[i]![k + 2]!.minus(p.times(r));
              }
              a[i]![k + 1] = a[i]![k + 1]!.minus(p.times(q));
              a[i]![k] = a[i]![k]!.minus(p);
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return { re: wr.slice(1), im: wi.slice(1), sweeps };
}

function frobeniusOf(a: Work, n: number, D: typeof Decimal): Big {
  let s = new D(0);
  for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) s = s.plus(a[i]![j]!.times(a[i]![j]!));
  return sqrtOf(s);
}

/** The roundoffs per entry and stage taken for the backward error, as ./eigen.ts takes them. */
const BACKWARD_ROUNDOFFS = 16;

/**
 * ρ of the n × n matrix `data` (by rows) in the decimals `D`, with the backward error of the computation: the
 * eigenvalues found are exactly those of B + E, B similar to the matrix, ‖E‖_F ≤ `backward`; `norm` is ‖B‖_F. Null
 * where the iteration does not converge. `sweeps`: the QR sweeps done (the caller charges them).
 */
export function decimalSpectralRadius(data: readonly Big[], n: number, D: typeof Decimal): SpectralRadius | null {
  // a function of the entries and the digits alone: ρ(W) is asked again at every binding of a claim (rho(W)^k)
  const key = `${D.precision}|${data.join(',')}`;
  const known = computed.get(key);
  if (known !== undefined) return known;
  const result = computeSpectralRadius(data, n, D);
  if (computed.size >= MEMO_SIZE) computed.clear();
  computed.set(key, result);
  return result;
}

interface SpectralRadius {
  readonly rho: Big;
  readonly backward: Big;
  readonly norm: Big;
  readonly sweeps: number;
}

/** the spectral radii computed lately, by digits and entries */
const computed = new Map<string, SpectralRadius | null>();
const MEMO_SIZE = 4096;

function computeSpectralRadius(data: readonly Big[], n: number, D: typeof Decimal): SpectralRadius | null {
  const a = toWork(data, n, D);
  balance(a, n, D);
  const balanced = frobeniusOf(a, n, D);
  if (balanced.isZero()) return { rho: new D(0), backward: new D(0), norm: new D(0), sweeps: 0 };
  hessenberg(a, n);
  const reduced = frobeniusOf(a, n, D);
  const ev = hqr(a, n, D);
  if (!ev) return null;
  let rho = new D(0);
  for (let i = 0; i < n; i++) {
    const modulus = sqrtOf(ev.re[i]!.times(ev.re[i]!).plus(ev.im[i]!.times(ev.im[i]!)));
    if (modulus.gt(rho)) rho = modulus;
  }
  // the unit roundoff of D's digits: half a unit in the last of them, taken as a whole one
  const roundoff = new D(10).pow(1 - D.precision);
  const backward = roundoff.times(BACKWARD_ROUNDOFFS * n * n * (n + ev.sweeps)).times(D.max(balanced, reduced));
  return { rho, backward, norm: balanced, sweeps: ev.sweeps };
}

/**
 * Elsner's bound (./eigen.ts, `elsnerBound`) for decimals: (2·norm + e)^(1 − 1/n)·e^(1/n), computed on their base-10
 * logarithms in float64 (a bound needs no 40 digits, and decimal.js's powers took a third of a look's time), rounded
 * up by what those logarithms' rounding may hide (their size times 2⁻⁵⁰, and 10⁻¹² to spare).
 */
export function decimalElsnerBound(norm: Big, e: Big, n: number, D: typeof Decimal): Big {
  if (e.isZero()) return e;
  const log = (1 - 1 / n) * log10Of(norm.times(2).plus(e)) + log10Of(e) / n;
  const up = log + Math.abs(log) * 2 ** -50 + 1e-12;
  const whole = Math.floor(up);
  return new D(10 ** (up - whole)).times(new D(`1e${whole}`));
}

/** log₁₀ x of a positive decimal of any exponent, in float64 (good to its rounding relative to |log₁₀ x|, at least 1). */
function log10Of(x: Big): number {
  const exponent = x.e;
  const mantissa = x.times(new (x.constructor as typeof Decimal)(`1e${-exponent}`)).toNumber();
  return exponent + Math.log10(mantissa);
}
