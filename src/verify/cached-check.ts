/**
 * `check --cache`: the claims of a file answered from verify's cache (./cache.ts) where their part is current,
 * and the others checked and stored. The same keys as `verify --cache` (file text outside the claims, the claim's
 * own item, its id, the request, the build), so an author editing one claim of a long derivation gets that claim
 * checked again alone. `check` asks with its own request (no repairs unless `--repair`), so its parts and verify's
 * are different entries of one folder.
 */
import type { FileChecker } from '../check/check.js';
import { checkDerivation } from '../check/check.js';
import type { ClaimResult } from '../check/result.js';
import type { VerifyCache } from './cache.js';
import { snapshotClaim } from './snapshot.js';

export function cachedChecker(cache: VerifyCache): FileChecker {
  return (derivation, text, request, errors) => {
    const selected = request.claims
      ? derivation.claims.filter((c) => request.claims!.includes(c.id))
      : derivation.claims;
    const keys = cache.keysFor(derivation.file, text, selected, request);
    const answered = new Map<string, ClaimResult>();
    for (const c of selected) {
      const part = cache.read(keys.claims.get(c.id)!, 'claim');
      if (part?.kind !== 'claim') continue;
      answered.set(c.id, part.result);
      request.onClaim?.(c.id, 0, 0); // check's progress counts it as done
    }
    const missing = selected.filter((c) => !answered.has(c.id)).map((c) => c.id);
    // each claim's time: from the previous claim's end (checkDerivation reports each as it finishes)
    const seconds = new Map<string, number>();
    let last = performance.now();
    const checked = missing.length
      ? checkDerivation(
          derivation,
          {
            ...request,
            claims: missing,
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
    cache.write(
      derivation.file,
      text,
      checked.map((result) => [
        keys.claims.get(result.id)!,
        { kind: 'claim', result, snapshot: snapshotClaim(derivation, result), seconds: seconds.get(result.id) ?? 0 },
      ]),
    );
    for (const r of checked) answered.set(r.id, r);
    // in the file's order; a claim that failed as ill-formed has no result (its error is in `errors`)
    return selected.flatMap((c) => (answered.has(c.id) ? [answered.get(c.id)!] : []));
  };
}
