/**
 * What a derivative sweep costs, alone: on 4 seeded instances of a model, an adjoint sweep from the loss with the
 * parameters' adjoints, one without, and a tangent sweep from the first equation's state at t = 1 read at T —
 * the median CPU of rounds after the first three. Figures, not a test. Give one or more dist folders (another
 * build's, to compare side by side, alternating); the sweeps' own lost-digit watch (src/numeric/unrolled.ts,
 * SweepLookup.ownLoss) is what such a comparison showed.
 *
 *   npm run build && node bench/sweeps.mjs [--model derivations/….yaml] [--sizes '{"d":64,"m":16,"T":256}'] [dist …]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args.splice(i, 2)[1];
};
const model = resolve(flag('--model', new URL('../derivations/lab-10-5-vanilla-rnn.yaml', import.meta.url).pathname));
const sizes = JSON.parse(flag('--sizes', '{"d":64,"m":16,"T":256}'));
const dists = (args.length ? args : [new URL('../dist', import.meta.url).pathname]).map((d) => resolve(d));

const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const median = (xs) => xs.slice(3).sort((a, b) => a - b)[(xs.length - 3) >> 1];

async function measure(dist) {
  const url = (p) => pathToFileURL(`${dist}/${p}`).href;
  const { loadDerivationFile, REGIMES } = await import(url('index.js'));
  const { buildInstance, instanceSpec } = await import(url('numeric/instance.js'));
  const d = loadDerivationFile(model);
  const graphs = [0, 1, 2, 3].map((j) => buildInstance(d.model, instanceSpec(d.model, 7, j, REGIMES, sizes)).graph);
  const loss = { name: d.model.loss.name, time: null };
  const state = d.model.equations[0].target;
  const times = { 'adjoint with parameters': [], adjoint: [], tangent: [] };
  for (let round = 0; round < 12; round++) {
    let t0 = cpu();
    for (const g of graphs) g.adjoints(loss, Float64Array.of(1), new Set(), true);
    times['adjoint with parameters'].push(cpu() - t0);
    t0 = cpu();
    for (const g of graphs) g.adjoints(loss, Float64Array.of(1), new Set(), false);
    times.adjoint.push(cpu() - t0);
    t0 = cpu();
    for (const g of graphs) {
      const [rows, cols] = g.dims(state);
      const u = new Float64Array(rows * cols);
      u[0] = 1;
      g.tangents({ name: state, time: 1 }, u, new Set())({ name: state, time: g.T });
    }
    times.tangent.push(cpu() - t0);
  }
  return Object.entries(times).map(([k, v]) => `${k} ${median(v).toFixed(2)} ms`);
}

console.log(`sweeps of ${model.split('/').pop()} at ${JSON.stringify(sizes)}, 4 instances, median CPU per round`);
// alternating builds, twice: a build's figures beside the other's under the same load
for (let pass = 0; pass < 2; pass++)
  for (const dist of dists) console.log(`  ${dist}: ${(await measure(dist)).join('   ')}`);
