/** Output of `gradproof derive`: text (our ASCII syntax), LaTeX in the file's notation, or JSON. */
import type { Derivation } from '../derivation/derivation.js';
import { printExpr } from '../ir/print.js';
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

export function formatDerived(d: Derivation, results: readonly DerivedQuantity[], format: DeriveFormat): string {
  const w = latexWriterFor(d);
  if (format === 'json')
    return JSON.stringify(
      {
        file: d.file,
        model: d.model.name,
        quantities: results.map((q) => ({
          label: q.label,
          quantity: printExpr(q.quantity),
          derived: q.derived ? printExpr(q.derived) : null,
          unrolled: q.unrolled ? printExpr(q.unrolled) : null,
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
      lines.push(`    ${printExpr(q.quantity)}: no closed form (${q.problem})`);
      continue;
    }
    lines.push(`    ${printExpr(q.quantity)} = ${printExpr(q.derived)}`);
    if (q.unrolled && printExpr(q.unrolled) !== printExpr(q.derived)) lines.push(`      = ${printExpr(q.unrolled)}`);
  }
  return lines.join('\n');
}
