/**
 * The expected top repair of shipped refuted claims — [file, claim id, repaired statement, edit, words] —
 * found by `check --repair` and by verify's smaller budget alike, so both tests read this one table.
 */
import { checkDerivation } from '../../src/check/check.js';
import type { ClaimResult } from '../../src/check/result.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { withClaims } from './model-file.js';

export const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';
export const RNN2024 = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml';
export const LSTM2019 = 'derivations/how-lstms-solve-vanishing-gradients-2019.yaml';

export const TOP_REPAIRS: readonly (readonly [string, string, string, string, string])[] = [
  [
    LAB,
    'lab-eq1-W-for-WT',
    "grad(L, h[T-k]) = prod(i, 1, k, W'*diag(1 - h[T-k+i].^2))*grad(L, h[T])",
    'add-transpose',
    'holds with W transposed',
  ],
  [
    RNN2024,
    'eq4-closed-ascending',
    'jac(h[t], h[1]) = prod(j, 2, t, diag(1 - h[t-j+2].^2)*W)',
    'reverse-range-product',
    'holds if the product over j runs with j decreasing from left to right',
  ],
  [
    LSTM2019,
    'do-dh-without-sigma',
    'jac(o[k], h[k-1]) = diag(o[k] .* (1 - o[k]))*W_o',
    'insert-factor',
    "holds with the factor diag(o[k] .* (1 - o[k])) before W_o, as in the model's closed form",
  ],
  [
    LSTM2019,
    'ds-ds-total',
    'partial(s[t], s[t-1], h[t-1]) = diag(f[t])',
    'hold-node',
    'holds as a partial derivative with h[t-1] held fixed',
  ],
  [
    LSTM2019,
    'eq1-as-written',
    'h[t] = sigma(s[t]) .* o[t]',
    'wrap-activation',
    "holds with sigma(s[t]) in place of s[t], as the model's equations apply it",
  ],
];

/** The claims on a shipped file's model, checked with their repairs searched (one instance a regime). */
export function searchedRepairs(file: string, claims: string): ClaimResult[] {
  return checkDerivation(parseDerivation(withClaims(file, claims), 'reproducer.yaml'), { instances: 1, repair: true });
}
