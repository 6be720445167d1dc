/**
 * The operator registry. Every operator is one record (as KaTeX's
 * `defineFunction` and the compute-engine's library entries): how it is
 * written, where it may appear, its shape rule, how it prints in ASCII and
 * LaTeX, its numeric value (and, where it may appear in a model, its
 * forward/tangent/adjoint kernel), its rule over an exact ring, its symbolic
 * derivative and its canonical-form behaviour. The parser, shape checker,
 * printers, numeric compiler and evaluator, exact evaluator and
 * differentiator look the record up; none of them switches on operators.
 *
 * Records live in one file per mathematical domain (src/ops/*.ts) and import
 * only the interfaces in src/ops/contexts.ts and leaf helper modules, so the
 * engines that use them never form an import cycle with them.
 */
import type { OpNode } from '../ir/expr.js';
import type {
  CanonicalContext,
  CompileContext,
  DiffContext,
  ExactContext,
  KernelHandle,
  LatexContext,
  NumericContext,
  ParamGradientContext,
  PrintContext,
  ShapeContext,
  ValidateContext,
} from './contexts.js';
import type { Expr } from '../ir/expr.js';
import type { ElementwiseRule } from './elementwise.js';
import type { Decimal } from 'decimal.js';
import type { Shape } from '../ir/shape.js';
import type { EntrywiseKernel, Value } from '../numeric/values.js';
import type { NPoly } from '../symbolic/words.js';
import type { RMat } from '../symbolic/ring.js';

/** How one argument of a function-call spelling is read. */
export type ArgSyntax =
  /** an expression (the default) */
  | 'expr'
  /** an integer affine expression, stored in `ints` */
  | 'int'
  /** a unit index (α, g[l]), stored in `units` */
  | 'unit'
  /** a fresh integer name bound in the following args */
  | 'int-binder'
  /** a fresh index-path name bound in the following args */
  | 'path-binder'
  /** a fresh real variable bound in the following args (may shadow a model symbol, as the lab's max_x) */
  | 'real-binder'
  /** a graph node: a sequence value h[t], a parameter, the loss */
  | 'node'
  /** graph nodes to hold fixed; a bare sequence name holds it at every step */
  | 'held'
  /** a constant number, kept as a `num` child */
  | 'const'
  /** an exponent: a constant number, or an integer expression of index variables (`k`, `T - i`) */
  | 'exponent'
  /** a sequence value h[t] or one unit of it h[t, a] */
  | 'value'
  /** one unit of a sequence value, h[t, a] */
  | 'unit-value'
  /** one entry of a parameter, W[i, j] */
  | 'entry-value';

export interface Syntax {
  /** function-call spellings (`tanh`, `sigmoid`) */
  readonly call?: readonly string[];
  /** an operator of mathjs's grammar (`+`, `.*`, unary `-`, postfix `'`) */
  readonly operator?: { readonly symbol: string; readonly fixity: 'infix' | 'prefix' | 'postfix' };
  /** written with the language's own brackets: `h[t, a]` (a unit), `W[i, j]` (an entry), `[u; v]` (stacking) */
  readonly special?: 'unit-access' | 'entry-access' | 'stack' | 'block';
  /** argument kinds of the call spelling, in order; the last one repeats when `variadic` */
  readonly args?: readonly ArgSyntax[];
  readonly variadic?: boolean;
  /** with `variadic`, how many arguments at least (default: every listed one, the last once) */
  readonly minArgs?: number;
  /** usage shown in messages */
  readonly usage: string;
  /**
   * how a source's LaTeX writes it (read by src/latex): a command (`\\tanh`, `\\rho`) or a word set upright
   * in \\operatorname, \\mathrm or \\text (`diag`, `tr`); the record's first call spelling is its ASCII
   */
  readonly latex?: readonly string[];
}

/** Where an operator may appear. */
export interface Placement {
  readonly equation: boolean;
  readonly loss: boolean;
  readonly claim: boolean;
  /** index-level ops (units, entries, δ, path sums) make a claim index-level */
  readonly level: 'matrix' | 'index' | 'any';
}

/** Precedence for printing and parenthesising (higher binds tighter); atoms are 9. */
export interface Precedence {
  readonly ascii: number;
  readonly latex: number;
}

export type LatexPosition = 'left' | 'right' | 'factor' | 'top';

