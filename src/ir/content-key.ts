/**
 * Content keys: an expression's structure plus the values of every index it
 * reads. Two evaluations with equal keys denote the same value on an instance
 * (`h[T-k+i]` at k=5, i=2 and at k=6, i=3 share a key), which lets the
 * evaluators memoise factors across lags without re-printing expressions.
 * Structure is hash-consed: equal trees built at different bindings (a claim
 * around the same closed forms) share one id.
 */
import { type Affine, formatAffine, type IntEnv, termList } from './affine.js';
import type { Expr, Index } from './expr.js';
import { formatIndex } from './print.js';
import { own } from './names.js';

type Part = { readonly affine: Affine } | { readonly ivar: string } | { readonly index: Index };

const ids = new WeakMap<Expr, number>();
/** structure text (own fields and children's ids) → id; emptied when large, ids are never reused */
const interned = new Map<string, number>();
const MAX_INTERNED = 1_000_000;
const partsCache = new WeakMap<Expr, readonly Part[]>();
/** expressions that read index-path positions: their value depends on the whole path assignment */
const readsPaths = new WeakMap<Expr, boolean>();
let nextId = 1;

/** A node's own index fields (its children's come from their cached parts). */
function ownParts(x: Expr, add: (key: string, part: Part) => void): void {
  if (x.kind === 'seq') add(`a${formatAffine(x.time)}`, { affine: x.time });
  else if (x.kind === 'ivar') add(`v${x.name}`, { ivar: x.name });
  else if (x.kind === 'op') {
    for (const a of x.ints) add(`a${formatAffine(a)}`, { affine: a });
    for (const u of x.units) add(`u${formatIndex(u, {})}`, { index: u });
  }
}

/**
 * Each distinct index expression of a subtree once: a large block reads the
 * same few times in many places, and keys are built at every binding. A new
 * node over cached subtrees (a claim rebuilt around derived closed forms at
 * each binding) merges its children's parts instead of walking them again;
 * the traversal is iterative, so a 6,000-term sum does not exhaust the stack.
 */
function parts(e: Expr): readonly Part[] {
  const cached = partsCache.get(e);
  if (cached) return cached;
  const byKey = new WeakMap<Expr, Map<string, Part>>();
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, childrenDone] = stack.pop()!;
    if (byKey.has(x)) continue;
    const known = partsCache.get(x);
    if (known) {
      byKey.set(x, distinctOf(known));
      continue;
    }
    if (x.kind === 'op' && !childrenDone) {
      stack.push([x, true]);
      for (const child of x.args) if (!byKey.has(child)) stack.push([child, false]);
      continue;
    }
    const distinct = new Map<string, Part>();
    const add = (key: string, part: Part) => {
      if (!distinct.has(key)) distinct.set(key, part);
    };
    ownParts(x, add);
    if (x.kind === 'op') for (const child of x.args) for (const [k, p] of byKey.get(child)!) add(k, p);
    byKey.set(x, distinct);
    const list = [...distinct.values()];
    partsCache.set(x, list);
    distinctCache.set(list, distinct);
    readsPaths.set(
      x,
      list.some((p) => 'index' in p && p.index.kind === 'path'),
    );
  }
  return partsCache.get(e)!;
}

const distinctCache = new WeakMap<readonly Part[], Map<string, Part>>();
const distinctOf = (list: readonly Part[]): Map<string, Part> => distinctCache.get(list)!;

/** A node's own fields, without its children. */
function ownText(x: Expr): string {
  switch (x.kind) {
    case 'num':
      return `n${x.value}`;
    case 'sym':
      return `s${x.name}`;
    case 'seq':
      return `q${x.name}[${formatAffine(x.time)}]`;
    case 'ivar':
      return `i${x.name}`;
    case 'rvar':
      return `r${x.name}`;
    case 'op':
      return `o${x.op}|${x.ints.map(formatAffine).join(',')}|${x.units.map((u) => formatIndex(u, {})).join(',')}|${x.binder ?? ''}|${x.name ?? ''}`;
  }
}

/** The structural id of an expression (iterative post-order over the nodes not seen before). */
function structuralId(e: Expr): number {
  const known = ids.get(e);
  if (known !== undefined) return known;
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, childrenDone] = stack.pop()!;
    if (ids.has(x)) continue;
    if (x.kind === 'op' && !childrenDone) {
      stack.push([x, true]);
      for (const child of x.args) if (!ids.has(child)) stack.push([child, false]);
      continue;
    }
    const text = x.kind === 'op' ? `${ownText(x)}(${x.args.map((a) => ids.get(a)!).join(',')})` : ownText(x);
    let id = interned.get(text);
    if (id === undefined) {
      if (interned.size >= MAX_INTERNED) interned.clear();
      id = nextId++;
      interned.set(text, id);
    }
    ids.set(x, id);
  }
  return ids.get(e)!;
}

/**
 * An affine index at a binding, as a key part: its value when every variable is bound, else that partial
 * value and the unbound terms (`7|1i` for T-k+i at T=9, k=3). Equal keys mean equal substituted forms; it is
 * read by nothing but key comparison, so it skips printing the substituted form (the hot path of every key).
 */
function affineKeyAt(a: Affine, env: IntEnv): string {
  let value = a.c;
  let free = '';
  const { names, coefs } = termList(a);
  for (let i = 0; i < names.length; i++) {
    const bound = own(env, names[i]!);
    if (bound === undefined) free += `|${coefs[i]}${names[i]}`;
    else value += coefs[i]! * bound;
  }
  return free === '' ? String(value) : `${value}${free}`;
}

export function contentKey(e: Expr, env: IntEnv): string {
  let key = `${structuralId(e)}`;
  const ps = parts(e);
  // A path position inside a product or sum is resolved only there: key on the whole assignment.
  if (readsPaths.get(e)) {
    const positions: string[] = [];
    for (const name of Object.keys(env)) if (name.includes('#')) positions.push(name);
    for (const name of positions.sort()) key += `;${name}=${own(env, name)}`;
  }
  for (const p of ps) {
    if ('ivar' in p) key += `,${own(env, p.ivar) ?? p.ivar}`;
    else if ('index' in p) key += `,${formatIndex(p.index, env)}`;
    else key += `,${affineKeyAt(p.affine, env)}`;
  }
  return key;
}
