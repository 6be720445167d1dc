/**
 * Writes a file all at once: the text goes to a temporary file in the same
 * folder, which is then renamed over the target (atomic on POSIX). A failed
 * write (disk full, a folder in the way) leaves the old file as it was.
 *
 * Also the one place that says why a path cannot be written: every option that names an output file (`--out`,
 * `--export`, `--junit`, `--write`, scaffold's `--out`) and the cache folder report it in these words, exit 2.
 */
import { renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** What an output path must be, for the messages. */
export const OUTPUT_EXPECTED = 'a writable file path whose folder exists';

/**
 * The entry at `path`, or null where there is none — also where a file stands where one of its folders should
 * (`/etc/passwd/x.html`: ENOTDIR, which statSync throws even with throwIfNoEntry false; until 2026-12-06 that was an
 * "internal error", exit 3, a review found).
 */
export function statPath(path: string): Stats | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

/** The nearest folder above `path` that is not a folder (a file in the way), or null. */
function fileAbove(path: string): string | null {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const st = statPath(dir);
    if (st && !st.isDirectory()) return dir;
  }
  return null;
}

/** Why no folder stands at `folder`: a file above it or at it, or nothing there. */
export function missingFolder(folder: string): string {
  const st = statPath(folder);
  const file = st && !st.isDirectory() ? folder : fileAbove(folder);
  return file ? `${file} is a file, not a folder` : `no folder ${folder}`;
}

/** Why a file cannot be written at `path` (a folder or a device there, no folder for it), or null. */
export function outputProblem(path: string): string | null {
  const target = statPath(path);
  if (target && !target.isFile()) return target.isDirectory() ? 'a folder is in the way' : 'not a regular file';
  return statPath(dirname(path))?.isDirectory() ? null : missingFolder(dirname(path));
}

const FAILURES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'a read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'over the disk quota',
  EISDIR: 'a folder is in the way',
  ENAMETOOLONG: 'the name is too long',
  ENOENT: 'the file cannot be made there (ENOENT)',
  ENOTDIR: 'a file stands where a folder should',
};

/** A failed write or stat in words (its errno code where there are no words for it). */
export function writeFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && FAILURES[code]) ?? code ?? (err as Error).message;
}

export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  // Renaming over a device, a pipe or a folder would replace it (run as root, `--junit /dev/full` replaced
  // the device): only a regular file, or nothing, may stand at the target.
  const problem = outputProblem(path);
  if (problem) throw new Error(problem);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
