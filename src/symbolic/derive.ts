/**
 * Derives closed forms of derivative quantities from a model's equations:
 * one-step Jacobians by forward accumulation through the step's equations,
 * k-step Jacobians as ordered products for a Markov state, and loss
 * gradients as the adjoint (transposed) product applied to ∇_{x_T}L.
 */
import {
  type Affine,
  affine,
  affineAdd,
  affineEquals,
  affineProduct,
  affineVar,
  affineVars,
  formatAffine,
  type IntEnv,
  substituteAffine,
  isConstant,
} from '../ir/affine.js';
import {
  type Expr,
  foldChain,
  intVarsOf,
  isOp,
  mapChildren,
  node,
  num,
  type NodeRef,
  type OpNode,
  refOf,
  rewrite,
  type Seq,
  exprOfRef,
  children,
  seq,
  some,
  walk,
} from '../ir/expr.js';
import { LIMITS } from '../ir/limits.js';
import { own } from '../ir/names.js';
import { printExpr } from '../ir/print.js';
import { shapeIn } from '../ir/shape-of.js';
import { isScalar, type Shape } from '../ir/shape.js';
import { blockMatrix, pickBlock, specOf, toElementwise } from '../ops/index.js';
import type { ParamGradientContext } from '../ops/contexts.js';
import { HORIZON, type Model, TIME_VAR } from '../model/model.js';
import { add, eye, type Jac, mul, substituteIndex, substituteIndexShared, substituteReal } from './build.js';
import { activationDerivative, type DiffBase, jacobianOf, SymbolicUnsupported } from './differentiate.js';
import { transpose } from './transpose.js';
import { ExpansionTooLarge } from './unsupported.js';

/** Concrete lags up to this are unrolled by accumulation; longer ones need the product form. */
export const MAX_ACCUMULATED_LAG = 8;

const LAG_INDEX = 'i';

/** A derivative node's parts: the op (grad, jac, partial), what of, with respect to what, and the held nodes. */
export function derivParts(e: OpNode): { mode: string; of: NodeRef; wrt: NodeRef; fixed: NodeRef[] } {
  return { mode: e.op, of: refOf(e.args[0]!), wrt: refOf(e.args[1]!), fixed: e.args.slice(2).map(refOf) };
}

export function derivNode(mode: string, of: NodeRef, wrt: NodeRef, fixed: readonly NodeRef[] = []): OpNode {
  return node(mode, [exprOfRef(of), exprOfRef(wrt), ...fixed.map(exprOfRef)]);
}

export const isGraphDerivative = (e: Expr): e is OpNode => e.kind === 'op' && specOf(e).graphDerivative === true;

/** One child c of x in the backward step: its ∂c/∂x (other states held) and the term (∂c/∂x)ᵀ ∇_c L. */
export interface BackwardTerm {
  readonly child: NodeRef;
  /** c's time minus x's */
  readonly offset: number;
  readonly local: Expr;
  readonly term: Expr;
}

/** ∇_x L as one step of the backward recurrence: the sum of its terms, one per child of x. */
export interface BackwardStep {
  readonly expr: Expr;
  readonly terms: readonly BackwardTerm[];
}

export class SymbolicModel implements DiffBase {
  private readonly values = new Map<string, Expr>();
  private readonly derived = new Map<string, Expr | SymbolicUnsupported>();
  private readonly dacts = new Map<string, Expr>();
  // The chain-rule steps of the checks, asked again at every binding: each depends on the model and its arguments' printed forms only.
  private readonly steps = new Map<string, unknown>();

  private remembered<T>(key: string, make: () => T): T {
    if (this.steps.has(key)) return this.steps.get(key) as T;
    const value = make();
    this.steps.set(key, value);
    return value;
  }

  /**
   * lossGradient 'atom': ∇_y L of the value y the loss reads stays ∇_y L, as texts write it (derive's
   * output); 'explicit': it is the loss's own derivative (1 for L = E_T, v + h_T for ½‖h_T‖² + vᵀh_T), so
   * identities that hold because of the loss (ε = Σ_t ε_t) are decided too (the checks).
   */
  constructor(
    readonly model: Model,
    private readonly lossGradient: 'atom' | 'explicit' = 'atom',
    /**
     * the most nodes a form built on the way may have written out as a tree (derive, which prints them: a model whose
     * intermediates each read the two before has Jacobians that grow as Fibonacci numbers, and 30 of them ran past
     * 3 GB); the checks, which walk shared subterms once, have none (the shipped files' reach 4.5 million)
     */
    private readonly maxFormNodes = Infinity,
  ) {}

  shape(e: Expr): Shape {
    return shapeIn(this.model, e);
  }

  valueOf(e: Expr): Expr | null {
    return this.values.get(printExpr(e)) ?? null;
  }

  userDerivative(name: string, arg: Expr): Expr {
    const f = this.model.functions.get(name);
    if (!f) throw new SymbolicUnsupported(`unknown function ${name}`);
    return substituteReal(toElementwise(f.derivative), f.variable, arg);
  }

  /** dact(y[τ]): f′ at y's pre-activation, written as the engine's rule (σ′ = σ ⊙ (1 − σ), …). */
  dactExpression(name: string, time: Affine): Expr {
    // One tree per value and time: evaluators read it at every point, and know a tree they saw (content keys).
    const key = `${name}|${formatAffine(time)}`;
    let d = this.dacts.get(key);
    if (!d) {
      d = this.dactExpressionOf(name, time);
      this.dacts.set(key, d);
    }
    return d;
  }

  private dactExpressionOf(name: string, time: Affine): Expr {
    const eq = this.model.equations.find((q) => q.target === name);
    const rhs = eq && substituteIndex(eq.rhs, TIME_VAR, time);
    if (!rhs || rhs.kind !== 'op' || !specOf(rhs).activation)
      throw new SymbolicUnsupported(`${name} is not an activation f(z)`);
    const d = specOf(rhs).activation!.derivative(rhs, seq(name, time), (fn, arg) => this.userDerivative(fn, arg));
    if (!d) throw new SymbolicUnsupported(`${rhs.op} has no derivative rule`);
    return d;
  }

  /** The right side of `name`'s equation at a given time, registered so f(z) can be read back as y. */
  private instantiate(name: string, time: Affine): Expr {
    const eq = this.model.equations.find((q) => q.target === name)!;
    const rhs = substituteIndex(eq.rhs, TIME_VAR, time);
    this.values.set(printExpr(rhs), seq(name, time));
    // y = g .* f(z) style cells (h = o .* tanh(C)) do not name f(z); only whole right sides are read back.
    return rhs;
  }

  private rows(name: string): Affine {
    return this.model.symbols.get(name)!.shape.rows;
  }

