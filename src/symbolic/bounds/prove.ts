/**
 * Bounds proved for every value of the indices: a claim `lhs ≤ rhs` (or ≥)
 * is rewritten from one side to the other by checked rules (./lemmas.ts),
 * with k, t, T and the sizes symbolic.
 *
 *   1. Both sides are put in a normal form by equalities: every derivative
 *      replaced by the closed form the engine derives from the model
 *      (`SymbolicModel.derive`, where it holds on the claim's domain), dact
 *      written out, ‖diag(v)‖ = max |v_i|, ‖Aᵀ‖ = ‖A‖ for an atom, and — for
 *      1×1 matrices (a claim that fixes a size to 1) — every norm as |·|,
 *      which is multiplicative.
 *   2. The search (./planner.ts) rewrites the smaller side towards the
 *      larger one by ≤ steps.
 *   3. The two normal forms meet by an equality of scalar normal forms.
 *
 * The chain is start = … ≤ … = other side, with the target's normalizing
 * equalities read backwards at the end.
 */
import { withExactCoefficients } from '../cpoly.js';
import type { Claim, Derivation } from '../../derivation/derivation.js';
import { affineVars } from '../../ir/affine.js';
import { type Expr, intVarsOf, isOp, node, num, type OpNode, walk } from '../../ir/expr.js';
import { printExpr } from '../../ir/print.js';
import { shapeIn } from '../../ir/shape-of.js';
import { isColumn } from '../../ir/shape.js';
import { formSize, isGraphDerivative, type SymbolicModel } from '../derive.js';
import { specOf } from '../../ops/index.js';
import { Domain, type SizeBound } from './domain.js';
import { closedFormAt, isNorm, mulAll, productFactors } from './lemmas.js';
import { asSingleDiagonal, isEntrywise, isZeroMatrix, rounds, type Shapes } from './normal.js';
import { diagonalOf, Planner } from './planner.js';
import { NotNormal } from './substitute.js';
import { ExprError } from '../../ir/errors.js';
import { SymbolicUnsupported } from '../unsupported.js';
import type { BoundProof, BoundStep } from './rules.js';
import { MAX_PROVER_FORM_NODES, type Path, type ProverContext, Session } from './session.js';
import { nameRecord, own } from '../../ir/names.js';

/** Every place of an expression, pre-order, with its path (not inside a sup's body). */
function places(e: Expr, path: Path = []): { path: Path; x: Expr }[] {
  const out = [{ path, x: e }];
  if (e.kind === 'op' && !isOp(e, 'supabs')) e.args.forEach((a, i) => out.push(...places(a, [...path, i])));
  return out;
}

function isOneByOne(e: Expr, S: Session, path: Path): boolean {
  const dom = S.domainAt(path);
  if (!dom) return false;
  try {
    const s = S.ctx.shapes.shape(e);
    const [r, c] = [dom.pin(s.rows), dom.pin(s.cols)];
    return !affineVars(r).length && !affineVars(c).length && r.c === 1 && c.c === 1;
  } catch {
    return false;
  }
}

