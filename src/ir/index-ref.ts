/** Unit-level indices (α, i, γ_ℓ): affine integers or positions of an index path. */
import { type Affine, evalAffine, formatAffine, type IntEnv, substituteAffine } from './affine.js';
import type { Expr, Index } from './expr.js';

/** Where the value of path position γ_p lives in an environment. */
export const pathKey = (path: string, pos: number): string => `${path}#${pos}`;

export function evalIndex(ix: Index, env: IntEnv): number {
  if (ix.kind === 'affine') return evalAffine(ix.a, env);
  const key = pathKey(ix.name, evalAffine(ix.pos, env));
  const v = env[key];
  if (v === undefined) throw new Error(`unbound path position ${key}`);
  return v;
}

export function formatIndex(ix: Index, env: IntEnv = {}): string {
  if (ix.kind === 'affine') return formatAffine(substituteAffine(ix.a, env));
  const pos = substituteAffine(ix.pos, env);
  const bound = Object.keys(pos.terms).length === 0 ? env[pathKey(ix.name, pos.c)] : undefined;
  return bound !== undefined ? String(bound) : `${ix.name}[${formatAffine(pos)}]`;
}

export function mapIndex(ix: Index, f: (a: Affine) => Affine): Index {
  return ix.kind === 'affine' ? { kind: 'affine', a: f(ix.a) } : { ...ix, pos: f(ix.pos) };
}

/** The unit indices a node reads directly (h[t, α] → α; W[i, j] → i, j; δ(a, b) → a, b; …). */
export function unitIndicesOf(x: Expr): Index[] {
  switch (x.kind) {
    case 'comp':
    case 'unit':
      return [x.index];
    case 'dact':
      return x.index ? [x.index] : [];
    case 'entry':
      return [x.row, ...(x.col ? [x.col] : [])];
    case 'delta':
      return [x.a, x.b];
    case 'ideriv':
      return [x.of.index, x.wrt.row, ...(x.wrt.col ? [x.wrt.col] : [])];
    default:
      return [];
  }
}
