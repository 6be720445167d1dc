import fc from 'fast-check';
import { derivative } from 'mathjs';
import { describe, expect, it } from 'vitest';
import {
  type Complex,
  type ScalarFn,
  Dual,
  cAdd,
  cDiv,
  cExp,
  cLog,
  cMul,
  cSigma,
  cSub,
  cTanh,
  complex,
  complexStep,
  dualExp,
  dualLog,
  dualPow,
  dualSigma,
  dualTanh,
  scalarReferences,
} from '../../src/numeric/scalar-ad.js';

const EPS = Number.EPSILON;
const sigma = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Inputs per function: tanh/σ over [-30, 30], exp where it is far from overflow, log on (1e-3, 1e3). */
const domains: Record<ScalarFn, fc.Arbitrary<number>> = {
  tanh: fc.double({ min: -30, max: 30, noNaN: true }),
  sigma: fc.double({ min: -30, max: 30, noNaN: true }),
  exp: fc.double({ min: -30, max: 30, noNaN: true }),
  log: fc.double({ min: 1e-3, max: 1e3, minExcluded: true, maxExcluded: true, noNaN: true }),
};

/**
 * Accurate closed-form derivatives. 1 − tanh² and σ(1 − σ) are deliberately NOT
 * used here: they cancel catastrophically for large |x| (at x = 30, 1 − σ(30)
 * keeps only ~3 significant digits), so they cannot serve as a 1e-13 reference.
 */
const exact: Record<ScalarFn, (x: number) => number> = {
  tanh: (x) => 1 / Math.cosh(x) ** 2,
  sigma: (x) => sigma(x) * sigma(-x),
  exp: (x) => Math.exp(x),
  log: (x) => 1 / x,
};

const fns = Object.keys(scalarReferences) as ScalarFn[];

function expectRelClose(got: number, want: number, rel: number): void {
  expect(Number.isFinite(got)).toBe(true);
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want));
}

describe('scalar references', () => {
  it.each(fns)('%s: dual numbers and complex step agree to 1e-14', (fn) => {
    const { dual, complexStep: cs } = scalarReferences[fn];
    fc.assert(
      fc.property(domains[fn], (x) => {
        const d = dual(x);
        const c = cs(x);
        if (Math.abs(d) <= 1e-300 && Math.abs(c) <= 1e-300) return; // both underflowed
        expectRelClose(d, c, 1e-14);
      }),
    );
  });

  it.each(fns)('%s: both match the accurate closed form to 1e-13', (fn) => {
    const { dual, complexStep: cs } = scalarReferences[fn];
    fc.assert(
      fc.property(domains[fn], (x) => {
        expectRelClose(dual(x), exact[fn](x), 1e-13);
        expectRelClose(cs(x), exact[fn](x), 1e-13);
      }),
    );
  });

  it("both match the engine's closed forms 1 − tanh² and σ(1 − σ) up to those forms' own cancellation", () => {
    // The engine forms lose absolute accuracy ~2ε once tanh or σ rounds near ±1, hence the absolute term.
    const engine = { tanh: (x: number) => 1 - Math.tanh(x) ** 2, sigma: (x: number) => sigma(x) * (1 - sigma(x)) };
    for (const fn of ['tanh', 'sigma'] as const) {
      fc.assert(
        fc.property(domains[fn], (x) => {
          const want = engine[fn](x);
          for (const got of [scalarReferences[fn].dual(x), scalarReferences[fn].complexStep(x)]) {
            expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-13 * Math.abs(want) + 4 * EPS);
          }
        }),
      );
    }
  });

  it.each(fns)("%s: both match mathjs's symbolic derivative", (fn) => {
    const source: Record<ScalarFn, string> = {
      tanh: 'tanh(x)',
      sigma: '1 / (1 + exp(-x))',
      exp: 'exp(x)',
      log: 'log(x)',
    };
    const compiled = derivative(source[fn], 'x').compile();
    const { dual, complexStep: cs } = scalarReferences[fn];
    fc.assert(
      fc.property(domains[fn], (x) => {
        const want = compiled.evaluate({ x }) as number;
        expectRelClose(dual(x), want, 1e-13);
        expectRelClose(cs(x), want, 1e-13);
      }),
    );
  });

  it.each(fns)('%s: a central finite difference agrees to 1e-7 where the derivative is not tiny', (fn) => {
    const f: Record<ScalarFn, (x: number) => number> = { tanh: Math.tanh, sigma, exp: Math.exp, log: Math.log };
    const { dual, complexStep: cs } = scalarReferences[fn];
    fc.assert(
      fc.property(domains[fn], (x) => {
        // Rounding error of the difference quotient is ~ε|f|/h; skip where that swamps |f'|.
        const d = dual(x);
        if (Math.abs(d) < 1e-3 * Math.abs(f[fn](x))) return;
        const h = 1e-5 * (fn === 'log' ? x : Math.max(1, Math.abs(x)));
        const fdv = (f[fn](x + h) - f[fn](x - h)) / (2 * h);
        expectRelClose(d, fdv, 1e-7);
        expectRelClose(cs(x), fdv, 1e-7);
      }),
    );
  });
});

