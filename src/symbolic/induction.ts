/**
 * Proof by induction on t, with t symbolic, of a unit-level closed form
 *   ∂h_t^α/∂P_ij = Σ_{k=lo}^{hi(t)} Σ_{γ_1…γ_k} ∏_{ℓ=0}^{k−1} F(γ_ℓ, γ_{ℓ+1}, ℓ, t) · G(γ_k, k, t),  γ_0 = α,
 * against the recurrence the model itself implies,
 *   ∂h_t^α/∂P_ij = A(α, t) + Σ_{γ=1}^{d} B(α, γ, t) ∂h_{t−1}^γ/∂P_ij,  ∂h_0/∂P = 0.
 * The proof is a chain of named rules (split off a term, shift an index,
 * distribute, apply the hypothesis, reindex a path sum); each application is
 * checked as an identity of templates with symbolic indices, so a passing
 * chain holds for every t (and every unit index), not only the ones tried.
 */
import { type Affine, affine, affineAdd, affineEquals, affineReplace, affineVars, formatAffine } from '../ir/affine.js';
import { type Expr, type Index, intVarsOf, isOp, node, num, type OpNode, type Seq, seq, sym } from '../ir/expr.js';
import { specOf } from '../ops/index.js';
import type { Model } from '../model/model.js';
import { TIME_VAR } from '../model/model.js';
import { substituteIndex } from './build.js';
import { printExpr } from '../ir/print.js';
import { SymbolicUnsupported } from './differentiate.js';
import { bindPath, sameTemplate } from './templates.js';
import type { InductionRule, Proof, ProofStep } from './proof.js';

export type { Proof, ProofStep } from './proof.js';

export interface UnitRecurrence {
  readonly A: Expr;
  readonly B: Expr;
  /** the range of γ in Σ_γ B·∂h_{t−1}^γ: the state's size */
  readonly range: Affine;
}

const v = (name: string): Affine => affine(0, { [name]: 1 });
const ixVar = (name: string): Index => ({ kind: 'affine', a: v(name) });
const singleVar = (ix: Index | Affine | null): string | null => {
  const a = !ix ? null : 'kind' in ix ? (ix.kind === 'affine' ? ix.a : null) : ix;
  if (!a || a.c !== 0) return null;
  const vars = affineVars(a);
  return vars.length === 1 && a.terms[vars[0]!] === 1 ? vars[0]! : null;
};

const mulAll = (...xs: Expr[]): Expr => xs.reduce((acc, x) => node('mul', [acc, x]));
const addAll = (xs: Expr[]): Expr => (xs.length ? xs.reduce((acc, x) => node('add', [acc, x])) : num(0));
const unitOf = (value: Seq, ix: Index): OpNode => node('comp', [value], { units: [ix] });
const delta = (a: Index, b: Index): OpNode => node('delta', [], { units: [a, b] });

/**
 * The unit-level recurrence of ∂state/∂param for a cell state = f(Σ M·v + b):
 * A collects the terms where param itself appears (δ(α, i)·v_j), B the
 * coefficient of the state at t−1 (M[α, γ]), both times f′ at (α, t).
 */
export function unitRecurrence(
  model: Model,
  state: string,
  param: string,
  names: { alpha: string; gamma: string; t: string; i: string; j: string | null },
): UnitRecurrence {
  const eq = model.equations.find((q) => q.target === state);
  if (!eq || eq.rhs.kind !== 'op' || !specOf(eq.rhs).activation)
    throw new SymbolicUnsupported(`${state} is not an activation of a sum of terms`);
  const terms: { sign: number; e: Expr }[] = [];
  const split = (e: Expr, sign: number) => {
    if (isOp(e, 'add')) {
      split(e.args[0]!, sign);
      split(e.args[1]!, sign);
    } else if (isOp(e, 'sub')) {
      split(e.args[0]!, sign);
      split(e.args[1]!, -sign);
    } else terms.push({ sign, e });
  };
  split(eq.rhs.args[0]!, 1);
  const t = v(names.t);
  const A: Expr[] = [];
  const B: Expr[] = [];
  const signed = (sign: number, e: Expr): Expr => (sign > 0 ? e : node('neg', [e]));
  for (const { sign, e } of terms) {
    if (e.kind === 'sym') {
      if (e.name === param) A.push(signed(sign, delta(ixVar(names.alpha), ixVar(names.i))));
      continue;
    }
    const [weight, vec] = isOp(e, 'mul') ? e.args : [];
    if (weight?.kind !== 'sym' || vec?.kind !== 'seq')
      throw new SymbolicUnsupported(`the term ${e.kind === 'op' ? e.op : e.kind} is not a weight times a sequence`);
    const M = weight.name;
    const time = affineReplace(vec.time, TIME_VAR, t);
    if (M === param) {
      if (!names.j) throw new SymbolicUnsupported('a matrix parameter needs two indices');
      A.push(
        signed(sign, mulAll(delta(ixVar(names.alpha), ixVar(names.i)), unitOf(seq(vec.name, time), ixVar(names.j)))),
      );
    }
    if (vec.name === state && vec.time.c === -1)
      B.push(signed(sign, node('entry', [sym(M)], { units: [ixVar(names.alpha), ixVar(names.gamma)] })));
    // Anything else the step reads must be an input: another state or an intermediate may carry the parameter's influence.
    else if (model.symbols.get(vec.name)?.role !== 'input')
      throw new SymbolicUnsupported(
        `${state} also reads ${vec.name}[${formatAffine(vec.time)}], which is not an input`,
      );
  }
  const dact: Expr = node('dact', [unitOf(seq(state, t), ixVar(names.alpha))]);
  return { A: mulAll(dact, addAll(A)), B: mulAll(dact, addAll(B)), range: model.symbols.get(state)!.shape.rows };
}

