/**
 * A scalar added to a vector is added to each entry, so its Jacobian (a row) is every row of the sum's: ones(d)·J.
 * Until 2026-12-05 the sum rule added the row alone, and tanh(W*h + … + sum(c .* h)) came out as
 * diag(1 − h²)·(W + c'); the symbolic stage refused the ill-shaped form, but the decisions in extended precision,
 * which evaluate closed forms on saturated instances, crashed the whole check ("cannot read properties of undefined"),
 * true and false claims alike (a review's model zoo found it; numpy's central differences confirm the forms below).
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { printExpr } from '../../src/ir/print.js';
import { rzip } from '../../src/symbolic/ring.js';
import { SymbolicUnsupported } from '../../src/symbolic/unsupported.js';
import { deriveQuantities } from '../../src/symbolic/quantities.js';

const model = loadDerivationFile('test/fixtures/models/broadcast-scalar-rnn.yaml');

describe('the Jacobian of a scalar broadcast over a vector', () => {
  it('is ones(d) times its row, in the one-step Jacobian and through the transpose of the gradient', () => {
    const [step] = deriveQuantities(model, 'jac(h[t], h[t-1])', null);
    expect(printExpr(step!.derived!)).toBe("diag(1 - h[t].^2)*(W + ones(d)*c')");
    const [lag] = deriveQuantities(model, 'grad(L, h[T-k])', null);
    expect(printExpr(lag!.derived!)).toBe("prod(i, 1, k, (W' + c*ones(1, d))*diag(1 - h[T-k+i].^2))*grad(L, h[T])");
  });

  it('every claim gets a verdict: the true ones hold, the ones without the broadcast term are refuted', () => {
    expect(checkDerivation(model, { instances: 2 }).map((r) => [r.id, r.verdict])).toEqual([
      ['one-step', 'verified'],
      ['every-lag', 'verified'],
      ['jac-lag', 'verified'],
      ['wrong-no-c', 'refuted'],
      ['wrong-every-lag', 'refuted'],
    ]);
  });

  it('entrywise operands of different shapes (neither a scalar) have no value in the exact rings', () => {
    const m = (rows: number, cols: number) => ({ rows, cols, data: Array<number>(rows * cols).fill(1) });
    expect(() => rzip(m(2, 2), m(1, 2), (x, y) => x + y)).toThrow(SymbolicUnsupported);
    expect(rzip(m(2, 2), m(1, 1), (x, y) => x + y).data).toEqual([2, 2, 2, 2]);
  });
});
