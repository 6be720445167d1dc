/**
 * The work one claim's check does, counted as it is done, across everything it runs: its drawn instances, the
 * adversarial search's hundreds, the cross-checks and the extended-precision looks. The static budgets
 * (src/derivation/budgets.ts) bound what one evaluation of a side may ask for, but not how often a check evaluates
 * it, nor what a value costs in decimals: `norm2(prod(i, 1, 20000, W)) <= norm2(W)^20000` passed them and ran for
 * 200 s in 2.6 GB (its search decided agreements again in 40-digit decimals), `normF(jac(h[T], W))` at d = 256 past
 * 120 s in 3 GB, `norm2(prod(i, 1, k, jac(h[T-i+1], h[T-i])))` over k at T = 2000 past 120 s in 9 GB.
 *
 * Units are float64 multiply-adds; the kernels charge what they do (a product r·k·c, a matrix–vector product r·c,
 * a value's entries where it is made, a factorization n³), the extended arithmetics their products at what one
 * costs in time against a float's (src/symbolic/domains/extended.ts). Counting, not timing: the same check stops at
 * the same operation on any machine and under any load, so a verdict never depends on the machine's speed.
 */

/** A check that did more work than its limit (thrown from whichever kernel charged the unit past it). */
export class WorkLimitExceeded extends Error {
  constructor(
    /** the limit of the scope that was exceeded */
    readonly limit: number,
  ) {
    super(`more than ${limit.toPrecision(3)} operations`);
    this.name = 'WorkLimitExceeded';
  }
}

/** Units charged since the outermost open scope began (scopes remember where they began; none open: not counted). */
let spent = 0;
/** Scopes open. */
let depth = 0;
/** The count at which the innermost scope's limit is exceeded (Infinity: no scope open). */
let stopAt = Infinity;
/** That scope's limit, for the error. */
let stopLimit = Infinity;

/** Charges `units` of work; throws once the innermost scope's limit is passed (and at every charge after it). */
export function chargeWork(units: number): void {
  if (depth === 0) return;
  spent += units;
  if (spent > stopAt) throw new WorkLimitExceeded(stopLimit);
}

/**
 * Work about to be done that costs at least `units`: where the innermost scope's limit cannot take it, the scope is
 * exceeded now, before any of it is done, its count set just past the limit — where the work would have passed it,
 * not by what was never done. Otherwise nothing is charged here: the work charges itself as it is done. (A walk of
 * 10⁶ factors at the limit's edge ran for seconds and kept its partial results before the meter stopped it.)
 */
export function needWork(units: number): void {
  if (depth === 0 || spent + units <= stopAt) return;
  spent = Math.max(spent, stopAt + 1);
  throw new WorkLimitExceeded(stopLimit);
}

/** What `fn` cost, and whether it passed its limit (its WorkLimitExceeded is caught, and any caught inside it too). */
export interface Metered<T> {
  readonly value: T | undefined;
  readonly spent: number;
  readonly exceeded: boolean;
}

/**
 * Runs `fn` with at most `limit` units of work (inside any enclosing scope's: the nearer stop applies). A scope
 * is exceeded when its count passes the limit, even if something inside caught the error and went on (a catch
 * that turns a failure into a point's trouble): its value is then dropped, so nothing decided past the limit counts.
 */
export function withWorkLimit<T>(limit: number, fn: () => T): Metered<T> {
  if (depth++ === 0) spent = 0;
  const [outerStop, outerLimit, start] = [stopAt, stopLimit, spent];
  const ownStop = start + limit;
  if (ownStop <= stopAt) [stopAt, stopLimit] = [ownStop, limit];
  let value: T | undefined;
  try {
    value = fn();
  } catch (err) {
    if (!(err instanceof WorkLimitExceeded) || spent <= ownStop) throw err;
  } finally {
    [stopAt, stopLimit] = [outerStop, outerLimit];
    depth--;
  }
  const exceeded = spent > ownStop;
  // the enclosing scope's limit passed too: its own error, raised where it would have been
  if (spent > stopAt) throw new WorkLimitExceeded(stopLimit);
  return { value: exceeded ? undefined : value, spent: spent - start, exceeded };
}
