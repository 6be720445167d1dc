/**
 * The operator registry with every domain's records loaded. Engines import
 * from here (never from a domain file), so every operator is registered
 * before anything looks one up.
 */
import './arithmetic.js';
import './activations.js';
import './linear-algebra.js';
import './reductions.js';
import './ordered.js';
import './derivatives.js';
import './index-level.js';
import './outputs.js';
import './blocks.js';

export {
  allOps,
  callNames,
  defineOp,
  latexForms,
  latexSpellings,
  opSpec,
  precedence,
  specOf,
  specsFor,
  transposeBlindArgument,
  type ArgSyntax,
  type OpSpec,
} from './registry.js';
export type * from './contexts.js';
export { toElementwise } from './arithmetic.js';
export { blockMatrix, pickBlock } from './blocks.js';
export { searchedSupLowerBound } from './reductions.js';
