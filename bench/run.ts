/**
 * Benchmarks (figures, not pass/fail tests). Run with `npm run bench`.
 *  - eq1-sweep: the lab's eq. (1) for every lag k = 1..256 at d = 64, T = 256,
 *    on 20 instances (5 per regime), reference cross-checks included.
 */
import { checkDerivation } from '../src/check/check.js';
import { loadDerivationFile } from '../src/derivation/load.js';

function time<T>(label: string, run: () => T, repeats = 3): T {
  let result!: T;
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    result = run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`${label}: median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}, ${repeats} runs)`);
  return result;
}

const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
const results = time('eq1-sweep d=64 T=256 k=1..256, 20 instances', () =>
  checkDerivation(lab, { claims: ['lab-eq1'], instances: 5, sizeOverrides: { d: 64, m: 16, T: 256 } }),
);
const r = results[0]!;
console.log(`  verdict ${r.verdict}; ${r.evidence.map((e) => `${e.method}: ${e.summary}`).join('; ')}`);
