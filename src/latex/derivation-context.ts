/**
 * The LatexContext of a formula in a derivation file: the model's names, the claim's quantifiers, and the file's
 * notation — the same `notation:` hints the LaTeX emitter reads (src/emit/latex.ts: profile, time, transpose,
 * horizon, loss, name.X), read in the other direction, plus the per-file symbol map `notation: { symbols: … }`.
 */
import { formatAffine } from '../ir/affine.js';
import { isColumn, isScalar } from '../ir/shape.js';
import type { SymbolDecl } from '../model/model.js';
import { HORIZON } from '../model/model.js';
import { notationFor } from '../emit/latex.js';
import { normaliseSymbolKey, type LatexContext } from './context.js';
import { parseLatex } from './katex-tree.js';
import { symbolKey } from './names.js';

export interface LatexNames {
  readonly symbols: ReadonlyMap<string, SymbolDecl>;
  readonly sizes: readonly string[];
  readonly loss: string | null;
  /** declared activations and the file's definitions: names called as f(…) */
  readonly functions: Iterable<string>;
  /** quantifiers of the claim (t for a model equation) */
  readonly indexVars: Iterable<string>;
}

export interface LatexNotation {
  /** the `notation:` hints (strings) */
  readonly hints: Readonly<Record<string, string>>;
  /**
   * `notation: { symbols: { '\tilde{C}': Ct } }`: LaTeX → a model name, a size, a built-in function or an index. A
   * symbol may appear twice, once for a sequence (read with its time) and once for another name (read without).
   */
  readonly symbols: Iterable<readonly [string, string]>;
  /**
   * A claim's own `notation: { symbols: … }`, read after the file's: each entry replaces the file's entry for the
   * same symbol read the same way (with a time for a sequence, without for any other name).
   */
  readonly claimSymbols?: Iterable<readonly [string, string]>;
}

/** The key of the symbol a LaTeX text starts with: `\mathcal{L}` for `\mathcal{L}_t(\theta)`. */
function leadingSymbolKey(latex: string): string | null {
  const whole = normaliseSymbolKey(latex);
  if (whole !== null) return whole;
  try {
    const first = parseLatex(latex, false).nodes[0];
    if (!first) return null;
    return symbolKey(first.type === 'supsub' && first.base ? first.base : first);
  } catch {
    return null;
  }
}

export function latexContext(names: LatexNames, notation: LatexNotation): LatexContext {
  const sequences = new Set<string>();
  const parameters = new Set<string>();
  const shapes = new Map<string, readonly string[]>();
  for (const s of names.symbols.values()) {
    (s.role === 'parameter' ? parameters : sequences).add(s.name);
    // Only the kind matters to the reader (scalar, vector, matrix), as the number of dimensions.
    const dims = [formatAffine(s.shape.rows), formatAffine(s.shape.cols)];
    shapes.set(s.name, isScalar(s.shape) ? [] : isColumn(s.shape) ? dims.slice(0, 1) : dims);
  }
  const indexVars = new Set(names.indexVars);
  const style = notationFor(notation.hints);
  const map = new Map<string, string>();
  const timed = new Map<string, string>();
  const put = (latex: string, name: string): void => {
    const key = leadingSymbolKey(latex);
    if (key === null) return;
    // A sequence is always written with a time, so its LaTeX name may share a letter with the loss (ε for the
    // loss, ε_t for the per-step error): it goes to the timed map. The first entry for a key wins.
    const target = sequences.has(name) ? timed : map;
    if (!target.has(key)) target.set(key, name);
  };
  if (names.loss) put(style.loss, names.loss);
  // A horizon written t means T unless the claim quantifies t itself.
  if (names.sizes.includes(HORIZON) && !(style.horizon === 't' && indexVars.has('t'))) put(style.horizon, HORIZON);
  for (const [name, latex] of Object.entries(style.names))
    if (sequences.has(name) || parameters.has(name) || name === names.loss) put(latex, name);
  for (const [latex, name] of [...notation.symbols, ...(notation.claimSymbols ?? [])]) {
    const key = normaliseSymbolKey(latex) ?? latex;
    // A sequence's name is read with its time (ε_t), so the same letter may stay the loss (ε) untimed.
    (sequences.has(name) ? timed : map).set(key, name);
  }
  return {
    sequences,
    parameters,
    sizes: new Set(names.sizes),
    indexVars,
    loss: names.loss,
    functions: new Set(names.functions),
    symbols: map,
    timedSymbols: timed,
    time: style.time,
    transposeLetters: new Set(style.transpose === 'T' ? ['T'] : []),
    shapes,
  };
}
