/**
 * The work `verify` does, file by file, counted by the work meter (src/numeric/work-meter.ts: float64 multiply-adds
 * and what the extended arithmetics cost in them), not timed: the same figure on any machine and under any load, so
 * two builds compare exactly while helpers or CI run beside them (CPU times on a loaded 2-core machine moved 4×).
 * Every claim of each file is checked with the default options (verify's; its derived forms and repairs not
 * counted), each file in one scope with no limit. With `--dist DIR` a second build (a baseline: `git worktree add /tmp/base <commit> && cd /tmp/base &&
 * npm ci && npm run build`) is measured the same way and the ratio printed beside each file.
 *
 *   npm run build && node bench/work.mjs [--dist /path/to/baseline/dist] [files or folders…]
 *
 * Figures, not a test; what moves them (a construction added to the search, a look made cheaper) goes in the note.
 */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const at = args.indexOf('--dist');
const baseline = at < 0 ? null : resolve(args.splice(at, 2)[1]);
const own = resolve(new URL('../dist', import.meta.url).pathname);

/** Work per file of one build, in the order the files are given. */
async function workOf(dist, files) {
  const lib = await import(pathToFileURL(`${dist}/index.js`).href);
  const { withWorkLimit } = await import(pathToFileURL(`${dist}/numeric/work-meter.js`).href);
  const paths = lib.expandPaths(files.length ? files : ['derivations']);
  return paths.map((file) => {
    const derivation = lib.loadDerivationFile(file, { perClaimErrors: true });
    const metered = withWorkLimit(Infinity, () => lib.checkDerivation(derivation));
    return { file, claims: derivation.claims.length, work: metered.spent };
  });
}

const rows = await workOf(own, args);
const base = baseline ? await workOf(baseline, args) : null;
const e = (x) => x.toExponential(3).padStart(10);
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(3)}×` : '—').padStart(8);
const total = (rs) => rs.reduce((s, r) => s + r.work, 0);
console.log(`work by file (float64 multiply-adds, ${own}${baseline ? ` against ${baseline}` : ''})`);
rows.forEach((r, i) => {
  const b = base?.[i];
  console.log(
    `  ${e(r.work)}${b ? `  baseline ${e(b.work)} ${ratio(r.work, b.work)}` : ''}  ${String(r.claims).padStart(3)} claims  ${basename(r.file)}`,
  );
});
console.log(
  `  ${e(total(rows))}${base ? `  baseline ${e(total(base))} ${ratio(total(rows), total(base))}` : ''}  total`,
);