/** One equality that normalizes the place, or null. */
function normalizingStep(S: Session, path: Path, x: Expr): { rule: Parameters<Session['apply']>[1]; to: Expr } | null {
  const dom = S.domainAt(path);
  if (!dom) return null;
  if (x.kind === 'op' && specOf(x).graphDerivative) {
    const derived = closedFormAt(x, { model: S.ctx.model, sm: S.ctx.sm, shapes: S.ctx.shapes, domain: dom });
    if (typeof derived === 'string') return null;
    // a form past the prover's size ends the attempt where it is applied (Session.apply), before anything prints it
    if (formSize(derived) <= MAX_PROVER_FORM_NODES && printExpr(derived) === printExpr(x)) return null;
    return { rule: 'closed-form', to: derived };
  }
  const v = isOp(x, 'dact') ? x.args[0] : undefined;
  if (v?.kind === 'seq') {
    try {
      return { rule: 'dact-expansion', to: S.ctx.sm.dactExpression(v.name, v.time) };
    } catch {
      return null;
    }
  }
  if (!isNorm(x)) return null;
  const M = x.args[0]!;
  const shapes = S.ctx.shapes;
  // ‖0‖ = 0: a derivative of a value with respect to a later one (its closed form zeros(·): causality)
  if (isZeroMatrix(M, shapes) && !(M.kind === 'num')) return { rule: 'norm-zero', to: num(0) };
  // 1×1 matrices (not entrywise vectors, whose max-norm the activation rules read): every norm is |a|.
  const matrixLike = !(isColumn(shapes.shape(M)) && isEntrywise(M, shapes)) || isOp(M, 'diag');
  if (matrixLike && isOneByOne(M, S, path) && !asSingleDiagonal(M, shapes)) {
    if (x.op !== 'norm2') return { rule: 'norm-scalar', to: node('norm2', [M]) };
    const fs = productFactors(M);
    if (fs.length >= 2 && fs.every((f) => isOneByOne(f, S, path)))
      return { rule: 'abs-multiplicative', to: mulAll(fs.map((f) => node('norm2', [f]))) };
    if (isOp(M, 'prod')) return { rule: 'abs-multiplicative', to: node('prod', [node('norm2', [M.args[0]!])], M) };
  }
  // ‖c·A‖ = |c|·‖A‖: the 1×1 factors of a product leave the norm (as the norms of 1×1 matrices, i.e. |c|).
  const factors = productFactors(M);
  const scalars = factors.filter((f) => isOneByOne(f, S, path));
  if (scalars.length && scalars.length < factors.length) {
    const rest = factors.filter((f) => !scalars.includes(f));
    return {
      rule: 'norm-homogeneous',
      to: mulAll([...scalars.map((c) => node('norm2', [c])), node(x.op, [mulAll(rest)])]),
    };
  }
  if (x.op !== 'normF' && asSingleDiagonal(M, shapes)) {
    const v = diagonalOf(M);
    if (v && printExpr(v) !== printExpr(M)) return { rule: 'norm-diag', to: node('normMax', [v]) };
  }
  if (isOp(M, 'transpose') && x.op !== 'normInf' && (M.args[0]!.kind !== 'op' || isGraphDerivative(M.args[0]!)))
    return { rule: 'norm-transpose', to: node(x.op, [M.args[0]!]) };
  return null;
}

/** Applies normalizing equalities until none applies; derivatives left without a closed form are noted. */
function normalize(S: Session): void {
  for (const { path, x } of places(S.expr))
    if (x.kind === 'op' && specOf(x).graphDerivative) {
      const dom = S.domainAt(path);
      const derived = dom && closedFormAt(x, { model: S.ctx.model, sm: S.ctx.sm, shapes: S.ctx.shapes, domain: dom });
      if (typeof derived === 'string') S.unresolved.push({ derivative: printExpr(x), why: derived });
    }
  for (let round = 0; round < 50; round++) {
    let changed = false;
    for (const { path, x } of places(S.expr)) {
      const step = normalizingStep(S, path, x);
      if (step && S.apply(path, step.rule, step.to)) {
        changed = true;
        break;
      }
    }
    if (!changed) return;
  }
}

/** The claim's domain: its quantifiers, and every size ≥ 1 (unbounded above) except those it fixes to one value. */
export function claimDomain(d: Pick<Derivation, 'model'>, claim: Claim): Domain {
  return domainOf(d.model, claim.forall, claim.sizes);
}

/** The domain of quantifiers `forall` over the model's sizes (those `fixed` to one value pinned), as claimDomain's. */
export function domainOf(
  model: Pick<Derivation['model'], 'sizes'>,
  forall: Claim['forall'],
  fixed?: Claim['sizes'],
): Domain {
  const sizes = nameRecord<SizeBound>();
  for (const name of Object.keys(model.sizes)) {
    const r = fixed ? own(fixed, name) : undefined;
    // Sizes are at least 1 (or the model's own smaller minimum); no upper bound is used.
    const floor = Math.min(1, own(model.sizes, name)!.min);
    sizes[name] = r && r.min === r.max ? { min: r.min, max: r.max } : { min: floor, max: null };
  }
  return new Domain(
    forall.map((q) => ({ name: q.name, lo: q.lo, hi: q.hi })),
    sizes,
  );
}

