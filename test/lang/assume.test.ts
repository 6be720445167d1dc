/**
 * `assume:` on a claim — a model variant for that claim alone: an equation
 * replaced, a parameter or an initial state fixed to zero or the identity. The
 * report shows the assumption beside the verdict.
 */
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { checkReportJson } from '../../src/emit/json-report.js';
import { formatCheckReport } from '../../src/emit/text-report.js';
import { snapshotClaim } from '../../src/verify/snapshot.js';

const header = `gradproof: 1
title: RNN with a sigmoid read-out
model:
  sizes: { d: 2..3, m: 1..2, q: 1..2, T: 3..5 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, m] }
    b: { role: parameter, shape: [d], init: bias }
    V: { role: parameter, shape: [q, d] }
    b_y: { role: parameter, shape: [q], init: bias }
    c: { role: parameter, shape: [q], init: gaussian }
    x: { role: input, shape: [m] }
    h: { role: state, shape: [d] }
    y: { role: intermediate, shape: [q] }
  equations:
    - h[t] = tanh(W*h[t-1] + U*x[t] + b)
    - y[t] = sigma(V*h[t] + b_y)
  loss: L = sum(c .* y[T])
claims:
`;
const text = `${header}  - id: readout-as-written
    claim: grad(L, h[T]) = V' * grad(L, y[T])
  - id: readout-sigma-identity
    claim: grad(L, h[T]) = V' * grad(L, y[T])
    assume: { equations: ["y[t] = V*h[t] + b_y"] }
  - id: first-step-h0-zero
    claim: h[1] = tanh(U*x[1] + b)
    assume: { zero: ["h[0]"] }
  - id: first-step-no-bias
    claim: h[1] = tanh(W*h[0] + U*x[1])
    assume: { zero: [b] }
  - id: first-step-W-identity
    claim: h[1] = tanh(h[0] + U*x[1] + b)
    assume: { identity: [W] }
  - id: first-step-unassumed
    claim: h[1] = tanh(U*x[1] + b)
`;
const d = parseDerivation(text, 'assume.yaml');
const results = checkDerivation(d, { instances: 1 });
const byId = new Map(results.map((r) => [r.id, r]));

describe('assume: a model variant for one claim', () => {
  it('replacing an equation: σ_y as the identity makes the read-out gradient Vᵀ ∂L/∂y', () => {
    expect(byId.get('readout-as-written')!.verdict).toBe('refuted');
    expect(byId.get('readout-sigma-identity')).toMatchObject({
      verdict: 'verified',
      assumptions: ['y[t] = V*h[t] + b_y'],
    });
  });

  // Fixed values are numbers on the instances only: the symbolic engine still reads h[0], b and W as
  // atoms (sound: an identity of atoms holds for every value), so these stay `consistent`.
  it('fixing an initial state, a parameter to zero, a matrix to the identity', () => {
    expect(byId.get('first-step-unassumed')!.verdict).toBe('refuted');
    expect(byId.get('first-step-h0-zero')).toMatchObject({ verdict: 'consistent', assumptions: ['h[0] = 0'] });
    expect(byId.get('first-step-no-bias')).toMatchObject({ verdict: 'consistent', assumptions: ['b = 0'] });
    expect(byId.get('first-step-W-identity')).toMatchObject({ verdict: 'consistent', assumptions: ['W = I'] });
    for (const id of ['first-step-h0-zero', 'first-step-no-bias', 'first-step-W-identity'])
      expect(byId.get(id)!.relError).toBeLessThan(1e-15);
  });

  it('leaves the file model and the other claims alone', () => {
    expect(d.model.equations.map((e) => e.text)).toEqual([
      'h[t] = tanh(W*h[t-1] + U*x[t] + b)',
      'y[t] = sigma(V*h[t] + b_y)',
    ]);
    expect(d.model.fixed).toBeUndefined();
    expect(byId.get('readout-as-written')!.assumptions).toEqual([]);
  });

  it('is shown beside the verdict (text, JSON, fixtures)', () => {
    const report = {
      claims: results,
      summary: { total: 6, ok: 6, failed: 0 },
      masterSeed: 1,
      derivations: [d],
      errors: [],
    };
    expect(formatCheckReport(report)).toMatch(
      /readout-sigma-identity +verified[^\n]*\n {6}assuming: y\[t\] = V\*h\[t\] \+ b_y\n/,
    );
    const json = checkReportJson(report) as { claims: { assumptions: string[] }[] };
    expect(json.claims[4]!.assumptions).toEqual(['W = I']);
    expect(snapshotClaim(d, byId.get('first-step-no-bias')!).assumptions).toEqual(['b = 0']);
    expect(snapshotClaim(d, byId.get('readout-as-written')!)).not.toHaveProperty('assumptions');
  });

  it('refuses what cannot be assumed, located', () => {
    const bad = (assume: string) => () =>
      parseDerivation(`${header}  - id: x\n    claim: L = L\n    assume: ${assume}\n`, 'f.yaml');
    expect(bad('{ zero: [Q] }')).toThrow(
      /f\.yaml:22:22: cannot fix 'Q' \(expected a parameter \(b\) or a state at time 0/,
    );
    expect(bad('{ zero: [x] }')).toThrow(/cannot fix 'x'/);
    expect(bad('{ identity: [U] }')).toThrow(/'U' is matrix\[d, m\]: only a square matrix can be the identity/);
    expect(bad('{ equations: ["z[t] = h[t]"] }')).toThrow(/'z' is not a state or intermediate symbol/);
    expect(bad('{ equations: ["y[t] = h[t]"] }')).toThrow(/the right-hand side is/);
    expect(bad('{ nope: [b] }')).toThrow(/unknown key 'nope' in assume/);
  });
});
