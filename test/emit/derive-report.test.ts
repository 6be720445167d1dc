/**
 * `gradproof derive` prints a derived form as a claim would write it: an index the engine made for a sum over time steps
 * (`s__`) as its letter, numbered where the file already uses the letter (the lab LSTM's state s), so that the text
 * parses back as the same claim (review158 read `sum(s__, 1, T, …)` in the text, `s` in the LaTeX).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { formatDerived } from '../../src/emit/derive-report.js';
import { deriveQuantities } from '../../src/symbolic/quantities.js';

const derivedText = (file: string, quantity: string) => {
  const d = loadDerivationFile(file);
  return {
    d,
    text: formatDerived(d, deriveQuantities(d, quantity, null), 'text')
      .split('\n')[2]!
      .trim(),
  };
};

describe('derived forms in text', () => {
  it('write the engine’s summation index as its letter', () => {
    const { text } = derivedText('test/fixtures/models/relu-max.yaml', 'grad(L, W)');
    expect(text).toBe(
      "grad(L, W) = sum(s, 1, T, diag(step(z[s]))*prod(i, 1, T-s, W'*diag(step(z[i+s])))*grad(L, h[T])*h[s-1]')",
    );
    expect(text).not.toContain('__');
    // and reads back as a claim the tool verifies
    const model = readFileSync('test/fixtures/models/relu-max.yaml', 'utf8').split('claims:')[0]!;
    const [result] = checkDerivation(
      parseDerivation(`${model}claims:\n  - id: derived\n    claim: "${text}"\n`, 'derived.yaml'),
    );
    expect(result!.verdict).toBe('verified');
  });

  it('number the letter where the file names a symbol with it', () => {
    const { text } = derivedText('derivations/lab-10-5-lstm.yaml', 'grad(L, W_e)');
    expect(text.startsWith('grad(L, W_e) = sum(s2, 1, T, e[s2] .* (1 - e[s2]) .* ')).toBe(true);
    expect(text).not.toMatch(/\bs__\b/);
  });
});
