/**
 * What the CLI's commands share about usage errors and the files their
 * options name (main.ts and render-commands.ts): a bad option is exit 2 with
 * the flag and the path, checked before a long run where it can be.
 */
import { dirname } from 'node:path';
import { missingFolder, OUTPUT_EXPECTED, outputProblem, statPath, writeFailure } from '../io/atomic-write.js';

/** Bad usage: main.ts reports it on one line with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A file an option names could not be written: the option, the path, why, and what it should be; exit 2 (the input is at fault). */
export function writeOutput(
  flag: string,
  path: string,
  text: string,
  write: (path: string, text: string) => void,
): void {
  try {
    write(path, text);
  } catch (err) {
    throw cannotWrite(flag, path, writeFailure(err));
  }
}

const cannotWrite = (flag: string, path: string, why: string) =>
  new UsageError(`${flag} ${path}: cannot write (${why}); expected ${OUTPUT_EXPECTED}`);

/** Before a long run: the file an option names must be creatable or a regular file, in an existing folder. */
export function checkOutput(flag: string, path: string): void {
  let problem: string | null;
  try {
    problem = outputProblem(path);
  } catch (err) {
    problem = writeFailure(err);
  }
  if (problem) throw cannotWrite(flag, path, problem);
}

/**
 * Before a long run: the folder an option names must be a folder, or creatable where its parent is one (a cache
 * folder, made on first use). A file in the way is a mistake worth saying rather than a cache silently unused.
 */
export function checkFolder(flag: string, path: string): void {
  let problem: string | null;
  try {
    const target = statPath(path);
    problem = target
      ? target.isDirectory()
        ? null
        : 'a file is in the way'
      : statPath(dirname(path))?.isDirectory()
        ? null
        : missingFolder(dirname(path));
  } catch (err) {
    problem = writeFailure(err);
  }
  if (problem)
    throw new UsageError(
      `${flag} ${path}: cannot use it as a folder (${problem}); expected a folder, or a new one's path in an existing folder`,
    );
}

/**
 * Text for a terminal. A derivation file's own text (a label, a title, a key echoed in an error) may hold control
 * characters: ESC sequences that clear the screen, recolour it or retitle the window, a carriage return that
 * overwrites a line — a file printed a fake "✓ verified" over its real verdict (a review found it). Every C0 control
 * but tab and newline, DEL, every C1 control, the bidirectional overrides and marks, and the characters that show
 * nothing (zero-width spaces and joiners, the soft hyphen, the byte-order mark: `bad symbol name 'W\u200b'` read as 'W', a
 * review found) are shown as escapes (`\x1b`, `\u202e`, `\u200b`); JSON output escapes them already.
 */
// controls but tab and newline; format characters (zero-width, bidirectional, tags, the BOM, the soft hyphen); line and
// paragraph separators; and the characters that draw nothing (Hangul fillers, the braille blank, variation selectors,
// the combining grapheme joiner, Mongolian selectors) — a second review found those printed raw
const INVISIBLE =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- single invisible characters are the point
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\p{Cf}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2028\u2029\u2800\u3164\ufe00-\ufe0f\uffa0\u{e0100}-\u{e01ef}]/gu;

export function terminalSafe(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    const code = c.codePointAt(0)!;
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : code > 0xffff
        ? `\\u{${code.toString(16)}}`
        : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Writes to stdout, terminal-safe (every command's output goes through here or printErr). */
export const printOut = (text: string): boolean => process.stdout.write(terminalSafe(text));
/** Writes to stderr, terminal-safe. */
export const printErr = (text: string): boolean => process.stderr.write(terminalSafe(text));
