/** A small tanh RNN written out as a derivation file, with the claims each test adds. */
import { modelFile } from '../support/model-file.js';

export const RNN_HEADER = modelFile({
  title: 'tanh RNN for the language tests',
  name: 'tanh RNN',
  sizes: 'd: 2..3, m: 1..2, T: 3..5',
  symbols: ['W', 'U', 'b', 'c', 'x', 'h'],
  equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
  loss: 'L = sum(c .* h[T])',
});

/** The derivation file with these claims (YAML list items, indented by two spaces). */
export const rnnWith = (claims: string): string => RNN_HEADER + claims;
