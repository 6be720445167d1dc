/**
 * nerdamer (nerdamer-prime), loaded at its first use: only the symbolic stage's check of an activation's derivative
 * rule (./scalar-algebra.ts) calls it, once per built-in activation and process. Bundled, its ES build ran its
 * top level at every start-up (≈ 80 ms of CPU, in every process and verify worker, before any derivation was read)
 * and made a third of the engine's chunk; its CommonJS entry `nerdamer-prime/all` (the core and its add-ons, the
 * same release) is required from node_modules instead, as KaTeX is (../latex/katex-module.ts).
 */
import { createRequire } from 'node:module';
import type Nerdamer from 'nerdamer-prime';

let loaded: typeof Nerdamer | undefined;

export function nerdamer(): typeof Nerdamer {
  return (loaded ??= createRequire(import.meta.url)('nerdamer-prime/all') as typeof Nerdamer);
}
