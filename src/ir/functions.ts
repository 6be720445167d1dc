/**
 * Elementwise activation functions: their values and the derivative rules the
 * engine uses. Derivatives are written in terms of the input x and the output
 * y = f(x) because that is how the documents write them (tanh′ = 1 − h²,
 * σ′ = σ(1 − σ)); tests check every rule against dual numbers, complex step
 * and mathjs's symbolic derivative.
 */
import type { ElementwiseFn } from './expr.js';

export interface ElementwiseRule {
  readonly value: (x: number) => number;
  /** f′(x) given x and y = f(x) */
  readonly derivative: (x: number, y: number) => number;
  /** the derivative as the documents write it, for messages and rendering */
  readonly derivativeText: string;
}

function sigma(x: number): number {
  // Two branches so neither exp overflows for large |x|.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const ELEMENTWISE: Readonly<Record<ElementwiseFn, ElementwiseRule>> = {
  tanh: { value: Math.tanh, derivative: (_x, y) => 1 - y * y, derivativeText: '1 - tanh(x)^2' },
  sigma: { value: sigma, derivative: (_x, y) => y * (1 - y), derivativeText: 'sigma(x) * (1 - sigma(x))' },
  exp: { value: Math.exp, derivative: (_x, y) => y, derivativeText: 'exp(x)' },
  log: { value: Math.log, derivative: (x) => 1 / x, derivativeText: '1 / x' },
  abs: { value: Math.abs, derivative: (x) => Math.sign(x), derivativeText: 'sign(x)' },
  identity: { value: (x) => x, derivative: () => 1, derivativeText: '1' },
};

/** Names accepted in derivation files, with aliases the documents use. */
export const ELEMENTWISE_NAMES: Readonly<Record<string, ElementwiseFn>> = {
  tanh: 'tanh',
  sigma: 'sigma',
  sigmoid: 'sigma',
  exp: 'exp',
  log: 'log',
  abs: 'abs',
  identity: 'identity',
  id: 'identity',
};
