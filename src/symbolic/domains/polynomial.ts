/**
 * Exact values at concrete sizes: every entry a commutative polynomial in
 * opaque atoms — weights (U[2,3]), inputs (x[4,1]), states (h[3,2]),
 * activation derivatives (dact(h[3,2])). Unit-level derivatives ∂h_t^α/∂w_ij
 * come from forward mode over the model's own equations (dual numbers of
 * polynomials), so a closed form is compared with what the model implies,
 * not with a formula typed in by hand.
 */
import type { Affine, IntEnv } from '../../ir/affine.js';
import { affine, evalAffine } from '../../ir/affine.js';
import { type Expr, intVarsOf, type OpNode, type Seq } from '../../ir/expr.js';
import { dimsIn } from '../../ir/shape-of.js';
import type { ExactContext, ExactDomain } from '../../ops/contexts.js';
import type { Equation, Model, SymbolDecl } from '../../model/model.js';
import { own } from '../../ir/names.js';
import { HORIZON, TIME_VAR } from '../../model/model.js';
import {
  cadd,
  cconst,
  cmul,
  constantOf,
  cpolyKey,
  type CPoly,
  csum,
  csym,
  czero,
  cinverse,
  POLY_RING,
} from '../cpoly.js';
import { ExactEvaluator } from '../exact.js';
import { rfill, rmap, type Ring, type RMat, rscalar } from '../ring.js';
import { chargeExactWork, remainingExactWork, SymbolicUnsupported } from '../unsupported.js';
import { writtenOut } from '../definitions.js';

const activationName = (n: OpNode) => n.name ?? n.op;

/**
 * Atoms of the model's own values: parameter entries and units of sequence values (h_0 = 0 when declared so),
 * and the activations' derivatives — atoms dact(h[t,a]), or written out by the model's rule (σ′ = σ ⊙ (1 − σ))
 * where `writtenDact` reads them so.
 */
class ModelAtoms {
  /** values built, by symbol (and time): leaves are read at every binding and forward-mode step */
  private readonly built = new Map<string, RMat<CPoly>>();
  constructor(
    readonly model: Model,
    readonly sizes: IntEnv,
    readonly writtenDact: ((name: string, t: number) => RMat<CPoly>) | null = null,
  ) {}
  dims(name: string): [number, number] {
    const s = this.model.symbols.get(name)!.shape;
    return [evalAffine(s.rows, this.sizes), evalAffine(s.cols, this.sizes)];
  }
  param(name: string): RMat<CPoly> {
    return this.once(name, () => {
      const [rows, cols] = this.dims(name);
      return rfill(rows, cols, (r, c) => csym(cols === 1 ? `${name}[${r + 1}]` : `${name}[${r + 1},${c + 1}]`));
    });
  }
  sequence(name: string, t: number): RMat<CPoly> {
    return this.once(`${name}@${t}`, () => {
      const [rows] = this.dims(name);
      const decl = this.model.symbols.get(name)!;
      if (t === 0 && decl.role === 'state' && decl.init === 'zero') return rfill(rows, 1, () => czero());
      return rfill(rows, 1, (a) => csym(`${name}[${t},${a + 1}]`));
    });
  }
  dact(name: string, t: number): RMat<CPoly> {
    return this.once(`dact ${name}@${t}`, () =>
      this.writtenDact
        ? this.writtenDact(name, t)
        : rfill(this.dims(name)[0], 1, (a) => csym(`dact(${name}[${t},${a + 1}])`)),
    );
  }
  /** Polynomials are never changed once built: one value serves every read. */
  private once(key: string, build: () => RMat<CPoly>): RMat<CPoly> {
    let value = this.built.get(key);
    if (!value) this.built.set(key, (value = build()));
    return value;
  }
}

/** ∂h_t/∂P[r, c] of every sequence value, by forward mode over the equations (polynomial dual numbers). */
interface Dual {
  readonly v: CPoly;
  readonly d: CPoly;
}

