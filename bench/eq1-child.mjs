/**
 * One measured process for bench/baseline.mjs: the lab's eq. (1) (claim lab-eq1) at every lag k = 1..T,
 * timed in CPU time of this process, as bench/numpy_bptt.py times numpy. Prints one JSON line.
 *
 *   node --single-threaded bench/eq1-child.mjs T d m instances rounds mode [regime,regime,…]
 *
 * mode  claim    `checkDerivation` of the claim, as `gradproof check` runs it: instances kept in the file's
 *                pool, every lag compared, the reference cross-checked (dual vs adjoint, finite differences),
 *                and the per-claim symbolic check (exact forms at T = 3..12, ℤ_p at T = 48).
 *       numeric  what that check does per instance, alone: draw the instance (forward pass included), every
 *                lag compared, the cross-checks; no symbolic check, no instance kept.
 *       pooled   numeric, with every instance and its evaluator kept to the end, as the file's pool keeps them
 *                for the next claim (what peak memory is measured on).
 *       bare     what the numpy baseline does: draw, forward, one reverse sweep, the product for every lag,
 *                compare; no cross-checks.
 * Instances cycle through the regimes (all four by default; claim mode takes all four, `instances` must be a
 * multiple of four there). From T ≈ 512 the long lags underflow float64 and each such point is decided
 * again with an unbounded exponent (src/check/extended-check.ts: wide floats, the product chain memoised
 * across lags).
 * Per-instance times are CPU ms per instance of each round; processCpuMs is the whole process from its
 * start (node start-up and module loading included: the package's entry in claim mode, the benchmarks' bundle of
 * internals in the others, dist/bundle/internals.js, bundled as the package's entry is); maxRssKiB its resident-memory
 * high-water mark.
 */
const [T, d, m, instances, rounds] = process.argv.slice(2, 7).map(Number);
const mode = process.argv[7] ?? 'claim';
// Claim mode goes through the package's entry, as a library user does (the bundled library); the other modes call
// internals past the entry's exports, from their own bundle (bench/internals.ts).
const internals = mode !== 'claim';
const { checkDerivation, loadDerivationFile, REGIMES, runPoints, Evaluator, buildInstance, instanceSpec } =
  await import(internals ? '../dist/bundle/internals.js' : '../dist/bundle/library.js');
const regimes = process.argv[8] ? process.argv[8].split(',') : REGIMES;
const lab = loadDerivationFile(new URL('../derivations/lab-10-5-vanilla-rnn.yaml', import.meta.url).pathname);
const claim = lab.claims.find((c) => c.id === 'lab-eq1');
const sizes = { d, m, T };
const kept = [];
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

function round() {
  const tally = { points: 0, agreed: 0, violated: 0, trouble: 0, extended: 0, worst: 0 };
  const note = (points) => {
    for (const p of points) {
      tally.points++;
      if (p.outcome.status === 'agree') tally.agreed++;
      if (p.outcome.status === 'violate') tally.violated++;
      if (p.outcome.status === 'trouble') tally.trouble++;
      if (p.outcome.status !== 'trouble' && p.outcome.extended) tally.extended++;
      if (p.outcome.status !== 'trouble') tally.worst = Math.max(tally.worst, p.outcome.relError);
    }
  };
  if (mode === 'claim') {
    const perRegime = instances / REGIMES.length;
    const [result] = checkDerivation(lab, { claims: ['lab-eq1'], instances: perRegime, sizeOverrides: sizes });
    const ref = result.evidence.find((e) => e.kind === 'reference');
    return { points: ref.points, agreed: ref.agreed, worst: ref.worstRelError, verdict: result.verdict };
  }
  for (let j = 0; j < instances; j++) {
    const instance = buildInstance(lab.model, instanceSpec(lab.model, 20261120, j, regimes, sizes));
    const entry = { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
    note(mode === 'bare' ? runPoints(claim, entry, 0, null) : runPoints(claim, entry, 2, []));
    if (mode === 'pooled') kept.push(entry);
  }
  return tally;
}

const perInstanceCpuMs = [];
let last;
for (let r = 0; r < rounds; r++) {
  const c0 = cpuMs();
  last = round();
  perInstanceCpuMs.push((cpuMs() - c0) / instances);
}
console.log(
  JSON.stringify({
    mode,
    perInstanceCpuMs,
    processCpuMs: cpuMs(),
    maxRssKiB: process.resourceUsage().maxRSS,
    kept: kept.length,
    ...last,
  }),
);
