/** A derivation's rendered document for tests of the page writers: checked on one instance per regime, no plots. */
import { checkDerivation } from '../../src/check/check.js';
import type { Derivation } from '../../src/derivation/derivation.js';
import { buildDocument } from '../../src/render/document.js';

export const oneInstanceDocument = (d: Derivation) =>
  buildDocument({ derivation: d, results: checkDerivation(d, { instances: 1 }), plots: new Map() });
