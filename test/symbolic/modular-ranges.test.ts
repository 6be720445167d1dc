/**
 * ℤ_p evaluation regroups: its matrix product reduces once per two products, and ranges are combined in
 * blocks kept across bindings (src/symbolic/range-terms.ts). Both must give what the plain fold gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDerivation } from '../../src/derivation/load.js';
import { SymbolicModel, substituteDerivations } from '../../src/symbolic/derive.js';
import { MOD_RING, PRIME, RandomIdentity } from '../../src/symbolic/domains/modular.js';
import { rmatmul, type RMat } from '../../src/symbolic/ring.js';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';
const CLAIM = 'claim: norm2(jac(h[T], h[T-k])) <= norm2(W)^k * supabs(x, 1 - tanh(x)^2)^k';
const labWith = (text: string) => parseDerivation(readFileSync(LAB, 'utf8').replace(CLAIM, `claim: ${text}`), 'x.yaml');

describe('ℤ_p products and ranges', () => {
  it('the matrix product is the generic one, at the largest residues too', () => {
    const generic = { ...MOD_RING, matmul: undefined };
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % PRIME;
    const random = (rows: number, cols: number, top: boolean): RMat<number> => ({
      rows,
      cols,
      data: Array.from({ length: rows * cols }, () => (top ? PRIME - 1 - (next() % 3) : next())),
    });
    for (const [r, k, c] of [
      [1, 1, 1],
      [2, 3, 4],
      [5, 5, 5],
      [3, 7, 2],
      [4, 1, 6],
    ] as const)
      for (const top of [false, true]) {
        const [a, b] = [random(r, k, top), random(k, c, top)];
        expect(MOD_RING.matmul!(a, b)).toEqual(rmatmul(generic, a, b));
      }
  });

  it('ranges that overlap, shifted or split, agree at every binding and orders still differ', () => {
    const F = (t: string) => `W' * diag(1 - h[${t}].^2)`;
    const claims = [
      // the same terms, counted from either end
      `prod(j, k+1, T, ${F('T+k+1-j')}) = prod(i, 1, T-k, ${F('T+1-i')})`,
      // a range split off its last term
      `prod(i, 1, k, ${F('T-i+1')}) = prod(i, 1, k-1, ${F('T-i+1')}) * ${F('T-k+1')}`,
      // the same, the last term on the wrong side: W' diag(…) do not commute
      `prod(i, 1, k, ${F('T-i+1')}) = ${F('T-k+1')} * prod(i, 1, k-1, ${F('T-i+1')})`,
    ];
    const sm = new SymbolicModel(labWith(claims[0]!).model);
    const tester = new RandomIdentity(sm, 11);
    const sides = claims.map((text) => {
      const c = labWith(text).claims[2]!;
      return [substituteDerivations(c.lhs, sm), substituteDerivations(c.rhs, sm)] as const;
    });
    const T = 40;
    for (let k = 2; k < T; k++) {
      const env = { d: 3, m: 2, T, k };
      const sizes = { d: 3, m: 2, T };
      expect(tester.agree(sides[0]![0], sides[0]![1], env, sizes)).toBe(true);
      expect(tester.agree(sides[1]![0], sides[1]![1], env, sizes)).toBe(true);
      expect(tester.agree(sides[2]![0], sides[2]![1], env, sizes)).toBe(false);
    }
  });
});
