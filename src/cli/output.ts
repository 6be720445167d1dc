/**
 * What the CLI's commands share about usage errors and the files their
 * options name (main.ts and render-commands.ts): a bad option is exit 2 with
 * the flag and the path, checked before a long run where it can be.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Bad usage: main.ts reports it on one line with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A file an option names could not be written: the option and the path, exit 2 (the input is at fault). */
export function writeOutput(
  flag: string,
  path: string,
  text: string,
  write: (path: string, text: string) => void,
): void {
  try {
    write(path, text);
  } catch (err) {
    throw new UsageError(
      `${flag} ${path}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

/** Before a long run: the file an option names must be creatable or a regular file, in an existing folder. */
export function checkOutput(flag: string, path: string): void {
  const target = statSync(path, { throwIfNoEntry: false });
  const folder = statSync(dirname(path), { throwIfNoEntry: false });
  const problem =
    target && !target.isFile()
      ? target.isDirectory()
        ? 'a folder is in the way'
        : 'not a regular file'
      : !folder?.isDirectory()
        ? 'no such folder'
        : null;
  if (problem) throw new UsageError(`${flag} ${path}: cannot write (${problem})`);
}

/**
 * Before a long run: the folder an option names must be a folder, or creatable where its parent is one (a cache
 * folder, made on first use). A file in the way is a mistake worth saying rather than a cache silently unused.
 */
export function checkFolder(flag: string, path: string): void {
  const target = statSync(path, { throwIfNoEntry: false });
  const parent = statSync(dirname(path), { throwIfNoEntry: false });
  const problem = target
    ? target.isDirectory()
      ? null
      : 'a file is in the way'
    : !parent?.isDirectory()
      ? 'no such folder above it'
      : null;
  if (problem) throw new UsageError(`${flag} ${path}: cannot use it as a folder (${problem})`);
}
