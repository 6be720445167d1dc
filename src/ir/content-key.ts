/**
 * Content keys: an expression's identity plus the values of every index it
 * uses. Two evaluations with equal keys denote the same value on an instance
 * (`h[T-k+i]` at k=5, i=2 and at k=6, i=3 share a key), which lets the
 * evaluator memoise factors across lags without re-printing expressions.
 */
import { type Affine, formatAffine, type IntEnv, substituteAffine } from './affine.js';
import { children, type Expr, type Index, type NodeRef } from './expr.js';
import { formatIndex } from './index-ref.js';

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
  const refTime = (r: NodeRef) => {
    if (r.time) acc.push({ affine: r.time });
  };
  const visit = (x: Expr) => {
    switch (x.kind) {
      case 'seq':
        acc.push({ affine: x.time });
        break;
      case 'ivar':
        acc.push({ ivar: x.name });
        break;
      case 'prod':
      case 'sum':
      case 'hprod':
        acc.push({ affine: x.lo }, { affine: x.hi });
        break;
      case 'cols':
        acc.push({ affine: x.from }, { affine: x.to });
        break;
      case 'eye':
        acc.push({ affine: x.size });
        break;
      case 'comp':
        acc.push({ affine: x.time }, { index: x.index });
        break;
      case 'entry':
        acc.push({ index: x.row }, ...(x.col ? [{ index: x.col }] : []));
        break;
      case 'delta':
        acc.push({ index: x.a }, { index: x.b });
        break;
      case 'dact':
        acc.push({ affine: x.time }, ...(x.index ? [{ index: x.index }] : []));
        break;
      case 'pathsum':
        acc.push({ affine: x.length }, { affine: x.range }, { index: x.start });
        break;
      case 'ideriv':
        acc.push({ affine: x.of.time }, { index: x.of.index }, { index: x.wrt.row }, ...(x.wrt.col ? [{ index: x.wrt.col }] : []));
        break;
      case 'unit':
        acc.push({ affine: x.size }, { index: x.index });
        break;
      case 'deriv':
        [x.of, x.wrt, ...x.fixed].forEach(refTime);
        break;
      default:
        break;
    }
    children(x).forEach(visit);
  };
  visit(e);
  out = acc;
  partsCache.set(e, out);
  readsPaths.set(e, acc.some((p) => 'index' in p && p.index.kind === 'path'));
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
    for (const name of Object.keys(env).sort()) if (name.includes('#')) key += `;${name}=${env[name]}`;
  for (const p of ps) {
    if ('ivar' in p) key += `,${env[p.ivar] ?? p.ivar}`;
    else if ('index' in p) key += `,${formatIndex(p.index, env)}`;
    else {
      const s = substituteAffine(p.affine, env);
      key += `,${Object.keys(s.terms).length === 0 ? s.c : formatAffine(s)}`;
    }
  }
  return key;
}