const DUAL_RING: Ring<Dual> = {
  zero: { v: new Map(), d: new Map() },
  one: { v: cconst(1), d: new Map() },
  add: (a, b) => ({ v: cadd(a.v, b.v), d: cadd(a.d, b.d) }),
  sum: (terms) => ({ v: csum(terms.map((x) => x.v)), d: csum(terms.map((x) => x.d)) }),
  sub: (a, b) => ({ v: cadd(a.v, b.v, -1), d: cadd(a.d, b.d, -1) }),
  neg: (a) => ({ v: cadd(new Map(), a.v, -1), d: cadd(new Map(), a.d, -1) }),
  mul: (a, b) => ({ v: cmul(a.v, b.v), d: cadd(cmul(a.v, b.d), cmul(a.d, b.v)) }),
  fromNumber: (x) => ({ v: cconst(x), d: new Map() }),
  isZero: (a) => a.v.size === 0 && a.d.size === 0,
  constantOf: (a) => (a.d.size === 0 ? constantOf(a.v) : null),
  div: (a, b) => {
    const c = b.d.size === 0 ? constantOf(b.v) : null;
    if (!c) return null;
    const inverse = cinverse(c);
    return { v: cmul(a.v, inverse), d: cmul(a.d, inverse) };
  },
  key: (a) => `${cpolyKey(a.v)} + ε(${cpolyKey(a.d)})`,
};

function unsupported(what: string): never {
  throw new SymbolicUnsupported(`no exact expansion of ${what}`);
}

/** One equation's right side at time t; the root activation is named after its target (h[t,a], dact(h[t,a])). */
class ForwardModeDomain implements ExactDomain<Dual> {
  readonly ring = DUAL_RING;
  readonly indices = 'concrete' as const;
  readonly shapes = 'concrete' as const;
  constructor(
    private readonly atoms: ModelAtoms,
    private readonly param: string,
    private readonly seed: RMat<CPoly>,
    private readonly tangentOf: (name: string, time: number) => RMat<CPoly> | null,
    private readonly root: Expr,
    private readonly target: string,
    private readonly t: number,
  ) {}
  leaf(e: Parameters<ExactDomain<Dual>['leaf']>[0], ctx: ExactContext<Dual>): RMat<Dual> {
    if (e.kind === 'sym') {
      const value = this.atoms.param(e.name);
      return {
        ...value,
        data: value.data.map((v, k) => ({ v, d: e.name === this.param ? this.seed.data[k]! : new Map() })),
      };
    }
    if (e.kind === 'seq') {
      const time = ctx.int(e.time);
      const value = this.atoms.sequence(e.name, time);
      const tangent = this.tangentOf(e.name, time);
      return { ...value, data: value.data.map((v, k) => ({ v, d: tangent ? tangent.data[k]! : new Map() })) };
    }
    return unsupported(e.kind);
  }
  opaque(n: OpNode): RMat<Dual> {
    return unsupported(`${n.op} in a model equation`);
  }
  unitAtom(n: OpNode): RMat<Dual> {
    return unsupported(n.op);
  }
  activation(n: OpNode, _ctx: ExactContext<Dual>, arg: () => RMat<Dual>): RMat<Dual> {
    const z = arg();
    const name = activationName(n);
    // The activation that defines the equation's target is named by it: h[t,a], dact(h[t,a]).
    const isRoot = n === this.root;
    // Written-out derivatives are known for the values equations define; an inner f(z) has only an atom f′(z).
    if (!isRoot && this.atoms.writtenDact && z.data.some((x) => x.d.size))
      return unsupported(`${name}′ inside an equation with derivatives written out`);
    return {
      ...z,
      data: z.data.map((x, a) => {
        const [value, deriv] = isRoot
          ? [csym(`${this.target}[${this.t},${a + 1}]`), this.atoms.dact(this.target, this.t).data[a]!]
          : [csym(`${name}(${cpolyKey(x.v)})`), csym(`d${name}(${cpolyKey(x.v)})`)];
        return { v: value, d: x.d.size ? cmul(deriv, x.d) : new Map() };
      }),
    };
  }
  dactOf(value: Seq): RMat<Dual> {
    return unsupported(`dact(${value.name}) in a model equation`);
  }
  unitDerivative(n: OpNode): RMat<Dual> {
    return unsupported(n.op);
  }
  dims(e: Expr, env: IntEnv): [number, number] {
    return dimsIn(this.atoms.model, e, env);
  }
}

/**
 * Every sequence value's tangent for one seed, computed step by step (t = 1, 2, …), and the exact work each
 * prefix of steps was charged: work[k] for steps 1..k (work[0] = 0), so work.length − 1 steps are done.
 */
interface TangentStore {
  readonly tangents: Map<string, RMat<CPoly>>;
  readonly work: number[];
}

/**
 * Tangents shared by every claim of a model at the same sizes (a file's unit-level claims ask for the same
 * ∂h_t/∂w_ij): they depend on the equations and the symbols' shapes, read at the sizes, and nothing else.
 * Where neither reads T, the steps up to t are the same at every T ≥ t: one store serves every T, the
 * horizon left out of its key.
 */
