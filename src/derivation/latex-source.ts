/**
 * A formula given in the source's own LaTeX (`latex:` in a claim or an equation): read into our ASCII syntax
 * (src/latex), which the one expression parser (src/ir/parse-math.ts) then turns into IR. The ASCII is an
 * ExprSource whose every character locates back through the reading's source map to the LaTeX token it came
 * from, and from there to file:line:col through the YAML scalar — so an error the ASCII parser, the shape
 * checker or the model checks find is reported inside the LaTeX the user wrote.
 */
import { isMap, isSeq, type Node as YNode, type Pair, type Scalar } from 'yaml';
import { LIMITS } from '../ir/limits.js';
import { latexToAscii, type AsciiPiece, type LatexConversion } from '../latex/convert.js';
import { type LatexContext, normaliseSymbolKey } from '../latex/context.js';
import { LatexInputError } from '../latex/errors.js';
import { type ExprSource, InputError } from './errors.js';
import type { YamlSource } from './yaml-source.js';

/** How a claim written in LaTeX was read: shown in every report so the user can confirm the reading. */
export interface LatexReading {
  readonly latex: string;
  /** the ASCII reading (the claim's statement) */
  readonly ascii: string;
  /** how each ambiguity was resolved, each at the file's line:col of the LaTeX it concerns ("27:16: …") */
  readonly notes: readonly string[];
}

export interface ReadLatex {
  readonly latex: ExprSource;
  readonly conversion: LatexConversion;
  /** the whole reading as an ExprSource over its ASCII */
  readonly source: ExprSource;
  /** one member or step of a chain as an ExprSource over its ASCII */
  sourceOf(piece: AsciiPiece): ExprSource;
}

/**
 * The control sequences that define or let macros in KaTeX (its \def family, \let and \futurelet, the LaTeX
 * \newcommand family, and the prefixes \global and \long). KaTeX expands them as it reads: `\gdef\foo{W} \|\foo\|`
 * was read as ‖W‖ and the definition dropped without a word (a review found), and a definition could reach past the
 * formula into what is rendered after it. A formula in a derivation file is refused with one.
 */
export const MACRO_DEFINITIONS: ReadonlySet<string> = new Set([
  ...['def', 'gdef', 'edef', 'xdef', 'let', 'futurelet', 'global', 'long'],
  ...['newcommand', 'renewcommand', 'providecommand'],
]);

/** The first control sequence in `latex` that defines a macro, and its offset; null where there is none. */
export function macroDefinition(latex: string): { readonly name: string; readonly offset: number } | null {
  // control words as KaTeX reads them (@ is a letter), a control symbol (\\, \|) as one token
  for (const m of latex.matchAll(/\\([A-Za-z@]+|[^A-Za-z@])/g))
    if (MACRO_DEFINITIONS.has(m[1]!)) return { name: m[1]!, offset: m.index };
  return null;
}

/** Reads the LaTeX in a YAML scalar; a LaTeX problem is an InputError at the offending token. */
export function readLatexNode(
  y: YamlSource,
  node: YNode | null | undefined,
  what: string,
  ctx: LatexContext,
): ReadLatex {
  const latex = y.exprSource(node, what);
  const macro = macroDefinition(latex.text);
  if (macro)
    throw new InputError(
      latex.locate(macro.offset),
      `\\${macro.name}: macros defined by users are not allowed in a formula (KaTeX reads it with trust off)`,
      "the formula with the macro's text written out",
    );
  let conversion: LatexConversion;
  try {
    conversion = latexToAscii(latex.text, ctx);
  } catch (err) {
    if (err instanceof LatexInputError) {
      const problem = err.readings?.length ? `${err.problem}; readings: ${err.readings.join('; ')}` : err.problem;
      throw new InputError(latex.locate(err.offset), problem, err.expected);
    }
    throw err;
  }
  const sourceOf = (piece: AsciiPiece): ExprSource => ({
    text: piece.ascii,
    locate: (offset) => {
      const n = piece.sourceMap.length;
      return latex.locate(n ? piece.sourceMap[Math.max(0, Math.min(offset, n - 1))]! : 0);
    },
  });
  return { latex, conversion, source: sourceOf(conversion), sourceOf };
}

export function readingOf(r: ReadLatex, ascii = r.conversion.ascii): LatexReading {
  // The reader's notes say "at N:" (an offset into the LaTeX); in a report they point into the file.
  const notes = r.conversion.notes.map((n) =>
    n.replace(/^at (\d+): /, (_, offset: string) => {
      const { line, col } = r.latex.locate(Number(offset));
      return `${line}:${col}: `;
    }),
  );
  return { latex: r.latex.text.replace(/\s+/g, ' ').trim(), ascii, notes };
}

/** One entry of a LaTeX symbol map, with its YAML nodes (a per-claim map's errors are located at them). */
export interface SymbolMapEntry {
  readonly latex: string;
  readonly name: string;
  readonly keyNode: YNode;
  readonly valueNode: YNode | null;
}

/**
 * `symbols: { '\\tilde{C}': Ct, '\\varepsilon': [epsh, 'Eh[T]'], … }` in a file's or a claim's `notation:`: LaTeX →
 * our name, in file order.
 */
export function readSymbolMap(y: YamlSource, node: YNode | null | undefined): SymbolMapEntry[] {
  if (!isMap(node)) y.fail(node, 'notation symbols must be a mapping', "e.g. '\\tilde{C}': Ct");
  const items = node.items as Pair<Scalar, YNode | null>[];
  y.atMost(items, LIMITS.symbols, 'notation symbols', (p) => p.key);
  return items.flatMap((entry) => {
    const latex = y.string(entry.key, 'a LaTeX symbol');
    // in a file's map as in a claim's ('__proto__' and 'not a symbol at all' passed silently there, a review found)
    if (normaliseSymbolKey(latex) === null)
      y.fail(entry.key, `'${latex}' is not one LaTeX symbol`, "e.g. '\\theta', 'W_{rec}', '\\tilde{C}'");
    // A list gives the symbol two readings: a sequence with its time, another name without (ε_t, ε).
    const values = isSeq(entry.value) ? (entry.value.items as YNode[]) : [entry.value];
    if (isSeq(entry.value) && (values.length < 1 || values.length > 2))
      y.fail(
        entry.value,
        'a symbol stands for one name, or two (a sequence and a name read without a time)',
        "e.g. [epsh, 'Eh[T]']",
      );
    return values.map((value) => ({
      latex,
      name: y.string(value, 'the name it stands for'),
      keyNode: entry.key,
      valueNode: value,
    }));
  });
}
