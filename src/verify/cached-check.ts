/**
 * `check --cache`: the claims of a file answered from verify's cache (./cache.ts) where their part is current,
 * and the others checked and stored. The same keys as `verify --cache` (file text outside the claims, the claim's
 * own item, its id, the request, the build), so an author editing one claim of a long derivation gets that claim
 * checked again alone. `check` asks with its own request (no repairs unless `--repair`), so its parts and verify's
 * are different entries of one folder.
 */
import type { CheckRequest, FileChecker } from '../check/check.js';
import { checkDerivation, selectedClaims } from '../check/check.js';
import type { Derivation } from '../derivation/derivation.js';
import type { ClaimResult } from '../check/result.js';
import type { FileKeys, Part, VerifyCache } from './cache.js';
import { snapshotClaim } from './snapshot.js';

/** A file's selected claims with their cache keys, and those the cache answers (reported to the progress hook as done). */
export interface CachedAnswers {
  /** null: no cache (every claim is missing) */
  readonly keys: FileKeys | null;
  readonly answered: Map<string, ClaimResult>;
  /** the ids of the selected claims the cache does not answer, in the file's order */
  readonly missing: string[];
}

export function cachedAnswers(
  cache: VerifyCache,
  derivation: Derivation,
  text: string,
  request: CheckRequest,
): CachedAnswers {
  const selected = selectedClaims(derivation, request);
  const keys = cache.keysFor(derivation.file, text, selected, request);
  const answered = new Map<string, ClaimResult>();
  for (const c of selected) {
    const part = cache.read(keys.claims.get(c.id)!, 'claim');
    if (part?.kind !== 'claim') continue;
    answered.set(c.id, part.result);
    request.onClaim?.(c.id, 0, 0); // check's progress counts it as done
  }
  return { keys, answered, missing: selected.filter((c) => !answered.has(c.id)).map((c) => c.id) };
}

/** Claims just checked, stored under their keys (with a cache), and added to the answers. */
export function storeChecked(
  cache: VerifyCache | null,
  derivation: Derivation,
  text: string,
  answers: CachedAnswers,
  checked: readonly Part[],
): void {
  const claims = checked.flatMap((part) => (part.kind === 'claim' ? [part] : []));
  const keys = answers.keys;
  if (cache && keys)
    cache.write(
      derivation.file,
      text,
      claims.map((part) => [keys.claims.get(part.result.id)!, part]),
    );
  for (const part of claims) answers.answered.set(part.result.id, part.result);
}

/** The answers of no cache: every selected claim missing. */
export const uncached = (derivation: Derivation, request: CheckRequest): CachedAnswers => ({
  keys: null,
  answered: new Map(),
  missing: selectedClaims(derivation, request).map((c) => c.id),
});

/** The selected claims' results in the file's order; a claim that failed as ill-formed has none (its error is in `errors`). */
export const inFileOrder = (derivation: Derivation, request: CheckRequest, answers: CachedAnswers): ClaimResult[] =>
  selectedClaims(derivation, request).flatMap((c) => {
    const r = answers.answered.get(c.id);
    return r ? [r] : [];
  });

export function cachedChecker(cache: VerifyCache): FileChecker {
  return (derivation, text, request, errors) => {
    const answers = cachedAnswers(cache, derivation, text, request);
    // each claim's time: from the previous claim's end (checkDerivation reports each as it finishes)
    const seconds = new Map<string, number>();
    let last = performance.now();
    const checked = answers.missing.length
      ? checkDerivation(
          derivation,
          {
            ...request,
            claims: answers.missing,
            onClaim: (id, done, total) => {
              const now = performance.now();
              seconds.set(id, (now - last) / 1000);
              last = now;
              request.onClaim?.(id, done, total);
            },
          },
          errors,
        )
      : [];
    storeChecked(
      cache,
      derivation,
      text,
      answers,
      checked.map((result) => ({
        kind: 'claim',
        result,
        snapshot: snapshotClaim(derivation, result),
        seconds: seconds.get(result.id) ?? 0,
      })),
    );
    return inFileOrder(derivation, request, answers);
  };
}
