/**
 * Errors as `--json` prints them: `{"errors": [{"file", "line", "col", "message"}]}`. Light on purpose
 * (type imports only): the CLI reports a usage error with it before any heavy module has loaded.
 */
import type { InputError } from '../derivation/errors.js';

export interface ErrorJson {
  readonly file: string | null;
  readonly line: number | null;
  readonly col: number | null;
  readonly message: string;
}

export interface ErrorJson {
  readonly file: string | null;
  readonly line: number | null;
  readonly col: number | null;
  readonly message: string;
}

/** A located input error as `--json` prints it (the message without the location, which is beside it). */
export function errorJson(e: InputError): ErrorJson {
  return {
    file: e.pos.file,
    line: e.pos.line,
    col: e.pos.col,
    message: `${e.problem}${e.expected ? ` (expected ${e.expected})` : ''}`,
  };
}

/** Usage errors have no place in a file. */
export const usageErrorJson = (message: string): ErrorJson => ({ file: null, line: null, col: null, message });
