/**
 * Writes a file all at once: the text goes to a temporary file in the same
 * folder, which is then renamed over the target (atomic on POSIX). A failed
 * write (disk full, a folder in the way) leaves the old file as it was.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  // Renaming over a device, a pipe or a folder would replace it (run as root, `--junit /dev/full` replaced
  // the device): only a regular file, or nothing, may stand at the target.
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing && !existing.isFile())
    throw new Error(existing.isDirectory() ? 'a folder is in the way' : 'not a regular file');
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
