/** Checking derivation files: load, check every claim, summarise. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Claim, Derivation } from '../derivation/derivation.js';
import { checkSizeOverrides } from '../derivation/budgets.js';
import { InputError } from '../derivation/errors.js';
import { parseDerivation, readDerivationText } from '../derivation/load.js';
import { type CheckOptions, checkClaim, DEFAULT_OPTIONS, InstancePool } from './check-claim.js';

export { InstancePool };
import type { CheckReport, ClaimResult } from './result.js';
import { DEFAULT_REPAIR_BUDGET, type RepairBudget } from '../repair/result.js';
import { searchRepairs } from '../repair/search.js';

const DERIVATION_EXT = /\.ya?ml$/;

/** Files named on the command line, with folders expanded to their derivation files (sorted). */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new InputError(
        { file: p, line: 1, col: 1 },
        'no such file or folder',
        'a derivation file (.yaml) or a folder of them',
      );
    }
    if (st.isDirectory())
      out.push(
        ...readdirSync(p)
          .filter((f) => DERIVATION_EXT.test(f))
          .sort()
          .map((f) => join(p, f)),
      );
    else out.push(p);
  }
  return out;
}

export interface CheckRequest extends Partial<CheckOptions> {
  /** only the claims with these ids */
  readonly claims?: readonly string[];
  /** called after each claim with how many are done of how many (a progress bar's hook; nothing depends on it) */
  readonly onClaim?: (id: string, done: number, total: number) => void;
  /** search repairs for refuted claims, within this budget (true: the default budget) */
  readonly repair?: boolean | Partial<RepairBudget>;
}

/**
 * Every selected claim of a file. A claim that turns out ill-formed while it is checked (a time index
 * leaving the unrolled graph) is an error of its own: collected when `errors` is given (the other
 * claims are still checked), thrown otherwise — as is a claim the loader could not read. `pool`:
 * instances already built for this derivation (a worker checking its claims in several parts keeps one).
 */
export function checkDerivation(
  derivation: Derivation,
  request: CheckRequest = {},
  errors?: InputError[],
  pool = new InstancePool(derivation),
): ClaimResult[] {
  if (!errors && derivation.claimErrors?.length) throw derivation.claimErrors[0]!;
  const options: CheckOptions = { ...DEFAULT_OPTIONS, ...request };
  checkSizeOverrides(derivation, options.sizeOverrides ?? {});
  if (pool.derivation !== derivation) throw new Error('an instance pool serves the derivation it was built for');
  const selected = selectedClaims(derivation, request);
  const budget = request.repair
    ? { ...DEFAULT_REPAIR_BUDGET, ...(request.repair === true ? {} : request.repair) }
    : null;
  const checkOne = (claim: Claim): ClaimResult => {
    const checked = checkClaim(derivation, claim, pool, options);
    return budget && checked.verdict === 'refuted'
      ? { ...checked, repairs: searchRepairs(derivation, claim, checked, options, budget) }
      : checked;
  };
  return selected.flatMap((claim, k) => {
    try {
      return [checkOne(claim)];
    } catch (err) {
      if (!errors || !(err instanceof InputError)) throw err;
      errors.push(err);
      return [];
    } finally {
      request.onClaim?.(claim.id, k + 1, selected.length);
    }
  });
}

/**
 * Checks the selected claims of one loaded file (`text`: the text it was loaded from), collecting the claims that
 * turn out ill-formed in `errors`: checkDerivation, or an answer from a cache (src/verify/cached-check.ts).
 */
export type FileChecker = (
  derivation: Derivation,
  text: string,
  request: CheckRequest,
  errors: InputError[],
) => ClaimResult[];

const checkFile: FileChecker = (derivation, _text, request, errors) => checkDerivation(derivation, request, errors);

/** What `check` has read before any claim is checked (see prepareCheck). */
export interface PreparedCheck {
  readonly derivations: Derivation[];
  /** each file's text, as its derivation was parsed from it */
  readonly texts: string[];
  /** the ill-formed claims found so far, in the files' order (checks add theirs) */
  readonly errors: InputError[];
  /** the request, its progress hook counting over every file's selected claims */
  readonly request: CheckRequest;
}

