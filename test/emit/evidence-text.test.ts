/** The words written from evidence records: golden sentences for each kind, reasons, the replay command. */
import { describe, expect, it } from 'vitest';
import type { Evidence, SymbolicOutcome } from '../../src/check/evidence.js';
import type { Counterexample } from '../../src/check/result.js';
import { beyondRegimesText, evidenceMethod, evidenceSummary, reasonText } from '../../src/emit/evidence-text.js';
import { replayCommand } from '../../src/emit/replay.js';

/** A matrix-level identity over T = 3..12 with the fields a test does not set at their plainest. */
const matrixIdentical = (
  fields: Partial<Extract<SymbolicOutcome, { status: 'identical' }>> & { cases: number },
): Evidence => ({
  kind: 'symbolic',
  level: 'matrix',
  outcome: {
    status: 'identical',
    range: 'T = 3..12',
    sizes: [{ name: 'T', lo: 3, hi: 12 }],
    unfolded: [],
    randomOnly: null,
    random: null,
    ...fields,
  },
});

const cases: [Evidence, string, string][] = [
  [
    {
      kind: 'reference',
      masterSeed: 1,
      instances: [
        { index: 0, seed: 1, regime: 'contracting', sizes: { T: 3 } },
        { index: 1, seed: 2, regime: 'near-critical', sizes: { T: 4 } },
        { index: 4, seed: 3, regime: 'contracting', sizes: { T: 3 } },
      ],
      points: 10,
      agreed: 9,
      violated: 1,
      troubled: 0,
      compared: ['full vectors'],
      worstRelError: 0.5,
      tolerance: 1e-9,
      tightness: null,
    },
    'exact reference',
    '9/10 points agree within 1e-9 on 3 instances (2 contracting, 1 near-critical) at T = 3..4',
  ],
  [
    { kind: 'distance', byRegime: [{ regime: 'expanding', points: 4, median: 0.0123, max: 0.5 }] },
    'distance by regime',
    'expanding: median 1.2e-2, max 5.0e-1 (4 points)',
  ],
  [
    {
      kind: 'dual-vs-adjoint',
      checks: 8,
      worstRelError: 3e-16,
      tolerance: 1e-10,
      failures: [],
      underflow: 0,
      overflow: 0,
      lostDigits: null,
    },
    'dual numbers vs adjoints',
    '8/8 derivative checks agree (worst 3.0e-16, tolerance 1e-10)',
  ],
  [
    {
      kind: 'dual-vs-adjoint',
      checks: 6,
      worstRelError: 3e-16,
      tolerance: 1e-10,
      failures: [],
      underflow: 2,
      overflow: 0,
      lostDigits: null,
    },
    'dual numbers vs adjoints',
    '6/6 derivative checks agree (worst 3.0e-16, tolerance 1e-10); 2 set aside: the derivative below 1e-280 (subnormal rounding)',
  ],
  [
    {
      kind: 'dual-vs-adjoint',
      checks: 9,
      worstRelError: 4e-16,
      tolerance: 1e-10,
      failures: [],
      underflow: 0,
      overflow: 1,
      lostDigits: { checks: 2, worstRelError: 3.1e-9, lostPrecision: 2.5e-10 },
    },
    'dual numbers vs adjoints',
    '7/9 derivative checks agree (worst 4.0e-16, tolerance 1e-10); 2 set aside: apart by up to 3.1e-9, within 100 times the digits their sweeps lost on the way (relative precision 2.5e-10); 1 set aside: the derivative beyond 1e+300 in both modes (the sweeps overflowed)',
  ],
  [
    { kind: 'finite-differences', checks: 6, resolved: 0, nonFinite: 0, worstRelError: null, failures: [] },
    'finite differences',
    'unverifiable by finite differences: all 6 checks below the FD noise floor',
  ],
  [
    {
      kind: 'finite-differences',
      checks: 6,
      resolved: 5,
      nonFinite: 1,
      worstRelError: 1.4e-7,
      failures: [{ check: 2, derivative: 'jac|h@3|h@1|' }],
    },
    'finite differences',
    '4/5 resolved checks agree with the reference (worst 1.4e-7); 1 below the noise floor (1 of them non-finite)',
  ],
  [
    { kind: 'trouble', points: 3, reasons: [{ reason: 'underflow (both sides below 1e-280)', count: 3 }] },
    'numeric trouble',
    '3 points not compared: 3 × underflow (both sides below 1e-280)',
  ],
  [
    matrixIdentical({
      cases: 75,
      random: { prime: 67108859, trials: 2, T: 48, bindings: [{ k: 1 }, { k: 48 }] },
    }),
    'symbolic',
    'identical for T = 3..12, every binding (75 cases): exact canonical forms of the derived closed forms; randomized test in ℤ_p (p = 67108859, 2 trials) agrees at T = 48 for 2 bindings from k=1 to k=48',
  ],
  [
    {
      kind: 'symbolic',
      level: 'matrix',
      outcome: {
        status: 'identical',
        range: 'T = 3..12',
        sizes: [{ name: 'T', lo: 3, hi: 12 }],
        cases: 10,
        unfolded: ['s', 'h'],
        randomOnly: { cases: 4, from: { T: 4, k: 4 }, words: 20000 },
        random: null,
      },
    },
    'symbolic',
    'identical for T = 3..12, every binding (10 cases): exact canonical forms of the derived closed forms with s, h written out by their equations at 6; at the other 4, from T=4, k=4 on, the expansion exceeds 20000 words and the randomized identity test in ℤ_p decides',
  ],
  [
    matrixIdentical({
      cases: 360,
      repeated: 282,
      randomOnly: { cases: 45, from: { T: 4, t: 4, k: 4 }, words: 20000 },
      throughStates: 3,
      opaqueDerivatives: 3,
    }),
    'symbolic',
    "identical for T = 3..12, every binding (360 cases; 282 of them the same two forms as at a smaller T, compared there): exact canonical forms of the derived closed forms at 33; at the other 45, from T=4, t=4, k=4 on, the expansion exceeds 20000 words and the randomized identity test in ℤ_p decides (3 of them with every derivative an opaque matrix: an identity for any value of the derivatives) (written first by the chain rule: ∂a_τ/∂x = Σ_s (∂a_τ/∂s_{τ−1})(∂s_{τ−1}/∂x) over the states s at the step before a's, in 3)",
  ],
  [
    matrixIdentical({
      cases: 75,
      opaqueDerivatives: 75,
      random: { prime: 67108859, trials: 2, T: 48, bindings: [{ k: 1 }, { k: 20 }, { k: 48 }], opaque: 1 },
    }),
    'symbolic',
    'identical for T = 3..12, every binding (75 cases): exact canonical forms of the derived closed forms (75 of them with every derivative an opaque matrix: an identity for any value of the derivatives); at T = 48 for 3 bindings from k=1 to k=48: 1 identical with derivatives opaque as at every binding above, the other 2 by a randomized test in ℤ_p (p = 67108859, 2 trials), which agrees',
  ],
  [
    { kind: 'symbolic', level: 'unit', outcome: { status: 'different', at: { T: 1, d: 1 }, lhs: 'a', rhs: 'b' } },
    'symbolic (unit level)',
    'not identical at T=1, d=1: exact polynomials in the weights, inputs and activation derivatives differ',
  ],
  [
    {
      kind: 'symbolic',
      level: 'matrix',
      outcome: { status: 'undecided', undecided: { why: 'random-agrees', at: { d: 1, T: 3 } } },
    },
    'symbolic',
    'canonical forms differ at d=1, T=3 but agree at random points in ℤ_p: undecided',
  ],
  [
    { kind: 'guided-search', sizes: { d: 5, T: 9 }, violations: 2 },
    'search guided by the symbolic difference',
    'instances at d=5, T=9 violate the claim',
  ],
  [
    {
      kind: 'search',
      relation: '>=',
      budget: 250,
      evaluations: 250,
      starts: 8,
      constructions: 64,
      bestRatio: 0.987654,
      found: false,
      regimes: ['contracting', 'near-critical', 'expanding', 'saturated'],
      beyond: { budget: 62, evaluations: 62, starts: 3, constructions: 30, bestRatio: 0.5, found: false, gain: 8 },
    },
    'adversarial search',
    'no violation inside the regimes in 250 evaluations from 8 starts (64 structured constructions), tightest rhs/lhs 0.9877; ' +
      "none beyond the regimes (every law 8× as wide as its widest in the regimes, recurrent spectral norms up to 8× the largest regime's) in 62 evaluations from 3 starts (30 structured constructions), tightest rhs/lhs 0.5000",
  ],
  [
    {
      kind: 'search',
      relation: '>=',
      budget: 250,
      evaluations: 250,
      starts: 8,
      constructions: 64,
      bestRatio: 0.987654,
      found: false,
      regimes: ['contracting'],
      beyond: null,
    },
    'adversarial search',
    "no violation inside the claim's regimes (contracting) in 250 evaluations from 8 starts (64 structured constructions), tightest rhs/lhs 0.9877; not searched beyond them (the claim is stated for those regimes only)",
  ],
  [
    {
      kind: 'search',
      relation: '<=',
      budget: 250,
      evaluations: 250,
      starts: 8,
      constructions: 64,
      bestRatio: 0.4,
      found: true,
      regimes: ['contracting', 'near-critical', 'expanding', 'saturated'],
      beyond: { budget: 62, evaluations: 5, starts: 3, constructions: 5, bestRatio: 1.7, found: true, gain: 8 },
    },
    'adversarial search',
    'no violation inside the regimes in 250 evaluations from 8 starts (64 structured constructions), tightest lhs/rhs 0.4000; ' +
      "a violation found beyond the regimes (every law 8× as wide as its widest in the regimes, recurrent spectral norms up to 8× the largest regime's) in 5 evaluations from 3 starts (5 structured constructions)",
  ],
  [
    {
      kind: 'search',
      relation: '<=',
      budget: 250,
      evaluations: 17,
      starts: 8,
      constructions: 9,
      bestRatio: 1.25,
      found: true,
      regimes: ['contracting', 'near-critical', 'expanding', 'saturated'],
      beyond: { budget: 62, evaluations: 0, starts: 0, constructions: 0, bestRatio: null, found: false, gain: 8 },
    },
    'adversarial search',
    'a violation found inside the regimes in 17 evaluations from 8 starts (9 structured constructions)',
  ],
  [
    {
      kind: 'induction',
      ok: false,
      steps: [{ rule: 'path-range', ok: false, values: { pathRange: 'n', recurrenceRange: 'd' } }],
    },
    'proof by induction on t',
    "fails at 'path range': the closed form sums γ over 1..n but the recurrence sums over 1..d",
  ],
];

