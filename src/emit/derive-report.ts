/** Output of `gradproof derive`: text (our ASCII syntax), LaTeX in the file's notation, or JSON. */
import type { Derivation } from '../derivation/derivation.js';
import { printExpr } from '../ir/print.js';
import { own } from '../ir/names.js';
import type { DerivedQuantity } from '../symbolic/quantities.js';
import { LatexWriter, notationFor } from './latex.js';

export type DeriveFormat = 'text' | 'latex' | 'json';

export function latexWriterFor(d: Derivation): LatexWriter {
  const arrays = new Set(
    [...d.model.symbols.values()]
      .filter((s) => !(s.shape.rows.c === 1 && s.shape.cols.c === 1 && !Object.keys(s.shape.rows.terms).length))
      .map((s) => s.name),
  );
  const declared = new Set([...d.model.symbols.keys(), ...Object.keys(d.model.sizes), ...d.model.functions.keys()]);
  return new LatexWriter(notationFor(d.notation), arrays, d.model.loss?.name ?? null, declared);
}

function latexOf(w: LatexWriter, q: DerivedQuantity): string | null {
  if (!q.derived) return null;
  const steps = [{ relation: '=' as const, rhs: q.derived }];
  if (q.unrolled && printExpr(q.unrolled) !== printExpr(q.derived))
    steps.push({ relation: '=' as const, rhs: q.unrolled });
  return steps.length === 1 ? w.relation(q.quantity, '=', q.derived) : w.chain(q.quantity, steps);
}

/**
 * A derived form as a reader writes it: an index the engine made (`s__`, `gamma__`: a summation over time steps) as
 * its letter, or the letter numbered where the form or the file already uses it (the lab LSTM's state s), so that the
 * text reads as a claim would (LaTeX does the same: src/emit/latex.ts `variable`). Names are whole tokens, and `__`
 * ends only engine-made ones.
 */
function readable(d: Derivation, text: string): string {
  const tokens = new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  const taken = (name: string) =>
    tokens.has(name) ||
    d.model.symbols.has(name) ||
    own(d.model.sizes, name) !== undefined ||
    d.model.functions.has(name);
  let out = text;
  for (const made of [...tokens].filter((t) => /[A-Za-z]__$/.test(t))) {
    const letter = made.replace(/_+$/, '');
    let name = letter;
    for (let k = 2; taken(name); k++) name = `${letter}${k}`;
    tokens.add(name);
    out = out.replace(new RegExp(`\\b${made}\\b`, 'g'), name);
  }
  return out;
}

export function formatDerived(d: Derivation, results: readonly DerivedQuantity[], format: DeriveFormat): string {
  const w = latexWriterFor(d);
  const print = (e: Parameters<typeof printExpr>[0]) => readable(d, printExpr(e));
  if (format === 'json')
    return JSON.stringify(
      {
        file: d.file,
        model: d.model.name,
        quantities: results.map((q) => ({
          label: q.label,
          quantity: print(q.quantity),
          derived: q.derived ? print(q.derived) : null,
          unrolled: q.unrolled ? print(q.unrolled) : null,
          latex: latexOf(w, q),
          problem: q.problem,
        })),
      },
      null,
      2,
    );
  if (format === 'latex')
    return results.map((q) => `% ${q.label}\n${latexOf(w, q) ?? `% no closed form: ${q.problem}`}`).join('\n\n');
  const lines = [`${d.file} — ${d.model.name}`];
  for (const q of results) {
    lines.push(`  ${q.label}`);
    if (!q.derived) {
      lines.push(`    ${print(q.quantity)}: no closed form (${q.problem})`);
      continue;
    }
    lines.push(`    ${print(q.quantity)} = ${print(q.derived)}`);
    if (q.unrolled && print(q.unrolled) !== print(q.derived)) lines.push(`      = ${print(q.unrolled)}`);
  }
  return lines.join('\n');
}
