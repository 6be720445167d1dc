/** The human-readable report of `gradproof check`: a table, then a block per counterexample. */
import { writtenStatement } from './claim-latex.js';
import type { CheckReport, ClaimResult, Counterexample } from '../check/result.js';
import {
  beyondRegimesText,
  evidenceMethod,
  evidenceSummary,
  exactTieText,
  offKinkTieText,
  expectationText,
  reasonText,
  warningText,
} from './evidence-text.js';
import { replayCommand } from './replay.js';
import { chainOutcome } from './chain-text.js';
import { repairSearchSummary, repairWords } from './repair-text.js';
import { count } from './count.js';
import { evidenceOf } from '../check/evidence.js';

const fmt = (x: number | null): string =>
  x === null || !Number.isFinite(x) ? '—' : x === 0 ? '0' : x.toExponential(1);
/** A number as the reports print it: six digits in a human range, else exponent form. */
export const num = (x: number): string =>
  x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(6) : x.toExponential(4);

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

const describe = (cx: Counterexample): string =>
  [...Object.entries(cx.sizes), ...Object.entries(cx.bindings)].map(([k, v]) => `${k}=${v}`).join(' ');

function counterexampleBlock(c: ClaimResult, cx: Counterexample): string[] {
  const sizes = Object.entries(cx.sizes)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const binds = Object.entries(cx.bindings)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `  counterexample to ${c.id}:`,
    cx.probe
      ? `    instance ${cx.instance} (seed ${cx.instanceSeed}, master seed ${cx.masterSeed}, regime ${cx.regime}) as the construction "${cx.probe.construction}" beyond the regimes builds it (probing the equality where its closed forms differ), sizes ${sizes}${binds ? `, ${binds}` : ''}`
      : cx.beyondRegimes
        ? `    instance ${cx.instance} (seed ${cx.instanceSeed}, master seed ${cx.masterSeed}, regime ${cx.regime}) after ${cx.searchSteps} steps of the adversarial search beyond the regimes, sizes ${sizes}${binds ? `, ${binds}` : ''}`
        : `    instance ${cx.instance} (seed ${cx.instanceSeed}, master seed ${cx.masterSeed})${cx.searchSteps ? ` after ${cx.searchSteps} steps of the adversarial search` : ''}, regime ${cx.regime}, sizes ${sizes}${binds ? `, ${binds}` : ''}`,
    ...(cx.beyondRegimes ? [`    ${beyondRegimesText(cx.beyondRegimes)}`] : []),
    `    lhs [${cx.lhs.map(num).join(', ')}]  ‖·‖ = ${num(cx.lhsNorm)}`,
    `    rhs [${cx.rhs.map(num).join(', ')}]  ‖·‖ = ${num(cx.rhsNorm)}`,
    ...(cx.extended
      ? [
          `    in extended precision: lhs [${cx.extended.lhs.join(', ')}]`,
          `                           rhs [${cx.extended.rhs.join(', ')}]`,
        ]
      : []),
    ...(cx.exactTie ? [`    ${exactTieText(evidenceOf(c.evidence, 'strict')?.relation ?? '<')}`] : []),
    ...(cx.offKinkTie ? [`    ${offKinkTieText}`] : []),
    ...(cx.unsettled
      ? [
          `    float64 values: within rounding distance, and extended precision could not evaluate them (${cx.unsettled})`,
        ]
      : []),
    `    relative error ${num(cx.relError)} (${cx.compared}${cx.entries > 8 ? ` (first 8 of ${cx.entries} entries shown)` : ''})`,
    `    replay: ${replayCommand(cx)}`,
  ];
}

export function formatCheckReport(report: CheckReport): string {
  const lines: string[] = [];
  let file = '';
  const idWidth = Math.max(5, ...report.claims.map((c) => c.id.length)) + 2;
  for (const c of report.claims) {
    if (c.file !== file) {
      file = c.file;
      if (lines.length) lines.push('');
      lines.push(file);
      lines.push(
        `  ${pad('', 2)}${pad('claim', idWidth)}${pad('verdict', 14)}${pad('expected', 16)}${pad('worst err', 11)}source`,
      );
    }
    // No expectation: reported, never a failure, and not marked as a success either.
    const mark = c.expected === null ? '·' : c.ok ? '✓' : '✗';
    lines.push(
      `  ${mark} ${pad(c.id, idWidth)}${pad(c.verdict, 14)}${pad(expectationText(c.expected), 16)}${pad(fmt(c.relError), 11)}${c.label ?? ''}`,
    );
    if (c.reading) {
      // A claim given in LaTeX: the reading is what was checked, so it is always shown.
      lines.push(`      LaTeX: ${c.reading.latex}`, `      read as: ${c.statement}`);
      for (const n of c.reading.notes) lines.push(`      reading: ${n}`);
    }
    if (c.assumptions.length) lines.push(`      assuming: ${c.assumptions.join('; ')}`);
    for (const w of c.warnings) lines.push(`      warning: ${warningText(w)}`);
    for (const e of c.evidence) lines.push(`      ${evidenceMethod(e)}: ${evidenceSummary(e)}`);
    if (c.reason) lines.push(`      reason: ${reasonText(c.reason)}`);
    if (c.repairs) {
      lines.push(`      repairs: ${repairSearchSummary(c.repairs)}`);
      c.repairs.repairs.forEach((r, i) => {
        lines.push(
          `        ${i + 1}. ${r.verdict}${r.secondDraw ? ` (${r.secondDraw.verdict} again under master seed ${r.secondDraw.masterSeed})` : ''}: ${repairWords(r)}`,
        );
        lines.push(`           ${writtenStatement(r)}`);
      });
    }
  }
  // Chains: where the first step that does not hold is.
  const chains = new Map<string, ClaimResult[]>();
  for (const c of report.claims)
    if (c.chain) chains.set(`${c.file}#${c.chain.id}`, [...(chains.get(`${c.file}#${c.chain.id}`) ?? []), c]);
  if (chains.size) lines.push('');
  for (const steps of chains.values()) {
    lines.push(`  chain ${steps[0]!.chain!.id}: ${chainOutcome(steps)}`);
  }
  const withCx = report.claims.filter((c) => c.counterexample);
  if (withCx.length) lines.push('');
  for (const c of withCx) {
    lines.push(...counterexampleBlock(c, c.counterexample!));
    const cl = c.clearest;
    if (cl && cl.replay.join(' ') + describe(cl) !== c.counterexample!.replay.join(' ') + describe(c.counterexample!))
      lines.push(
        `    clearest in this run: relative error ${num(cl.relError)} at instance ${cl.instance} (seed ${cl.instanceSeed}), regime ${cl.regime}, sizes ${describe(cl)}`,
        `      replay: ${replayCommand(cl)}`,
      );
  }
  const { total, ok, failed } = report.summary;
  const open = report.claims.filter((c) => c.expected === null).length;
  lines.push(
    '',
    `${count(total, 'claim')}: ${ok - open} with the expected verdict, ${failed} not${open ? `, ${open} with no expectation` : ''} (master seed ${report.masterSeed})`,
  );
  return lines.join('\n');
}
