/**
 * A claim's own symbol map (`notation: { symbols: … }` on the claim): it overrides the file's map for that claim's
 * LaTeX only — the 2018 post calls the parameters θ in both sections, W_rec in §1 and W_o in §2 — and a bad map is
 * an error located at the offending key or name.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseDerivation } from '../../src/derivation/load.js';
import { claimErrorAt } from './helpers.js';

const base = readFileSync('derivations/why-lstm-works-2018.yaml', 'utf8');
const head = base.slice(0, base.indexOf('\nclaims:'));
const display1 =
  "'\\frac{\\partial \\varepsilon}{\\partial \\theta} = \\sum_{1\\leq t\\leq T} \\frac{\\partial \\varepsilon_t}{\\partial \\theta}'";

function withClaims(lines: string[]): string {
  return `${head}\nclaims:\n${lines.join('\n')}\n`;
}

/** file:line:col of a loading error, the line counted from the first claim line (independent of the model's length). */
const errorAt = (lines: string[]): string => claimErrorAt(head, lines);

/** The file with these claims, loaded. */
const load = (lines: string[]) => parseDerivation(withClaims(lines), 'file.yaml');

describe("a claim's own symbol map", () => {
  it('overrides the file map for that claim only: θ = W_rec in §1, θ = W_o and ε = the LSTM error in §2', () => {
    const d = load([
      '  - id: section-1',
      `    latex: ${display1}`,
      '  - id: section-2',
      `    latex: ${display1}`,
      "    notation: { symbols: { '\\theta': W_o, '\\varepsilon': [epsh, 'Eh[T]'] } }",
    ]);
    const reading = (id: string): string | undefined => d.claims.find((c) => c.id === id)?.reading?.ascii;
    expect(reading('section-1')).toBe('grad(L, W_rec) = sum(t, 1, T, grad(eps[t], W_rec))');
    expect(reading('section-2')).toBe('grad(Eh[T], W_o) = sum(t, 1, T, grad(epsh[t], W_o))');
  });
  it("the shipped §2 claim reads to the statement its fixture records (θ = W_o through the claim's map)", () => {
    const shipped = parseDerivation(base, 'why-lstm-works-2018.yaml').claims.find((c) => c.id === 'eq9-sum-over-time');
    const fixture = JSON.parse(readFileSync('fixtures/why-lstm-works-2018.json', 'utf8')) as {
      claims: Record<string, { statement: string; verdict: string }>;
    };
    expect(shipped?.reading?.ascii).toBe('grad(Eh[T], W_o) = sum(t, 1, T, grad(epsh[t], W_o))');
    expect(fixture.claims['eq9-sum-over-time']).toMatchObject({ statement: shipped?.statement, verdict: 'verified' });
  });
  it('replaces only the reading it gives: ε_t as the LSTM error, ε without a time stays the file loss', () => {
    const d = load([
      '  - id: timed-only',
      `    latex: ${display1}`,
      "    notation: { symbols: { '\\varepsilon': epsh } }",
    ]);
    expect(d.claims[0]!.reading?.ascii).toBe('grad(L, W_rec) = sum(t, 1, T, grad(epsh[t], W_rec))');
  });
});

describe('a bad claim symbol map: located errors', () => {
  it('a key that is not one LaTeX symbol', () => {
    expect(
      errorAt(['  - id: bad-key', `    latex: ${display1}`, "    notation: { symbols: { '\\frac{a}{b}': W_o } }"]),
    ).toBe("+2:28 '\\frac{a}{b}' is not one LaTeX symbol (expected e.g. '\\theta', 'W_{rec}', '\\tilde{C}')");
  });
  it('a name the claim does not have', () => {
    expect(
      errorAt(['  - id: bad-name', `    latex: ${display1}`, "    notation: { symbols: { '\\theta': W_q } }"]),
    ).toBe(
      "+2:38 'W_q' is not a name of this claim (expected a model symbol, a size, a function, a definition or a quantifier of the claim)",
    );
  });
  it('two names read the same way', () => {
    expect(
      errorAt(['  - id: two-names', `    latex: ${display1}`, "    notation: { symbols: { '\\theta': [W_o, W_f] } }"]),
    ).toBe(
      "+2:44 '\\theta' has two names read the same way (both without) (expected one sequence (read with its time) and one other name)",
    );
  });
  it('a notation on a claim without latex:', () => {
    expect(
      errorAt([
        '  - id: ascii',
        '    claim: grad(L, W_rec) = sum(t, 1, T, grad(eps[t], W_rec))',
        "    notation: { symbols: { '\\theta': W_o } }",
      ]),
    ).toBe("+2:5 claim 'ascii' has a notation but no latex: to read with it (expected latex: '…')");
  });
  it('another key than symbols', () => {
    expect(errorAt(['  - id: hint', `    latex: ${display1}`, '    notation: { profile: lab }'])).toBe(
      "+2:17 unknown key 'profile' in a claim's notation (expected one of symbols)",
    );
  });
});