  /**
   * ∂of/∂wrt through the unrolled graph for a constant time difference, with
   * `fixed` nodes held: forward accumulation over the equations in order.
   */
  accumulate(of: NodeRef, wrt: NodeRef, fixed: readonly NodeRef[] = []): Jac {
    if (!of.time || !wrt.time) throw new SymbolicUnsupported('only sequence nodes are differentiated symbolically');
    const lag = affineAdd(of.time, wrt.time, -1);
    if (affineVars(lag).length) throw new SymbolicUnsupported(`the lag ${formatAffine(lag)} is not constant`);
    if (lag.c < 0) return null;
    if (lag.c > MAX_ACCUMULATED_LAG) throw new SymbolicUnsupported(`lag ${lag.c} is too long to accumulate`);
    const key = (name: string, offset: number) => `${name}@${offset}`;
    const offsetOf = (f: NodeRef) => {
      const off = affineAdd(f.time!, wrt.time!, -1);
      if (affineVars(off).length)
        throw new SymbolicUnsupported(`the held node ${f.name}[${formatAffine(f.time!)}] is not at a fixed offset`);
      return off.c;
    };
    const held = new Set(fixed.filter((f) => f.time).map((f) => key(f.name, offsetOf(f))));
    // With concrete times, time 0 holds initial values: nothing is computed there.
    const seedTime = affineVars(wrt.time).length === 0 ? wrt.time.c : null;
    const heldEverywhere = new Set(fixed.filter((f) => !f.time).map((f) => f.name));
    const D = new Map<string, Jac>([[key(wrt.name, 0), eye(this.rows(wrt.name))]]);
    const seedEq = this.model.equations.findIndex((q) => q.target === wrt.name);
    // Only the equations on some path from the seed to the target are differentiated: an unrelated
    // equation (a per-step loss, an output head) never blocks a closed form.
    const onPath = this.ancestors(of.name, lag.c);
    for (let o = 0; o <= lag.c; o++) {
      this.model.equations.forEach((eq, index) => {
        const k = key(eq.target, o);
        if (
          !onPath.has(k) ||
          k === key(wrt.name, 0) ||
          held.has(k) ||
          heldEverywhere.has(eq.target) ||
          (o === 0 && seedEq >= 0 && index < seedEq)
        )
          return;
        if (seedTime !== null && seedTime + o <= 0) return;
        const rhs = this.instantiate(eq.target, affineAdd(wrt.time!, affine(o)));
        const j = jacobianOf(rhs, (ref) => D.get(key(ref.name, affineAdd(ref.time, wrt.time!, -1).c)) ?? null, this);
        if (j && formSize(j) > this.maxFormNodes)
          throw new ExpansionTooLarge(
            `∂${eq.target}/∂${wrt.name} has ${formSize(j).toPrecision(3)} nodes written out, more than ${this.maxFormNodes}`,
          );
        if (j) D.set(k, j);
      });
    }
    return D.get(key(of.name, lag.c)) ?? null;
  }

  /**
   * ∇_x L by one step of the backward recurrence, the chain rule over x's children in the unrolled graph:
   * Σ_c (∂c/∂x)ᵀ ∇_c L over the state values c that read x other than through another state (at x's own step
   * after x, or at a later step up to the longest lag an equation reads), each ∂c/∂x with every other state held.
   * Every path from x to L passes first through exactly one such c, so the sum is ∇_x L — provided L reads
   * nothing but states and never x's sequence (a read of x would add ∂L/∂x itself): null otherwise, or when x
   * has no child. Each term names its c and c's offset from x's time: c exists only where that time is ≤ T, and
   * x's step must be computed from the equations (time ≥ 1), which the callers check (a bound rule on its domain,
   * the identity check at its binding).
   */
  backwardStep(x: NodeRef): BackwardStep | null {
    return this.remembered(`backwardStep ${printExpr(exprOfRef(x))}`, () => this.backwardStepFresh(x));
  }

  private backwardStepFresh(x: NodeRef): BackwardStep | null {
    const loss = this.model.loss;
    if (!loss || !x.time) return null;
    const states = [...this.model.symbols.values()].filter((s) => s.role === 'state').map((s) => s.name);
    const lossReads = new Set([...this.lossReads().reads.values()].map((r) => r.name));
    if (lossReads.has(x.name) || [...lossReads].some((r) => !states.includes(r))) return null;
    let longestLag = 1;
    for (const eq of this.model.equations)
      walk(eq.rhs, (e) => {
        if (e.kind === 'seq') longestLag = Math.max(longestLag, -e.time.c);
      });
    const at = (name: string, offset: number): NodeRef => ({ name, time: affineAdd(x.time!, affine(offset)) });
    const terms: BackwardTerm[] = [];
    for (let offset = 0; offset <= longestLag; offset++)
      for (const c of states) {
        if (offset === 0 && c === x.name) continue;
        const child = at(c, offset);
        const held: NodeRef[] = [];
        for (let o = 0; o <= offset; o++)
          for (const s of states) if (!(o === offset && s === c) && !(o === 0 && s === x.name)) held.push(at(s, o));
        const local = this.accumulate(child, x, held);
        if (local)
          terms.push({
            child,
            offset,
            local,
            term: mul(transpose(local), derivNode('grad', { name: loss.name, time: null }, child))!,
          });
      }
    return terms.length ? { expr: terms.map((t) => t.term).reduce((a, b) => add(a, b)!), terms } : null;
  }

  /**
   * ∇_x L unrolled to the horizon, for a state x whose backward step has one child after x's own step: x itself
   * at the next step (the cell state, which only the next cell state reads later). With g_u = ∇_{x_u}L the steps
   * are g_u = b_u + A_{u+1}ᵀ g_{u+1} for u < T and g_T = b_T (x_{T+1} does not exist), so by induction down from T
   *
   *   g_τ = Σ_{j=τ}^{T} (∏_{l=τ+1}^{j} A_lᵀ) b_j     (earliest factor on the left; the empty product is I),
   *
   * b_u the terms of x_u's other children (its own step's). Written with the binders `j` and `l`; null where the
   * step has another shape, or the binders would capture a variable of x's time.
   */
  backwardUnrolled(x: NodeRef, j: string, l: string): Expr | null {
    if (!x.time || j === l || [j, l].some((v) => affineVars(x.time!).includes(v) || own(this.model.sizes, v)))
      return null;
    const stepAt = (time: Affine) => this.backwardStep({ name: x.name, time });
    const [atJ, beforeL] = [stepAt(affineVar(j)), stepAt(affineAdd(affineVar(l), affine(-1)))];
    if (!atJ || !beforeL) return null;
    const later = (s: BackwardStep) => s.terms.filter((t) => t.offset > 0);
    const [next, nextL] = [later(atJ), later(beforeL)];
    const onlySelf = (ts: readonly BackwardTerm[]) =>
      ts.length === 1 && ts[0]!.offset === 1 && ts[0]!.child.name === x.name;
    if (!onlySelf(next) || !onlySelf(nextL)) return null;
    const sameStep = atJ.terms.filter((t) => t.offset === 0);
    if (!sameStep.length) return null;
    const b = sameStep.map((t) => t.term).reduce((p, q) => add(p, q)!);
    const product = node('prod', [transpose(nextL[0]!.local)!], {
      ints: [affineAdd(x.time, affine(1)), affineVar(j)],
      binder: l,
    });
    return node('rsum', [mul(product, b)!], { ints: [x.time, affineVar(HORIZON)], binder: j });
  }

