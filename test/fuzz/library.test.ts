/**
 * Fuzzing the library with hostile derivation files (test/fuzz/mutations.ts):
 * every failure must be an InputError whose message starts `file:line:col: `
 * on one line — never another error, never a hang. Loading is fuzzed on every
 * shipped derivation; loaded files with small sizes are also checked (one
 * claim, one instance), so the work of each run stays bounded without any
 * wall-clock timeout. The seed is fixed (test/setup.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import type { Derivation } from '../../src/derivation/derivation.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { depthOf } from '../../src/ir/expr.js';
import { LIMITS } from '../../src/ir/limits.js';
import { HOSTILE_NAMES, hostileFile, SHIPPED, SMALL } from './mutations.js';

const FILE = 'fuzz.yaml';
/** Loaded files are checked only when every size stays this small: the point is hostile input, not long runs. */
const CHECKED_SIZES = 12;

const LAB = SHIPPED.find((s) => s.name === 'lab-10-5-vanilla-rnn.yaml')!.text;

/** Asserts the error is a located InputError on one line. */
function expectLocated(err: unknown): void {
  if (!(err instanceof InputError))
    throw new Error(`expected an InputError, got ${(err as Error)?.stack ?? String(err)}`, { cause: err });
  expect(err.message).toMatch(/^fuzz\.yaml:[1-9]\d*:[1-9]\d*: \S/);
  expect(err.message).not.toMatch(/\n/);
  expect(err.pos).toMatchObject({ file: FILE });
}

function load(text: string): Derivation | null {
  try {
    return parseDerivation(text, FILE);
  } catch (err) {
    expectLocated(err);
    return null;
  }
}

const largestSize = (d: Derivation) => Math.max(...Object.values(d.model.sizes).map((r) => r.max));

describe('fuzzing the library', () => {
  it('mutated shipped derivations load or fail with a located InputError', () => {
    fc.assert(
      fc.property(hostileFile(SHIPPED), (h) => {
        load(h.text);
      }),
      { numRuns: 120 },
    );
  });

  it('mutated small derivations that load are checked (one claim, one instance) or fail located', () => {
    let checked = 0;
    fc.assert(
      // One mutation: more of them load, and reach the checker.
      fc.property(hostileFile(SMALL, 1), fc.nat(), (h, pick) => {
        const d = load(h.text);
        if (!d || !d.claims.length || largestSize(d) > CHECKED_SIZES) return;
        const claim = d.claims[pick % d.claims.length]!;
        try {
          const [r] = checkDerivation(d, { claims: [claim.id], instances: 1, instance: 0, crossChecks: 1 });
          checked++;
          expect(r!.id).toBe(claim.id);
        } catch (err) {
          expectLocated(err);
        }
      }),
      { numRuns: 60 },
    );
    // The property must have exercised the checker, not only the loader.
    expect(checked).toBeGreaterThan(10);
  });

  it('a declared name replaced by one JavaScript reserves never loads', () => {
    const declared = ['d', 'm', 'T', 'W', 'U', 'b', 'c', 'x', 'h', 'L', 'k', 'i'];
    fc.assert(
      fc.property(fc.constantFrom(...declared), fc.constantFrom(...HOSTILE_NAMES), (name, hostile) => {
        const text = LAB.replace(new RegExp(`(?<![A-Za-z0-9_'\\\\])${name}(?![A-Za-z0-9_])`, 'g'), hostile);
        expect(load(text)).toBeNull();
      }),
      { numRuns: 40 },
    );
  });

  it('huge size and quantifier ranges load within the limits or fail located', () => {
    const huge = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.constantFrom(4096, 4097, 100000, 100001, 2 ** 53 + 2),
    );
    fc.assert(
      fc.property(huge, huge, huge, (d, T, k) => {
        const text = LAB.replace('d: 2..5', `d: 2..${d}`)
          .replace('T: 3..9', `T: 3..${T}`)
          .replace('forall: k in 1..T', `forall: k in ${k}..T`);
        const loaded = load(text);
        if (loaded) {
          expect(loaded.model.sizes.d!.max).toBeLessThanOrEqual(LIMITS.size);
          expect(loaded.model.sizes.T!.max).toBeLessThanOrEqual(LIMITS.horizon);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('deeply nested claims load shallow or fail located ("too deeply nested")', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(['(', ')'], ['- ', ''], ['tanh(', ')'], ['diag(', ')']),
        fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 12000 })),
        ([open, close], depth) => {
          const side = `${open.repeat(depth)}h[T]${close.repeat(depth)}`;
          const text = LAB.replace(/claim: grad\(L, h\[T-k\]\) = .*$/m, `claim: "${side} = h[T]"`);
          const d = load(text);
          if (d) expect(depthOf(d.claims[0]!.lhs)).toBeLessThanOrEqual(LIMITS.expandedDepth);
        },
      ),
      { numRuns: 30 },
    );
  });
});