/** Null when the claim does not have the closed-form shape this prover knows. */
export function proveUnitClosedForm(model: Model, lhs: Expr, rhs: Expr): Proof | null {
  if (!isOp(lhs, 'd') || !isOp(rhs, 'rsum') || !isOp(rhs.args[0]!, 'pathsum')) return null;
  const ps = rhs.args[0];
  const body = ps.args[0]!;
  if (!isOp(body, 'mul') || !isOp(body.args[0]!, 'prod')) return null;
  const prod = body.args[0];
  const [unit, entry] = lhs.args as [OpNode, OpNode];
  const value = unit.args[0] as Seq;
  const [tName, alpha, i, j] = [
    singleVar(value.time),
    singleVar(unit.units[0]!),
    singleVar(entry.units[0]!),
    entry.units[1] ? singleVar(entry.units[1]) : null,
  ];
  const kName = rhs.binder!;
  const [psLength, psRange, psStart, psPath] = [ps.ints[0]!, ps.ints[1]!, ps.units[0]!, ps.binder!];
  if (!tName || !alpha || !i || (entry.units[1] && !j) || singleVar(psLength) !== kName || singleVar(psStart) !== alpha)
    return null;
  const lName = prod.binder!;
  // The product must run over ℓ = 0..k−1 exactly: one factor per edge of the path.
  if (!affineEquals(prod.ints[0]!, affine(0)) || !affineEquals(prod.ints[1]!, affineAdd(v(kName), affine(-1))))
    return null;
  const [a, b, gamma] = ['a__', 'b__', 'gamma__'];
  let F: Expr, G: Expr;
  try {
    F = bindPath(prod.args[0]!, psPath, (pos) =>
      affineEquals(pos, v(lName)) ? a : affineEquals(pos, affineAdd(v(lName), affine(1))) ? b : null,
    );
    G = bindPath(body.args[1]!, psPath, (pos) => (affineEquals(pos, v(kName)) ? b : null));
  } catch (err) {
    if (err instanceof SymbolicUnsupported) return null;
    throw err;
  }
  // The rules reindex paths under α ↦ γ and shift ℓ and k: F may not read α or k, G may not read α or ℓ.
  const reads = intVarsOf;
  const [fReads, gReads] = [reads(F), reads(G)];
  const misuse = [
    ...[alpha, kName].filter((n) => fReads.has(n)).map((n) => `F reads ${n}`),
    ...[alpha, lName].filter((n) => gReads.has(n)).map((n) => `G reads ${n}`),
  ];
  if (misuse.length)
    return {
      ok: false,
      steps: [{ rule: 'path-sum-shape', ok: false, values: { misuse: misuse.join(', ') } }],
      chain: [],
      stepLhs: lhs,
    };
  let rec: UnitRecurrence;
  try {
    rec = unitRecurrence(model, value.name, (entry.args[0] as { name: string }).name, { alpha, gamma, t: tName, i, j });
  } catch (err) {
    if (!(err instanceof SymbolicUnsupported)) throw err;
    return {
      ok: false,
      steps: [
        {
          rule: 'recurrence-from-model',
          ok: false,
          values: { state: value.name, param: (entry.args[0] as { name: string }).name, message: err.message },
        },
      ],
      chain: [],
      stepLhs: lhs,
    };
  }
  const sub = (e: Expr, pairs: [string, Affine][]) => pairs.reduce((acc, [n, val]) => substituteIndex(acc, n, val), e);
  const t1 = affineAdd(v(tName), affine(1));
  const steps: ProofStep[] = [];
  const check = (rule: InductionRule, ok: boolean, values: Record<string, string> = {}) =>
    steps.push({ rule, ok, values });
  const same = (x: Expr, y: Expr) => {
    try {
      return sameTemplate(x, y);
    } catch {
      return false;
    }
  };
  const show = describeTemplate;

  check('recurrence-from-model', true, { range: formatAffine(rec.range) });
  check('path-range', affineEquals(psRange, rec.range), {
    pathRange: formatAffine(psRange),
    recurrenceRange: formatAffine(rec.range),
  });
  const lo1 = affineReplace(rhs.ints[0]!, tName, affine(1));
  const hi1 = affineReplace(rhs.ints[1]!, tName, affine(1));
  const baseTerm = sub(G, [
    [b, v(alpha)],
    [kName, affine(0)],
    [tName, affine(1)],
  ]);
  const singleTerm = affineVars(lo1).length === 0 && lo1.c === 0 && affineVars(hi1).length === 0 && hi1.c === 0;
  const termIsA1 = same(baseTerm, sub(rec.A, [[tName, affine(1)]]));
  // which of the two failed is the record's: the message names that one (it quoted an equal term as the fault)
  check('base-case', singleTerm && termIsA1, {
    lo: formatAffine(lo1),
    hi: formatAffine(hi1),
    term: show(baseTerm),
    A1: show(sub(rec.A, [[tName, affine(1)]])),
    fault: singleTerm ? 'term' : termIsA1 ? 'range' : 'both',
  });
  check('induction-hypothesis', true);
  check('distribute-sum', true);
  const firstFactor = sub(F, [
    [a, v(alpha)],
    [b, v(gamma)],
    [lName, affine(0)],
    [tName, t1],
  ]);
  check('extend-first-factor', same(firstFactor, sub(rec.B, [[tName, t1]])), {
    factor: show(firstFactor),
    B: show(sub(rec.B, [[tName, t1]])),
  });
  const shiftedF = sub(F, [
    [lName, affineAdd(v(lName), affine(1))],
    [tName, t1],
  ]);
  check('reindex-later-factors', same(shiftedF, F), { shifted: show(shiftedF), factor: show(F) });
  const shiftedG = sub(G, [
    [kName, affineAdd(v(kName), affine(1))],
    [tName, t1],
  ]);
  check('reindex-last-factor', same(shiftedG, G), { shifted: show(shiftedG), tail: show(G) });
  const hiNext = affineReplace(rhs.ints[1]!, tName, t1);
  check('shift-sum-index', affineEquals(hiNext, affineAdd(rhs.ints[1]!, affine(1))), {
    next: formatAffine(hiNext),
    grown: formatAffine(affineAdd(rhs.ints[1]!, affine(1))),
  });
  const firstTerm = sub(G, [
    [b, v(alpha)],
    [kName, affine(0)],
  ]);
  check(
    'split-off-first-term',
    affineVars(rhs.ints[0]!).length === 0 && rhs.ints[0]!.c === 0 && same(firstTerm, rec.A),
    { lo: formatAffine(rhs.ints[0]!), term: show(firstTerm), A: show(rec.A) },
  );

  // The inductive step as a chain of expressions, for rendering.
  const stepLhs: Expr = node('d', [unitOf(seq(value.name, t1), unit.units[0]!), entry]);
  const recAt = (g: Expr): Expr =>
    node('add', [
      sub(rec.A, [[tName, t1]]),
      node('rsum', [node('mul', [sub(rec.B, [[tName, t1]]), g])], { ints: [affine(1), rec.range], binder: gamma }),
    ]);
  const hyp: Expr = node('d', [unitOf(value, ixVar(gamma)), entry]);
  const closedAtGamma = substituteIndex(rhs, alpha, v(gamma));
  const chain = [
    { rhs: recAt(hyp), rule: 'recurrence-from-model' as const },
    { rhs: recAt(closedAtGamma), rule: 'induction-hypothesis' as const },
    { rhs: sub(rhs, [[tName, t1]]), rule: 'rearrange-paths' as const },
  ];
  return { ok: steps.every((s) => s.ok), steps, chain, stepLhs };
}

const describeTemplate = (e: Expr): string => printExpr(e);
