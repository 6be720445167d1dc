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
import { pathKey } from './path-chain.js';
import { binderKind } from '../ops/registry.js';

/**
 * An index a subtree reads, compiled for the hot path: an affine form's terms as parallel arrays, an index
 * variable, or a path position (`g[l+1]`, read through the path assignment).
 */
type Part =
  | { readonly tag: 'affine'; readonly c: number; readonly names: readonly string[]; readonly coefs: readonly number[] }
  | { readonly tag: 'ivar'; readonly name: string }
  | {
      readonly tag: 'path';
      readonly index: Index & { kind: 'path' };
      /** the position's affine form, as an affine part's */
      readonly c: number;
      readonly names: readonly string[];
      readonly coefs: readonly number[];
    };

/**
 * What a node's keys are built from, computed once per node (trees are immutable): its structural id, each
 * distinct index of the subtree once (in a fixed order: the node's own, then its children's in order, so
 * equal structures list them alike), and whether it reads index-path positions.
 */
export interface NodeInfo {
  readonly id: string;
  /** the same id as a number (keys of numeric tables, src/symbolic/exact.ts) */
  readonly structure: number;
  readonly parts: readonly Part[];
  /** the parts' identities (`a<affine>`, `v<name>`, `u<index>`), for merging without duplicates */
  readonly partIds: readonly string[];
  readonly readsPaths: boolean;
  /**
   * Every path position the subtree reads is read at the node's own binding: no binder inside it (∏'s index, a
   * path sum's path) rebinds a name a path part reads. Then the node's value depends on the path through its
   * path parts' values alone, and a key holds those values instead of the whole path assignment.
   */
  readonly pathsFixed: boolean;
  /** how the parts' values pack into a number (null: they never do); undefined until first asked */
  digits: Digits | null | undefined;
}

const infos = new WeakMap<Expr, NodeInfo>();
/** structure text (own fields and children's ids) → id; emptied when large, ids are never reused */
const interned = new Map<string, number>();
const MAX_INTERNED = 1_000_000;
let nextId = 1;
const NO_PARTS: NodeInfo['parts'] = [];
const NO_IDS: NodeInfo['partIds'] = [];
const NO_DIGITS: Digits = { flags: [], count: 0, base: 2 ** 52, vars: [], paths: false, partlyBase: 0 };

function pathPart(index: Index & { kind: 'path' }): Part {
  const { names, coefs } = termList(index.pos);
  return { tag: 'path', index, c: index.pos.c, names, coefs };
}

/**
 * Whether a part reads what a binder of `kind` binds as `name`: an integer binder, an index or a path position
 * that names it; a path binder, a position on that path (an integer variable of the same name is another one, read
 * at the node's own binding); a real binder, no index part (its variable is not an index).
 */
function readsBinder(p: Part, kind: 'int' | 'path' | 'real', name: string): boolean {
  if (kind === 'real') return false;
  if (kind === 'path') return p.tag === 'path' && p.index.name === name;
  return p.tag === 'ivar' ? p.name === name : p.names.includes(name);
}

/** Whether a path part reads `name`: its path's name, or a variable of its position. */
const partReads = (p: Part, name: string): boolean =>
  p.tag === 'path' && (p.index.name === name || p.names.includes(name));

/**
 * pathsFixed for a node whose parts are its own and its children's: every child's path parts fixed at the
 * child's binding, and none reading the node's own binder (the children are evaluated where it is bound; the
 * node's own fields outside it).
 */
function pathsFixedIn(x: Expr, children: readonly NodeInfo[]): boolean {
  const binder = x.kind === 'op' ? x.binder : null;
  for (const c of children) {
    if (!c.readsPaths) continue;
    if (!c.pathsFixed) return false;
    if (binder !== null && c.parts.some((p) => partReads(p, binder))) return false;
  }
  return true;
}

function affinePart(a: Affine): Part {
  const { names, coefs } = termList(a);
  return { tag: 'affine', c: a.c, names, coefs };
}

/** A node's own index fields (its children's come from their infos), with their identities. */
function ownParts(x: Expr): [string, Part][] {
  if (x.kind === 'seq') return [[`a${formatAffine(x.time)}`, affinePart(x.time)]];
  if (x.kind === 'ivar') return [[`v${x.name}`, { tag: 'ivar', name: x.name }]];
  if (x.kind !== 'op' || (!x.ints.length && !x.units.length)) return [];
  const out: [string, Part][] = [];
  for (const a of x.ints) out.push([`a${formatAffine(a)}`, affinePart(a)]);
  // A unit's affine index is keyed like any affine (equal keys ⇔ equal substituted forms).
  for (const u of x.units) out.push([`u${formatIndex(u, {})}`, u.kind === 'affine' ? affinePart(u.a) : pathPart(u)]);
  return out;
}