  /** The nodes name@offset that `name` at offset `top` depends on, down to offset 0 (itself included). */
  private ancestors(name: string, top: number): ReadonlySet<string> {
    return this.remembered(`ancestors ${name}@${top}`, () => this.ancestorsFresh(name, top));
  }

  private ancestorsFresh(name: string, top: number): Set<string> {
    const out = new Set<string>();
    const stack: [string, number][] = [[name, top]];
    while (stack.length) {
      const [n, o] = stack.pop()!;
      if (o < 0 || out.has(`${n}@${o}`)) continue;
      out.add(`${n}@${o}`);
      const eq = this.model.equations.find((q) => q.target === n);
      if (!eq) continue;
      walk(eq.rhs, (e) => {
        if (e.kind === 'seq') stack.push([e.name, o + e.time.c]);
      });
    }
    return out;
  }

  /** Sequences at t−1 that x[t] reads, directly or through same-step intermediates (held ones excepted). */
  private previousReads(name: string, held: ReadonlySet<string>): Set<string> {
    const out = new Set<string>();
    const visit = (target: string, seen: Set<string>) => {
      if (seen.has(target)) return;
      seen.add(target);
      const eq = this.model.equations.find((q) => q.target === target);
      if (!eq) return;
      walk(eq.rhs, (e) => {
        if (e.kind !== 'seq' || held.has(e.name)) return;
        if (e.time.c === -1) out.add(e.name);
        else visit(e.name, seen);
      });
    };
    visit(name, new Set());
    return out;
  }

  /** One step of x's recursion at time τ: ∂x[τ]/∂x[τ−1], with `held` sequences fixed. */
  private oneStep(name: string, time: Affine, held: readonly NodeRef[]): Jac {
    return this.accumulate({ name, time }, { name, time: affineAdd(time, affine(-1)) }, held);
  }

  /**
   * ∂L/∂P for a parameter: the sum over time steps and equations of each
   * step's contribution, adjoint ⊗ input (the outer product g·vᵀ where P·v
   * appears), with the adjoint ∇_{y_t}L of the equation's output derived in
   * turn where it has a closed form — the sum over lags of path contributions.
   */
  private parameterGradient(e: OpNode): Expr {
    const { of, wrt } = derivParts(e);
    const P = wrt.name;
    if (!of.time && this.model.loss && mentions(this.model.loss.rhs, P))
      throw new SymbolicUnsupported(`the loss reads ${P} directly`);
    // A fresh summation index: the quantity's own indices (a free t, say) must not be captured.
    const step = 's__';
    const t = affine(0, { [step]: 1 });
    let total: Jac = null;
    for (const eq of this.model.equations) {
      if (!mentions(eq.rhs, P)) continue;
      const rhs = this.instantiate(eq.target, t);
      const adjoint = derivNode('grad', of, { name: eq.target, time: t });
      let g: Expr = adjoint;
      try {
        g = this.derive(adjoint);
      } catch (err) {
        if (!(err instanceof SymbolicUnsupported)) throw err;
      }
      const c = this.contribution(rhs, P, g);
      if (c) total = add(total, c);
    }
    if (!total) throw new SymbolicUnsupported(`no equation uses ${P}`);
    // Steps after the value differentiated (ε_t's, or the horizon's for the loss) do not reach it.
    return node('rsum', [total], { ints: [affine(1), of.time ?? affine(0, { [HORIZON]: 1 })], binder: step });
  }

  /**
   * ∂y_t/∂vec(P) for a parameter P: the sum over steps s ≤ t and equations
   * that read P of (∂y_t/∂x_s, total) · (∂x_s/∂vec(P), direct) — each place P
   * enters counted once, as the chain rule over the unrolled graph has it. With
   * held nodes (a partial derivative) only one step's equations are
   * differentiated, and every earlier value they read must be held.
   */
  private parameterJacobian(of: NodeRef, P: string, fixed: readonly NodeRef[]): Expr {
    if (!of.time) throw new SymbolicUnsupported(`∂${of.name}/∂${P} of a value without a time`);
    if (fixed.length) return this.heldParameterJacobian(of, P, fixed);
    const step = 's__';
    const s = affine(0, { [step]: 1 });
    let total: Jac = null;
    for (const eq of this.model.equations) {
      if (!mentions(eq.rhs, P)) continue;
      const direct = jacobianOf(this.instantiate(eq.target, s), () => null, this, P);
      if (!direct) continue;
      const through = this.deriveJac(of, { name: eq.target, time: s }, []);
      if (through) total = add(total, mul(through, direct));
    }
    if (!total) throw new SymbolicUnsupported(`${of.name} does not depend on ${P}`);
    return node('rsum', [total], { ints: [affine(1), of.time], binder: step });
  }

  /** partial(y[t], P, held…): forward through the equations of y's step, the earlier values it reads held. */
  private heldParameterJacobian(of: NodeRef, P: string, fixed: readonly NodeRef[]): Expr {
    const time = of.time!;
    const isHeld = (ref: Seq) => fixed.some((f) => f.name === ref.name && (!f.time || affineEquals(f.time, ref.time)));
    const D = new Map<string, Jac>();
    for (const eq of this.model.equations) {
      if (isHeld({ kind: 'seq', name: eq.target, time })) continue;
      const j = jacobianOf(
        this.instantiate(eq.target, time),
        (ref) => {
          if (isHeld(ref)) return null;
          if (!affineEquals(ref.time, time))
            throw new SymbolicUnsupported(`${ref.name}[${formatAffine(ref.time)}] is not held: it depends on ${P} too`);
          return D.get(ref.name) ?? null;
        },
        this,
        P,
      );
      D.set(eq.target, j);
      if (eq.target === of.name) break;
    }
    const j = D.get(of.name);
    if (j === undefined) throw new SymbolicUnsupported(`${of.name} has no equation`);
    if (j) return j;
    const p = this.model.symbols.get(P)!.shape;
    return node('zeros', [], { ints: [this.rows(of.name), affineProduct(p.rows, p.cols)] });
  }

  /** The gradient with respect to parameter P of gᵀ·e (g the adjoint of e), by each operator's reverse rule. */
  private contribution(e: Expr, P: string, g: Expr): Jac {
    if (!mentions(e, P)) return null;
    const shape = this.model.symbols.get(P)!.shape;
    const scalar = isConstant(shape.rows) && shape.rows.c === 1 && isConstant(shape.cols) && shape.cols.c === 1;
    // a scalar parameter broadcast over a vector (a .* h) gets the sum of its adjoint's entries, not the vector
    if (e.kind === 'sym') return e.name === P ? (scalar ? node('sumall', [g]) : g) : null;
    if (e.kind !== 'op') return null;
    const spec = specOf(e);
    const ctx: ParamGradientContext = {
      param: P,
      paramIsScalar: scalar,
      grad: (x, adj) => this.contribution(x, P, adj),
      mentions: (x) => mentions(x, P),
      isScalar: (x) => isScalar(this.shape(x)),
      valueOf: (x) => this.valueOf(x),
      activationDerivative: (n) => activationDerivative(n, this, false),
      print: (x) => printExpr(x),
      unsupported: (message) => {
        throw new SymbolicUnsupported(message);
      },
    };
    if (!spec.paramGradient) throw new SymbolicUnsupported(`no gradient rule for ${P} in ${e.op} (${printExpr(e)})`);
    return spec.paramGradient(e, g, ctx);
  }

