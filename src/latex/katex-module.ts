/**
 * KaTeX, loaded at its first use: reading a formula's LaTeX and rendering a page need it, but a
 * derivation written in ASCII math is checked without it (≈ 0.1 s of CPU at start-up otherwise, in
 * every process and every verify worker). Its CommonJS build is one script of the same release as
 * the ES module, so it can be loaded synchronously where the reader needs it.
 */
import { createRequire } from 'node:module';
import type KaTeX from 'katex';

let loaded: typeof KaTeX | undefined;

export function katex(): typeof KaTeX {
  return (loaded ??= createRequire(import.meta.url)('katex') as typeof KaTeX);
}
