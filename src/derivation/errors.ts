/**
 * Bad input is reported as `file:line:col: message (expected …)` with exit
 * code 2 and never a stack trace; every loader stage throws InputError.
 */
import { ExprError } from '../ir/errors.js';

export { ExprError };

export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export class InputError extends Error {
  constructor(
    readonly pos: SourcePos,
    readonly problem: string,
    readonly expected?: string,
  ) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${problem}${expected ? ` (expected ${expected})` : ''}`);
    this.name = 'InputError';
  }
}

/**
 * An expression string and where each of its characters sits in the file.
 * YAML folds lines, strips indentation and decodes escapes, so the mapping
 * is computed per character rather than by adding a column offset.
 */
export interface ExprSource {
  readonly text: string;
  locate(offset: number): SourcePos;
}

/** The part of an expression source from `start` on (a claim's right side, say). */
export function subSource(src: ExprSource, start: number, end = src.text.length): ExprSource {
  return { text: src.text.slice(start, end), locate: (offset) => src.locate(start + offset) };
}

export function toInputError(src: ExprSource, error: ExprError): InputError {
  return new InputError(src.locate(error.offset), error.problem, error.expected);
}
