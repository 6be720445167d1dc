/**
 * The notation hints that are LaTeX (`name.X`, `horizon`, `loss`) are written into every formula of the file's
 * pages, Markdown and .tex documents: each must be one symbol's math, never TeX that runs. A review wrote
 * `name.W: '\input{/etc/hostname}'` (pdflatex read the file when the .tex document compiled), `\gdef\verdict…`
 * (which redefined the document's own macros), `\end{aligned}\]…` (out of the math) and `\mathbf{W` (an internal
 * error when the page was rendered). So a hint holds only letters, digits, scripts, braces, primes, a little
 * punctuation and the control sequences below — Greek letters, fonts, accents, a few symbols —, at most
 * MAX_HINT_LENGTH characters, and KaTeX must read it in strict mode.
 */
import { katex } from '../latex/katex-module.js';

/**
 * The notation hints with a fixed set of values, and those values: anything else is a located error where the file is
 * read. A typo fell back to the default without a word (`transpose: Top` wrote and read `W^T` as the T-th power, and a
 * true claim was refuted; `profile: blgo` was the blog's; a review's).
 */
export const NOTATION_CHOICES: ReadonlyMap<string, readonly string[]> = new Map([
  ['profile', ['lab', 'blog', 'paper']],
  ['time', ['bracket-superscript', 'paren-superscript', 'subscript']],
  ['transpose', ['T', 'top']],
  ['bold', ['true', 'false']],
]);

const MAX_HINT_LENGTH = 100;

const GREEK = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'varepsilon',
  'zeta',
  'eta',
  'theta',
  'vartheta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'pi',
  'varpi',
  'rho',
  'varrho',
  'sigma',
  'varsigma',
  'tau',
  'upsilon',
  'phi',
  'varphi',
  'chi',
  'psi',
  'omega',
];
const ALLOWED_COMMANDS: ReadonlySet<string> = new Set([
  ...GREEK,
  ...['Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega'],
  // fonts (amsmath and amssymb have them, as KaTeX does)
  ...['mathbf', 'mathrm', 'mathit', 'mathsf', 'mathtt', 'mathcal', 'mathbb', 'mathfrak', 'boldsymbol'],
  ...['text', 'textrm', 'textbf', 'textit', 'operatorname'],
  // accents
  ...['tilde', 'hat', 'bar', 'vec', 'dot', 'ddot', 'check', 'breve', 'widetilde', 'widehat', 'overline', 'underline'],
  ...['acute', 'grave', 'mathring', 'overrightarrow', 'overleftarrow'],
  // symbols
  ...['prime', 'top', 'ell', 'partial', 'nabla', 'infty', 'star', 'ast', 'circ', 'dagger', 'imath', 'jmath', 'hbar'],
  ...['intercal', 'to', 'varkappa', 'digamma', 'max', 'min', 'quad'],
]);
const CHARACTERS = /^[A-Za-z0-9_^{}'(),.:;!|+\-*/[\] \\]*$/;
const COMMAND = /\\([A-Za-z]+|.)/g;

/** Why `text` is no notation hint's LaTeX, or null where it is one. */
export function notationLatexProblem(text: string): string | null {
  if (text.length > MAX_HINT_LENGTH) return `it has ${text.length} characters, more than ${MAX_HINT_LENGTH}`;
  if (!CHARACTERS.test(text)) {
    const bad = [...text].find((ch) => !CHARACTERS.test(ch))!;
    return `the character ${JSON.stringify(bad)} is not taken in a symbol's LaTeX`;
  }
  for (const [, name] of text.matchAll(COMMAND))
    if (!ALLOWED_COMMANDS.has(name!) && !',;:! '.includes(name!))
      return `\\${name} is not taken in a symbol's LaTeX (Greek letters, fonts such as \\mathbf, accents such as \\tilde, and \\prime, \\top, \\ell …)`;
  try {
    katex().renderToString(text, { strict: 'error', trust: false, throwOnError: true, maxExpand: 100 });
  } catch (err) {
    return `KaTeX cannot read it (${(err as Error).message.replace(/^KaTeX parse error: /, '')})`;
  }
  return null;
}
