/**
 * Does a claim's result depend on what ran before it? `verify`'s pool splits a file's claims over its workers as
 * they come free, so a claim may run after any subset of the claims before it on the file's instances; its result
 * must be the one it gets alone. This checks every claim of the given files (all shipped derivations by default)
 * in file order on one pool and again alone on a fresh load, and prints each claim whose result differs (with the
 * first difference) and a count per file. Exit code 1 if any differs. Slow: about twice a one-thread `verify`
 * without repairs. Not a test; run it after changing anything memoised per instance.
 *
 *   npm run build && node bench/order-audit.mjs [--dist DIR] [files or folders…]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const at = args.indexOf('--dist');
const dist = resolve(at < 0 ? new URL('../dist', import.meta.url).pathname : args.splice(at, 2)[1]);
const lib = await import(pathToFileURL(`${dist}/index.js`).href);
const files = lib.expandPaths(args.length ? args : ['derivations']);
const load = (file) => lib.loadDerivationFile(file, { perClaimErrors: true });

let differing = 0;
for (const file of files) {
  const together = lib.checkDerivation(load(file), { repair: false }, []);
  let here = 0;
  for (const r of together) {
    const alone = JSON.stringify(lib.checkDerivation(load(file), { repair: false, claims: [r.id] }, [])[0]);
    const inOrder = JSON.stringify(r);
    if (alone === inOrder) continue;
    here++;
    let i = 0;
    while (alone[i] === inOrder[i]) i++;
    console.log(`  ${r.id}: alone …${alone.slice(Math.max(0, i - 60), i + 60)}…`);
    console.log(`  ${' '.repeat(r.id.length)}  in file order …${inOrder.slice(Math.max(0, i - 60), i + 60)}…`);
  }
  differing += here;
  console.log(`${file}: ${together.length} claims, ${here} differ alone`);
}
process.exitCode = differing ? 1 : 0;
