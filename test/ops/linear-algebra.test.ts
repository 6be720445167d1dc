/** Linear-algebra records against values computed by numpy (test/fixtures/numpy/operators.json). */
import katex from 'katex';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { claimLatex } from '../../src/emit/claim-latex.js';
import { printExpr } from '../../src/ir/print.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { asDense } from '../../src/numeric/values.js';

const numpy = JSON.parse(readFileSync('test/fixtures/numpy/operators.json', 'utf8')) as {
  cases: { trace: { A: number[][]; value: number }[] };
};

/** A model whose parameter A is set to the given values, and one claim about it. */
function withMatrix(n: number, claim: string) {
  const d = parseDerivation(
    `gradproof: 1
model:
  sizes: { n: ${n}, T: 1 }
  symbols:
    A: { role: parameter, shape: [n, n] }
    h: { role: state, shape: [n] }
  equations:
    - h[t] = tanh(A * h[t-1])
claims:
  - id: c
    claim: ${claim}
    expect: consistent
`,
    'trace.yaml',
  );
  return d;
}

describe('trace', () => {
  it.each(numpy.cases.trace.map((c, i) => [i, c] as const))('numpy case %i: tr(A) equals numpy.trace', (_i, c) => {
    const n = c.A.length;
    const d = withMatrix(n, 'trace(A) = trace(A)');
    const inst = buildInstance(d.model, instanceSpec(d.model, 1, 0));
    inst.graph.data.params.get('A')!.set(c.A.flat());
    const ev = new Evaluator(inst.graph, inst.sizes);
    expect(asDense(ev.evaluate(d.claims[0]!.lhs, {})).data[0]).toBeCloseTo(c.value, 12);
  });

  it('tr(A) = tr(Aᵀ) and tr(AB) = tr(BA) are verified; tr(A) = tr(A·A) is refuted', () => {
    const d = withMatrix(3, "trace(A) = trace(A')");
    const sym = parseDerivation(
      readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8').replace(
        /claims:[\s\S]*/,
        "claims:\n  - id: cyclic\n    claim: trace(W * diag(b) * W') = trace(W' * W * diag(b))\n    expect: verified\n  - id: not-square\n    claim: trace(W) = trace(W * W)\n    expect: refuted\n",
      ),
      'cyclic.yaml',
    );
    const [transposed] = checkDerivation(d, { instances: 1 });
    expect(transposed!.verdict).toBe('consistent');
    const [cyclic, wrong] = checkDerivation(sym, { instances: 1 });
    expect(cyclic!.verdict).toBe('consistent');
    expect(wrong!.verdict).toBe('refuted');
  });

  it('prints, renders and refuses non-square arguments with a located error', () => {
    const d = withMatrix(2, 'trace(A * A) = trace(A)^2 - 2 * 0');
    expect(printExpr(d.claims[0]!.lhs)).toBe('trace(A*A)');
    const tex = claimLatex(d, d.claims[0]!);
    expect(
      tex.startsWith('\\operatorname{tr}\\left(\\mathrm{A} \\mathrm{A}\\right)') ||
        tex.startsWith('\\operatorname{tr}\\left(A A\\right)'),
    ).toBe(true);
    katex.renderToString(tex, { strict: 'error', throwOnError: true });
    let err: unknown;
    try {
      parseDerivation(
        `gradproof: 1
model:
  sizes: { n: 2, m: 3, T: 1 }
  symbols:
    B: { role: parameter, shape: [n, m] }
    h: { role: state, shape: [n] }
  equations:
    - h[t] = tanh(h[t-1])
claims:
  - id: c
    claim: trace(B) = 0
    expect: refuted
`,
        'bad.yaml',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problem).toBe('trace takes a square matrix, got matrix[n, m]');
    expect((err as InputError).pos).toMatchObject({ line: 11, col: 12 });
  });
});
