/**
 * Cross-checks of the exact reference itself, at sampled points: the
 * forward-mode (dual-number) tangent and the reverse-mode adjoint of the same
 * derivative must agree to rounding, and central finite differences with
 * Richardson refinement must agree within their own predicted error — or be
 * reported as unable to see the derivative (below the noise floor).
 */
import { centralRichardson, defaultStep, fdResolves } from './finite-diff.js';
import { dot, norm2, normInfVec } from './linalg.js';
import type { Rng } from './prng.js';
import type { Evaluator, ResolvedDeriv } from './evaluate.js';
import type { Unrolled } from './unrolled.js';
import { withLostPrecisions } from './lost-digits.js';
import { dense } from './values.js';

export interface ReferenceCheck {
  readonly derivative: string;
  /** |wᵀ(Ju) − (Jᵀw)ᵀu| relative to the Cauchy–Schwarz scale */
  readonly dualVsAdjoint: number;
  /**
   * Ju and Jᵀw (per unit direction) are both below UNDERFLOW: the sweeps ran through subnormal numbers,
   * whose rounding is far coarser than float64's, so the two modes' disagreement means nothing — set
   * aside, as the point comparison sets aside both sides below UNDERFLOW.
   */
  readonly underflow: boolean;
  /**
   * Ju and Jᵀw (per unit direction) are both beyond float64's range (non-finite, or above OVERFLOW): the sweeps
   * overflowed, as the points that read them did (decided again with an unbounded exponent); the two modes' Inf − Inf
   * is NaN and means nothing — set aside. One mode overflowing while the other does not is still a disagreement.
   */
  readonly overflow: boolean;
  /**
   * Where the two modes disagree beyond DUAL_ADJOINT_TOL: the worst relative precision either sweep's own arithmetic
   * left (./lost-digits.ts, as the claim evaluator watches its sweeps: their own sums' cancellation and subnormals,
   * not the forward values both read alike), 0 where they agree. A disagreement within LOST_DIGITS_MARGIN times it is what
   * those lost digits can do (a saturated unit's tanh(z) − h, cancelled differently by each mode), not a fault of
   * the reference: set aside, as an underflow is.
   */
  readonly lostPrecision: number;
  /** null where finite differences were not run (budget: see the checker) */
  readonly fd: null | {
    readonly resolved: boolean;
    /** ‖FD − Ju‖ / ‖Ju‖ (NaN when Ju = 0) */
    readonly relError: number;
    /** the error FD itself predicts (noise floor + truncation), relative to ‖Ju‖ */
    readonly predicted: number;
    readonly agrees: boolean;
    readonly refNorm: number;
    readonly noiseFloor: number;
    /** FD produced Inf/NaN (e.g. a perturbed run overflowed): no evidence either way */
    readonly nonFinite: boolean;
  };
}

/** Below this a value is in the subnormal zone, where relative error means nothing (checks set it aside). */
export const UNDERFLOW = 1e-280;

/** Above this a derivative is at the edge of float64's range (1.8e308): the two modes' sums may overflow apart. */
export const OVERFLOW = 1e300;

/** Agreement demanded between the two exact modes: both are exact up to rounding. */
export const DUAL_ADJOINT_TOL = 1e-10;

/** How many times the sweeps' lost digits (ReferenceCheck.lostPrecision) the two modes may differ by (extended-check's margin). */
export const LOST_DIGITS_MARGIN = 100;

/** Finite differences agree with the reference within this much of it at least (relative)… */
export const FD_AGREEMENT = 1e-6;
/** …and within this many times their own predicted error (noise floor + truncation). */
export const FD_MARGIN = 10;

/**
 * What one cross-check vouches for: the relative error of the reference finite differences could have missed there
 * (what `agrees` allowed), or null where it vouches for nothing — the two modes disagree, or finite differences were
 * not run, could not resolve the derivative, produced no finite value, or disagree.
 */
export function vouchedWithin(r: ReferenceCheck): number | null {
  if (dualAdjointFails(r) || !r.fd || !r.fd.resolved || r.fd.nonFinite || !r.fd.agrees) return null;
  if (!(r.fd.refNorm > 0)) return null;
  return Math.max(FD_AGREEMENT, FD_MARGIN * r.fd.predicted);
}

/** Whether the two modes' disagreement is a fault of the reference: beyond rounding and beyond what their lost digits allow. */
export function dualAdjointFails(r: ReferenceCheck): boolean {
  return (
    !r.underflow &&
    !r.overflow &&
    !(r.dualVsAdjoint <= Math.max(DUAL_ADJOINT_TOL, LOST_DIGITS_MARGIN * r.lostPrecision))
  );
}

