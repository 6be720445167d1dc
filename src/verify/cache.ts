/**
 * `verify --cache`: a file's check outcome kept on disk, keyed by everything it depends on, so a CI run whose
 * derivation files did not change answers from the cache instead of checking them again (as `eslint --cache` and
 * `tsc --incremental` do). A check is deterministic: seeded draws, no clock, no environment. Its outcome is a
 * function of
 *   - the file's path (results name it) and its bytes: any edit, to one claim or the model, misses;
 *   - the request (seed, instances, search budgets, repair budget);
 *   - the code that checks it: a hash of every module of the running build (the bundle, or dist/ or src/ with
 *     the lockfile beside the package, whose dependencies they load), the V8 version and the architecture
 *     (Math.tanh and friends are V8's own, and could change with it).
 * The fixtures are still compared with the outcome on every run, cached or not, and `--update` writes them from
 * it the same way: the cache saves the checking, never the judging.
 *
 * Entries are V8's serialization (what worker threads hand results over in) of the outcome and its own key, so a
 * renamed or colliding entry is a miss. A corrupt or unreadable entry is a miss too, and is overwritten; an entry
 * is written only when the file still has the bytes it was checked with. The folder is bounded: past
 * MAX_ENTRIES the least recently used entries are deleted.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, type Stats, utimesSync } from 'node:fs';
import { arch } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { CheckRequest } from '../check/check.js';
import type { ClaimResult } from '../check/result.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { FileSnapshot } from './snapshot.js';

/** What checking one file gives `verify`: its snapshot, the claims' results, and the seconds it took. */
export interface Outcome {
  readonly snapshot: FileSnapshot;
  readonly results: ClaimResult[];
  readonly seconds: number;
}

/** Bumped whenever an entry's layout changes: older entries then miss. */
const FORMAT = 1;
/** entries kept at most (the shipped corpus has 9 files; a large corpus a few hundred) */
export const MAX_ENTRIES = 1024;
const ENTRY = /^[0-9a-f]{64}\.bin$/;
/** The folder `--cache` uses when `--cache-dir` does not name one (relative to the working directory). */
export const DEFAULT_CACHE_DIR = '.gradproof-cache';

const sha256 = (...parts: (string | Uint8Array)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

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

/**
 * A hash of the code that checks: every module of the running build by its path and bytes, the lockfile of the
 * package it lies in (the dependencies dist/ and src/ load; the bundle carries its own), V8 and the architecture.
 * Computed once per process.
 */
export function codeIdentity(): string {
  if (identity !== null) return identity;
  const root = codeRoot();
  const h = createHash('sha256');
  h.update(`format ${FORMAT}\0v8 ${process.versions.v8}\0${arch()}\0`);
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

/** The request as text, its keys sorted (the progress hook is not part of what is checked). */
function requestText(request: CheckRequest): string {
  const { onClaim: _progress, ...rest } = request;
  return JSON.stringify(rest, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

interface Entry {
  readonly key: string;
  readonly outcome: Outcome;
}

/** How the cache answered one run: files answered from it, and files checked (and stored). */
export interface CacheUse {
  readonly dir: string;
  readonly hits: number;
  readonly misses: number;
}

export class VerifyCache {
  private hits = 0;
  private misses = 0;

  constructor(
    readonly dir: string,
    private readonly code: string = codeIdentity(),
  ) {}

  /** The key of checking `file`, whose bytes are `bytes`, with `request`. */
  keyFor(file: string, bytes: Uint8Array, request: CheckRequest): string {
    return sha256(`gradproof verify ${FORMAT}`, this.code, file, sha256(bytes), requestText(request));
  }

  private path(key: string): string {
    return join(this.dir, `${key}.bin`);
  }

  /** The outcome stored under `key`, or null (absent, corrupt, or another key's). */
  read(key: string): Outcome | null {
    const path = this.path(key);
    let entry: Entry;
    try {
      entry = deserialize(readFileSync(path)) as Entry;
    } catch {
      this.misses++;
      return null;
    }
    if (!entry || entry.key !== key || !entry.outcome?.snapshot || !Array.isArray(entry.outcome.results)) {
      this.misses++;
      return null;
    }
    this.hits++;
    // the entry's use, for the least-recently-used bound
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // a read-only cache still answers
    }
    return entry.outcome;
  }

  /**
   * Stores `outcome` under `key`, when `file` still has the bytes the key was made from (it may have been edited
   * while it was checked). A cache that cannot be written is no error: the run's results stand without it.
   */
  write(key: string, file: string, bytes: Uint8Array, outcome: Outcome): void {
    try {
      if (!Buffer.from(bytes).equals(readFileSync(file))) return;
      mkdirSync(this.dir, { recursive: true });
      writeFileAtomic(this.path(key), serialize({ key, outcome } satisfies Entry));
    } catch {
      // not written: the next run checks the file again
    }
  }

  /** Deletes the least recently used entries past MAX_ENTRIES (or `keep`). */
  prune(keep = MAX_ENTRIES): void {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => ENTRY.test(n));
    } catch {
      return;
    }
    if (names.length <= keep) return;
    const dated = names
      .map((n) => {
        let st: Stats | undefined;
        try {
          st = statSync(join(this.dir, n));
        } catch {
          // deleted meanwhile (another run pruning): nothing to do
        }
        return { n, t: st?.mtimeMs ?? 0 };
      })
      .sort((a, b) => b.t - a.t || (a.n < b.n ? -1 : 1));
    for (const { n } of dated.slice(keep)) rmSync(join(this.dir, n), { force: true });
  }

  use(): CacheUse {
    return { dir: this.dir, hits: this.hits, misses: this.misses };
  }
}
