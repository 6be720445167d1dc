/**
 * A repair the run's draw finds `consistent` is checked again on a second master seed's instances and offered only
 * where it holds there too: the search keeps, among hundreds of candidates, those none of its instances fail, and so
 * selects for violations the draw misses (a review's peephole-LSTM repair was consistent under the default seed and
 * refuted under seeds 1..4). The full check is wrapped here so that the first draw calls the shipped repair
 * `consistent` and the second draw decides.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as CheckClaim from '../../src/check/check-claim.js';

const secondDraw = { holds: true, seeds: [] as number[], instances: [] as (number | undefined)[] };

vi.mock('../../src/check/check-claim.js', async (importOriginal) => {
  const original = await importOriginal<typeof CheckClaim>();
  return {
    ...original,
    checkIfItHolds: (...args: Parameters<typeof original.checkIfItHolds>) => {
      const options = args[3];
      secondDraw.instances.push(options.instance);
      const r = original.checkIfItHolds(...args);
      if (!r || r === 'over-limit' || r === 'exact-tie') return r;
      if (options.masterSeed === original.DEFAULT_OPTIONS.masterSeed) return { ...r, verdict: 'consistent' as const };
      secondDraw.seeds.push(options.masterSeed);
      return secondDraw.holds ? r : null;
    },
  };
});

const { checkDerivation } = await import('../../src/check/check.js');
const { loadDerivationFile } = await import('../../src/derivation/load.js');
const { repairSearchSummary } = await import('../../src/emit/repair-text.js');
const { formatCheckReport } = await import('../../src/emit/text-report.js');
const { SECOND_DRAW_SEED } = await import('../../src/repair/search.js');
const { deriveSeed } = await import('../../src/numeric/prng.js');
const { DEFAULT_OPTIONS } = await import('../../src/check/check-claim.js');

const repaired = () =>
  checkDerivation(loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml'), {
    claims: ['lab-eq1-W-for-WT'],
    instances: 1,
    repair: true,
  })[0]!;

const SECOND = deriveSeed(DEFAULT_OPTIONS.masterSeed, SECOND_DRAW_SEED);

describe('a consistent repair is checked on a second draw', () => {
  beforeEach(() => {
    secondDraw.seeds.length = 0;
    secondDraw.instances.length = 0;
  });

  it('offered when it holds there too, with that master seed and verdict', () => {
    secondDraw.holds = true;
    const r = repaired();
    const top = r.repairs!.repairs[0]!;
    expect(top.statement).toBe("grad(L, h[T-k]) = prod(i, 1, k, W'*diag(1 - h[T-k+i].^2))*grad(L, h[T])");
    expect(top.verdict).toBe('consistent');
    expect(top.secondDraw).toEqual({ masterSeed: SECOND, verdict: 'verified' });
    expect(secondDraw.seeds).toContain(SECOND);
    expect(r.repairs!.work.secondDraws).toBe(r.repairs!.repairs.length);
    expect(r.repairs!.work.failedSecondDraw).toBeUndefined();
    expect(repairSearchSummary(r.repairs!)).toMatch(/; \d consistent checked again under a second master seed; /);
    const text = formatCheckReport({
      claims: [r],
      summary: { total: 1, ok: 1, failed: 0 },
      masterSeed: DEFAULT_OPTIONS.masterSeed,
      derivations: [loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml')],
      errors: [],
    });
    expect(text).toContain(`1. consistent (verified again under master seed ${SECOND}): holds with W transposed`);
  });

  it('not offered when it does not, and counted', () => {
    secondDraw.holds = false;
    const r = repaired();
    expect(r.repairs!.repairs.map((x) => x.statement)).not.toContain(
      "grad(L, h[T-k]) = prod(i, 1, k, W'*diag(1 - h[T-k+i].^2))*grad(L, h[T])",
    );
    expect(r.repairs!.work.failedSecondDraw).toBe(r.repairs!.work.secondDraws);
    expect(r.repairs!.work.failedSecondDraw).toBeGreaterThan(0);
    expect(repairSearchSummary(r.repairs!)).toMatch(
      /; (\d) consistent checked again under a second master seed \(\1 did not hold there, not offered\)/,
    );
  });

  it('both full checks run on the whole draw when the claim was checked on one instance (--instance J)', () => {
    // on instance 3 alone, with a search of one start, both passed the false normF(J) <= norm2(W) / 0.5 (a review)
    secondDraw.holds = true;
    const r = checkDerivation(loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml'), {
      claims: ['lab-eq1-W-for-WT'],
      instances: 1,
      instance: 0,
      repair: true,
    })[0]!;
    expect(r.repairs!.work.fullChecks).toBeGreaterThan(0);
    expect(secondDraw.instances.length).toBeGreaterThan(0);
    expect(secondDraw.instances.every((i) => i === undefined)).toBe(true);
  });
});
