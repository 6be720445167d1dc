/**
 * Aiming the search with the symbolic engine: the true closed forms of the
 * derivatives a claim names (from the model's equations) contain the factors
 * a slip usually drops — σ′ as diag(σ ⊙ (1 − σ)), diag(f), diag(1 − h²) —
 * so those are the factors an insertion proposes, and the activations the
 * model applies to a sequence value are the ones a wrap proposes.
 */
import type { Claim, Derivation } from '../derivation/derivation.js';
import { type Expr, intVarsOf, isOp, node, walk } from '../ir/expr.js';
import { keptTextPrinter, printExpr } from '../ir/print.js';
import { specOf } from '../ops/index.js';
import { isGraphDerivative, SymbolicModel } from '../symbolic/derive.js';
import { SymbolicUnsupported } from '../symbolic/unsupported.js';
import { chainFactors } from './tree.js';
import type { EditContext } from './edits.js';

function unique(xs: readonly Expr[]): Expr[] {
  const seen = new Map<string, Expr>();
  for (const x of xs) if (!seen.has(printExpr(x))) seen.set(printExpr(x), x);
  return [...seen.values()];
}

export function editContext(d: Derivation, claim: Claim, text: (e: Expr) => string = keptTextPrinter()): EditContext {
  const freeInts = new Set([...Object.keys(d.model.sizes), ...claim.forall.map((q) => q.name)]);
  const closed = (x: Expr) => [...intVarsOf(x)].every((v) => freeInts.has(v));
  const sm = new SymbolicModel(d.model, 'atom');
  const factors: Expr[] = [];
  const entries: Expr[] = [];
  for (const side of [claim.lhs, claim.rhs])
    walk(side, (x) => {
      if (isGraphDerivative(x)) {
        let form: Expr;
        try {
          form = sm.derive(x);
        } catch (err) {
          if (err instanceof SymbolicUnsupported) return;
          throw err;
        }
        walk(form, (y) => {
          if (!isOp(y, 'mul')) return;
          for (const f of chainFactors(y, 'mul'))
            if (isOp(f, 'diag', 'dact')) {
              factors.push(f);
              if (isOp(f, 'diag')) entries.push(f.args[0]!, ...chainFactors(f.args[0]!, 'emul'));
            }
        });
        if (isOp(form, 'diag')) entries.push(form.args[0]!, ...chainFactors(form.args[0]!, 'emul'));
      }
      // ∂y/∂w at one unit: the activation derivative of y there (σ_y′) is the factor texts drop.
      if (isOp(x, 'd')) factors.push(node('dact', [x.args[0]!]));
    });
  const wraps = new Map<string, { op: string; name: string }>();
  for (const eq of d.model.equations)
    walk(eq.rhs, (x) => {
      const arg = x.kind === 'op' && x.args.length === 1 ? x.args[0]! : null;
      if (x.kind === 'op' && specOf(x).activation && arg?.kind === 'seq')
        wraps.set(`${x.op}|${arg.name}`, { op: x.op, name: arg.name });
    });
  return {
    model: d.model,
    relation: claim.relation,
    freeInts,
    aimFactors: unique(factors.filter(closed)),
    aimEntries: unique(entries.filter(closed)),
    wraps: [...wraps.values()],
    sides: { lhs: claim.lhs, rhs: claim.rhs },
    text,
  };
}
