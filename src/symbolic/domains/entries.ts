/**
 * The entries of a vector (or a scalar) as one commutative polynomial in
 * opaque entrywise symbols — h[5], f[3], the tanh(…) that defines h[4] read
 * back as h[4] — for the diagonals of canonical word forms. Every value is
 * one generic entry: elementwise arithmetic is exact, a matrix product
 * (other than a scaling or diag(u)·v) is an opaque symbol.
 */
import type { IntEnv } from '../../ir/affine.js';
import { type Expr, intVarsOf, type Leaf, type OpNode, type Seq } from '../../ir/expr.js';
import { own } from '../../ir/names.js';
import { printExpr } from '../../ir/print.js';
import { dimsIn } from '../../ir/shape-of.js';
import { seq as seqLeaf } from '../../ir/expr.js';
import { specOf } from '../../ops/index.js';
import type { ExactContext, ExactDomain } from '../../ops/contexts.js';
import { TIME_VAR } from '../../model/model.js';
import { cpolyKey, type CPoly, csym, POLY_RING } from '../cpoly.js';
import type { SymbolicModel } from '../derive.js';
import { ExactEvaluator } from '../exact.js';
import { rscalar, type RMat } from '../ring.js';
import { SymbolicUnsupported } from '../unsupported.js';
import { writtenOut } from '../definitions.js';
import { entrySums } from '../words.js';
import { CostedMemo, MemoSessions } from '../costed-memo.js';

const activationName = (n: OpNode) => n.name ?? n.op;

class EntriesDomain implements ExactDomain<CPoly> {
  readonly ring = POLY_RING;
  readonly indices = 'concrete' as const;
  readonly shapes = 'entries' as const;
  /** by the values of what the right sides read (costed: built once for every claim of the model) */
  private readonly rhsIndex: CostedMemo<Map<string, string>>;
  /** indices being filled: the right sides read other activations, which look here too */
  private readonly filling = new Map<string, Map<string, string>>();
  private readonly indexByEnv = new WeakMap<IntEnv, Map<string, string>>();
  /** What the activations' right sides read besides t: the sizes (shapes read them too) and their own variables. */
  private readonly indexVars: readonly string[];

  constructor(
    private readonly sm: SymbolicModel,
    private readonly unfold: boolean,
    sessions: MemoSessions,
  ) {
    this.rhsIndex = new CostedMemo(sessions);
    const vars = new Set(Object.keys(sm.model.sizes));
    for (const eq of sm.model.equations) for (const v of intVarsOf(eq.rhs)) vars.add(v);
    vars.delete(TIME_VAR);
    this.indexVars = [...vars].sort();
  }

  /** Canonical keys of every activation right side f(z_τ), τ = 1..T, mapped to the symbol of the value it defines. */
  private sequenceIndex(ctx: ExactContext<CPoly>): Map<string, string> {
    const env = ctx.env;
    // By environment object first: one binding's activations share it (path positions, the only entries
    // that change in a shared environment, are not part of the key). Then by what the right sides read:
    // every binding of a claim at the same sizes has the same index.
    const known = this.indexByEnv.get(env);
    if (known) return known;
    const T = env.T ?? 0;
    const cacheKey = this.indexVars.map((v) => own(env, v)).join();
    const index =
      this.filling.get(cacheKey) ??
      this.rhsIndex.through(cacheKey, () => {
        // Readable before it is filled: the right sides read other activations, which look here too.
        const filled = new Map<string, string>();
        this.filling.set(cacheKey, filled);
        // An evaluator of its own, not the caller's: what the index costs is then the same whichever claim or
        // binding builds it (its cost is charged again to claims that read it), and the caller's memo holds
        // what the caller computed.
        const evaluator = new ExactEvaluator(this, env);
        try {
          for (let tau = 1; tau <= T; tau++)
            for (const eq of this.sm.model.equations) {
              const rhs = eq.rhs;
              if (rhs.kind !== 'op' || !specOf(rhs).activation) continue;
              const arg = evaluator.evaluate(rhs.args[0]!, { [TIME_VAR]: tau });
              filled.set(
                `${activationName(rhs)}(${cpolyKey(arg.data[0]!)})`,
                printExpr(seqLeaf(eq.target, { c: tau, terms: {} })),
              );
            }
        } finally {
          this.filling.delete(cacheKey);
        }
        return filled;
      });
    this.indexByEnv.set(env, index);
    return index;
  }

  leaf(e: Leaf, ctx: ExactContext<CPoly>): RMat<CPoly> {
    if (e.kind === 'ivar') throw new SymbolicUnsupported(`unbound ${e.name}`);
    if (e.kind === 'seq' && this.unfold) {
      const written = writtenOut(this.sm.model, e, ctx);
      if (written) return written;
    }
    return rscalar(csym(printExpr(e, ctx.env)));
  }
  opaque(n: OpNode, ctx: ExactContext<CPoly>): RMat<CPoly> {
    return rscalar(csym(`(${printExpr(n, ctx.env)})`));
  }
  sumOfEntries(generic: CPoly): CPoly {
    return entrySums(generic);
  }
  unitAtom(n: OpNode, ctx: ExactContext<CPoly>): RMat<CPoly> {
    return this.opaque(n, ctx);
  }
  activation(n: OpNode, ctx: ExactContext<CPoly>, arg: () => RMat<CPoly>): RMat<CPoly> {
    const key = `${activationName(n)}(${cpolyKey(arg().data[0]!)})`;
    // An activation that is some equation's right side at a time τ is that sequence value, h[τ].
    return rscalar(csym(this.sequenceIndex(ctx).get(key) ?? key));
  }
  dactOf(value: Seq, ctx: ExactContext<CPoly>): RMat<CPoly> {
    // f′ of y's activation, in the engine's own form (σ′ = σ(1 − σ), tanh′ = 1 − y²).
    return ctx.eval(this.sm.dactExpression(value.name, value.time));
  }
  unitDerivative(n: OpNode, ctx: ExactContext<CPoly>): RMat<CPoly> {
    return this.opaque(n, ctx);
  }
  dims(e: Expr, env: IntEnv): [number, number] {
    return dimsIn(this.sm.model, e, env);
  }
}

/** Evaluates entries of expressions of one model; sequence indices are cached per binding. */
export class EntriesEvaluator {
  private readonly domain: EntriesDomain;
  /** unfold: values defined entrywise are written out by their equations (src/symbolic/definitions.ts) */
  /** sessions: those of the canonicalizer whose memos the activations' index is kept beside */
  constructor(sm: SymbolicModel, unfold = false, sessions = new MemoSessions()) {
    this.domain = new EntriesDomain(sm, unfold, sessions);
  }
  entries(e: Expr, env: IntEnv): CPoly {
    return new ExactEvaluator(this.domain, env).evaluate(e).data[0]!;
  }
}
