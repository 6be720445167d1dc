/**
 * The operators real texts write — matrix power, ρ, the inverse, √, ./,
 * normMin, softmax, logsumexp, max/min over a range — against values numpy
 * computed (test/fixtures/numpy/operators.json, made by operators.py).
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { checkDerivation } from '../../src/check/check.js';
import { numpy, valueOf } from './values.js';

type Cases = {
  rho: { A: number[][]; value: number; norm2: number }[];
  matpow: { A: number[][]; k: number; value: number[][] }[];
  inv: { A: number[][]; value: number[][] }[];
  singular: { A: number[][] }[];
  softmax: { v: number[]; value: number[] }[];
  logsumexp: { v: number[]; value: number }[];
  normMin: { v: number[]; value: number }[];
  sqrt: { v: number[]; value: number[] }[];
  kron: { A: number[][]; v: number[]; Av: number[][]; vtA: number[][] }[];
};
const cases = (JSON.parse(numpy) as { cases: Cases }).cases;

const close = (got: ArrayLike<number>, want: readonly number[], digits = 12) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits - Math.max(0, Math.ceil(Math.log10(Math.abs(w) + 1)))));
};

describe('spectral radius ρ(A), on non-normal matrices too', () => {
  it.each(cases.rho.map((c, i) => [i, c] as const))('numpy case %i', (_i, c) => {
    const [rho] = valueOf('rho(A)', { A: c.A });
    expect(rho).toBeCloseTo(c.value, 10);
    // A non-normal matrix: ρ far below ‖A‖₂.
    if (c.norm2 > 3 * c.value) expect(valueOf('norm2(A)', { A: c.A })[0]).toBeCloseTo(c.norm2, 10);
  });
});

describe('matrix power A^k', () => {
  it.each(cases.matpow.map((c, i) => [i, c] as const))('numpy case %i', (_i, c) => {
    close(valueOf(`A^${c.k}`, { A: c.A }), c.value.flat(), 10);
  });
  it('an exponent from a quantifier, applied to a vector', () => {
    const c = cases.matpow[0]!;
    const direct = valueOf('A^k * h[1]', { A: c.A }, { k: 3 });
    const product = valueOf('A * A * A * h[1]', { A: c.A });
    close(direct, [...product], 12);
  });
  it.each([
    ['A^(-1)', /negative/],
    ['A^(1/2)', /integer exponent/],
    ['v^2', /elementwise power/],
  ])('%s is an error saying what was expected', (text, message) => {
    let err: { problem?: string; expected?: string } = {};
    try {
      valueOf(text, {
        A: [
          [1, 0],
          [0, 1],
        ],
      });
    } catch (e) {
      err = e as typeof err;
    }
    expect(`${err.problem} (expected ${err.expected})`).toMatch(message);
  });
});

describe('Kronecker product', () => {
  it.each(cases.kron.map((c, i) => [i, c] as const))('numpy case %i: A ⊗ v and vᵀ ⊗ A', (_i, c) => {
    close(valueOf('kron(A, v)', { A: c.A, v: c.v }), c.Av.flat(), 12);
    close(valueOf("kron(v', A)", { A: c.A, v: c.v }), c.vtA.flat(), 12);
  });
});

describe('inverse', () => {
  it.each(cases.inv.map((c, i) => [i, c] as const))('numpy case %i', (_i, c) =>
    close(valueOf('inv(A)', { A: c.A }), c.value.flat(), 10),
  );
  it.each(cases.singular.map((c, i) => [i, c] as const))(
    'a singular matrix gives numeric trouble (NaN), never a number (case %i)',
    (_i, c) => {
      expect(valueOf('inv(A)', { A: c.A }).every(Number.isNaN)).toBe(true);
    },
  );
  it('A·inv(A) = I holds (numerically; the word algebra has no inverse, so it is not an exact identity) and A·inv(Aᵀ) = I is refuted', () => {
    const d = parseDerivation(
      `gradproof: 1
model:
  sizes: { n: 2..4, T: 2 }
  symbols:
    A: { role: parameter, shape: [n, n], init: recurrent }
    h: { role: state, shape: [n] }
  equations:
    - h[t] = tanh(A * h[t-1])
claims:
  - id: inverse
    claim: A * inv(A) = eye(n)
    expect: verified
  - id: not-inverse
    claim: A * inv(A') = eye(n)
    expect: refuted
`,
      'inv.yaml',
    );
    const [ok, wrong] = checkDerivation(d, { instances: 1 });
    expect([ok!.verdict, wrong!.verdict]).toEqual(['consistent', 'refuted']);
  });
});

describe('elementwise: √ and ./', () => {
  it.each(cases.sqrt.map((c, i) => [i, c] as const))('sqrt, numpy case %i', (_i, c) =>
    close(valueOf('sqrt(v)', { v: c.v }), c.value),
  );
  it('1 ./ v and u ./ v', () => {
    close(valueOf('1 ./ v', { v: [2, -4, 0.5] }), [0.5, -0.25, 2]);
    close(valueOf('v ./ v', { v: [2, -4, 0.5] }), [1, 1, 1]);
  });
});

describe('norms and heads', () => {
  it.each(cases.normMin.map((c, i) => [i, c] as const))('normMin, numpy case %i', (_i, c) =>
    expect(valueOf('normMin(v)', { v: c.v })[0]).toBeCloseTo(c.value, 12),
  );
  it.each(cases.softmax.map((c, i) => [i, c] as const))(
    'softmax, numpy case %i (stable for entries of ±1000)',
    (_i, c) => close(valueOf('softmax(v)', { v: c.v }), c.value),
  );
  it.each(cases.logsumexp.map((c, i) => [i, c] as const))('logsumexp, numpy case %i', (_i, c) =>
    expect(valueOf('logsumexp(v)', { v: c.v })[0]).toBeCloseTo(c.value, 9),
  );
});

describe('max and min over an integer range', () => {
  it('max(i, 1, 3, …) and min(i, 1, 3, …) of scalars', () => {
    expect(valueOf('max(i, 1, 3, i * (4 - i))', {})[0]).toBe(4);
    expect(valueOf('min(i, 1, 3, i * (4 - i))', {})[0]).toBe(3);
  });
  it('an empty range is a located error for the claim', () => {
    expect(() => valueOf('max(i, 3, 1, i)', {})).toThrow(/empty range/);
  });
});

it('every new operator has a LaTeX form that KaTeX renders (strict)', async () => {
  const katex = (await import('katex')).default;
  const { claimLatex } = await import('../../src/emit/claim-latex.js');
  const d = parseDerivation(
    `gradproof: 1
model:
  sizes: { n: 2, T: 2 }
  symbols:
    A: { role: parameter, shape: [n, n] }
    h: { role: state, shape: [n] }
  equations:
    - h[t] = tanh(A * h[t-1])
claims:
  - id: c
    claim: rho(A) + trace(inv(A)) + normMin(sqrt(abs(h[T]))) + logsumexp(softmax(1 ./ h[T])) <= max(i, 1, T, sum((A^i) * h[i])) + sum(kron(h[T]', eye(n)) * kron(h[1], h[1]))
    expect: consistent
`,
    'tex.yaml',
  );
  const tex = claimLatex(d, d.claims[0]!);
  expect(() => katex.renderToString(tex, { strict: 'error', throwOnError: true, trust: false })).not.toThrow();
  expect(tex).toContain('\\rho\\left(');
  expect(tex).toContain('A^{-1}');
  expect(tex).toContain('\\otimes');
});

it('the operator registry rejects ρ of a non-square matrix with a location', () => {
  let err: unknown;
  try {
    parseDerivation(
      `gradproof: 1
model:
  sizes: { n: 2, m: 3, T: 2 }
  symbols:
    B: { role: parameter, shape: [n, m] }
    h: { role: state, shape: [n] }
  equations:
    - h[t] = tanh(h[t-1])
claims:
  - id: c
    claim: rho(B) <= 1
    expect: consistent
`,
      'rho.yaml',
    );
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  expect((err as InputError).problem).toMatch(/^rho takes a square matrix/);
});
