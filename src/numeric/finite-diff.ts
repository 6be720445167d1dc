/**
 * Finite-difference cross-check of a directional derivative J(x)·u of a
 * vector function F, independent of any derivative rule in the engine.
 */
import { norm2 } from './linalg.js';

export interface FdResult {
  /** Richardson-extrapolated estimate of J(x)·u. */
  estimate: Float64Array;
  /** ‖R − D(h/2)‖₂: error estimate of the 2nd-order D(h/2), hence a conservative bound for R's. */
  truncationError: number;
  /** Predicted ‖rounding error of R‖₂ from the magnitudes of the four F values. */
  noiseFloor: number;
  /** The step h used (D(h) and D(h/2) were both evaluated). */
  step: number;
}

const EPS = Number.EPSILON;

/**
 * Multiplier on ε·|F_i| for the absolute error assumed in each computed F
 * component. ε·|F_i| alone is the error of merely *storing* the result; F's
 * own arithmetic (sums, activations, cancellation inside F, the rounding of
 * x ± h·u) typically costs tens of ulps more. Larger is safer: noise that is
 * over-predicted only makes `fdResolves` report "cannot see" more often.
 */
const NOISE_SAFETY = 64;

/**
 * With f(ε) = F(x + ε·u):
 *   D(h) = (f(h) − f(−h)) / 2h                  central difference, error c₂h² + c₄h⁴ + …
 *   R    = (4·D(h/2) − D(h)) / 3                cancels the h² term, error O(h⁴)
 *        = [8(f(h/2) − f(−h/2)) − (f(h) − f(−h))] / 6h
 * The last form gives the noise propagation: an absolute error δ in each f
 * value contributes (8 + 8 + 1 + 1)·δ/6h to R in the worst case; per component
 * δ_j is the larger of NOISE_SAFETY·ε·|f_j| (what F's rounding costs where it
 * is good to a few ulps of its own values) and the noise the values show
 * (`observedNoise`), and the component bounds are combined in ‖·‖₂.
 * Non-finite F values make all three outputs non-finite.
 */
export function centralRichardson(f: (eps: number) => Float64Array, step: number): FdResult {
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`centralRichardson: bad step ${step}`);
  const h = step;
  const fp = f(h);
  const fm = f(-h);
  const fp2 = f(h / 2);
  const fm2 = f(-h / 2);
  const f0 = f(0);
  const n = fp.length;
  if (fm.length !== n || fp2.length !== n || fm2.length !== n || f0.length !== n) {
    throw new RangeError('centralRichardson: f returned vectors of different lengths');
  }

  const estimate = new Float64Array(n);
  const correction = new Float64Array(n); // R − D(h/2) = (D(h/2) − D(h)) / 3
  const noise = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const a = fp[j] as number;
    const b = fm[j] as number;
    const c = fp2[j] as number;
    const d = fm2[j] as number;
    const dH = (a - b) / (2 * h);
    const dHalf = (c - d) / h;
    estimate[j] = (4 * dHalf - dH) / 3;
    correction[j] = (dHalf - dH) / 3;
    const predicted = NOISE_SAFETY * EPS * (8 * Math.abs(c) + 8 * Math.abs(d) + Math.abs(a) + Math.abs(b));
    noise[j] = Math.max(predicted, 18 * observedNoise(b, d, f0[j] as number, c, a)) / (6 * h);
  }
  return { estimate, truncationError: norm2(correction), noiseFloor: norm2(noise), step: h };
}

