/**
 * The mathjs that parses ASCII math (./parse-math.ts takes only `create` and `parseDependencies` from it).
 *
 * Here it is mathjs's single-file bundle (the same release): one script to compile instead of the ~900
 * modules of its ES build, 0.15 s of CPU at start-up against 0.8 s. The bundled CLI and verify worker
 * (scripts/bundle.mjs) put mathjs's number-only ES build in its place, tree-shaken to the parser: its
 * load and `create` cost ≈ 0.05 s there against ≈ 0.35 s for this one, which also builds mathjs's
 * full default instance as it loads. Both builds run the same parser source; numbers parse to plain
 * numbers in both (the default config), and test/ir/mathjs-builds.test.ts checks they give the same
 * trees and the same errors.
 */
import { createRequire } from 'node:module';
import type * as MathJs from 'mathjs/number';

export const { create, parseDependencies } = createRequire(import.meta.url)(
  'mathjs/lib/browser/math.js',
) as typeof MathJs;
