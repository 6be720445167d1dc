/** The scaffold on the five seed documents. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findDisplays } from '../../src/latex/scaffold/displays.js';
import { splitEquations } from '../../src/latex/scaffold/model.js';
import { scaffold } from '../../src/latex/scaffold/scaffold.js';

/** The five source documents, as found (test/fixtures/seeds is a copy of ../shared/seeds). */
const seed = (name: string): string => readFileSync(join('test/fixtures/seeds', name), 'utf8');
const SEEDS = [
  '000_50c9aa257b0fca4f.txt',
  '001_6da4cdb23cf7100d.txt',
  '002_1ddfa4cf300d9072.txt',
  '003_22be9201f3b67b89.txt',
  '004_862b396c77f97786.txt',
];

describe('display equations', () => {
  it('finds $$ blocks, $$…$$ lines, $$ inside HTML blocks, \\[…\\], environments and codecogs images', () => {
    const counts = SEEDS.map((s) => findDisplays(seed(s)).length);
    expect(counts).toEqual([13, 8, 34, 4, 32]);
    const hows = new Set(SEEDS.flatMap((s) => findDisplays(seed(s)).map((d) => d.how)));
    expect([...hows].sort()).toEqual(['brackets', 'codecogs', 'dollars', 'dollars-inline', 'environment', 'html']);
  });
  it('finds a \\[…\\] whose `=` line made CommonMark read the lines above it as a setext heading', () => {
    const post = 'Then\n\n\\[\n\\frac{\\partial h}{\\partial w}\n= \n\\sum_{k} a_k\n\\]\n\nwhich is correct.\n';
    const ds = findDisplays(post);
    expect(ds.map((d) => d.latex.replace(/\s+/g, ' '))).toEqual(['\\frac{\\partial h}{\\partial w} = \\sum_{k} a_k']);
    expect(ds[0]!.line).toBe(4);
    // the 2023 post's two closed forms (its lines 328 and 443) are such displays
    expect(
      findDisplays(seed(SEEDS[4]!))
        .filter(
          (d) =>
            d.latex.startsWith('\\frac{\\partial h^{\\alpha}_{t}}{\\partial') &&
            /\\sum_\{k = 0\}\^\{t-1\}/.test(d.latex),
        )
        .map((d) => d.line),
    ).toEqual([329, 444]);
  });
  it('reads labels from \\tag, \\quad (N) and (Equation N)', () => {
    expect(
      findDisplays(seed(SEEDS[0]!))
        .map((d) => d.label)
        .slice(0, 3),
    ).toEqual(['eq. (1)', 'eq. (2)', 'eq. (3)']);
    expect(findDisplays(seed(SEEDS[3]!)).map((d) => d.label)).toEqual(['eq. (1)', 'eq. (2)', 'eq. (3)', 'eq. (4)']);
    expect(findDisplays(seed(SEEDS[2]!)).find((d) => d.latex.startsWith('ht ='))?.label).toBe('Equation 1');
  });
  it('joins a display that continues the one before (= … on the next line)', () => {
    const ds = findDisplays(seed(SEEDS[2]!));
    expect(ds.find((x) => x.line === 244)!.parts).toHaveLength(2);
    const d = ds.find((x) => x.line === 251)!;
    expect(d.parts).toHaveLength(4);
    expect(d.latex.split('\n')[1]!.startsWith('=')).toBe(true);
  });
  it('splits an align into its equations and a \\qquad pair into two', () => {
    expect(
      splitEquations('\\begin{align}\n y_t &= a\\\\\n h_t &= b \\\\\n & + c\n\\end{align}').map((e) => e.latex),
    ).toEqual(['y_t &= a', 'h_t &= b \\\\\n& + c']);
    expect(splitEquations('a = b \\qquad c = d').map((e) => e.latex)).toEqual(['a = b', 'c = d']);
  });
  it('locates each display in the file', () => {
    for (const s of SEEDS) {
      const md = seed(s);
      for (const d of findDisplays(md))
        for (const p of d.parts)
          if (!d.how.startsWith('codecogs')) expect(md.slice(p.offset, p.offset + 6)).toBe(p.latex.slice(0, 6));
    }
  });
});

