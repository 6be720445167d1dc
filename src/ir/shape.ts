/**
 * Static shapes. A dimension is an affine expression in the size names
 * (`d`, `m`, `d+m`), so that `W_f * [h[t-1]; x[t]]` type-checks for every
 * size before any instance is drawn. Vectors are columns ([n, 1]); scalars
 * are [1, 1] and broadcast in +, −, .*.
 */
import { type Affine, affine, affineEquals, formatAffine, isConstant } from './affine.js';

export interface Shape {
  readonly rows: Affine;
  readonly cols: Affine;
}

const ONE = affine(1);
export const SCALAR: Shape = { rows: ONE, cols: ONE };

const isOne = (a: Affine): boolean => isConstant(a) && a.c === 1;
export const isScalar = (s: Shape): boolean => isOne(s.rows) && isOne(s.cols);
export const isColumn = (s: Shape): boolean => isOne(s.cols);
export const isRow = (s: Shape): boolean => isOne(s.rows);
export const isSquare = (s: Shape): boolean => affineEquals(s.rows, s.cols);
export const sameShape = (a: Shape, b: Shape): boolean => affineEquals(a.rows, b.rows) && affineEquals(a.cols, b.cols);
export const column = (rows: Affine): Shape => ({ rows, cols: ONE });
export const formatShape = (s: Shape): string =>
  isScalar(s)
    ? 'scalar'
    : isColumn(s)
      ? `vector[${formatAffine(s.rows)}]`
      : `matrix[${formatAffine(s.rows)}, ${formatAffine(s.cols)}]`;

/** A declared shape such as `[d, d+m]`, `[d]` or `[]` (scalar). */
export function shapeFromDims(dims: readonly Affine[]): Shape {
  if (dims.length === 0) return SCALAR;
  if (dims.length === 1) return { rows: dims[0]!, cols: ONE };
  return { rows: dims[0]!, cols: dims[1]! };
}
