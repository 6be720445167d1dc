/**
 * `--work-limit`: the operations one claim's check (or one plot) may do before it is stopped as an error — shared by
 * every command that evaluates claims, so each reads and refuses it the same way.
 */
import { LIMITS } from '../ir/limits.js';
import { UsageError } from './output.js';

/** The most `--work-limit` may allow: ≈ 80 minutes of one claim's check (≈ 5 ns an operation). */
const MAX_WORK_LIMIT = 1e12;

/** A claim's operations, written as an integer or in e-notation (5e9), from 1 to MAX_WORK_LIMIT. */
function workLimitOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\s*\d+(\.\d+)?(e\+?\d+)?\s*$/i.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_WORK_LIMIT)
    throw new UsageError(`--work-limit takes a whole number of operations from 1 to 1e12 (e.g. 5e9), got '${v}'`);
  return n;
}

/** The option for a command that checks claims (`subject`: what the limit applies to, in the help's words). */
export const workLimitOption = (subject = "one claim's check") =>
  ({
    type: 'string',
    describe: `operations ${subject} may do before it is stopped as an error (float64 multiply-adds; default ${LIMITS.claimOperations.toExponential()}, ≈ 100 s)`,
    coerce: workLimitOf,
  }) as const;