  /** Closed form of a grad/jac/partial quantity; throws SymbolicUnsupported where there is none. */
  derive(e: OpNode): Expr {
    // Checks derive the same quantity at every binding: each closed form (or its absence) is kept.
    const key = printExpr(e);
    const known = this.derived.get(key);
    if (known instanceof SymbolicUnsupported) throw known;
    if (known) return known;
    try {
      const form = this.deriveFresh(e);
      this.derived.set(key, form);
      return form;
    } catch (err) {
      if (err instanceof SymbolicUnsupported) this.derived.set(key, err);
      throw err;
    }
  }

  private deriveFresh(e: OpNode): Expr {
    const { mode, of, wrt, fixed } = derivParts(e);
    const zero = (): Expr => zerosShaped(this.shape(e));
    const wrtParameter = wrt.time === null && this.model.symbols.get(wrt.name)?.role === 'parameter';
    if (mode === 'grad' && wrtParameter) return this.parameterGradient(e);
    if (wrtParameter) return this.parameterJacobian(of, wrt.name, fixed);
    if (mode === 'grad') {
      if (!wrt.time) throw new SymbolicUnsupported(`∇ with respect to ${wrt.name}`);
      // ∇ of one scalar value (a per-step error ε_t): the transposed Jacobian.
      if (of.time) return transpose(this.deriveJac(of, wrt, fixed)) ?? zero();
      if (of.name !== this.model.loss?.name) throw new SymbolicUnsupported(`∇ of ${of.name}`);
      const read = this.singleLossRead();
      if (!read) return transpose(this.lossJacobian(wrt, fixed)) ?? zero();
      // The loss reads one value y: ∇_x L = (∂y/∂x)ᵀ ∇_y L, with ∇_y L kept as the text writes it.
      const atom = this.readGradient(read) ?? derivNode('grad', of, read);
      if (printExpr(derivNode('grad', of, read)) === printExpr(e)) return atom;
      return mul(transpose(this.deriveJac(read, wrt, fixed)), atom) ?? zero();
    }
    return this.deriveJac(of, wrt, fixed) ?? zero();
  }

  /**
   * Every ∇_x L in `e` (nothing held) written through the values y_i the loss reads, Σ_i (∂y_i/∂x)ᵀ ∇_{y_i} L, each
   * ∂y_i/∂x kept a derivative node and the y_i that cannot depend on x (no equation leads from x's sequence to
   * theirs) left out. Exact where no y_i depends on another (each ∇_{y_i} L is then L's partial derivative in y_i)
   * and every y_i is read at a time that binds nothing (h[T]); null otherwise, or when nothing was rewritten.
   */
  throughLossRead(e: Expr): Expr | null {
    const loss = this.model.loss;
    if (!loss) return null;
    const { reads, bound } = this.lossReads();
    const ys = [...reads.values()];
    const dependsOn = (of: string, on: string) => of === on || this.readsTransitively(of).has(on);
    if (bound || !ys.length || ys.some((a) => ys.some((b) => a !== b && dependsOn(b.name, a.name)))) return null;
    let changed = false;
    const go = (x: Expr): Expr => {
      if (isOp(x, 'grad') && x.args.length === 2 && x.args[0]!.kind === 'sym' && x.args[0]!.name === loss.name) {
        const wrt = refOf(x.args[1]!);
        if (!wrt.time || reads.has(printExpr(exprOfRef(wrt)))) return x;
        changed = true;
        const terms = ys
          .filter((y) => dependsOn(y.name, wrt.name))
          .map((y) =>
            node('mul', [
              node('transpose', [derivNode('jac', y, wrt)]),
              derivNode('grad', { name: loss.name, time: null }, y),
            ]),
          );
        return terms.length ? terms.reduce((a, b) => node('add', [a, b])) : zerosShaped(this.shape(x));
      }
      return mapChildren(x, go);
    };
    const out = go(e);
    return changed ? out : null;
  }

  /**
   * jac(a, x) by one step of the chain rule over the values a's equation reads: Σ_p (∂a/∂p)·jac(p, x), each ∂a/∂p
   * from the equation with a's other reads held, each jac(p, x) kept a derivative node; the reads that cannot depend
   * on x (no equation leads from x's sequence to theirs) left out, and jac(x, x) = I. Exact for a computed by its
   * equation (a's time ≥ 1, which the caller decides at its binding). null where a has no equation.
   */
  forwardStep(a: NodeRef, x: NodeRef): Expr | null {
    const key = `forwardStep ${printExpr(exprOfRef(a))} ${printExpr(exprOfRef(x))}`;
    return this.remembered(key, () => this.forwardStepFresh(a, x));
  }

  private forwardStepFresh(a: NodeRef, x: NodeRef): Expr | null {
    const reads = x.time ? this.equationReads(a) : null;
    if (!reads) return null;
    const xKey = printExpr(exprOfRef(x));
    let out: Expr | null = null;
    for (const [key, p] of reads) {
      if (key !== xKey && p.name !== x.name && !this.readsTransitively(p.name).has(x.name)) continue;
      const local = this.localPartial(a, p, reads);
      if (!local) continue;
      out = add(out, key === xKey ? local : mul(local, derivNode('jac', p, x)));
    }
    return out ?? zerosShaped(this.shape(derivNode('jac', a, x)));
  }

  /**
   * ∇_x L by steps of the backward recurrence through the values that read x directly: Σ_c (∂c/∂x)ᵀ ∇_c L over
   * the values c whose equations read x (∂c/∂x from c's equation, its other reads held) — the chain rule over x's
   * children in the unrolled graph, exact when L does not read x itself (null then: ∂L/∂x would be a term of its
   * own). Each ∇_c L that `keep` accepts stays a node; the others are stepped in turn, up to `depth` steps, and
   * null where one can be neither. `exists` says whether a child is computed at the caller's binding (its time in
   * 1..T): a value past the horizon is no node of the graph, and its term is left out; null (not known) gives null.
   */
  gradientThroughReaders(
    x: NodeRef,
    keep: (grad: OpNode) => boolean,
    exists: (child: NodeRef) => boolean | null,
    depth = 4,
  ): Expr | null {
    const loss = this.model.loss;
    if (!loss || !x.time || depth < 0) return null;
    if ([...this.lossReads().reads.values()].some((r) => r.name === x.name)) return null;
    const readers = this.readersOf(x);
    if (!readers) return null;
    let out: Expr | null = null;
    for (const { child, local } of readers) {
      const computed = exists(child);
      if (computed === null) return null;
      if (!computed) continue;
      const grad = derivNode('grad', { name: loss.name, time: null }, child);
      const through = keep(grad) ? grad : this.gradientThroughReaders(child, keep, exists, depth - 1);
      if (!through) return null;
      out = add(out, mul(transpose(local), through));
    }
    return out ?? zerosShaped(this.shape(derivNode('grad', { name: loss.name, time: null }, x)));
  }

