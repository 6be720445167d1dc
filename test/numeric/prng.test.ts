import { describe, expect, it } from 'vitest';
import { Rng, deriveSeed } from '../../src/numeric/prng.js';

function draw(rng: Rng, n: number, kind: 'uniform' | 'normal' | 'int'): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    out.push(kind === 'uniform' ? rng.uniform() : kind === 'normal' ? rng.normal() : rng.int(-7, 1000));
  return out;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s / xs.length;
}

function popcount32(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) c++;
  return c;
}

describe('Rng determinism', () => {
  it.each(['uniform', 'normal', 'int'] as const)('same seed gives the same %s sequence', (kind) => {
    expect(draw(new Rng(123), 1000, kind)).toEqual(draw(new Rng(123), 1000, kind));
  });

  it('different seeds give different sequences', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) seen.add(draw(new Rng(seed), 4, 'uniform').join(','));
    expect(seen.size).toBe(200);
  });

  it('seeds are reduced mod 2^32 and must be integers', () => {
    expect(draw(new Rng(2 ** 32 + 5), 5, 'uniform')).toEqual(draw(new Rng(5), 5, 'uniform'));
    expect(draw(new Rng(-1), 5, 'uniform')).toEqual(draw(new Rng(2 ** 32 - 1), 5, 'uniform'));
    expect(() => new Rng(1.5)).toThrow(RangeError);
    expect(() => new Rng(NaN)).toThrow(RangeError);
  });

  // GOLDEN values, recorded once from this implementation. If this fails, the
  // generator (or its seeding) changed and every seeded instance in the project
  // changes with it — update only on purpose.
  it('golden: pinned outputs', () => {
    const u = new Rng(1);
    expect([u.uniform(), u.uniform(), u.uniform()]).toEqual([
      0.5484969315508464, 0.9560007213832306, 0.24627924194195283,
    ]);
    const n = new Rng(7);
    expect([n.normal(), n.normal(), n.normal()]).toEqual([
      -0.03019640433933541, -0.4018885462316196, -0.7976604224593137,
    ]);
    expect(deriveSeed(42, 'instance', 3)).toBe(953957384);
  });
});

