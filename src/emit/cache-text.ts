/** What `--cache` answered, in words: the line `check` and `verify` print under their reports. */
import type { CacheUse } from '../verify/cache.js';
import { count } from './count.js';

export function cacheUseText({ dir, claims, derived }: CacheUse): string {
  const forms =
    derived.answered + derived.checked > 0
      ? ` and ${derived.answered} of ${count(derived.answered + derived.checked, "file's", "files'")} derived forms`
      : '';
  return `cache ${dir}: ${claims.answered} of ${count(claims.answered + claims.checked, 'claim')}${forms} answered from it`;
}
