import { describe, expect, it } from 'vitest';
import { centralRichardson, defaultStep, fdResolves, observedNoise } from '../../src/numeric/finite-diff.js';
import { normInfVec, norm2, relErr } from '../../src/numeric/linalg.js';
import { Rng } from '../../src/numeric/prng.js';

type VecFn = (x: Float64Array) => Float64Array;

/** f(eps) = F(x + eps·u), as the checker builds it. */
function along(F: VecFn, x: Float64Array, u: Float64Array): (eps: number) => Float64Array {
  return (eps) => F(x.map((xi, i) => xi + eps * (u[i] as number)));
}

const sech2 = (z: number): number => 1 / Math.cosh(z) ** 2;

/** A composition of sin, exp and tanh of three variables, with its hand-derived directional derivative J(x)·u. */
const F: VecFn = ([a = 0, b = 0, c = 0]) =>
  Float64Array.of(Math.sin(a) * Math.exp(b), Math.tanh(a * c) + b * b, Math.exp(Math.sin(c)) * a, Math.sin(a + b * c));

function Ju([a = 0, b = 0, c = 0]: Float64Array, [ua = 0, ub = 0, uc = 0]: Float64Array): Float64Array {
  const t = sech2(a * c);
  const es = Math.exp(Math.sin(c));
  const cs = Math.cos(a + b * c);
  return Float64Array.of(
    Math.cos(a) * Math.exp(b) * ua + Math.sin(a) * Math.exp(b) * ub,
    c * t * ua + 2 * b * ub + a * t * uc,
    es * ua + a * Math.cos(c) * es * uc,
    cs * ua + c * cs * ub + b * cs * uc,
  );
}

describe('centralRichardson', () => {
  it('matches analytic directional derivatives of sin/exp/tanh compositions to 1e-9', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 200; trial++) {
      const x = rng.fillUniform(new Float64Array(3), -2, 2);
      const u = rng.fillNormal(new Float64Array(3));
      const ref = Ju(x, u);
      const fd = centralRichardson(along(F, x, u), defaultStep(normInfVec(x)));
      expect(relErr(fd.estimate, ref)).toBeLessThan(1e-9);
      // The reported error budget must actually cover the error.
      expect(norm2(fd.estimate.map((e, i) => e - (ref[i] as number)))).toBeLessThanOrEqual(
        fd.truncationError + fd.noiseFloor,
      );
      expect(fdResolves(ref, fd)).toBe(true);
    }
  });

  it('differentiates polynomials of degree ≤ 4 exactly up to rounding (the h² and h⁴ terms cancel)', () => {
    const p = (t: number): number => 3 * t ** 4 - 2 * t ** 3 + 5 * t * t - t + 7;
    const dp = (t: number): number => 12 * t ** 3 - 6 * t * t + 10 * t - 1;
    for (const x0 of [-3, -0.5, 0, 0.7, 2]) {
      const fd = centralRichardson((eps) => Float64Array.of(p(x0 + eps)), defaultStep(x0));
      const err = Math.abs((fd.estimate[0] as number) - dp(x0));
      expect(err).toBeLessThanOrEqual(fd.noiseFloor);
      expect(err).toBeLessThan(1e-9 * Math.max(1, Math.abs(dp(x0))));
    }
  });

  it('truncationError is at rounding level for quadratics, and O(h²) otherwise', () => {
    // truncationError = ‖R − D(h/2)‖ measures the h² error of D(h/2), so it vanishes only when f''' = 0.
    const quad = centralRichardson((eps) => Float64Array.of(2 * (1 + eps) ** 2 - (1 + eps)), 2 ** -10);
    expect(quad.truncationError).toBeLessThanOrEqual(quad.noiseFloor);
    const cubic = centralRichardson((eps) => Float64Array.of((1 + eps) ** 3), 2 ** -10);
    // D(h/2) − f' = f'''(h/2)²/6 = (h/2)² exactly for t³, so the estimate is (h/2)².
    expect(cubic.truncationError / 2 ** -22).toBeCloseTo(1, 6);
  });

  it('noiseFloor scales with the magnitude of the function values', () => {
    const x0 = 0.3;
    const small = centralRichardson((eps) => Float64Array.of(1 + Math.sin(x0 + eps)), 2 ** -10);
    const large = centralRichardson((eps) => Float64Array.of(1e6 + Math.sin(x0 + eps)), 2 ** -10);
    expect(large.noiseFloor / small.noiseFloor).toBeGreaterThan(1e5);
    expect(large.noiseFloor).toBeGreaterThan((1e6 * Number.EPSILON) / 2 ** -10);
    // The large offset really does cost accuracy, and the floor accounts for it.
    expect(Math.abs((large.estimate[0] as number) - Math.cos(x0))).toBeLessThanOrEqual(
      large.noiseFloor + large.truncationError,
    );
  });

  it('counts the noise a cancelling F shows: GELU(tanh) at x = −6.1, where 1 + tanh(…) ≈ 2e-11', () => {
    // 0.5x(1 + tanh(k(x + 0.044715x³))) keeps ≈ 5 of its digits there (1 + tanh is what is left of terms of size 1): each
    // value is off by ≈ 1e-16 absolute, a million times ε·|gelu|. test/fixtures/numpy/gelu_slope.py: the complex step
    // gives gelu′(−6.1) = −3.1398329542038857e-10; the same Richardson differences in numpy miss it by 6.5e-14 (2e-4).
    // Before the observed noise counted, the floor was ε·|gelu|/h ≈ 2e-24 and the truncation estimate 9e-16: a failure.
    const k = 0.7978845608028654;
    const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(k * (x + 0.044715 * x ** 3)));
    const exact = -3.1398329542038857e-10;
    const fd = centralRichardson((eps) => Float64Array.of(gelu(-6.1 + eps)), defaultStep(6.1));
    expect(fd.step).toBe(2 ** -8);
    const err = Math.abs(fd.estimate[0]! - exact);
    expect(err).toBeGreaterThan(1e-14); // the rounding is real: far above ε·|gelu|/h
    // within the error FD predicts for itself (the checker's criterion), and still resolved
    expect(err).toBeLessThanOrEqual(10 * (fd.noiseFloor + fd.truncationError));
    expect(fdResolves(Float64Array.of(exact), fd)).toBe(true);
    expect(fd.noiseFloor / Math.abs(exact)).toBeLessThan(1e-2);
  });

  it('observedNoise is the fourth difference: 0 on a cubic, 16δ on alternating errors ±δ', () => {
    const cubic = (t: number) => 2 * t ** 3 - t + 1;
    expect(observedNoise(cubic(-2), cubic(-1), cubic(0), cubic(1), cubic(2))).toBe(0);
    expect(observedNoise(1e-3, -1e-3, 1e-3, -1e-3, 1e-3)).toBeCloseTo(16e-3, 15);
  });

  it('validates its inputs and propagates non-finite values', () => {
    expect(() => centralRichardson(() => new Float64Array(1), 0)).toThrow(RangeError);
    expect(() => centralRichardson(() => new Float64Array(1), -1e-3)).toThrow(RangeError);
    expect(() => centralRichardson(() => new Float64Array(1), NaN)).toThrow(RangeError);
    expect(() => centralRichardson((eps) => new Float64Array(eps > 0 ? 2 : 1), 1e-3)).toThrow(RangeError);
    const fd = centralRichardson((eps) => Float64Array.of(eps === 2 ** -10 ? NaN : eps), 2 ** -10);
    expect(fd.noiseFloor).toBeNaN();
    expect(fd.truncationError).toBeNaN();
    expect(fdResolves(Float64Array.of(1), fd)).toBe(false);
  });
});

