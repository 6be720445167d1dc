/**
 * Bad input is reported as `file:line:col: message (expected …)` with exit
 * code 2 and never a stack trace; every loader stage throws InputError.
 */
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

/** An error located by a character offset inside one expression string. */
export class ExprError extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
    readonly expected?: string,
  ) {
    super(problem);
    this.name = 'ExprError';
  }
}

/** Where an expression string starts in its file, so offsets inside it map to line:col. */
export interface ExprSource {
  readonly text: string;
  readonly pos: SourcePos;
}

export function posInExpr(src: ExprSource, offset: number): SourcePos {
  let { line, col } = src.pos;
  for (let i = 0; i < offset && i < src.text.length; i++) {
    if (src.text[i] === '\n') {
      line += 1;
      col = 1;
    } else col += 1;
  }
  return { file: src.pos.file, line, col };
}

export function toInputError(src: ExprSource, error: ExprError): InputError {
  return new InputError(posInExpr(src, error.offset), error.problem, error.expected);
}
