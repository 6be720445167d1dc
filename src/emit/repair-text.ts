/**
 * Words and LaTeX for repairs: each applied edit's words from its record's
 * template (src/repair/edits.ts), and the repaired claim in its file's
 * notation with the parts the edits wrote in colour (\textcolor, which KaTeX
 * renders with trust off).
 */
import type { Derivation } from '../derivation/derivation.js';
import type { Expr } from '../ir/expr.js';
import { EDIT_BY_ID } from '../repair/edits.js';
import { type AppliedEdit, FULL_CHECKS_WORK, type Repair, type RepairSearch } from '../repair/result.js';
import { latexWriterFor } from './derive-report.js';
import { LatexWriter, relationLatex } from './latex.js';

/** The colour of a changed part. */
export const REPAIR_COLOR = '#c0392b';

/** One edit in words: "holds with W' in place of W". */
export function editWords(e: AppliedEdit): string {
  const template = EDIT_BY_ID.get(e.edit)?.words ?? e.edit;
  return template.replace(/\{(\w+)\}/g, (_, key: string) => e.detail[key] ?? `{${key}}`);
}

/** Every edit of a repair: "holds with … and with …". */
export function repairWords(r: Pick<Repair, 'edits' | 'given'>): string {
  const words = r.edits.map((e, i) => (i === 0 ? editWords(e) : editWords(e).replace(/^holds /, ''))).join(', and ');
  return r.given ? `${words}, given ${r.given} (the claim's premise)` : words;
}

/** The repaired claim's LaTeX with each changed part coloured. */
export function repairLatex(d: Derivation, r: Pick<Repair, 'marked' | 'relation' | 'strict' | 'edits'>): string {
  const base = latexWriterFor(d);
  const marks = new Set<Expr>(r.marked.changed);
  const color = (s: string) => `\\textcolor{${REPAIR_COLOR}}{${s}}`;
  // The writer's own methods recurse through `this`, so overriding the two entry points colours nested parts too.
  const writer = Object.create(base) as LatexWriter;
  writer.expr = function (this: LatexWriter, e, prec, position) {
    const s = LatexWriter.prototype.expr.call(this, e, prec, position);
    return marks.has(e) ? color(s) : s;
  };
  writer.node = function (this: LatexWriter, e) {
    const s = LatexWriter.prototype.node.call(this, e);
    return marks.has(e) ? color(s) : s;
  };
  // the relation is coloured where an edit wrote it (a strict claim's '<' made '≤')
  const relation = relationLatex(r.relation, r.strict === true);
  const written = r.edits.some((e) => e.edit === 'non-strict') ? color(relation) : relation;
  return writer.scope(
    [r.marked.lhs, r.marked.rhs],
    () => `${writer.expr(r.marked.lhs)} ${written} ${writer.expr(r.marked.rhs)}`,
  );
}

/** The search's record in JSON reports and fixtures: its status, summary, budget and work. */
export function repairSearchRecord(s: RepairSearch) {
  return {
    status: s.status,
    summary: repairSearchSummary(s),
    budget: s.budget,
    work: s.work,
    exhausted: s.exhausted,
    ...(s.screenWorkLimit !== undefined ? { screenWorkLimit: s.screenWorkLimit } : {}),
    ...(s.fullCheckWorkLimit !== undefined ? { fullCheckWorkLimit: s.fullCheckWorkLimit } : {}),
    ...(s.buildWorkLimit !== undefined ? { buildWorkLimit: s.buildWorkLimit } : {}),
    ...(s.longChainEdits !== undefined ? { longChainEdits: s.longChainEdits } : {}),
  };
}

/** The budget and the work done, in words. */
export function repairSearchSummary(s: RepairSearch): string {
  const w = s.work;
  const budget = `budget ${s.budget.screens} screens and ${s.budget.fullChecks} full checks, up to ${s.budget.maxEdits} edits`;
  const failed = w.failed ? `, ${w.failed} failed to evaluate` : '';
  const duplicates = w.duplicates ? `, ${w.duplicates} the same claim as another` : '';
  const overLimit = w.overLimit ? ` (${w.overLimit} stopped at the work limit)` : '';
  const vacuous = w.vacuous
    ? `; ${w.vacuous} held only through a sum or product empty at every binding, not offered`
    : '';
  const identityOrZero = w.identityOrZero
    ? `; ${w.identityOrZero} passed only through a derivative the edit made identically the identity or zero (or a term minus itself, two sides alike, or sides that differ as the claim's do), not offered`
    : '';
  const secondDraw = w.secondDraws
    ? `; ${w.secondDraws} consistent checked again under a second master seed${w.failedSecondDraw ? ` (${w.failedSecondDraw} did not hold there, not offered)` : ''}`
    : '';
  const unproved = w.unproved ? `; ${w.unproved} with a fitted constant not proved, not offered` : '';
  const screensStopped =
    s.screenWorkLimit !== undefined
      ? `; screening stopped at its work limit (${s.screenWorkLimit.toPrecision(3)} operations, as one claim's check)`
      : '';
  const fullStopped =
    s.fullCheckWorkLimit !== undefined
      ? `; full checks stopped at their shared work limit (${s.fullCheckWorkLimit.toPrecision(3)} operations, as ${FULL_CHECKS_WORK} claims' checks)`
      : '';
  const buildStopped =
    s.buildWorkLimit !== undefined
      ? `; building the candidates stopped at its work limit (${s.buildWorkLimit.toPrecision(3)} operations)`
      : '';
  const longChains =
    s.longChainEdits !== undefined
      ? `; each kind of edit applied at no more than ${s.longChainEdits} places of a chain of more than ${s.longChainEdits} terms or factors`
      : '';
  const done = `${w.screened} candidates screened (${w.invalid} not a claim${duplicates}${failed}), ${w.passedScreen} passed the screen, ${w.fullChecks} checked in full${overLimit}${vacuous}${identityOrZero}${secondDraw}${unproved}${screensStopped}${fullStopped}${buildStopped}${longChains}`;
  switch (s.status) {
    case 'found':
      return `${s.repairs.length === 1 ? '1 repair holds' : `${s.repairs.length} repairs hold`}: ${done}; ${budget}`;
    case 'none':
      return `no repair holds within the budget: ${done}${s.exhausted ? ' (budget spent)' : ' (every candidate tried)'}; ${budget}`;
    case 'no-counterexample':
      return 'no repair searched: the refutation has no counterexample to screen candidates on';
  }
}
