/**
 * Plots of claims: vega-lite compiled and rendered by vega in Node. The SVG
 * parses, has one line per regime (named in the legend) plus the bound, and
 * the contracting regime's gradient goes down with k while the expanding
 * regime's bound goes up.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { plotSvg } from '../../src/render/render.js';
import { plotData } from '../../src/render/plot-data.js';
import { type El, findAll, hasClass, parseXml } from './xml.js';

const SOLUTION = 'derivations/lab-10-5-solution.yaml';

/** The points of an absolute M/L path, as Vega writes line marks. */
function points(d: string): [number, number][] {
  return (d.match(/[ML][^MLZ]*/g) ?? []).map((c) => c.slice(1).split(',').map(Number) as [number, number]);
}
const lines = (svg: El) =>
  findAll(svg, (e) => e.tag === 'g' && hasClass(e, 'mark-line')).map((g) => findAll(g, (e) => e.tag === 'path')[0]!);
const legend = (svg: El) => findAll(svg, (e) => e.tag === 'g' && hasClass(e, 'role-legend-label')).map((g) => g.text);
/** SVG y grows downwards: a series whose value falls has a last point lower on the page (larger y). */
const slope = (p: El) => {
  const pts = points(p.attrs.d!);
  return Math.sign(pts[0]![1] - pts[pts.length - 1]![1]);
};

// Until 2026-12-07 every legend read ‖W_rec‖₂ (one document's name) whatever the model called its matrix.
describe("a regime in the legend names the model's own recurrent matrices", () => {
  const query = {
    quantity: 'norm2(h[T])',
    over: 'k',
    range: { lo: '1', hi: '1' },
    sizes: new Map([['T', 3]]),
    vary: null,
    masterSeed: 1,
  };
  it("W in the lab's RNN; in its solution those the quantity reads, else all five; none: the regime alone", () => {
    const names = (d: ReturnType<typeof loadDerivationFile>) => plotData(d, query).series.map((s) => s.name);
    expect(names(loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml'))).toEqual([
      'contracting (‖W‖₂ ≈ 0.5)',
      'near-critical (‖W‖₂ ≈ 1)',
      'expanding (‖W‖₂ ≈ 1.5)',
      'saturated (‖W‖₂ ≈ 1)',
    ]);
    const solution = loadDerivationFile(SOLUTION);
    // the matrices the plotted quantity reads, in the model's order; none read: every one the regime scales
    expect(plotData(solution, { ...query, quantity: 'norm2(U_g * W^k)' }).series[0]!.name).toBe(
      'contracting (‖W‖₂ = ‖U_g‖₂ ≈ 0.5)',
    );
    expect(names(solution)[0]).toBe('contracting (‖W‖₂ = ‖U_e‖₂ = ‖U_i‖₂ = ‖U_o‖₂ = ‖U_g‖₂ ≈ 0.5)');
    const text = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8').replace(
      'init: recurrent,',
      'init: weight,',
    );
    expect(names(parseDerivation(text, 'no-recurrent.yaml'))).toEqual([
      'contracting',
      'near-critical',
      'expanding',
      'saturated',
    ]);
  });
});

