/**
 * The command line and verify's pool worker as bundles (esbuild), run after `tsc` by `npm run build`:
 * dist/bundle/cli.js (what bin/gradproof.js runs) and dist/bundle/worker.js (what each verify worker
 * loads). A process otherwise resolves, reads and compiles ≈ 150 of gradproof's modules and its
 * libraries' one by one — most of a cold `gradproof check`'s start-up. dist/'s module tree, with its
 * .d.ts, stays the library (package.json "exports").
 *
 * Code both entries share sits in one chunk; what a command loads with import() (Vega for plots, the
 * Markdown reader of `scaffold`) in chunks of its own, loaded only by that command. mathjs's and
 * KaTeX's single-file builds are loaded at run time through createRequire, from node_modules, as in
 * dist/: they are one script each already.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const outdir = new URL('../dist/bundle/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli/main.ts', worker: 'src/verify/worker.ts' },
  absWorkingDir: new URL('..', import.meta.url).pathname,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // CommonJS libraries inside an ES module bundle call require() for Node's own modules.
  banner: {
    js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
});
