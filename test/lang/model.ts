/** A small tanh RNN written out as a derivation file, with the claims each test adds. */
export const RNN_HEADER = `gradproof: 1
title: tanh RNN for the language tests
model:
  name: tanh RNN
  sizes: { d: 2..3, m: 1..2, T: 3..5 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, m] }
    b: { role: parameter, shape: [d], init: bias }
    c: { role: parameter, shape: [d], init: gaussian }
    x: { role: input, shape: [m] }
    h: { role: state, shape: [d] }
  equations:
    - h[t] = tanh(W*h[t-1] + U*x[t] + b)
  loss: L = sum(c .* h[T])
claims:
`;

/** The derivation file with these claims (YAML list items, indented by two spaces). */
export const rnnWith = (claims: string): string => RNN_HEADER + claims;