describe('defaultStep', () => {
  it('is a power of two near ε^(1/5)·max(1, |x|)', () => {
    for (const s of [0, 0.5, 1, -3, 100, 1e-8, 1e10]) {
      const h = defaultStep(s);
      expect(Number.isInteger(Math.log2(h))).toBe(true);
      const ideal = Number.EPSILON ** 0.2 * Math.max(1, Math.abs(s));
      expect(h / ideal).toBeGreaterThanOrEqual(Math.SQRT1_2);
      expect(h / ideal).toBeLessThanOrEqual(Math.SQRT2);
    }
    expect(defaultStep(0)).toBe(defaultStep(1));
    expect(() => defaultStep(NaN)).toThrow(RangeError);
  });
});

describe('fdResolves', () => {
  it('is false when the derivative is far below FD resolution: F(x) = 1 + 1e-14·x', () => {
    const u = Float64Array.of(1, -2);
    const x = Float64Array.of(0.4, 0.9);
    const G: VecFn = (v) => v.map((vi) => 1 + 1e-14 * vi);
    const fd = centralRichardson(along(G, x, u), defaultStep(1));
    expect(
      fdResolves(
        u.map((ui) => 1e-14 * ui),
        fd,
      ),
    ).toBe(false);
  });

  it('counts the FD estimate too, so a reference wrongly ≈ 0 is still compared', () => {
    const fd = centralRichardson((eps) => Float64Array.of(Math.sin(1 + eps)), defaultStep(1));
    expect(fdResolves(Float64Array.of(0), fd)).toBe(true);
  });

  it('honours the margin', () => {
    const fd = centralRichardson((eps) => Float64Array.of(Math.exp(eps)), defaultStep(0));
    const budget = fd.noiseFloor + fd.truncationError;
    const ref = Float64Array.of(1);
    expect(fdResolves(ref, fd, 0.5 / budget)).toBe(true);
    // Zero the FD estimate so only ref decides.
    const silent = { ...fd, estimate: Float64Array.of(0) };
    expect(fdResolves(ref, silent, 0.5 / budget)).toBe(true);
    expect(fdResolves(ref, silent, 2 / budget)).toBe(false);
  });
});
