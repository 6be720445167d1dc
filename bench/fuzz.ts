/**
 * The larger fuzz campaign (not part of `npm test`): `npm run bench:fuzz`
 * builds the CLI, then
 *
 *  library  N hostile derivation files (test/fuzz/mutations.ts: the shipped
 *           derivations mutated) loaded in-process, and those with small
 *           sizes checked (one claim, one instance): counts of outcomes;
 *  cli      M of them through the compiled CLI (`check FILE --instance 0`):
 *           counts of exit codes, and whether every exit 2 is one located line.
 *
 * Anything else — an exit 3, an error that is not an InputError, a message
 * without file:line:col — is listed with its mutations and kept under
 * test-output/fuzz/ for replay. Options: --files N (library, default 2000),
 * --cli M (default 200), --seed S (default the test suite's).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkDerivation, InputError, parseDerivation } from '../src/index.js';
import { type Hostile, hostileFile, SHIPPED } from '../test/fuzz/mutations.js';

const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const seed = option('seed', 20261120);
const libraryFiles = option('files', 2000);
const cliFiles = option('cli', 200);
/** Loaded files are checked only with every size up to this (as in the test suite): bounded work per file. */
const CHECKED_SIZES = 12;
const OUT = 'test-output/fuzz';

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const findings: string[] = [];
const keep = (h: Hostile, what: string): void => {
  const path = join(OUT, `finding-${findings.length + 1}.yaml`);
  writeFileSync(path, h.text);
  findings.push(`${path}: ${what}\n    from ${h.source}: ${h.mutations.join('; ')}`);
};
const located = (message: string, file: string) =>
  message.startsWith(`${file}:`) && /^[^\n]*:[1-9]\d*:[1-9]\d*: \S[^\n]*$/.test(message);

/** How many claims of a file that loads are ill-formed (0 when it does not load at all: then the file is the error). */
function claimErrorsIn(text: string, path: string): number {
  try {
    return parseDerivation(text, path, { perClaimErrors: true }).claimErrors?.length ?? 0;
  } catch {
    return 0;
  }
}

// ── library ────────────────────────────────────────────────────────────────
const counts = { tried: 0, loaded: 0, checked: 0, 'input-error': 0, 'input-error at check': 0, other: 0 };
let started = performance.now();
const files = fc.sample(hostileFile(SHIPPED), { numRuns: libraryFiles, seed });
for (const h of files) {
  counts.tried++;
  const file = 'fuzz.yaml';
  try {
    const d = parseDerivation(h.text, file);
    counts.loaded++;
    if (!d.claims.length || Math.max(...Object.values(d.model.sizes).map((r) => r.max)) > CHECKED_SIZES) continue;
    const claim = d.claims[counts.tried % d.claims.length]!;
    try {
      checkDerivation(d, { claims: [claim.id], instances: 1, instance: 0, crossChecks: 1 });
      counts.checked++;
    } catch (err) {
      if (err instanceof InputError && located(err.message, file)) counts['input-error at check']++;
      else {
        counts.other++;
        keep(h, `checking claim ${claim.id}: ${(err as Error).stack ?? String(err)}`);
      }
    }
  } catch (err) {
    if (err instanceof InputError && located(err.message, file)) counts['input-error']++;
    else {
      counts.other++;
      keep(h, `loading: ${(err as Error).stack ?? String(err)}`);
    }
  }
}
console.log(`library: ${JSON.stringify(counts)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);

// ── CLI ────────────────────────────────────────────────────────────────────
interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}
function gradproof(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/gradproof.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const exits = new Map<string, number>();
let skipped = 0;
started = performance.now();
const cliSample = fc.sample(hostileFile(SHIPPED), { numRuns: cliFiles, seed: seed + 1 });
let next = 0;
const lane = async () => {
  while (next < cliSample.length) {
    const k = next++;
    const h = cliSample[k]!;
    const path = join(OUT, `cli-${k}.yaml`);
    // Files that load with large sizes would be long runs, not hostile input: skipped, and counted.
    try {
      const d = parseDerivation(h.text, path);
      if (Math.max(...Object.values(d.model.sizes).map((r) => r.max)) > CHECKED_SIZES) {
        skipped++;
        continue;
      }
    } catch {
      // a file that does not load is exactly what the CLI must report
    }
    writeFileSync(path, h.text);
    const r = await gradproof('check', path, '--instance', '0');
    rmSync(path);
    const code = String(r.status);
    exits.set(code, (exits.get(code) ?? 0) + 1);
    const badExit = r.status !== 0 && r.status !== 1 && r.status !== 2;
    // A file that does not load: one located line and nothing else. A file that loads but has ill-formed
    // claims: its other claims are still checked and reported, and each bad claim is a located line.
    const lines = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/^gradproof: /, ''));
    const badMessage =
      r.status === 2 &&
      (claimErrorsIn(h.text, path) > 0
        ? !lines.every((l) => located(l, path))
        : lines.length !== 1 || !located(lines[0]!, path) || r.stdout !== '');
    if (badExit || badMessage || /^\s+at /m.test(r.stderr)) keep(h, `exit ${code}: ${r.stderr.trim()}`);
  }
};
await Promise.all([lane(), lane()]);
console.log(
  `cli: ${cliSample.length - skipped} files run (${skipped} skipped: they load with sizes over ${CHECKED_SIZES}), exit codes ${JSON.stringify(Object.fromEntries([...exits].sort()))} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);

console.log(findings.length ? `${findings.length} findings:\n${findings.join('\n')}` : 'no findings');
process.exitCode = findings.length ? 1 : 0;