/** A node's own fields, without its children. */
function ownText(x: Expr): string {
  switch (x.kind) {
    case 'num':
      // String(-0) is '0', but 1/-0 is not 1/0
      return Object.is(x.value, -0) ? 'n-0' : `n${x.value}`;
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

function internedId(text: string): number {
  let id = interned.get(text);
  if (id === undefined) {
    if (interned.size >= MAX_INTERNED) {
      interned.clear();
      infoByStructure.clear();
    }
    id = nextId++;
    interned.set(text, id);
  }
  return id;
}

/**
 * structure id → its info. Equal structures (own fields and children's structures) read the same parts in the
 * same order, so a tree rebuilt at every binding (a claim around derived closed forms) shares its infos with the
 * first one built instead of merging the parts again. Emptied with `interned`.
 */
const infoByStructure = new Map<number, NodeInfo>();

/** The info of a node whose children's infos are known. */
function infoFrom(x: Expr): NodeInfo {
  const children = x.kind === 'op' ? x.args.map((a) => infos.get(a)!) : [];
  const structure = internedId(x.kind === 'op' ? `${ownText(x)}(${children.map((c) => c.id).join(',')})` : ownText(x));
  const known = infoByStructure.get(structure);
  if (known) return known;
  const info = newInfo(x, children, structure);
  infoByStructure.set(structure, info);
  return info;
}

function newInfo(x: Expr, children: readonly NodeInfo[], structure: number): NodeInfo {
  const id = String(structure);
  const own = ownParts(x);
  const binder = x.kind === 'op' ? x.binder : null;
  const kind = x.kind === 'op' ? binderKind(x) : null;
  // Most nodes read no index of their own and have one child that reads any (mul(W, h[t-1])): that child's
  // list is the merged list, shared rather than rebuilt.
  if (!own.length && kind === null) {
    let only: NodeInfo | null = null;
    let shared = true;
    for (const c of children)
      if (c.parts.length && c.parts !== only?.parts) {
        if (only) shared = false;
        only = c;
      }
    if (shared)
      return only
        ? { ...only, id, structure, pathsFixed: only.readsPaths && pathsFixedIn(x, children) }
        : { id, structure, parts: NO_PARTS, partIds: NO_IDS, readsPaths: false, pathsFixed: false, digits: NO_DIGITS };
  }
  const seen = new Set<string>();
  const parts: Part[] = [];
  const partIds: string[] = [];
  const add = (partId: string, part: Part) => {
    if (seen.has(partId)) return;
    seen.add(partId);
    partIds.push(partId);
    parts.push(part);
  };
  for (const [partId, part] of own) add(partId, part);
  for (const c of children)
    for (let i = 0; i < c.parts.length; i++) {
      const part = c.parts[i]!;
      if (kind === null || !readsBinder(part, kind, binder!)) add(c.partIds[i]!, part);
      else {
        // An index that reads the node's own binder has no value at the node's binding: keyed there by the other
        // variables it reads (`t-i+1` inside ∏ over i is keyed by t). Its value at an outer i of the same name (a
        // claim's quantified i) made ∏_{i=1}^{t−s} diag(1 − h_{t−i+1}²) one key at t = 5, i = 4 and at t = 4, i = 3.
        const others = part.tag === 'ivar' ? [] : part.names.filter((n) => kind === 'path' || n !== binder);
        for (const name of others) add(`v${name}`, { tag: 'ivar', name });
        // A path position keeps its part either way, so the key holds the whole path assignment (pathsFixed is
        // false): on an integer binder's path it reads the outer path; on the path the node binds, a position past
        // the node's length reads the outer path of that name too (a path sum over g inside one over g), and one
        // within it is covered by its variables above.
        if (part.tag === 'path') add(c.partIds[i]!, part);
      }
    }
  const readsPaths = parts.some((p) => p.tag === 'path');
  return {
    id,
    structure,
    parts,
    partIds,
    readsPaths,
    pathsFixed: readsPaths && pathsFixedIn(x, children),
    digits: undefined,
  };
}

/**
 * Each distinct index expression of a subtree once: a large block reads the same few times in many places,
 * and keys are built at every binding. A new node over known subtrees (a claim rebuilt around derived closed
 * forms at each binding) merges its children's parts instead of walking them again; the traversal is
 * iterative (post-order over the nodes not seen before), so a 6,000-term sum does not exhaust the stack.
 */
function infoOf(e: Expr): NodeInfo {
  const known = infos.get(e);
  if (known) return known;
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, childrenDone] = stack.pop()!;
    if (infos.has(x)) continue;
    if (x.kind === 'op' && !childrenDone) {
      stack.push([x, true]);
      for (const child of x.args) if (!infos.has(child)) stack.push([child, false]);
      continue;
    }
    infos.set(x, infoFrom(x));
  }
  return infos.get(e)!;
}

