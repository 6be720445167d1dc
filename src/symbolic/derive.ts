/**
 * Derives closed forms of derivative quantities from a model's equations:
 * one-step Jacobians by forward accumulation through the step's equations,
 * k-step Jacobians as ordered products for a Markov state, and loss
 * gradients as the adjoint (transposed) product applied to ∇_{x_T}L.
 */
import { type Affine, affine, affineAdd, affineVars, formatAffine, type IntEnv, substituteAffine } from '../ir/affine.js';
import { walk, type Expr, type NodeRef } from '../ir/expr.js';
import { printExpr } from '../ir/print.js';
import { inferShape, type Shape, shapeFromDims } from '../ir/shapes.js';
import { type Model, TIME_VAR } from '../model/model.js';
import { add, emul, eye, type Jac, mapChildren as mapAll, mul, neg, substituteIndex, substituteReal, transpose } from './build.js';
import { activationDerivative, type DiffContext, jacobianOf, SymbolicUnsupported } from './differentiate.js';

/** Concrete lags up to this are unrolled by accumulation; longer ones need the product form. */
export const MAX_ACCUMULATED_LAG = 8;

const LAG_INDEX = 'i';

export class SymbolicModel implements DiffContext {
  private readonly values = new Map<string, Expr>();

  constructor(readonly model: Model) {}

  shape(e: Expr): Shape {
    return inferShape(e, { shapeOf: (name) => (name === this.model.loss?.name ? shapeFromDims([]) : this.model.symbols.get(name)!.shape) }, new WeakMap());
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
    if (!rhs || (rhs.kind !== 'call' && rhs.kind !== 'ucall')) throw new SymbolicUnsupported(`${name} is not an activation f(z)`);
    const y: Expr = { kind: 'seq', name, time };
    return rhs.kind === 'call' ? activationDerivative(rhs.fn, rhs.arg, y) : this.userDerivative(rhs.name, rhs.arg);
  }

