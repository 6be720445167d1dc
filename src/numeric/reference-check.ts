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

/** Agreement demanded between the two exact modes: both are exact up to rounding. */
export const DUAL_ADJOINT_TOL = 1e-10;

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
  const size = Math.max(norm2(Ju) / norm2(u), norm2(JTw) / norm2(w));
  const underflow = size > 0 && size < UNDERFLOW;

  if (!withFd) return { derivative: d.text, dualVsAdjoint, underflow, fd: null };
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
  const allowed = Math.max(1e-6 * refNorm, 10 * (fd.noiseFloor + fd.truncationError));
  return {
    derivative: d.text,
    dualVsAdjoint,
    underflow,
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
