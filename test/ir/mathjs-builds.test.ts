/**
 * The two mathjs builds that parse ASCII math give the same trees and the same errors: the single-file
 * bundle that src/ir/mathjs-parser.ts loads (the library, the tests) and the number-only ES build that
 * the bundled CLI and verify worker load in its place (scripts/bundle.mjs). Inputs: every string in the
 * shipped derivations and the test models, and generated strings over the expression language's tokens.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { create as createNumberOnly, parseDependencies as numberOnlyDependencies } from 'mathjs/number';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { create, parseDependencies } from '../../src/ir/mathjs-parser.js';
import { ROOT } from '../cli/spawn.js';

const bundled = create({ parseDependencies: parseDependencies! });
const numberOnly = createNumberOnly({ parseDependencies: numberOnlyDependencies! });

/** A parse as data: the tree as mathjs serialises it, or the error's kind and message. */
function outcome(math: { parse(text: string): unknown }, text: string): string {
  try {
    return JSON.stringify(math.parse(text));
  } catch (err) {
    const e = err as Error & { char?: number };
    return `${e.name}: ${e.message} @${e.char}`;
  }
}

function stringsIn(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

function yamlStrings(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => stringsIn(parseYaml(readFileSync(join(ROOT, dir, f), 'utf8')), []));
}

describe('mathjs builds parse alike', () => {
  it('every string of the derivations and the test models (expressions, and prose that fails to parse)', () => {
    const texts = [...yamlStrings('derivations'), ...yamlStrings('test/fixtures/models')];
    expect(texts.length).toBeGreaterThan(500);
    let trees = 0;
    for (const text of texts) {
      const mine = outcome(bundled, text);
      expect(outcome(numberOnly, text), text).toBe(mine);
      if (!mine.includes('Error: ')) trees++;
    }
    // most of those strings are expressions that parse
    expect(trees).toBeGreaterThan(300);
  });

  it('generated strings over numbers, names, operators and brackets', () => {
    const token = fc.constantFrom(
      ...['x', 'W', 'h[t]', 'h[t-1]', 'dL', 'tanh', 'sigma', 'sum', 'prod', "h'", 'T', 'k', '_', 'é'],
      ...['0', '1', '2.5', '1e-3', '0x1F', '0b101', '.5', '1e400', 'NaN', 'Infinity', '3i', '2 cm'],
      ...['+', '-', '*', '/', '^', "'", '.*', '==', '<=', '!', '%', 'mod', 'to', 'and', '?', ':'],
      ...['(', ')', '[', ']', '{', '}', ',', ';', ' ', '\n'],
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 14 }), (tokens) => {
        const text = tokens.join('');
        expect(outcome(numberOnly, text)).toBe(outcome(bundled, text));
      }),
      { numRuns: 3000 },
    );
  });
});
