/**
 * The IR: what a derivation file's math becomes after parsing. Five leaf
 * kinds (numbers, symbols, time-indexed sequence values, integer and real
 * variables) and one generic node for every operator, whose meaning lives in
 * its registry record (src/ops). A node's structure is listed here once:
 *
 *   args    child expressions
 *   ints    integer affine fields (bounds, sizes, path lengths), in the order the op's record names them
 *   units   unit-level indices (α, γ_ℓ)
 *   binder  the name the op binds inside its args (∏'s index, a path sum's path, supabs's variable)
 *   name    a name the op carries (a user function, a weight block's label)
 *
 * so every walk, substitution and key over the IR is written once, on these
 * fields, and no walker needs to know which operators exist.
 */
import { type Affine, affineVars, type IntEnv, substituteAffine } from './affine.js';
import { nameRecord, own } from './names.js';

/** A node of the unrolled computation graph: a sequence at a time, a parameter, or the loss. */
export interface NodeRef {
  readonly name: string;
  /** null for parameters and the loss (and, when held fixed, for a sequence held at every step) */
  readonly time: Affine | null;
}

/**
 * An index at the level of single units (h_t^α, u_{αγ}): an integer affine
 * expression, or a position of an index path γ_0 … γ_k (`g[l]`).
 */
export type Index =
  | { readonly kind: 'affine'; readonly a: Affine }
  | { readonly kind: 'path'; readonly name: string; readonly pos: Affine };

export interface Num {
  readonly kind: 'num';
  readonly value: number;
}
/** a parameter (matrix/vector), the loss, or — in a partial derivative's held list — a sequence held at every step */
export interface Sym {
  readonly kind: 'sym';
  readonly name: string;
}
/** a time-indexed sequence value, `h[t-1]` */
export interface Seq {
  readonly kind: 'seq';
  readonly name: string;
  readonly time: Affine;
}
/** an integer index variable or size used as a scalar, e.g. `k` in `norm2(W)^k` */
export interface IVar {
  readonly kind: 'ivar';
  readonly name: string;
}
/** a bound real variable (`x` in `supabs(x, …)` and in user functions) */
export interface RVar {
  readonly kind: 'rvar';
  readonly name: string;
}

export interface OpNode {
  readonly kind: 'op';
  /** the registry id of the operator */
  readonly op: string;
  readonly args: readonly Expr[];
  readonly ints: readonly Affine[];
  readonly units: readonly Index[];
  readonly binder: string | null;
  readonly name: string | null;
}

export type Leaf = Num | Sym | Seq | IVar | RVar;
export type Expr = Leaf | OpNode;
export type ExprKind = Expr['kind'];

export const num = (value: number): Num => ({ kind: 'num', value });
export const sym = (name: string): Sym => ({ kind: 'sym', name });
export const seq = (name: string, time: Affine): Seq => ({ kind: 'seq', name, time });
export const ivar = (name: string): IVar => ({ kind: 'ivar', name });

/** An operator node; fields the op does not use stay empty. */
export function node(
  op: string,
  args: readonly Expr[],
  fields: { ints?: readonly Affine[]; units?: readonly Index[]; binder?: string | null; name?: string | null } = {},
): OpNode {
  return {
    kind: 'op',
    op,
    args,
    ints: fields.ints ?? [],
    units: fields.units ?? [],
    binder: fields.binder ?? null,
    name: fields.name ?? null,
  };
}

declare const checkedOp: unique symbol;
/**
 * A node known to apply one particular operator. The brand keeps the type
 * guard one-sided: `!isOp(e, 'add')` says nothing about whether e is an op.
 */
export type OpOf = OpNode & { readonly [checkedOp]: true };

/** Is `e` an application of the operator `op` (or one of `ops`)? */
export function isOp(e: Expr, ...ops: readonly string[]): e is OpOf {
  return e.kind === 'op' && ops.includes(e.op);
}

/** Immediate children. */
export function children(e: Expr): readonly Expr[] {
  return e.kind === 'op' ? e.args : [];
}

/** Rebuilds a node with transformed children (leaves are returned as they are). */
export function mapChildren(x: Expr, f: (child: Expr) => Expr): Expr {
  if (x.kind !== 'op') return x;
  return { ...x, args: x.args.map(f) };
}

/** Chains of an associative operator longer than this are joined as balanced trees. */
export const BALANCED_CHAIN = 32;

/**
 * Joins the items of an associative chain (a + b + …, A·B·…) in order: left
 * to right as written for short chains, as a balanced tree for long ones, so
 * that the recursive walkers (printers, shapes, evaluators) see a depth of
 * log₂ n rather than n. Iterative.
 */