const sharedTangents = new WeakMap<
  readonly Equation[],
  WeakMap<ReadonlyMap<string, SymbolDecl>, Map<string, Map<string, TangentStore>>>
>();

function tangentCache(atoms: ModelAtoms): Map<string, TangentStore> {
  const { equations, symbols } = atoms.model;
  let bySymbols = sharedTangents.get(equations);
  if (!bySymbols) sharedTangents.set(equations, (bySymbols = new WeakMap()));
  let bySizes = bySymbols.get(symbols);
  if (!bySizes) bySymbols.set(symbols, (bySizes = new Map<string, Map<string, TangentStore>>()));
  const anyHorizon = readsHorizon(atoms.model);
  const sizes = Object.keys(atoms.sizes)
    .filter((name) => anyHorizon || name !== HORIZON)
    .sort()
    .map((name) => `${name}=${own(atoms.sizes, name)}`)
    .join();
  let stores = bySizes.get(sizes);
  if (!stores) bySizes.set(sizes, (stores = new Map<string, TangentStore>()));
  return stores;
}

const horizonReaders = new WeakMap<readonly Equation[], WeakMap<ReadonlyMap<string, SymbolDecl>, boolean>>();

/** Whether T enters the forward mode: an equation reads it, or a symbol's shape. */
function readsHorizon(model: Model): boolean {
  let bySymbols = horizonReaders.get(model.equations);
  if (!bySymbols) horizonReaders.set(model.equations, (bySymbols = new WeakMap()));
  let reads = bySymbols.get(model.symbols);
  if (reads === undefined) {
    reads =
      model.equations.some((eq) => intVarsOf(eq.rhs).has(HORIZON)) ||
      [...model.symbols.values()].some((s) => [s.shape.rows, s.shape.cols].some((a) => HORIZON in a.terms));
    bySymbols.set(model.symbols, reads);
  }
  return reads;
}

/** Unit-level values of claims: polynomials in the model's atoms, with ∂h/∂w by forward mode. */
class PolynomialDomain implements ExactDomain<CPoly> {
  readonly ring = POLY_RING;
  readonly indices = 'concrete' as const;
  readonly shapes = 'concrete' as const;
  /** each seed's tangents, and the steps of them this domain has been charged for */
  private readonly tangents = new Map<string, { steps: number; byValue: Map<string, RMat<CPoly>> }>();
  constructor(
    private readonly atoms: ModelAtoms,
    private readonly unfold: boolean,
  ) {}

  leaf(e: Parameters<ExactDomain<CPoly>['leaf']>[0], ctx: ExactContext<CPoly>): RMat<CPoly> {
    if (e.kind === 'sym') return this.atoms.param(e.name);
    if (e.kind === 'seq')
      return (this.unfold && writtenOut(this.atoms.model, e, ctx)) || this.atoms.sequence(e.name, ctx.int(e.time));
    return unsupported(e.kind);
  }
  opaque(n: OpNode): RMat<CPoly> {
    return unsupported(n.op);
  }
  unitAtom(n: OpNode): RMat<CPoly> {
    return unsupported(n.op);
  }
  uninterpreted(name: string, args: readonly RMat<CPoly>[]): RMat<CPoly> {
    return rscalar(
      csym(`${name}(${args.map((a) => `${a.rows}×${a.cols}:${a.data.map(cpolyKey).join(',')}`).join('; ')})`),
    );
  }
  activation(n: OpNode, _ctx: ExactContext<CPoly>, arg: () => RMat<CPoly>): RMat<CPoly> {
    const name = activationName(n);
    return rmap(arg(), (p) => csym(`${name}(${cpolyKey(p)})`));
  }
  dactOf(value: Seq, ctx: ExactContext<CPoly>): RMat<CPoly> {
    return this.atoms.dact(value.name, ctx.int(value.time));
  }
  unitDerivative(n: OpNode, ctx: ExactContext<CPoly>): RMat<CPoly> {
    const [of, wrt] = n.args as [OpNode, OpNode];
    const value = of.args[0] as Seq;
    const param = (wrt.args[0] as { name: string }).name;
    const [, cols] = this.atoms.dims(param);
    const [r, c] = [ctx.index(wrt.units[0]!), wrt.units[1] ? ctx.index(wrt.units[1]) : 1];
    if (c > cols) return ctx.unsupported(`${param} has ${cols} columns`);
    const t = ctx.int(value.time);
    // Written-out derivatives grow fast with the steps: only those up to t are computed (and charged) then.
    const tangents = this.tangentsFor(param, r, c, this.atoms.writtenDact ? Math.min(t, this.atoms.sizes.T!) : null);
    // A shared store may hold times past T (steps computed at a longer horizon): no value at these sizes.
    const tangent = t > this.atoms.sizes.T! ? undefined : tangents.get(`${value.name}@${t}`);
    const unit = ctx.index(of.units[0]!);
    if (!tangent) return rscalar(czero());
    if (unit < 1 || unit > tangent.data.length)
      return ctx.unsupported(`${value.name}: unit ${unit} is outside 1..${tangent.data.length}`);
    return rscalar(tangent.data[unit - 1]!);
  }
  dims(e: Expr, env: IntEnv): [number, number] {
    return dimsIn(this.atoms.model, e, env);
  }

