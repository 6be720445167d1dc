/**
 * One exact evaluator, generic over a ring: the operator records' exact rules
 * run unchanged over polynomials in opaque atoms (unit-level identities),
 * ℤ_p (randomized identity tests), dual numbers of polynomials (forward mode
 * over the model's equations), one generic entry per value (canonical
 * forms) and symbolic indices (proof templates). What differs between them —
 * how leaves, activations and unknown operators become ring values — is the
 * domain's (src/symbolic/domains/).
 */
import { evalAffine, type IntEnv } from '../ir/affine.js';
import { contentKey, rangeAnchor, type SplitKey, splitContentKey } from '../ir/content-key.js';
import type { Expr, Index, OpNode, Seq } from '../ir/expr.js';
import { pathKey } from '../ir/path-chain.js';
import { formatIndex } from '../ir/print.js';
import { specOf } from '../ops/index.js';
import type { ExactContext, ExactDomain } from '../ops/contexts.js';
import { KeptValues, rscalar, type RMat } from './ring.js';
import { SymbolicUnsupported } from './unsupported.js';
import { own, withBinding, withoutBinding } from '../ir/names.js';

export class ExactEvaluator<R> {
  /**
   * every op node's value, by content: structure, then the values of the indices it reads (numeric keys); kept
   * packed where the ring has a compact form (./ring.ts)
   */
  private readonly values = new Map<number, KeptValues<R, number | string>>();
  /** the key being looked up (one object, reused: keys are read before evaluating the node's children) */
  private readonly key: SplitKey = { structure: 0, values: 0 };
  private readonly memos = new Map<string, Map<string, unknown>>();

  constructor(
    readonly domain: ExactDomain<R>,
    /** sizes (and anything else bound for every evaluation) */
    private readonly base: IntEnv = {},
  ) {}

  evaluate(e: Expr, env: IntEnv = {}): RMat<R> {
    return this.go(e, { ...this.base, ...env });
  }

  private go(e: Expr, env: IntEnv): RMat<R> {
    const { ring } = this.domain;
    switch (e.kind) {
      case 'num':
        return rscalar((ring.constant ?? ring.fromNumber)(e.value));
      case 'ivar': {
        const v = own(env, e.name);
        return v === undefined
          ? this.domain.leaf(e, this.context(env))
          : rscalar((ring.constant ?? ring.fromNumber)(v));
      }
      case 'sym':
      case 'seq':
      case 'rvar':
        return this.domain.leaf(e, this.context(env));
      case 'op': {
        // Products and sums recur across bindings (∏ over ℓ does not depend on α): every value is memoised by content.
        const { structure, values } = splitContentKey(e, env, this.key);
        let byValues = this.values.get(structure);
        if (!byValues) this.values.set(structure, (byValues = new KeptValues<R, number | string>(this.domain.ring)));
        let v = byValues.get(values);
        if (!v) {
          const spec = specOf(e);
          const ctx = this.context(env);
          v = spec.exact ? spec.exact(e, ctx) : this.domain.opaque(e, ctx);
          byValues.set(values, v);
        }
        return v;
      }
    }
  }

  /** The plain number of an expression made of numbers and bound integers (an exponent), or null. */
  private constant(e: Expr, env: IntEnv): number | null {
    switch (e.kind) {
      case 'num':
        return e.value;
      case 'ivar':
        return own(env, e.name) ?? null;
      case 'op': {
        const spec = specOf(e);
        if (!spec.scalar) return null;
        const args = e.args.map((a) => this.constant(a, env));
        if (args.some((a) => a === null)) return null;
        return spec.scalar(e, () => {
          throw new SymbolicUnsupported('a user function in an integer expression');
        })(...(args as number[]));
      }
      case 'sym':
      case 'seq':
      case 'rvar':
        return null;
    }
  }

  private context(env: IntEnv): ExactContext<R> {
    return new ExactBinding(this, env);
  }

  /** @internal */
  evalAt(e: Expr, env: IntEnv): RMat<R> {
    return this.go(e, env);
  }

  /** @internal */
  constantAt(e: Expr, env: IntEnv): number | null {
    return this.constant(e, env);
  }

  /** @internal */
  memo<T>(table: string): Map<string, T> {
    let m = this.memos.get(table);
    if (!m) {
      m = new Map();
      this.memos.set(table, m);
    }
    return m as Map<string, T>;
  }
}

/** One binding of one exact evaluation, as the operator records see it (methods shared, one small object per node). */
class ExactBinding<R> implements ExactContext<R> {
  constructor(
    private readonly ev: ExactEvaluator<R>,
    readonly env: IntEnv,
  ) {}
  get ring() {
    return this.ev.domain.ring;
  }
  get indices() {
    return this.ev.domain.indices;
  }
  get shapes() {
    return this.ev.domain.shapes;
  }
  get chainsProducts() {
    return this.ev.domain.chainsProducts === true;
  }
  eval(x: Expr, inner: IntEnv = this.env): RMat<R> {
    return this.ev.evalAt(x, inner);
  }
  dims(x: Expr, inner: IntEnv = this.env): [number, number] {
    return this.ev.domain.dims(x, inner);
  }
  int(a: Parameters<ExactContext<R>['int']>[0], inner: IntEnv = this.env): number {
    return evalAffine(a, inner);
  }
  index(ix: Index, inner: IntEnv = this.env): number {
    if (ix.kind === 'affine') return evalAffine(ix.a, inner);
    const v = own(inner, pathKey(ix.name, evalAffine(ix.pos, inner)));
    if (v === undefined) throw new SymbolicUnsupported(`unbound path position ${ix.name}`);
    return v;
  }
  indexKey(ix: Index): string {
    return formatIndex(ix, this.env);
  }
  opaque(n: OpNode): RMat<R> {
    return this.ev.domain.opaque(n, this);
  }
  uninterpreted(name: string, args: readonly RMat<R>[]): RMat<R> {
    const domain = this.ev.domain;
    if (!domain.uninterpreted) throw new SymbolicUnsupported(`${name} has no value in this domain`);
    return domain.uninterpreted(name, args, this);
  }
  sumOfEntries(generic: R): RMat<R> | null {
    const sum = this.ev.domain.sumOfEntries?.(generic);
    return sum === undefined ? null : rscalar(sum);
  }
  supLowerBound(n: OpNode): number | null {
    return this.ev.domain.supLowerBound?.(n, this) ?? null;
  }
  unitAtom(n: OpNode): RMat<R> {
    return this.ev.domain.unitAtom(n, this);
  }
  activation(n: OpNode, arg: () => RMat<R>): RMat<R> {
    return this.ev.domain.activation(n, this, arg);
  }
  dactOf(value: Seq): RMat<R> {
    return this.ev.domain.dactOf(value, this);
  }
  unitDerivative(n: OpNode): RMat<R> {
    return this.ev.domain.unitDerivative(n, this);
  }
  constant(x: Expr): number | null {
    return this.ev.constantAt(x, this.env);
  }
  memo<T>(table: string): Map<string, T> {
    return this.ev.memo<T>(table);
  }
  contentKey(x: Expr, inner: IntEnv = this.env): string {
    return contentKey(x, inner);
  }
  rangeTerms(n: OpNode): { readonly key: string; readonly anchor: number } | null {
    const [body, binder] = [n.args[0]!, n.binder!];
    const free = withoutBinding(this.env, binder);
    const anchor = rangeAnchor(body, free, binder);
    return anchor === null ? null : { key: contentKey(body, withBinding(free, binder, anchor)), anchor };
  }
  unsupported(message: string): never {
    throw new SymbolicUnsupported(message);
  }
}