describe('gradproof plot', () => {
  it('one series per regime with the bound of eq. (2), slopes as the regimes say', async () => {
    const d = loadDerivationFile(SOLUTION);
    const { svg } = await plotSvg(d, {
      quantity: 'loss-gradient-bound.2',
      over: 'k',
      range: null,
      sizes: new Map([['T', 24]]),
      vary: null,
      masterSeed: 20261120,
    });
    const root = parseXml(svg);
    expect(root.tag).toBe('svg');
    const labels = legend(root);
    for (const regime of ['contracting', 'near-critical', 'expanding', 'saturated']) {
      expect(labels.filter((l) => l.startsWith(regime))).toHaveLength(1);
      expect(labels.filter((l) => l.startsWith(`bound, ${regime}`))).toHaveLength(1);
    }
    const paths = lines(root);
    expect(paths).toHaveLength(8);
    const byLabel = new Map(labels.map((l, i) => [l, paths[i]!]));
    const get = (prefix: string) => [...byLabel].find(([l]) => l.startsWith(prefix))![1];
    expect(slope(get('contracting'))).toBe(-1);
    expect(slope(get('bound, contracting'))).toBe(-1);
    expect(slope(get('bound, expanding'))).toBe(1);
    // Bounds are dashed, values solid.
    expect(get('bound, expanding').attrs['stroke-dasharray']).toBe('6,4');
    expect(get('expanding').attrs['stroke-dasharray']).toBe('1,0');
  });

  it('one series per forget-gate bias, and one bound line when the bound is the same for all', async () => {
    const d = loadDerivationFile(SOLUTION);
    const { svg } = await plotSvg(d, {
      quantity: 'cell-path-bound',
      over: 'k',
      range: null,
      sizes: new Map([['T', 20]]),
      vary: { name: 'b_e', values: [-1, 5] },
      masterSeed: 20261120,
    });
    const root = parseXml(svg);
    expect(legend(root)).toEqual(['b_e = -1', 'b_e = 5', 'bound: supabs(x, sigma(x))^k']);
    const [low, high] = lines(root);
    expect(slope(low!)).toBe(-1);
    // The path with forget gates near 1 decays far less over the same k.
    const drop = (p: El) => points(p.attrs.d!).at(-1)![1] - points(p.attrs.d!)[0]![1];
    expect(drop(low!)).toBeGreaterThan(drop(high!));
  });

  it('plots an expression, and refuses a variable the claim does not quantify', async () => {
    const d = loadDerivationFile(SOLUTION);
    const { svg } = await plotSvg(d, {
      quantity: 'norm2(jac(h[T], h[T-k]))',
      over: 'k',
      range: { lo: '1', hi: 'T' },
      sizes: new Map([['T', 8]]),
      vary: null,
      masterSeed: 1,
    });
    expect(lines(parseXml(svg))).toHaveLength(4);
    await expect(
      plotSvg(d, { quantity: 'lab-eq2', over: 'j', range: null, sizes: new Map(), vary: null, masterSeed: 1 }),
    ).rejects.toThrow(/no quantifier 'j'/);
  });

  it("is computed within a claim's work limit: past it, a located error (norm2(W^k) over 2000 k at d = 512 ran past 300 s)", () => {
    const d = loadDerivationFile(SOLUTION);
    const query = {
      quantity: 'norm2(W^k)',
      over: 'k',
      range: { lo: '1', hi: '40' },
      sizes: new Map([['T', 3]]),
      vary: null,
      masterSeed: 1,
    };
    expect(() => plotData(d, { ...query, workLimit: 2e4 })).toThrow(
      /^derivations\/lab-10-5-solution\.yaml:1:1: the plot needs more work than the limit of 2\.00e\+4 operations/,
    );
    expect(plotData(d, query).series).toHaveLength(4);
  });

  it('varies a parameter over at most ten values: one series, one colour each (300 ran out of memory)', async () => {
    const d = loadDerivationFile(SOLUTION);
    const values = Array.from({ length: 11 }, (_, i) => i - 5);
    await expect(
      plotSvg(d, {
        quantity: 'cell-path-bound',
        over: 'k',
        range: null,
        sizes: new Map([['T', 6]]),
        vary: { name: 'b_e', values },
        masterSeed: 1,
      }),
    ).rejects.toThrow(/11 values to vary 'b_e' over \(expected at most 10 \(one series, one colour each\)\)/);
  });

  // Until 2026-12-06 a claim's plot ignored --over k=LO..HI: k=5..1 and k=1..1e15 exited 0 with the claim's own
  // range plotted (a review found it). The range is now the one asked for: empty, too long, beyond a million or
  // outside the claim's own range is an error at <--over>.
  it("a claim's plot takes the --over range: a valid one used, an empty or over-large one a located error", () => {
    const d = loadDerivationFile(SOLUTION);
    const query = (lo: string, hi: string) => ({
      quantity: 'lab-eq2',
      over: 'k',
      range: { lo, hi },
      sizes: new Map([['T', 8]]),
      vary: null,
      masterSeed: 1,
    });
    const xs = plotData(d, query('2', '5')).series.flatMap((s) => s.points.map((p) => p.x));
    expect(Math.min(...xs)).toBe(2);
    expect(Math.max(...xs)).toBe(5);
    expect(() => plotData(d, query('5', '1'))).toThrow(/<--over>:1:1: --over k: the range 5\.\.1 is empty/);
    expect(() => plotData(d, query('1', '1e15'))).toThrow(/<--over>.*beyond ±1000000/);
    expect(() => plotData(d, query('1', '99'))).toThrow(
      /the range 1\.\.99 is not inside claim 'lab-eq2''s own, 0\.\.8/,
    );
  });
});