  /**
   * jac(a, x) through the states at the step before a's: Σ_s (∂a/∂s_{τ−1}) · jac(s_{τ−1}, x), each ∂a/∂s_{τ−1} a
   * derivative node that holds the other states on a path from s_{τ−1} to a (none held: the total Jacobian). Every
   * path into a from a value at or before τ − 1 passes through those states when every read across steps is a
   * state's at lag 1 (null for other models). The caller decides at its binding that a is computed at τ ≥ 2 (so
   * the states at τ − 1 are computed too, and same-step paths among them are the equations') and x's time is ≤ τ − 1;
   * `lag(s)` is s_{τ−1}'s time minus x's there. States a does not read, or that cannot depend on x, are left out;
   * jac(x, x) = I.
   */
  forwardThroughStates(a: NodeRef, x: NodeRef, lag: (s: NodeRef) => number | null): Expr | null {
    if (!a.time || !x.time || !this.equationReads(a)) return null;
    const states = [...this.model.symbols.values()].filter((s) => s.role === 'state').map((s) => s.name);
    // Every read at t, or a state's at t − 1: the language's own rule for equations, checked again where it is relied on.
    let acrossSteps = true;
    for (const eq of this.model.equations)
      walk(eq.rhs, (e) => {
        if (e.kind !== 'seq') return;
        const vars = affineVars(e.time);
        const relative = vars.length === 1 && vars[0] === TIME_VAR && own(e.time.terms, TIME_VAR) === 1;
        if (!relative || !(e.time.c === 0 || (e.time.c === -1 && states.includes(e.name)))) acrossSteps = false;
      });
    if (!acrossSteps) return null;
    const readByA = this.ancestors(a.name, 1);
    const sameStepDepends = (of: string, on: string) => this.ancestors(of, 0).has(`${on}@0`);
    const xKey = printExpr(exprOfRef(x));
    let out: Expr | null = null;
    for (const s of states) {
      if (!readByA.has(`${s}@0`)) continue;
      const cut: NodeRef = { name: s, time: affineAdd(a.time, affine(-1)) };
      const isX = printExpr(exprOfRef(cut)) === xKey;
      const lagOfCut = lag(cut);
      if (lagOfCut === null) return null;
      if (!isX && (lagOfCut < 0 || !this.ancestors(s, lagOfCut).has(`${x.name}@0`))) continue;
      const held = states
        .filter((o) => o !== s && readByA.has(`${o}@0`) && sameStepDepends(o, s))
        .map((o): NodeRef => ({ name: o, time: cut.time }));
      const local = derivNode(held.length ? 'partial' : 'jac', a, cut, held);
      out = add(out, isX ? local : mul(local, derivNode('jac', cut, x)));
    }
    return out ?? zerosShaped(this.shape(derivNode('jac', a, x)));
  }

  /**
   * jac(a, x) unrolled through the states step by step: forwardThroughStates, then the same on each jac(a′, x) it
   * writes for a′ of a's own sequence, down to the one-step factor jac(a′, x) with a′ one step after x. The one-step
   * factors, the held ∂a/∂s and the other states' Jacobians stay derivative nodes: the 2018 post's ∂h_t/∂h_{t−k} as
   * the product of ∂h_i/∂h_{i−1} plus one term per last use of a cell-to-cell edge. `lag(y)` is y's time minus x's
   * at the caller's binding, which decides as for forwardThroughStates that a is computed at a time ≥ 2; null
   * where a step is.
   */
  forwardUnrolled(a: NodeRef, x: NodeRef, lag: (y: NodeRef) => number | null): Expr | null {
    const steps = lag(a);
    if (steps === null) return null;
    if (steps <= 1) return derivNode('jac', a, x);
    const step = this.forwardThroughStates(a, x, lag);
    if (!step) return null;
    const xKey = printExpr(exprOfRef(x));
    let failed = false;
    const out = rewrite(step, (e) => {
      if (!isOp(e, 'jac') || e.args.length !== 2) return e;
      const { of, wrt } = derivParts(e);
      if (of.name !== a.name || printExpr(exprOfRef(wrt)) !== xKey || (lag(of) ?? 0) < 1) return e;
      const inner = this.forwardUnrolled(of, x, lag);
      if (!inner) failed = true;
      return inner ?? e;
    });
    return failed ? null : out;
  }

  /** The values that read x directly in the unrolled graph, with ∂c/∂x from c's equation; null where an equation reads x's sequence at a time not relative to its own. */
  private readersOf(x: NodeRef): { child: NodeRef; local: Expr }[] | null {
    return this.remembered(`readersOf ${printExpr(exprOfRef(x))}`, () => this.readersOfFresh(x));
  }

  private readersOfFresh(x: NodeRef): { child: NodeRef; local: Expr }[] | null {
    const out: { child: NodeRef; local: Expr }[] = [];
    for (const eq of this.model.equations) {
      const offsets = new Set<number>();
      let relative = true;
      walk(eq.rhs, (e) => {
        if (e.kind !== 'seq' || e.name !== x.name) return;
        const vars = affineVars(e.time);
        if (vars.length !== 1 || vars[0] !== TIME_VAR || own(e.time.terms, TIME_VAR) !== 1) relative = false;
        else offsets.add(-e.time.c);
      });
      if (!relative) return null;
      for (const offset of [...offsets].sort((p, q) => p - q)) {
        const child: NodeRef = { name: eq.target, time: affineAdd(x.time!, affine(offset)) };
        const local = this.localPartial(child, x, this.equationReads(child)!);
        if (local) out.push({ child, local });
      }
    }
    return out;
  }

  /** The sequence values a's equation reads at a's time, by printed form; null where a has no equation. */
  private equationReads(a: NodeRef): Map<string, NodeRef> | null {
    const eq = a.time ? this.model.equations.find((q) => q.target === a.name) : undefined;
    if (!eq) return null;
    const reads = new Map<string, NodeRef>();
    walk(substituteIndex(eq.rhs, TIME_VAR, a.time!), (e) => {
      if (e.kind === 'seq') reads.set(printExpr(e), { name: e.name, time: e.time });
    });
    return reads;
  }

  /** ∂a/∂p from a's equation alone: the other values it reads held. */
  private localPartial(a: NodeRef, p: NodeRef, reads: ReadonlyMap<string, NodeRef>): Jac {
    return this.accumulate(
      a,
      p,
      [...reads.values()].filter((q) => q !== p && printExpr(exprOfRef(q)) !== printExpr(exprOfRef(p))),
    );
  }

