/**
 * Unicode for pdflatex with `inputenc` (utf8) and the OT1 fonts of texlive-latex-base/-recommended: a character
 * that LaTeX has not set up stops it ("Unicode character ↦ (U+21A6) not set up for use with LaTeX"), in text and in a
 * formula alike. Every character the derivations, the sources and the emitters write is spelled here in LaTeX, by the
 * mode it is read in: `↦` is `\mapsto` in math and `\ensuremath{\mapsto}` in text, `–` is `--` in text and
 * `\text{--}` in math. A precomposed accented letter is its base letter under a text accent (é → \'e); a letter
 * followed by a combining mark (x̃, as formulas are typed) is a math accent. Anything else (CJK, emoji) compiles as
 * [U+XXXX].
 */

const SMALL_GREEK =
  'alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma sigma tau upsilon varphi chi psi omega';
const CAPITAL_GREEK = 'A B Gamma Delta E Z H Theta I K Lambda M N Xi O Pi P - Sigma T Upsilon Phi X Psi Omega';
const greek = (first: number, names: string, upright: boolean): [string, string][] =>
  names
    .split(' ')
    .map((n, i): [string, string] => [String.fromCodePoint(first + i), n])
    .filter(([, n]) => n !== '-')
    .map(([c, n]) => [c, n.length > 1 ? `\\${n}` : upright ? `\\mathrm{${n}}` : n]);

/** Characters read as math: their spelling inside a formula (in text, it goes in \ensuremath). */
const MATH: Readonly<Record<string, string>> = {
  ...Object.fromEntries(greek(0x3b1, SMALL_GREEK, false)),
  ...Object.fromEntries(greek(0x391, CAPITAL_GREEK, true)),
  ϵ: '\\epsilon',
  ϑ: '\\vartheta',
  ϕ: '\\phi',
  ϖ: '\\varpi',
  ϱ: '\\varrho',
  µ: '\\mu',
  '±': '\\pm',
  '∓': '\\mp',
  '×': '\\times',
  '÷': '\\div',
  '·': '\\cdot',
  '⋅': '\\cdot',
  '∗': '\\ast',
  '∘': '\\circ',
  '•': '\\bullet',
  '⊙': '\\odot',
  '⨀': '\\bigodot',
  '⊗': '\\otimes',
  '⊕': '\\oplus',
  '⊘': '\\oslash',
  '∖': '\\setminus',
  '∕': '/',
  '√': '\\surd',
  '∂': '\\partial',
  '∇': '\\nabla',
  '∆': '\\Delta',
  '∑': '\\sum',
  '∏': '\\prod',
  '∫': '\\int',
  '∞': '\\infty',
  '∝': '\\propto',
  '∼': '\\sim',
  '≃': '\\simeq',
  '≅': '\\cong',
  '≈': '\\approx',
  '≡': '\\equiv',
  '≠': '\\neq',
  '≤': '\\le',
  '≥': '\\ge',
  '≲': '\\lesssim',
  '≳': '\\gtrsim',
  '≪': '\\ll',
  '≫': '\\gg',
  '∈': '\\in',
  '∉': '\\notin',
  '∋': '\\ni',
  '⊂': '\\subset',
  '⊃': '\\supset',
  '⊆': '\\subseteq',
  '⊇': '\\supseteq',
  '∪': '\\cup',
  '∩': '\\cap',
  '∅': '\\emptyset',
  '∀': '\\forall',
  '∃': '\\exists',
  '¬': '\\neg',
  '∧': '\\wedge',
  '∨': '\\vee',
  '⊤': '\\top',
  '⊥': '\\perp',
  '⟂': '\\perp',
  '∣': '\\mid',
  '∥': '\\parallel',
  '‖': '\\|',
  '⟨': '\\langle',
  '⟩': '\\rangle',
  '⌊': '\\lfloor',
  '⌋': '\\rfloor',
  '⌈': '\\lceil',
  '⌉': '\\rceil',
  '′': "'",
  '″': "''",
  '‴': "'''",
  '−': '-',
  '…': '\\dots',
  '⋯': '\\cdots',
  '⋮': '\\vdots',
  '⋱': '\\ddots',
  '→': '\\to',
  '←': '\\leftarrow',
  '↔': '\\leftrightarrow',
  '⇒': '\\Rightarrow',
  '⇐': '\\Leftarrow',
  '⇔': '\\Leftrightarrow',
  '↦': '\\mapsto',
  '⟶': '\\longrightarrow',
  '⟹': '\\Longrightarrow',
  '⟺': '\\Longleftrightarrow',
  '↑': '\\uparrow',
  '↓': '\\downarrow',
  '↻': '\\circlearrowright',
  '↺': '\\circlearrowleft',
  '▶': '\\blacktriangleright',
  ℓ: '\\ell',
  ℝ: '\\mathbb{R}',
  ℕ: '\\mathbb{N}',
  ℤ: '\\mathbb{Z}',
  ℚ: '\\mathbb{Q}',
  ℂ: '\\mathbb{C}',
  '𝟙': '\\mathbf{1}',
  '∎': '\\blacksquare',
  '□': '\\square',
  '✓': '\\checkmark',
  '✗': '\\times',
  '°': '^{\\circ}',
  '¼': '\\tfrac14',
  '½': '\\tfrac12',
  '¾': '\\tfrac34',
  '⅓': '\\tfrac13',
  '⅔': '\\tfrac23',
  '⅛': '\\tfrac18',
};

