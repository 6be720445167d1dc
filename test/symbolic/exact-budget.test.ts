import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/ir/limits.js';
import {
  chargeExactWork,
  remainingExactWork,
  SymbolicUnsupported,
  withExactBudget,
  withinExactWork,
} from '../../src/symbolic/unsupported.js';

describe('a side attempt within part of the exact budget (withinExactWork)', () => {
  it('spends from the check’s budget what it charged', () => {
    withExactBudget(() => {
      withinExactWork(1000, () => chargeExactWork(300));
      expect(remainingExactWork()).toBe(LIMITS.exactWork - 300);
    });
  });

  it('refuses past its own limit, having spent all of it', () => {
    withExactBudget(() => {
      expect(() =>
        withinExactWork(1000, () => {
          chargeExactWork(600);
          chargeExactWork(600);
        }),
      ).toThrow(SymbolicUnsupported);
      expect(remainingExactWork()).toBe(LIMITS.exactWork - 1000);
    });
  });

  it('never grants more than the check has left', () => {
    withExactBudget(() => {
      chargeExactWork(LIMITS.exactWork - 50);
      expect(() => withinExactWork(1000, () => chargeExactWork(100))).toThrow(SymbolicUnsupported);
      expect(remainingExactWork()).toBe(0);
    });
  });
});
