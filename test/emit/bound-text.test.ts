/** The words of a bound proof's summary: an unjustified step's sides are elided past a limit, the record kept whole. */
import { describe, expect, it } from 'vitest';
import type { BoundProofEvidence } from '../../src/check/evidence.js';
import { boundSummary, elided, STEP_TEXT_LIMIT } from '../../src/emit/bound-text.js';
import { evidenceSummary } from '../../src/emit/evidence-text.js';

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
