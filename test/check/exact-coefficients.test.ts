/**
 * The equality engines combine coefficients exactly or refuse the form (src/symbolic/exact-float.ts,
 * `roundingUnsupported`): equal canonical forms are an identity, and a coefficient float64 rounded made different
 * forms equal. `(1 + 1e-10) - 1` is 1.000000082740371e-10 in float64; written as a declared derivative, the claim
 * with float64's figure was `verified` (a false proof), and written in a claim `unverifiable`. A binding refused for
 * it is decided by the ℤ_p test, which reads every double exactly, as an expansion too large is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { evidenceOf } from '../../src/check/evidence.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { sameTemplate } from '../../src/symbolic/templates.js';
import { node, num } from '../../src/ir/expr.js';

const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
const labModel = lab.slice(0, lab.indexOf('claims:'));

function results(model: string, claims: readonly string[]) {
  const yaml = claims.map((c, i) => `  - id: c${i}\n    claim: ${c}\n    forall: t in 1..T\n`).join('');
  return checkDerivation(parseDerivation(`${model}claims:\n${yaml}`, 'coefficients.yaml'), {});
}

describe('coefficients that round in float64 make no identity', () => {
  it("a claim's constants: (1 + 1e-10) − 1 against float64's figure is refuted, 0.1 + 0.2 is no proof", () => {
    const J = 'jac(h[t], h[t-1])';
    const [cancelled, tenths] = results(labModel, [
      `${J} * ((1 + 1e-10) - 1) = 1.000000082740371e-10 * ${J}`,
      `${J} * (0.1 + 0.2) = 0.30000000000000004 * ${J}`,
    ]);
    expect(cancelled!.verdict).toBe('refuted');
    expect(evidenceSummary(evidenceOf(cancelled!.evidence, 'symbolic')!)).toBe(
      'a coefficient float64 cannot hold exactly (1 + 1e-10): exact forms cannot compare it at d=2, m=1, T=3, t=1; the randomized test in ℤ_p disagrees there (not an exact identity)',
    );
    // 0.1 + 0.2 is 0.3 and 0.30000000000000004 is not: within the tolerance numerically, no identity symbolically
    expect(tenths!.verdict).toBe('consistent');
    expect(evidenceSummary(evidenceOf(tenths!.evidence, 'symbolic')!)).toMatch(
      /^a coefficient float64 cannot hold exactly \(0\.1 \+ 0\.2\)/,
    );
  });

  it("a declared function's derivative body: float64's figure refuted, the true one consistent", () => {
    const model = labModel
      .replace(
        '    h: { role: state, shape: [d] }\n',
        '    h: { role: state, shape: [d] }\n    g: { role: intermediate, shape: [d] }\n',
      )
      .replace(
        '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n',
        '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n    - g[t] = f(W * h[t-1])\n',
      )
      .replace('  loss:', '  functions:\n    f: { value: "1e-10 * x", derivative: "(1 + 1e-10) - 1" }\n  loss:');
    expect(model).toContain('g[t] = f(W * h[t-1])');
    const [wrong, right] = results(model, [
      'jac(g[t], h[t-1]) = 1.000000082740371e-10 * W',
      'jac(g[t], h[t-1]) = 1e-10 * W',
    ]);
    expect([wrong!.verdict, right!.verdict]).toEqual(['refuted', 'consistent']);
  });

  it('the induction templates: (1 + 1e-10) − 1 is not the template 1.000000082740371e-10', () => {
    const cancelled = node('sub', [node('add', [num(1), num(1e-10)]), num(1)]);
    // refused, not equal (the induction reads a refusal as a step not shown: src/symbolic/induction.ts `same`)
    expect(() => sameTemplate(cancelled, num(1.000000082740371e-10))).toThrow(/cannot hold exactly \(1 \+ 1e-10\)/);
    expect(sameTemplate(node('add', [num(0.5), num(0.25)]), num(0.75))).toBe(true);
  });
});