/**
 * An affine index at a binding, as a key part: its value when every variable is bound, else that partial
 * value and the unbound terms (`7|1i` for T-k+i at T=9, k=3). Equal keys mean equal substituted forms; it is
 * read by nothing but key comparison, so it skips printing the substituted form (the hot path of every key).
 */
function affineKeyAt(
  p: { readonly c: number; readonly names: readonly string[]; readonly coefs: readonly number[] },
  env: IntEnv,
): string {
  let value = p.c;
  let free = '';
  const { names, coefs } = p;
  for (let i = 0; i < names.length; i++) {
    const bound = own(env, names[i]!);
    if (bound === undefined) free += `|${coefs[i]}${names[i]}`;
    else value += coefs[i]! * bound;
  }
  return free === '' ? String(value) : `${value}${free}`;
}

/** The index-path positions bound in `env` (`g#0=2;g#1=1`), in name order: the env's keys vary in order. */
function pathAssignment(env: IntEnv): string {
  const positions: string[] = [];
  // for…in walks the keys without an array of them all; an inherited key is no binding
  for (const name in env) if (name.includes('#') && Object.hasOwn(env, name)) positions.push(name);
  // Insertion sort in code-unit order, as sort() orders strings: a handful of names, and sort() copies them first.
  for (let i = 1; i < positions.length; i++) {
    const name = positions[i]!;
    let j = i - 1;
    for (; j >= 0 && positions[j]! > name; j--) positions[j + 1] = positions[j]!;
    positions[j + 1] = name;
  }
  let out = '';
  for (const name of positions) out += `;${name}=${own(env, name)}`;
  return out;
}

/** The index values of a content key as text: what follows the structure's id in `contentKey`. */
function indexText(info: NodeInfo, env: IntEnv, ofValue: boolean): string {
  // A path position inside a product or sum is resolved only there: key on the whole assignment. A key of the
  // value alone leaves it out where every position the node reads is read at this binding and bound here.
  let key =
    info.readsPaths && !(ofValue && info.pathsFixed && pathPartsBound(info.parts, env)) ? pathAssignment(env) : '';
  for (const p of info.parts) {
    if (p.tag === 'ivar') key += `,${own(env, p.name) ?? p.name}`;
    else if (p.tag === 'path') key += `,${formatIndex(p.index, env)}`;
    else key += `,${affineKeyAt(p, env)}`;
  }
  return key;
}

/** The value of a path part at a binding: its position's value, then that position's (undefined when unbound). */
function pathPartValue(p: Part & { tag: 'path' }, env: IntEnv): number | undefined {
  let pos = p.c;
  const { names, coefs } = p;
  for (let i = 0; i < names.length; i++) {
    const bound = own(env, names[i]!);
    if (bound === undefined) return undefined;
    pos += coefs[i]! * bound;
  }
  return own(env, pathKey(p.index.name, pos));
}

/** Whether every path part's value is bound (as formatIndex finds it). */
function pathPartsBound(parts: readonly Part[], env: IntEnv): boolean {
  for (const p of parts) if (p.tag === 'path' && pathPartValue(p, env) === undefined) return false;
  return true;
}

export function contentKey(e: Expr, env: IntEnv): string {
  const info = infoOf(e);
  return info.id + indexText(info, env, false);
}

/**
 * contentKey for a node's value alone: a node whose path positions are all read at its own binding (pathsFixed)
 * and bound there is keyed on their values, not on the whole path assignment. Equal keys, equal values — but
 * not the same binding of the path elsewhere: a product's factor keyed so would not say which factors follow
 * it (ProdOp's walks, product chains), so those read contentKey.
 */
export function valueKey(e: Expr, env: IntEnv): string {
  const info = infoOf(e);
  return info.id + indexText(info, env, true);
}

/**
 * Where the terms of a range over `binder` line up across bindings: a value b of the binder such that the key of
 * the body at binder = b + s, for every s, follows from its key at b (`contentKey(e, env + {binder: b})`) and s —
 * each index the body reads moves by its coefficient of the binder times s. b is chosen from the first index that
 * reads the binder (its value at b lies in 0..|coefficient| − 1), so bodies that differ by a shift of the binder
 * (F(T + k + 1 − j) at each k) get equal keys at their own b. null where a path position reads the binder (its
 * key holds the unit there, not the position) or a value is not a safe integer. `env` must not bind `binder`.
 */
