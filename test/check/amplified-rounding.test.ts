/**
 * Rounding alone loses digits where an operation magnifies it: 1 + 1e-17 is 1 in float64, and a power with a large
 * exponent or log near 1 turns that into any relative error (src/numeric/lost-digits.ts amplifiedRoundingOf). Such
 * points are decided again in extended precision, never left to float64's agreement.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { amplifiedRoundingOf, ROUNDOFF } from '../../src/numeric/lost-digits.js';
import { compileScalarLoss } from '../../src/ir/scalar-function.js';
import { parseExpression } from '../../src/ir/parse-math.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const model = lab.slice(0, lab.indexOf('claims:'));

function verdicts(claims: readonly string[]): string[] {
  const yaml = claims.map((c, i) => `  - id: c${i}\n    claim: ${c}\n`).join('');
  const file = parseDerivation(`${model}claims:\n${yaml}`, 'amplified.yaml');
  return checkDerivation(file, { instances: 1 }).map((r) => r.verdict);
}

describe('operations that magnify rounding', () => {
  it('the figure: noted from a factor of 2^20 on, every digit where it is infinite', () => {
    expect(amplifiedRoundingOf(2 ** 19)).toBe(0);
    expect(amplifiedRoundingOf(2 ** 21)).toBe(2 ** 21 * ROUNDOFF);
    expect(amplifiedRoundingOf(1e16)).toBe(1);
    expect(amplifiedRoundingOf(Infinity)).toBe(1);
    expect(amplifiedRoundingOf(NaN)).toBe(0);
  });

  it('log(1 + 1e-17) is 0 in float64 (truly 1e-17): the false bound is refuted, the true one not', () => {
    expect(
      verdicts([
        'log(1 + 1e-17) * norm2(h[T]) <= 1e-18 * norm2(h[T])',
        'log(1 + 1e-17) * norm2(h[T]) <= 1.1e-17 * norm2(h[T])',
      ]),
    ).toEqual(['refuted', 'consistent']);
  });

  it('(1 + 1.1e-16)^1e16 is 1 in float64 (truly e^1.1 ≈ 3.0): never a pass', () => {
    // the decimals have no rule for a power this large (it is opaque there), so the points are numeric trouble
    const [falseBound] = verdicts(['((1 + 1.1e-16) ^ 1e16) * norm2(h[T]) <= 1.5 * norm2(h[T])']);
    expect(falseBound).toBe('unverifiable');
  });

  it('logsumexp([0; -40]) is log(1 + e^-40) = 4.2e-18, 0 in float64: never a pass', () => {
    // unverifiable until the decimals had a logsumexp rule (their own exp and log), refuted since; the true bound holds
    expect(
      verdicts([
        'logsumexp([0; -40]) * norm2(h[T]) <= 1e-18 * norm2(h[T])',
        'logsumexp([0; -40]) * norm2(h[T]) <= 4.3e-18 * norm2(h[T])',
      ]),
    ).toEqual(['refuted', 'consistent']);
  });

  it('a power in a model equation notes it too (the forward pass): never a pass', () => {
    const withG = model
      .replace(
        '    h: { role: state, shape: [d] }\n',
        '    h: { role: state, shape: [d] }\n    g: { role: intermediate, shape: [d] }\n',
      )
      .replace(
        '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n',
        '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n    - g[t] = ((1 + 1.1e-16) ^ 1e16) * h[t]\n',
      );
    expect(withG).toContain('g[t] = ((1');
    const file = parseDerivation(
      `${withG}claims:\n  - id: c\n    claim: norm2(g[T]) <= 1.5 * norm2(h[T])\n`,
      'fw.yaml',
    );
    expect(checkDerivation(file, { instances: 1 })[0]!.verdict).toBe('unverifiable');
  });

  it("log near 1 in the model's loss: a claim on the loss's value sees it (the forward pass's figure)", () => {
    const withLoss = model.replace(/^ {2}loss: .*$/m, '  loss: L = log(1 + 1e-17 * sum(h[T] .^ 2))');
    expect(withLoss).toContain('L = log(1 + 1e-17');
    const file = parseDerivation(
      `${withLoss}claims:\n  - id: c\n    claim: L <= 1e-18 * sum(h[T] .^ 2)\n`,
      'loss.yaml',
    );
    // false (L ≈ 1e-17 Σh²); float64's L is exactly 0, and the decimals take the loss from float64: never a pass
    expect(checkDerivation(file, { instances: 1 })[0]!.verdict).toBe('unverifiable');
  });

  it("a saturated cross-entropy's log(ŷ) near 1 leaves its gradient claims as they were (no false alarm)", () => {
    // the forward pass notes log(ŷ)'s conditioning, but a sweep to V takes no derivative toward the input y, the only
    // one that reads log(ŷ) (src/numeric/unrolled.ts ReadsBy), and log's own derivative 1/x reads ŷ alone
    const text = readFileSync('test/fixtures/models/wildml-bptt.yaml', 'utf8')
      .replace('    - yhat[t] = softmax(V*s[t])', '    - yhat[t] = softmax(40 * V*s[t])')
      .replace(
        "    claim: grad(E[T], V) = (yhat[T] * sum(y[T]) - y[T]) * s[T]'",
        "    claim: grad(E[T], V) = 40 * (yhat[T] * sum(y[T]) - y[T]) * s[T]'",
      );
    expect(text).toContain('40 * (yhat[T]');
    const [r] = checkDerivation(parseDerivation(text, 'ce.yaml'), { claims: ['dE3-dV'], instances: 2 });
    expect(r!.verdict).toBe('consistent');
  });

  it('log near 1 whose value a product of the loss reads for a derivative: the sweep carries its figure', () => {
    // ∇_h L = log(1 + 1e-17 Σh²) + 2e-17 Σh·h/(1 + …) + 1e-9; float64's log is 0, so its sweep drops the first term
    // (≈ 1e-17 Σh², relative 1e-8): the claim without it agreed with float64 (consistent, a false pass) and the true
    // one disagreed (refuted, a false alarm; "true": it writes log(1 + 1e-17 Σh²) as 1e-17 Σh² and drops the
    // 1/(1 + 1e-17 Σh²), both off by ~1e-17 relative, far inside the tolerance). The sweep's figure sends both to the
    // decimals, which write ∇L out from the loss (the product rule for a scalar factor) and evaluate log there.
    const withLoss = model.replace(
      /^ {2}loss: .*$/m,
      '  loss: L = sum(h[T]) * log(1 + 1e-17 * sum(h[T] .^ 2)) + 1e-9 * sum(h[T])',
    );
    const file = parseDerivation(
      `${withLoss}claims:\n` +
        '  - id: without-log\n    claim: grad(L, h[T]) = 2e-17 * sum(h[T]) * h[T] + 1e-9\n' +
        '  - id: with-log\n    claim: grad(L, h[T]) = 2e-17 * sum(h[T]) * h[T] + 1e-9 + 1e-17 * sum(h[T] .^ 2)\n',
      'product.yaml',
    );
    expect(checkDerivation(file, { instances: 1 }).map((r) => r.verdict)).toEqual(['refuted', 'consistent']);
  });

  it('y .* log(ŷ) reads log(ŷ) only for a derivative toward the input y: the sweeps to V and to y', () => {
    const text = readFileSync('test/fixtures/models/wildml-bptt.yaml', 'utf8').replace(
      '    - yhat[t] = softmax(V*s[t])',
      '    - yhat[t] = softmax(40 * V*s[t])',
    );
    const file = parseDerivation(text, 'ce.yaml');
    const inst = buildInstance(file.model, instanceSpec(file.model, 7, 3, undefined, { d: 3, m: 2, k: 3, T: 4 }));
    const E = { name: 'E', time: 4 };
    // saturated: the largest ŷ at step 4 is 1 in float64 (truly 1 − 1e-21), whose log keeps no digit
    expect(Math.max(...inst.graph.value({ name: 'yhat', time: 4 }))).toBe(1);
    expect(inst.graph.lostAt(E)).toBe(1);
    // E[4]'s own equation alone: toward ŷ (a state) it reads y, which lost nothing; toward the input y, log(ŷ)
    const yhat = { name: 'yhat', time: 4 };
    const y = { name: 'y', time: 4 };
    expect([inst.graph.sweepReadLoss('adj', E, yhat), inst.graph.sweepReadLoss('tan', yhat, E)]).toEqual([0, 0]);
    expect([inst.graph.sweepReadLoss('adj', E, y), inst.graph.sweepReadLoss('tan', y, E)]).toEqual([1, 1]);
    // toward the other input x (its own kind of sweep: y held) no derivative reads log(ŷ); what is left is s[4]'s
    // saturated tanh, 1.7e-10 (a review found a first version charging every input's sweep with y's figure)
    const x = { name: 'x', time: 4 };
    expect(inst.graph.sweepReadLoss('adj', E, x)).toBeCloseTo(1.68e-10, 12);
    expect(inst.graph.sweepReadLoss('tan', x, E)).toBeCloseTo(1.68e-10, 12);
  });

  it('log near 1 and a large power magnify what their operand lost on the way (magnifiedLoss)', () => {
    // (1e7 + 1 + 1e-9) − 1e7 is 1.0000000019 in float64 (2e-9 of it lost), truly 1.000000001: log of it is 1.86e-9 in
    // float64, truly 1.0e-9 (mpmath); its 1e6-th power 1.0019, truly e^0.001 = 1.0010005
    const withLoss = (loss: string) => model.replace(/^ {2}loss: .*$/m, `  loss: L = ${loss}`);
    const check = (loss: string, claim: string) =>
      checkDerivation(parseDerivation(`${withLoss(loss)}claims:\n  - id: c\n    claim: ${claim}\n`, 'm.yaml'), {
        instances: 1,
      })[0]!.verdict;
    const difference = '((1e7 + 1 + 1e-9) - 1e7)';
    // in the loss: the value claim was consistent (false), and so was the gradient's bound
    expect(check(`log(${difference}) * sum(h[T] .^ 2)`, 'L >= 1.5e-9 * sum(h[T] .^ 2)')).toBe('unverifiable');
    expect(check(`log(${difference}) * sum(h[T] .^ 2)`, 'norm2(grad(L, h[T])) >= 3e-9 * norm2(h[T])')).toBe('refuted');
    expect(check(`(${difference} ^ 1000000) * sum(h[T] .^ 2)`, 'L >= 1.0015 * sum(h[T] .^ 2)')).toBe('unverifiable');
    // in a claim (the decimals evaluate it whole)
    expect(verdicts([`log(${difference}) * norm2(h[T]) >= 1.5e-9 * norm2(h[T])`])).toEqual(['refuted']);
    // in a declared function's body
    const body = compileScalarLoss(parseExpression('log(x - 1e7)', { realVars: new Set(['x']) } as never).expr, 'x');
    expect(body(1e7 + 1 + 1e-9)).toBe(1);
  });

  it('a power up to 2^20 with a base that lost nothing is float64 as before', () => {
    expect(verdicts(['((1 + 1e-3) ^ 1000) * norm2(h[T]) <= 2.7170 * norm2(h[T])'])).toEqual(['consistent']);
  });

  it("a declared function's body: log near 1 and a large power are noted there too", () => {
    const loss = (body: string) =>
      compileScalarLoss(parseExpression(body, { realVars: new Set(['x']) } as never).expr, 'x');
    expect(loss('log(1 + x)')(1e-17)).toBe(1);
    expect(loss('log(1 + x)')(0.5)).toBe(0);
    expect(loss('(1 + x)^1e16')(1.1e-16)).toBe(1);
    expect(loss('(1 + x)^3')(1.1e-16)).toBe(0);
  });
});
