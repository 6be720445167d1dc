/**
 * Seeded, reproducible randomness for test-instance generation.
 *
 * The raw generator is pure-rand's xoroshiro128+, but two of its defaults are
 * avoided on purpose:
 *  - `xoroshiro128plus(seed)` puts the seed into the state almost verbatim, so
 *    the first output is just `~seed` and neighbouring seeds give nearly equal
 *    first draws (seed 1 and 2 both start with uniform ≈ 0.99999997). We fill
 *    the 128-bit state from a splitmix32 stream instead.
 *  - pure-rand exposes only the low 32 bits of each 64-bit output, and the
 *    lowest bits of xoroshiro128+ are its weakest (bit 0 is a plain LFSR).
 *    `uniform()` and `int()` therefore take the *top* bits of each word.
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

const GOLDEN_GAMMA = 0x9e3779b9;

/** murmur3 fmix32 finaliser: full avalanche of a 32-bit word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One murmur3_32 block step: absorb the 32-bit word `k` into the running hash `h`. */
function absorb(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

// Explicit little-endian access keeps seeds identical across host byte orders.
const f64View = new DataView(new ArrayBuffer(8));

/** Absorb a number by its exact IEEE-754 bit pattern, so 3, -3, 3.5 and 2**40+3 all differ. */
function absorbNumber(h: number, x: number): number {
  f64View.setFloat64(0, x === 0 ? 0 : x, true); // fold -0 into +0: same path element
  return absorb(absorb(h, f64View.getUint32(0, true)), f64View.getUint32(4, true));
}

const TAG_NUMBER = 0x6e756d62;
const TAG_STRING = 0x73747267;

/**
 * Deterministic uint32 seed for a sub-stream, e.g. `deriveSeed(42, 'instance', 3)`.
 *
 * The path is encoded injectively (each element carries a type tag, and strings
 * their length, so `['ab']`, `['a', 'b']` and `[97, 98]` differ) and hashed
 * with murmur3_32, whose finaliser makes neighbouring inputs give unrelated
 * seeds. Distinct paths can still collide with probability ~2⁻³² per pair.
 */
export function deriveSeed(master: number, ...path: (number | string)[]): number {
  let h = absorbNumber(0, master);
  for (const part of path) {
    if (typeof part === 'number') {
      h = absorbNumber(absorb(h, TAG_NUMBER), part);
    } else {
      h = absorb(absorb(h, TAG_STRING), part.length);
      for (let i = 0; i < part.length; i++) h = absorb(h, part.charCodeAt(i));
    }
  }
  return fmix32(h ^ (path.length + 1));
}

/**
 * Expand a 32-bit seed into xoroshiro's 4-word state with splitmix32 (fmix32
 * over a Weyl sequence: the seeding scheme xoroshiro's authors recommend,
 * scaled down to 32 bits). fmix32 is a bijection and the four inputs are
 * distinct, so at most one word is 0 and the all-zero state — xoroshiro's
 * fixed point — cannot occur.
 */
function seedState(seed: number): number[] {
  let s = seed >>> 0;
  const state: number[] = [];
  for (let i = 0; i < 4; i++) {
    s = (s + GOLDEN_GAMMA) >>> 0;
    state.push(fmix32(s) | 0);
  }
  return state;
}

const TWO_POW_26 = 2 ** 26;
const TWO_POW_M53 = 2 ** -53;

export class Rng {
  private readonly gen: RandomGenerator;
  /** Second output of the last polar-method draw, consumed by the next `normal()`. */
  /**
   * The second draw of the last accepted pair, valid while `hasSpare`: a field that always holds a double (never
   * undefined) is stored unboxed, so keeping a spare allocates no heap number.
   */
  private spareNormal = 0;
  private hasSpare = false;

  /** `seed` must be an integer; it is reduced mod 2³² (use `deriveSeed` for structured seeds). */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`Rng seed must be an integer, got ${seed}`);
    this.gen = xoroshiro128plusFromState(seedState(seed));
  }

  /** The next word as an unsigned 32-bit integer. */
  private nextUint32(): number {
    return this.gen.next() >>> 0;
  }

  /** Uniform in [0, 1) on the grid k·2⁻⁵³: 27 + 26 top bits of two words (as MT's genrand_res53). */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * TWO_POW_26 + lo) * TWO_POW_M53;
  }

  /** Standard normal via Marsaglia's polar method; each accepted pair yields two draws. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const factor = Math.sqrt((-2 * Math.log(s)) / s);
      this.spareNormal = v * factor;
      this.hasSpare = true;
      return u * factor;
    }
  }

  /**
   * Uniform integer in [lo, hi] (both inclusive). Unbiased: draws the top
   * ⌈log₂ n⌉ bits of a word and rejects values ≥ n (expected < 2 draws).
   * The span hi − lo + 1 must not exceed 2³².
   */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
      throw new RangeError(`Rng.int needs safe integers lo <= hi, got [${lo}, ${hi}]`);
    }
    const n = hi - lo + 1;
    if (n > 2 ** 32) throw new RangeError(`Rng.int span ${n} exceeds 2^32`);
    if (n === 1) return lo;
    const bits = 32 - Math.clz32(n - 1); // ⌈log₂ n⌉, exact in integer arithmetic
    for (;;) {
      // `>>> 32` would be a no-op shift in JS, so n = 2^32 (bits = 32) needs the guard.
      const r = bits === 32 ? this.nextUint32() : this.nextUint32() >>> (32 - bits);
      if (r < n) return lo + r;
    }
  }

  /**
   * out[i] = std · normal() for each i in turn, with `normal` written out here: a double returned from a call
   * is boxed, and this fills every instance's weights and inputs. The same draws in the same order (the spare
   * of the last pair kept for the next draw, as `normal` keeps it), the same products.
   */
  fillNormal(out: Float64Array, std = 1): Float64Array {
    const n = out.length;
    let i = 0;
    if (n > 0 && this.hasSpare) {
      this.hasSpare = false;
      out[i++] = std * this.spareNormal;
    }
    while (i < n) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const factor = Math.sqrt((-2 * Math.log(s)) / s);
      out[i++] = std * (u * factor);
      if (i < n) out[i++] = std * (v * factor);
      else {
        this.spareNormal = v * factor;
        this.hasSpare = true;
      }
    }
    return out;
  }

  /** Fills with lo + (hi − lo)·U, U ∈ [0, 1). */
  fillUniform(out: Float64Array, lo: number, hi: number): Float64Array {
    const width = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + width * this.uniform();
    return out;
  }
}