/** Characters read as text: their spelling in text (inside a formula, it goes in \text). */
const TEXT: Readonly<Record<string, string>> = {
  '§': '\\S{}',
  '¶': '\\P{}',
  '†': '\\dag{}',
  '‡': '\\ddag{}',
  '©': '\\copyright{}',
  '£': '\\pounds{}',
  ß: '\\ss{}',
  æ: '\\ae{}',
  Æ: '\\AE{}',
  œ: '\\oe{}',
  Œ: '\\OE{}',
  ø: '\\o{}',
  Ø: '\\O{}',
  ł: '\\l{}',
  Ł: '\\L{}',
  ı: '\\i{}',
  '¡': '!`',
  '¿': '?`',
  '–': '--',
  '—': '---',
  '“': '``',
  '”': "''",
  '‘': '`',
  '’': "'",
  '„': ',,',
  '…': '\\dots{}',
  '─': '-',
  '═': '=',
  '│': '\\textbar{}',
  '├': '+',
  '└': '+',
  '\u00a0': '~',
};

/** Superscript and subscript characters: what they raise or lower. A run of them is one script (x²³ is x^{23}). */
const SUPERSCRIPT: Readonly<Record<string, string>> = {
  ...Object.fromEntries([...'⁰¹²³⁴⁵⁶⁷⁸⁹'].map((c, i) => [c, String(i)])),
  '⁺': '+',
  '⁻': '-',
  '⁼': '=',
  '⁽': '(',
  '⁾': ')',
  ⁿ: 'n',
  ⁱ: 'i',
  ᵀ: 'T',
  ᵃ: 'a',
  ᵇ: 'b',
  ᶜ: 'c',
  ᵈ: 'd',
  ᵉ: 'e',
  ʰ: 'h',
  ʲ: 'j',
  ᵏ: 'k',
  ˡ: 'l',
  ᵐ: 'm',
  ᵒ: 'o',
  ᵖ: 'p',
  ʳ: 'r',
  ˢ: 's',
  ᵗ: 't',
  ᵘ: 'u',
  ᵛ: 'v',
  ʷ: 'w',
  ˣ: 'x',
  ʸ: 'y',
  ᶻ: 'z',
};
const SUBSCRIPT: Readonly<Record<string, string>> = {
  ...Object.fromEntries([...'₀₁₂₃₄₅₆₇₈₉'].map((c, i) => [c, String(i)])),
  '₊': '+',
  '₋': '-',
  '₌': '=',
  '₍': '(',
  '₎': ')',
  ₐ: 'a',
  ₑ: 'e',
  ₕ: 'h',
  ᵢ: 'i',
  ⱼ: 'j',
  ₖ: 'k',
  ₗ: 'l',
  ₘ: 'm',
  ₙ: 'n',
  ₒ: 'o',
  ₚ: 'p',
  ᵣ: 'r',
  ₛ: 's',
  ₜ: 't',
  ᵤ: 'u',
  ᵥ: 'v',
  ₓ: 'x',
};

