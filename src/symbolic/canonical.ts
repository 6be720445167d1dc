/**
 * Exact canonical forms for matrix-level expressions at concrete indices
 * (src/symbolic/words.ts): each operator's record says how it expands; a
 * vector's or a diagonal's entries come from the entries view of the exact
 * evaluator. Two expressions are identical for every size when their
 * canonical forms are equal.
 */
import type { IntEnv } from '../ir/affine.js';
import { evalAffine } from '../ir/affine.js';
import { children, type Expr } from '../ir/expr.js';
import { contentKey } from '../ir/content-key.js';
import { printExpr } from '../ir/print.js';
import { type Affine, isConstant, substituteAffine } from '../ir/affine.js';
import { specOf } from '../ops/index.js';
import type { CanonicalContext } from '../ops/contexts.js';
import { constantOf, csym } from './cpoly.js';
import type { SymbolicModel } from './derive.js';
import { EntriesEvaluator } from './domains/entries.js';
import { SymbolicUnsupported } from './unsupported.js';
import { nconst, nword, type NPoly } from './words.js';
import { own } from '../ir/names.js';
import { CostedMemo, MemoSessions } from './costed-memo.js';

export { samePoly, formatPoly, type NPoly } from './words.js';

/**
 * Canonical forms of one model's expressions, kept for every claim checked against the model (claims of a
 * file expand the same gradients at the same times). Each claim's attempt is a session of its own: what it
 * reads that it did not compute is charged to its exact-work budget as computing it would have been
 * (costed-memo.ts), so a claim's outcome does not depend on the claims before it.
 */
export class Canonicalizer {
  private readonly sessions = new MemoSessions();
  private readonly entriesOf: EntriesEvaluator;
  private readonly forms = new CostedMemo<NPoly>(this.sessions);
  private readonly memos = new Map<string, CostedMemo<unknown>>();
  private readonly sizeNames: readonly string[];
  /** unfold: values defined entrywise are written out by their equations (src/symbolic/definitions.ts) */
  constructor(
    private readonly sm: SymbolicModel,
    unfold = false,
  ) {
    this.entriesOf = new EntriesEvaluator(sm, unfold, this.sessions);
    this.sizeNames = Object.keys(sm.model.sizes).sort();
  }

  /** A claim's attempt begins: it is charged for every kept form it reads, once. */
  beginSession(): void {
    this.sessions.begin();
  }

  /**
   * Shapes with the sizes the model (or the claim) pins to one value: in a
   * one-dimensional reading (a size range 1..1) matrices are scalars and
   * commute. A size that merely happens to be 1 at this binding stays a
   * letter — an identity of the word algebra must hold for every size.
   */
  private pinned(e: Expr): [Affine, Affine] {
    const shape = this.sm.shape(e);
    const fixed: Record<string, number> = {};
    for (const [name, range] of Object.entries(this.sm.model.sizes))
      if (range.min === range.max) fixed[name] = range.min;
    return [substituteAffine(shape.rows, fixed), substituteAffine(shape.cols, fixed)];
  }
  private isScalar(e: Expr, _env: IntEnv): boolean {
    const [rows, cols] = this.pinned(e);
    return isConstant(rows) && rows.c === 1 && isConstant(cols) && cols.c === 1;
  }
  private isVector(e: Expr, _env: IntEnv): boolean {
    const cols = this.pinned(e)[1];
    return isConstant(cols) && cols.c === 1;
  }

  /** Built from entries alone (no matrix product inside), so its entries are an honest polynomial. */
  private entrywise(e: Expr, env: IntEnv): boolean {
    if (e.kind !== 'op') return true;
    const spec = specOf(e);
    // An activation is elementwise whatever its argument: its value is one opaque atom per entry.
    if (spec.activation) return true;
    const flag = spec.entrywise;
    if (flag === false || (typeof flag === 'function' && !flag(e, (x) => this.isScalar(x, env)))) return false;
    return children(e).every((c) => this.entrywise(c, env));
  }

  /** The entries of a vector (or a scalar) as a commutative polynomial. */
  entries(e: Expr, env: IntEnv) {
    return this.entriesOf.entries(e, env);
  }

  /** The canonical form of a matrix-level expression with every index bound by env. */
  expand(e: Expr, env: IntEnv): NPoly {
    // A product's factors and a sum's terms recur within a binding and across bindings with the same
    // times: forms are kept by content (structure and the values of the indices read) and by the sizes,
    // which shapes read without naming them (a stacked vector's blocks, an identity's size).
    if (e.kind !== 'op') return this.expandNode(e, env);
    return this.forms.through(this.formKey(e, env), () => this.expandNode(e, env));
  }

  /** Content (structure and the values of the indices read) and the sizes: what a form is kept by. */
  private formKey(e: Expr, env: IntEnv): string {
    return `${contentKey(e, env)}|${this.sizeNames.map((n) => env[n]).join(',')}`;
  }

  private memo<T>(table: string): CostedMemo<T> {
    let m = this.memos.get(table);
    if (!m) this.memos.set(table, (m = new CostedMemo<unknown>(this.sessions)));
    return m as CostedMemo<T>;
  }

  private expandNode(e: Expr, env: IntEnv): NPoly {
    const vector = () => nword({ kind: 'diag', poly: this.entries(e, env) }, { kind: 'one' });
    switch (e.kind) {
      case 'num':
        return nconst(e.value);
      case 'ivar':
        return nconst(own(env, e.name)!);
      case 'sym':
        if (this.isScalar(e, env)) return nword({ kind: 'scal', poly: csym(e.name) });
        return this.isVector(e, env) ? vector() : nword({ kind: 'mat', key: e.name });
      case 'seq':
        return this.isScalar(e, env) ? nword({ kind: 'scal', poly: this.entries(e, env) }) : vector();
      case 'rvar':
        return nword({ kind: 'scal', poly: csym(`(${e.name})`) });
      case 'op': {
        const spec = specOf(e);
        if (spec.canonical) return spec.canonical(e, this.context(env));
        // Norms, sups and other scalars: opaque commuting factors.
        if (this.isScalar(e, env)) return nword({ kind: 'scal', poly: csym(`(${printExpr(e, env)})`) });
        throw new SymbolicUnsupported(`no canonical form for ${e.op}`);
      }
    }
  }

  private context(env: IntEnv): CanonicalContext {
    return {
      env,
      expand: (x, inner = env) => this.expand(x, inner),
      entries: (x, inner = env) => this.entries(x, inner),
      isScalar: (x) => this.isScalar(x, env),
      isVector: (x) => this.isVector(x, env),
      dims: (x) => {
        const shape = this.sm.shape(x);
        return [evalAffine(shape.rows, env), evalAffine(shape.cols, env)];
      },
      int: (a, inner = env) => evalAffine(a, inner),
      key: (x) => printExpr(x, env),
      entrywise: (x) => this.entrywise(x, env),
      constant: (x) => constantOf(this.entries(x, env)),
      formKey: (x, inner = env) => this.formKey(x, inner),
      memo: (table) => this.memo(table),
      unsupported: (message) => {
        throw new SymbolicUnsupported(message);
      },
    };
  }
}