/** A proof attempt for an inequality claim; null for an equality. */
export function proveBound(d: Derivation, claim: Claim, sm: SymbolicModel): BoundProof | null {
  if (claim.relation === '=') return null;
  // Equal normal forms prove: every constant in them must be exact (src/symbolic/exact-float.ts).
  const bound = claim as Claim & { relation: '<=' | '>=' };
  return withExactCoefficients(rounds, () => proveBoundExactly(d, bound, sm));
}

function proveBoundExactly(d: Derivation, claim: Claim & { relation: '<=' | '>=' }, sm: SymbolicModel): BoundProof {
  const shapes: Shapes = { shape: (e) => shapeIn(d.model, e) };
  const domain = claimDomain(d, claim);
  const ctx: ProverContext = { model: d.model, sm, shapes, domain };
  const [start, target] = claim.relation === '<=' ? [claim.lhs, claim.rhs] : [claim.rhs, claim.lhs];
  const S = new Session(ctx, start);
  const T = new Session(ctx, target);
  const planner = new Planner(S);
  let ok = false;
  let crashed: string | null = null;
  try {
    normalize(S);
    normalize(T);
    ok = planner.bound([], T.expr);
  } catch (err) {
    // A proposal the normal forms cannot read ends the search; it never makes a proof.
    if (!(err instanceof NotNormal || err instanceof ExprError || err instanceof SymbolicUnsupported)) throw err;
    crashed = err.message;
  }
  if (ok && printExpr(S.expr) !== printExpr(T.expr)) ok = S.apply([], 'scalar-algebra', T.expr);
  const fixed = domain.fixedSizes();
  const symbolic = symbolicVariables(d, claim, domain);
  // The target's equalities read backwards: T.expr = … = target.
  const back: BoundStep[] = [];
  const exprs = [target, ...T.steps.map((s) => s.expr)];
  for (let j = T.steps.length - 1; j >= 0; j--) back.push({ ...T.steps[j]!, expr: exprs[j]!, relation: '=' });
  const unresolved = [...S.unresolved, ...T.unresolved];
  const why = unresolved.length
    ? `no closed form for ${unresolved.map((u) => `${u.derivative} (${u.why})`).join(', ')}`
    : (crashed ?? planner.failure?.why ?? 'no rule applies');
  const failure = ok
    ? null
    : planner.failure
      ? {
          goal: planner.failure.goal,
          target: planner.failure.target,
          why,
          ...(planner.failure.after ? { after: planner.failure.after } : {}),
        }
      : { goal: printExpr(S.expr), target: printExpr(T.expr), why };
  return {
    ok,
    relation: claim.relation,
    start,
    steps: ok ? [...S.steps, ...back] : S.steps,
    failure,
    symbolic,
    fixed,
  };
}

/**
 * The integer variables the proof leaves symbolic: the quantifiers, and the
 * sizes the claim reads — in its indices and bounds, or in the shapes of the
 * values it names — except those it fixes.
 */
function symbolicVariables(d: Derivation, claim: Claim, domain: Domain): string[] {
  const fixed = domain.fixedSizes();
  const used = new Set<string>();
  const add = (a: { terms: Readonly<Record<string, number>> }) => Object.keys(a.terms).forEach((v) => used.add(v));
  for (const side of [claim.lhs, claim.rhs]) {
    for (const v of intVarsOf(side)) used.add(v);
    walk(side, (x) => {
      const decl = x.kind === 'sym' || x.kind === 'seq' ? d.model.symbols.get(x.name) : undefined;
      if (decl) [decl.shape.rows, decl.shape.cols].forEach(add);
    });
  }
  for (const q of claim.forall) [q.lo, q.hi].forEach(add);
  const quantified = claim.forall.map((q) => q.name);
  const sizes = Object.keys(d.model.sizes).filter((n) => used.has(n) && !(n in fixed));
  return [...quantified, ...sizes.filter((n) => !quantified.includes(n))];
}

export type { OpNode };
