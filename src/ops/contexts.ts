/**
 * What each layer hands an operator record: the interfaces the engines
 * implement (shape checker, printers, numeric compiler and evaluator, exact
 * evaluator, differentiator, canonical forms). Records program against these
 * and never import an engine, which keeps the registry free of cycles.
 */
import type { Affine, IntEnv } from '../ir/affine.js';
import type { Expr, Index, Leaf, OpNode, Seq } from '../ir/expr.js';
import type { Shape } from '../ir/shape.js';
import type { ElementwiseRule } from './elementwise.js';
import type { Dense, ProductMemo, Value } from '../numeric/values.js';
import type { Vec } from '../numeric/kernel.js';
import type { WatchedScalar } from '../numeric/sup.js';
import type { Ring, RMat } from '../symbolic/ring.js';
import type { CPoly } from '../symbolic/cpoly.js';
import type { NPoly } from '../symbolic/words.js';

// ── shapes ─────────────────────────────────────────────────────────────────
export interface ShapeContext {
  /** the shape of a child (checked recursively) */
  shapeOf(e: Expr): Shape;
  /** a located shape error at `node` */
  readonly fail: (node: Expr, problem: string, expected?: string) => never;
}

export interface ValidateContext {
  /** what a name is in the model: a symbol's role, the loss, or undefined */
  roleOf(name: string): 'parameter' | 'input' | 'state' | 'intermediate' | 'loss' | undefined;
  /** a graph node's declared shape is a scalar */
  isScalar(e: Expr): boolean;
  fail(node: Expr, problem: string, expected?: string): never;
}

// ── ASCII ──────────────────────────────────────────────────────────────────
export interface PrintContext {
  /** a child printed as it is */
  expr(e: Expr): string;
  /** a child in parentheses when it binds looser than `prec` (or as loosely, on the right side) */
  wrap(e: Expr, prec: number, rightSide?: boolean): string;
  /** an integer field with the environment's values substituted */
  int(a: Affine): string;
  unit(ix: Index): string;
}

// ── LaTeX ──────────────────────────────────────────────────────────────────
export interface LatexContext {
  expr(e: Expr, parentPrec?: number, position?: 'left' | 'right' | 'factor' | 'top'): string;
  /** τ−k+i in the file's notation */
  index(a: Affine): string;
  /** an index variable: greek spelled out, l as ℓ */
  variable(raw: string): string;
  unitIndex(ix: Index): string;
  /** a symbol's name in the file's notation */
  name(raw: string): string;
  /** a graph node: h_t, h^{[t]}, W, the loss */
  node(e: Expr): string;
  /** one unit of a sequence value, h_t^α */
  unit(value: Seq, ix: Index): string;
  /** the letter of a matrix's entries, u_{αγ} */
  entryName(name: string): string;
  /** T or \top */
  readonly transposeMark: string;
  /** time written as a superscript (a base needs parentheses before another superscript) */
  readonly superscriptTime: boolean;
}

// ── numeric: claims on one instance ────────────────────────────────────────
/** A graph node resolved on an instance: a sequence at a concrete time, or a parameter/the loss (time null). */
export interface GraphNode {
  readonly name: string;
  readonly time: number | null;
}

export interface NumericContext {
  readonly env: IntEnv;
  /** a child's value at this binding (or at `env`), memoised */
  eval(e: Expr, env?: IntEnv): Value;
  dense(e: Expr, env?: IntEnv): Dense;
  /** rows and cols of an expression from its static shape (an empty range's terms may not exist) */
  dims(e: Expr, env?: IntEnv): [number, number];
  int(a: Affine, env?: IntEnv): number;
  index(ix: Index, env?: IntEnv): number;
  /** the node a derivative argument names, checked to exist on this instance */
  graphNode(e: Expr): GraphNode;
  /** the nodes a partial derivative holds: single nodes, or whole sequences */
  held(es: readonly Expr[]): ReadonlySet<string>;
  value(n: GraphNode): Float64Array;
  nodeDims(name: string): readonly [number, number];
  /** f′(z_t) of the activation that defines `name` at t, or null */
  activationDerivative(name: string, t: number): Float64Array | null;
  /** a memoised derivative sweep: tangents from `from` in direction `dir`, or adjoints of `from` */
  sweep(
    kind: 'tan' | 'adj',
    from: GraphNode,
    dir: Dense,
    fixed: ReadonlySet<string>,
    withParams?: boolean,
  ): (n: GraphNode) => Float64Array | null;
  /** the cotangent of a scalar output, shared so gradient sweeps are memoised */
  readonly one: Dense;
  /** materialise Jacobians by rows (reverse sweeps) rather than columns */
  readonly preferRows: boolean;
  /** whether `name` is one of the instance's sizes (fixed across a claim's points), not a variable bound per point */
  isSize(name: string): boolean;
  readonly productMemo: ProductMemo;
  /** a memo table owned by the evaluator, for records that cache across bindings (path-sum chains) */
  memo<T>(table: string): Map<string, T>;
  contentKey(e: Expr, env?: IntEnv): string;
  readonly userRule: (name: string) => ElementwiseRule;
  /** a scalar expression in one real variable as a function (a sup's body), with what float64 loses computing it */
  scalarFunction(body: Expr, variable: string): WatchedScalar;
  /**
   * the binding leaves the unrolled graph (h[-1], unit 7 of 5) or a size it computes is below 1: a located input
   * error for the claim, with what was expected where it is not time indices inside 0..T
   */
  outside(message: string, expected?: string): never;
}