  /** The sequences an equation for `name` reads at any lag, and those they read in turn. */
  private readsTransitively(name: string): ReadonlySet<string> {
    return this.remembered(`readsTransitively ${name}`, () => this.readsTransitivelyFresh(name));
  }

  private readsTransitivelyFresh(name: string): Set<string> {
    const out = new Set<string>();
    const queue = [name];
    while (queue.length) {
      const target = queue.pop();
      const eq = this.model.equations.find((q) => q.target === target);
      if (!eq) continue;
      walk(eq.rhs, (x) => {
        if (x.kind === 'seq' && !out.has(x.name)) {
          out.add(x.name);
          queue.push(x.name);
        }
      });
    }
    return out;
  }

  /** ∇_y L written out from the loss's expression (explicit mode, where it differentiates), else null. */
  private readGradient(read: NodeRef): Expr | null {
    if (this.lossGradient === 'atom') return null;
    const loss = this.model.loss!;
    const seed = printExpr(exprOfRef(read));
    try {
      const row = jacobianOf(loss.rhs, (ref) => (printExpr(ref) === seed ? eye(this.rows(read.name)) : null), this);
      return transpose(row) ?? node('zeros', [], { ints: [this.rows(read.name)] });
    } catch (err) {
      if (err instanceof SymbolicUnsupported) return null;
      throw err;
    }
  }

  /** The one sequence value the loss reads at a time that binds nothing (h[T]), or null (a sum over time, several reads). */
  private singleLossRead(): NodeRef | null {
    const { reads, bound } = this.lossReads();
    return reads.size === 1 && !bound ? [...reads.values()][0]! : null;
  }

  /** The sequence values the loss reads, by printed form; `bound`: some read's time uses a variable other than a size. */
  private lossReads(): { reads: Map<string, NodeRef>; bound: boolean } {
    const reads = new Map<string, NodeRef>();
    let bound = false;
    walk(this.model.loss!.rhs, (x) => {
      if (x.kind !== 'seq') return;
      reads.set(printExpr(x), { name: x.name, time: x.time });
      if (affineVars(x.time).some((v) => own(this.model.sizes, v) === undefined)) bound = true;
    });
    return { reads, bound };
  }

  /**
   * ∂L/∂x for a loss that reads several values (a sum over time of per-step
   * losses): forward accumulation through the loss's own expression, each
   * value y_s it reads contributing ∂y_s/∂x — zero for a step before x's,
   * which the bracket [s ≥ τ] keeps when the lag is symbolic.
   */
  private lossJacobian(wrt: NodeRef, fixed: readonly NodeRef[]): Jac {
    const loss = freshBinders(this.model.loss!.rhs, new Set(affineVars(wrt.time!)));
    const D = (ref: Seq): Expr | null => {
      const read = { name: ref.name, time: ref.time };
      const lag = affineAdd(ref.time, wrt.time!, -1);
      if (affineVars(lag).length === 0) return lag.c < 0 ? null : this.deriveJac(read, wrt, fixed);
      const j = this.deriveJac(read, wrt, fixed);
      return j && node('mul', [node('atleast', [], { ints: [ref.time, wrt.time!] }), j]);
    };
    return jacobianOf(loss, D, this);
  }

  private deriveJac(of: NodeRef, wrt: NodeRef, fixed: readonly NodeRef[]): Jac {
    if (!of.time || !wrt.time) throw new SymbolicUnsupported('only sequence nodes are differentiated symbolically');
    const lag = affineAdd(of.time, wrt.time, -1);
    const constant = affineVars(lag).length === 0;
    if (constant && lag.c <= MAX_ACCUMULATED_LAG) return this.accumulate(of, wrt, fixed);
    if (constant && lag.c < 0) return null;
    const heldWhole = new Set(fixed.filter((f) => !f.time).map((f) => f.name));
    const states = this.carried(of.name, heldWhole);
    if (fixed.some((f) => f.time)) return this.cutJac(of, wrt, fixed, lag, states);
    if (states.length === 1 && states[0] === of.name && wrt.name === of.name)
      return this.markovJac(of, wrt, fixed, lag);
    return this.blockJac(of, wrt, fixed, lag, states);
  }

  /**
   * Nodes held at one time over a symbolic lag: when every state is held at the step after the seed
   * (∂ℓ_t/∂h_t as grad(L, h[t], h[t+1])), nothing reaches past that step: a value at the seed's own step
   * or at the next one (a gate reading h_t) can depend on the seed, later ones cannot. Other cuts have no
   * closed form here.
   */
  private cutJac(of: NodeRef, wrt: NodeRef, fixed: readonly NodeRef[], lag: Affine, states: readonly string[]): Jac {
    const next = affineAdd(wrt.time!, affine(1));
    const heldNext = (s: string) =>
      fixed.some(
        (f) =>
          f.name === s &&
          f.time &&
          affineVars(affineAdd(f.time, next, -1)).length === 0 &&
          affineAdd(f.time, next, -1).c === 0,
      );
    if (!states.length || !states.every(heldNext))
      throw new SymbolicUnsupported(
        'nodes held at one time over a symbolic lag (hold a whole sequence, or every state at the next step)',
      );
    const at = (offset: number): Jac =>
      this.accumulate({ name: of.name, time: affineAdd(wrt.time!, affine(offset)) }, wrt, fixed);
    const bracket = (offset: number) =>
      node('delta', [], {
        units: [
          { kind: 'affine', a: lag },
          { kind: 'affine', a: affine(offset) },
        ],
      });
    const [now, after] = [at(0), at(1)];
    return add(now && node('mul', [bracket(0), now]), after && node('mul', [bracket(1), after]));
  }

  /** ∂x_τ/∂x_{τ−k} = J(τ)·J(τ−1)⋯J(τ−k+1) = ∏_{i=1}^{k} J(τ − i + 1), for a state x that is Markov on its own. */
  private markovJac(of: NodeRef, wrt: NodeRef, fixed: readonly NodeRef[], lag: Affine): Jac {
    const index = freshIndex(of.time!, wrt.time!);
    const step = this.oneStep(of.name, affineAdd(affineAdd(of.time!, affine(1)), affine(0, { [index]: 1 }), -1), fixed);
    if (!step) return null;
    const range = { ints: [affine(1), lag], binder: index };
    // A product of diagonals is the diagonal of the elementwise product: ∏ diag(f_i) = diag(⊙ f_i).
    if (isOp(step, 'diag')) return node('diag', [node('hprod', [step.args[0]!], range)]);
    return node('prod', [step], range);
  }