export function foldChain<T>(items: readonly T[], join: (left: T, right: T) => T): T {
  if (!items.length) throw new Error('foldChain: no items');
  if (items.length <= BALANCED_CHAIN) return items.reduce((acc, x) => join(acc, x));
  let level = [...items];
  while (level.length > 1) {
    const next: T[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? join(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** The depth of an expression (a leaf is 1), measured without recursion. */
export function depthOf(e: Expr): number {
  let deepest = 0;
  const stack: [Expr, number][] = [[e, 1]];
  while (stack.length) {
    const [x, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (x.kind === 'op') for (const c of x.args) stack.push([c, depth + 1]);
  }
  return deepest;
}

/** Pre-order walk, iterative so that a 6,000-term sum does not exhaust the stack. */
export function walk(e: Expr, visit: (node: Expr) => void): void {
  const stack: Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    visit(x);
    if (x.kind === 'op') for (let i = x.args.length - 1; i >= 0; i--) stack.push(x.args[i]!);
  }
}

/**
 * `walk` visiting each op node once, however often it is shared, in the order of walk's first visits (a node met
 * again is skipped with everything below it, which walk visited right after it the first time): linear in a
 * derived form's DAG, where walk is exponential in its depth. For visits whose effect a second visit would not
 * change (a set of names, a flag); walk is for those that count occurrences.
 */
export function walkOnce(e: Expr, visit: (node: Expr) => void): void {
  eachOnce(e, (x) => void visit(x), true);
}

/**
 * Does any node of `e` satisfy `test`? Each node object is tested once, however often it is shared: a derived form
 * is a DAG whose tree grows exponentially with its depth (pickBlock's test for a block ran past 25 % of a check at
 * 12 intermediates each reading the previous one three times). `test` must be a function of the node; a caller's side
 * effect (collecting the binders seen) sees each shared node once, in the order of the tree walk's first visits.
 */
export function some(e: Expr, test: (node: Expr) => boolean): boolean {
  return eachOnce(e, test, false);
}

/**
 * Depth first over `e`, each op node once (a node met again is skipped with everything below it, done when it was
 * first met), leaves at every occurrence; children left to right (walk's order) or right to left. Stops at the first
 * node `visit` returns true for, and says whether it did.
 */
function eachOnce(e: Expr, visit: (node: Expr) => boolean | void, leftFirst: boolean): boolean {
  const stack: Expr[] = [e];
  const seen = new Set<Expr>();
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === 'op') {
      if (seen.has(x)) continue;
      seen.add(x);
    }
    if (visit(x) === true) return true;
    if (x.kind !== 'op') continue;
    if (leftFirst) for (let i = x.args.length - 1; i >= 0; i--) stack.push(x.args[i]!);
    else for (const c of x.args) stack.push(c);
  }
  return false;
}

/** Every affine integer a node reads directly: its ints, its unit indices (and path positions), a sequence's time. */
export function affinesOf(x: Expr): Affine[] {
  switch (x.kind) {
    case 'seq':
      return [x.time];
    case 'op':
      return [...x.ints, ...x.units.map((u) => (u.kind === 'affine' ? u.a : u.pos))];
    case 'num':
    case 'sym':
    case 'ivar':
    case 'rvar':
      return [];
  }
}

/** The integer variables an expression reads (affine fields and scalar uses), bound ones included. */
/**
 * The exact value of an expression of integer variables and integer numbers by +, − and × (a loss weight's
 * T − t + 1), or null for any other expression (or a value past 2⁵³). Float64 computes these exactly, so what a
 * sum of them "cancels" loses nothing: T − t at t = T is 0 exactly, not a sum that lost every digit.
 */
export function integerValue(e: Expr, lookup: (name: string) => number | undefined): number | null {
  switch (e.kind) {
    case 'num':
      return Number.isInteger(e.value) ? e.value : null;
    case 'ivar':
      return lookup(e.name) ?? null;
    case 'op': {
      if (e.op === 'neg') {
        const a = integerValue(e.args[0]!, lookup);
        return a === null ? null : -a;
      }
      if (e.op !== 'add' && e.op !== 'sub' && e.op !== 'mul') return null;
      const a = integerValue(e.args[0]!, lookup);
      if (a === null) return null;
      const b = integerValue(e.args[1]!, lookup);
      if (b === null) return null;
      const r = e.op === 'add' ? a + b : e.op === 'sub' ? a - b : a * b;
      return Number.isSafeInteger(r) ? r : null;
    }
    case 'rvar':
    case 'seq':
    case 'sym':
      return null;
  }
}

export function intVarsOf(e: Expr): Set<string> {
  const out = new Set<string>();
  walkOnce(e, (x) => {
    if (x.kind === 'ivar') out.add(x.name);
    for (const a of affinesOf(x)) for (const v of affineVars(a)) out.add(v);
  });
  return out;
}

/**
 * Maps every integer field of a node (ints, unit indices, a sequence's time)
 * through `f`, leaving children alone. Path positions map their position.
 */
export function mapIntFields(x: Expr, f: (a: Affine) => Affine): Expr {
  switch (x.kind) {
    case 'seq':
      return { ...x, time: f(x.time) };
    case 'op':
      if (!x.ints.length && !x.units.length) return x;
      return { ...x, ints: x.ints.map(f), units: x.units.map((u) => mapIndex(u, f)) };
    case 'num':
    case 'sym':
    case 'ivar':
    case 'rvar':
      return x;
  }
}

export function mapIndex(ix: Index, f: (a: Affine) => Affine): Index {
  return ix.kind === 'affine' ? { kind: 'affine', a: f(ix.a) } : { ...ix, pos: f(ix.pos) };
}

/**
 * Bottom-up rewrite with binder scoping: `f` sees each node after its
 * children were rewritten; an op that binds `shadowed` keeps its args as they
 * are (its own integer fields lie outside the binder and are still visited).
 * The result is a tree: a node shared in `e` is rewritten at each of its
 * places, into a new node each time (the repair search counts an edit's
 * nodes by identity: see rewriteShared for derived forms).
 */
export function rewrite(e: Expr, f: (node: Expr) => Expr, shadowed: string | null = null): Expr {
  if (e.kind !== 'op') return f(e);
  const args = shadowed !== null && e.binder === shadowed ? e.args : e.args.map((c) => rewrite(c, f, shadowed));
  return f(args === e.args ? e : { ...e, args });
}

/**
 * rewrite with each op node rewritten once per call, however often it is shared, and its result shared where it
 * was: for derived forms, which are DAGs (a Jacobian reads the one before it several times) whose trees grow
 * exponentially with their depth — rewritten as trees, 10 intermediates each reading the previous one three times
 * took 53 s and 1.1 GB to check (∏'s index substituted in a transposed product). The value is rewrite's, as a DAG:
 * `f` must give equal results for the same node, and a side effect of it must be one a second call would not change
 * (a flag, a set). `f` and `shadowed` are the whole environment, fixed for the call, so no memo entry is read under
 * another. Not for what the repair search compares by identity (its edits' node counts), which rewrite keeps.
 */
export function rewriteShared(e: Expr, f: (node: Expr) => Expr, shadowed: string | null = null): Expr {
  if (e.kind !== 'op') return f(e);
  const done = new Map<Expr, Expr>();
  const go = (x: Expr): Expr => {
    if (x.kind !== 'op') return f(x);
    const known = done.get(x);
    if (known !== undefined) return known;
    const args = shadowed !== null && x.binder === shadowed ? x.args : x.args.map(go);
    const out = f(args === x.args ? x : { ...x, args });
    done.set(x, out);
    return out;
  };
  return go(e);
}

/** Substitutes bound integer variables everywhere they are read (not inside a binder of the same name). */
export function substituteInts(e: Expr, env: IntEnv): Expr {
  const names = Object.keys(env);
  if (!names.length) return e;
  const sub = (a: Affine) => substituteAffine(a, env);
  const go = (x: Expr): Expr => {
    if (x.kind === 'ivar') {
      const v = own(env, x.name);
      return v === undefined ? x : num(v);
    }
    if (x.kind !== 'op') return mapIntFields(x, sub);
    const inner = x.binder !== null && names.includes(x.binder) ? substituteInts(x, withoutKey(env, x.binder)) : null;
    if (inner) return inner;
    return mapIntFields({ ...x, args: x.args.map(go) }, sub);
  };
  return go(e);
}

function withoutKey(env: IntEnv, key: string): IntEnv {
  return nameRecord(Object.entries(env).filter(([k]) => k !== key));
}

/** The graph node a derivative's argument names: `h[t]` → (h, t); `W`, `L`, or a held-everywhere `h` → (name, null). */
export function refOf(e: Expr): NodeRef {
  if (e.kind === 'seq') return { name: e.name, time: e.time };
  if (e.kind === 'sym') return { name: e.name, time: null };
  throw new Error(`not a graph node: ${e.kind}`);
}

export function exprOfRef(r: NodeRef): Seq | Sym {
  return r.time ? seq(r.name, r.time) : sym(r.name);
}

/** An integer expression: numbers that are integers and integer variables under + − ×. */
export const isIntegerExpr = (e: Expr): boolean =>
  e.kind === 'num'
    ? Number.isInteger(e.value)
    : e.kind === 'ivar' || (isOp(e, 'add', 'sub', 'mul', 'neg') && e.args.every(isIntegerExpr));
