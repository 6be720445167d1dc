/**
 * Content keys: an expression's identity plus the values of every index it
 * reads. Two evaluations with equal keys denote the same value on an instance
 * (`h[T-k+i]` at k=5, i=2 and at k=6, i=3 share a key), which lets the
 * evaluators memoise factors across lags without re-printing expressions.
 */
import { type Affine, formatAffine, type IntEnv, substituteAffine } from './affine.js';
import { type Expr, type Index, walk } from './expr.js';
import { formatIndex } from './print.js';
import { own } from './names.js';

type Part = { readonly affine: Affine } | { readonly ivar: string } | { readonly index: Index };

const ids = new WeakMap<Expr, number>();
const partsCache = new WeakMap<Expr, readonly Part[]>();
/** expressions that read index-path positions: their value depends on the whole path assignment */
const readsPaths = new WeakMap<Expr, boolean>();
let nextId = 1;

function parts(e: Expr): readonly Part[] {
  let out = partsCache.get(e);
  if (out) return out;
  const acc: Part[] = [];
  walk(e, (x) => {
    if (x.kind === 'seq') acc.push({ affine: x.time });
    else if (x.kind === 'ivar') acc.push({ ivar: x.name });
    else if (x.kind === 'op') {
      for (const a of x.ints) acc.push({ affine: a });
      for (const u of x.units) acc.push({ index: u });
    }
  });
  out = acc;
  partsCache.set(e, out);
  readsPaths.set(
    e,
    acc.some((p) => 'index' in p && p.index.kind === 'path'),
  );
  return out;
}

export function contentKey(e: Expr, env: IntEnv): string {
  let id = ids.get(e);
  if (id === undefined) {
    id = nextId++;
    ids.set(e, id);
  }
  let key = `${id}`;
  const ps = parts(e);
  // A path position inside a product or sum is resolved only there: key on the whole assignment.
  if (readsPaths.get(e))
    for (const name of Object.keys(env).sort()) if (name.includes('#')) key += `;${name}=${own(env, name)}`;
  for (const p of ps) {
    if ('ivar' in p) key += `,${own(env, p.ivar) ?? p.ivar}`;
    else if ('index' in p) key += `,${formatIndex(p.index, env)}`;
    else {
      const s = substituteAffine(p.affine, env);
      key += `,${Object.keys(s.terms).length === 0 ? s.c : formatAffine(s)}`;
    }
  }
  return key;
}