  /**
   * Several states z = (s_1, …, s_n) (the LSTM's C and h): ∂a_τ/∂b_σ over a
   * symbolic lag k = τ − σ ≥ 0 as one block of
   *
   *   Q_a(τ) · ∏_{i=1}^{k} J(τ − i + 1) · E_b(σ)  (+ δ(k, 0) · ∂a_σ/∂b_σ directly)
   *
   * J(τ) = ∂z_τ/∂z_{τ−1}, block (s, c) with the other states at τ−1 held;
   * E_b(σ) = ∂z_σ/∂b_σ, b's effect on the states of its own step (a unit
   * column for a state at time 0, which is an initial value); Q_a(τ) =
   * ∂a_τ/∂z_τ for a value a outside the state (an output, a per-step loss)
   * that reads the past only through the states of its step, and a block row
   * pick when a is a state. The direct term is there only when b reaches a
   * within one step other than through the states.
   */
  private blockJac(of: NodeRef, wrt: NodeRef, fixed: readonly NodeRef[], lag: Affine, states: readonly string[]): Jac {
    const [tau, sigma] = [of.time!, wrt.time!];
    const atZero = node('delta', [], {
      units: [
        { kind: 'affine', a: lag },
        { kind: 'affine', a: affine(0) },
      ],
    });
    if (!states.length) {
      // Nothing carries the past: only the step itself, at lag 0.
      const direct = this.accumulate({ name: of.name, time: sigma }, wrt, fixed);
      return direct && node('mul', [atZero, direct]);
    }
    const before = (t: Affine) => affineAdd(t, affine(-1));
    const at = (name: string, time: Affine): NodeRef => ({ name, time });
    const others = (c: string, time: Affine) => states.filter((s) => s !== c).map((s) => at(s, time));
    const zero = (r: string, c: string): Expr => node('zeros', [], { ints: [this.rows(r), this.rows(c)] });
    const index = freshIndex(tau, sigma);
    const stepTime = affineAdd(affineAdd(tau, affine(1)), affine(0, { [index]: 1 }), -1);
    const grid = states.map((s) =>
      states.map(
        (c) =>
          this.accumulate(at(s, stepTime), at(c, before(stepTime)), [...fixed, ...others(c, before(stepTime))]) ??
          zero(s, c),
      ),
    );
    const product = node('prod', [blockMatrix(grid)], { ints: [affine(1), lag], binder: index });
    const sizes = states.map((s) => this.rows(s));
    // E_b(σ): at a concrete time ≤ 0 every state is an initial value, independent of the others.
    const initial = affineVars(sigma).length === 0 && sigma.c <= 0;
    const column = states.map((s) =>
      s === wrt.name ? eye(this.rows(s)) : initial ? null : this.accumulate(at(s, sigma), wrt, fixed),
    );
    const bIndex = states.indexOf(wrt.name);
    const unitColumn = bIndex >= 0 && column.every((c, k) => k === bIndex || c === null);
    const labels: [string, string] = [of.name, wrt.name];
    let reach: Expr | null = product;
    let colSizes = sizes;
    let colIndex = bIndex;
    if (!unitColumn) {
      reach = column.every((c) => c === null)
        ? null
        : node('mul', [product, blockMatrix(column.map((c, k) => [c ?? zero(states[k]!, wrt.name)]))]);
      colSizes = [this.rows(wrt.name)];
      colIndex = 0;
    }
    const aIndex = states.indexOf(of.name);
    if (aIndex >= 0) return reach && pickBlock(reach, aIndex, colIndex, sizes, colSizes, labels);
    const row = states.map((c) => this.accumulate(of, at(c, tau), [...fixed, ...others(c, tau)]));
    // (a row of zeros — a gate that reads only the step before — adds nothing)
    const through =
      reach &&
      row.some((r) => r !== null) &&
      pickBlock(
        node('mul', [blockMatrix([row.map((r, k) => r ?? zero(of.name, states[k]!))]), reach]),
        0,
        colIndex,
        [this.rows(of.name)],
        colSizes,
        labels,
      );
    // a may also read the states of the step before its own directly (an LSTM gate reading h_{τ−1}): that row
    // times ∂z_{τ−1}/∂b_σ, the same product from its second factor, ∏_{i=2}^{k} J(τ − i + 1) · E_b(σ) — for k ≥ 1
    // only: at k = 0 the states before σ do not depend on b_σ (the empty range 2..0 would read as I).
    const previousRow = states.map((c) =>
      this.accumulate(of, at(c, before(tau)), [...fixed, ...states.map((s) => at(s, tau)), ...others(c, before(tau))]),
    );
    let previous: Expr | null = null;
    if (previousRow.some((r) => r !== null)) {
      const fromSecond = node('prod', [blockMatrix(grid)], { ints: [affine(2), lag], binder: index });
      const reachBefore = unitColumn
        ? fromSecond
        : column.every((c) => c === null)
          ? null
          : node('mul', [fromSecond, blockMatrix(column.map((c, k) => [c ?? zero(states[k]!, wrt.name)]))]);
      const rowBefore = blockMatrix([previousRow.map((r, k) => r ?? zero(of.name, states[k]!))]);
      previous =
        reachBefore &&
        node('mul', [
          node('sub', [num(1), atZero]),
          pickBlock(node('mul', [rowBefore, reachBefore]), 0, colIndex, [this.rows(of.name)], colSizes, labels),
        ]);
    }
    // Within one step a b outside the state may reach a directly (a per-step loss reading an output): only at
    // lag 0. (From a state b every path starts at a state, and Q·E counts it.)
    const direct =
      bIndex < 0 ? this.accumulate(at(of.name, sigma), wrt, [...fixed, ...states.map((s) => at(s, sigma))]) : null;
    return add(add(through || null, previous), direct && node('mul', [atZero, direct]));
  }

  /** The sequences that carry x's past: read at t−1 by x or, in turn, by them (held ones excepted), in equation order. */
  private carried(name: string, held: ReadonlySet<string>): string[] {
    const out = new Set<string>();
    const queue = [...this.previousReads(name, held)];
    while (queue.length) {
      const s = queue.pop()!;
      if (out.has(s)) continue;
      out.add(s);
      queue.push(...this.previousReads(s, held));
    }
    const order = (n: string) => {
      const k = this.model.equations.findIndex((q) => q.target === n);
      return k < 0 ? -1 : k;
    };
    return [...out].sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
  }
}

/** The expression with every binder that would capture one of `avoid` renamed (a loss's Σ_s beside a quantity's s). */
function freshBinders(e: Expr, avoid: ReadonlySet<string>): Expr {
  const go = (x: Expr): Expr => {
    if (x.kind !== 'op') return x;
    const inner = mapChildren(x, go) as OpNode;
    if (!inner.binder || !avoid.has(inner.binder)) return inner;
    // nor a name the body reads or binds itself: `sum(t_, 1, 2, t_ * t)` renamed t to t_ inside its own t_ (a review
    // found it), and the weight 3t became 5
    const taken = intVarsOf(inner);
    walk(inner, (y) => {
      if (y.kind === 'op' && y.binder) taken.add(y.binder);
    });
    let fresh = `${inner.binder}_`;
    while (avoid.has(fresh) || taken.has(fresh)) fresh += '_';
    return {
      ...inner,
      binder: fresh,
      args: inner.args.map((a) => substituteIndex(a, inner.binder!, affine(0, { [fresh]: 1 }))),
    };
  };
  return go(e);
}

