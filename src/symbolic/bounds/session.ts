/**
 * A proof in progress: the current expression and the steps that led to it.
 * Every rewrite goes through `apply`, which checks the rule at that place
 * (./lemmas.ts) on the place's own domain (the ranges of the products it sits
 * in) and, for an inequality, that every enclosing operation is
 * nondecreasing in that place — a sum, a product with nonnegative co-factors,
 * a power with an exponent ≥ 0 of a nonnegative base, a product over a range
 * of nonnegative factors, a sum over a range. Nothing else can change the
 * expression, so a finished chain is a proof whatever the search did.
 */
import { type Expr, isOp } from '../../ir/expr.js';
import { printExpr } from '../../ir/print.js';
import { isScalar } from '../../ir/shape.js';
import type { Model } from '../../model/model.js';
import { formSize, type SymbolicModel } from '../derive.js';
import { SymbolicUnsupported } from '../unsupported.js';
import type { Domain } from './domain.js';
import { checkRule, nonnegative } from './lemmas.js';
import { exponentOf, type Shapes } from './normal.js';
import { type BoundRule, type BoundStep, EQUALITY_RULES, type MonotoneRule } from './rules.js';

export type Path = readonly number[];

export interface ProverContext {
  readonly model: Model;
  readonly sm: SymbolicModel;
  readonly shapes: Shapes;
  /** the claim's domain: quantifiers and sizes */
  readonly domain: Domain;
}

const RANGE_OPS = new Set(['prod', 'rsum', 'hprod', 'rmax', 'rmin']);

export function at(e: Expr, path: Path): Expr {
  let cur = e;
  for (const i of path) {
    if (cur.kind !== 'op' || !cur.args[i]) throw new Error(`no subexpression at ${path.join('.')}`);
    cur = cur.args[i];
  }
  return cur;
}

export function replaceAt(e: Expr, path: Path, value: Expr): Expr {
  if (!path.length) return value;
  if (e.kind !== 'op') throw new Error('path into a leaf');
  const [i, ...rest] = path;
  return { ...e, args: e.args.map((a, j) => (j === i ? replaceAt(a, rest, value) : a)) };
}

/** The domain at a place: the claim's, with the range of every product or sum the place sits in. */
export function domainAt(root: Expr, path: Path, base: Domain): Domain | null {
  let dom: Domain | null = base;
  let cur = root;
  for (const i of path) {
    if (cur.kind !== 'op') return null;
    // Inside a real-variable binder (a sup's body) nothing is rewritten.
    if (isOp(cur, 'supabs')) return null;
    if (RANGE_OPS.has(cur.op) && cur.binder && i === 0) {
      dom = dom.with({ name: cur.binder, lo: cur.ints[0]!, hi: cur.ints[1]! });
      if (!dom) return null;
    }
    cur = cur.args[i]!;
  }
  return dom;
}

/** The monotonicity that carries a local ≤ at `path` to the whole, or why there is none. */
export function monotoneContext(
  root: Expr,
  path: Path,
  base: Domain,
  shapes: Shapes,
): { readonly rules: MonotoneRule[] } | { readonly why: string } {
  const rules: MonotoneRule[] = [];
  let cur = root;
  let dom: Domain | null = base;
  for (const i of path) {
    if (cur.kind !== 'op' || !dom) return { why: 'no place' };
    const child = cur.args[i]!;
    const other = cur.args[1 - i];
    let ok: MonotoneRule | null = null;
    const scalar = (() => {
      try {
        return isScalar(shapes.shape(cur));
      } catch {
        return false;
      }
    })();
    if (scalar)
      switch (cur.op) {
        case 'add':
          ok = 'mono-sum';
          break;
        case 'sub':
          ok = i === 0 ? 'mono-sum' : null;
          break;
        case 'mul':
        case 'emul':
          ok = other && nonnegative(other) ? 'mono-product' : null;
          break;
        case 'div':
          ok = i === 0 && other?.kind === 'num' && other.value > 0 ? 'mono-product' : null;
          break;
        case 'pow': {
          const e = i === 0 ? exponentOf(cur.args[1]!) : null;
          ok = e && dom.atLeast(e, 0) && nonnegative(child) ? 'mono-power' : null;
          break;
        }
        case 'prod':
          ok = i === 0 && nonnegative(child) ? 'mono-range-product' : null;
          break;
        case 'rsum':
          ok = i === 0 ? 'mono-range-sum' : null;
          break;
        default:
          ok = null;
      }
    if (!ok) return { why: `${printExpr(cur)} is not nondecreasing in ${printExpr(child)}` };
    if (!rules.includes(ok)) rules.push(ok);
    if (RANGE_OPS.has(cur.op) && cur.binder && i === 0)
      dom = dom.with({ name: cur.binder, lo: cur.ints[0]!, hi: cur.ints[1]! });
    cur = child;
  }
  return { rules };
}

