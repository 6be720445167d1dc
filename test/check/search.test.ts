/**
 * The adversarial search for violations of inequalities: it refutes what
 * random sampling misses (shipped refutations at seeds where the random
 * instances all agree, and known-false mutants of shipped bounds), never
 * refutes a true shipped bound, stays inside the regime, and its
 * counterexamples replay exactly. The seeds are pinned from
 * `npm run bench:mutants` (stability part) and from runs with the search off.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkDerivation } from '../../src/check/check.js';
import { PROVED_SEARCH_SHARE } from '../../src/check/check-claim.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { exportCounterexample } from '../../src/check/export-instance.js';
import { withWorkLimit } from '../../src/numeric/work-meter.js';
import { InputError } from '../../src/derivation/errors.js';
import type { ClaimResult } from '../../src/check/result.js';
import { decideVerdict } from '../../src/check/verdict.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { replayCommand } from '../../src/emit/replay.js';
import { bindings } from '../../src/check/bindings.js';
import { ReadoutModelShape, solveReadout } from '../../src/check/readout-solve.js';
import { BOX, constructions, ENTRY_PATTERN_COUNT, evolve, InstanceSpace } from '../../src/numeric/adversarial.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { Unrolled } from '../../src/numeric/unrolled.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { mat, spectralNorm } from '../../src/numeric/linalg.js';
import { Rng } from '../../src/numeric/prng.js';

const F2019 = 'derivations/how-lstms-solve-vanishing-gradients-2019.yaml';
const F2018 = 'derivations/why-lstm-works-2018.yaml';
const LAB_LSTM = 'derivations/lab-10-5-lstm.yaml';
const d2019 = loadDerivationFile(F2019);
const d2018 = loadDerivationFile(F2018);
const labLstm = loadDerivationFile(LAB_LSTM);

const one = (d: typeof d2019, id: string, options: Parameters<typeof checkDerivation>[1] = {}): ClaimResult =>
  checkDerivation(d, { claims: [id], ...options })[0]!;

/** A shipped claim with part of its text replaced, as its own derivation (expect: refuted). */
function mutant(file: string, id: string, from: string, to: string) {
  const doc = parse(readFileSync(file, 'utf8')) as { model: unknown; claims: { id: string; claim: string }[] };
  const claim = doc.claims.find((c) => c.id === id)!;
  expect(claim.claim).toContain(from);
  const one = { ...claim, id: `${id}-mutant`, claim: claim.claim.replace(from, to), expect: 'refuted' };
  delete (one as { corrects?: string }).corrects;
  return parseDerivation(stringify({ gradproof: 1, title: 'mutant', model: doc.model, claims: [one] }), file);
}

describe('shipped refutations that random sampling alone misses under some seeds', () => {
  it.each([
    // seeds re-pinned on 2026-12-06, when the second round of instances took every largest size (some seeds'
    // random instances now refute these claims alone): the first seeds, scanning from 1, where they do not
    [F2019, 'one-path-explodes-to-s', 11, 5],
    [F2019, 'one-path-explodes-to-s', 43, 5],
    [F2018, 'full-cell-jacobian-bounded', 48, 5],
    [F2018, 'full-cell-jacobian-bounded', 12, 1],
    [F2018, 'full-cell-jacobian-bounded', 15, 1],
    [LAB_LSTM, 'lab-eq4-total-without-c', 5, 1],
    [LAB_LSTM, 'lab-eq4-total-without-c', 9, 1],
    [LAB_LSTM, 'lab-eq4-total-without-c', 15, 1],
  ])('%s %s, master seed %i, %i instances per regime', (file, id, masterSeed, instances) => {
    const d = loadDerivationFile(file);
    expect(one(d, id, { masterSeed, instances, search: 0 }).verdict).toBe('consistent');
    const r = one(d, id, { masterSeed, instances });
    expect(r.verdict).toBe('refuted');
    expect(evidenceOf(r.evidence, 'search')).toMatchObject({ found: true });
    expect(r.counterexample!.relError).toBeGreaterThan(r.evidence[0]!.kind === 'reference' ? 1e-9 : 0);
  });

  it('a claim restricted to one regime draws as many instances as an unrestricted one has', () => {
    const r = one(labLstm, 'lab-eq4-total-without-c', { search: 0 });
    const ref = evidenceOf(r.evidence, 'reference')!;
    expect(ref.instances).toHaveLength(20);
    expect(new Set(ref.instances.map((i) => i.regime))).toEqual(new Set(['expanding']));
  });
});

