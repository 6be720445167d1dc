/**
 * Memos shared by every claim checked against one model, in which each claim pays for an entry what
 * computing it afresh would have cost it.
 *
 * A claim's exact check runs within a budget of exact work (unsupported.ts), and its outcome must not
 * depend on which claims ran before it (test/check/claim-sharing.test.ts, `npm run bench:order`). Claims
 * of a file expand the same forms again (the same gradient at the same times, claim after claim), so the
 * forms are shared, and the budget is kept honest by records: an entry keeps, in order, the work charged
 * while it was computed and the entries it read. A session (one claim's attempt, which used to own a fresh
 * canonicalizer) that reads an entry it has not read before is charged that record again, the entries
 * inside it that it has not read before included, each once, children before the entry — what a fresh
 * memo would have charged when it computed them.
 *
 * Consecutive charges are written down as their sum, so an entry's record is a few items long. Replayed,
 * a budget still runs out inside the same entry and between the same reads as it would afresh; only which
 * of the entry's own term products ran before the refusal differs, and those leave nothing behind. An entry
 * computed while the budget was spent (its value may then be a fallback) is not kept for other claims.
 */
import { type ChargeLog, remainingExactWork, spendExactWork, withChargeLog } from './unsupported.js';

interface Entry<V> {
  readonly value: V;
  readonly record: readonly Item[];
  /** the last session that read (or computed) it */
  seenIn: number;
}

type Item = number | Entry<unknown>;

/** What one entry's computation charged and read, in order. */
class Recording implements ChargeLog {
  readonly items: Item[] = [];
  charged(products: number): void {
    const last = this.items.length - 1;
    const previous = this.items[last];
    if (typeof previous === 'number') this.items[last] = previous + products;
    else this.items.push(products);
  }
  read(entry: Entry<unknown>): void {
    this.items.push(entry);
  }
  /** A computation that failed inside this one: its charges and reads are this one's (a fresh run repeats them). */
  absorb(failed: Recording): void {
    for (const item of failed.items)
      if (typeof item === 'number') this.charged(item);
      else this.read(item);
  }
}

/** The entry being computed, if any: reads and charges are written to its recording. */
let recording: Recording | null = null;

/** Charges a session for an entry as computing it afresh would: its unread children first, then its own work. */
function replay(entry: Entry<unknown>, session: number): void {
  for (const item of entry.record)
    if (typeof item === 'number') spendExactWork(item);
    else if (item.seenIn !== session) replay(item, session);
  entry.seenIn = session;
}

/** Sessions of the memos of one owner: each claim's attempt begins one. */
export class MemoSessions {
  private count = 0;
  current = 0;
  begin(): void {
    this.current = ++this.count;
  }
}

export class CostedMemo<V> {
  private readonly entries = new Map<string, Entry<V>>();
  constructor(private readonly sessions: MemoSessions) {}

  /** The value kept for `key`, or `compute()` kept there (when the budget was not spent computing it). */
  through(key: string, compute: () => V): V {
    const known = this.entries.get(key);
    const session = this.sessions.current;
    if (known) {
      recording?.read(known);
      if (known.seenIn !== session) replay(known, session);
      return known.value;
    }
    const outer = recording;
    const mine = new Recording();
    recording = mine;
    let value: V;
    try {
      value = withChargeLog(mine, compute);
    } catch (err) {
      outer?.absorb(mine);
      throw err;
    } finally {
      recording = outer;
    }
    if (remainingExactWork() < 0) {
      outer?.absorb(mine);
      return value;
    }
    const entry: Entry<V> = { value, record: mine.items, seenIn: session };
    this.entries.set(key, entry);
    outer?.read(entry);
    return value;
  }
}
