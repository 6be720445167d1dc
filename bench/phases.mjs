/**
 * Where `verify`'s CPU goes, by phase of a claim's check: every claim of the given files checked in this process (one
 * thread, verify's options and repair budget), under V8's sampling CPU profiler (node:inspector), each sample charged to
 * the phase its stack is in — repairs (their screens and full checks), the adversarial search, the random draws, the
 * per-claim symbolic stage — and, across phases, to what it was doing there: second looks in extended precision (by
 * arithmetic: interval enclosures, wide floats, decimals), the read-out solve, reference cross-checks, garbage
 * collection. Figures, not a test: the split the notes of issue 15 quote, reproducible (`--dist` measures another build
 * the same way; run the two alternating on a loaded machine).
 *
 *   npm run build && node bench/phases.mjs [--dist DIR] [--interval µs] [files or folders…]
 *
 * Samples in a phase nested in another count for the outer one (a repair's full check runs a search: repairs). The
 * arithmetic of a look is that of the innermost look function on the stack (a decimal look inside an interval one does
 * not happen; a deeper decimal look counts as decimals).
 */
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? null : args.splice(i, 2)[1];
};
const dist = resolve(flag('--dist') ?? new URL('../dist', import.meta.url).pathname);
const interval = Number(flag('--interval') ?? 500);
const lib = await import(pathToFileURL(`${dist}/index.js`).href);
const files = lib.expandPaths(args.length ? args : ['derivations']);

/** Phases by the function that starts them, outermost first: a sample goes to the first found on its stack. */
const PHASES = [
  ['repairs', ['searchRepairs']],
  ['search', ['searchViolation']],
  ['draws', ['draw']],
  ['symbolic stage', ['symbolicStage']],
];
/** What a sample was doing inside its phase, by the innermost of these functions on its stack. */
const ACTIVITIES = [
  ['look: interval', ['intervalLook']],
  // lookWith runs every arithmetic's look, so the arithmetic is read from what called it
  ['look: decimals', ['deepestLook']],
  ['look: wide floats', ['wideLook']],
  ['look: choosing', ['extendedLook']],
  ['read-out solve', ['solveReadout']],
  ['reference cross-check', ['checkReference']],
];

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval });
await session.post('Profiler.start');
const c0 = process.cpuUsage();
let claims = 0;
for (const file of files) {
  const derivation = lib.loadDerivationFile(file, { perClaimErrors: true });
  claims += lib.checkDerivation(derivation, { repair: lib.VERIFY_REPAIR_BUDGET }, []).length;
}
const cpu = process.cpuUsage(c0);
const { profile } = await session.post('Profiler.stop');
session.disconnect();

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const sampled = new Map();
profile.samples.forEach((id, i) => sampled.set(id, (sampled.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const table = new Map();
let total = 0;
for (const [id, micros] of sampled) {
  const stack = [];
  for (let x = id; x !== undefined; x = parent.get(x)) stack.push(byId.get(x).callFrame.functionName);
  const gc = stack[0] === '(garbage collector)';
  const phase =
    PHASES.find(([, fns]) => stack.some((f) => fns.includes(f)))?.[0] ?? (gc ? 'garbage collection' : 'other');
  // innermost first: the stack runs from the sampled frame outwards
  let activity = gc ? 'garbage collection' : 'the rest';
  for (const f of stack) {
    const found = ACTIVITIES.find(([, fns]) => fns.includes(f));
    if (found) {
      activity = found[0];
      break;
    }
  }
  const key = `${phase}\u0000${activity}`;
  table.set(key, (table.get(key) ?? 0) + micros);
  total += micros;
}

const pct = (x) => `${((100 * x) / total).toFixed(1).padStart(5)} %`;
console.log(
  `${claims} claims of ${files.length} files, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (this thread's samples, every ${interval} µs: ${(total / 1e6).toFixed(1)} s, wall time between them), repairs at verify's budget, load average ${loadavg()[0].toFixed(1)}`,
);
const phases = [...new Set([...table.keys()].map((k) => k.split('\u0000')[0]))];
const sumOf = (pred) => [...table].filter(([k]) => pred(k.split('\u0000'))).reduce((s, [, v]) => s + v, 0);
phases.sort((a, b) => sumOf(([p]) => p === b) - sumOf(([p]) => p === a));
for (const phase of phases) {
  console.log(`  ${phase.padEnd(16)} ${pct(sumOf(([p]) => p === phase))}`);
  const rows = [...table].filter(([k]) => k.split('\u0000')[0] === phase).sort((a, b) => b[1] - a[1]);
  if (rows.length > 1) for (const [k, v] of rows) console.log(`      ${k.split('\u0000')[1].padEnd(28)} ${pct(v)}`);
}
console.log('across phases:');
for (const activity of [...ACTIVITIES.map(([a]) => a), 'garbage collection'])
  console.log(`  ${activity.padEnd(28)} ${pct(sumOf(([, a]) => a === activity))}`);