describe('known-false mutants of shipped bounds', () => {
  it.each([
    [F2019, 't1-bound-K-sup', '* norm2(W_o)) ^ n', '* normMax(W_o)) ^ n', 20261120],
    [F2019, 't1-bound-K-per-step', 'prod(j, k, T, diag(sigma(s[T+k-j])', 'prod(j, k, T, diag(tanh(s[T+k-j])', 4],
    [F2019, 'forget-gates-small-this-path', 'diag(o[T] .* sigma(s[T])', 'diag(o[T] .* tanh(s[T])', 1],
    [F2019, 'one-path-minus-the-rest', 'norm2(grad(L, s[k])) >=', 'norm2(grad(L, s[k+1])) >=', 5],
  ])('%s: %s with %s → %s (master seed %i)', (file, id, from, to, masterSeed) => {
    const d = mutant(file, id, from, to);
    expect(checkDerivation(d, { masterSeed, search: 0 })[0]!.verdict).toBe('consistent');
    const r = checkDerivation(d, { masterSeed })[0]!;
    expect(r.verdict).toBe('refuted');
    expect(r.counterexample!.searchSteps).toBeGreaterThan(0);
  });
});

describe('mutants of the reverse-triangle bounds the search used to miss (test/fixtures/inequality-misses.json)', () => {
  const edits = JSON.parse(readFileSync('test/fixtures/inequality-misses.json', 'utf8')) as {
    id: string;
    at: number;
    replace: string;
    by: string;
  }[];
  const doc = parse(readFileSync(F2019, 'utf8')) as { model: unknown; claims: { id: string; claim: string }[] };
  const edited = (row: number) => {
    const e = edits[row]!;
    const claim = doc.claims.find((c) => c.id === e.id)!;
    expect(claim.claim.slice(e.at, e.at + e.replace.length)).toBe(e.replace);
    const text = claim.claim.slice(0, e.at) + e.by + claim.claim.slice(e.at + e.replace.length);
    const one = { ...claim, id: 'mutant', claim: text, expect: 'refuted' };
    delete (one as { corrects?: string }).corrects;
    return parseDerivation(stringify({ gradproof: 1, title: 'mutant', model: doc.model, claims: [one] }), F2019);
  };

  // Each row with the binding and both sides of its violation at the default settings, as
  // test/fixtures/numpy/inequality_misses.py recomputes them from the export (the LSTM and its backward pass
  // written out in numpy, gradients checked by finite differences).
  it.each([
    [0, { k: 0 }, 2.779119566416836e-6, 1.0029840659526561e-5],
    [1, { k: 6, n: 1 }, 0.0832732219577918, 0.06925927301880458],
    // rows 2 and 6 were refuted only under pinned seeds before the search mirrored single units and
    // stopped redrawing its best start at size 1
    [2, { k: 1 }, 2.34678491817026e-6, 2.4375552825324614e-5],
    [3, { k: 3 }, 2.310171680593558e-7, 1.577803015356412e-5],
    [4, { k: 3 }, 0.5566255004464725, 0.5724757043968702],
    [5, { k: 6 }, 0.00039466206651155727, 0.0008965394920539909],
    // row 6 beyond the regimes, at the third start's first isolating construction (W_o alone at the cap)
    [6, { k: 5 }, 0.0006659846036857331, 0.0008656217996280849],
    [7, { k: 4 }, 0.00018769573289329026, 0.00039748338452672276],
    // the left side near 5e-9, from a near cancellation
    [8, { k: 4 }, 5.327496506760052e-9, 1.0046937453999494e-7],
    [9, { k: 6 }, 0.00015718338071902938, 0.0003975434640548271],
  ])('row %i is refuted by the search at default settings', (row, bindings, lhs, rhs) => {
    const d = edited(row);
    const r = checkDerivation(d)[0]!;
    expect(r.verdict).toBe('refuted');
    const search = evidenceOf(r.evidence, 'search')!;
    expect(search.found).toBe(true);
    expect(search.budget).toBe(250);
    const cx = r.counterexample!;
    expect(cx.searchSteps).toBeGreaterThan(0);
    expect(cx.bindings).toEqual(bindings);
    if (lhs === null || rhs === null) expect([cx.lhs[0], cx.rhs[0]]).toEqual([0, 0]);
    else {
      expect(cx.lhs[0]! / lhs).toBeCloseTo(1, 10);
      expect(cx.rhs[0]! / rhs).toBeCloseTo(1, 10);
    }
    // the exported instance is the searched one: its sides are the counterexample's (to rounding: the
    // export evaluates each side on its own)
    const exported = exportCounterexample(d, r, cx);
    expect(exported.lhs.values[0]![0]! / cx.lhs[0]!).toBeCloseTo(1, 10);
    expect(exported.rhs.values[0]![0]! / cx.rhs[0]!).toBeCloseTo(1, 10);
    // and it violates the bound by more than rounding
    expect(search.relation === '>=' ? rhs - lhs : lhs - rhs).toBeGreaterThan(1e-6 * Math.max(lhs, rhs));
  });

  it('rebuilds a searched counterexample within the claim work limit (its search steps again), else the claim error', () => {
    const d = edited(0);
    const r = checkDerivation(d)[0]!;
    const cx = r.counterexample!;
    expect(cx.searchSteps).toBeGreaterThan(0);
    const spent = withWorkLimit(Infinity, () => exportCounterexample(d, r, cx)).spent;
    // the replay and both sides cost work (the search's evaluations at the least), all of it under the meter
    expect(spent).toBeGreaterThan(cx.searchSteps! * 10);
    expect(exportCounterexample(d, r, cx, spent).lhs).toEqual(exportCounterexample(d, r, cx).lhs);
    let error: unknown = null;
    try {
      exportCounterexample(d, r, cx, Math.floor(spent / 2));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problem).toMatch(/^claim 'mutant' needs more work than the limit of/);
  });
});