export function rangeAnchor(e: Expr, env: IntEnv, binder: string): number | null {
  for (const p of infoOf(e).parts) {
    if (p.tag === 'path') {
      if (partReads(p, binder)) return null;
      continue;
    }
    if (p.tag === 'ivar') {
      if (p.name === binder) return 0;
      continue;
    }
    const at = p.names.indexOf(binder);
    if (at < 0) continue;
    const coef = p.coefs[at]!;
    const partial = affineValueAt(p, env, true);
    if (partial === null || partial === undefined || !Number.isSafeInteger(coef) || coef === 0) return null;
    const b = -Math.floor(partial / coef);
    return Number.isSafeInteger(b) ? b : null;
  }
  // No index reads the binder: every term is the same.
  return 0;
}

/**
 * A value key in two parts, for tables on the hot path of exact evaluation: the structure as a number,
 * and the values of the indices it reads, packed into one number when every part is a bound integer that
 * fits (else the text `valueKey` appends to the structure's id). Two evaluations have equal keys exactly
 * when their `valueKey`s are equal: values are packed injectively per structure (each structure reads a
 * fixed list of parts), and a number never equals a text. The point is the work not done: no key text is
 * built or hashed for the common case of bound indices.
 */
export interface SplitKey {
  structure: number;
  values: number | string;
}

export function splitContentKey(e: Expr, env: IntEnv, into: SplitKey): SplitKey {
  const info = infoOf(e);
  into.structure = info.structure;
  into.values = indexValues(info, env);
  return into;
}

/**
 * The info behind a node's split key, for a caller that keys one node at many bindings: `info.structure` is the
 * key's structure, `indexValues(info, env)` its values at a binding (what splitContentKey gives, without looking
 * the node up again). A node's info never changes: it is kept by the node's identity.
 */
export const contentInfo = (e: Expr): NodeInfo => infoOf(e);

/** The values part of a split key at `env`, from the node's info. */
export function indexValues(info: NodeInfo, env: IntEnv): number | string {
  return packedIndexValues(info, env) ?? indexText(info, env, true);
}

/**
 * Which parts carry a digit of a packed key: the first of those with the same variables and coefficients
 * (`t-1`, `t`, `t+1`: the others are the first's value plus a constant of the structure). Constant parts
 * carry none (their value is the structure's). null: no packing (non-integer coefficients).
 */
interface Digits {
  /** per part: whether it carries a digit */
  readonly flags: readonly boolean[];
  readonly count: number;
  /** 2^bits, bits = ⌊52 / count⌋ */
  readonly base: number;
  /** the variables the parts read (path positions' too), each a bit of a partly bound key's mask */
  readonly vars: readonly string[];
  /** some part is a path position */
  readonly paths: boolean;
  /** a partly bound key's base: 2^bits, bits = ⌊(52 − vars) / count⌋ (0: no such key) */
  readonly partlyBase: number;
}

function digitsOf(parts: readonly Part[]): Digits | null {
  const seen = new Set<string>();
  const flags: boolean[] = [];
  const vars = new Set<string>();
  let paths = false;
  for (const p of parts) {
    // a path part's value is a unit, free of the others: a digit of its own
    if (p.tag === 'path') {
      if (![p.c, ...p.coefs].every(Number.isSafeInteger)) return null;
      for (const n of p.names) vars.add(n);
      flags.push(true);
      paths = true;
      continue;
    }
    const [names, coefs] = p.tag === 'ivar' ? [[p.name], [1]] : [p.names, p.coefs];
    for (const n of names) vars.add(n);
    if (p.tag === 'affine' && ![p.c, ...coefs].every(Number.isSafeInteger)) return null;
    // names never hold '|' (index variable names are identifiers)
    const terms = names.map((n, i) => `${coefs[i]}${n}`).join('|');
    flags.push(names.length > 0 && !seen.has(terms));
    seen.add(terms);
  }
  const count = flags.filter(Boolean).length;
  if (count > 52) return null;
  const partlyBits = count ? Math.floor((52 - vars.size) / count) : 0;
  return {
    flags,
    count,
    base: 2 ** Math.floor(52 / Math.max(count, 1)),
    vars: [...vars],
    paths,
    partlyBase: partlyBits > 0 ? 2 ** partlyBits : 0,
  };
}