/** Combining marks after a letter as typed in a formula (x̃, h̄): math accents. */
const MATH_ACCENT: Readonly<Record<string, string>> = {
  '\u0300': '\\grave',
  '\u0301': '\\acute',
  '\u0302': '\\hat',
  '\u0303': '\\tilde',
  '\u0304': '\\bar',
  '\u0306': '\\breve',
  '\u0307': '\\dot',
  '\u0308': '\\ddot',
  '\u030c': '\\check',
  '\u20d7': '\\vec',
};

/** The marks of a precomposed letter (é = e + U+0301) as OT1 text accents. */
const TEXT_ACCENT: Readonly<Record<string, string>> = {
  '\u0300': '\\`',
  '\u0301': "\\'",
  '\u0302': '\\^',
  '\u0303': '\\~',
  '\u0304': '\\=',
  '\u0306': '\\u',
  '\u0307': '\\.',
  '\u0308': '\\"',
  '\u030a': '\\r',
  '\u030b': '\\H',
  '\u030c': '\\v',
  '\u0323': '\\d',
  '\u0327': '\\c',
  '\u0331': '\\b',
};

/** Every character spelled here (a test compiles them all, in text and in math). */
export const SPELLED: readonly string[] = [
  ...new Set([MATH, TEXT, SUPERSCRIPT, SUBSCRIPT].flatMap((t) => Object.keys(t))),
];

const codePoint = (ch: string) => `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`;

/** A precomposed letter as its ASCII base under text accents (é → \'e, ǘ → \'{\"u}, í → \'{\i}); null if not one. */
function accented(ch: string): string | null {
  const [base, ...marks] = [...ch.normalize('NFD')];
  if (!base || !marks.length || !/^[A-Za-z]$/.test(base) || !marks.every((k) => TEXT_ACCENT[k])) return null;
  const dotless = /^[ij]$/.test(base) && marks[0] !== '\u0323' && marks[0] !== '\u0327';
  let out = dotless ? `\\${base}` : base;
  for (const k of marks) out = `${TEXT_ACCENT[k]}{${out}}`;
  return out;
}

/**
 * `text` spelled for pdflatex in text mode (`math` false) or math mode: ASCII through `ascii` (the caller's
 * escaping, or none in a formula), every other character as above. Control characters (ESC, BEL in a label stop
 * pdflatex) are spelled as code points like the unknown.
 */
export function spellTex(text: string, math: boolean, ascii: (ch: string) => string): string {
  const chars = [...text.normalize('NFC')];
  let out = '';
  // a command name the last character was spelled with ends before a letter (\mapsto x, not \mapstox); a single
  // ASCII character never ends in one, so a user's own \alpha stays its letters
  let command = false;
  const add = (tex: string) => {
    out += command && /^[A-Za-z]/.test(tex) ? ` ${tex}` : tex;
    command = /\\[A-Za-z]+$/.test(tex);
  };
  // one character (an accent's base included) in the mode
  const one = (ch: string): string => {
    const code = ch.codePointAt(0)!;
    // printable ASCII, and the line breaks and tabs of a formula (text has them made spaces before)
    if ((code >= 32 && code < 127) || ch === '\n' || ch === '\t' || ch === '\r') return ascii(ch);
    if (math) return MATH[ch] ?? `\\text{${TEXT[ch] ?? accented(ch) ?? codePoint(ch)}}`;
    return TEXT[ch] ?? accented(ch) ?? (MATH[ch] ? `\\ensuremath{${MATH[ch]}}` : codePoint(ch));
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const accent = MATH_ACCENT[chars[i + 1] ?? ''];
    const script = SUPERSCRIPT[ch] !== undefined ? SUPERSCRIPT : SUBSCRIPT[ch] !== undefined ? SUBSCRIPT : null;
    if (accent) {
      add(math ? `${accent}{${one(ch)}}` : `\\ensuremath{${accent}{\\text{${one(ch)}}}}`);
      i++;
    } else if (script) {
      let run = '';
      while (i < chars.length && script[chars[i]!] !== undefined) run += script[chars[i++]!];
      i--;
      const tex = `${script === SUPERSCRIPT ? '^' : '_'}{${run}}`;
      add(math ? tex : `\\ensuremath{${tex}}`);
    } else add(one(ch));
  }
  return out;
}