// ── numeric: model equations compiled to kernels ───────────────────────────
/** One compiled op's semantics on Float64Array values; inputs in the order the op was pushed with. */
export interface Kernel {
  forward(inputs: readonly Vec[]): Vec;
  /** the tangent of the output from the inputs' tangents (null = zero); null when zero */
  tangent(inputs: readonly Vec[], tangents: readonly (Vec | null)[], out: Vec): Vec | null;
  /** the adjoint contribution to each input (null: none), computed only where `wanted` */
  adjoint(inputs: readonly Vec[], out: Vec, adj: Vec, wanted: readonly boolean[]): (Vec | null)[];
  /** set for activations y = f(z): f′ from z and y (the unrolled graph reads dact from it) */
  readonly activation?: ElementwiseRule;
  /**
   * What the forward value lost to cancellation, as a relative precision (src/numeric/lost-digits.ts; 0: nothing
   * noted): set for the elementwise sums, which the claim evaluator watches the same way, and for an activation whose
   * body cancels or that magnifies its argument's rounding (log near 1: ElementwiseRule.magnification). The forward pass notes it
   * (and, for every other operator, its value's subnormals: a sum landing there is exact) so that no point rests
   * unseen on digits the model's own equations lost.
   */
  readonly lostDigits?: (inputs: readonly Vec[], out: Vec) => number;
  /**
   * How many times the value's relative error is its operands' at worst (a sum: (|a| + |b|)/|a ± b|; log near 1:
   * 1/|log x|; a power x^k: |k|): the forward pass carries its operands' lost digits magnified (lost-digits.ts
   * magnifiedLoss), as a claim's evaluation does. Absent: their lost digits carry over as they are.
   */
  readonly magnifies?: (inputs: readonly Vec[], out: Vec) => number;
  /**
   * A product or a quotient (entrywise or of matrices): its operands' lost digits add, as their relative errors do
   * (lost-digits.ts addedLoss), in the forward pass's loss, and in an equation for what its own operations lost at
   * that step (src/numeric/unrolled.ts evalList says why not along the steps). Absent: the largest operand's.
   */
  readonly addsLosses?: true;
  /**
   * A product of matrices: what its tangent with one operand's tangent alone (`tangents` null but for that one) lost to
   * cancellation in its dot products, `part` being that tangent (src/numeric/lost-digits.ts productCancellationOf). A
   * derivative sweep notes it at its step, as it notes its sums' (src/numeric/unrolled.ts watchedTangent); `lostDigits`
   * says the same of the forward value.
   */
  readonly partLost?: (inputs: readonly Vec[], tangents: readonly (Vec | null)[], part: Vec) => number;
  /** The same for its adjoint contributions (null where not wanted), from the cotangent `adj`. */
  readonly adjointLost?: (inputs: readonly Vec[], adj: Vec, contributions: readonly (Vec | null)[]) => number;
  /** a product of matrices: its r·k·c multiply-adds, what the work meter charges per step beyond the entries (unrolled.ts) */
  readonly multiplyAdds?: number;
  /**
   * What its tangent and adjoint read of the forward values, for the figure a derivative sweep through it carries
   * (src/numeric/unrolled.ts, sweepReadLoss): 'nothing' — lengths alone (sums, negation, reductions,
   * rearrangements: a sum that cancels leaves its derivative exact); 'others' — the derivative for each operand
   * reads the other operands alone (products: for a constant factor, nothing), and its tangent for two varying
   * operands is `binary('add', …)` of its tangents for each alone (a sweep makes it so from the parts it watches).
   * 'operands' — its operands alone, not its value (logsumexp: softmax of its operand; log: 1/x), so what computing
   * the value lost is no part of its own derivative (an operation reading the value passes it on). Absent: its operands and its value.
   */
  readonly reads?: 'nothing' | 'others' | 'operands';
  /**
   * For an elementwise operator that broadcasts a scalar operand: operand k's adjoint entry by entry, before the sum
   * `adjoint` makes of them for a broadcast operand (a derivative sweep watches that sum's cancellation).
   */
  readonly adjointEntries?: (inputs: readonly Vec[], out: Vec, adj: Vec, k: number) => Vec;
}

