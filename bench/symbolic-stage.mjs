/**
 * The symbolic stage of every shipped claim, alone: `symbolicStage` (what `verify` runs for the symbolic
 * evidence — exact canonical forms, the ℤ_p test, induction and bound proofs) on each claim of
 * derivations/, with the claim's own sizes and the default master seed. No instances, no repair search.
 *
 *  1. one thread, in this process: CPU per file (the files' loading not counted) and in total;
 *  2. the corpus over 2 worker threads, wall time from the workers' start (their cold start included) to the
 *     last result, and the process's CPU: split by file (a queue, the costliest files first), and split by
 *     claim as verify's pool hands its tasks out (`nextTaskIndex` in src/verify/pool.ts).
 *
 * A digest of every outcome is printed, so a change to the engine can be shown to leave results as
 * they were. V8's tiering is set as `gradproof verify` sets it for a pool of 2 workers (src/cli/v8-tiering.ts:
 * tuned where 2 workers busy every core), for both parts; GRADPROOF_V8_TIERING=default measures V8's own.
 * Figures, not a test:
 * `npm run build && node bench/symbolic-stage.mjs [repeats]`.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadavg } from 'node:os';
import { tuneTieringForPool } from '../dist/cli/v8-tiering.js';

// Before anything is compiled, as `gradproof verify` does before its pool starts; the flags are the process's.
const tiering = tuneTieringForPool(2) ? 'tuned, as verify sets it for 2 workers' : "V8's defaults";

// The library as esbuild bundles it (dist/bundle/library.js), as verify's workers load their bundle: the
// workers' cold start below is then what verify's pays, not that of resolving dist/'s ≈ 150 modules one by one.
const lib = () => import('../dist/bundle/library.js');
const corpus = fileURLToPath(new URL('../derivations/', import.meta.url));
const cpuSeconds = (c) => (c.user + c.system) / 1e6;

/** Every claim of one file through the symbolic stage: the outcomes as JSON, and the CPU they took. */
async function stageOfFile(file) {
  const { claimDerivation, DEFAULT_OPTIONS, loadDerivationFile, symbolicStage } = await lib();
  const derivation = loadDerivationFile(file, { perClaimErrors: true });
  const c0 = process.cpuUsage();
  const outcomes = derivation.claims.map((claim) => [
    claim.id,
    symbolicStage(claimDerivation(derivation, claim), claim, DEFAULT_OPTIONS.masterSeed),
  ]);
  return { cpu: cpuSeconds(process.cpuUsage(c0)), claims: outcomes.length, json: JSON.stringify(outcomes) };
}

/** One claim's symbolic stage, its file kept loaded while the worker stays on it (as verify's workers keep it). */
let loaded = null;
async function stageOfClaim(file, id) {
  const { claimDerivation, DEFAULT_OPTIONS, loadDerivationFile, symbolicStage } = await lib();
  if (loaded?.file !== file) loaded = { file, derivation: loadDerivationFile(file, { perClaimErrors: true }) };
  const claim = loaded.derivation.claims.find((c) => c.id === id);
  return symbolicStage(claimDerivation(loaded.derivation, claim), claim, DEFAULT_OPTIONS.masterSeed);
}

