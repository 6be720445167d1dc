/**
 * The budgets of src/ir/limits.ts that depend on sizes: the memory of an
 * instance's unrolled graph, the largest value a claim computes and the work
 * of its nested ranges. Each is bounded over the sizes' ranges by interval
 * arithmetic on the affine dimensions and bounds, so a file is refused before
 * any instance is drawn. The loader checks the file's ranges; `check` checks
 * again for sizes fixed on the command line.
 */
import { affineBounds, type IntEnv, type Interval } from '../ir/affine.js';
import { type Expr, isOp } from '../ir/expr.js';
import { LIMITS } from '../ir/limits.js';
import { own } from '../ir/names.js';
import { shapeIn } from '../ir/shape-of.js';
import { isScalar, type Shape } from '../ir/shape.js';
import { specOf } from '../ops/index.js';
import { HORIZON, type Model, type SizeRange } from '../model/model.js';

/** The largest value a size may take (T, the horizon, has its own). */
export const sizeLimit = (name: string): number => (name === HORIZON ? LIMITS.horizon : LIMITS.size);
import type { Derivation, Quantifier } from './derivation.js';
import { InputError } from './errors.js';

export type Ranges = ReadonlyMap<string, Interval>;

/** What exceeds a budget, at which node. */
export interface BudgetProblem {
  readonly node: Expr | null;
  readonly problem: string;
  readonly expected: string;
}

/** The sizes' ranges, with the quantifiers' after them (each from its bounds' extremes over the ranges before it). */
export function rangesOf(sizes: Readonly<Record<string, SizeRange>>, forall: readonly Quantifier[] = []): Ranges {
  const out = new Map<string, Interval>(Object.entries(sizes).map(([name, r]) => [name, r]));
  for (const q of forall) out.set(q.name, { min: affineBounds(q.lo, out).min, max: affineBounds(q.hi, out).max });
  return out;
}

const entriesOf = (s: Shape, ranges: Ranges): number =>
  Math.max(0, affineBounds(s.rows, ranges).max) * Math.max(0, affineBounds(s.cols, ranges).max);

/**
 * Visits every node with the ranges in scope (a sum's index ranges over its
 * bounds' extremes) and how many times one evaluation reaches it (the product
 * of the enclosing ranges' lengths). Iterative: expressions may be long.
 */
function forEachNode(expr: Expr, ranges: Ranges, visit: (e: Expr, ranges: Ranges, times: number) => void): void {
  const stack: { e: Expr; ranges: Ranges; times: number }[] = [{ e: expr, ranges, times: 1 }];
  while (stack.length) {
    const { e, ranges: inScope, times } = stack.pop()!;
    visit(e, inScope, times);
    if (e.kind !== 'op') continue;
    let inner = inScope;
    let repeat = 1;
    if (specOf(e).range) {
      const [lo, hi] = [affineBounds(e.ints[0]!, inScope), affineBounds(e.ints[1]!, inScope)];
      inner = new Map([...inScope, [e.binder!, { min: lo.min, max: hi.max }]]);
      repeat = Math.max(0, hi.max - lo.min + 1);
    }
    for (const c of e.args) stack.push({ e: c, ranges: inner, times: times * repeat });
  }
}

const sizesText = (ranges: Ranges, names: Iterable<string>) =>
  [...names].map((n) => `${n}=${ranges.get(n)!.max}`).join(', ');

/** The numbers one instance's graph holds at the largest sizes: parameters once, sequences and every step's operator values T times. */
export function graphEntries(model: Model, ranges: Ranges): number {
  const T = ranges.get(HORIZON)!.max;
  let total = 0;
  for (const s of model.symbols.values()) total += entriesOf(s.shape, ranges) * (s.role === 'parameter' ? 1 : T + 1);
  // Each operator's value is kept for the sweeps; leaves refer to values already counted. A matrix power A^k
  // compiles into k products.
  const values = (times: number) => (e: Expr, r: Ranges, repeat: number) => {
    if (e.kind !== 'op') return;
    const shape = shapeIn(model, e);
    const k = isOp(e, 'pow') && !isScalar(shape) ? e.args[1]! : null;
    const factors = k?.kind === 'num' ? k.value : k?.kind === 'ivar' ? (r.get(k.name)?.max ?? 1) : 1;
    total += times * repeat * Math.max(1, factors) * entriesOf(shape, r);
  };
  for (const eq of model.equations) forEachNode(eq.rhs, ranges, values(T));
  if (model.loss) forEachNode(model.loss.rhs, ranges, values(1));
  return total;
}

