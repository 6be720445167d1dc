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
  affineVars,
  formatAffine,
  type IntEnv,
  substituteAffine,
} from '../ir/affine.js';
import {
  type Expr,
  foldChain,
  isOp,
  mapChildren,
  node,
  type NodeRef,
  num,
  type OpNode,
  refOf,
  exprOfRef,
  seq,
  some,
  walk,
} from '../ir/expr.js';
import { LIMITS } from '../ir/limits.js';
import { printExpr } from '../ir/print.js';
import { shapeIn } from '../ir/shape-of.js';
import type { Shape } from '../ir/shape.js';
import { specOf, toElementwise } from '../ops/index.js';
import type { ParamGradientContext } from '../ops/contexts.js';
import { type Model, TIME_VAR } from '../model/model.js';
import { add, eye, type Jac, mul, substituteIndex, substituteReal } from './build.js';
import { activationDerivative, type DiffBase, jacobianOf, SymbolicUnsupported } from './differentiate.js';
import { transpose } from './transpose.js';

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

export class SymbolicModel implements DiffBase {
  private readonly values = new Map<string, Expr>();

  constructor(readonly model: Model) {}

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
    for (let o = 0; o <= lag.c; o++) {
      this.model.equations.forEach((eq, index) => {
        const k = key(eq.target, o);
        if (
          k === key(wrt.name, 0) ||
          held.has(k) ||
          heldEverywhere.has(eq.target) ||
          (o === 0 && seedEq >= 0 && index < seedEq)
        )
          return;
        if (seedTime !== null && seedTime + o <= 0) return;
        const rhs = this.instantiate(eq.target, affineAdd(wrt.time!, affine(o)));
        const j = jacobianOf(rhs, (ref) => D.get(key(ref.name, affineAdd(ref.time, wrt.time!, -1).c)) ?? null, this);
        if (j) D.set(k, j);
      });
    }
    return D.get(key(of.name, lag.c)) ?? null;
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
    if (this.model.loss && mentions(this.model.loss.rhs, P))
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
    return node('rsum', [total], { ints: [affine(1), affine(0, { T: 1 })], binder: step });
  }

  /** The gradient with respect to parameter P of gᵀ·e (g the adjoint of e), by each operator's reverse rule. */
  private contribution(e: Expr, P: string, g: Expr): Jac {
    if (!mentions(e, P)) return null;
    if (e.kind === 'sym') return e.name === P ? g : null;
    if (e.kind !== 'op') return null;
    const spec = specOf(e);
    const ctx: ParamGradientContext = {
      param: P,
      grad: (x, adj) => this.contribution(x, P, adj),
      mentions: (x) => mentions(x, P),
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
    const { mode, of, wrt, fixed } = derivParts(e);
    const zero = (): Expr => node('mul', [num(0), eye(this.rows(wrt.name))]);
    if (mode === 'grad' && wrt.time === null && this.model.symbols.get(wrt.name)?.role === 'parameter')
      return this.parameterGradient(e);
    if (mode === 'grad') {
      if (of.name !== this.model.loss?.name) throw new SymbolicUnsupported('grad is derived for the loss only');
      const reads = new Set<string>();
      let readTime: Affine | null = null;
      walk(this.model.loss.rhs, (x) => {
        if (x.kind === 'seq') {
          reads.add(`${x.name}[${formatAffine(x.time)}]`);
          readTime = x.time;
        }
      });
      const only = [...reads][0];
      if (reads.size !== 1 || !readTime)
        throw new SymbolicUnsupported(
          `the loss reads ${[...reads].join(', ') || 'no sequence'}: ∇L has a closed form here only when the loss reads one value`,
        );
      if (!only!.startsWith(`${wrt.name}[`) || !wrt.time)
        throw new SymbolicUnsupported(
          `∇ with respect to ${wrt.name}: the loss reads ${only}, and derivatives across states are not chained into ∇L here`,
        );
      const top: NodeRef = { name: wrt.name, time: readTime };
      const atom = derivNode('grad', of, top);
      if (printExpr(atom) === printExpr(e)) return atom;
      const J = this.deriveJac(top, wrt, fixed);
      return mul(transpose(J), atom) ?? zero();
    }
    return this.deriveJac(of, wrt, fixed) ?? zero();
  }

  private deriveJac(of: NodeRef, wrt: NodeRef, fixed: readonly NodeRef[]): Jac {
    if (!of.time || !wrt.time) throw new SymbolicUnsupported('only sequence nodes are differentiated symbolically');
    const lag = affineAdd(of.time, wrt.time, -1);
    if (affineVars(lag).length === 0) return this.accumulate(of, wrt, fixed);
    // A symbolic lag: an ordered product of one-step Jacobians, valid when the state is Markov.
    if (of.name !== wrt.name) throw new SymbolicUnsupported(`∂${of.name}/∂${wrt.name} over a symbolic lag`);
    if (fixed.some((f) => f.time))
      throw new SymbolicUnsupported('nodes held at one time over a symbolic lag (hold a whole sequence instead)');
    const held = new Set(fixed.map((f) => f.name));
    const previous = this.previousReads(of.name, held);
    if ([...previous].some((n) => n !== of.name))
      throw new SymbolicUnsupported(
        `${of.name}[t] also reads ${[...previous].filter((n) => n !== of.name).join(', ')} at t-1: the state is not ${of.name} alone (hold it, or use one-step blocks)`,
      );
    // ∂x_τ/∂x_{τ−k} = J(τ)·J(τ−1)⋯J(τ−k+1) = ∏_{i=1}^{k} J(τ − i + 1)
    const index = LAG_INDEX;
    const step = this.oneStep(of.name, affineAdd(affineAdd(of.time, affine(1)), affine(0, { [index]: 1 }), -1), fixed);
    if (!step) return null;
    const range = { ints: [affine(1), lag], binder: index };
    // A product of diagonals is the diagonal of the elementwise product: ∏ diag(f_i) = diag(⊙ f_i).
    if (isOp(step, 'diag')) return node('diag', [node('hprod', [step.args[0]!], range)]);
    return node('prod', [step], range);
  }
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
    if (!isGraphDerivative(x)) return mapChildren(x, go);
    const concrete = Object.entries(env).reduce(
      (acc, [name, value]) => substituteIndex(acc, name, affine(value)),
      x as Expr,
    ) as OpNode;
    const { of, wrt } = derivParts(concrete);
    if (of.time && wrt.time) {
      const lag = affineAdd(of.time, wrt.time, -1);
      const constant = affineVars(lag).length === 0 && affineVars(wrt.time).length === 0;
      if (constant && lag.c < 0) return num(0);
      // At time 0 the symbolic form would compute initial values from the step equations.
      if (constant && wrt.time.c <= 0 && lag.c <= MAX_ACCUMULATED_LAG) return sm.derive(concrete);
    }
    return sm.derive(x);
  };
  return go(e);
}

