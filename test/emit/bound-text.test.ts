/** The words of a bound proof's summary: an unjustified step's sides are elided past a limit, the record kept whole. */
import { describe, expect, it } from 'vitest';
import type { BoundProofEvidence } from '../../src/check/evidence.js';
import { boundSummary, elided, STEP_TEXT_LIMIT } from '../../src/emit/bound-text.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { modelFile } from '../support/model-file.js';

const unproved = (goal: string, target: string): BoundProofEvidence => ({
  kind: 'bound-proof',
  ok: false,
  relation: '<=',
  steps: [],
  failure: { goal, target, why: 'no rule bounds it' },
  symbolic: ['T'],
  fixed: {},
});

describe('an unproved bound’s summary', () => {
  it('writes short sides whole', () => {
    expect(boundSummary(unproved('norm2(W)', 'supabs(x, tanh(x))'))).toBe(
      'not proved: norm2(W) ≤ supabs(x, tanh(x)) is not justified (no rule bounds it)',
    );
  });

  it('names the rules the furthest attempt had applied, so its goal does not read as a misprint of the claim', () => {
    // a review's: `normMax(1 - h[t].^2) <= 1` reported "not proved: norm2(1 - h[t].^2) ≤ 1 …", the search having taken
    // normMax(v) ≤ norm2(v) first
    const file = modelFile({
      sizes: 'd: 2..3, m: 1, T: 3..4',
      symbols: ['W', 'U', 'x', 'h'],
      equations: ['h[t] = tanh(W*h[t-1] + U*x[t])'],
      loss: 'L = sum(h[T])',
      claims: '  - id: c\n    claim: normMax(1 - h[t].^2) <= 1\n    forall: t in 0..T\n',
    });
    const [r] = checkDerivation(parseDerivation(file, 'c.yaml'), { instances: 1, search: 0 });
    const proof = r!.evidence.find((e) => e.kind === 'bound-proof') as BoundProofEvidence;
    expect(proof.failure).toMatchObject({ goal: 'norm2(1 - h[t].^2)', target: '1', after: ['max-le-norm'] });
    expect(boundSummary(proof)).toBe(
      'not proved: after max-le-norm, norm2(1 - h[t].^2) ≤ 1 is not justified (no rule bounds it)',
    );
    // with two: in order
    expect(
      boundSummary({ ...unproved('a', 'b'), failure: { goal: 'a', target: 'b', why: 'w', after: ['x', 'y'] } }),
    ).toBe('not proved: after x, then y, a ≤ b is not justified (w)');
  });

  it('elides a side of 12 000 terms to its two ends and its length (a review’s line of 132 098 characters)', () => {
    const sum = Array.from({ length: 12000 }, () => 'tanh(x)').join(' + ');
    const target = `supabs(x, ${sum})`;
    const line = boundSummary(unproved('norm2(W)', target));
    expect(line).toBe(
      `not proved: norm2(W) ≤ ${target.slice(0, 150)} … ${target.slice(-50)} (${target.length} characters) is not justified (no rule bounds it)`,
    );
    expect(line.length).toBeLessThan(400);
    expect(evidenceSummary(unproved('norm2(W)', target))).toContain(`(${target.length} characters)`);
  });

  it('cuts by code point, never inside a character, and leaves text at the limit as it is', () => {
    const atLimit = 'σ'.repeat(STEP_TEXT_LIMIT);
    expect(elided(atLimit)).toBe(atLimit);
    const astral = '𝔼'.repeat(STEP_TEXT_LIMIT + 1); // two UTF-16 units each
    expect(elided(astral)).toBe(`${'𝔼'.repeat(150)} … ${'𝔼'.repeat(50)} (${STEP_TEXT_LIMIT + 1} characters)`);
  });
});
