/**
 * Two-argument min and max (src/ops/ordered.ts, beside the range form min(i, lo, hi, e), told apart by arity). A
 * review (150) found clipping written as `min(1, 0.5/norm2(g))` refused ("min takes 4 arguments"); only the range form
 * `min(i, 0, 1, i + (1 - i)·0.5/‖g‖)` was read. Now both forms give the same verdicts, the two-argument one is printed,
 * rendered (\min\left(a, b\right)) and read back from LaTeX, kept in the extended arithmetics through the rings' own
 * min and max, and a bad arity names both forms. Independent figures: test/fixtures/numpy/clip_min2.py.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { claimLatex } from '../../src/emit/claim-latex.js';
import { printExpr } from '../../src/ir/print.js';
import { extendedScalar } from '../../src/symbolic/domains/scalar-extended.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { modelFile } from '../support/model-file.js';

const g = 'grad(L, h[T-k])';
const CLIP2 = `${g} * min(1, 0.5 / norm2(${g}))`;
const CLIPR = `${g} * min(i, 0, 1, i + (1 - i) * 0.5 / norm2(${g}))`;

const file = (claims: string) =>
  modelFile({
    title: '"review150 f: clipped gradients, tanh RNN"',
    name: 'tanh RNN',
    sizes: 'd: 1..4, m: 1..2, T: 3..8',
    symbols: ['W', 'U', 'b', 'c', 'x', 'h'],
    equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
    loss: 'L = sum(c .* h[T])',
    claims,
  });

const claim = (id: string, text: string, forall = 'k in 0..T') =>
  `  - id: ${id}\n    claim: ${text}\n${forall ? `    forall: ${forall}\n` : ''}`;

const CLIP = parseDerivation(
  file(
    [
      claim('clip2-true', `norm2(${CLIP2}) <= 0.5`),
      claim('clip2-0999999-false', `norm2(${CLIP2}) <= 0.4999995`),
      claim('clip2-eq-false', `norm2(${CLIP2}) = 0.5`),
      claim('clip2-min-true', `norm2(${CLIP2}) = min(norm2(${g}), 0.5)`),
      claim('clip2-max-true', `norm2(${g} / max(1, norm2(${g}) / 0.5)) <= 0.5`),
      claim('clipr-true', `norm2(${CLIPR}) <= 0.5`),
      claim('clipr-0999999-false', `norm2(${CLIPR}) <= 0.4999995`),
      claim('clipr-eq-false', `norm2(${CLIPR}) = 0.5`),
      claim('emin-true', 'min(h[T], 0.25) + max(h[T], 0.25) = h[T] + 0.25', ''),
      claim('emin-false', 'min(h[T], 0.25) = h[T]', ''),
    ].join(''),
  ),
  'clip.yaml',
);

describe('min(a, b) and max(a, b)', () => {
  const results = checkDerivation(CLIP, { masterSeed: 20261120 });
  const verdict = (id: string) => results.find((r) => r.id === id)!.verdict;

  it('the review’s clipping claims: the same verdicts in both forms', () => {
    for (const form of ['clip2', 'clipr']) {
      expect([form, verdict(`${form}-true`)]).toEqual([form, 'consistent']);
      expect([form, verdict(`${form}-0999999-false`)]).toEqual([form, 'refuted']);
      expect([form, verdict(`${form}-eq-false`)]).toEqual([form, 'refuted']);
    }
    expect(verdict('clip2-min-true')).toBe('consistent');
    expect(verdict('clip2-max-true')).toBe('consistent');
    // entrywise on a vector, a scalar side broadcast
    expect(verdict('emin-true')).toBe('consistent');
    expect(verdict('emin-false')).toBe('refuted');
  });

  it('the counterexamples’ sides are numpy’s (clip_min2.py on the exported instances)', () => {
    // replayed as exported: --instance 0 --size T=3 --size d=1 --size m=1
    const replay = (id: string) =>
      checkDerivation(CLIP, {
        masterSeed: 20261120,
        claims: [id],
        instance: 0,
        sizeOverrides: { T: 3, d: 1, m: 1 },
      })[0]!.counterexample!;
    const eq = replay('clip2-eq-false');
    expect([eq.instance, eq.sizes, eq.bindings]).toEqual([0, { T: 3, d: 1, m: 1 }, { k: 2 }]);
    // ‖g‖ = 0.25153548970290274 < ½: min picks 1, the clipped norm is ‖g‖ (finite differences agree to 7.9e-12)
    expect(eq.lhs[0]).toBeCloseTo(0.25153548970290274, 15);
    expect(eq.rhs[0]).toBe(0.5);
    const tight = replay('clip2-0999999-false');
    expect([tight.instance, tight.sizes, tight.bindings]).toEqual([0, { T: 3, d: 1, m: 1 }, { k: 0 }]);
    // ‖g‖ = ‖c‖ = 1.116960946581091 ≥ ½: min picks 0.5/‖g‖, the clipped norm is ½
    expect(tight.lhs[0]).toBeCloseTo(0.5, 15);
    expect(tight.rhs[0]).toBe(0.4999995);
  });

  it('prints and renders as \\min(a, b)', () => {
    const c = CLIP.claims.find((x) => x.id === 'clip2-min-true')!;
    expect(printExpr(c.rhs)).toBe('min(norm2(grad(L, h[T-k])), 0.5)');
    expect(claimLatex(CLIP, c)).toBe(
      '\\left\\|\\nabla_{h_{T-k}} L \\min\\left(1, \\frac{0.5}{\\left\\|\\nabla_{h_{T-k}} L\\right\\|_{2}}\\right)\\right\\|_{2} = \\min\\left(\\left\\|\\nabla_{h_{T-k}} L\\right\\|_{2}, 0.5\\right)',
    );
  });

  it('is read from LaTeX: \\min(a, b) and \\max\\left(a, b\\right); \\max_x |f| stays a sup', () => {
    const d = parseDerivation(
      file(
        [
          "  - id: lmin\n    latex: '\\min(\\|\\nabla_{h_T} L\\|, 0.5) \\le 0.5'\n",
          "  - id: lmax\n    latex: '\\max\\left(1, 2\\|\\nabla_{h_T} L\\|\\right) \\ge 1'\n",
          "  - id: lsup\n    latex: '0.5 \\le \\max_x |\\tanh(x)|'\n",
        ].join(''),
      ),
      'latex.yaml',
    );
    expect(d.claims.map((c) => printExpr(c.id === 'lsup' ? c.rhs : c.lhs))).toEqual([
      'min(norm2(grad(L, h[T])), 0.5)',
      'max(1, 2*norm2(grad(L, h[T])))',
      'supabs(x, tanh(x))',
    ]);
  });

  it('is kept in the extended arithmetics through the rings’ own min and max (intervals, decimals)', () => {
    const body = parseExpression('min(x, 1 - x) + max(x, 0.25)', {
      sequences: new Set(),
      parameters: new Set(),
      loss: null,
      indexVars: new Set(),
      realVars: new Set(['x']),
      functions: new Set(),
    }).expr;
    const ext = extendedScalar(body, 'x');
    // at x = 0.1: min = 0.1, max = 0.25, |f| = 0.35; at x = 0.75: 0.25 + 0.75 = 1
    const [lo, hi] = ext.enclosure!(0.1)!;
    expect(lo).toBeLessThanOrEqual(0.35);
    expect(hi).toBeGreaterThanOrEqual(0.35);
    expect(hi - lo).toBeLessThan(1e-15);
    expect(ext.precise!(0.1)).toBeCloseTo(0.35, 15);
    expect(ext.precise!(0.75)).toBe(1);
  });
});

describe('a bad arity', () => {
  const refusal = (text: string): InputError => {
    try {
      parseDerivation(file(claim('bad', text, '')), 'bad.yaml');
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
    throw new Error(`accepted: ${text}`);
  };

  it.each([
    [
      'min(1) <= 1',
      'bad.yaml:18:12: min takes 2 or 4 arguments (expected min(a, b) or min(i, lo, hi, scalar expression))',
    ],
    [
      'max(1, 2, 3) <= 1',
      'bad.yaml:18:12: max takes 2 or 4 arguments (expected max(a, b) or max(i, lo, hi, scalar expression))',
    ],
    ['sum(1, 2) = 3', 'bad.yaml:18:12: sum takes 1 or 4 arguments (expected sum(v) or sum(i, lo, hi, expression))'],
    [
      'min(h[T], W) = h[T]',
      "bad.yaml:18:12: shape mismatch in 'min': vector[d] and matrix[d, d] (expected equal shapes or a scalar)",
    ],
  ])('%s is refused where it is written, naming the forms', (text, message) => {
    expect(refusal(text).message).toBe(message);
  });

  it('\\min(a) in LaTeX names the two-argument form', () => {
    let err: unknown;
    try {
      parseDerivation(file("  - id: bad\n    latex: '\\min(0.5) \\le 1'\n"), 'bad.yaml');
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toBe('bad.yaml:18:13: min takes 2 arguments (expected min(a, b))');
  });
});
