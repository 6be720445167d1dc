/**
 * Unit-level expressions with symbolic indices (α, γ, t left as letters),
 * compared as commutative polynomials whose atoms are the printed units —
 * `dact(h[t+1, alpha])`, `U[alpha, gamma]` — so that identities between
 * templates hold for every value of their indices, not just tested ones.
 */
import { affine, type Affine, type IntEnv } from '../ir/affine.js';
import { type Expr, type Index, type Leaf, type OpNode, rewrite } from '../ir/expr.js';
import { printExpr } from '../ir/print.js';
import { inferShape } from '../ir/infer-shape.js';
import type { ExactContext, ExactDomain } from '../ops/contexts.js';
import { cpolyKey, type CPoly, csym, POLY_RING, withExactCoefficients } from './cpoly.js';
import { roundingUnsupported } from './exact-float.js';
import { ExactEvaluator } from './exact.js';
import { evalAffine } from '../ir/affine.js';
import { rscalar } from './ring.js';
import { SymbolicUnsupported } from './unsupported.js';

const refuse = (what: string): never => {
  throw new SymbolicUnsupported(`${what} in a unit-level template`);
};

const TEMPLATE_DOMAIN: ExactDomain<CPoly> = {
  ring: POLY_RING,
  indices: 'symbolic',
  shapes: 'concrete',
  leaf: (e: Leaf) => (e.kind === 'ivar' ? rscalar(csym(e.name)) : refuse(e.kind)),
  opaque: (n) => refuse(n.op),
  unitAtom: (n: OpNode, ctx: ExactContext<CPoly>) => rscalar(csym(printExpr(n, ctx.env))),
  activation: (n) => refuse(n.op),
  dactOf: () => refuse('dact of a whole vector'),
  unitDerivative: (n) => refuse(n.op),
  // Templates are scalar: units, entries, δ, σ′, ∂h/∂w and their products; no model symbol is looked up.
  dims: (e: Expr, env: IntEnv): [number, number] => {
    const s = inferShape(e, { shapeOf: (name) => refuse(`the symbol ${name}`) });
    return [evalAffine(s.rows, env), evalAffine(s.cols, env)];
  },
};

/** The polynomial of a scalar unit-level expression, indices substituted from env (the rest stay symbolic). */
export function templatePoly(e: Expr, env: IntEnv = {}): CPoly {
  return new ExactEvaluator(TEMPLATE_DOMAIN, env).evaluate(e).data[0]!;
}

/** Equal templates, their coefficients combined exactly (a rounded one is refused: exact-float.ts). */
export const sameTemplate = (a: Expr, b: Expr, env: IntEnv = {}): boolean =>
  withExactCoefficients(roundingUnsupported, () => cpolyKey(templatePoly(a, env)) === cpolyKey(templatePoly(b, env)));

/**
 * Replaces path positions by index variables: `bind(F, g, pos ↦ name)` turns
 * g[l] into `a` and g[l+1] into `b` when the map says so; any other position
 * of the path is an error (the template reads more of the path than allowed).
 */
export function bindPath(e: Expr, path: string, name: (pos: Affine) => string | null): Expr {
  const ix = (i: Index): Index => {
    if (i.kind !== 'path' || i.name !== path) return i;
    const bound = name(i.pos);
    if (!bound) throw new SymbolicUnsupported(`the template reads ${path} at an unexpected position`);
    return { kind: 'affine', a: affine(0, { [bound]: 1 }) };
  };
  return rewrite(e, (x) => (x.kind === 'op' && x.units.length ? { ...x, units: x.units.map(ix) } : x));
}
