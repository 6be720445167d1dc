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
