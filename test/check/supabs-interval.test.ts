/**
 * `supabs` in interval enclosures: a sup other than a nondecreasing activation's had no interval rule (float64's value
 * encloses nothing), so every lost-digit agreement of a claim with one went to the 40-digit decimals. Enclosures now
 * take a rigorous lower bound of the sup — the body's enclosure of |f| at the point where the float engine's search
 * found its sup (src/numeric/sup.ts supLowerBound). The loader admits a sup only where the claim's larger side grows
 * with it (src/derivation/check-expr.ts checkSupabs): proving the claim with a smaller value proves it with the sup.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { DEFAULT_OPTIONS } from '../../src/check/check-claim.js';
import { extendedLook } from '../../src/check/extended-check.js';
import { runPoints } from '../../src/check/points.js';
import type { Derivation } from '../../src/derivation/derivation.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { supLowerBound } from '../../src/numeric/sup.js';
import { withClaims } from '../support/model-file.js';
import { watchedScalar } from '../support/watched-scalar.js';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';

describe("the sup's rigorous lower bound", () => {
  it('is the enclosure of |f| where the search found the sup: 1 for 1 − tanh², 1/4 for σ(1 − σ)', () => {
    const tanh = supLowerBound(watchedScalar('1 - tanh(x)^2'))!;
    expect(tanh).toBeLessThanOrEqual(1);
    expect(tanh).toBeGreaterThanOrEqual(1 - 1e-15);
    // σ's interval rule widens float64's σ by 2⁻⁴⁰ each way (src/symbolic/domains/interval.ts ACTIVATION_SLACK), in σ
    // and again in 1 − σ: 0.25·(1 − 2⁻³⁹) or so, 4.5e-13 below the sup (float64's own 0.25 encloses nothing)
    const sigma = supLowerBound(watchedScalar('sigma(x) * (1 - sigma(x))'))!;
    expect(sigma).toBeLessThan(0.25);
    expect(sigma).toBeGreaterThanOrEqual(0.25 * (1 - 2 ** -38));
  });

  it('is none without an enclosure of the body, and none where the search found no value', () => {
    const { value, lost } = watchedScalar('1 - tanh(x)^2');
    expect(supLowerBound({ value, lost })).toBeNull();
    // NaN everywhere: no point settled, no sup found
    expect(supLowerBound({ value: () => NaN, lost: () => 0 })).toBeNull();
  });
});

/** Every point of instance `index` of `d`'s claim `id` looked at again as if float64 had lost 1e-9 on the way. */
function looks(d: Derivation, id: string, index: number, regimes?: readonly string[]) {
  const claim = d.claims.find((c) => c.id === id)!;
  const spec = instanceSpec(d.model, DEFAULT_OPTIONS.masterSeed, index, regimes as never);
  const instance = buildInstance(d.model, spec);
  const entry = { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
  return runPoints(claim, entry, 0, null).map((p) => {
    const look = extendedLook(claim, entry, p.env, p.outcome, 1e-9, new Map());
    const extended = look.status === 'trouble' ? undefined : look.extended;
    return { env: p.env, float: p.outcome, look: { status: look.status, extended } };
  });
}

describe('lost-digit agreements against a sup, proved by enclosures', () => {
  const d = parseDerivation(
    withClaims(
      LAB,
      `  - id: eq2-from-0
    claim: norm2(jac(h[T], h[T-k])) <= norm2(W)^k * supabs(x, 1 - tanh(x)^2)^k
    forall: k in 0..T
    expect: proved
  - id: tanh-prime-max
    claim: 1 <= supabs(x, 1 - tanh(x)^2)
    expect: proved
  - id: sigma-prime-max
    claim: 0.25 <= supabs(x, sigma(x) * (1 - sigma(x)))
    expect: proved
`,
    ),
    'supabs-interval.yaml',
  );

  it("eq. (2) at k = 0 (both sides 1, as the search drives it) on a saturated instance: 'interval' (before: 'decimal')", () => {
    const [k0] = looks(d, 'eq2-from-0', 3, ['saturated']);
    expect(k0!.env).toEqual({ k: 0 });
    expect(k0!.float.status).toBe('agree');
    expect(k0!.look.status).toBe('agree');
    expect(k0!.look.extended?.was).toBe('lost-digits');
    expect(k0!.look.extended?.arithmetic).toBe('interval');
  });

  it("a bound the sup's value decides, 1 ≤ sup|1 − tanh²| and 1/4 ≤ sup|σ(1 − σ)|: proved by enclosures", () => {
    for (const id of ['tanh-prime-max', 'sigma-prime-max']) {
      const [p] = looks(d, id, 0);
      expect(p!.float.status).toBe('agree');
      expect(p!.look.status).toBe('agree');
      expect(p!.look.extended?.was).toBe('lost-digits');
      expect(p!.look.extended?.arithmetic).toBe('interval');
    }
  });

  it('a claim not nondecreasing in its sup (a negative co-factor) is refused where it is written', () => {
    expect(() =>
      parseDerivation(
        withClaims(
          LAB,
          `  - id: negative-co-factor
    claim: (normMax(h[T]) - 2) * 1 <= (normMax(h[T]) - 2) * supabs(x, 1 - tanh(x)^2)
`,
        ),
        'negative.yaml',
      ),
    ).toThrow(/supabs may only appear on the larger side where that side grows with it/);
  });

  it('the ten shipped claims with such sups still load under the loader rule', () => {
    const shipped: [string, string[]][] = [
      [
        'derivations/how-lstms-solve-vanishing-gradients-2019.yaml',
        [
          'grad-vanishes-with-gates',
          't1-bound-K-sup',
          'forget-gates-and-output-gates',
          'contribution-vanishes-with-gates',
          'forget-gates-small-this-path',
        ],
      ],
      ['derivations/why-lstm-works-2018.yaml', ['eq4-norm-bound', 'eq4-magnitude-bound']],
      ['derivations/lab-10-5-solution.yaml', ['lab-eq2', 'loss-gradient-bound.2', 'part2.4']],
    ];
    for (const [file, ids] of shipped) {
      const s = parseDerivation(readFileSync(file, 'utf8'), file);
      for (const id of ids)
        expect(
          s.claims.find((c) => c.id === id),
          `${file} ${id}`,
        ).toBeDefined();
    }
  });
});

describe('a false bound with a sup on its larger side', () => {
  it('‖∂h_T/∂h_{T−1}‖ ≤ ½‖W‖·sup|1 − tanh²| is still refuted at the default seed', () => {
    const d = parseDerivation(
      withClaims(
        LAB,
        `  - id: half
    claim: norm2(jac(h[T], h[T-1])) <= 0.5 * norm2(W) * supabs(x, 1 - tanh(x)^2)
    expect: refuted
`,
      ),
      'half.yaml',
    );
    const [r] = checkDerivation(d);
    expect(r!.verdict).toBe('refuted');
  });
});
