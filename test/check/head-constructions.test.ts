/**
 * A model whose loss reads an output head (a parameter matrix applied to the states) and targets (inputs no state
 * reads): the search also aligns them (src/numeric/head-constructions.ts) — recurrent matrices u uᵀ, the head w uᵀ with
 * w the ±1 pattern whose sum is 0, the targets along w (−w at T, ∓0.1 w before), the drives at the peak; and the same
 * along the first unit with the states there and the targets at 0. Every other construction sets the targets to 0 or
 * leaves them random, and the bounds below (a review's) were `consistent` at master seed 1 (most of them at the default
 * and seed 2 too). numpy (test/fixtures/numpy/head_aligned.py, on these counterexamples' export) recomputes every pinned
 * figure, each gradient by finite differences against its closed form.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation, loadDerivationFile } from '../../src/derivation/load.js';
import { replayCommand } from '../../src/emit/replay.js';
import { InstanceSpace } from '../../src/numeric/adversarial.js';
import { headConstructions, outputHeadsOf } from '../../src/numeric/head-constructions.js';
import { emptyData } from '../support/instance-data.js';
import { modelFile } from '../support/model-file.js';

const SEED = 1;
const check = (file: string) =>
  new Map(
    checkDerivation(loadDerivationFile(`test/fixtures/models/${file}`), { masterSeed: SEED }).map((r) => [r.id, r]),
  );

const HEAD_NAMES = [
  'peak, rank-one, head and targets aligned',
  'peak, rank-one, head and targets aligned, the earlier targets of the other sign',
  'peak, head and states along the first unit, targets at 0',
  'states saturated at +1, head along them, every target the zero-sum pattern',
];

describe('output head and targets aligned', () => {
  const aligned = check('head-aligned.yaml');

  it('refute ‖∇_{h_{T−1}}L‖ ≤ ‖V‖‖e_{T−1}‖ + 0.999‖V‖‖e_T‖ in the near-critical regime (numpy recomputes)', () => {
    const r = aligned.get('crit-grad-false')!;
    expect(r.verdict).toBe('refuted');
    const cx = r.counterexample!;
    // the first head construction, the first evaluation beside its start's path
    expect(replayCommand(cx)).toMatch(/--instance 21 .*--search 1$/);
    expect(cx.sizes).toEqual({ T: 5, d: 3, m: 2, q: 1 });
    expect(cx.regime).toBe('near-critical');
    // head_aligned.py: W = u uᵀ (‖W‖₂ = 1), V = uᵀ, h = 0 throughout, e_{T−1} = 0.1, e_T = 1: 1.1 against 1.099
    expect(cx.lhs[0]! / 1.1).toBeCloseTo(1, 12);
    expect(cx.rhs[0]! / 1.099).toBeCloseTo(1, 12);
  });

  it('refute the bound with ‖W‖ as a factor, 0.999 and 0.9 of it, and 0.9 in the near-critical regime', () => {
    for (const [id, lhs, rhs, regime] of [
      // head_aligned.py: ‖W‖₂ = ½, q = 3: w = (1, −1, 0)/√2, ‖e_t‖ = √2·(0.1, 1): √2(0.1 + ½) against √2(0.1 + c·½)
      ['grad-W-0999-false', 0.8485281374238571, 0.8478210306426706, 'contracting'],
      ['grad-W-09-false', 0.8485281374238571, 0.7778174593052023, 'contracting'],
      ['grad-W-09-crit-false', 1.1, 1.0, 'near-critical'],
    ] as const) {
      const r = aligned.get(id)!;
      expect([id, r.verdict]).toEqual([id, 'refuted']);
      const cx = r.counterexample!;
      expect(cx.regime).toBe(regime);
      expect(replayCommand(cx)).toMatch(/--search 1$/);
      expect(cx.lhs[0]! / lhs).toBeCloseTo(1, 12);
      expect(cx.rhs[0]! / rhs).toBeCloseTo(1, 12);
    }
  });

  it('leave the true companions (1 where it is due) consistent, tight at the construction', () => {
    for (const id of ['crit-grad-true', 'grad-W-true']) {
      const r = aligned.get(id)!;
      expect([id, r.verdict]).toEqual([id, 'consistent']);
      const search = evidenceOf(r.evidence, 'search')!;
      expect(search.found).toBe(false);
      expect(search.bestRatio!).toBeLessThanOrEqual(1 + 1e-9);
      expect(search.bestRatio!).toBeGreaterThan(1 - 1e-9);
    }
  });
});

describe('softmax cross-entropy labels whose sum is 0', () => {
  const ce = check('head-softmax.yaml');

  it('refute ‖∇_{h_T}L‖ ≤ 0.9‖V‖(|Σy_T| + ‖y_T‖) (numpy recomputes)', () => {
    const r = ce.get('ce-grad-h-bound-false')!;
    expect(r.verdict).toBe('refuted');
    const cx = r.counterexample!;
    expect(replayCommand(cx)).toMatch(/--instance 1 .*--search 1$/);
    expect(cx.sizes).toEqual({ T: 3, d: 2, k: 4, m: 1 });
    // head_aligned.py: y_T = −(1, −1, 1, −1), Σy_T = 0, V = w uᵀ (‖V‖₂ = 1): ‖Vᵀ y_T‖ = 2 against 0.9 · 2
    expect(cx.lhs[0]! / 2).toBeCloseTo(1, 12);
    expect(cx.rhs[0]! / 1.8000000000000005).toBeCloseTo(1, 12);
  });

  it('leave ‖∇_{h_T}L‖ ≤ ‖V‖(|Σy_T| + ‖y_T‖) consistent', () => {
    const r = ce.get('ce-grad-h-bound-true')!;
    expect(r.verdict).toBe('consistent');
    expect(evidenceOf(r.evidence, 'search')!.bestRatio!).toBeLessThanOrEqual(1 + 1e-9);
  });
});

describe('saturated states against labels whose sum is 0 (review162)', () => {
  // the bound held at master seeds 1 and 2 (refuted at the default seed), where no construction saturated the states
  for (const masterSeed of [1, 2]) {
    const results = new Map(
      checkDerivation(loadDerivationFile('test/fixtures/models/head-gru-saturated.yaml'), { masterSeed }).map((r) => [
        r.id,
        r,
      ]),
    );
    it(`refute a GRU head's ‖∇_V L‖_F ≤ 0.9√d Σ_t(|Σy_t| + ‖y_t‖) given ‖h_0‖_max ≤ 1 at its edge (seed ${masterSeed})`, () => {
      const r = results.get('gru-ce-grad-V-09-false')!;
      expect(r.verdict).toBe('refuted');
      const { lhs, rhs, sizes } = r.counterexample!;
      // h_t = h_0 = 𝟙 (the update gate shut open), y_t the ±1 pattern (Σy_t = 0): ∇_V L = −Σ_t y_t 𝟙ᵀ, whose
      // Frobenius norm T ‖y‖ √d is the whole of the true bound; against 0.9 of it
      const y = Math.sqrt(2 * Math.floor(sizes.k! / 2));
      expect(lhs[0]! / (sizes.T! * y * Math.sqrt(sizes.d!))).toBeCloseTo(1, 9);
      expect(rhs[0]! / lhs[0]!).toBeCloseTo(0.9, 9);
    });
    it(`leave the bound with √d consistent (seed ${masterSeed})`, () => {
      const r = results.get('gru-ce-grad-V-true')!;
      expect(r.verdict).toBe('consistent');
      expect(evidenceOf(r.evidence, 'search')!.bestRatio!).toBeLessThanOrEqual(1 + 1e-9);
    });
  }
});

describe('head and states along the first unit', () => {
  const unit = check('head-first-unit.yaml');

  it('refute normMax(∇_V L) ≤ 0.99 √(Σ‖e_t‖²) √(Σ‖h_t‖²), a repair offered as holding (numpy recomputes)', () => {
    const r = unit.get('cs-V-max-099-false')!;
    expect(r.verdict).toBe('refuted');
    const cx = r.counterexample!;
    // the third head construction (the third evaluation, beside the path): W = ½ e₁e₁ᵀ, V = e₁ᵀ, h_0 = ½ e₁, targets and c at 0
    expect(replayCommand(cx)).toMatch(/--instance 8 .*--search 3$/);
    expect(cx.sizes).toEqual({ T: 2, d: 2, m: 1, q: 1 });
    // head_aligned.py: ∇_V L = Σ h_{t,1}² e₁ᵀ = tanh(¼)² + tanh(½ tanh ¼)², against 0.99 of it
    expect(cx.lhs[0]! / 0.07483277739948652).toBeCloseTo(1, 12);
    expect(cx.rhs[0]! / 0.07408444962549164).toBeCloseTo(1, 12);
  });

  it('leave the bound with 1 consistent', () => {
    const r = unit.get('cs-V-max-true')!;
    expect(r.verdict).toBe('consistent');
    expect(evidenceOf(r.evidence, 'search')!.bestRatio!).toBeLessThanOrEqual(1 + 1e-9);
  });
});

describe('which models get them', () => {
  const CLAIM = '  - id: any\n    claim: norm2(grad(L, h[T])) >= 0\n';
  const namesOf = (text: string) => {
    const file = parseDerivation(text, 'heads.yaml');
    const space = new InstanceSpace(file.model, { d: 2, m: 1, q: 2, T: 3 }, 'near-critical');
    const found = outputHeadsOf(file.model, space.blocks);
    // entries 1/(k + 2) (recurrent matrices are rescaled to the regime's norm)
    const names = headConstructions(
      file.model,
      space,
      emptyData(space, (k) => 1 / (k + 2)),
    ).map((c) => c.name);
    return { found, names };
  };

  it('a head and a target: the four', () => {
    const { found, names } = namesOf(
      modelFile({
        sizes: 'd: 2, m: 1, q: 2, T: 3',
        symbols: ['W', 'U', 'b', 'V: { role: parameter, shape: [q, d] }', 'x', 'yt: { role: input, shape: [q] }', 'h'],
        equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
        loss: 'L = sum(s, 1, T, 0.5 * sum((V*h[s] - yt[s]).^2))',
        claims: CLAIM,
      }),
    );
    expect(found.heads.map((b) => b.name)).toEqual(['V']);
    expect(found.targets.map((b) => [b.name, b.time])).toEqual([
      ['yt', 1],
      ['yt', 2],
      ['yt', 3],
    ]);
    expect(names).toEqual(HEAD_NAMES);
  });

  it('none without a target, nor for a read-out of the last state, nor for an input the state reads', () => {
    for (const [loss, symbols] of [
      ['L = sum(V*h[T])', ['V: { role: parameter, shape: [q, d] }']],
      ['L = sum(c .* h[T])', ['c']],
      ['L = sum((V*h[T] - x[T]).^2)', ['V: { role: parameter, shape: [m, d] }']],
    ] as const) {
      const { found, names } = namesOf(
        modelFile({
          sizes: 'd: 2, m: 1, q: 2, T: 3',
          symbols: ['W', 'U', 'b', ...symbols, 'x', 'h'],
          equations: ['h[t] = tanh(W*h[t-1] + U*x[t] + b)'],
          loss,
          claims: CLAIM,
        }),
      );
      expect([loss, found.heads.length]).toEqual([loss, 0]);
      expect(names).toEqual([]);
    }
  });
});
