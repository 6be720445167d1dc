/** What `--cache` answered, in words: the line `check` and `verify` print under their reports. */
import type { CacheUse } from '../verify/cache.js';

export function cacheUseText({ dir, claims, derived }: CacheUse): string {
  const forms =
    derived.answered + derived.checked > 0
      ? ` and ${derived.answered} of ${derived.answered + derived.checked} files' derived forms`
      : '';
  return `cache ${dir}: ${claims.answered} of ${claims.answered + claims.checked} claims${forms} answered from it`;
}