  /**
   * Tangents of every sequence value for the seed param[r, c], by forward mode over the equations, at times
   * 1..T (or 1..upTo). Steps an earlier claim computed are charged again (work[T], or the steps done and then
   * the rest as computed), so a claim's budget does not depend on what ran before it.
   */
  private tangentsFor(param: string, r: number, c: number, upTo: number | null): Map<string, RMat<CPoly>> {
    const key = `${this.atoms.writtenDact ? 'dact written out: ' : ''}${param}[${r},${c}]`;
    const steps = upTo ?? this.atoms.sizes.T!;
    const cached = this.tangents.get(key);
    if (cached && cached.steps >= steps) return cached.byValue;
    const charged = cached?.steps ?? 0;
    const shared = tangentCache(this.atoms);
    // Outside a budget (Infinity) the cost is unknown: steps computed there are not shared.
    const budgeted = Number.isFinite(remainingExactWork());
    let store = shared.get(key);
    if (store && store.work.length <= steps && !budgeted) store = undefined;
    if (!store) {
      store = { tangents: new Map<string, RMat<CPoly>>(), work: [0] };
      if (budgeted) shared.set(key, store);
    }
    const done = store.work.length - 1;
    if (done > charged) chargeExactWork(store.work[Math.min(done, steps)]! - store.work[charged]!);
    for (let t = done + 1; t <= steps; t++) this.step(store, param, r, c, t);
    this.tangents.set(key, { steps, byValue: store.tangents });
    return store.tangents;
  }

  /** Step t of the forward mode into `store` (whole, or not at all: a step that throws leaves it as it was). */
  private step(store: TangentStore, param: string, r: number, c: number, t: number): void {
    const before = remainingExactWork();
    const [rows, cols] = this.atoms.dims(param);
    const seed = rfill(rows, cols, (i, j) => (i === r - 1 && j === c - 1 ? cconst(1) : czero()));
    const found = new Map<string, RMat<CPoly>>();
    const tangentOf = (name: string, time: number) =>
      found.get(`${name}@${time}`) ?? store.tangents.get(`${name}@${time}`) ?? null;
    for (const eq of this.atoms.model.equations) {
      const domain = new ForwardModeDomain(this.atoms, param, seed, tangentOf, eq.rhs, eq.target, t);
      const dual = new ExactEvaluator(domain, { ...this.atoms.sizes, [TIME_VAR]: t }).evaluate(eq.rhs);
      if (dual.data.some((x) => x.d.size)) found.set(`${eq.target}@${t}`, { ...dual, data: dual.data.map((x) => x.d) });
    }
    for (const [k, v] of found) store.tangents.set(k, v);
    store.work.push(store.work[t - 1]! + (before - remainingExactWork()));
  }
}

/** The exact value of claim expressions at concrete sizes (env binds sizes, quantifiers and path positions). */
export class PolyEvaluator {
  private readonly evaluator: ExactEvaluator<CPoly>;
  /**
   * unfold: values defined entrywise are written out by their equations (src/symbolic/definitions.ts);
   * dactExpression: activation derivatives written out by the model's rule (SymbolicModel.dactExpression), to
   * meet closed forms derived by the matrix-level engine, which write them so. Either reading is a ring
   * homomorphism of the other (the atom dact(y) goes to its value), so an identity in atoms holds in both.
   */
  constructor(model: Model, sizes: IntEnv, unfold = false, dactExpression?: (name: string, time: Affine) => Expr) {
    const written = dactExpression
      ? (name: string, t: number) => this.evaluator.evaluate(dactExpression(name, affine(t)), sizes)
      : null;
    this.evaluator = new ExactEvaluator(new PolynomialDomain(new ModelAtoms(model, sizes, written), unfold), sizes);
  }
  evaluate(e: Expr, env: IntEnv): RMat<CPoly> {
    return this.evaluator.evaluate(e, env);
  }
}