describe('true shipped bounds', () => {
  // Tight ones: the reverse triangle inequality (equality when the paths align, e.g. at d = 1), |∏| = ∏|·|
  // in one dimension, and ‖∂h_T/∂h_{T−k}‖ ≤ ‖W‖ᵏ sup tanh′ᵏ (equality at h = 0 with W aligned rank-one).
  // A smaller budget than the default keeps this quick; bench/mutants.mjs (false-alarms) runs the default.
  // True, but not proved (the prover does not drop the forget gates' product ≤ 1 inside the sum): searched with the
  // whole budget. Each path's term is ‖∏ D(f_l) · D(o_j ⊙ σ′(s_j)) ∇_{h_j}L‖ ≤ ‖D(o_j ⊙ σ′(s_j)) ∇_{h_j}L‖.
  const unproved = (() => {
    const doc = parse(readFileSync(F2019, 'utf8')) as { claims: unknown[] };
    doc.claims = [
      {
        id: 'paths-without-forget-gates',
        claim:
          'norm2(grad(L, s[k])) <= sum(j, k, T, norm2(diag(o[j] .* sigma(s[j]) .* (1 - sigma(s[j]))) * grad(L, h[j])))',
        forall: 'k in 1..T',
        expect: 'consistent',
      },
    ];
    return parseDerivation(stringify(doc), F2019);
  })();
  const bounds: [typeof d2019, string][] = [
    [d2019, 'one-path-minus-the-rest'],
    [d2019, 'forget-gates-small-this-path'],
    [d2019, 'all-paths-vanish'],
    [d2018, 'explode-one-dimensional'],
    [loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml'), 'lab-eq2'],
    [unproved, 'paths-without-forget-gates'],
  ];
  it.each([1, 2, 3])('are never refuted by the search (master seed %i)', (masterSeed) => {
    for (const [d, id] of bounds) {
      const r = one(d, id, { masterSeed, instances: 1, search: 80 });
      // consistent, or proved where the bound prover has a chain for it
      expect(['consistent', 'proved'], id).toContain(r.verdict);
      expect(r.verdict, id).toBe(r.expected);
      expect(r.verdict, id).toBe(id === 'paths-without-forget-gates' ? 'consistent' : 'proved');
      const s = evidenceOf(r.evidence, 'search')!;
      expect(s.found).toBe(false);
      // A proved bound's search is a cross-check of the proof, with half the budgets.
      const share = r.verdict === 'proved' ? PROVED_SEARCH_SHARE : 1;
      expect(s.crossCheckOfProof).toBe(r.verdict === 'proved' ? PROVED_SEARCH_SHARE : undefined);
      // beside each path, for a claim that takes an entry norm of a matrix (the 2018 file's normMax of Jacobians), the
      // three entry patterns (one column, one row, every entry 1)
      const patterns = id === 'explode-one-dimensional' ? ENTRY_PATTERN_COUNT : 0;
      expect([80 * share + patterns * s.starts, 120 * share + patterns * s.starts]).toContain(s.budget);
      expect(s.evaluations).toBe(s.budget);
      expect(s.bestRatio!).toBeLessThanOrEqual(1 + 1e-9);
      // and beyond the regimes (a quarter of the budget, half as much again for a path that came within 1e-3
      // of a violation: these claims are stated for every value)
      expect(s.beyond).toMatchObject({ found: false });
      // and beside each start's path the isolating constructions: two for each recurrent matrix where there are two or
      // more, and two for each of those a gate with a bias reads — states at −1 and far out — (the four gates of each
      // LSTM; not the 2018 RNN's W_rec, whose equation is no activation), one for each pair of those (6), and one for
      // each of those mirrored (states at +1); and two with every recurrent matrix shrunk (from the start, at the peak);
      // then, where a gate has a bias and input weights (every model here: the LSTMs' gates, the lab RNN's h), eight with
      // the states driven to an end before step T and before step 2, the gates centred there (both ends, both signs of
      // the recurrent matrices; T ≥ 3 here)
      const recurrent = [...d.model.symbols.values()].filter((x) => x.init === 'recurrent').length;
      const gated = d === d2019 || d === d2018 || d === unproved ? 4 : 0;
      const pairs = (gated * (gated - 1)) / 2;
      const driven = d === d2018 ? 0 : 8; // (the 2018 LSTM's gates read x_t inside [h_{t−1}; x_t]: no input weights of their own)
      // then the gate settings (test/check/gate-settings.test.ts): the 2018 LSTM's four gates with biases all open, then
      // each in turn shut (C̃ to −1), with W_rec (no gate reads it) and, where C̃ is centred, W_C alone at the cap: 5 + 4;
      // none for the others (the 2019 LSTM's gates have no biases, the lab RNN's h alone centred is the peak's)
      const settings = d === d2018 ? 9 : 0;
      // and, for the lab's eq. (2) alone (a norm of the recurrent W), four with every recurrent matrix 0 (from the start,
      // at the peak) and far beyond the cap (100× and 10⁴×, at the peak: test/check/extreme-recurrent.test.ts)
      const zero = id === 'lab-eq2' ? 4 : 0;
      // and last, W's vanishing constructions for the lab's eq. (2) (0, 10⁻⁴ with the rest far out, alone at its end:
      // 3), and for each (every one takes a norm of an expression reading a state) the initial states 100× and 10⁴× the
      // edge of their box (2): test/check/vanishing-parameters.test.ts
      // and the 2018 file's input u, which its x_t = W_rec tanh(x_{t−1}) + W_in u_t + b reads outside every squashing
      // activation, at the last step 100× and 10⁴× the edge of its box (2: test/check/far-input.test.ts)
      const vanishing = (id === 'lab-eq2' ? 3 : 0) + 2 + (d === d2018 ? 2 : 0);
      const isolating =
        ((recurrent >= 2 ? 2 * recurrent + 2 * gated + pairs + gated : 0) +
          (recurrent > 0 ? 2 : 0) +
          driven +
          settings +
          patterns +
          zero +
          vanishing) *
        s.beyond!.starts;
      expect([20 * share + isolating, 30 * share + isolating]).toContain(s.beyond!.budget);
      expect(s.beyond!.evaluations).toBe(s.beyond!.budget);
      expect(s.beyond!.bestRatio!).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('the search is evidence of its own kind, and a violation it finds refutes', () => {
    const r = one(d2019, 't1-bound-K-sup', { instances: 1, search: 30 });
    const s = evidenceOf(r.evidence, 'search')!;
    // proved: the search cross-checks the proof with half the budget (and says so)
    expect(s).toMatchObject({ kind: 'search', relation: '<=', budget: 15, evaluations: 15, found: false });
    expect(s.crossCheckOfProof).toBe(0.5);
    expect(evidenceSummary(s)).toMatch(
      /^a cross-check of the proof \(50 % of the search budget\): no violation inside the regimes in 15 evaluations/,
    );
    const others = r.evidence.filter((e) => e.kind !== 'search' && e.kind !== 'bound-proof');
    expect(decideVerdict([...others, { ...s, found: true }]).verdict).toBe('refuted');
    // Beside a bound proof, a violation the search found is a contradiction, never a pass.
    const bound = evidenceOf(r.evidence, 'bound-proof');
    expect(bound?.ok).toBe(true);
    expect(r.verdict).toBe('proved');
    expect(decideVerdict([...others, bound!, { ...s, found: true }])).toEqual({
      verdict: 'unverifiable',
      reason: { why: 'bound-contradicted' },
    });
  });
});

describe('beyond the regimes (test/fixtures/beyond-regimes-mutants.json)', () => {
  // Mutants of shipped true bounds that hold inside every regime (‖W_o‖₂ ≤ 1.5 keeps each factor
  // D(σ(s_j) ⊙ o_j′) W_o below 0.375) or that the search inside them misses (rows 3–5, false there too), and
  // fail once ‖W_o‖₂ > 4; row 6 (∇_{h_{T−1}}L in t_0's bound) fails once the recurrent gain makes ∇_{h_{T−1}}L
  // longer than ∇_{h_T}L. The claims are stated without `regimes:`, so for every parameter value.
  const edits = JSON.parse(readFileSync('test/fixtures/beyond-regimes-mutants.json', 'utf8')) as {
    id: string;
    at: number;
    replace: string;
    by: string;
  }[];
  const doc = parse(readFileSync(F2019, 'utf8')) as { model: unknown; claims: { id: string; claim: string }[] };
  const edited = (row: number, extra: Record<string, unknown> = {}) => {
    const e = edits[row]!;
    const claim = doc.claims.find((c) => c.id === e.id)!;
    expect(claim.claim.slice(e.at, e.at + e.replace.length)).toBe(e.replace);
    const text = claim.claim.slice(0, e.at) + e.by + claim.claim.slice(e.at + e.replace.length);
    const one = { ...claim, id: 'mutant', claim: text, expect: 'refuted', ...extra };
    delete (one as { corrects?: string }).corrects;
    return parseDerivation(stringify({ gradproof: 1, title: 'mutant', model: doc.model, claims: [one] }), F2019);
  };

  // Each row's binding, both sides and ‖W_o‖₂ at default settings, as test/fixtures/numpy/beyond_regimes_mutants.py
  // recomputes them from the export (the LSTM and its backward pass by hand, gradients checked by finite differences).
  it.each([
    [0, { k: 6 }, 31.669006708854, 31.102775983673283],
    [1, { k: 1 }, 0.00011949374772536886, 0.00010605209723840017],
    // row 2 at the first driven construction (states at −1 before T, recurrent 12·I) since 2026-12-06: k = 6 before,
    // 117.21427943193402 against 90.09362613573136
    [2, { k: 4, n: 1 }, 74.96888545188907, 64.86974042788023],
    // rows 3–5: the three misses that random instances and the search inside the regimes found only under pinned seeds
    // (row 3 at k = 2 since 2026-12-07, when every recurrent matrix 0 or far beyond the cap came beside the paths and
    // the first start's path was found violating at its 40th step: k = 3 before, 0.15514951407793978 against
    // 0.24990537665586843)
    [3, { k: 2 }, 0.12578079536946282, 0.19740593535304882],
    [4, { k: 4 }, 0.0001855279750341436, 0.00024411214919567269],
    // since 2026-12-07 at the initial states 100× the edge of their box (s_0, h_0 = ±1600; W_o as the start drew it,
    // ‖W_o‖₂ = 1): before, every bias at 0 (a construction at the drives' peak, at the cap), k = 2, 0.2649301884633556
    // against 0.46197614842674073
    [5, { k: 4 }, 0.0009623271861280146, 0.0011113770453153832],
    // row 6: ∇_{h_{T−1}}L in t_0's bound, where the recurrent gain is large; under master seed 2 since the second
    // round of instances took every largest size (the default seed's three starts beyond the regimes miss it; seed 3
    // finds it too). Since 2026-12-06 found at the first driven construction, at k = 0, where both sides underflow to 0
    // in float64 and extended precision decides a violation of 1.2e-2: numpy (float64) cannot recompute it, so no figures
    // are pinned (before: k = 2, 7.900322639114184 against 7.886342337989788)
    [6, { k: 0 }, null, null, 2],
  ])('row %i is refuted beyond the regimes at default settings', (row, bindings, lhs, rhs, masterSeed?: number) => {
    const d = edited(row);
    const r = checkDerivation(d, masterSeed === undefined ? {} : { masterSeed })[0]!;
    expect(r.verdict).toBe('refuted');
    const search = evidenceOf(r.evidence, 'search')!;
    expect(search).toMatchObject({ found: true, budget: 250, evaluations: 250 });
    // 63, and the isolating constructions beside each of the 3 starts' paths: 2 for each of the LSTM's 4 recurrent
    // matrices, 2 for each of its 4 gates, 6 pairs and 4 mirrored (rows 0, 1 and 4 are refuted at the first, W_o alone
    // at the cap), 2 shrunk, then 8 driven to an end before steps T and 2 (after all the others: no row's path moved),
    // and 4 with every recurrent matrix 0 or far beyond the cap where the claim takes a norm of one (rows 0–5;
    // test/check/extreme-recurrent.test.ts)
    const zero = row === 6 ? 0 : 4;
    // then the vanishing constructions of W_o, which rows 0–5 take a norm of (0, 10⁻⁴ with the rest far out, alone at its
    // end: 3), and for every row the initial states 100× and 10⁴× the edge of their box (2):
    // test/check/vanishing-parameters.test.ts
    const vanishing = (row === 6 ? 0 : 3) + 2;
    expect(search.beyond).toMatchObject({
      found: true,
      budget: 63 + 3 * (16 + 6 + 4 + 2 + 8 + zero + vanishing),
      gain: 8,
    });
    const cx = r.counterexample!;
    expect(cx.bindings).toEqual(bindings);
    if (lhs === null || rhs === null) expect([cx.lhs[0], cx.rhs[0]]).toEqual([0, 0]);
    else {
      expect(cx.lhs[0]! / lhs).toBeCloseTo(1, 10);
      expect(cx.rhs[0]! / rhs).toBeCloseTo(1, 10);
    }
    // the counterexample says it lies outside the regimes: ‖W_o‖₂ at the cap, 8 × the largest regime's 1.5 (row 5: the
    // initial states at 1600, 100 × the edge of their box)
    const farStates = row === 5;
    const wo = cx.beyondRegimes!.find((x) => x.name === (farStates ? 's' : 'W_o'))!;
    expect(wo).toMatchObject(
      farStates ? { measure: 'max-deviation', value: 1600 } : { measure: 'spectral-norm', regimeLimit: 1.5 },
    );
    if (!farStates) expect(wo.value).toBeCloseTo(12, 10);
    expect(replayCommand(cx)).toMatch(new RegExp(`--search 0 --beyond ${cx.searchSteps}$`));
    // the exported instance is the searched one
    const exported = exportCounterexample(d, r, cx);
    if (lhs === null) expect([exported.lhs.values[0]![0], exported.rhs.values[0]![0]]).toEqual([0, 0]);
    else {
      expect(exported.lhs.values[0]![0]! / cx.lhs[0]!).toBeCloseTo(1, 10);
      expect(exported.rhs.values[0]![0]! / cx.rhs[0]!).toBeCloseTo(1, 10);
    }
    expect(
      spectralNorm(
        mat(
          ...(exported.parameters.W_o!.shape as [number, number]),
          Float64Array.from(exported.parameters.W_o!.values.flat()),
        ),
      ),
    ).toBeCloseTo(farStates ? 1 : 12, 10);
    if (lhs !== null && rhs !== null)
      expect(search.relation === '>=' ? rhs - lhs : lhs - rhs).toBeGreaterThan(1e-6 * Math.max(lhs, rhs));
  });

  it('a counterexample beyond the regimes replays exactly from its command line', () => {
    const d = edited(0);
    const cx = checkDerivation(d)[0]!.counterexample!;
    const flag = (name: string) => cx.replay.flatMap((a, i) => (a === name ? [cx.replay[i + 1]!] : []));
    const sizes = Object.fromEntries(flag('--size').map((s) => [s.split('=')[0]!, Number(s.split('=')[1])]));
    const replay = checkDerivation(d, {
      masterSeed: Number(flag('--seed')[0]),
      instance: Number(flag('--instance')[0]),
      sizeOverrides: sizes,
      search: Number(flag('--search')[0]),
      beyond: Number(flag('--beyond')[0]),
    })[0]!;
    expect(replay.verdict).toBe('refuted');
    expect(replay.counterexample).toEqual(cx);
    expect(evidenceOf(replay.evidence, 'search')).toMatchObject({ evaluations: 0, beyond: { starts: 1 } });
  });

  it('a claim restricted by regimes: is never searched beyond them', () => {
    // the same mutant with all four regimes named: it holds in each, and nothing looks further
    const d = edited(0, { regimes: ['contracting', 'near-critical', 'expanding', 'saturated'] });
    const r = checkDerivation(d)[0]!;
    expect(r.verdict).toBe('consistent');
    const search = evidenceOf(r.evidence, 'search')!;
    expect(search).toMatchObject({ found: false, evaluations: 250, beyond: null });
    expect(search.bestRatio!).toBeLessThan(1);
    // an explicit --beyond does not widen it either
    expect(evidenceOf(checkDerivation(d, { beyond: 100 })[0]!.evidence, 'search')!.beyond).toBeNull();
  });

  it('--search 0 turns the whole search off; --beyond alone searches beyond the regimes only', () => {
    const d = edited(0);
    expect(checkDerivation(d, { search: 0 })[0]!.verdict).toBe('consistent');
    const r = checkDerivation(d, { search: 0, beyond: 63 })[0]!;
    expect(r.verdict).toBe('refuted');
    expect(evidenceOf(r.evidence, 'search')).toMatchObject({ evaluations: 0, beyond: { found: true } });
  });
});

describe('replay', () => {
  it.each([
    // found after some steps of the evolution strategy or a construction
    [d2019, 'one-path-explodes-to-s', 11, 5, true],
    // found on an instance drawn at smaller sizes (step 0): replayed, and shrunk, like a random one
    [labLstm, 'lab-eq4-total-without-c', 25, 1, false],
    [d2018, 'full-cell-jacobian-bounded', 33, 1, false],
  ])('%#: a counterexample found by the search replays exactly from its command line', (d, id, seed, n, steps) => {
    const r = one(d, id, { masterSeed: seed, instances: n });
    expect(evidenceOf(r.evidence, 'search')!.found).toBe(true);
    const cx = r.counterexample!;
    expect(cx.searchSteps !== null).toBe(steps);
    expect(replayCommand(cx)).toMatch(
      new RegExp(`--seed ${seed} --instance \\d+ (--size \\w+=\\d+ ?)+${steps ? '--search \\d+' : ''}$`),
    );
    // the replay arguments, read back as options
    const flag = (name: string) => cx.replay.flatMap((a, i) => (a === name ? [cx.replay[i + 1]!] : []));
    const sizes = Object.fromEntries(flag('--size').map((s) => [s.split('=')[0]!, Number(s.split('=')[1])]));
    expect(sizes).toEqual(cx.sizes);
    const replay = one(d, flag('--claim')[0]!, {
      masterSeed: Number(flag('--seed')[0]),
      instance: Number(flag('--instance')[0]),
      sizeOverrides: sizes,
      ...(steps ? { search: Number(flag('--search')[0]) } : {}),
    });
    expect(replay.verdict).toBe('refuted');
    expect(replay.counterexample).toEqual(cx);
    if (steps) expect(evidenceOf(replay.evidence, 'search')).toMatchObject({ starts: 1, evaluations: cx.searchSteps });
  });
});

describe('the instance space', () => {
  const spec = instanceSpec(d2019.model, 3, 2, undefined, { d: 3, m: 2, T: 4 });
  const instance = buildInstance(d2019.model, spec);
  const space = new InstanceSpace(d2019.model, spec.sizes, spec.regime);

  const start = space.copy(instance.graph.data);
  const insideRegime = (data: ReturnType<InstanceSpace['copy']>) => {
    for (const b of space.blocks) {
      const v = space.values(data, b);
      // a block the search changed has exactly the regime's norm (the random draw's is estimated)
      if (b.law.spectralNorm !== null) {
        if (v.some((x, i) => x !== space.values(start, b)[i]))
          expect(spectralNorm(mat(b.rows, b.cols, v))).toBeCloseTo(b.law.spectralNorm, 12);
      } else for (const x of v) expect(Math.abs(x - b.law.mean)).toBeLessThanOrEqual(BOX * b.law.std + 1e-12);
    }
  };

  it('beyond the regimes: every proposal inside the wider box, recurrent norms at most the cap', () => {
    const beyond = new InstanceSpace(d2019.model, spec.sizes, spec.regime, 'beyond');
    // the wider box holds every regime's: 8 × the widest spread, and 8 × the largest regime's norm
    const law = (name: string, s: InstanceSpace) => s.blocks.find((b) => b.name === name)!.law;
    expect(law('W_o', beyond).spectralNorm).toBe(12);
    expect(law('b_o', beyond).std).toBeCloseTo(16, 12);
    expect(law('U_o', beyond).std).toBeCloseTo(32 / Math.sqrt(2), 12);
    expect(law('x', beyond).std).toBe(8);
    const inside = (data: ReturnType<InstanceSpace['copy']>) => {
      for (const b of beyond.blocks) {
        const v = beyond.values(data, b);
        if (b.law.spectralNorm !== null)
          expect(spectralNorm(mat(b.rows, b.cols, v))).toBeLessThanOrEqual(b.law.spectralNorm * (1 + 1e-12));
        else for (const x of v) expect(Math.abs(x - b.law.mean)).toBeLessThanOrEqual(BOX * b.law.std + 1e-12);
      }
    };
    const built = constructions(beyond, instance.graph.data);
    expect(built.map((c) => c.name)).toEqual(expect.arrayContaining(['magnified', 'rank-one, at the cap']));
    for (const c of built) inside(c.data);
    const es = evolve(beyond, instance.graph.data, 0, new Rng(7));
    inside(es.next().value);
    let largest = 0;
    for (let i = 0; i < 40; i++) {
      const data = es.next(i % 3 === 0 ? 1 + i : -1).value;
      inside(data);
      largest = Math.max(largest, spectralNorm(mat(spec.sizes.d!, spec.sizes.d!, data.params.get('W_o'))));
    }
    // it leaves the regime (its steps scale with the wider spreads)
    expect(largest).toBeGreaterThan(1.5);
  });

  it('the read-outs are the parameters only the loss reads', () => {
    expect(space.readouts.map((b) => b.name)).toEqual(['v']);
    const lab = instanceSpec(labLstm.model, 3, 0, undefined, { d: 2, T: 3 });
    expect(new InstanceSpace(labLstm.model, lab.sizes, lab.regime).readouts.map((b) => b.name)).toEqual(['c']);
  });

  it('every construction stays inside the regime (expanding: ‖W‖₂ = 1.5)', () => {
    const built = constructions(space, instance.graph.data);
    expect(built.map((c) => c.name)).toContain('peak, rank-one');
    for (const c of built) insideRegime(c.data);
  });

  it('the evolution strategy is deterministic and stays inside the regime', () => {
    const run = () => {
      const es = evolve(space, instance.graph.data, 0, new Rng(7));
      const out = [es.next().value];
      for (let i = 0; i < 20; i++) out.push(es.next(i % 3 === 0 ? 1 + i : -1).value);
      return out;
    };
    const [a, b] = [run(), run()];
    for (const [i, data] of a.entries()) {
      insideRegime(data);
      expect(data.params.get('W_o')).toEqual(b[i]!.params.get('W_o'));
    }
  });

  it('the read-out solve: the reverse-triangle bound is a function of three norms affine in v, and its proposal stays inside the regime', () => {
    const claim = d2019.claims.find((c) => c.id === 'one-path-minus-the-rest')!;
    const shape = ReadoutModelShape.of(claim, 'L', new Set(['v']))!;
    // ‖∇_{s_k}L‖, ‖path‖ and ‖rest‖
    expect(shape.leaves).toHaveLength(3);
    // no read-out: no model; an equality: no model
    expect(ReadoutModelShape.of(claim, 'L', new Set())).toBeNull();
    expect(
      ReadoutModelShape.of(
        d2019.claims.find((c) => c.relation === '=')!,
        'L',
        new Set(['v']),
      ),
    ).toBeNull();
    const evaluatorFor = (data: ReturnType<InstanceSpace['copy']>) =>
      new Evaluator(new Unrolled(d2019.model, instance.graph.program, data), spec.sizes);
    const data = space.copy(instance.graph.data);
    const solve = () =>
      solveReadout(shape, claim, space, data, bindings(claim, spec.sizes), evaluatorFor, new Rng(3), {
        checked: false,
      });
    const [a, b] = [solve()!, solve()!];
    insideRegime(a);
    expect(a.params.get('v')).toEqual(b.params.get('v'));
    // only the read-out moved
    for (const block of space.blocks)
      if (block.name !== 'v') expect(space.values(a, block)).toEqual(space.values(data, block));
  });
});