/** Whether an environment binds some path position (the text key's path assignment is then not empty). */
function bindsPaths(env: IntEnv): boolean {
  for (const name in env) if (name.includes('#') && Object.hasOwn(env, name)) return true;
  return false;
}

/**
 * The key of parts some of whose variables are unbound, or whose path positions are: what the text holds —
 * each part's value over its bound terms (a path position's: the position's, `g[…]` in the text, where the
 * environment binds no path position at all), and which variables are unbound (the same for every part) —
 * packed as a mask of the unbound variables and a digit per flagged part (as packedIndexValues, whose parts
 * with the same terms are the first's value plus a constant here too), negated below −1 so it never equals a
 * fully bound key. null where the environment binds a path position and a part reads one, or a value is not
 * a safe integer on the way or does not fit.
 */
function partlyBoundValues(parts: readonly Part[], digits: Digits, env: IntEnv): number | null {
  const { flags, vars, partlyBase: base } = digits;
  if (!base || (digits.paths && bindsPaths(env))) return null;
  let mask = 0;
  for (let i = 0; i < vars.length; i++) mask = mask * 2 + (own(env, vars[i]!) === undefined ? 1 : 0);
  const half = base / 2;
  let key = mask;
  for (let j = 0; j < parts.length; j++) {
    if (!flags[j]) continue;
    const p = parts[j]!;
    let value: number;
    if (p.tag === 'ivar') {
      // unbound: its name, which the mask says
      const bound = own(env, p.name);
      value = bound ?? 0;
      if (!Number.isSafeInteger(value)) return null;
    } else {
      // an affine index, or a path position (none of them bound: the text reads the position)
      const at = affineValueAt(p, env, true);
      if (at === null || at === undefined) return null;
      value = at;
    }
    if (value < -half || value >= half) return null;
    key = key * base + (value + half);
  }
  return -1 - key;
}

/**
 * An affine part's value at a binding, its unbound terms left out (`skipUnbound`) or making it undefined; null
 * when a term or the sum is not a safe integer on the way (a key must be exact).
 */
function affineValueAt(
  p: { readonly c: number; readonly names: readonly string[]; readonly coefs: readonly number[] },
  env: IntEnv,
  skipUnbound: boolean,
): number | null | undefined {
  let value = p.c;
  const { names, coefs } = p;
  for (let i = 0; i < names.length; i++) {
    const bound = own(env, names[i]!);
    if (bound === undefined) {
      if (skipUnbound) continue;
      return undefined;
    }
    const term = coefs[i]! * bound;
    value += term;
    if (!Number.isSafeInteger(term) || !Number.isSafeInteger(value)) return null;
  }
  return value;
}

/**
 * The parts' values packed base 2^bits (52 bits in all, so every key is an exact integer), a digit per
 * value that varies independently, each a zigzag digit (below). null when an index is unbound, is not a
 * safe integer on the way (so every value is exact), or does not fit, and for a path part unless the node's
 * paths are fixed (its text key then holds the whole path assignment).
 */
function packedIndexValues(info: NodeInfo, env: IntEnv): number | null {
  const { parts } = info;
  if (info.digits === undefined) info.digits = digitsOf(parts);
  const { digits } = info;
  if (!digits) return null;
  const { flags, count, base } = digits;
  if (count === 0) return 0;
  const half = base / 2;
  let key = 0;
  for (let j = 0; j < parts.length; j++) {
    const p = parts[j]!;
    let value: number | undefined;
    if (p.tag === 'ivar') {
      value = own(env, p.name);
      if (value === undefined) return partlyBoundValues(parts, digits, env);
      if (!Number.isSafeInteger(value)) return null;
    } else if (p.tag === 'path') {
      value = info.pathsFixed ? pathPartValue(p, env) : undefined;
      if (value === undefined) return partlyBoundValues(parts, digits, env);
      if (!Number.isSafeInteger(value)) return null;
    } else {
      const at = affineValueAt(p, env, false);
      if (at === undefined) return partlyBoundValues(parts, digits, env);
      if (at === null) return null;
      value = at;
    }
    if (!flags[j]) continue;
    if (value < -half || value >= half) return null;
    // A digit in 0..base−1, zigzag (0, −1, 1, −2, … ↦ 0, 1, 2, 3, …), not value + half: a key of one small
    // digit (a lag, a time) stays a small integer, which V8 keeps unboxed (value + half, past 2^51, made a heap
    // number per evaluation) and hashes as such. -0 is 0 here as in the text (String(-0) is '0'): 2·(−0) + 0 = 0.
    key = key * base + (value >= 0 ? 2 * value : -2 * value - 1);
  }
  return key;
}
