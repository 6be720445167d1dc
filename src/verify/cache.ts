/**
 * `verify --cache`: what checking a file gives `verify` — each claim's result and snapshot, and the file's derived
 * forms — kept on disk part by part, keyed by everything the part depends on, so a CI run answers from the cache
 * for what did not change instead of checking it again (as `eslint --cache` and `tsc --incremental` do). A check
 * is deterministic: seeded draws (instances by master seed and index, not by claim), no clock, no environment;
 * and a claim's outcome does not depend on the other claims of its file (test/verify/verify.test.ts checks that
 * claims spread over workers give what one thread gives). So a claim's part depends on
 *   - the file's path (results name it), and its text outside the `claims:` list (model, notation,
 *     definitions, …), and the text of the list item the claim comes from (a chain's steps share one);
 *   - the request (seed, instances, search budgets, repair budget);
 *   - the code that checks it: a hash of every module of the running build (the bundle, or dist/ or src/ with
 *     the lockfile beside the package, whose dependencies they load), the installed version of every declared
 *     dependency (KaTeX loads from node_modules even in the bundle), the V8 version and the architecture
 *     (Math.tanh and friends are V8's own, and could change with it), and the collation locale.
 * No result carries a source position (a claim that fails with a located error fails the run and is never
 * stored), so moving a claim, or editing another, leaves its part current. A file whose YAML has aliases (an
 * item could then read another's text) or cannot be split into items keys every claim by the whole file's bytes;
 * the derived forms are always keyed by them.
 * The fixtures and the README are still compared with every outcome, cached or not, and `--update` writes them
 * from it the same way: the cache saves the checking, never the judging.
 *
 * Entries are V8's serialization (what worker threads hand results over in) of the part and its own key, so a
 * renamed or colliding entry is a miss. A corrupt or unreadable entry is a miss too, and is overwritten; a file's
 * parts are written only when the file still has the text they were checked with, and verify's workers refuse to
 * check other text than the main thread read (./worker.ts). The folder is bounded: past MAX_ENTRIES the least
 * recently used entries are deleted.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { arch } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { isMap, isSeq, parseDocument, visit } from 'yaml';
import type { CheckRequest } from '../check/check.js';
import type { ClaimResult } from '../check/result.js';
import type { Claim } from '../derivation/derivation.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { ClaimSnapshot, FileSnapshot } from './snapshot.js';

/** One part of a file's outcome, with the seconds checking it took. */
export type Part =
  | { readonly kind: 'claim'; readonly result: ClaimResult; readonly snapshot: ClaimSnapshot; readonly seconds: number }
  | { readonly kind: 'derived'; readonly derived: FileSnapshot['derived']; readonly seconds: number };

/** The cache keys of one file's parts. */
export interface FileKeys {
  readonly derived: string;
  /** by claim id */
  readonly claims: ReadonlyMap<string, string>;
}

/** Bumped whenever an entry's layout changes: older entries then miss. */
const FORMAT = 2;
/** entries kept at most (one per claim and one per file: the shipped corpus has 222) */
export const MAX_ENTRIES = 4096;
const ENTRY = /^[0-9a-f]{64}\.bin$/;
/** what src/io/atomic-write.ts names an entry while it is written */
const TEMPORARY = /^\.[0-9a-f]{64}\.bin\.\d+\.\d+\.tmp$/;
/** The folder `--cache` uses when `--cache-dir` does not name one (relative to the working directory). */
export const DEFAULT_CACHE_DIR = '.gradproof-cache';

const sha256 = (...parts: (string | Uint8Array)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

/** A file's text as a digest: what verify's workers compare with the text the main thread read (./pool.ts Task). */
export const textDigest = (text: string): string => sha256(text);

/**
 * The root of the running build: dist/bundle/ when running from the bundle (every module is there), else the
 * folder above this module's (dist/ or src/).
 */
function codeRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return basename(here) === 'bundle' ? here : dirname(here);
}

function modulesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(c|m)?(js|ts)$/.test(entry.name)) out.push(path);
    }
  };
  walk(root);
  // code-unit order, so the hash does not depend on the file system's listing order
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

let identity: string | null = null;

interface Manifest {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** A package.json's fields, or null where there is none or it does not read. */
function manifestOf(path: string): Manifest | null {
  try {
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Manifest) : null;
  } catch {
    return null;
  }
}