export interface OpSpec {
  readonly id: string;
  /** the domain file it lives in, for documentation */
  readonly domain: string;
  readonly syntax: Syntax;
  readonly placement: Placement;
  readonly precedence?: Partial<Precedence>;
  /** the value is a nonnegative scalar (norms, sups): lets a lower bound stand on the larger side of ≤ */
  readonly nonnegative?: boolean;
  /**
   * built from entries alone (no matrix product), so its entries are an honest commutative polynomial;
   * a function decides per node (a product is entrywise only as a scaling or diag(u)·v)
   */
  readonly entrywise?: boolean | ((node: OpNode, isScalar: (e: Expr) => boolean) => boolean);
  /** an elementwise activation y = f(z): a cell's equation may name its value, and dact reads f′ */
  readonly activation?: ActivationSpec;
  /** a diagonal or identity: equal to its own transpose */
  readonly symmetric?: boolean;
  /**
   * a reduction that gives A and Aᵀ the same value (‖·‖₂, ‖·‖_F, the entry norms, ρ; not the induced ∞-norm, a row
   * sum): a transpose directly under it changes nothing (transposeBlindArgument)
   */
  readonly transposeBlind?: boolean;
  /** the binder runs over the integer range ints[0]..ints[1] (Σ, ∏, ⨀): time checks and warnings read it */
  readonly range?: boolean;
  /** a derivative through the unrolled graph: the evaluator records it for the reference cross-checks */
  readonly graphDerivative?: boolean;

  shape(node: OpNode, ctx: ShapeContext): Shape;
  /** checks against the model beyond shapes (what a derivative may be taken of), as located errors */
  validate?(node: OpNode, ctx: ValidateContext): void;
  print(node: OpNode, ctx: PrintContext): string;
  latex(node: OpNode, ctx: LatexContext, position: LatexPosition): string;

  /** the value at one binding on one instance */
  evaluate(node: OpNode, ctx: NumericContext): Value;
  /** the value as a function of scalar arguments (arithmetic, activations): user functions and sups compile from it */
  scalar?(node: OpNode, userRule: (name: string) => ElementwiseRule): (...args: number[]) => number;
  /**
   * the value on dense operands entry by entry: what `evaluate` computes there, by the same loop
   * (../numeric/values.ts). The evaluator runs a tree of such operators in one pass, without a value and a memo
   * per inner node (src/numeric/evaluate.ts)
   */
  entrywiseKernel?(node: OpNode, userRule: (name: string) => ElementwiseRule): EntrywiseKernel;
  /** compiles into a model equation's kernel list (ops allowed in equations and losses) */
  compile?(node: OpNode, ctx: CompileContext): KernelHandle;
  /** the rule over an exact ring (polynomials, ℤ_p, symbolic-index templates) */
  exact?<R>(node: OpNode, ctx: ExactContext<R>): RMat<R>;
  /** forward-accumulated Jacobian with respect to a seed (null: does not depend on it) */
  differentiate?(node: OpNode, ctx: DiffContext): Expr | null;
  /** reverse rule for ∂(gᵀ·node)/∂P of a parameter P (symbolic parameter gradients) */
  paramGradient?(node: OpNode, adjoint: Expr, ctx: ParamGradientContext): Expr | null;
  /** the canonical word form; absent: an opaque scalar factor, or no canonical form */
  canonical?(node: OpNode, ctx: CanonicalContext): NPoly;
  /** the transpose pushed inside (absent: a transpose node around it) */
  transposed?(node: OpNode, transpose: (e: Expr | null) => Expr | null): Expr | null;
}

export interface ActivationSpec {
  /** the rule on numbers; user functions read theirs from the model */
  rule(node: OpNode, userRule: (name: string) => ElementwiseRule): ElementwiseRule;
  /** f′ at the node's argument as an expression, through the value y = f(z) where the cell names it; null: not differentiable */
  derivative(node: OpNode, y: Expr, userDerivative: (name: string, arg: Expr) => Expr): Expr | null;
  /** f written from first principles, for an independent derivative by nerdamer (built-ins) */
  readonly reference?: string;
  /** f on decimal numbers of extended range (decimal.js), for re-evaluation beyond float64 */
  readonly big?: (x: Decimal, D: typeof Decimal) => Decimal;
  /**
   * f is nondecreasing on its domain and `range` is the closure of its image (tight: sup |f| is its larger end):
   * how intervals are mapped (src/symbolic/domains/interval.ts)
   */
  readonly increasing?: { readonly range: readonly [number, number] };
  /**
   * f over [lo, hi] exactly, for a function whose every float64 result is exact (no rounding to widen) and
   * that is not monotone (|x|): how intervals are mapped where `increasing` does not apply
   */
  readonly exactRange?: (lo: number, hi: number) => readonly [number, number];
  /**
   * 1 − |f(x)| computed without cancellation, for a function whose values near ±1 float64 rounds to ±1 (tanh, σ):
   * how wide floats keep 1 − h² and 1 − σ where h = tanh(20) is 1 in float64 (src/symbolic/domains/wide-float.ts).
   * NaN where |f(x)| is not near 1.
   */
  readonly complement?: (x: number) => number;
}