describe('Rng distributions', () => {
  it('uniform lies in [0,1) on the 2^-53 grid', () => {
    const rng = new Rng(9);
    const bad = draw(rng, 20_000, 'uniform').filter((u) => !(u >= 0 && u < 1 && Number.isInteger(u * 2 ** 53)));
    expect(bad).toEqual([]);
  });

  it('uniform: 10-bin chi-square over 100 000 draws is unremarkable', () => {
    const rng = new Rng(10);
    const bins = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) bins[Math.floor(rng.uniform() * 10)]! += 1;
    const expected = n / 10;
    const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(30); // 9 d.o.f.: P(χ² > 30) ≈ 4e-4
  });

  it('first draws of neighbouring seeds are not correlated (raw xoroshiro seeding gives ≈1 for all small seeds)', () => {
    const firsts = Array.from({ length: 2000 }, (_, seed) => new Rng(seed).uniform());
    expect(Math.abs(mean(firsts) - 0.5)).toBeLessThan(0.03); // σ of the mean ≈ 0.0065
  });

  it('normal: mean, variance and 1σ mass of 100 000 draws', () => {
    const xs = new Rng(11).fillNormal(new Float64Array(100_000));
    const m = mean(xs);
    const v = mean(xs.map((x) => (x - m) ** 2));
    const within1 = mean(xs.map((x) => (Math.abs(x) < 1 ? 1 : 0)));
    expect(Math.abs(m)).toBeLessThan(0.015); // σ of the mean ≈ 0.0032
    expect(Math.abs(v - 1)).toBeLessThan(0.025); // σ of the variance ≈ 0.0045
    expect(Math.abs(within1 - 0.682689)).toBeLessThan(0.007); // σ ≈ 0.0015
  });

  it('fillNormal scales by std, fillUniform maps to [lo, hi)', () => {
    const a = new Rng(12).fillNormal(new Float64Array(1000), 3);
    const b = new Rng(12).fillNormal(new Float64Array(1000));
    a.forEach((x, i) => expect(x).toBe(3 * (b[i] as number)));
    const u = new Rng(13).fillUniform(new Float64Array(10_000), -2, 5);
    expect(u.every((x) => x >= -2 && x < 5)).toBe(true);
    expect(Math.abs(mean(u) - 1.5)).toBeLessThan(0.1);
  });

  it('int covers [lo, hi] evenly and never leaves it', () => {
    const rng = new Rng(14);
    const lo = -3;
    const hi = 4;
    const counts = new Map<number, number>();
    const n = 80_000;
    for (let i = 0; i < n; i++) {
      const k = rng.int(lo, hi);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((x, y) => x - y)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4]);
    const expected = n / 8;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(25); // 7 d.o.f.: P(χ² > 25) ≈ 8e-4
  });

  it('int handles degenerate and maximal spans, rejects bad ranges', () => {
    const rng = new Rng(15);
    expect(rng.int(5, 5)).toBe(5);
    const full = Array.from({ length: 1000 }, () => rng.int(0, 2 ** 32 - 1));
    expect(full.every((k) => Number.isInteger(k) && k >= 0 && k < 2 ** 32)).toBe(true);
    expect(full.some((k) => k >= 2 ** 31)).toBe(true); // the top bit is reachable
    // A span just above a power of two exercises the rejection loop (almost half of draws rejected).
    const justAbove = Array.from({ length: 1000 }, () => rng.int(0, 2 ** 31));
    expect(justAbove.every((k) => Number.isInteger(k) && k >= 0 && k <= 2 ** 31)).toBe(true);
    expect(() => rng.int(2, 1)).toThrow(RangeError);
    expect(() => rng.int(0, 1.5)).toThrow(RangeError);
    expect(() => rng.int(0, 2 ** 32)).toThrow(RangeError);
  });
});

describe('deriveSeed', () => {
  it('is a deterministic uint32', () => {
    expect(deriveSeed(42, 'instance', 3)).toBe(deriveSeed(42, 'instance', 3));
    for (const s of [deriveSeed(0), deriveSeed(42, 'x'), deriveSeed(-1, 1.5, 'é')]) {
      expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    }
  });

  it('is distinct over 10 000 paths', () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 2500; i++) {
      seeds.add(deriveSeed(42, 'instance', i));
      seeds.add(deriveSeed(42, 'weights', i));
      seeds.add(deriveSeed(i));
      seeds.add(deriveSeed(7, `case-${i}`));
    }
    expect(seeds.size).toBe(10_000);
  });

  it('encodes paths injectively (type, length and sign matter, -0 does not)', () => {
    const variants = [
      deriveSeed(1, 'ab'),
      deriveSeed(1, 'a', 'b'),
      deriveSeed(1, 97, 98),
      deriveSeed(1, '97'),
      deriveSeed(1, 3),
      deriveSeed(1, -3),
      deriveSeed(1, 3.5),
      deriveSeed(1, ''),
      deriveSeed(1),
      deriveSeed(1, 0),
    ];
    expect(new Set(variants).size).toBe(variants.length);
    expect(deriveSeed(1, -0)).toBe(deriveSeed(1, 0));
  });

  it('neighbouring inputs give unrelated seeds (≈16 of 32 bits flip)', () => {
    let flips = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) flips += popcount32(deriveSeed(42, 'instance', i) ^ deriveSeed(42, 'instance', i + 1));
    for (let i = 0; i < n; i++) flips += popcount32(deriveSeed(i) ^ deriveSeed(i + 1));
    expect(Math.abs(flips / (2 * n) - 16)).toBeLessThan(0.2); // σ of the mean ≈ 0.028
  });
});