/**
 * The largest expression the prover rewrites, in nodes written out (a shared subterm counted each time it occurs):
 * its walks (every place, each printed) treat the expression as a tree, and a model whose intermediates each read
 * the one before three times has closed forms that grow as 3ⁿ — at 10 intermediates one walk overflowed the stack
 * (an internal error), at 12 it took 0.5 GB. The shipped files' proofs rewrite at most 80.
 */
export const MAX_PROVER_FORM_NODES = 20_000;

/** Past MAX_PROVER_FORM_NODES: the attempt ends, not proved, with the size said (the numeric checks still decide). */
function withinProverSize(e: Expr): void {
  const size = formSize(e);
  if (size > MAX_PROVER_FORM_NODES)
    throw new SymbolicUnsupported(
      `the expression has ${size.toPrecision(3)} nodes written out, more than the ${MAX_PROVER_FORM_NODES} the prover rewrites`,
    );
}

export interface Snapshot {
  readonly expr: Expr;
  readonly steps: readonly BoundStep[];
}

export class Session {
  expr: Expr;
  steps: BoundStep[] = [];
  /** the last rejected application, for the report of a failed attempt */
  lastRejection: { rule: BoundRule; at: string; why: string } | null = null;
  /** derivatives that keep no closed form on this domain, and why */
  readonly unresolved: { derivative: string; why: string }[] = [];

  constructor(
    readonly ctx: ProverContext,
    start: Expr,
  ) {
    this.expr = start;
  }

  at(path: Path): Expr {
    return at(this.expr, path);
  }

  domainAt(path: Path): Domain | null {
    return domainAt(this.expr, path, this.ctx.domain);
  }

  snapshot(): Snapshot {
    return { expr: this.expr, steps: [...this.steps] };
  }

  restore(s: Snapshot): void {
    this.expr = s.expr;
    this.steps = [...s.steps];
  }

  /** Rewrites the place at `path` to `to` by `rule`, if the rule's check and the context allow it. */
  apply(path: Path, rule: BoundRule, to: Expr): boolean {
    withinProverSize(to);
    const from = this.at(path);
    const domain = this.domainAt(path);
    const reject = (why: string) => {
      this.lastRejection = { rule, at: printExpr(from), why };
      return false;
    };
    if (!domain) return reject('no domain at this place');
    const verdict = checkRule(rule, from, to, {
      model: this.ctx.model,
      sm: this.ctx.sm,
      shapes: this.ctx.shapes,
      domain,
    });
    if (!verdict.ok) return reject(verdict.why);
    const equality = EQUALITY_RULES.has(rule);
    let context: MonotoneRule[] = [];
    if (!equality) {
      const mono = monotoneContext(this.expr, path, this.ctx.domain, this.ctx.shapes);
      if ('why' in mono) return reject(mono.why);
      context = mono.rules;
    }
    const next = replaceAt(this.expr, path, to);
    withinProverSize(next);
    this.expr = next;
    const values = { from: printExpr(from), to: printExpr(to), ...verdict.values };
    const last = this.steps[this.steps.length - 1];
    const relation = equality ? '=' : '<=';
    if (last && last.rule === rule && last.relation === relation)
      this.steps[this.steps.length - 1] = {
        ...last,
        sites: last.sites + 1,
        expr: this.expr,
        context: [...new Set([...last.context, ...context])],
        values: [...last.values, values],
      };
    else this.steps.push({ rule, relation, sites: 1, expr: this.expr, context, values: [values] });
    return true;
  }
}
