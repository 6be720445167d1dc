/**
 * Text read from a file a user names: only from a regular file of bounded size. A device or a pipe would be read
 * without end or block forever (`verify --readme /dev/zero` grew to 6.7 GB, a FIFO hung `report --write`: a review
 * found both), so those are refused before anything is read, as derivation files and posts always were.
 */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../derivation/errors.js';
import { LIMITS } from '../ir/limits.js';

/** The file's text; an InputError located at its start where it is no regular file, too large, or unreadable. */
export function readBoundedText(file: string, what: string): string {
  const at = { file, line: 1, col: 1 };
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new InputError(at, 'not a regular file', what);
    if (st.size > LIMITS.fileBytes)
      throw new InputError(
        at,
        `the file has ${st.size} bytes, more than the limit of ${LIMITS.fileBytes}`,
        `${what} of at most ${LIMITS.fileBytes / 2 ** 20} MB`,
      );
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      at,
      `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      `${what} that can be read`,
    );
  }
}
