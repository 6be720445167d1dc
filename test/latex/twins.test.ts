/**
 * LaTeX twins of shipped claims: the source-text given as `latex:` is read to the same statement as the
 * hand-written ASCII claim and gets the same verdict (the one recorded in fixtures/).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { latexTwin } from '../../bench/latex-twin.js';
import { checkDerivation } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';

const cases: [file: string, id: string, verdict: string][] = [
  ['lab-10-5-vanilla-rnn', 'lab-eq2', 'proved'],
  ['how-lstms-solve-vanishing-gradients-2019', 'ds-ds-total', 'refuted'],
  ['how-lstms-solve-vanishing-gradients-2019', 'eq1-corrected', 'verified'],
  ['why-lstm-works-2018', 'eq3-product-increasing-i', 'refuted'],
];

describe('latex twins of shipped claims', () => {
  for (const [file, id, verdict] of cases)
    it(`${file} ${id}: the same reading and verdict (${verdict})`, () => {
      const text = readFileSync(`derivations/${file}.yaml`, 'utf8');
      const fixture = JSON.parse(readFileSync(`fixtures/${file}.json`, 'utf8')) as {
        claims: Record<string, { verdict: string; statement: string }>;
      };
      expect(fixture.claims[id]!.verdict).toBe(verdict);
      const twin = parseDerivation(latexTwin(text, id, verdict)!, `${file}.yaml`);
      expect(twin.claims).toHaveLength(1);
      expect(twin.claims[0]!.reading).not.toBeNull();
      expect(twin.claims[0]!.statement).toBe(fixture.claims[id]!.statement);
      expect(checkDerivation(twin)[0]!.verdict).toBe(verdict);
    });
});
