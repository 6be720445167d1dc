/**
 * Symbol names: the normalised LaTeX key of a symbol (what the per-file symbol map is keyed by) and the default
 * ASCII name of a key. Fonts that only style a symbol are ignored (\mathbf{h}, \boldsymbol{W}, \mathrm{h},
 * \vec{x}); fonts and accents that make a different symbol are kept (\mathcal{L}, \tilde{C}, \hat{y}).
 */
import { bodyList, type KNode } from './katex-tree.js';

const STYLE_FONTS = new Set([
  'mathbf',
  'boldsymbol',
  'bm',
  'mathrm',
  'mathit',
  'mathsf',
  'mathnormal',
  'mathtt',
  'textbf',
  'textit',
  'textrm',
  'text',
  'textsf',
  'bold',
]);
const SYMBOL_FONTS = new Set(['mathcal', 'mathscr', 'mathbb', 'mathfrak']);
const ACCENTS: ReadonlyMap<string, string | null> = new Map([
  ['\\tilde', '\\tilde'],
  ['\\widetilde', '\\tilde'],
  ['\\hat', '\\hat'],
  ['\\widehat', '\\hat'],
  ['\\bar', '\\bar'],
  ['\\overline', '\\bar'],
  ['\\dot', '\\dot'],
  ['\\vec', null],
  ['\\overrightarrow', null],
  ['\\mathbf', null],
]);

/** Greek letters whose ASCII name is not simply the command name. */
const GREEK_ASCII: ReadonlyMap<string, string> = new Map([
  ['\\ell', 'l'],
  ['\\varepsilon', 'epsilon'],
  ['\\vartheta', 'theta'],
  ['\\varphi', 'phi'],
  ['\\varsigma', 'sigma'],
  ['\\varrho', 'rho'],
  ['\\varpi', 'pi'],
]);
const GREEK = new Set(
  'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega'.split(
    ' ',
  ),
);

export function isGreekCommand(text: string): boolean {
  return text.startsWith('\\') && (GREEK.has(text.slice(1)) || GREEK_ASCII.has(text));
}

/**
 * The key of a symbol-like node (no sub/superscripts): `h`, `\tau`, `\mathcal{L}`, `\tilde{C}`, or a word such as
 * `diag` for \mathrm{diag}. null when the node is not symbol-like.
 */
export function symbolKey(n: KNode): string | null {
  switch (n.type) {
    case 'mathord':
    case 'textord': {
      const t = n.text ?? '';
      if (/^[A-Za-z]$/.test(t) || isGreekCommand(t)) return t;
      return null;
    }
    case 'font': {
      const inner = bodyList(n.body as KNode | undefined);
      const word = wordOf(inner);
      if (word === null) return null;
      const f = (n.font ?? '').replace(/^\\/, '');
      if (SYMBOL_FONTS.has(f)) return `\\${f}{${word}}`;
      if (STYLE_FONTS.has(f)) return word;
      return null;
    }
    case 'accent': {
      const label = ACCENTS.get(n.label ?? '');
      if (label === undefined) return null;
      const inner = n.base ? symbolKey(n.base) : null;
      if (inner === null) return null;
      return label === null ? inner : `${label}{${inner}}`;
    }
    case 'ordgroup': {
      const list = bodyList(n);
      return list.length === 1 ? symbolKey(list[0]!) : null;
    }
    default:
      return null;
  }
}

/** Letters (and Greek) written next to each other: `diag` in \mathrm{diag}, `rec` in W_{rec}; a single symbol's key too. */
export function wordOf(list: readonly KNode[]): string | null {
  if (list.length === 1) return symbolKey(list[0]!) ?? digitsOf(list);
  let out = '';
  for (const n of list) {
    if ((n.type === 'mathord' || n.type === 'textord') && /^[A-Za-z0-9]$/.test(n.text ?? '')) out += n.text;
    else return null;
  }
  return out || null;
}

function digitsOf(list: readonly KNode[]): string | null {
  const t = list[0]?.text ?? '';
  return /^[0-9]$/.test(t) ? t : null;
}

/** The default ASCII name of a key: letters as they are, Greek spelled out (\ell → l), W_{rec} → W_rec. */
export function defaultAscii(key: string): string | null {
  if (/^[A-Za-z][A-Za-z0-9]*$/.test(key)) return key;
  const greek = GREEK_ASCII.get(key);
  if (greek) return greek;
  if (isGreekCommand(key)) return key.slice(1);
  return null;
}
