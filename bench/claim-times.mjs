/**
 * Where `verify`'s CPU goes, claim by claim: every claim of the given derivation files checked in this
 * process, one thread, with verify's options (and its repair budget with `--repairs`), the CPU each took,
 * summed by verdict, and the costliest claims. Figures, not a test; run it beside a baseline build
 * (`node bench/claim-times.mjs --dist /path/to/other/dist …`) to compare, alternating.
 *
 *   npm run build && node bench/claim-times.mjs [--repairs] [--top N] [--dist DIR] [files or folders…]
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? null : args.splice(i, 2)[1];
};
const repairs = args.includes('--repairs');
if (repairs) args.splice(args.indexOf('--repairs'), 1);
const top = Number(flag('--top') ?? 15);
const dist = resolve(flag('--dist') ?? new URL('../dist', import.meta.url).pathname);
const lib = await import(pathToFileURL(`${dist}/index.js`).href);
const files = lib.expandPaths(args.length ? args : ['derivations']);

const cpuMs = (c) => (c.user + c.system) / 1e3;
const rows = [];
for (const file of files) {
  const derivation = lib.loadDerivationFile(file, { perClaimErrors: true });
  const spent = new Map();
  let c0 = process.cpuUsage();
  // onClaim is called after each claim (its repairs included): the CPU since the last call is that claim's.
  const results = lib.checkDerivation(
    derivation,
    {
      repair: repairs ? lib.VERIFY_REPAIR_BUDGET : false,
      onClaim: (id) => {
        spent.set(id, cpuMs(process.cpuUsage(c0)));
        c0 = process.cpuUsage();
      },
    },
    [],
  );
  for (const r of results)
    rows.push({ file: file.replace(/.*\//, ''), id: r.id, verdict: r.verdict, ms: spent.get(r.id) });
}

const total = rows.reduce((s, r) => s + r.ms, 0);
console.log(
  `${rows.length} claims, ${(total / 1000).toFixed(1)} s CPU, repairs ${repairs ? "at verify's budget" : 'off'} (load average ${loadavg()[0].toFixed(1)})`,
);
const byVerdict = new Map();
for (const r of rows) {
  const v = byVerdict.get(r.verdict) ?? { claims: 0, ms: 0 };
  byVerdict.set(r.verdict, { claims: v.claims + 1, ms: v.ms + r.ms });
}
for (const [verdict, v] of [...byVerdict].sort((a, b) => b[1].ms - a[1].ms))
  console.log(
    `  ${verdict.padEnd(13)} ${String(v.claims).padStart(4)} claims ${(v.ms / 1000).toFixed(1).padStart(7)} s  ${((100 * v.ms) / total).toFixed(1).padStart(5)} %`,
  );
console.log(`the ${top} costliest:`);
for (const r of [...rows].sort((a, b) => b.ms - a.ms).slice(0, top))
  console.log(`  ${(r.ms / 1000).toFixed(2).padStart(6)} s  ${r.verdict.padEnd(13)} ${r.file}  ${r.id}`);