describe('scaffold', () => {
  const results = new Map(SEEDS.map((s) => [s, scaffold(seed(s), s)]));
  it('writes YAML that parses, with one claim per non-model equation and no expect:', () => {
    for (const [s, r] of results) {
      const doc = parse(r.yaml) as {
        gradproof: number;
        source: string;
        claims: { id: string; latex: string; label: string; expect?: string }[];
        model: { equations: unknown[] };
      };
      expect(doc.gradproof).toBe(1);
      expect(doc.source).toBe(s);
      expect(doc.claims).toHaveLength(r.stats.claims);
      expect(new Set(doc.claims.map((c) => c.id)).size).toBe(doc.claims.length);
      for (const c of doc.claims) {
        expect(c.expect).toBeUndefined();
        expect(c.latex).toBeTruthy();
        expect(c.label).toBeTruthy();
      }
      expect(r.stats.equations).toBe(r.stats.modelEquations + r.stats.claims);
    }
  });
  it('guesses the LSTM of the 2024 post (states C and h, stacked weights [d, d+m])', () => {
    const r = results.get(SEEDS[0]!)!;
    const doc = parse(r.yaml) as {
      model: { symbols: Record<string, { role: string; shape: string[] }>; equations: string[] };
    };
    expect(doc.model.symbols.C!.role).toBe('state');
    expect(doc.model.symbols.h!.role).toBe('state');
    expect(doc.model.symbols.W_f!.shape).toEqual(['d', 'd+m']);
    expect(doc.model.equations).toContain('f[t] = sigma(W_f * [h[t-1]; x[t]])');
    expect(doc.model.equations).toContain('C[t] = f[t] .* C[t-1] + i[t] .* Ct[t]');
    expect(doc.model.equations).toContain('h[t] = o[t] .* tanh(C[t])');
  });
  it('guesses the RNN of the 2023 post, with σ_y and σ_h declared as functions to fill in', () => {
    const r = results.get(SEEDS[4]!)!;
    const doc = parse(r.yaml) as {
      model: {
        symbols: Record<string, { role: string; shape: string[] }>;
        equations: string[];
        functions: Record<string, unknown>;
      };
    };
    expect(doc.model.equations).toEqual([
      'y[t] = sigma_y(V * h[t] + b_y)',
      'h[t] = sigma_h(W * x[t] + U * h[t-1] + b_h)',
    ]);
    expect(doc.model.symbols.V!.shape).toEqual(['q', 'd']);
    expect(Object.keys(doc.model.functions).sort()).toEqual(['sigma_h', 'sigma_y']);
  });
  it('reports the counts of the report', () => {
    const s = [...results.values()].map((r) => [
      r.stats.displays,
      r.stats.equations,
      r.stats.modelEquations,
      r.stats.claims,
      r.stats.claimsConverted,
    ]);
    expect(s).toEqual([
      [13, 13, 6, 7, 4],
      [8, 8, 0, 8, 4],
      [34, 37, 6, 31, 17],
      [4, 4, 0, 4, 3],
      [32, 40, 2, 38, 2],
    ]);
  });
  it('quantifies the indices a claim leaves free (a guess over 1..T, said so)', () => {
    const doc = parse(results.get(SEEDS[3]!)!.yaml) as { claims: { id: string; forall?: string }[] };
    expect(doc.claims.find((c) => c.id === 'eq1')?.forall).toBe('k in 1..T');
    expect(results.get(SEEDS[3]!)!.yaml).toContain('forall: a guess');
  });
  it('lists what it could not read, with the line and the reason, in the YAML too', () => {
    const r = results.get(SEEDS[3]!)!;
    expect(r.unread).toHaveLength(1);
    expect(r.unread[0]!.line).toBe(27);
    expect(r.unread[0]!.reason).toContain("'+' between a vector and a matrix");
    expect(r.yaml).toContain('#   line 27:');
  });
});