/**
 * The rounding noise five values of f at equally spaced points (−h, −h/2, 0, h/2, h) show: their fourth difference
 * f(−h) − 4f(−h/2) + 6f(0) − 4f(h/2) + f(h), as Moré and Wild's ECnoise estimates noise from a difference table. A
 * smooth f contributes (h/2)⁴·f⁗ to it, below the 2nd-order correction `truncationError` already counts; what
 * stands above that is F's own rounding, which ε·|f| does not bound where F cancels on the way to its values: a
 * GELU(tanh) body 0.5x(1 + tanh(…)) at x ≈ −6 makes 1 + tanh ≈ 3e-11 out of terms of size 1, so each value is off
 * by ≈ 1e-16 absolute (4e-6 of itself), a million times ε·|f|, and the differences of such values differ from the
 * exact derivative by 7e-5 while the reference was right (a review found it; 1 + tanh(z) steps in quanta of 2⁻⁵³).
 * For independent errors of deviation σ the difference has deviation √70·σ ≈ 8.4σ: taking it whole as each value's
 * error bound is the safety margin (larger is safer: an over-predicted floor only makes `fdResolves` say "cannot
 * see" more often, never a pass).
 */
export function observedNoise(fm: number, fm2: number, f0: number, fp2: number, fp: number): number {
  return Math.abs(fm - 4 * fm2 + 6 * f0 - 4 * fp2 + fp);
}

/**
 * Step for the 4th-order scheme above: total error ≈ C·h⁴ + ε/h is minimal at
 * h ∝ ε^{1/5} (≈ 7.4e-4), scaled with |x|. Rounded to a power of two so that
 * h/2 and the products h·u, (h/2)·u are exact.
 */
export function defaultStep(xScale: number): number {
  if (Number.isNaN(xScale)) throw new RangeError('defaultStep: xScale is NaN');
  const h = EPS ** 0.2 * Math.max(1, Math.abs(xScale));
  return 2 ** Math.round(Math.log2(h));
}

/**
 * Whether FD can actually see the derivative: the reference or the FD
 * estimate must stand `margin` times above FD's own error (noise +
 * truncation). The FD estimate counts too so that a reference that is wrongly
 * ~0 cannot make a clearly non-zero FD derivative look unresolvable.
 * False if the FD result is non-finite. Callers must treat "not resolved" as
 * inconclusive, never as a pass (a non-finite `ref` is left for the
 * comparison itself to fail on).
 */
export function fdResolves(ref: Float64Array, fd: FdResult, margin = 10): boolean {
  const floor = margin * (fd.noiseFloor + fd.truncationError);
  if (!Number.isFinite(floor)) return false;
  return norm2(ref) > floor || norm2(fd.estimate) > floor;
}

/**
 * The derivative of a scalar function at x by Ridders' method (Numerical Recipes' dfridr): central differences at
 * steps shrinking by 1.4 from `step`, extrapolated in a Neville tableau, with the error estimate of the entry chosen
 * and the step that entry's row used (what rounding in f is divided by). For a scalar function the tableau costs 20
 * evaluations and reaches ~1e-13 relative on smooth bodies, where the 4th-order scheme above is bounded only by its
 * 2nd-order correction (~1e-7 relative). The estimate is the tableau's own: it does not see f's rounding.
 */
export function riddersDerivative(
  f: (x: number) => number,
  x: number,
  step: number,
): { estimate: number; error: number; step: number } {
  const SHRINK = 1.4;
  const SHRINK2 = SHRINK * SHRINK;
  const ROWS = 10;
  let h = step;
  let previous: number[] = [(f(x + h) - f(x - h)) / (2 * h)];
  let estimate = previous[0]!;
  let error = Infinity;
  let chosenStep = h;
  for (let i = 1; i < ROWS; i++) {
    h /= SHRINK;
    const row = [(f(x + h) - f(x - h)) / (2 * h)];
    let factor = SHRINK2;
    for (let j = 1; j <= i; j++) {
      row.push((row[j - 1]! * factor - previous[j - 1]!) / (factor - 1));
      factor *= SHRINK2;
      const e = Math.max(Math.abs(row[j]! - row[j - 1]!), Math.abs(row[j]! - previous[j - 1]!));
      if (e <= error) {
        error = e;
        estimate = row[j]!;
        chosenStep = h;
      }
    }
    // higher order made it worse: rounding has taken over
    if (Math.abs(row[i]! - previous[i - 1]!) >= 2 * error) break;
    previous = row;
  }
  return { estimate, error, step: chosenStep };
}
