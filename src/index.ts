/**
 * gradproof as a library. The CLI is a thin layer over exactly these.
 *
 *   import { check, checkReportJson } from 'gradproof';
 *   const report = check(['derivations'], { masterSeed: 7, instances: 3 });
 */
// Loading and the derivation file's typed form
export { loadDerivationFile, parseDerivation } from './derivation/load.js';
export { InputError, type SourcePos } from './derivation/errors.js';
export type { Claim, Derivation, RegimeName, Relation, Verdict } from './derivation/derivation.js';
export { REGIMES, VERDICTS } from './derivation/derivation.js';

// Formulas in the source's LaTeX (the scaffold of a Markdown post loads remark: src/latex/scaffold/scaffold.js)
export { latexToAscii, type LatexConversion } from './latex/convert.js';
export { LatexInputError } from './latex/errors.js';
export { latexContext, type LatexNotation } from './latex/derivation-context.js';
export type { LatexReading } from './derivation/latex-source.js';

// Checking: results and evidence as data
export { check, checkDerivation, expandPaths, type CheckRequest, type FileChecker } from './check/check.js';
export { claimDerivation, DEFAULT_OPTIONS, symbolicStage, type CheckOptions } from './check/check-claim.js';
export type { CheckReport, ClaimResult, Counterexample } from './check/result.js';
export type { Evidence, EvidenceKind, SymbolicOutcome, Undecided } from './check/evidence.js';
export { evidenceOf } from './check/evidence.js';
export { decideVerdict, type Decision, type UnverifiableReason } from './check/verdict.js';

// Deriving closed forms
export { deriveQuantities as derive, parseQuantity, type DerivedQuantity } from './symbolic/quantities.js';

// Golden fixtures
export { verify, formatVerifyReport, junitXml, type VerifyReport, type VerifyOptions } from './verify/verify.js';
export { VerifyCache, type CacheUse } from './verify/cache.js';
export { cachedChecker } from './verify/cached-check.js';
export { checkInParallel, type ParallelCheckOptions } from './verify/parallel-check.js';
export { cacheUseText } from './emit/cache-text.js';

// Emitters: words, JSON, LaTeX, Markdown
export { formatCheckReport } from './emit/text-report.js';
export { checkReportJson, claimJson, errorJson, usageErrorJson, type ErrorJson } from './emit/json-report.js';
export { evidenceMethod, evidenceSummary, reasonText } from './emit/evidence-text.js';
export { replayCommand } from './emit/replay.js';
export { claimLatex, proofLatex } from './emit/claim-latex.js';
export { boundProofLatex, BOUND_RULE_TEXT } from './emit/bound-text.js';
export { editWords, repairLatex, repairSearchSummary, repairWords } from './emit/repair-text.js';
export { searchRepairs } from './repair/search.js';
export { EDITS, type EditRecord } from './repair/edits.js';
export {
  DEFAULT_REPAIR_BUDGET,
  VERIFY_REPAIR_BUDGET,
  type Repair,
  type RepairBudget,
  type RepairSearch,
  type AppliedEdit,
} from './repair/result.js';
export type { BoundProof, BoundRule } from './symbolic/bounds/rules.js';
export { formatDerived, latexWriterFor, type DeriveFormat } from './emit/derive-report.js';
export { LatexWriter, notationFor, PROFILES, type Notation } from './emit/latex.js';
export { summaryMarkdown, withReport, REPORT_START, REPORT_END } from './emit/summary-report.js';

export { writeFileAtomic } from './io/atomic-write.js';
export { counterexampleExport, scriptPath } from './emit/export-script.js';
export { exportCounterexample, type ExportedCounterexample } from './check/export-instance.js';

// Rendering: pages, documents and plots (src/render)
export { render, plotSvg, RENDER_FORMATS, type RenderFormat, type RenderRequest } from './render/render.js';
export type { PlotQuery } from './render/plot-data.js';

// The operator registry (each operator is one record)
export { allOps, opSpec, type OpSpec } from './ops/index.js';
