/**
 * A hand-written JavaScript BPTT of the lab's eq. (1), on gradproof's own kernels (the WebAssembly SIMD matrix–vector
 * products of src/numeric/simd.ts, its PRNG, its spectral scaling of W): what bench/numpy_bptt.py does, step for step,
 * with none of the engine (no claim evaluator, content keys, memo tables, lost-digit watch or cross-checks). The floor a
 * compiled claim path could reach on this machine; figures, not a test (bench/baseline.mjs prints it beside numpy).
 *
 *   node --single-threaded bench/js_bptt.mjs T d m instances rounds
 *
 * Prints one JSON line as the numpy script does: per-instance CPU ms of each round, the whole process's CPU ms (start-up
 * included), its peak RSS, and the points that agree (every lag of every instance must).
 */
const { mat, matVec, matTVec, relErr, scaleToSpectralNorm } = await import('../dist/numeric/linalg.js');
const { withResident } = await import('../dist/numeric/simd.js');
const { Rng } = await import('../dist/numeric/prng.js');

const [T, d, m, instances, rounds] = process.argv.slice(2, 7).map(Number);
/** (spectral norm of W, input-weight gain, bias sd): gradproof's four regimes, as numpy_bptt.py has them */
const REGIMES = [
  [0.5, 1, 0.1],
  [1, 1, 0.1],
  [1.5, 1, 0.1],
  [1, 4, 2],
];
const rng = new Rng(20261120);
const normal = (n, sd) => {
  const v = rng.fillNormal(new Float64Array(n));
  for (let i = 0; i < n; i++) v[i] *= sd;
  return v;
};

function instance(j) {
  const [norm, gain, biasSd] = REGIMES[j % REGIMES.length];
  return {
    W: scaleToSpectralNorm(mat(d, d, normal(d * d, 1 / Math.sqrt(d))), norm),
    U: mat(d, m, normal(d * m, gain / Math.sqrt(m))),
    b: normal(d, biasSd),
    c: normal(d, 1),
    x: Array.from({ length: T + 1 }, () => normal(m, 1)),
    h0: normal(d, 0.5),
  };
}

/** The forward pass, one reverse sweep for the left side, the product lag by lag for the right, compared. */
function check({ W, U, b, c, x, h0 }) {
  return withResident([W.data, U.data], () => {
    const h = [h0];
    const [z, u, scaled] = [new Float64Array(d), new Float64Array(d), new Float64Array(d)];
    for (let t = 1; t <= T; t++) {
      matVec(W, h[t - 1], z);
      matVec(U, x[t], u);
      const ht = new Float64Array(d);
      for (let i = 0; i < d; i++) ht[i] = Math.tanh(z[i] + u[i] + b[i]);
      h.push(ht);
    }
    // ∇L at h[T] for L = sum(c .* h[T]) + 0.5 sum(h[T].^2); tanh′ from the stored h
    const gT = new Float64Array(d);
    for (let i = 0; i < d; i++) gT[i] = c[i] + h[T][i];
    const dact = h.map((v) => v.map((y) => 1 - y * y));
    const lhs = new Array(T + 1);
    lhs[T] = gT;
    for (let t = T; t > 0; t--) {
      for (let i = 0; i < d; i++) scaled[i] = dact[t][i] * lhs[t][i];
      lhs[t - 1] = matTVec(W, scaled);
    }
    let r = gT;
    let agreed = 0;
    for (let k = 1; k <= T; k++) {
      for (let i = 0; i < d; i++) scaled[i] = dact[T - k + 1][i] * r[i];
      r = matTVec(W, scaled);
      if (relErr(lhs[T - k], r) <= 1e-9) agreed++;
    }
    return agreed;
  });
}

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const perInstanceCpuMs = [];
let points = 0;
let agreed = 0;
for (let r = 0; r < rounds; r++) {
  const c0 = cpuMs();
  for (let j = 0; j < instances; j++) {
    agreed += check(instance(j));
    points += T;
  }
  perInstanceCpuMs.push((cpuMs() - c0) / instances);
}
console.log(
  JSON.stringify({
    perInstanceCpuMs,
    processCpuMs: cpuMs(),
    maxRssKiB: process.resourceUsage().maxRSS,
    points,
    agreed,
  }),
);