/**
 * The version of every dependency the package declares, as this process would load it: the bundle carries most of
 * them, but some are loaded at run time from node_modules (KaTeX, for `latex:` claims), and an installed package
 * has no lockfile to name them.
 */
export function dependencyVersions(root: string): string {
  // the package's own manifest: the first package.json above the code that names gradproof
  let manifest: string | null = null;
  for (let dir = root, up = 0; up < 4 && manifest === null; dir = dirname(dir), up++) {
    const path = join(dir, 'package.json');
    if (manifestOf(path)?.name === 'gradproof') manifest = path;
  }
  if (manifest === null) return 'no package.json\0';
  const declared = Object.keys(manifestOf(manifest)?.dependencies ?? {}).sort();
  return declared
    .map((name) => {
      // where Node looks: node_modules/<name> in the package's folder and every folder above it
      for (let dir = dirname(manifest); ; dir = dirname(dir)) {
        const path = join(dir, 'node_modules', name, 'package.json');
        if (existsSync(path)) return `${name}@${manifestOf(path)?.version ?? 'unreadable'}\0`;
        if (dir === dirname(dir)) return `${name}@absent\0`;
      }
    })
    .join('');
}

/**
 * A hash of the code that checks: every module of the running build by its path and bytes, the lockfile of the
 * package it lies in (the dependencies dist/ and src/ load; the bundle carries its own), V8 and the architecture.
 * Computed once per process.
 */
export function codeIdentity(): string {
  if (identity !== null) return identity;
  const root = codeRoot();
  const h = createHash('sha256');
  // The collation locale orders names where the code compares them with localeCompare (the sizes a counterexample
  // is shrunk in, src/check/check-claim.ts).
  h.update(`format ${FORMAT}\0v8 ${process.versions.v8}\0${arch()}\0${new Intl.Collator().resolvedOptions().locale}\0`);
  h.update(dependencyVersions(root));
  for (const file of modulesUnder(root)) h.update(relative(root, file)).update('\0').update(readFileSync(file));
  for (let dir = dirname(root), up = 0; up < 3; dir = dirname(dir), up++) {
    const lock = join(dir, 'package-lock.json');
    if (existsSync(lock)) {
      h.update('lock\0').update(readFileSync(lock));
      break;
    }
  }
  return (identity = h.digest('hex'));
}

/** How a field set to undefined is written in a request's text (no JSON value is this string's object). */
const UNDEFINED = { undefined: true };

/**
 * The request as text, its keys sorted. Not part of it: the progress hook, and the claims selected (a claim's result
 * is the one it gets alone: bench/order-audit.mjs checks every shipped claim so).
 */
function requestText(request: CheckRequest): string {
  const { onClaim: _progress, claims: _selected, ...rest } = request;
  // A field set to undefined is no absent field: `{ ...defaults, ...request }` lets it replace the default.
  return JSON.stringify(rest, (_key, value: unknown) =>
    value === undefined
      ? UNDEFINED
      : value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : value,
  );
}

/**
 * The file's text outside its `claims:` list, and each item's text with where it starts and ends; null when the
 * YAML has an alias (an item could read another part's text), errors, or no `claims:` list.
 */
function claimItems(text: string): { context: string; items: { start: number; end: number; text: string }[] } | null {
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: true });
  } catch {
    return null;
  }
  if (doc.errors.length || !isMap(doc.contents)) return null;
  let aliased = false;
  visit(doc, {
    Alias: () => {
      aliased = true;
      return visit.BREAK;
    },
  });
  const list = doc.contents.get('claims', true);
  if (aliased || !isSeq(list) || !list.range) return null;
  const items: { start: number; end: number; text: string }[] = [];
  for (const item of list.items) {
    const range = (item as { range?: [number, number, number] } | null)?.range;
    if (!range) return null;
    items.push({ start: range[0], end: range[2], text: text.slice(range[0], range[2]) });
  }
  return { context: text.slice(0, list.range[0]) + '\0claims\0' + text.slice(list.range[2]), items };
}

/** The offset of a 1-based line and column (the loader's positions: UTF-16 code units, lines split at \n). */
function offsetOf(text: string, line: number, col: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', at);
    if (next < 0) return -1;
    at = next + 1;
  }
  return at + col - 1;
}

interface Entry {
  readonly key: string;
  readonly part: Part;
}

