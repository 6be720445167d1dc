/**
 * Coverage of the source documents (issue 14, item 6): every display formula of the five documents, and whether
 * a shipped claim carries it as its `source-text:` (or `latex:`). A formula counts as covered when, once both are
 * normalised (spaces, \tag, \left/\right and styling fonts removed), one contains the other ("exact") or
 * their character bigrams agree to 80% (Dice, "near": hand-copied source-texts differ from the page in small
 * ways, but a near match may also be a neighbouring formula of the same shape — -v names the claim to audit it).
 * Prints per document the formulas found, those covered (a claim's source-text or latex:, or a formula quoted in a
 * comment of the file, as the headers' lists of display equations that are not claims), how many of those only
 * nearly, and those that remain. Figures.
 *
 *   npx tsx bench/source-coverage.ts [-v]     -v: every formula with the claim (or header) that covers it
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseDocument, type YAMLSeq } from 'yaml';
import { findDisplays } from '../src/latex/scaffold/displays.js';
import { splitEquations } from '../src/latex/scaffold/model.js';

const verbose = process.argv.includes('-v');
const normalise = (latex: string): string =>
  latex
    .replace(/\\tag\{[^}]*\}|\\quad\s*\(\d+\)|\\(left|right|big|Big|bigg|Bigg)\b|\\[,;!: ]|&|\\\\/g, '')
    .replace(/\\(mathbf|boldsymbol|mathrm|text|operatorname|bm)\s*\{([^{}]*)\}/g, '$2')
    .replace(/\\(mathbf|boldsymbol|mathrm|bm|mathcal)\s*/g, '')
    .replace(/\^/g, '')
    .replace(/[\s.,]+/g, '')
    .replace(/[{}]/g, '');

/** Dice coefficient of character bigrams: hand-copied source-texts differ from the page in small ways. */
function similarity(a: string, b: string): number {
  const bigrams = (s: string): Map<string, number> => {
    const m = new Map<string, number>();
    for (let i = 0; i + 1 < s.length; i++) m.set(s.slice(i, i + 2), (m.get(s.slice(i, i + 2)) ?? 0) + 1);
    return m;
  };
  const x = bigrams(a);
  const y = bigrams(b);
  let common = 0;
  for (const [k, n] of x) common += Math.min(n, y.get(k) ?? 0);
  return (2 * common) / Math.max(1, a.length + b.length - 2);
}

/** normalised text → the claim id carrying it, or 'header' for a formula quoted in a comment */
interface Carried {
  readonly text: string;
  readonly by: string;
}
const sourceTexts = new Map<string, Carried[]>();
for (const name of readdirSync('derivations').filter((f) => f.endsWith('.yaml'))) {
  const text = readFileSync(join('derivations', name), 'utf8');
  const doc = parseDocument(text);
  const source = (doc.toJS() as { source?: string }).source ?? '';
  const texts = sourceTexts.get(source) ?? [];
  for (const c of (doc.get('claims') as YAMLSeq).items)
    if (isMap(c))
      for (const key of ['source-text', 'latex'])
        if (c.has(key)) texts.push({ text: normalise(String(c.get(key))), by: String(c.get('id')) });
  // A formula quoted in a comment (the header's list of display equations that are not claims) is covered.
  for (const line of text.split('\n'))
    if (/^\s*#.*\\/.test(line)) texts.push({ text: normalise(line.replace(/^\s*#/, '')), by: 'header' });
  sourceTexts.set(source, texts);
}

console.log(
  '| document | display equations | formulas | carried by a shipped claim | of which only near | remaining |',
);
console.log('|---|---|---|---|---|---|');
const seeds = 'test/fixtures/seeds';
for (const name of readdirSync(seeds)
  .filter((f) => f.endsWith('.txt'))
  .sort()) {
  const displays = findDisplays(readFileSync(join(seeds, name), 'utf8'));
  const texts = (sourceTexts.get(name) ?? []).filter((t) => t.text.length >= 6);
  let formulas = 0;
  let covered = 0;
  let near = 0;
  const lines: string[] = [];
  for (const d of displays)
    for (const e of splitEquations(d.latex)) {
      formulas++;
      const n = normalise(e.latex);
      const shown = `line ${d.line}: ${e.latex.replace(/\s+/g, ' ').slice(0, 90)}`;
      // An exact carrier first; else the nearest one above the threshold.
      const exact = texts.find((t) => n.includes(t.text) || (n.length >= 6 && t.text.includes(n)));
      let best: { by: string; score: number } | undefined;
      if (!exact)
        for (const t of texts) {
          const score = similarity(n, t.text);
          if (score >= 0.8 && score > (best?.score ?? 0)) best = { by: t.by, score };
        }
      if (exact || best) covered++;
      if (!exact && best) near++;
      lines.push(
        exact
          ? `    ${exact.by}  ${shown}`
          : best
            ? `    ${best.by} (near ${best.score.toFixed(2)})  ${shown}`
            : `    REMAINS  ${shown}`,
      );
    }
  console.log(`| ${name} | ${displays.length} | ${formulas} | ${covered} | ${near} | ${formulas - covered} |`);
  if (verbose) for (const l of lines) console.log(l);
}
