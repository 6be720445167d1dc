/**
 * Inputs the loader accepts but the engine could not evaluate, found by a
 * fuzz campaign: each must end in a located InputError (exit 2) or in
 * evidence that says "no evidence" — never in an internal error.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { modelFile } from '../support/model-file.js';

const FILE = 'hostile.yaml';

/** A small tanh RNN; `equation` replaces its step and `claims` are appended. */
function file(claims: string, equation = 'tanh(W*h[t-1] + U*x[t])', extra = ''): string {
  return modelFile({
    title: 'hostile',
    sizes: 'd: 2..3, m: 1..2, T: 3..4',
    symbols: ['W', 'U', 'x', 'h'],
    modelExtra: extra,
    equations: [`h[t] = ${equation}`],
    loss: 'L = sum(h[T])',
    claims,
  });
}

const claim = (text: string, forall = '', expect = 'consistent') =>
  `  - id: c1\n    claim: ${text}\n${forall ? `    forall: ${forall}\n` : ''}    expect: ${expect}\n`;

const SMALL = { instances: 1, masterSeed: 3 } as const;

function checkError(text: string): InputError {
  try {
    checkDerivation(parseDerivation(text, FILE), SMALL);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw new Error(`expected an InputError, got ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  throw new Error('expected an InputError, but the file was checked');
}

describe('finite differences on a forward pass that overflows or is NaN', () => {
  it('report non-finite (no evidence) instead of failing on the step', () => {
    for (const [equation, extra] of [
      ['exp(exp(exp(W*h[t-1] + U*x[t])))', ''],
      ['nanlog(W*h[t-1] + U*x[t])', '  functions:\n    nanlog: { value: "log(x)", derivative: "1/x" }\n'],
    ] as const) {
      const d = parseDerivation(file(claim('grad(L, h[T-k]) = grad(L, h[T-k])', 'k in 1..T'), equation, extra), FILE);
      const [r] = checkDerivation(d, { instances: 2, masterSeed: 3 });
      const fd = evidenceOf(r!.evidence, 'finite-differences');
      expect(fd?.nonFinite, equation).toBeGreaterThan(0);
      expect(r!.verdict, equation).toBe('unverifiable');
    }
  });
});

describe('located errors for the claim', () => {
  it('a factor of a lazily evaluated product outside the graph (first read by the comparison)', () => {
    const err = checkError(file(claim('prod(i, 0, 1, diag(h[T+i])) = eye(d)')));
    expect(err.message).toMatch(
      /^hostile\.yaml:14:5: claim 'c1' leaves the unrolled graph: h\[T\+i\] .*h\[\d+\] is outside/,
    );
  });

  it('a path position past the end of its path', () => {
    const err = checkError(file(claim('pathsum(g, 1, 1, d, h[T, g[2]]) = 0')));
    expect(err.message).toMatch(/^hostile\.yaml:14:5: .*the path position g\[2\] is not on the path/);
  });

  it('a negative path length: at load when constant, for the claim when it depends on a quantifier', () => {
    const constant = (() => {
      try {
        parseDerivation(file(claim('pathsum(g, -1, 1, d, 1) = 0')), FILE);
      } catch (err) {
        return err as InputError;
      }
      throw new Error('loaded');
    })();
    expect(constant).toBeInstanceOf(InputError);
    expect(constant.message).toMatch(/^hostile\.yaml:15:12: a path sum's length cannot be negative, got -1/);
    const bound = checkError(file(claim('pathsum(g, 0-k, 1, d, 1) = 0', 'k in 1..2')));
    expect(bound.message).toMatch(
      /^hostile\.yaml:14:5: .*pathsum over a path of length -1 \(the length must be 0 or more\)/,
    );
  });
});

describe('a loose tolerance', () => {
  it('is a warning in the result, from 1e-2 on', () => {
    const result = (tolerance: string) =>
      checkDerivation(
        parseDerivation(
          file(claim('h[T] = h[T]').replace('    expect:', `    tolerance: ${tolerance}\n    expect:`)),
          FILE,
        ),
        SMALL,
      )[0]!;
    expect(result('0.05').warnings).toEqual([{ kind: 'loose-tolerance', tolerance: 0.05, threshold: 0.01 }]);
    expect(result('1e-2').warnings).toHaveLength(1);
    expect(result('9e-3').warnings).toEqual([]);
  });
});