if (!isMainThread) {
  parentPort.on('message', async (task) => {
    if (task === null) return process.exit(0);
    if (task.claim !== undefined)
      return parentPort.postMessage({ ...task, outcome: await stageOfClaim(task.file, task.claim) });
    const { claims, json } = await stageOfFile(task.file);
    parentPort.postMessage({ file: task.file, claims, json });
  });
  parentPort.postMessage({ ready: workerData.id });
} else {
  const repeats = Number(process.argv[2] ?? 1);
  const files = readdirSync(corpus)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(corpus, f));
  const digest = (jsons) => createHash('sha256').update(jsons.join('\n')).digest('hex').slice(0, 16);
  const short = (f) => f.slice(corpus.length);

  console.log(`symbolic stage of derivations/ (load average ${loadavg()[0].toFixed(1)}; V8 tiering ${tiering})`);
  await lib(); // the library's load is not the stage's
  const { nextTaskIndex, YOUNG_GENERATION_MB } = await import('../dist/verify/pool.js');
  let perFile = [];
  const passes = [];
  for (let r = 0; r < repeats; r++) {
    const rows = [];
    for (const file of files) rows.push({ file, ...(await stageOfFile(file)) });
    passes.push(rows.reduce((s, x) => s + x.cpu, 0));
    if (r === 0 || passes[r] < perFile.reduce((s, x) => s + x.cpu, 0)) perFile = rows;
  }
  // Every pass loads the files afresh (no model caches carried over): later passes differ from the first by
  // V8's compiled code being warm, and by interned monomials and memoised monomial products.
  if (repeats > 1)
    console.log(`  passes (first cold, then JIT warm): ${passes.map((c) => c.toFixed(2)).join(', ')} s CPU`);
  const total = perFile.reduce((s, x) => s + x.cpu, 0);
  for (const x of perFile)
    console.log(`  ${short(x.file).padEnd(58)} ${String(x.claims).padStart(3)} claims  ${x.cpu.toFixed(2)} s CPU`);
  console.log(
    `one thread: ${perFile.reduce((s, x) => s + x.claims, 0)} claims, ${total.toFixed(2)} s CPU (best of ${repeats}); outcomes ${digest(perFile.map((x) => x.json))}`,
  );

  /** Two workers fed by `next(worker, lastFile)` until it returns null; the wall and CPU from their start. */
  async function twoWorkers(next, onReply) {
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    await Promise.all(
      [0, 1].map(
        (id) =>
          new Promise((resolve, reject) => {
            // The young generation verify's pool gives its workers, so the figure is what verify would see.
            const worker = new Worker(fileURLToPath(import.meta.url), {
              workerData: { id },
              resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
            });
            let last;
            const give = () => {
              const task = next(id, last);
              last = task?.file ?? last;
              worker.postMessage(task);
            };
            worker.on('message', (m) => {
              if (m.file) onReply(m);
              give();
            });
            worker.on('error', reject);
            worker.on('exit', resolve);
          }),
      ),
    );
    return { wall: (performance.now() - w0) / 1000, cpu: cpuSeconds(process.cpuUsage(c0)) };
  }

  // Split by file: one queue, the costliest files (by the pass above) first.
  const queue = [...perFile].sort((a, b) => b.cpu - a.cpu).map((x) => x.file);
  for (let r = 0; r < repeats; r++) {
    const results = new Map();
    const todo = [...queue];
    const { wall, cpu } = await twoWorkers(
      () => (todo.length ? { file: todo.shift() } : null),
      (m) => results.set(m.file, m.json),
    );
    const same = digest(files.map((f) => results.get(f)));
    console.log(
      `2 worker threads, by file: ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU (all threads, cold start included); outcomes ${same}`,
    );
  }

  // Split by claim, as verify's pool picks its tasks.
  const claimIds = new Map(perFile.map((x) => [x.file, JSON.parse(x.json).map(([id]) => id)]));
  for (let r = 0; r < repeats; r++) {
    const pending = files.flatMap((file) => claimIds.get(file).map((claim) => ({ file, claim })));
    const busy = new Map(); // worker → the file of its task
    const outcomes = new Map();
    const pick = (worker, last) => {
      busy.delete(worker);
      if (!pending.length) return null;
      const k = nextTaskIndex(
        pending.map((t) => t.file),
        last,
        new Set(busy.values()),
      );
      const [task] = pending.splice(k, 1);
      busy.set(worker, task.file);
      return task;
    };
    const { wall, cpu } = await twoWorkers(pick, (m) => outcomes.set(`${m.file}\n${m.claim}`, m.outcome));
    const same = digest(
      files.map((f) => JSON.stringify(claimIds.get(f).map((id) => [id, outcomes.get(`${f}\n${id}`)]))),
    );
    console.log(
      `2 worker threads, by claim as verify's pool: ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU (all threads, cold start included); outcomes ${same}`,
    );
  }
}
