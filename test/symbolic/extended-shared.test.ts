/**
 * Forward steps shared across claims on one instance (src/symbolic/domains/extended.ts): a claim that finds a
 * step another claim simulated replays its trail, paying the same charges to its own budget, storing the same
 * values and failing at the same step. Its outcome must be the one it gets alone, budget failures included.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDerivation } from '../../src/derivation/load.js';
import { affine } from '../../src/ir/affine.js';
import { seq } from '../../src/ir/expr.js';
import { DomainError, Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, type Instance, instanceSpec } from '../../src/numeric/instance.js';
import { asDense } from '../../src/numeric/values.js';
import {
  DECIMALS,
  type ExtendedArithmetic,
  ExtendedInstance,
  shareForwardStepsUpTo,
  WIDE_FLOATS,
} from '../../src/symbolic/domains/extended.js';
import { SymbolicUnsupported } from '../../src/symbolic/unsupported.js';

const lab = parseDerivation(readFileSync('derivations/lab-10-5-solution.yaml', 'utf8'), 'lab.yaml');
const T = 6;
const instance = buildInstance(lab.model, instanceSpec(lab.model, 20261203, 0, undefined, { d: 3, m: 2, T }));
const evaluator = new Evaluator(instance.graph, instance.sizes);

/** A claim's extended evaluator on `data` (the instance's own, or a copy with an identity of its own: nothing shared). */
function claimOn<R>(arithmetic: ExtendedArithmetic<R>, data = instance.graph.data): ExtendedInstance<R> {
  return new ExtendedInstance(
    arithmetic,
    lab.model,
    instance.sizes,
    data,
    () => {
      throw new SymbolicUnsupported('no derivatives here');
    },
    (e, env) => {
      try {
        const v = asDense(evaluator.evaluate(e, env)).data;
        return v.every(Number.isFinite) ? { value: v, lost: 0 } : null;
      } catch (err) {
        if (err instanceof DomainError) return null;
        throw err;
      }
    },
  );
}

const fresh = (i: Instance) => ({ ...i.graph.data });

/**
 * What a claim sees reading s, hl and h at T, then at 1..T (after a budget failure, what it kept): each value's
 * text and the work used until then, or the error.
 */
function observe<R>(ext: ExtendedInstance<R>): string[] {
  const seen: string[] = [];
  let failed = false;
  for (const t of [T, ...Array.from({ length: T }, (_, i) => i + 1)])
    for (const name of ['s', 'hl', 'h'])
      try {
        const v = ext.evaluate(seq(name, affine(t)), {});
        seen.push(`${name}[${t}] ${v.data.map((x) => ext.ring.key(x)).join(' ')} ${failed ? 'kept' : ext.workUsed}`);
      } catch (err) {
        if (!(err instanceof SymbolicUnsupported)) throw err;
        failed = true;
        seen.push(`${name}[${t}] ${err.message}`);
      }
  return seen;
}

/** The claim simulating every step itself, charged as it goes (nothing shared: the behaviour trails must replay). */
function unshared<T>(run: () => T): T {
  const previous = shareForwardStepsUpTo(0);
  try {
    return run();
  } finally {
    shareForwardStepsUpTo(previous);
  }
}

describe('shared forward steps', () => {
  for (const base of [DECIMALS, WIDE_FLOATS] as ExtendedArithmetic<unknown>[]) {
    it(`${base.name}: charges replayed equal charges paid, values equal`, () => {
      const data = fresh(instance);
      const first = claimOn(base, data);
      first.evaluate(seq('hl', affine(T)), {});
      const paid = first.workUsed;
      expect(paid).toBeGreaterThan(0);
      // a second claim on the same data replays every step the first recorded
      const second = claimOn(base, data);
      const v = second.evaluate(seq('hl', affine(T)), {});
      expect(second.workUsed).toBe(paid);
      // and equals a claim that simulates every step itself, charged as it goes
      const alone = unshared(() => claimOn(base, fresh(instance)));
      const w = alone.evaluate(seq('hl', affine(T)), {});
      expect(alone.workUsed).toBe(paid);
      expect(v.data.map((x) => base.plain.key(x))).toEqual(w.data.map((x) => base.plain.key(x)));
      expect(observe(claimOn(base, data))).toEqual(observe(unshared(() => claimOn(base, fresh(instance)))));
    });

    it(`${base.name}: a claim's budget failure and what it kept are the same alone and after another claim`, () => {
      const full = claimOn(base, fresh(instance));
      full.evaluate(seq('hl', affine(T)), {});
      const total = full.workUsed;
      // every limit from none of the steps to all of them, landing inside steps and between equations
      const limits = new Set<number>();
      for (let l = 0; l <= total + 1; l += Math.max(1, Math.floor(total / 53))) limits.add(l);
      for (const l of [total - 1, total, 1]) limits.add(l);
      for (const limit of limits) {
        const limited: ExtendedArithmetic<unknown> = { ...base, workLimit: limit };
        const alone = observe(unshared(() => claimOn(limited, fresh(instance))));
        // the shared steps filled by an unlimited claim (all of them)
        const data = fresh(instance);
        claimOn(base, data).evaluate(seq('hl', affine(T)), {});
        const after = observe(claimOn(limited, data));
        expect(after, `limit ${limit}`).toEqual(alone);
        // a limited claim recording them itself, and a second one after it (its partial recording)
        const data2 = fresh(instance);
        expect(observe(claimOn(limited, data2)), `limit ${limit}, recording`).toEqual(alone);
        expect(observe(claimOn(limited, data2)), `limit ${limit}, twice`).toEqual(alone);
      }
      expect([...limits].some((l) => l < total)).toBe(true);
    });
  }
});
