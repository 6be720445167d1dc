/**
 * Scalar algebra through nerdamer (nerdamer-prime): an independent derivation
 * of each activation's derivative, compared with the rule the engine uses
 * (written through y = f(x), as the documents write it) at several points.
 * nerdamer has known wrong derivatives, so neither side is trusted alone: a
 * disagreement stops the symbolic engine instead of choosing one.
 */
import nerdamer from 'nerdamer-prime';
import type { ElementwiseFn } from '../ir/expr.js';
import { ELEMENTWISE } from '../ir/functions.js';
import { SymbolicUnsupported } from './differentiate.js';

/** Each function written from first principles for nerdamer. */
const FORMULA: Partial<Record<ElementwiseFn, string>> = {
  tanh: '(exp(2*x)-1)/(exp(2*x)+1)',
  sigma: '1/(1+exp(-x))',
  exp: 'exp(x)',
  log: 'log(x)',
  identity: 'x',
};

const POINTS = [-2.25, -0.6, 0.35, 1.7, 3.1];
const confirmed = new Map<ElementwiseFn, string>();

/** nerdamer's derivative of f, after it has been checked against the engine's rule; throws when they disagree. */
export function confirmDerivativeRule(fn: ElementwiseFn): string {
  const known = confirmed.get(fn);
  if (known) return known;
  const formula = FORMULA[fn];
  if (!formula) throw new SymbolicUnsupported(`no reference formula for ${fn}'`);
  const derivative = nerdamer.diff(formula, 'x').toString();
  const rule = ELEMENTWISE[fn];
  for (const p of POINTS) {
    const x = fn === 'log' ? Math.abs(p) : p;
    const theirs = Number(nerdamer(derivative, { x: String(x) }).evaluate().text('decimals'));
    const ours = rule.derivative(x, rule.value(x));
    if (!(Math.abs(theirs - ours) <= 1e-9 * Math.max(1, Math.abs(ours))))
      throw new SymbolicUnsupported(`the rule ${fn}′ = ${rule.derivativeText} and nerdamer's ${derivative} disagree at x = ${x} (${ours} vs ${theirs})`);
  }
  confirmed.set(fn, derivative);
  return derivative;
}