/**
 * Writes out every product whose bounds are known under env as explicit
 * factors (a long one as a balanced product, so printing stays shallow), up
 * to LIMITS.unrolledFactors factors in all.
 */
export function unrollProducts(e: Expr, env: IntEnv): Expr {
  let written = 0;
  const go = (x: Expr): Expr => {
    if (isOp(x, 'prod', 'hprod')) {
      const lo = substituteAffine(x.ints[0]!, env);
      const hi = substituteAffine(x.ints[1]!, env);
      // Symbolic or empty ranges stay products (the empty product is the identity of the body's size).
      if (affineVars(lo).length || affineVars(hi).length || hi.c < lo.c) return mapChildren(x, go);
      written += hi.c - lo.c + 1;
      if (written > LIMITS.unrolledFactors)
        throw new SymbolicUnsupported(`writing the products out takes more than ${LIMITS.unrolledFactors} factors`);
      const factors: Expr[] = [];
      for (let i = lo.c; i <= hi.c; i++) factors.push(go(substituteIndex(x.args[0]!, x.binder!, affine(i))));
      return foldChain(factors, (a, b) => node(x.op === 'prod' ? 'mul' : 'emul', [a, b]));
    }
    return mapChildren(x, go);
  };
  const bound = Object.entries(env).reduce((acc, [name, value]) => substituteIndex(acc, name, affine(value)), e);
  return go(bound);
}