describe('stability at large |x|', () => {
  it('tanh and σ give the right values and finite derivatives far out', () => {
    for (const x of [-1e308, -1000, -710, -40, 40, 710, 1000, 1e308]) {
      const t = dualTanh(Dual.variable(x));
      const s = dualSigma(Dual.variable(x));
      expect(t.re).toBe(Math.sign(x));
      expect(s.re).toBeCloseTo(x > 0 ? 1 : 0, 15);
      // True derivatives here are ≤ 4e^{-80} ≈ 7e-35 (or underflow to 0).
      for (const d of [t.eps, s.eps, complexStep(cTanh, x), complexStep(cSigma, x)]) {
        expect(Number.isFinite(d) && d >= 0 && d < 1e-17).toBe(true);
      }
    }
  });

  it('values agree with Math.tanh and the stable σ', () => {
    // Via e^{∓2x} the tanh *value* is only absolutely accurate (~ε) near 0; derivatives are unaffected.
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), (x) => {
        const tol = 4 * EPS * Math.abs(Math.tanh(x)) + 2 * EPS;
        expect(Math.abs(dualTanh(Dual.variable(x)).re - Math.tanh(x))).toBeLessThanOrEqual(tol);
        expect(Math.abs(cTanh(complex(x)).re - Math.tanh(x))).toBeLessThanOrEqual(tol);
        expect(Math.abs(dualSigma(Dual.variable(x)).re - sigma(x))).toBeLessThanOrEqual(4 * EPS * sigma(x));
        expect(Math.abs(cSigma(complex(x)).re - sigma(x))).toBeLessThanOrEqual(4 * EPS * sigma(x));
      }),
    );
  });
});

describe('Dual arithmetic', () => {
  const a = new Dual(3, 2);
  const b = new Dual(-4, 0.5);

  it('implements the first-order rules', () => {
    expect(a.add(b)).toEqual(new Dual(-1, 2.5));
    expect(a.sub(b)).toEqual(new Dual(7, 1.5));
    expect(a.mul(b)).toEqual(new Dual(-12, 2 * -4 + 3 * 0.5));
    expect(a.div(b)).toEqual(new Dual(-0.75, (2 * -4 - 3 * 0.5) / 16));
    expect(a.neg()).toEqual(new Dual(-3, -2));
    expect(a.scale(-2)).toEqual(new Dual(-6, -4));
    expect(dualExp(a)).toEqual(new Dual(Math.exp(3), 2 * Math.exp(3)));
    expect(dualLog(a)).toEqual(new Dual(Math.log(3), 2 / 3));
  });

  it('dualPow matches repeated multiplication and handles n = 0 at 0', () => {
    const x = Dual.variable(1.7);
    const cube = x.mul(x).mul(x);
    const p = dualPow(x, 3);
    expect(Math.abs(p.re - cube.re)).toBeLessThanOrEqual(4 * EPS * cube.re);
    expect(Math.abs(p.eps - cube.eps)).toBeLessThanOrEqual(4 * EPS * cube.eps);
    expect(dualPow(Dual.variable(0), 0)).toEqual(new Dual(1, 0));
    expect(dualPow(Dual.variable(0), 1)).toEqual(new Dual(0, 1));
    expect(dualPow(Dual.variable(4), 0.5)).toEqual(new Dual(2, 0.25));
  });
});

describe('Complex arithmetic', () => {
  const close = (z: Complex, re: number, im: number): void => {
    expect(z.re).toBeCloseTo(re, 14);
    expect(z.im).toBeCloseTo(im, 14);
  };

  it('basic operations', () => {
    const z = complex(1, 2);
    const w = complex(3, -1);
    close(cAdd(z, w), 4, 1);
    close(cSub(z, w), -2, 3);
    close(cMul(z, w), 5, 5);
    close(cDiv(z, w), 0.1, 0.7); // (1+2i)(3+i)/10
    close(cDiv(w, complex(0.5, 4)), (3 * 0.5 - 4) / 16.25, (-0.5 - 12) / 16.25); // |Im b| > |Re b| branch
    close(cExp(complex(0, Math.PI / 2)), 0, 1);
    close(cLog(complex(-1, 0)), 0, Math.PI);
    close(cLog(cExp(complex(0.3, -0.4))), 0.3, -0.4);
    expect(complex(2)).toEqual({ re: 2, im: 0 });
  });

  it('cDiv does not overflow on huge operands, cExp keeps real inputs real', () => {
    close(cDiv(complex(1e300, 1e300), complex(1e300, 1e300)), 1, 0);
    close(cDiv(complex(1e300, -1e300), complex(1e-300, 1e300)), -1, -1);
    expect(cExp(complex(1000))).toEqual({ re: Infinity, im: 0 });
  });

  it('complexStep is exact for polynomials and validates h', () => {
    const cube = (z: Complex): Complex => cMul(z, cMul(z, z));
    expect(complexStep(cube, 2)).toBe(12);
    expect(() => complexStep(cube, 2, 0)).toThrow(RangeError);
    expect(() => complexStep(cube, 2, -1e-30)).toThrow(RangeError);
  });
});