/** An op already pushed into the list being compiled (its position). */
export type KernelHandle = number;

export interface CompileContext {
  compile(e: Expr, env?: IntEnv): KernelHandle;
  dims(h: KernelHandle): readonly [number, number];
  push(kernel: Kernel, inputs: readonly KernelHandle[], dims: readonly [number, number]): KernelHandle;
  constant(value: number): KernelHandle;
  /** the value of an expression of numbers and sizes (a constant exponent), or null */
  integerValue(e: Expr): number | null;
  int(a: Affine, env?: IntEnv): number;
  readonly env: IntEnv;
  readonly userRule: (name: string) => ElementwiseRule;
}

// ── exact evaluation over a ring ───────────────────────────────────────────
export interface ExactContext<R> {
  readonly ring: Ring<R>;
  readonly env: IntEnv;
  /** 'symbolic': indices stay letters (templates); units and entries are atoms */
  readonly indices: 'concrete' | 'symbolic';
  /** 'entries': every value is one generic entry (a vector's entries as one polynomial) */
  readonly shapes: 'concrete' | 'entries';
  /** see ExactDomain.chainsProducts */
  readonly chainsProducts: boolean;
  eval(e: Expr, env?: IntEnv): RMat<R>;
  dims(e: Expr, env?: IntEnv): [number, number];
  int(a: Affine, env?: IntEnv): number;
  index(ix: Index, env?: IntEnv): number;
  /** a unit index as printed at this binding (letters where symbolic) */
  indexKey(ix: Index): string;
  /** an opaque atom for this node's value at this binding; a domain without atoms refuses */
  opaque(n: OpNode): RMat<R>;
  /**
   * f(args) for a function the ring cannot compute (a norm over ℤ_p): an atom keyed by the
   * arguments' values, so equal arguments give equal values whatever expressions produced them
   */
  uninterpreted(name: string, args: readonly RMat<R>[]): RMat<R>;
  /** Σ_i v_i of a vector given by its one generic entry (entries view), or null where the domain cannot say */
  sumOfEntries(generic: R): RMat<R> | null;
  /**
   * a rigorous lower bound of a supabs node's sup (the float engine's search, enclosed where it found the sup), for
   * a claim nondecreasing in it; null where the domain has none (then the sup is opaque here)
   */
  supLowerBound(n: OpNode): number | null;
  /** a unit-level atom with symbolic indices (h_t^α, u_{αγ}, σ′, ∂h/∂w) */
  unitAtom(n: OpNode): RMat<R>;
  /** f(z) of an activation: the domain names it (the sequence value it defines, or a function atom) */
  activation(n: OpNode, arg: () => RMat<R>): RMat<R>;
  /** f′ at a sequence value's pre-activation, as a vector */
  dactOf(value: Seq): RMat<R>;
  /** ∂h_t^α/∂P_ij where the domain derives it (forward mode over the model), else an atom */
  unitDerivative(n: OpNode): RMat<R>;
  /** the plain number an expression of numbers and bound integers is (an exponent), else null */
  constant(e: Expr): number | null;
  memo<T>(table: string): Map<string, T>;
  contentKey(e: Expr, env?: IntEnv): string;
  /**
   * Where the terms of a range (its binder free at this binding) line up with those of other ranges: a value of
   * the binder, and the key of the body there, from which the key of every later term follows (rangeAnchor in
   * src/ir/content-key.ts); null where they cannot be lined up
   */
  rangeTerms(n: OpNode): { readonly key: string; readonly anchor: number } | null;
  unsupported(message: string): never;
}

/**
 * What makes one exact evaluation differ from another: the ring, how leaves
 * and opaque values become ring values, and what the domain knows about
 * activations, their derivatives and unit-level derivatives.
 */
