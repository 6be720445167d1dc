/**
 * `gradproof check --json`: the typed results as plain JSON, each record
 * with its words beside it (method, summary, reason, replay command) and each
 * claim's LaTeX in its file's notation.
 */
import type { CheckReport, ClaimResult } from '../check/result.js';
import type { Derivation } from '../derivation/derivation.js';
import { errorJson } from './error-json.js';
import { claimLatex, proofLatex } from './claim-latex.js';
import { evidenceMethod, evidenceSummary, expectationText, reasonText, warningText } from './evidence-text.js';
import { ruleName, stepDetail, stepStatement } from './proof-text.js';
import { BOUND_RULE_TEXT, boundProofLatex } from './bound-text.js';
import { replayCommand } from './replay.js';
import { editWords, repairLatex, repairSearchRecord, repairWords } from './repair-text.js';
import type { RepairSearch } from '../repair/result.js';

/** A refuted claim's repairs: each with its edits in words and its LaTeX with the changed parts coloured. */
export function repairsJson(d: Derivation, s: RepairSearch): Record<string, unknown> {
  return {
    repairs: s.repairs.map((r) => ({
      claim: r.statement,
      ...(r.given ? { given: r.given } : {}),
      // written strict: `claim` is the relation checked (≤, ≥), `latex` the one written (<, >)
      ...(r.strict ? { strict: true } : {}),
      latex: repairLatex(d, r),
      words: repairWords(r),
      edits: r.edits.map((e) => ({
        edit: e.edit,
        side: e.side,
        aimed: e.aimed,
        detail: e.detail,
        words: editWords(e),
      })),
      verdict: r.verdict,
      ...(r.secondDraw ? { secondDraw: r.secondDraw } : {}),
      evidence: r.evidence.map((e) => ({ method: evidenceMethod(e), summary: evidenceSummary(e), ...e })),
    })),
    repairSearch: repairSearchRecord(s),
  };
}

export function claimJson(d: Derivation, c: ClaimResult): Record<string, unknown> {
  const claim = d.claims.find((x) => x.id === c.id)!;
  return {
    id: c.id,
    file: c.file,
    label: c.label,
    statement: c.statement,
    reading: c.reading,
    ...(c.strict ? { strict: true } : {}),
    latex: claimLatex(d, claim),
    verdict: c.verdict,
    expected: c.expected,
    expectation: expectationText(c.expected),
    ok: c.ok,
    assumptions: c.assumptions,
    warnings: c.warnings.map(warningText),
    relError: c.relError,
    reason: c.reason && { ...c.reason, text: reasonText(c.reason) },
    evidence: c.evidence.map((e) => ({ method: evidenceMethod(e), summary: evidenceSummary(e), ...e })),
    counterexample: c.counterexample && { ...c.counterexample, replay: replayCommand(c.counterexample) },
    clearest: c.clearest && { ...c.clearest, replay: replayCommand(c.clearest) },
    corrects: c.corrects,
    note: c.note,
    chain: c.chain,
    proof: c.proof && {
      ok: c.proof.ok,
      steps: c.proof.steps.map((s) => ({
        rule: s.rule,
        name: ruleName(s),
        ok: s.ok,
        statement: stepStatement(s),
        detail: stepDetail(s),
      })),
      latex: proofLatex(d, c.proof),
    },
    boundProof: c.boundProof && {
      ok: c.boundProof.ok,
      steps: c.boundProof.steps.map((s) => ({
        rule: s.rule,
        name: BOUND_RULE_TEXT[s.rule].name,
        relation: s.relation,
        statement: BOUND_RULE_TEXT[s.rule].statement,
      })),
      failure: c.boundProof.failure,
      latex: c.boundProof.ok ? boundProofLatex(d, claim, c.boundProof) : null,
    },
    ...(c.repairs ? repairsJson(d, c.repairs) : {}),
  };
}

export function checkReportJson(report: CheckReport): Record<string, unknown> {
  const byFile = new Map(report.derivations.map((d) => [d.file, d]));
  return {
    claims: report.claims.map((c) => claimJson(byFile.get(c.file)!, c)),
    summary: report.summary,
    masterSeed: report.masterSeed,
    errors: report.errors.map(errorJson),
  };
}

export { errorJson, usageErrorJson, type ErrorJson } from './error-json.js';