/** One instance's graph at the largest sizes against LIMITS.graphEntries. */
export function graphBudget(model: Model, ranges: Ranges): BudgetProblem | null {
  const total = graphEntries(model, ranges);
  if (total <= LIMITS.graphEntries) return null;
  return {
    node: null,
    problem: `at the largest sizes (${sizesText(ranges, Object.keys(model.sizes))}) one instance's unrolled graph would hold ${total.toPrecision(3)} numbers, more than the limit of ${LIMITS.graphEntries}`,
    expected: 'smaller size ranges',
  };
}

/** How many bindings a claim's quantifiers take at most (each over its bounds' extremes in `ranges`). */
export function bindingCount(ranges: Ranges, forall: readonly Quantifier[]): number {
  return forall.reduce((n, q) => n * Math.max(0, ranges.get(q.name)!.max - ranges.get(q.name)!.min + 1), 1);
}

/**
 * A claim side: no value larger than the value budget, no more evaluation steps per binding than the work budget, and
 * (with the claim's binding count) no more steps over all its bindings than the claim budget.
 */
export function exprBudget(model: Model, expr: Expr, ranges: Ranges, bindings = 1): BudgetProblem | null {
  let work = 0;
  let problem: BudgetProblem | null = null;
  forEachNode(expr, ranges, (e, r, times) => {
    if (problem) return;
    work += times;
    const entries = entriesOf(shapeIn(model, e), r);
    if (entries > LIMITS.valueEntries)
      problem = {
        node: e,
        problem: `this value has up to ${entries.toPrecision(3)} entries, more than the limit of ${LIMITS.valueEntries}`,
        expected: 'smaller dimensions',
      };
    else if (work > LIMITS.rangeWork)
      problem = {
        node: e,
        problem: `evaluating this expression takes more than ${LIMITS.rangeWork} steps per binding (nested sum/prod/hprod ranges)`,
        expected: 'shorter ranges',
      };
  });
  if (!problem && work * bindings > LIMITS.claimWork)
    problem = {
      node: expr,
      problem: `evaluating this side at every binding takes about ${(work * bindings).toPrecision(3)} steps (${work} per binding, ${bindings} bindings), more than the limit of ${LIMITS.claimWork}`,
      expected: 'shorter ranges or fewer bindings (a smaller T)',
    };
  return problem;
}

/** Sizes fixed on the command line (`--size d=64`) may leave the file's ranges: the budgets again, at those sizes. */
export function checkSizeOverrides(d: Derivation, overrides: IntEnv): void {
  const fixed = Object.entries(overrides).filter(([name]) => own(d.model.sizes, name) !== undefined);
  if (!fixed.length) return;
  const flags = fixed.map(([name, v]) => `--size ${name}=${v}`).join(' ');
  for (const [name, v] of fixed)
    if (v > sizeLimit(name))
      throw new InputError(
        { file: d.file, line: 1, col: 1 },
        `${flags}: ${name} = ${v} is more than the limit of ${sizeLimit(name)}`,
        `${name} ≤ ${sizeLimit(name)}`,
      );
  const pinned = Object.fromEntries(fixed.map(([name, v]) => [name, { min: v, max: v }]));
  const graph = graphBudget(d.model, rangesOf({ ...d.model.sizes, ...pinned }));
  if (graph) throw new InputError({ file: d.file, line: 1, col: 1 }, `${flags}: ${graph.problem}`, graph.expected);
  for (const claim of d.claims)
    for (const side of [claim.lhs, claim.rhs]) {
      const ranges = rangesOf({ ...d.model.sizes, ...claim.sizes, ...pinned }, claim.forall);
      const tooLarge = exprBudget(d.model, side, ranges, bindingCount(ranges, claim.forall));
      if (tooLarge)
        throw new InputError(claim.pos, `${flags}: claim '${claim.id}': ${tooLarge.problem}`, tooLarge.expected);
    }
}
