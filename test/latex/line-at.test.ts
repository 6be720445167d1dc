/**
 * lineAt finds an offset's line from the text's line starts, kept for the text last asked about (scaffold asks once
 * per display: counting from the start each time made a post of 10,000 displays quadratic).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineAt } from '../../src/latex/scaffold/displays.js';

const counted = (text: string, offset: number) => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
};

describe('lineAt', () => {
  it('is the count of newlines before the offset, plus one, for any text and offset (and texts in turn)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.string({ unit: fc.constantFrom('a', '\n', '\r', 'é') }), fc.integer({ min: -3, max: 60 })),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (asks) => {
          for (const [text, offset] of asks) expect(lineAt(text, offset)).toBe(counted(text, offset));
        },
      ),
      { numRuns: 300 },
    );
  });
});
