/** A located problem in a LaTeX formula: offsets are into the LaTeX text as given to `latexToAscii`. */
export class LatexInputError extends Error {
  readonly offset: number;
  readonly end: number;
  readonly problem: string;
  readonly expected?: string;
  /** when a construct has several readings and none can be chosen by rule: each reading, spelled out */
  readonly readings?: string[];

  constructor(init: { offset: number; end?: number; problem: string; expected?: string; readings?: string[] }) {
    const parts = [init.problem];
    if (init.readings?.length) parts.push(`readings: ${init.readings.join('; ')}`);
    if (init.expected) parts.push(`expected ${init.expected}`);
    super(parts.join(' — '));
    this.name = 'LatexInputError';
    this.offset = init.offset;
    this.end = Math.max(init.end ?? init.offset + 1, init.offset);
    this.problem = init.problem;
    if (init.expected !== undefined) this.expected = init.expected;
    if (init.readings !== undefined) this.readings = init.readings;
  }
}

export interface LineCol {
  /** 1-based */
  readonly line: number;
  /** 1-based, in UTF-16 code units like the offsets */
  readonly col: number;
}

export function lineColAt(text: string, offset: number): LineCol {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(0, offset), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}
