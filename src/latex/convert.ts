/**
 * latexToAscii: a LaTeX formula → gradproof's ASCII claim syntax, with a source map from every ASCII character
 * back to the LaTeX offset it came from, and notes saying how each ambiguity was resolved.
 */
import type { LatexContext } from './context.js';
import { LatexInputError } from './errors.js';
import type { Relation } from './reading.js';
import { parseLatex, tooDeep } from './katex-tree.js';
import { AsciiWriter, type Printed } from './print.js';
import { Reader } from './reader.js';

export interface AsciiPiece {
  readonly ascii: string;
  /** ascii offset → LaTeX offset (start of the LaTeX token it came from) */
  readonly sourceMap: number[];
  /** ascii offset → LaTeX end offset of that token */
  readonly sourceEnd: number[];
}

export interface LatexConversion extends AsciiPiece {
  /** how ambiguities were resolved, in reading order ("at 12: …" gives the LaTeX offset) */
  readonly notes: string[];
  /** the relation of a one-relation claim; null for an expression or a chain */
  readonly relation: Relation | null;
  /** that relation was written strict (< or >) and is read as `relation` */
  readonly strict: boolean;
  /** a chain a = b = c …: the claim's `chain: { from, steps }`; `ascii` then holds the whole chain */
  readonly chain: {
    readonly from: AsciiPiece;
    readonly steps: readonly { readonly relation: Relation; readonly strict: boolean; readonly to: AsciiPiece }[];
  } | null;
  /** index names used but neither quantified, sizes, nor bound in the formula (they need a forall:) */
  readonly freeIndexVars: string[];
  /** the formula's \tag{…}, if any */
  readonly tag: string | null;
}

export interface ConvertOptions {
  /** parse as display math (default true: \tag and display environments allowed) */
  readonly displayMode?: boolean;
}

const piece = (p: Printed): AsciiPiece => ({ ascii: p.text, sourceMap: p.starts, sourceEnd: p.ends });

export function latexToAscii(latex: string, ctx: LatexContext, options: ConvertOptions = {}): LatexConversion {
  try {
    return convert(latex, ctx, options);
  } catch (err) {
    // The reader and printer recurse on the formula's nesting; a formula nested past the stack is bad input.
    if (err instanceof RangeError) throw tooDeep();
    throw err;
  }
}

function convert(latex: string, ctx: LatexContext, options: ConvertOptions): LatexConversion {
  const parsed = parseLatex(latex, options.displayMode ?? true);
  const reading = new Reader(parsed, ctx).read();
  const { members, relations } = reading;
  const whole = new AsciiWriter();
  members.forEach((m, i) => {
    if (i > 0) {
      const r = relations[i - 1]!;
      whole.w(` ${r.rel} `, r.span);
    }
    whole.expr(m);
  });
  const all = piece(whole.done());
  let chain: LatexConversion['chain'] = null;
  if (members.length > 2) {
    const one = (i: number): AsciiPiece => {
      const w = new AsciiWriter();
      w.expr(members[i]!);
      return piece(w.done());
    };
    chain = {
      from: one(0),
      steps: relations.map((r, i) => ({ relation: r.rel, strict: r.strict === true, to: one(i + 1) })),
    };
  }
  return {
    ...all,
    notes: [...reading.notes],
    relation: members.length === 2 ? relations[0]!.rel : null,
    strict: members.length === 2 && relations[0]!.strict === true,
    chain,
    freeIndexVars: [...reading.freeIndexVars],
    tag: reading.tag,
  };
}

/** The LaTeX span of an ASCII range (e.g. where the ASCII parser found an error). */
export function latexSpanOf(
  conv: AsciiPiece,
  asciiStart: number,
  asciiEnd = asciiStart + 1,
): { start: number; end: number } {
  const n = conv.sourceMap.length;
  if (!n) return { start: 0, end: 0 };
  const a = Math.min(Math.max(0, asciiStart), n - 1);
  const b = Math.min(Math.max(a + 1, asciiEnd), n);
  let start = Infinity;
  let end = -Infinity;
  for (let i = a; i < b; i++) {
    start = Math.min(start, conv.sourceMap[i]!);
    end = Math.max(end, conv.sourceEnd[i]!);
  }
  return { start, end };
}

export { LatexInputError };
