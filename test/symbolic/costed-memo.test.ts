/**
 * A memo shared by claims charges each claim (each session) what a fresh memo would have charged it: the
 * same exact work when it finishes, a refusal at the same read when its budget runs out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/ir/limits.js';
import { CostedMemo, MemoSessions } from '../../src/symbolic/costed-memo.js';
import {
  chargeExactWork,
  remainingExactWork,
  SymbolicUnsupported,
  withExactBudget,
} from '../../src/symbolic/unsupported.js';

/** An entry's computation: charges, and reads of entries with smaller ids (a DAG), in order. */
type Step = { readonly charge: number } | { readonly read: number };

/** Reads `keys` in one session of `memo`: the work charged, or the position of the read the budget refused. */
function session(memo: CostedMemo<string>, programs: readonly Step[][], keys: readonly number[]) {
  const get = (id: number): string =>
    memo.through(`e${id}`, () => {
      let value = `v${id}`;
      for (const step of programs[id]!)
        if ('charge' in step) chargeExactWork(step.charge);
        else value += `(${get(step.read)})`;
      return value;
    });
  return withExactBudget(() => {
    const values: string[] = [];
    for (let i = 0; i < keys.length; i++)
      try {
        values.push(get(keys[i]!));
      } catch (err) {
        if (!(err instanceof SymbolicUnsupported)) throw err;
        return { refusedAt: i, values };
      }
    return { spent: LIMITS.exactWork - remainingExactWork(), values };
  });
}

function freshSession(programs: readonly Step[][], keys: readonly number[]) {
  const sessions = new MemoSessions();
  sessions.begin();
  return session(new CostedMemo<string>(sessions), programs, keys);
}

describe('costed memo', () => {
  const programs: Step[][] = [
    [{ charge: 3 }], // e0
    [{ charge: 5 }, { read: 0 }, { charge: 2 }], // e1 = 5 + e0 + 2
    [{ read: 1 }, { read: 0 }, { charge: 1 }], // e2 = e1 + 1 (e0 already read)
  ];

  it('charges an entry computed in an earlier session again, its children once, as a fresh memo would', () => {
    const sessions = new MemoSessions();
    const memo = new CostedMemo<string>(sessions);
    sessions.begin();
    expect(session(memo, programs, [2])).toEqual({ spent: 11, values: ['v2(v1(v0))(v0)'] });
    sessions.begin();
    expect(session(memo, programs, [2, 2, 1])).toEqual(freshSession(programs, [2, 2, 1]));
    // a session pays once for what it read
    expect(session(memo, programs, [2]).spent).toBe(0);
    sessions.begin();
    // the child first: 3, then the rest of e2's work
    expect(session(memo, programs, [0, 2])).toEqual({ spent: 11, values: ['v0', 'v2(v1(v0))(v0)'] });
    // within one session an entry read twice is charged once
    sessions.begin();
    expect(session(memo, programs, [1, 1, 0])).toEqual({ spent: 10, values: ['v1(v0)', 'v1(v0)', 'v0'] });
  });

  it('keeps nothing computed while the budget was spent, and the next session computes it afresh', () => {
    const big: Step[][] = [[{ charge: LIMITS.exactWork }], [{ charge: 1 }, { read: 0 }]];
    const sessions = new MemoSessions();
    const memo = new CostedMemo<string>(sessions);
    sessions.begin();
    expect(session(memo, big, [1])).toEqual({ refusedAt: 0, values: [] });
    sessions.begin();
    expect(session(memo, big, [0])).toEqual({ spent: LIMITS.exactWork, values: ['v0'] });
    sessions.begin();
    expect(session(memo, big, [1])).toEqual({ refusedAt: 0, values: [] });
  });

  it('charges every session what a fresh memo would, whatever earlier sessions read (random DAGs)', () => {
    const dag = fc.integer({ min: 1, max: 8 }).chain((n) =>
      fc.tuple(
        fc.tuple(
          ...Array.from({ length: n }, (_, id) =>
            fc.array(
              id === 0
                ? fc.record({ charge: fc.integer({ min: 0, max: 2_000_000 }) })
                : fc.oneof(
                    fc.record({ charge: fc.integer({ min: 0, max: 2_000_000 }) }),
                    fc.record({ read: fc.integer({ min: 0, max: id - 1 }) }),
                  ),
              { maxLength: 4 },
            ),
          ),
        ),
        fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 5 }), {
          minLength: 1,
          maxLength: 5,
        }),
      ),
    );
    fc.assert(
      fc.property(dag, ([programs, reads]) => {
        const sessions = new MemoSessions();
        const memo = new CostedMemo<string>(sessions);
        for (const keys of reads) {
          sessions.begin();
          expect(session(memo, programs as Step[][], keys)).toEqual(freshSession(programs as Step[][], keys));
        }
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });
});