describe('evidence in words', () => {
  it.each(cases.map((c, i) => [i, ...c] as const))('record %i: %s', (_i, evidence, method, summary) => {
    expect(evidenceMethod(evidence)).toBe(method);
    expect(evidenceSummary(evidence)).toBe(summary);
  });

  it('reasons for an unverifiable verdict', () => {
    expect(reasonText({ why: 'trouble-dominates', troubled: 7, points: 10, agreed: 3 })).toBe(
      'numeric trouble at 7 of 10 points outweighs the 3 that agree',
    );
    expect(reasonText({ why: 'reference-broken', points: 2, derivative: 'grad|L|h@3|' })).toMatch(
      /^the exact reference failed its own cross-check at 2 point\(s\) \(grad\|L\|h@3\|\)/,
    );
  });
});

describe('a counterexample beyond the regimes in words', () => {
  it("names each magnitude no regime draws beside the regimes' largest", () => {
    expect(
      beyondRegimesText([
        { name: 'W_o', measure: 'spectral-norm', value: 12, regimeLimit: 1.5 },
        { name: 'b_o', measure: 'max-deviation', value: 30.5, regimeLimit: 8 },
      ]),
    ).toBe(
      "outside the sampled regimes: ‖W_o‖₂ = 12.00 (the regimes: ≤ 1.500), b_o up to 30.50 from its law's mean (the regimes: ≤ 8.000)",
    );
    expect(beyondRegimesText([])).toMatch(/^outside the sampled regimes \(no one magnitude/);
  });
});

describe('replay command', () => {
  const cx = (file: string): Counterexample => ({
    masterSeed: 5,
    instance: 3,
    instanceSeed: 9,
    regime: 'expanding',
    sizes: { d: 2 },
    bindings: {},
    compared: 'scalars',
    lhs: [1],
    rhs: [2],
    entries: 1,
    lhsNorm: 1,
    rhsNorm: 2,
    relError: 0.5,
    extended: null,
    searchSteps: null,
    beyondRegimes: null,
    replay: [file, '--claim', 'c1', '--seed', '5', '--instance', '3', '--size', 'd=2'],
  });
  it('plain paths stay as they are', () => {
    expect(replayCommand(cx('derivations/a.yaml'))).toBe(
      'gradproof check derivations/a.yaml --claim c1 --seed 5 --instance 3 --size d=2',
    );
  });
  it('a path with spaces or quotes is quoted for the shell', () => {
    expect(replayCommand(cx("my files/it's.yaml"))).toBe(
      `gradproof check 'my files/it'\\''s.yaml' --claim c1 --seed 5 --instance 3 --size d=2`,
    );
  });
});
