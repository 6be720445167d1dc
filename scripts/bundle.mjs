/**
 * The command line and verify's pool worker as bundles (esbuild), run after `tsc` by `npm run build`:
 * dist/bundle/cli.js (what bin/gradproof.js runs) and dist/bundle/worker.js (what each verify worker
 * loads); dist/bundle/library.js is the library's entry bundled the same way: the package's entry
 * (package.json "exports" and "main"; its types are dist/index.d.ts), and what benchmarks whose figures
 * should include a bundled process's start-up load (bench/symbolic-stage.mjs's workers). A process
 * otherwise resolves, reads and compiles ≈ 150 of gradproof's modules and its libraries' one by one —
 * most of a cold start-up. dist/'s module tree stays for the .d.ts and for benchmarks and tools that
 * reach past the entry's exports.
 *
 * Code the entries share sits in shared chunks; what a command loads with import() (Vega for plots,
 * the Markdown reader of `scaffold`) in chunks of its own, loaded only by that command. KaTeX's
 * single-file build is loaded at run time through createRequire, from node_modules, as in dist/; the
 * mathjs that parses is mathjs's number-only ES build, tree-shaken to the parser, in place of its
 * single-file bundle (src/ir/mathjs-parser.ts says why; test/ir/mathjs-builds.test.ts checks they parse
 * alike).
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const outdir = new URL('../dist/bundle/', import.meta.url).pathname;

/** src/ir/mathjs-parser.ts's two names, from mathjs's number-only ES build (what esbuild can tree-shake). */
let parserSwapped = false;
const mathjsNumberParser = {
  name: 'mathjs-number-parser',
  setup(build) {
    build.onResolve({ filter: /^\.\/mathjs-parser\.js$/ }, (args) => {
      if (!args.importer.endsWith('/src/ir/parse-math.ts')) return undefined;
      parserSwapped = true;
      return { path: 'mathjs-parser', namespace: 'mathjs-number' };
    });
    build.onLoad({ filter: /.*/, namespace: 'mathjs-number' }, () => ({
      contents: "export { create, parseDependencies } from 'mathjs/number';",
      resolveDir: root,
      loader: 'js',
    }));
  },
};
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    cli: 'src/cli/main.ts',
    worker: 'src/verify/worker.ts',
    library: 'src/index.ts',
    // the internals benchmarks call, bundled as the entries above are (bench/internals.ts says why)
    internals: 'bench/internals.ts',
  },
  absWorkingDir: root,
  plugins: [mathjsNumberParser],
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
// A renamed module would leave the slow single-file build in the bundle without a word.
if (!parserSwapped) throw new Error('scripts/bundle.mjs: src/ir/parse-math.ts no longer imports ./mathjs-parser.js');
