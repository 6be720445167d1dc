/**
 * Integer options (--seed, --instances, --jobs, …): one parser, its accepted range stated in its error (`--seed takes
 * an integer ≥ 0` said nothing of the largest seed, 2^53 − 1, which it refused: a review found it).
 */
import { UsageError } from './output.js';

/** Run-size options are bounded too, so that no command line can ask for unbounded work. */
const RUN_LIMITS: ReadonlyMap<string, number> = new Map([
  ['instances', 10_000],
  ['search', 1_000_000],
  ['beyond', 1_000_000],
]);

export const integer = (name: string, min: number) => (v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  const max = RUN_LIMITS.get(name) ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(
      `--${name} takes an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? `${max} (2^53 − 1)` : max}, got '${v}'`,
    );
  return n;
};
