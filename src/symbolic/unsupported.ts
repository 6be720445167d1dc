import { LIMITS } from '../ir/limits.js';

/** The symbolic engine has no closed form or exact expansion for something: an `undecided`, never a verdict. */
export class SymbolicUnsupported extends Error {
  constructor(message?: string) {
    // A signal its caller falls back on (thousands per verify), never shown with a stack: capturing one cost more
    // than the rest of the throw.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** An exact expansion would exceed its size limit: a randomized identity test can still decide. */
export class ExpansionTooLarge extends SymbolicUnsupported {}

/** Term products the exact engines may still spend on the claim being checked (none counted outside a check). */
let remaining = Infinity;

/**
 * Runs one claim's exact check within LIMITS.exactWork products of terms
 * (polynomials, words): an expansion that would take longer, such as a
 * product of thousands of diagonals, is undecided there instead of running on.
 */
export function withExactBudget<T>(run: () => T): T {
  const outer = remaining;
  remaining = LIMITS.exactWork;
  try {
    return run();
  } finally {
    remaining = outer;
  }
}

/**
 * `run` with at most `limit` of the running check's products (fewer if fewer remain): a side attempt that may
 * fail is not let spend the check's whole budget. What it spent is taken from the check's (all of `limit` when
 * it ran out); past `limit` it throws like the budget itself.
 */
export function withinExactWork<T>(limit: number, run: () => T): T {
  const outer = remaining;
  const start = Math.min(outer, limit);
  remaining = start;
  try {
    return run();
  } finally {
    // An attempt that ran out has spent all it was allowed.
    remaining = outer - (start - Math.max(0, remaining));
  }
}

/**
 * Where charges are also written down: the record of the shared memo entry being computed (costed-memo.ts),
 * so that a later claim reading the entry can be charged the same work.
 */
let chargeLog: ChargeLog | null = null;

export interface ChargeLog {
  charged(products: number): void;
}

/** Runs `compute` with every charge it makes also written to `log` (null: to none); the previous log is restored. */
export function withChargeLog<T>(log: ChargeLog | null, compute: () => T): T {
  const outer = chargeLog;
  chargeLog = log;
  try {
    return compute();
  } finally {
    chargeLog = outer;
  }
}

/** Charges `products` term products to the running check's budget. */
export function chargeExactWork(products: number): void {
  chargeLog?.charged(products);
  spendExactWork(products);
}

/** Charges without writing the charge down: a memo entry's recorded work, charged again. */
export function spendExactWork(products: number): void {
  remaining -= products;
  if (remaining < 0)
    throw new SymbolicUnsupported(`the exact expansion takes more than ${LIMITS.exactWork} products of terms`);
}

/** Products still allowed to the running check (Infinity outside one): a cache reads how much an entry cost. */
export const remainingExactWork = (): number => remaining;
