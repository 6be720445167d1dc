/**
 * `--cache` and `--cache-dir` of `check` and `verify`: the folder of checked claims they answer from
 * (src/verify/cache.ts), checked before the run.
 */
import type { Argv } from 'yargs';
import { DEFAULT_CACHE_DIR } from '../verify/cache.js';
import { checkFolder, UsageError } from './output.js';

export interface CacheArgs {
  readonly cache: boolean;
  readonly 'cache-dir'?: string;
}

/** Adds the cache options to a command; `compared` says what is still judged on every run. */
export function withCacheOptions<T>(y: Argv<T>, compared: string) {
  return y
    .option('cache', {
      type: 'boolean',
      default: false,
      describe: `answer each claim from ${DEFAULT_CACHE_DIR} while its text, the rest of its file, the options and the build are unchanged (${compared})`,
    })
    .option('cache-dir', {
      type: 'string',
      describe: `the cache folder (implies --cache; default ${DEFAULT_CACHE_DIR})`,
    });
}

/** The cache folder asked for, or undefined; a file in the way, or no folder above it, is a usage error. */
export function cacheFolder(argv: CacheArgs): string | undefined {
  const dir = argv['cache-dir'] ?? (argv.cache ? DEFAULT_CACHE_DIR : undefined);
  if (dir === '') throw new UsageError('--cache-dir needs a folder, got an empty name');
  if (dir !== undefined) checkFolder(argv['cache-dir'] !== undefined ? '--cache-dir' : '--cache', dir);
  return dir;
}
