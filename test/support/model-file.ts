/**
 * Derivation files for tests, built from parts: most tests need a small RNN
 * that differs from the next test's in a symbol, an equation or the loss.
 * The text comes out line for line as a hand-written file would (tests that
 * assert file:line:col locations rely on the layout below).
 */
import { readFileSync } from 'node:fs';

/** Declarations the tests' RNNs share, by symbol name; any other symbol is passed as `name: declaration`. */
const COMMON: ReadonlyMap<string, string> = new Map([
  ['W', '{ role: parameter, shape: [d, d], init: recurrent }'],
  ['U', '{ role: parameter, shape: [d, m] }'],
  ['b', '{ role: parameter, shape: [d], init: bias }'],
  ['c', '{ role: parameter, shape: [d], init: gaussian }'],
  ['x', '{ role: input, shape: [m] }'],
  ['h', '{ role: state, shape: [d] }'],
]);

export interface ModelFileParts {
  readonly title?: string;
  /** lines between the title and `model:` (e.g. a notation profile), each ending in a newline */
  readonly preamble?: string;
  readonly name?: string;
  /** the inline sizes record's contents, e.g. 'd: 2..3, T: 3..4' */
  readonly sizes: string;
  /** common symbol names (see COMMON), or `name: declaration` lines */
  readonly symbols: readonly string[];
  /** lines inside `model:` after the symbols and before the equations, each ending in a newline */
  readonly modelExtra?: string;
  readonly equations: readonly string[];
  readonly loss?: string;
  /** top-level sections between the model and the claims (e.g. definitions), each line ending in a newline */
  readonly sections?: string;
  /** the claims list (YAML items indented by two spaces), after `claims:` */
  readonly claims?: string;
}

export function modelFile(p: ModelFileParts): string {
  const symbol = (s: string) => {
    const declaration = COMMON.get(s);
    return `    ${declaration ? `${s}: ${declaration}` : s}\n`;
  };
  return (
    `gradproof: 1\n` +
    (p.title !== undefined ? `title: ${p.title}\n` : '') +
    (p.preamble ?? '') +
    `model:\n` +
    (p.name !== undefined ? `  name: ${p.name}\n` : '') +
    `  sizes: { ${p.sizes} }\n` +
    `  symbols:\n` +
    p.symbols.map(symbol).join('') +
    (p.modelExtra ?? '') +
    `  equations:\n` +
    p.equations.map((e) => `    - ${e}\n`).join('') +
    (p.loss !== undefined ? `  loss: ${p.loss}\n` : '') +
    (p.sections ?? '') +
    `claims:\n` +
    (p.claims ?? '')
  );
}

/** A derivation file's text up to its claims, with these claims instead (YAML items indented by two spaces). */
export function withClaims(file: string, claims: string): string {
  const text = readFileSync(file, 'utf8');
  return `${text.slice(0, text.indexOf('\nclaims:'))}\nclaims:\n${claims}`;
}

/**
 * The smallest tanh RNN the bad-input and prose tests share (no input, its loss on the last state) with one claim,
 * ∂L/∂h_{T−1} = Wᵀ diag(1 − h_T²) ∂L/∂h_T, expected verified: a file that loads and checks in a moment.
 */
export const TINY_RNN_FILE = modelFile({
  sizes: 'd: 2..3, T: 3..4',
  symbols: ['W', 'c', 'h'],
  equations: ['h[t] = tanh(W*h[t-1])'],
  loss: 'L = sum(c .* h[T])',
  claims: `  - id: eq1
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
`,
});

/**
 * A tanh RNN with two false claims on Jacobians the check materialises by rows (their targets fixed), on matrices of
 * 3 and 4: the export and the matrix-product tests replay their counterexamples.
 */
export const JACOBIAN_ROWS_FILE = modelFile({
  name: 'tanh RNN',
  sizes: 'd: 3..4, m: 1..2, T: 3..8',
  symbols: ['W', 'U', 'b', 'c', 'x', 'h'],
  equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
  loss: 'L = sum(c .* h[T])',
  claims: `  - id: trace-false
    claim: trace(jac(h[T], h[T-3])) >= 1 + normF(jac(h[T], h[T-3]))
  - id: normF-false
    claim: normF(jac(h[T], h[T-3])) <= 0.5 * norm2(jac(h[T], h[T-3]))
`,
});