const REGISTRY = new Map<string, OpSpec>();
/** spelling → records with that spelling (several: `sum(v)` and `sum(i, lo, hi, body)` differ by arity) */
const BY_NAME = new Map<string, OpSpec[]>();

export function defineOp(spec: OpSpec): OpSpec {
  if (REGISTRY.has(spec.id)) throw new Error(`operator ${spec.id} defined twice`);
  REGISTRY.set(spec.id, spec);
  const { call, operator, special } = spec.syntax;
  const keys = [
    ...(call ?? []).map((n) => `call:${n}`),
    ...(operator ? [`${operator.fixity}:${operator.symbol}`] : []),
    ...(special ? [`special:${special}`] : []),
  ];
  for (const key of keys) BY_NAME.set(key, [...(BY_NAME.get(key) ?? []), spec]);
  return spec;
}

export function opSpec(id: string): OpSpec {
  const spec = REGISTRY.get(id);
  if (!spec) throw new Error(`unknown operator ${id}`);
  return spec;
}

export const specOf = (n: OpNode): OpSpec => opSpec(n.op);

/** A node's argument without the transposes its operator does not see (OpSpec.transposeBlind); else the argument. */
export function transposeBlindArgument(n: OpNode): Expr {
  let a = n.args[0]!;
  if (!specOf(n).transposeBlind) return a;
  while (a.kind === 'op' && a.op === 'transpose') a = a.args[0]!;
  return a;
}

/**
 * What a node's binder binds, from its record's syntax: an integer index (∏, Σ over i), an index path (`pathsum`'s
 * g, read as g[l]) or a real variable (`supabs`'s x); null without a binder.
 */
export function binderKind(n: OpNode): 'int' | 'path' | 'real' | null {
  if (n.binder === null) return null;
  const args = specOf(n).syntax.args ?? [];
  if (args.includes('path-binder')) return 'path';
  if (args.includes('real-binder')) return 'real';
  return 'int';
}

/** Records spelled this way (several: `sum(v)` and `sum(i, lo, hi, body)` differ by arity). */
export function specsFor(
  spelling:
    | `call:${string}`
    | `infix:${string}`
    | `prefix:${string}`
    | `postfix:${string}`
    | `special:${NonNullable<Syntax['special']>}`,
): readonly OpSpec[] {
  return BY_NAME.get(spelling) ?? [];
}

export function allOps(): readonly OpSpec[] {
  return [...REGISTRY.values()];
}

/** LaTeX spelling (a command or an upright word) → the ASCII call name of the record that declares it. */
export function latexSpellings(): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const spec of REGISTRY.values())
    for (const spelling of spec.syntax.latex ?? []) if (spec.syntax.call?.[0]) out.set(spelling, spec.syntax.call[0]);
  return out;
}

/**
 * The forms a LaTeX formula may call a function in, by its ASCII call name: each record that declares a LaTeX
 * spelling, with its number of arguments and its usage (\\min(a, b) is min2's; the range min is written \\min_{i}).
 */
export function latexForms(): ReadonlyMap<string, readonly { readonly arity: number; readonly usage: string }[]> {
  const out = new Map<string, { arity: number; usage: string }[]>();
  for (const spec of REGISTRY.values()) {
    const name = spec.syntax.call?.[0];
    if (!name || !spec.syntax.latex?.length) continue;
    out.set(name, [...(out.get(name) ?? []), { arity: spec.syntax.args?.length ?? 1, usage: spec.syntax.usage }]);
  }
  return out;
}

/** Every function-call spelling, for messages and for refusing user names that clash. */
export function callNames(): Set<string> {
  const out = new Set<string>();
  for (const spec of REGISTRY.values()) for (const n of spec.syntax.call ?? []) out.add(n);
  return out;
}

export const precedence = (n: OpNode): Precedence => ({ ascii: 9, latex: 9, ...specOf(n).precedence });
