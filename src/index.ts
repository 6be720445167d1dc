/**
 * gradproof as a library. The CLI is a thin layer over these.
 *
 *   import { check, loadDerivationFile } from 'gradproof';
 *   const report = check(['derivations'], { masterSeed: 7, instances: 3 });
 */
export { check, checkDerivation, expandPaths, type CheckRequest } from './check/check.js';
export { DEFAULT_OPTIONS, type CheckOptions } from './check/check-claim.js';
export type { CheckReport, ClaimResult, Counterexample, Evidence } from './check/result.js';
export { loadDerivationFile, parseDerivation } from './derivation/load.js';
export { InputError } from './derivation/errors.js';
export type { Claim, Derivation, RegimeName, Verdict } from './derivation/derivation.js';
export { REGIMES, VERDICTS } from './derivation/derivation.js';
export { formatCheckReport } from './emit/text-report.js';
export { deriveQuantities as derive, parseQuantity, type DerivedQuantity } from './symbolic/quantities.js';
export { symbolicCheck, VERIFY_MAX_T } from './check/symbolic-check.js';
export { formatDerived, latexWriterFor } from './emit/derive-report.js';
export { LatexWriter, notationFor, PROFILES, type Notation } from './emit/latex.js';
export { indexCheck } from './check/symbolic-check.js';
export { bindings } from './check/check-claim.js';
export { PolyEvaluator } from './symbolic/domains/polynomial.js';
export { cpolyKey } from './symbolic/cpoly.js';
export { proveUnitClosedForm } from './symbolic/induction.js';
