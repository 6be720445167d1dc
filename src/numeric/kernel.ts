/**
 * Elementwise building blocks of compiled model kernels, on Float64Array
 * values. Plain loops with a stride of 0 for broadcast scalars: kernels run
 * once per op per time step in every sweep, so no per-element closures.
 */
import { matMul, matTVec, matVec, type Mat } from './linalg.js';
import { largestMagnitude, maxMagnitude, productCancellationOf } from './lost-digits.js';
import { newVec } from './slab.js';

export type Vec = Float64Array;

export type BinaryKind = 'add' | 'sub' | 'mul' | 'div';

export function binary(kind: BinaryKind, a: Vec, b: Vec): Vec {
  const n = Math.max(a.length, b.length);
  const [sa, sb] = [a.length === 1 ? 0 : 1, b.length === 1 ? 0 : 1];
  const out = newVec(n);
  switch (kind) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! + b[i * sb]!;
      break;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! - b[i * sb]!;
      break;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! * b[i * sb]!;
      break;
    case 'div':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! / b[i * sb]!;
      break;
  }
  return out;
}

/**
 * binary(kind, a ?? zeros(n), b ?? zeros(n)) for add or sub with one side missing (exactly one of a, b null),
 * without the vector of zeros: the same sums, 0 in the missing operand's place.
 */
export function binaryWithZero(
  kind: 'add' | 'sub',
  a: Vec | null | undefined,
  b: Vec | null | undefined,
  n: number,
): Vec {
  const out = newVec(n);
  if (a) {
    const sa = a.length === 1 ? 0 : 1;
    if (kind === 'add') for (let i = 0; i < n; i++) out[i] = a[i * sa]! + 0;
    else for (let i = 0; i < n; i++) out[i] = a[i * sa]! - 0;
  } else {
    const sb = b!.length === 1 ? 0 : 1;
    if (kind === 'add') for (let i = 0; i < n; i++) out[i] = 0 + b![i * sb]!;
    else for (let i = 0; i < n; i++) out[i] = 0 - b![i * sb]!;
  }
  return out;
}

export function scale(a: Vec, factor: number): Vec {
  const out = newVec(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * factor;
  return out;
}

export const zeros = (n: number): Vec => newVec(n);

export function sumOf(a: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** Sums an adjoint that was broadcast from a scalar back to that scalar. */
export function reduceTo(adj: Vec, len: number): Vec {
  return len === 1 && adj.length !== 1 ? Float64Array.of(sumOf(adj)) : adj;
}

export function transposeData(rows: number, cols: number, a: Vec): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

const asMat = (rows: number, cols: number, data: Vec): Mat => ({ rows, cols, data });

/** (ra×ca)·(ca×cb) */
export function multiply(ra: number, ca: number, a: Vec, cb: number, b: Vec): Vec {
  return cb === 1 ? matVec(asMat(ra, ca, a), b) : matMul(asMat(ra, ca, a), asMat(ca, cb, b)).data;
}

/** Aᵀ·adj for A of ra×ca and adj of ra×cb. */
export function multiplyTransposed(ra: number, ca: number, a: Vec, cb: number, adj: Vec): Vec {
  return cb === 1
    ? matTVec(asMat(ra, ca, a), adj)
    : matMul(asMat(ca, ra, transposeData(ra, ca, a)), asMat(ra, cb, adj)).data;
}

/** adj·Bᵀ for adj of ra×cb and B of ca×cb: the gradient of A in A·B (an outer product for vectors). */
export function outerAccumulate(ra: number, ca: number, cb: number, adj: Vec, b: Vec): Vec {
  const dA = new Float64Array(ra * ca);
  for (let i = 0; i < ra; i++)
    for (let k = 0; k < cb; k++) {
      const g = adj[i * cb + k]!;
      if (g === 0) continue;
      for (let j = 0; j < ca; j++) dA[i * ca + j]! += g * b[j * cb + k]!;
    }
  return dA;
}

/**
 * What the dot products of multiply(ra, ca, a, cb, b) = out lost to cancellation (./lost-digits.ts
 * productCancellationOf): a matrix product's forward value, or its tangent with one operand's tangent alone.
 */
export const multiplyLost = (ra: number, ca: number, a: Vec, cb: number, b: Vec, out: Vec): number =>
  productCancellationOf(ra, ca, cb, a, ca, 1, b, cb, 1, out, largestMagnitude(a));

/** The same for multiplyTransposed(ra, ca, a, cb, adj) = out (A read transposed in place). */
export const multiplyTransposedLost = (ra: number, ca: number, a: Vec, cb: number, adj: Vec, out: Vec): number =>
  productCancellationOf(ca, ra, cb, a, 1, ca, adj, cb, 1, out, largestMagnitude(a));

/**
 * The same for outerAccumulate(ra, ca, cb, adj, b) = dA (sums over cb: none for vectors). `adj` may be a sweep's
 * accumulator, written in place, so its largest magnitude is taken again, not kept.
 */
export const outerAccumulateLost = (ra: number, ca: number, cb: number, adj: Vec, b: Vec, dA: Vec): number =>
  productCancellationOf(ra, cb, ca, adj, cb, 1, b, 1, cb, dA, cb < 2 ? 0 : maxMagnitude(adj));

export function mapVec(a: Vec, f: (x: number) => number): Vec {
  const out = newVec(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]!);
  return out;
}
