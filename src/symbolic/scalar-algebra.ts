/**
 * Scalar algebra through nerdamer (nerdamer-prime): an independent derivation
 * of each activation's derivative, compared with the rule the engine uses
 * (written through y = f(x), as the documents write it) at several points.
 * nerdamer has known wrong derivatives, so neither side is trusted alone: a
 * disagreement stops the symbolic engine instead of choosing one.
 */
import { nerdamer } from './nerdamer-module.js';
import type { ElementwiseRule } from '../ops/elementwise.js';
import { SymbolicUnsupported } from './unsupported.js';

const POINTS = [-2.25, -0.6, 0.35, 1.7, 3.1];
const confirmed = new Map<string, string>();

/**
 * nerdamer's derivative of f (written from first principles as `reference`),
 * after it has been checked against the engine's rule; throws when they disagree.
 */
export function confirmDerivativeRule(
  name: string,
  reference: string | undefined,
  rule: ElementwiseRule,
  positiveOnly = false,
): string {
  const known = confirmed.get(name);
  if (known) return known;
  if (!reference) throw new SymbolicUnsupported(`no reference formula for ${name}'`);
  const derivative = nerdamer().diff(reference, 'x').toString();
  for (const p of POINTS) {
    const x = positiveOnly ? Math.abs(p) : p;
    const theirs = Number(
      nerdamer()(derivative, { x: String(x) })
        .evaluate()
        .text('decimals'),
    );
    const ours = rule.derivative(x, rule.value(x));
    if (!(Math.abs(theirs - ours) <= 1e-9 * Math.max(1, Math.abs(ours))))
      throw new SymbolicUnsupported(
        `the rule ${name}′ = ${rule.derivativeText} and nerdamer's ${derivative} disagree at x = ${x} (${ours} vs ${theirs})`,
      );
  }
  confirmed.set(name, derivative);
  return derivative;
}
