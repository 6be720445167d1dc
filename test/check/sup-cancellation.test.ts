/**
 * A `supabs` whose body cancels in float64 (1 − tanh x at large x) was searched on float64's values alone, and the
 * rounding noise, multiplied back up, made the sup far larger than it is: (1 − tanh x)·e^{2x} = 2/(1 + e^{−2x}), whose
 * sup is 2, was found to be 3.5 (x ≈ 19). On a bound's larger side that is a false pass: four false claims of a review
 * came out consistent. Now the search takes only points float64 computes to SUP_DOUBT (the body's noted loss) and the
 * sup carries what was lost where it was found; where no point qualifies the value is NaN, the point's numeric trouble.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { supAbs } from '../../src/numeric/sup.js';
import { watchedScalar } from '../support/watched-scalar.js';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';

/** The lab's model with these claims (YAML items) in place of its own; `sigma` for a sigmoid cell. */
function lab(claims: string, cell = 'tanh') {
  const text = readFileSync(LAB, 'utf8').replace('h[t] = tanh(', `h[t] = ${cell}(`);
  return parseDerivation(`${text.slice(0, text.indexOf('\nclaims:'))}\nclaims:\n${claims}`, 'sup.yaml');
}

const watched = watchedScalar;

describe('supabs where float64 cancels', () => {
  it('finds 2 for (1 − tanh x)·e^{2x} (float64 alone: 3.5) and 1 for (1 − σ(x))·e^x', () => {
    const f = watched('(1 - tanh(x)) * exp(2 * x)');
    // float64's own values, every point taken: the overestimate the search made
    expect(supAbs({ value: f.value, lost: () => 0 })).toBeGreaterThan(3.4);
    // float64 alone, where it notes nothing lost (x ≤ 6.9): 2/(1 + e^{-13.8}), 2·10⁻⁶ short
    const plain = supAbs({ value: f.value, lost: f.lost });
    expect(plain).toBeLessThan(2 * (1 - 1e-7));
    expect(plain).toBeGreaterThan(2 * (1 - 1e-5));
    // with the decimals beyond: 2 to float64's last digit
    expect(supAbs(f)).toBe(2);
    expect(supAbs(watched('(1 - sigma(x)) * exp(x)'))).toBe(1);
  });

  it("takes no value both decimals got wrong alike, nor float64's unnoted compounding (a second review's cases)", () => {
    // 1 − tanh(3x) is 0 in 40 and 64 digits from x ≈ 26 (they agreed on e⁰ = 1); truly σ(x)·e^{−2σ(6x)}: sup 0.343712
    // at x ≈ −0.476 (mpmath)
    expect(supAbs(watched('sigma(x) * exp(-(1 - tanh(3 * x)) * exp(6 * x))'))).toBeCloseTo(0.343712, 6);
    // (1 + 1e100) − 1e100 cancels beyond 64 digits everywhere: nothing settled
    expect(supAbs(watched('exp(-x^2) * (2 - ((1 + 1e100) - 1e100))'))).toBeNaN();
    // e^x·e^{−x} = 1 + 2⁻⁵² in float64, raised to 10¹⁵ by powers each under the noted 2²⁰: 1.2486; truly 1
    const powers = watched('((((((exp(x) * exp(-x))^1000)^1000)^1000)^1000)^1000)');
    expect(supAbs({ value: powers.value, lost: powers.lost })).toBeGreaterThan(1.2);
    expect(supAbs(powers)).toBe(1);
    // two cancellations of under 2²⁰ each: 1.0000087 in float64 near x = −1.04; truly 1, approached at 0
    const twice = supAbs(watched('(exp(x^2 / 250000) - 1 - x^2 / 250000) / (x^2 / 250000)^2 * 2 * exp(-x^2 / 250000)'));
    expect(twice).toBeLessThanOrEqual(1);
    expect(twice).toBeGreaterThan(1 - 1e-5);
  });

  it('leaves a sup found where nothing cancels as it was (the intervals pass over the tails)', () => {
    expect(supAbs(watched('1 - tanh(x)^2'))).toBe(1);
    expect(supAbs(watched('sigma(x) * (1 - sigma(x))'))).toBeCloseTo(0.25, 15);
  });

  it("refutes the review's four false bounds and keeps a true one", () => {
    const sigmoid = checkDerivation(
      lab(
        [
          '  - id: s01\n    claim: 2.3 * normMax(h[T]) <= supabs(x, (1 - tanh(x)) * exp(2 * x))',
          '  - id: s02\n    claim: 2.3 <= supabs(x, (1 - tanh(x)) * exp(2 * x))',
          '  - id: s03\n    claim: 1.2 * normMax(h[T]) <= supabs(x, (1 - sigma(x)) * exp(x))',
          // true: σ < 1 and the sup is 2 (saturated units are 1 in float64, against 2(1 − 1.3e-10)/2: within the tolerance)
          '  - id: true-half\n    claim: normMax(h[T]) <= 0.5 * supabs(x, (1 - tanh(x)) * exp(2 * x))',
        ].join('\n'),
        'sigma',
      ),
    );
    const verdicts = Object.fromEntries(sigmoid.map((r) => [r.id, r.verdict]));
    expect(verdicts).toEqual({ s01: 'refuted', s02: 'refuted', s03: 'refuted', 'true-half': 'consistent' });
    // s02 is 2.3 against 2 at every point: the relative error (2.3 − 2)/2.3
    const s02 = sigmoid.find((r) => r.id === 's02')!;
    expect(s02.counterexample!.relError).toBeCloseTo(0.3 / 2.3, 6);
    // ‖J‖ ≤ (0.6‖W‖)^k fails at h ≈ 0, where J = W (the sup read as 4 made it (1.2‖W‖)^k)
    const [s10] = checkDerivation(
      lab(
        '  - id: s10\n    claim: norm2(jac(h[T], h[T-k])) <= norm2(W)^k * (0.3 * supabs(x, (1 - tanh(x)) * exp(2 * x)))^k\n    forall: k in 1..T',
      ),
    );
    expect(s10!.verdict).toBe('refuted');
  });

  it('settles what the decimals can and makes a sup settled nowhere numeric trouble, not a value', () => {
    // ((1e16 + 1) − 1e16)·e^{−x²} is 0 in float64 (everything lost) and exactly e^{−x²} in decimals: sup 1
    expect(supAbs(watched('((1e16 + 1) - 1e16) * exp(-x^2)'))).toBe(1);
    // a declared function has its float64 value and what it loses, but no extended form: nowhere settled
    const text = readFileSync(LAB, 'utf8').replace(
      '\nclaims:',
      '\n  functions:\n    flat: { value: "((1e16 + 1) - 1e16) * exp(-x^2)", derivative: "-2 * x * ((1e16 + 1) - 1e16) * exp(-x^2)" }\nclaims:',
    );
    const d = parseDerivation(
      `${text.slice(0, text.indexOf('\nclaims:'))}\nclaims:\n  - id: nowhere\n    claim: normMax(h[T]) <= supabs(y, flat(y))`,
      'sup.yaml',
    );
    const [r] = checkDerivation(d);
    expect(r!.verdict).toBe('unverifiable');
    expect(evidenceOf(r!.evidence, 'trouble')).toMatchObject({ kind: 'trouble' });
  });
});
