/** What a LaTeX formula's names may refer to, and how the file writes time and transposes. */
import { latexForms, latexSpellings } from '../ops/index.js';
import { bodyList, parseLatex, type KNode } from './katex-tree.js';
import { symbolKey, wordOf } from './names.js';

export type TimeNotation = 'subscript' | 'paren-superscript' | 'bracket-superscript';

export interface LatexContext {
  /** time-indexed symbols (ASCII names), e.g. h, C, x, f */
  readonly sequences: ReadonlySet<string>;
  /** W, U, W_f, b_f … */
  readonly parameters: ReadonlySet<string>;
  /** d, m, n, T */
  readonly sizes: ReadonlySet<string>;
  /** quantifier names in scope (k, t, i …) */
  readonly indexVars: ReadonlySet<string>;
  /** L */
  readonly loss: string | null;
  /** user-declared activations and the file's named definitions (A, B): names called as f(…) */
  readonly functions: ReadonlySet<string>;
  /**
   * per-file symbol map: LaTeX (normalised) → our name, e.g. '\\tilde{C}' → 'Ct', '\\mathcal{L}' → 'L',
   * '\\tau' → 'T'. A value may also be a built-in function (diag for '\\mathcal{D}') or a sequence at a fixed
   * time ('Eh[T]').
   */
  readonly symbols: ReadonlyMap<string, string>;
  /** the same for a name when it carries a time index ('\\varepsilon' → 'eps' while '\\varepsilon' alone is the loss) */
  readonly timedSymbols?: ReadonlyMap<string, string>;
  /** how the file writes time: h_t, h^{(t)}, h^{[t]} */
  readonly time: TimeNotation;
  /** letters that mean transpose in a superscript: 'T' (lab), or none (only \top/\intercal) */
  readonly transposeLetters: ReadonlySet<string>;
  /** shapes of the model's symbols (['d'], ['d', 'd'], [] for a scalar); decides x^2 (.^2 on a vector) and ⊙ for juxtaposed vectors */
  readonly shapes?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Function names a LaTeX formula may call, from the operator registry's LaTeX spellings: LaTeX spelling
 * (`\\tanh`, `\\rho`, the word `diag`) → ASCII call name; and the ASCII names themselves (a symbol-map value may
 * name one, as `diag` for `\\mathcal{D}`).
 */
export const LATEX_FUNCTIONS: ReadonlyMap<string, string> = latexSpellings();
export const BUILTIN_FUNCTIONS: ReadonlySet<string> = new Set(LATEX_FUNCTIONS.values());
/** each built-in's forms: how many arguments, and its usage (`\\min(a, b)`) */
export const BUILTIN_FORMS = latexForms();

/**
 * The normalised key of a LaTeX symbol as a user writes it in a symbol map ('\\widetilde{C}' → '\\tilde{C}',
 * '\\mathbf{h}' → 'h', 'W_{rec}' → 'W_{rec}'); null when the text is not a single symbol.
 */
export function normaliseSymbolKey(latex: string): string | null {
  let nodes: readonly KNode[];
  try {
    nodes = parseLatex(latex, false).nodes;
  } catch {
    return null;
  }
  if (nodes.length !== 1) return null;
  const n = nodes[0]!;
  if (n.type === 'supsub' && n.base && n.sub && !n.sup) {
    const base = symbolKey(n.base);
    const sub = wordOf(bodyList(n.sub));
    return base !== null && sub !== null ? `${base}_{${sub}}` : null;
  }
  return symbolKey(n);
}

export interface NormalisedMaps {
  readonly symbols: ReadonlyMap<string, string>;
  readonly timedSymbols: ReadonlyMap<string, string>;
}

export function normaliseMaps(ctx: LatexContext): NormalisedMaps {
  const norm = (m: ReadonlyMap<string, string> | undefined): Map<string, string> => {
    const out = new Map<string, string>();
    for (const [k, v] of m ?? []) out.set(normaliseSymbolKey(k) ?? k, v);
    return out;
  };
  return { symbols: norm(ctx.symbols), timedSymbols: norm(ctx.timedSymbols) };
}
