/**
 * Compiles a model's equations (and its loss) for concrete sizes into flat op
 * lists over Float64Array values. Each operator's record supplies the kernel
 * that keeps its forward value, its tangent (forward mode, dual numbers
 * carried as value/tangent arrays) and its adjoint (reverse mode) together,
 * so the three stay consistent. No user text is evaluated: ops are built
 * from the typed IR.
 */
import { evalAffine, type IntEnv } from '../ir/affine.js';
import { type Expr, integerValue } from '../ir/expr.js';
import type { ElementwiseRule } from '../ops/elementwise.js';
import { specOf } from '../ops/index.js';
import type { CompileContext, Kernel } from '../ops/contexts.js';
import type { Model } from '../model/model.js';
import { TIME_VAR } from '../model/model.js';
import type { Vec } from './kernel.js';
import { own } from '../ir/names.js';

export type { Vec };

export type Op =
  | { readonly kind: 'param'; readonly name: string }
  /** a sequence value: at t+offset inside an equation, at absolute time `offset` in the loss */
  | { readonly kind: 'seq'; readonly name: string; readonly offset: number }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'kernel'; readonly kernel: Kernel; readonly inputs: readonly number[] };

export interface OpList {
  readonly ops: readonly Op[];
  /** rows/cols of every op's value */
  readonly dims: readonly (readonly [number, number])[];
  /** index of the op that yields the result (always the last) */
  readonly root: number;
}

export interface Program {
  readonly sizes: IntEnv;
  readonly equations: readonly { readonly target: string; readonly list: OpList }[];
  readonly loss: OpList | null;
  readonly dims: ReadonlyMap<string, readonly [number, number]>;
}

export function compileProgram(model: Model, sizes: IntEnv): Program {
  const dims = new Map<string, readonly [number, number]>();
  for (const s of model.symbols.values())
    dims.set(s.name, [evalAffine(s.shape.rows, sizes), evalAffine(s.shape.cols, sizes)]);
  const rules = (name: string): ElementwiseRule => model.functions.get(name)!.rule;
  const equations = model.equations.map((eq) => ({
    target: eq.target,
    list: compileExpr(eq.rhs, dims, sizes, 'relative', rules),
  }));
  const loss = model.loss ? compileExpr(model.loss.rhs, dims, sizes, 'absolute', rules) : null;
  return { sizes, equations, loss, dims };
}

/** Flattens an expression into ops (children first). Ranges in the loss are unrolled for the concrete T. */
function compileExpr(
  expr: Expr,
  dims: Map<string, readonly [number, number]>,
  sizes: IntEnv,
  time: 'relative' | 'absolute',
  userRule: (name: string) => ElementwiseRule,
): OpList {
  const ops: Op[] = [];
  const shapes: (readonly [number, number])[] = [];
  const push = (op: Op, shape: readonly [number, number]): number => {
    ops.push(op);
    shapes.push(shape);
    return ops.length - 1;
  };
  const go = (e: Expr, env: IntEnv): number => {
    switch (e.kind) {
      case 'num':
        return push({ kind: 'const', value: e.value }, [1, 1]);
      case 'ivar':
        return push({ kind: 'const', value: own(env, e.name) ?? own(sizes, e.name)! }, [1, 1]);
      case 'sym':
        return push({ kind: 'param', name: e.name }, dims.get(e.name)!);
      case 'seq': {
        if (time === 'relative' && Object.keys(e.time.terms).some((v) => v !== TIME_VAR))
          throw new Error('equation index must be t+c');
        const offset = time === 'relative' ? e.time.c : evalAffine(e.time, { ...sizes, ...env });
        return push({ kind: 'seq', name: e.name, offset }, dims.get(e.name)!);
      }
      case 'rvar':
        throw new Error('a real variable cannot be compiled into a model equation or loss');
      case 'op': {
        // integer arithmetic (a loss weight's T − t + 1) as the exact number it is: no sum noted as cancelled
        const exact = integerValue(e, (name) => own(env, name) ?? own(sizes, name));
        if (exact !== null) return push({ kind: 'const', value: exact }, [1, 1]);
        const spec = specOf(e);
        if (!spec.compile) throw new Error(`${e.op} cannot be compiled into a model equation or loss`);
        const ctx: CompileContext = {
          env,
          compile: (x, inner = env) => go(x, inner),
          dims: (h) => shapes[h]!,
          push: (kernel, inputs, d) => push({ kind: 'kernel', kernel, inputs }, d),
          constant: (value) => push({ kind: 'const', value }, [1, 1]),
          integerValue: (x) =>
            x.kind === 'num' ? x.value : x.kind === 'ivar' ? (own(env, x.name) ?? own(sizes, x.name) ?? null) : null,
          int: (a, inner = env) => evalAffine(a, { ...sizes, ...inner }),
          userRule,
        };
        return spec.compile(e, ctx);
      }
    }
  };
  const root = go(expr, {});
  return { ops, dims: shapes, root };
}