export interface ExactDomain<R> {
  readonly ring: Ring<R>;
  readonly indices: 'concrete' | 'symbolic';
  readonly shapes: 'concrete' | 'entries';
  /**
   * An ordered product times a vector is walked from the vector, one matrix–vector product per factor,
   * memoised across bindings (extended precision, where a d×d matrix product costs d³ decimal products).
   * The same value by associativity; rings where it costs more than it saves leave it off.
   */
  readonly chainsProducts?: boolean;
  /** parameters, sequence values, the loss, an unbound integer (a letter in templates) */
  leaf(e: Leaf, ctx: ExactContext<R>): RMat<R>;
  opaque(n: OpNode, ctx: ExactContext<R>): RMat<R>;
  /** a scalar atom for f(args), keyed by the arguments' values (absent: the domain refuses) */
  uninterpreted?(name: string, args: readonly RMat<R>[], ctx: ExactContext<R>): RMat<R>;
  /** Σ_i v_i from a vector's generic entry (entries domains) */
  sumOfEntries?(generic: R): R;
  /** see ExactContext.supLowerBound (absent: none) */
  supLowerBound?(n: OpNode, ctx: ExactContext<R>): number | null;
  unitAtom(n: OpNode, ctx: ExactContext<R>): RMat<R>;
  activation(n: OpNode, ctx: ExactContext<R>, arg: () => RMat<R>): RMat<R>;
  dactOf(value: Seq, ctx: ExactContext<R>): RMat<R>;
  unitDerivative(n: OpNode, ctx: ExactContext<R>): RMat<R>;
  /** the static shape of an expression, evaluated at the binding */
  dims(e: Expr, env: IntEnv): [number, number];
}

// ── symbolic differentiation ───────────────────────────────────────────────
export interface DiffContext {
  /** the Jacobian of a child with respect to the seed (null: independent of it) */
  J(e: Expr): Expr | null;
  /** whether e is the parameter the Jacobian is taken with respect to (vec layout) */
  isSeedParameter(e: Expr): boolean;
  isScalar(e: Expr): boolean;
  /** a column (a scalar too): the values whose Jacobians are rows of entries (a matrix's would be of vec(M)) */
  isColumn(e: Expr): boolean;
  /** the sequence value (h[t]) whose defining right side this expression is, if any */
  valueOf(e: Expr): Expr | null;
  /** f′ of a user-declared function at an argument */
  userDerivative(name: string, arg: Expr): Expr;
  rows(e: Expr): Affine;
  /** f′ of an activation node at its argument (checked against an independent derivative first) */
  activationDerivative(n: OpNode): Expr;
  print(e: Expr): string;
  unsupported(message: string): never;
}

export interface ParamGradientContext {
  readonly param: string;
  /** the parameter is a scalar (a leak a in a·h): its gradient sums what a broadcast spreads it over */
  readonly paramIsScalar: boolean;
  /** the gradient of gᵀ·child with respect to the parameter */
  grad(e: Expr, adjoint: Expr): Expr | null;
  mentions(e: Expr): boolean;
  isScalar(e: Expr): boolean;
  /** the sequence value (ŷ[t]) whose defining right side this expression is, if any */
  valueOf(e: Expr): Expr | null;
  /** f′ of an activation node at its argument */
  activationDerivative(n: OpNode): Expr;
  print(e: Expr): string;
  unsupported(message: string): never;
}

// ── canonical word forms ───────────────────────────────────────────────────
export interface CanonicalContext {
  readonly env: IntEnv;
  expand(e: Expr, env?: IntEnv): NPoly;
  /** the entries of a vector or scalar as one commutative polynomial */
  entries(e: Expr, env?: IntEnv): CPoly;
  isScalar(e: Expr): boolean;
  isVector(e: Expr): boolean;
  /** rows and cols at the binding */
  dims(e: Expr): [number, number];
  int(a: Affine, env?: IntEnv): number;
  /** the key an opaque atom prints as at this binding */
  key(e: Expr): string;
  /** made of entries alone (no matrix product inside), so `entries` is honest */
  entrywise(e: Expr): boolean;
  /** the number an expression's entries are, when constant */
  constant(e: Expr): number | null;
  /**
   * The key canonical forms are kept by: the expression's content at the binding (structure and the index
   * values it reads) and the sizes. Equal keys, equal forms (and equal grids of blocks).
   */
  formKey(e: Expr, env?: IntEnv): string;
  /**
   * a memo table owned by the canonicalizer, for records that cache by formKey: `through(key, compute)` is the
   * value kept for the key, or computes and keeps it (shared by the claims of a model, each charged its cost)
   */
  memo<T>(table: string): { through(key: string, compute: () => T): T };
  unsupported(message: string): never;
}