/** How the cache answered one run, in parts: claims, and files' derived forms. */
export interface CacheUse {
  readonly dir: string;
  readonly claims: { readonly answered: number; readonly checked: number };
  readonly derived: { readonly answered: number; readonly checked: number };
}

export class VerifyCache {
  private readonly use_ = { claims: { answered: 0, checked: 0 }, derived: { answered: 0, checked: 0 } };

  constructor(
    readonly dir: string,
    private readonly code: string = codeIdentity(),
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /** The keys of the parts of `file`, whose text is `text` and whose claims (as loaded from it) are `claims`. */
  keysFor(file: string, text: string, claims: readonly Pick<Claim, 'id' | 'pos'>[], request: CheckRequest): FileKeys {
    const whole = sha256(text);
    const asked = requestText(request);
    const split = claimItems(text);
    const itemOf = (claim: Pick<Claim, 'pos'>) => {
      const at = offsetOf(text, claim.pos.line, claim.pos.col);
      return split?.items.find((item) => item.start <= at && at < item.end) ?? null;
    };
    // every claim in an item, or none split: a claim outside every item would be keyed by less than it reads
    const items = split && claims.every((c) => itemOf(c) !== null) ? claims.map(itemOf) : null;
    const context = items ? sha256(split!.context) : null;
    return {
      derived: sha256(`gradproof verify ${FORMAT} derived`, this.code, file, whole),
      claims: new Map(
        claims.map((c, k) => [
          c.id,
          items
            ? sha256(`gradproof verify ${FORMAT} claim`, this.code, file, context!, sha256(items[k]!.text), c.id, asked)
            : sha256(`gradproof verify ${FORMAT} claim of the whole file`, this.code, file, whole, c.id, asked),
        ]),
      ),
    };
  }

  private path(key: string): string {
    return join(this.dir, `${key}.bin`);
  }

  /** The part stored under `key`, or null (absent, corrupt, or another key's). */
  read(key: string, kind: Part['kind']): Part | null {
    const tally = kind === 'claim' ? this.use_.claims : this.use_.derived;
    const path = this.path(key);
    let entry: Entry;
    try {
      entry = deserialize(readFileSync(path)) as Entry;
    } catch {
      tally.checked++;
      return null;
    }
    if (!entry || entry.key !== key || entry.part?.kind !== kind) {
      tally.checked++;
      return null;
    }
    tally.answered++;
    // the entry's use, for the least-recently-used bound
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // a read-only cache still answers
    }
    return entry.part;
  }

  /**
   * Stores a file's checked parts, when `file` still has the text their keys were made from (it may have been
   * edited while it was checked; the workers read it again). A cache that cannot be written is no error: the run's
   * results stand without it.
   */
  write(file: string, text: string, parts: readonly (readonly [string, Part])[]): void {
    try {
      if (!parts.length || readFileSync(file, 'utf8') !== text) return;
      mkdirSync(this.dir, { recursive: true });
      for (const [key, part] of parts) writeFileAtomic(this.path(key), serialize({ key, part } satisfies Entry));
    } catch {
      // not written: the next run checks these parts again
    }
  }

  /**
   * Deletes the least recently used entries past the bound, and temporary files a killed write left (an hour
   * old). Only names this cache writes are touched; what cannot be deleted stays, without error.
   */
  prune(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const modified = (n: string) => {
      try {
        const st = statSync(join(this.dir, n));
        return st.isFile() ? st.mtimeMs : null;
      } catch {
        return null; // deleted meanwhile (another run pruning)
      }
    };
    const remove = (n: string) => {
      try {
        rmSync(join(this.dir, n), { force: true });
      } catch {
        // a read-only folder, or a folder in an entry's place: left as it is
      }
    };
    const stale = Date.now() - 3600_000;
    for (const n of names.filter((n) => TEMPORARY.test(n))) if ((modified(n) ?? Infinity) < stale) remove(n);
    const entries = names.filter((n) => ENTRY.test(n));
    if (entries.length <= this.maxEntries) return;
    const dated = entries
      .map((n) => ({ n, t: modified(n) }))
      .filter((e): e is { n: string; t: number } => e.t !== null)
      .sort((a, b) => b.t - a.t || (a.n < b.n ? -1 : 1));
    for (const { n } of dated.slice(this.maxEntries)) remove(n);
  }

  use(): CacheUse {
    return {
      dir: this.dir,
      claims: { ...this.use_.claims },
      derived: { ...this.use_.derived },
    };
  }
}
