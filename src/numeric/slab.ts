/**
 * Vectors carved out of shared blocks. A Float64Array above 64 bytes gets its own off-heap backing store:
 * allocating one (and freeing it at the next garbage collection) costs about ten times a view on an
 * existing block, more than a vectorised 64×64 matrix–vector product (./simd.ts). The sweeps, products and
 * kernels allocate a vector per step, so they take their results from here.
 *
 * A view is zero-filled (a block is never reused) and independent of every other view; only its `buffer`
 * is shared, and nothing in gradproof reads that. The cost: a block stays allocated while any view into it
 * lives, so a few long-lived vectors can hold up to BLOCK doubles each — blocks are small for that reason.
 */

/** doubles per block (16 KiB) */
const BLOCK = 2048;
/** V8 keeps typed arrays of up to 64 bytes on its heap, where they are cheap already */
const ON_HEAP = 8;

/**
 * A new source of vectors with blocks of its own: vectors that live and die together (a memo dropped at once)
 * then pin no block that other vectors live in, and no block of theirs outlives them.
 */
export function slab(): (n: number) => Float64Array {
  let block = new ArrayBuffer(BLOCK * 8);
  let used = 0;
  return (n) => {
    if (n <= ON_HEAP || n > BLOCK / 4) return new Float64Array(n);
    if (used + n > BLOCK) {
      block = new ArrayBuffer(BLOCK * 8);
      used = 0;
    }
    // A view built on the buffer directly: `subarray` looks up the species constructor and costs twice as much.
    const v = new Float64Array(block, used * 8, n);
    used += n;
    return v;
  };
}

/** A new zero-filled vector of n doubles. */
export const newVec = slab();

/** A copy of v in a new vector (what v.slice() gives, from a block). */
export function copyVec(v: Float64Array): Float64Array {
  const out = newVec(v.length);
  out.set(v);
  return out;
}