/** A product index that none of these times use. */
function freshIndex(...times: Affine[]): string {
  const used = new Set(times.flatMap((t) => affineVars(t)));
  for (const candidate of [LAG_INDEX, 'i2', 'i3', 'i4', 'i5']) if (!used.has(candidate)) return candidate;
  return `i${used.size + 2}`;
}

function mentions(e: Expr, name: string): boolean {
  return some(e, (x) => x.kind === 'sym' && x.name === name);
}

/** Replaces every derivative node by its closed form (those that have one). */
export function substituteDerivations(e: Expr, sm: SymbolicModel): Expr {
  const go = (x: Expr): Expr => (isGraphDerivative(x) ? sm.derive(x) : mapChildren(x, go));
  return go(e);
}

/**
 * The same at one binding: each derivative is derived with its times made
 * concrete, so a negative lag gives 0, time 0 is an initial value, and short
 * lags are accumulated exactly; long lags use the symbolic product form.
 */
export function substituteDerivationsAt(e: Expr, sm: SymbolicModel, env: IntEnv): Expr {
  const go = (x: Expr): Expr => {
    if (x.kind !== 'op') return x;
    if (specOf(x).graphDerivative !== true) return rebuild(x, x.args.map(go));
    // Only the variables the node reads: each substitution rewrites the whole node (the others leave it as it is).
    const reads = intVarsOf(x);
    const concrete = Object.entries(env).reduce(
      (acc, [name, value]) => (reads.has(name) ? substituteIndex(acc, name, affine(value)) : acc),
      x as Expr,
    ) as OpNode;
    const { of, wrt } = derivParts(concrete);
    if (!of.time || !wrt.time) {
      // ∇ of the loss from a value at time 0 or before: an initial value, which feeds nothing of its own step (h̄_0 is
      // not computed from s_0) — the form derived at that time knows it; the symbolic one, from the step equations, not.
      const initial = !of.time && wrt.time && affineVars(wrt.time).length === 0 && wrt.time.c <= 0;
      return sm.derive(initial ? concrete : x);
    }
    const lag = affineAdd(of.time, wrt.time, -1);
    const seedAtZero = affineVars(wrt.time).length === 0 && wrt.time.c <= 0;
    const constant = affineVars(lag).length === 0 && affineVars(wrt.time).length === 0;
    // A lag over a sum's index from a seed at time 0: the form with that time kept (an initial value).
    if (!constant) return seedAtZero ? sm.derive(concrete) : sm.derive(x);
    // Nothing flows back in time: a zero of the derivative's shape (a scalar 0 would multiply any matrix).
    if (lag.c < 0) return zerosShaped(sm.shape(concrete));
    const short = lag.c <= MAX_ACCUMULATED_LAG;
    // At time 0 the symbolic form would compute initial values from the step equations.
    if (wrt.time.c <= 0) return short ? sm.derive(concrete) : atInitialTime(sm, concrete, lag.c);
    try {
      return sm.derive(x);
    } catch (err) {
      // No form for every lag (a value read across states at a lag that may be 0): this lag, accumulated.
      if (err instanceof SymbolicUnsupported && short) return sm.derive(concrete);
      throw err;
    }
  };
  return go(e);
}

const zerosShaped = (shape: Shape): Expr => node('zeros', [], { ints: [shape.rows, shape.cols] });

/**
 * A long lag from a concrete time ≤ 0: the product form with that time kept
 * (so the seed is an initial value) and the lag a variable, then bound.
 */
function atInitialTime(sm: SymbolicModel, concrete: OpNode, lag: number): Expr {
  const { mode, of, wrt, fixed } = derivParts(concrete);
  const lagVar = 'lag__';
  const symbolic = derivNode(
    mode,
    { name: of.name, time: affineAdd(wrt.time!, affine(0, { [lagVar]: 1 })) },
    wrt,
    fixed,
  );
  return substituteIndexShared(sm.derive(symbolic), lagVar, affine(lag));
}

/**
 * The node with these children, the same object as last time when the
 * children are: a claim rebuilt around the same closed forms at every binding
 * keeps its identity, so evaluators' content keys (and memo tables) hit.
 */
const rebuilt = new WeakMap<OpNode, { args: readonly Expr[]; node: OpNode }>();
function rebuild(x: OpNode, args: readonly Expr[]): OpNode {
  if (args.every((a, k) => a === x.args[k])) return x;
  const last = rebuilt.get(x);
  if (last && last.args.every((a, k) => a === args[k])) return last.node;
  const out = { ...x, args };
  rebuilt.set(x, { args, node: out });
  return out;
}

/**
 * Writes out every product whose bounds are known under env as explicit
 * factors (a long one as a balanced product, so printing stays shallow), up
 * to LIMITS.unrolledFactors factors in all.
 */
export function unrollProducts(e: Expr, env: IntEnv, maxNodes = Infinity): Expr {
  let written = 0;
  // nodes written out so far, checked before each product is written (a factor per value of its range)
  let nodes = formSize(e);
  const go = (x: Expr): Expr => {
    if (isOp(x, 'prod', 'hprod')) {
      const lo = substituteAffine(x.ints[0]!, env);
      const hi = substituteAffine(x.ints[1]!, env);
      // Symbolic or empty ranges stay products (the empty product is the identity of the body's size).
      if (affineVars(lo).length || affineVars(hi).length || hi.c < lo.c) return mapChildren(x, go);
      written += hi.c - lo.c + 1;
      if (written > LIMITS.unrolledFactors)
        throw new SymbolicUnsupported(`writing the products out takes more than ${LIMITS.unrolledFactors} factors`);
      nodes += (hi.c - lo.c) * formSize(x.args[0]!);
      if (nodes > maxNodes)
        throw new SymbolicUnsupported(
          `the products written out have ${nodes.toPrecision(3)} nodes or more, more than the ${maxNodes} derive prints`,
        );
      const factors: Expr[] = [];
      for (let i = lo.c; i <= hi.c; i++) factors.push(go(substituteIndex(x.args[0]!, x.binder!, affine(i))));
      return foldChain(factors, (a, b) => node(x.op === 'prod' ? 'mul' : 'emul', [a, b]));
    }
    return mapChildren(x, go);
  };
  const bound = Object.entries(env).reduce((acc, [name, value]) => substituteIndex(acc, name, affine(value)), e);
  return go(bound);
}

const formSizes = new WeakMap<Expr, number>();

/**
 * The number of nodes of `e` written out as a tree (a float: it may exceed 2⁵³), memoised per shared subterm: what
 * printing a derived form visits, where everything else walks its shared subterms once.
 */
export function formSize(e: Expr): number {
  const known = formSizes.get(e);
  if (known !== undefined) return known;
  let n = 1;
  for (const c of children(e)) n += formSize(c);
  formSizes.set(e, n);
  return n;
}