/** A disagreement set aside: within what the sweeps' lost digits allow, beyond rounding. */
export function dualAdjointWithinLostDigits(r: ReferenceCheck): boolean {
  return !r.underflow && !r.overflow && r.dualVsAdjoint > DUAL_ADJOINT_TOL && !dualAdjointFails(r);
}

/**
 * The worst figure of digits lost by the tangent sweep from `wrt` along u (read at `of`) and the adjoint sweep from
 * `of` along w (read at `wrt`), noted as the claim evaluator notes them (Evaluator.sweep). Run again only where the
 * modes disagree: both sweeps once more, with the figures watched.
 */
function sweepsLostPrecision(evaluator: Evaluator, d: ResolvedDeriv, u: Float64Array, w: Float64Array): number {
  const [[rw, cw], [ro, co]] = [evaluator.graph.dims(d.wrt.name), evaluator.graph.dims(d.of.name)];
  // Their own part only (the sums each sweep made, its subnormals): the forward values both read are the same
  // numbers in both modes, so what they lost cannot set the two apart (counted, it set aside every check on a
  // saturated instance, where a rule bug showing there alone would then pass unseen; a review noted it)
  const [, , own] = withLostPrecisions(() => {
    evaluator.sweep('tan', d.wrt, dense(rw, cw, u), d.fixed)(d.of);
    evaluator.sweep('adj', d.of, dense(ro, co, w), d.fixed, d.wrt.time === null)(d.wrt);
  });
  return own;
}

export function checkReference(evaluator: Evaluator, d: ResolvedDeriv, rng: Rng, withFd: boolean): ReferenceCheck {
  const graph: Unrolled = evaluator.graph;
  const [ro, co] = graph.dims(d.of.name);
  const [rw, cw] = graph.dims(d.wrt.name);
  const u = rng.fillNormal(new Float64Array(rw * cw));
  const w = rng.fillNormal(new Float64Array(ro * co));
  const Ju = graph.tangents(d.wrt, u, d.fixed)(d.of) ?? new Float64Array(ro * co);
  const JTw = evaluator.cotangent(d.of, d.wrt, d.fixed, w);
  const scale = Math.max(norm2(w) * norm2(Ju), norm2(JTw) * norm2(u));
  const dualVsAdjoint = scale === 0 ? 0 : Math.abs(dot(w, Ju) - dot(JTw, u)) / scale;
  const [sizeJu, sizeJTw] = [norm2(Ju) / norm2(u), norm2(JTw) / norm2(w)];
  const size = Math.max(sizeJu, sizeJTw);
  const underflow = size > 0 && size < UNDERFLOW;
  // !(x < OVERFLOW): Inf and NaN are beyond it too
  const overflow = !(sizeJu < OVERFLOW) && !(sizeJTw < OVERFLOW);
  const lostPrecision =
    underflow || overflow || dualVsAdjoint <= DUAL_ADJOINT_TOL ? 0 : sweepsLostPrecision(evaluator, d, u, w);

  if (!withFd) return { derivative: d.text, dualVsAdjoint, underflow, overflow, lostPrecision, fd: null };
  const x = graph.value(d.wrt);
  const xScale = normInfVec(x);
  // A forward pass that overflowed (or a NaN activation) leaves no step to take: no evidence either way.
  const fd = Number.isFinite(xScale)
    ? centralRichardson(
        (eps) =>
          graph.perturbed(
            d.wrt,
            x.map((xi, i) => xi + eps * u[i]!),
            d.fixed,
            d.of,
          ),
        defaultStep(xScale),
      )
    : { estimate: new Float64Array(ro * co).fill(NaN), truncationError: NaN, noiseFloor: NaN, step: NaN };
  const refNorm = norm2(Ju);
  const diff = norm2(fd.estimate.map((v, i) => v - Ju[i]!));
  const resolved = fdResolves(Ju, fd);
  const allowed = Math.max(FD_AGREEMENT * refNorm, FD_MARGIN * (fd.noiseFloor + fd.truncationError));
  return {
    derivative: d.text,
    dualVsAdjoint,
    underflow,
    overflow,
    lostPrecision,
    fd: {
      resolved,
      relError: refNorm === 0 ? NaN : diff / refNorm,
      predicted: refNorm === 0 ? NaN : (fd.noiseFloor + fd.truncationError) / refNorm,
      // Where FD cannot resolve the derivative its disagreement means nothing, either way.
      agrees: !resolved || diff <= allowed,
      refNorm,
      noiseFloor: fd.noiseFloor,
      nonFinite: !fd.estimate.every(Number.isFinite),
    },
  };
}