  /** The right side of `name`'s equation at a given time, registered so f(z) can be read back as y. */
  private instantiate(name: string, time: Affine): Expr {
    const eq = this.model.equations.find((q) => q.target === name)!;
    const rhs = substituteIndex(eq.rhs, TIME_VAR, time);
    const seq: Expr = { kind: 'seq', name, time };
    this.values.set(printExpr(rhs), seq);
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
      if (affineVars(off).length) throw new SymbolicUnsupported(`the held node ${f.name}[${formatAffine(f.time!)}] is not at a fixed offset`);
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
        if (k === key(wrt.name, 0) || held.has(k) || heldEverywhere.has(eq.target) || (o === 0 && seedEq >= 0 && index < seedEq)) return;
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
  private parameterGradient(e: Extract<Expr, { kind: 'deriv' }>): Expr {
    const P = e.wrt.name;
    if (this.model.loss && mentions(this.model.loss.rhs, P)) throw new SymbolicUnsupported(`the loss reads ${P} directly`);
    // A fresh summation index: the quantity's own indices (a free t, say) must not be captured.
    const step = 's__';
    const t = affine(0, { [step]: 1 });
    let total: Jac = null;
    for (const eq of this.model.equations) {
      if (!mentions(eq.rhs, P)) continue;
      const rhs = this.instantiate(eq.target, t);
      const adjoint: Expr = { kind: 'deriv', mode: 'grad', of: e.of, wrt: { name: eq.target, time: t }, fixed: [] };
      let g: Expr = adjoint;
      try {
        g = this.derive(adjoint);
      } catch (err) {
        if (!(err instanceof SymbolicUnsupported)) throw err;
      }
      const c = contribution(rhs, P, g, this);
      if (c) total = add(total, c);
    }
    if (!total) throw new SymbolicUnsupported(`no equation uses ${P}`);
    return { kind: 'sum', index: step, lo: affine(1), hi: affine(0, { T: 1 }), body: total };
  }

  /** Closed form of a grad/jac/partial quantity; throws SymbolicUnsupported where there is none. */
  derive(e: Extract<Expr, { kind: 'deriv' }>): Expr {
    const zero = (): Expr => ({ kind: 'mul', left: { kind: 'num', value: 0 }, right: eye(this.rows(e.wrt.name)) });
    if (e.mode === 'grad' && e.wrt.time === null && this.model.symbols.get(e.wrt.name)?.role === 'parameter') return this.parameterGradient(e);
    if (e.mode === 'grad') {
      if (e.of.name !== this.model.loss?.name) throw new SymbolicUnsupported('grad is derived for the loss only');
      const reads = new Set<string>();
      let readTime: Affine | null = null;
      walk(this.model.loss!.rhs, (x) => {
        if (x.kind === 'seq') {
          reads.add(`${x.name}[${formatAffine(x.time)}]`);
          readTime = x.time;
        }
      });
      const only = [...reads][0];
      if (reads.size !== 1 || !readTime)
        throw new SymbolicUnsupported(`the loss reads ${[...reads].join(', ') || 'no sequence'}: ∇L has a closed form here only when the loss reads one value`);
      if (!only!.startsWith(`${e.wrt.name}[`) || !e.wrt.time)
        throw new SymbolicUnsupported(`∇ with respect to ${e.wrt.name}: the loss reads ${only}, and derivatives across states are not chained into ∇L here`);
      const top: NodeRef = { name: e.wrt.name, time: readTime };
      const atom: Expr = { kind: 'deriv', mode: 'grad', of: e.of, wrt: top, fixed: [] };
      if (printExpr({ ...e, wrt: top }) === printExpr(e)) return atom;
      const J = this.deriveJac(top, e.wrt, e.fixed);
      return mul(transpose(J), atom) ?? zero();
    }
    return this.deriveJac(e.of, e.wrt, e.fixed) ?? zero();
  }

  private deriveJac(of: NodeRef, wrt: NodeRef, fixed: readonly NodeRef[]): Jac {
    if (!of.time || !wrt.time) throw new SymbolicUnsupported('only sequence nodes are differentiated symbolically');
    const lag = affineAdd(of.time, wrt.time, -1);
    if (affineVars(lag).length === 0) return this.accumulate(of, wrt, fixed);
    // A symbolic lag: an ordered product of one-step Jacobians, valid when the state is Markov.
    if (of.name !== wrt.name) throw new SymbolicUnsupported(`∂${of.name}/∂${wrt.name} over a symbolic lag`);
    if (fixed.some((f) => f.time)) throw new SymbolicUnsupported('nodes held at one time over a symbolic lag (hold a whole sequence instead)');
    const held = new Set(fixed.map((f) => f.name));
    const previous = this.previousReads(of.name, held);
    if ([...previous].some((n) => n !== of.name))
      throw new SymbolicUnsupported(`${of.name}[t] also reads ${[...previous].filter((n) => n !== of.name).join(', ')} at t-1: the state is not ${of.name} alone (hold it, or use one-step blocks)`);
    // ∂x_τ/∂x_{τ−k} = J(τ)·J(τ−1)⋯J(τ−k+1) = ∏_{i=1}^{k} J(τ − i + 1)
    const index = LAG_INDEX;
    const step = this.oneStep(of.name, affineAdd(affineAdd(of.time, affine(1)), affine(0, { [index]: 1 }), -1), fixed);
    if (!step) return null;
    // A product of diagonals is the diagonal of the elementwise product: ∏ diag(f_i) = diag(⊙ f_i).
    if (step.kind === 'diag') return { kind: 'diag', arg: { kind: 'hprod', index, lo: affine(1), hi: lag, body: step.arg } };
    return { kind: 'prod', index, lo: affine(1), hi: lag, body: step };
  }
}

function mentions(e: Expr, name: string): boolean {
  let found = false;
  walk(e, (x) => {
    if (x.kind === 'sym' && x.name === name) found = true;
  });
  return found;
}

/**
 * The gradient with respect to parameter P of gᵀ·e (g the adjoint of e), by
 * reverse rules on one step's expression: P·v gives g·vᵀ, P (a bias) gives g.
 */
function contribution(e: Expr, P: string, g: Expr, sm: SymbolicModel): Jac {
  if (!mentions(e, P)) return null;
  const rec = (x: Expr, adj: Expr) => contribution(x, P, adj, sm);
  switch (e.kind) {
    case 'sym':
      return e.name === P ? g : null;
    case 'add':
      return add(rec(e.left, g), rec(e.right, g));
    case 'sub':
      return add(rec(e.left, g), neg(rec(e.right, g)));
    case 'neg':
      return neg(rec(e.arg, g));
    case 'call': {
      const y = sm.valueOf(e) ?? e;
      return rec(e.arg, emul(activationDerivative(e.fn, e.arg, y), g));
    }
    case 'ucall':
      return rec(e.arg, emul(sm.userDerivative(e.name, e.arg), g));
    case 'emul':
      return add(rec(e.left, emul(e.right, g)), rec(e.right, emul(e.left, g)));
    case 'mul': {
      const direct: Jac = e.left.kind === 'sym' && e.left.name === P ? { kind: 'mul', left: g, right: { kind: 'transpose', arg: e.right } } : null;
      const through = mentions(e.right, P) ? rec(e.right, { kind: 'mul', left: { kind: 'transpose', arg: e.left }, right: g }) : null;
      if (!direct && mentions(e.left, P)) throw new SymbolicUnsupported(`${P} inside a matrix factor: ${printExpr(e)}`);
      return add(direct, through);
    }
    default:
      throw new SymbolicUnsupported(`no gradient rule for ${P} in ${e.kind} (${printExpr(e)})`);
  }
}

/** Replaces every derivative node by its closed form (those that have one). */
export function substituteDerivations(e: Expr, sm: SymbolicModel): Expr {
  const go = (x: Expr): Expr => {
    if (x.kind === 'deriv') return sm.derive(x);
    return mapAll(x, go);
  };
  return go(e);
}

/**
 * The same at one binding: each derivative is derived with its times made
 * concrete, so a negative lag gives 0, time 0 is an initial value, and short
 * lags are accumulated exactly; long lags use the symbolic product form.
 */
export function substituteDerivationsAt(e: Expr, sm: SymbolicModel, env: IntEnv): Expr {
  const go = (x: Expr): Expr => {
    if (x.kind !== 'deriv') return mapAll(x, go);
    const concrete = Object.entries(env).reduce((acc, [name, value]) => substituteIndex(acc, name, affine(value)), x as Expr) as Extract<Expr, { kind: 'deriv' }>;
    if (concrete.of.time && concrete.wrt.time) {
      const lag = affineAdd(concrete.of.time, concrete.wrt.time, -1);
      const constant = affineVars(lag).length === 0 && affineVars(concrete.wrt.time).length === 0;
      if (constant && lag.c < 0) return { kind: 'num', value: 0 };
      // At time 0 the symbolic form would compute initial values from the step equations.
      if (constant && concrete.wrt.time.c <= 0 && lag.c <= MAX_ACCUMULATED_LAG) return sm.derive(concrete);
    }
    return sm.derive(x);
  };
  return go(e);
}

/** A scalar function's body applied to a vector: products, quotients and powers become elementwise. */
function toElementwise(e: Expr): Expr {
  const go = (x: Expr): Expr => {
    switch (x.kind) {
      case 'mul':
        return { kind: 'emul', left: go(x.left), right: go(x.right) };
      case 'div':
        return { kind: 'emul', left: go(x.left), right: { kind: 'epow', base: go(x.right), exponent: -1 } };
      case 'pow':
        if (x.exponent.kind !== 'num') throw new SymbolicUnsupported('a power with a non-constant exponent in a user function');
        return { kind: 'epow', base: go(x.base), exponent: x.exponent.value };
      default:
        return mapAll(x, go);
    }
  };
  return go(e);
}

/** Writes out every product whose bounds are known under env as explicit factors. */
export function unrollProducts(e: Expr, env: IntEnv): Expr {
  const go = (x: Expr): Expr => {
    if (x.kind === 'prod' || x.kind === 'hprod') {
      const lo = substituteAffine(x.lo, env);
      const hi = substituteAffine(x.hi, env);
      // Symbolic or empty ranges stay products (the empty product is the identity of the body's size).
      if (affineVars(lo).length || affineVars(hi).length || hi.c < lo.c) return mapAll(x, go);
      let acc: Expr | null = null;
      for (let i = lo.c; i <= hi.c; i++) {
        const factor = go(substituteIndex(x.body, x.index, affine(i)));
        acc = acc ? { kind: x.kind === 'prod' ? 'mul' : 'emul', left: acc, right: factor } : factor;
      }
      return acc!;
    }
    return mapAll(x, go);
  };
  const bound = Object.entries(env).reduce((acc, [name, value]) => substituteIndex(acc, name, affine(value)), e);
  return go(bound);
}
