/**
 * What the benchmarks that reach past the package's entry call (bench/eq1-child.mjs's numeric, pooled and bare modes),
 * bundled by scripts/bundle.mjs into dist/bundle/internals.js as the command line and the library
 * are: a measured process then loads one bundle, as `gradproof check` does, not dist/'s ≈ 150 modules one by one and
 * mathjs's full single-file build (≈ 0.4 s of a cold process that no user's process spends).
 */
export { loadDerivationFile, REGIMES } from '../src/index.js';
export { runPoints } from '../src/check/points.js';
export { Evaluator } from '../src/numeric/evaluate.js';
export { buildInstance, instanceSpec } from '../src/numeric/instance.js';