/**
 * Every file loaded before any claim is checked: a file that does not load is thrown as its InputError, as are
 * sizes and claim ids no file declares. The start of `check`, and of checking on worker threads
 * (src/verify/parallel-check.ts), so both refuse the same input alike.
 */
export function prepareCheck(paths: readonly string[], request: CheckRequest = {}): PreparedCheck {
  const files = expandPaths(paths);
  if (files.length === 0)
    throw new InputError({ file: paths[0] ?? '.', line: 1, col: 1 }, 'no derivation files here', '.yaml or .yml files');
  // A file that does not load stops the run before any check (its errors are not one claim's) — except a file a
  // folder lists that cannot be read (a link to no file): that file's error, reported with the others at the end
  // (exit 2), the folder's other files checked. It stopped the whole folder's run (a review found it).
  const unreadable: InputError[] = [];
  const texts: string[] = [];
  const readable: string[] = [];
  for (const file of files)
    try {
      texts.push(readDerivationText(file));
      readable.push(file);
    } catch (err) {
      if (!(err instanceof InputError) || paths.includes(file)) throw err;
      unreadable.push(err);
    }
  const derivations = readable.map((file, k) => parseDerivation(texts[k]!, file, { perClaimErrors: true }));
  const errors: InputError[] = [...unreadable, ...derivations.flatMap((d) => d.claimErrors ?? [])];
  const declared = new Set(derivations.flatMap((d) => Object.keys(d.model.sizes)));
  const unknownSize = Object.keys(request.sizeOverrides ?? {}).find((name) => !declared.has(name));
  if (unknownSize !== undefined)
    throw new InputError(
      { file: files[0]!, line: 1, col: 1 },
      `--size ${unknownSize}: no model here declares a size '${unknownSize}'`,
      `one of ${[...declared].sort().join(', ')}`,
    );
  // Before any claim is checked, as checkDerivation does again per file.
  for (const d of derivations) checkSizeOverrides(d, request.sizeOverrides ?? {});
  if (request.claims && !errors.length) {
    const known = new Set(derivations.flatMap((d) => d.claims.map((c) => c.id)));
    const missing = request.claims.filter((id) => !known.has(id));
    if (missing.length)
      throw new InputError({ file: paths[0] ?? '.', line: 1, col: 1 }, `no claim with id ${missing.join(', ')}`);
  }
  // Progress counts over every file's claims.
  const total = derivations.reduce((n, d) => n + selectedClaims(d, request).length, 0);
  let done = 0;
  const onClaim = request.onClaim && ((id: string) => request.onClaim!(id, ++done, total));
  return { derivations, texts, errors, request: { ...request, onClaim } };
}

/** The claims of a file a request selects, in the file's order. */
export function selectedClaims(d: Derivation, request: CheckRequest): readonly Claim[] {
  return request.claims ? d.claims.filter((c) => request.claims!.includes(c.id)) : d.claims;
}

/** The report of a check: its claims' results (in the files' order) and the ill-formed claims. */
export function checkReport(prepared: PreparedCheck, claims: ClaimResult[]): CheckReport {
  const ok = claims.filter((c) => c.ok).length;
  return {
    claims,
    summary: { total: claims.length, ok, failed: claims.length - ok },
    masterSeed: prepared.request.masterSeed ?? DEFAULT_OPTIONS.masterSeed,
    derivations: prepared.derivations,
    errors: prepared.errors,
  };
}

/**
 * The library entry point behind `gradproof check`: every file is loaded before any claim is checked,
 * and a file that does not load is thrown as its InputError. Each ill-formed claim is a located error
 * in `errors` while the other claims are still checked. `checker` checks each file's claims.
 */
export function check(paths: readonly string[], request: CheckRequest = {}, checker = checkFile): CheckReport {
  const prepared = prepareCheck(paths, request);
  const { derivations, texts, errors } = prepared;
  return checkReport(
    prepared,
    derivations.flatMap((d, k) => checker(d, texts[k]!, prepared.request, errors)),
  );
}
