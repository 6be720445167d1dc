/**
 * Binding records built key by key (src/ir/names.ts: withBinding, mergedBindings) against the spreads they
 * replace (`{ ...env, [name]: v }`, `{ ...a, ...b }`): the same own keys in the same order, the same values,
 * the same prototype, inherited keys left out, and `__proto__` kept as an own key as the literal keeps it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergedBindings, nameRecord, own, withBinding } from '../../src/ir/names.js';

const names = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'k', 'i', 'T', 'g#0', 'g#1', '0', '7', 'hasOwnProperty'),
  fc.string({ minLength: 1, maxLength: 4 }),
);
const record = fc
  .array(fc.tuple(names, fc.integer()), { maxLength: 6 })
  .chain((entries) => fc.constantFrom(nameRecord(entries), literal(entries)));

/** a plain record as a literal would build it (keys defined, not assigned) */
function literal(entries: readonly (readonly [string, number])[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
  return out;
}

/** everything a reader can tell apart: own keys in order, own values, prototype */
const shape = (r: object) => ({
  keys: Reflect.ownKeys(r),
  values: Reflect.ownKeys(r).map((k) => own(r as Record<string, number>, k as string)),
  proto: Object.getPrototypeOf(r) as object | null,
});

describe('binding records copied key by key', () => {
  it('withBinding(env, name, v) is { ...env, [name]: v }', () => {
    fc.assert(
      fc.property(record, names, fc.integer(), (env, name, v) => {
        expect(shape(withBinding(env, name, v))).toEqual(shape({ ...env, [name]: v }));
      }),
      { numRuns: 3000 },
    );
  });

  it('mergedBindings(a, b) is { ...a, ...b }', () => {
    fc.assert(
      fc.property(record, record, (a, b) => {
        expect(shape(mergedBindings(a, b))).toEqual(shape({ ...a, ...b }));
      }),
      { numRuns: 3000 },
    );
  });

  it('an inherited key is no binding; __proto__ is an own key, not the prototype', () => {
    const inherited = Object.create({ k: 1 }) as Record<string, number>;
    inherited.T = 9;
    expect(Object.keys(withBinding(inherited, 'i', 2))).toEqual(['T', 'i']);
    const p = withBinding({ T: 3 }, '__proto__', 5);
    expect(own(p, '__proto__')).toBe(5);
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(own(mergedBindings(p, { k: 1 }), '__proto__')).toBe(5);
  });
});
