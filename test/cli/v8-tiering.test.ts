import { describe, expect, it } from 'vitest';
import { busiesEveryCore, tuneTieringForPool } from '../../src/cli/v8-tiering.js';

describe('V8 tiering for a saturating verify pool', () => {
  it('is for pools with a worker per core, never for one busy thread', () => {
    expect(busiesEveryCore(undefined, 2)).toBe(true); // verify's default: one worker per core
    expect(busiesEveryCore(2, 2)).toBe(true);
    expect(busiesEveryCore(3, 2)).toBe(true);
    expect(busiesEveryCore(1, 2)).toBe(false); // the other core compiles for free
    expect(busiesEveryCore(0, 2)).toBe(false); // --jobs 0: the main thread
    expect(busiesEveryCore(2, 4)).toBe(false);
    expect(busiesEveryCore(undefined, 1)).toBe(false); // one core: no pool worth tuning for
  });

  it('keeps V8 defaults when asked to (for side-by-side benchmarks)', () => {
    expect(tuneTieringForPool(undefined, { GRADPROOF_V8_TIERING: 'default' })).toBe(false);
    expect(tuneTieringForPool(0, {})).toBe(false);
  });
});
