/**
 * The edits a repair search tries, as data: one record per usual slip (a
 * product in the wrong order, a transpose added or dropped, an index off by
 * one, a missing σ′ or diag factor, a total derivative read as a partial one,
 * …). Each record names its family, the words that describe it (a template the
 * emitter fills, src/emit/repair-text.ts) and how it rewrites one site of a
 * claim into candidate sites, each carrying the details the words need.
 * Records never evaluate anything: the search screens and checks what they
 * propose.
 */
import { affine, affineAdd, affineEquals, type Affine, affineVar, formatAffine, isConstant } from '../ir/affine.js';
import { ExprError } from '../ir/errors.js';
import { shapeIn } from '../ir/shape-of.js';
import { isColumn, isRow, isScalar, type Shape } from '../ir/shape.js';
import { type Expr, isOp, node, num, type OpNode, rewrite, seq, sym, walkOnce } from '../ir/expr.js';
import { specOf } from '../ops/index.js';
import type { Model } from '../model/model.js';
import type { Relation } from '../derivation/derivation.js';
import { affineExpr, substituteIndex } from '../symbolic/build.js';
import { integerAffine } from '../ir/integer-affine.js';
import { chainFactors, type Site } from './tree.js';

export type EditFamily =
  'order' | 'transpose' | 'index' | 'factor' | 'term' | 'derivative' | 'range' | 'activation' | 'parameter' | 'bound';

/** What the words of one applied edit need: placeholders of the record's template, as printed text. */
export type EditDetail = Readonly<Record<string, string>>;

export interface Replacement {
  /** the new subtree (its identity marks the changed part for highlighting) */
  readonly after: Expr;
  readonly detail: EditDetail;
  /** aimed: proposed by the model's true closed form or the other side of the claim (tried first) */
  readonly aimed: boolean;
}

/** What an edit may read besides the site: the model and the factors its true closed forms contain. */
export interface EditContext {
  readonly model: Model;
  readonly relation: Relation;
  /** integer names a new subtree may read (the claim's quantifiers, the sizes, bound names in scope are added per site) */
  readonly freeInts: ReadonlySet<string>;
  /** factors of the true closed forms of the claim's derivatives (diag(σ′), diag(f), W, …) */
  readonly aimFactors: readonly Expr[];
  /**
   * factors of those closed forms that read their own sum's or product's binder, at the claim's matching range's
   * binder or at the range's first index (src/repair/aim.ts): inserted after the aimed ones, not aimed (a budget
   * spent on them cost verify a repair it had found)
   */
  readonly rangeFactors: readonly Expr[];
  /** entries inside those diagonals (σ(s) .* (1 - σ(s)), o[t], …) */
  readonly aimEntries: readonly Expr[];
  /** activations the model applies directly to a sequence value: sigma(s[t]) in h = o .* sigma(s) */
  readonly wraps: readonly { readonly op: string; readonly name: string }[];
  /** the claim's two sides as written (an edit may align one with the other) */
  readonly sides: { readonly lhs: Expr; readonly rhs: Expr };
  /** printExpr's text of a subtree, each printed once for the search (details name the parts an edit touched) */
  readonly text: (e: Expr) => string;
  /** the counterexample's lhs/rhs, where both sides are scalars (a bound's constant is fitted to it); absent otherwise */
  readonly worstRatio?: number;
}

export interface EditRecord {
  readonly id: string;
  readonly family: EditFamily;
  /** the words, with {placeholders} filled from each replacement's detail */
  readonly words: string;
  /** only for inequalities (bounds) */
  readonly boundsOnly?: boolean;
  /**
   * offered only where its full check proves it: a constant chosen at the worst point seen and then found consistent
   * is the selection the second draw exists against, with nothing to tell it from the true one
   */
  readonly provedOnly?: boolean;
  /**
   * The site's replacements, in order. An edit with one per place of a chain yields them one at a time: the search
   * takes no more than LONG_CHAIN of a long chain's (src/repair/tree.ts), and builds no more.
   */
  apply(site: Site, ctx: EditContext): Iterable<Replacement>;
}

const plain = (after: Expr, detail: EditDetail): Replacement => ({ after, detail, aimed: false });

/** The counterexample ratios fit-constant fits a constant to (outside them scale-constant's ×2 and ½ apply). */
const FIT_RANGE = [0.5, 2] as const;

/** The elementwise product over a range inside a norm's argument: hprod(j, …) itself or diag(hprod(j, …)). */
function clubbedRange(e: Expr): OpNode | null {
  const inner = isOp(e, 'diag') ? e.args[0]! : e;
  return isOp(inner, 'hprod') && inner.binder !== null ? inner : null;
}

/** The argument with its clubbed product replaced by the product's body (each step's own entries). */
const unclub = (e: Expr, range: OpNode): Expr => (isOp(e, 'diag') ? node('diag', [range.args[0]!]) : range.args[0]!);

/** The claim side a site lies in (the root of its chain of parents). */
function rootOf(site: Site): Expr {
  let s = site;
  while (s.up) s = s.up.site;
  return s.node;
}

/** x rounded to two significant digits, up or down (so that a fitted bound is never tighter than the ratio asked). */
function roundTwoDigits(x: number, way: 'up' | 'down'): number {
  const scale = 10 ** (Math.floor(Math.log10(x)) - 1);
  const k = way === 'up' ? Math.ceil(x / scale - 1e-9) : Math.floor(x / scale + 1e-9);
  return Number((k * scale).toPrecision(2));
}

/** Whether integer argument i of n is a bound of its range (sum, prod, ⨀). */
const isBound = (n: OpNode, i: number) => specOf(n).range === true && i < 2;

/** Where an integer argument of an operator sits, in words: a range's bound as the claim writes it (sum, prod). */
const intPlace = (n: OpNode, i: number): string =>
  isBound(n, i)
    ? `the ${i === 0 ? 'lower' : 'upper'} bound of the ${n.op === 'rsum' ? 'sum' : 'product'} over ${n.binder}:`
    : `the index ${i + 1} of ${n.op}:`;

/**
 * Every size written alone as an integer argument (d in sum(j, 1, d, …), pathsum(g, k, α, d, …)) replaced by another
 * size of the model but T, where `where(n, i)` names the place (null: not this edit's).
 */
function swapSizes(site: Site, ctx: EditContext, where: (n: OpNode, i: number) => string | null): Replacement[] {
  const n = site.node;
  if (n.kind !== 'op' || !n.ints.length || specOf(n).graphDerivative) return [];
  const sizes = Object.keys(ctx.model.sizes);
  const out: Replacement[] = [];
  n.ints.forEach((a, i) => {
    const vars = Object.keys(a.terms);
    const place = where(n, i);
    if (place === null || vars.length !== 1 || a.terms[vars[0]!] !== 1 || a.c !== 0 || !sizes.includes(vars[0]!))
      return;
    for (const other of sizes)
      if (other !== vars[0] && other !== 'T')
        out.push(
          plain(
            { ...n, ints: n.ints.map((x, j) => (j === i ? affineVar(other) : x)) },
            { where: place, to: other, from: vars[0]! },
          ),
        );
  });
  return out;
}

/** An edit of a sum or a difference (not a node reference): `build` gives its new form, named before and after. */
const sumEdit =
  (ops: readonly ('add' | 'sub')[], build: (n: OpNode) => Expr) =>
  (site: Site, ctx: EditContext): Replacement[] => {
    const n = site.node;
    if (n.kind !== 'op' || !(ops as readonly string[]).includes(n.op) || isReference(site)) return [];
    const after = build(n);
    return [plain(after, { before: ctx.text(n), after: ctx.text(after) })];
  };

/** Does the site stand where an argument names a graph node (jac(h[t], …)'s h[t], a unit h[t, α]) rather than an expression? */
export function isReference(site: Site): boolean {
  const p = site.parent;
  return p !== null && p.kind === 'op' && (specOf(p).graphDerivative === true || isOp(p, 'd', 'comp', 'dact', 'entry'));
}

const isGraphDerivativeNode = (e: Expr) => e.kind === 'op' && specOf(e).graphDerivative === true;

const isChainRoot = (site: Site, op: string) =>
  isOp(site.node, op) && !(site.parent && isOp(site.parent, op) && !isReference(site));

/** A term a factor may be inserted into: a product chain, or a single factor standing alone as a side or a term. */
function insertionChain(site: Site): Expr[] | null {
  if (isReference(site)) return null;
  if (isChainRoot(site, 'mul')) return chainFactors(site.node, 'mul');
  if (isOp(site.node, 'mul')) return null;
  const p = site.parent;
  const standsAlone = !p || isOp(p, 'add', 'sub', 'neg', 'transpose') || (p.kind === 'op' && specOf(p).range === true);
  const kind = site.node.kind;
  return standsAlone && (kind === 'sym' || kind === 'seq' || kind === 'op') ? [site.node] : null;
}

const joinMul = (factors: readonly Expr[]): Expr => factors.reduce((acc, f) => node('mul', [acc, f]));
const joinEmul = (factors: readonly Expr[]): Expr => factors.reduce((acc, f) => node('emul', [acc, f]));

/**
 * `mine` reordered after `model`: the factors both share in the model's order,
 * and the run of factors only mine has where the model has its own run; null
 * when that changes nothing or the chains do not line up so.
 */
function alignedTo(model: readonly Expr[], mine: readonly Expr[], show: (e: Expr) => string): Expr[] | null {
  const modelKeys = model.map(show);
  const mineKeys = mine.map(show);
  const common = (k: string) => modelKeys.includes(k) && mineKeys.includes(k);
  const own = mine.filter((_, i) => !common(mineKeys[i]!));
  if (!own.length || own.length === mine.length) return null;
  const out: Expr[] = [];
  let placed = false;
  for (let i = 0; i < model.length; i++) {
    const k = modelKeys[i]!;
    if (common(k)) {
      const j = mineKeys.indexOf(k);
      if (j < 0) return null;
      out.push(mine[j]!);
    } else if (!placed && (i === 0 || common(modelKeys[i - 1]!))) {
      out.push(...own);
      placed = true;
    }
  }
  if (!placed) out.push(...own);
  if (out.length !== mine.length || out.every((x, i) => x === mine[i])) return null;
  return out;
}

const shiftTime = (e: Expr, delta: number): Expr =>
  rewrite(e, (x) => (x.kind === 'seq' ? seq(x.name, affineAdd(x.time, affine(delta))) : x));

const NORMS = ['norm2', 'normF', 'normInf', 'normMax'] as const;
/**
 * The swaps of a norm-like reduction: each norm for another, and the largest |entry| for the smallest and back
 * (normMin is no norm: it is swapped with normMax alone, the slip of a lower bound written with the wrong extreme).
 */
const NORM_SWAPS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(NORMS.map((n) => [n, NORMS.filter((o) => o !== n)])),
  normMax: [...NORMS.filter((o) => o !== 'normMax'), 'normMin'],
  normMin: ['normMax'],
};
const ACTIVATION_SWAPS: Readonly<Record<string, string>> = { tanh: 'sigma', sigma: 'tanh' };

/** A norm's argument's shape; null where it has none the model gives (the swap is then kept). */
function argumentShape(model: Model, n: OpNode): Shape | null {
  try {
    return shapeIn(model, n.args[0]!);
  } catch (err) {
    if (err instanceof ExprError) return null;
    throw err;
  }
}

/**
 * Whether two reductions are one function on arguments of this shape: every one of them |x| on a scalar, the
 * spectral and Frobenius norms ‖x‖₂ on a vector, the largest row sum and the largest |entry| on a column. A swap
 * between them changes the text and not the claim — `norm2(g) <= normF(g)`, x ≤ x for a vector g, was offered as a
 * repair (review155) —, so it is no edit.
 */
function sameOnShape(a: string, b: string, shape: Shape | null): boolean {
  if (!shape) return false;
  if (isScalar(shape)) return true;
  const pair = (x: string, y: string) => (a === x && b === y) || (a === y && b === x);
  if (pair('norm2', 'normF') && (isColumn(shape) || isRow(shape))) return true;
  return pair('normInf', 'normMax') && isColumn(shape);
}

/** A symbol's shape as text, to compare shapes. */
const shapeText = (model: Model, name: string): string | null => {
  const s = model.symbols.get(name);
  return s ? `${formatAffine(s.shape.rows)}x${formatAffine(s.shape.cols)}` : null;
};
const sequenceNames = (model: Model): string[] =>
  [...model.symbols.entries()].filter(([, s]) => s.role === 'state' || s.role === 'intermediate').map(([n]) => n);

/** The sequence values an expression reads, as one key (their sorted texts); null when it reads none. */
function readValues(e: Expr, text: (e: Expr) => string): string | null {
  const values = new Set<string>();
  walkOnce(e, (x) => {
    if (x.kind === 'seq') values.add(text(x));
  });
  return values.size ? [...values].sort().join('|') : null;
}

/** The model's matrix parameters (neither a scalar nor a vector) with their shapes, in declaration order. */
const matrixParameters = (model: Model): { name: string; shape: Shape }[] =>
  [...model.symbols.entries()]
    .filter(
      ([, s]) => s.role === 'parameter' && !isColumn(s.shape) && !(isConstant(s.shape.rows) && s.shape.rows.c === 1),
    )
    .map(([name, s]) => ({ name, shape: s.shape }));

export const EDITS: readonly EditRecord[] = [
  {
    id: 'reverse-range-product',
    family: 'order',
    words: 'holds if the product over {binder} runs with {binder} decreasing from left to right',
    apply: (site) => {
      const n = site.node;
      if (!isOp(n, 'prod') || n.binder === null || isReference(site)) return [];
      const [lo, hi] = n.ints as [Affine, Affine];
      const reflected = affineAdd(affineAdd(lo, hi), affineVar(n.binder), -1);
      return [plain({ ...n, args: [substituteIndex(n.args[0]!, n.binder, reflected)] }, { binder: n.binder })];
    },
  },
  {
    id: 'reverse-chain',
    family: 'order',
    words: 'holds with the factors of {before} in the reverse order',
    apply: (site, ctx) => {
      if (!isChainRoot(site, 'mul') || isReference(site)) return [];
      const fs = chainFactors(site.node, 'mul');
      return fs.length < 3 ? [] : [plain(joinMul([...fs].reverse()), { before: ctx.text(site.node) })];
    },
  },
  {
    id: 'swap-adjacent-factors',
    family: 'order',
    words: 'holds with {a} and {b} swapped',
    *apply(site, ctx) {
      if (!isChainRoot(site, 'mul') || isReference(site)) return;
      const fs = chainFactors(site.node, 'mul');
      for (let j = 0; j + 1 < fs.length; j++) {
        const swapped = [...fs];
        [swapped[j], swapped[j + 1]] = [fs[j + 1]!, fs[j]!];
        yield plain(joinMul(swapped), { a: ctx.text(fs[j]!), b: ctx.text(fs[j + 1]!) });
      }
    },
  },
  {
    id: 'align-order',
    family: 'order',
    words: 'holds with the factors of the {side} side in the order of the {other} side',
    apply: (site, ctx) => {
      if (site.up || !isOp(site.node, 'mul')) return [];
      const side = site.node === ctx.sides.lhs ? 'left' : site.node === ctx.sides.rhs ? 'right' : null;
      if (!side) return [];
      const aligned = alignedTo(
        chainFactors(side === 'left' ? ctx.sides.rhs : ctx.sides.lhs, 'mul'),
        chainFactors(site.node, 'mul'),
        ctx.text,
      );
      return aligned
        ? [{ after: joinMul(aligned), detail: { side, other: side === 'left' ? 'right' : 'left' }, aimed: true }]
        : [];
    },
  },
  {
    id: 'add-transpose',
    family: 'transpose',
    words: 'holds with {before} transposed',
    apply: (site, ctx) => {
      const n = site.node;
      if (isReference(site) || isOp(n, 'transpose') || (site.parent && isOp(site.parent, 'transpose'))) return [];
      const candidate = n.kind === 'sym' || n.kind === 'seq' || (n.kind === 'op' && specOf(n).graphDerivative);
      return candidate ? [plain(node('transpose', [n]), { before: ctx.text(n) })] : [];
    },
  },
  {
    id: 'drop-transpose',
    family: 'transpose',
    words: 'holds without the transpose on {inner}',
    apply: (site, ctx) =>
      isOp(site.node, 'transpose') && !isReference(site)
        ? [plain(site.node.args[0]!, { inner: ctx.text(site.node.args[0]!) })]
        : [],
  },
  {
    id: 'shift-index',
    family: 'index',
    words: 'holds with {where} {new} in place of {old}',
    apply: (site) => {
      const n = site.node;
      const out: Replacement[] = [];
      const variants = (a: Affine, make: (b: Affine) => Expr, where: string) => {
        for (const delta of [-1, 1]) {
          const b = affineAdd(a, affine(delta));
          out.push(plain(make(b), { where, new: formatAffine(b), old: formatAffine(a) }));
        }
      };
      if (n.kind === 'seq') variants(n.time, (b) => seq(n.name, b), `the time of ${n.name}:`);
      else if (n.kind === 'op' && n.ints.length && !specOf(n).graphDerivative) {
        n.ints.forEach((a, i) => {
          const ints = (b: Affine) => n.ints.map((x, j) => (j === i ? b : x));
          variants(a, (b) => ({ ...n, ints: ints(b) }), intPlace(n, i));
        });
      }
      return out;
    },
  },
  {
    id: 'shift-term-times',
    family: 'index',
    words: 'holds with every time in {before} shifted by {delta}',
    apply: (site, ctx) => {
      const n = site.node;
      if (isReference(site) || !(isChainRoot(site, 'mul') || isChainRoot(site, 'emul'))) return [];
      return [-1, 1].map((delta) =>
        plain(shiftTime(n, delta), { before: ctx.text(n), delta: delta > 0 ? '+1' : '−1' }),
      );
    },
  },
  {
    id: 'insert-factor',
    family: 'factor',
    words: "holds with the factor {factor} {place}, as in the model's closed form",
    *apply(site, ctx) {
      const chain = insertionChain(site);
      if (!chain) return;
      for (const [factors, aimed] of [
        [ctx.aimFactors, true],
        [ctx.rangeFactors, false],
      ] as const)
        for (const f of factors)
          for (let at = 0; at <= chain.length; at++) {
            const place = at === 0 ? `before ${ctx.text(chain[0]!)}` : `after ${ctx.text(chain[at - 1]!)}`;
            yield {
              after: joinMul([...chain.slice(0, at), f, ...chain.slice(at)]),
              detail: { factor: ctx.text(f), place },
              aimed,
            };
          }
    },
  },
  {
    // W' dropped from ∇_{h[T−1]} L = Wᵀ diag(1 − h[T]²) ∇_{h[T]} L: the closed forms' factors inserted above are
    // diagonals alone, so a missing parameter factor was never proposed (a review's "no repair holds")
    id: 'insert-parameter',
    family: 'factor',
    words: 'holds with the factor {factor} {place}',
    *apply(site, ctx) {
      const chain = insertionChain(site);
      if (!chain) return;
      const matrices = matrixParameters(ctx.model);
      if (!matrices.length) return;
      // the shape the inserted factor must have for the product to keep its own: the columns of the nearest factor
      // before it by the rows of the nearest one after it, scalars skipped (they broadcast, and a part of the chain
      // such as w*M in v'*w*M has no shape: the product's own rows or columns where no matrix stands on that side)
      // a pair's seed may be a product an edit left ill-shaped (a factor swapped, a transpose added): nothing fits there
      let whole: Shape;
      let shapes: Shape[];
      try {
        whole = shapeIn(ctx.model, site.node);
        shapes = chain.map((f) => shapeIn(ctx.model, f));
      } catch (err) {
        if (err instanceof ExprError) return;
        throw err;
      }
      const rowsAt: Affine[] = [];
      for (let at = 0, rows = whole.rows; at <= chain.length; at++) {
        rowsAt.push(rows);
        if (at < chain.length && !isScalar(shapes[at]!)) rows = shapes[at]!.cols;
      }
      const colsAt: Affine[] = [];
      for (let at = chain.length, cols = whole.cols; at >= 0; at--) {
        colsAt[at] = cols;
        if (at > 0 && !isScalar(shapes[at - 1]!)) cols = shapes[at - 1]!.rows;
      }
      for (let at = 0; at <= chain.length; at++) {
        const rows = rowsAt[at]!;
        const cols = colsAt[at]!;
        const place = at === 0 ? `before ${ctx.text(chain[0]!)}` : `after ${ctx.text(chain[at - 1]!)}`;
        for (const { name, shape } of matrices)
          for (const [f, s] of [
            [sym(name), shape],
            [node('transpose', [sym(name)]), { rows: shape.cols, cols: shape.rows }],
          ] as const)
            if (affineEquals(s.rows, rows) && affineEquals(s.cols, cols))
              yield plain(joinMul([...chain.slice(0, at), f, ...chain.slice(at)]), { factor: ctx.text(f), place });
      }
    },
  },
  {
    id: 'insert-entry-factor',
    family: 'factor',
    words: "holds with {factor} multiplied into {before} entry by entry, as in the model's closed form",
    apply: (site, ctx) => {
      const n = site.node;
      if (!isOp(n, 'diag') || isReference(site)) return [];
      return ctx.aimEntries.map((u) => ({
        after: node('diag', [joinEmul([n.args[0]!, u])]),
        detail: { factor: ctx.text(u), before: ctx.text(n) },
        aimed: true,
      }));
    },
  },
  {
    // diag(o[T] .* (1 - tanh(s[T]))) for diag(o[T] .* (1 - tanh(s[T]).^2)): the entries of a diag or an entrywise
    // product as the model's closed form writes them, in place of one written with the same values (1 − y for
    // 1 − y², σ for σ(1 − σ)); multiplying the entry in and dropping the written one is a pair of edits, found only
    // where the pair search happened to seed it (it did for a diag of 1 − h alone, not inside o .* …)
    id: 'replace-entry',
    family: 'factor',
    words: "holds with {after} in place of {before}, as in the model's closed form",
    apply: (site, ctx) => {
      const n = site.node;
      const p = site.parent;
      if (!p || !isOp(p, 'diag', 'emul') || isReference(site) || (isOp(n, 'emul') && isOp(p, 'emul'))) return [];
      const reads = readValues(n, ctx.text);
      if (!reads) return [];
      const before = ctx.text(n);
      return ctx.aimEntries
        .filter((u) => ctx.text(u) !== before && readValues(u, ctx.text) === reads)
        .map((u) => ({ after: u, detail: { after: ctx.text(u), before }, aimed: true }));
    },
  },
  {
    id: 'drop-factor',
    family: 'factor',
    words: 'holds without the factor {factor}',
    *apply(site, ctx) {
      if (isReference(site)) return;
      const op = isChainRoot(site, 'mul') ? 'mul' : isChainRoot(site, 'emul') ? 'emul' : null;
      if (!op) return;
      const fs = chainFactors(site.node, op);
      for (let j = 0; j < fs.length; j++)
        yield plain((op === 'mul' ? joinMul : joinEmul)(fs.filter((_, i) => i !== j)), { factor: ctx.text(fs[j]!) });
    },
  },
  {
    // (h[t-1] - n[t]) for (n[t] - h[t-1]): the commonest sign slip of a gate's derivative
    id: 'swap-difference',
    family: 'term',
    words: 'holds with {after} in place of {before}',
    apply: sumEdit(['sub'], (n) => node('sub', [n.args[1]!, n.args[0]!])),
  },
  {
    id: 'flip-term-sign',
    family: 'term',
    words: 'holds with {after} in place of {before}',
    apply: sumEdit(['add', 'sub'], (n) => node(n.op === 'add' ? 'sub' : 'add', [n.args[0]!, n.args[1]!])),
  },
  {
    // (1 - a) + a * W' * D for (1 - a) * eye(d) + …: a scalar term of a matrix sum is added to every entry
    id: 'scalar-to-identity',
    family: 'term',
    words: 'holds with {after} in place of {before}: the scalar times the identity, not added to every entry',
    apply: (site, ctx) => {
      const n = site.node;
      if (!isOp(n, 'add', 'sub') || isReference(site)) return [];
      const shape = shapeIn(ctx.model, n);
      if (!affineEquals(shape.rows, shape.cols) || (isConstant(shape.rows) && shape.rows.c === 1)) return [];
      const out: Replacement[] = [];
      n.args.forEach((term, k) => {
        const s = shapeIn(ctx.model, term);
        if (!(isConstant(s.rows) && s.rows.c === 1 && isConstant(s.cols) && s.cols.c === 1)) return;
        const identity = node('eye', [], { ints: [shape.rows] });
        const scaled = term.kind === 'num' && term.value === 1 ? identity : node('mul', [term, identity]);
        out.push(
          plain(node(n.op, k === 0 ? [scaled, n.args[1]!] : [n.args[0]!, scaled]), {
            before: ctx.text(term),
            after: ctx.text(scaled),
          }),
        );
      });
      return out;
    },
  },
  {
    id: 'hold-node',
    family: 'derivative',
    words: 'holds as a partial derivative with {held} held fixed',
    apply: (site, ctx) => {
      const n = site.node;
      if (!isOp(n, 'jac', 'partial')) return [];
      const [of, wrt] = n.args as [Expr, Expr];
      if (of.kind !== 'seq' || wrt.kind !== 'seq') return [];
      const already = new Set(n.args.slice(2).map(ctx.text));
      const out: Replacement[] = [];
      const ends = new Set([ctx.text(of), ctx.text(wrt)]);
      for (const name of sequenceNames(ctx.model)) {
        // of's and wrt's own sequences: their node at wrt's time (h[T−1] in ∂h[T]/∂C[T−1], the commonest
        // correction, was never tried), never the whole sequence, which holds an end of the derivative
        const own = name === of.name || name === wrt.name;
        for (const h of own ? [seq(name, wrt.time)] : [seq(name, wrt.time), sym(name)]) {
          if (already.has(ctx.text(h)) || ends.has(ctx.text(h))) continue;
          out.push(plain(node('partial', [of, wrt, ...n.args.slice(2), h]), { held: ctx.text(h) }));
        }
      }
      return out;
    },
  },
  {
    id: 'direct-path',
    family: 'derivative',
    words: 'holds as the direct path only: with {held} held fixed',
    apply: (site, ctx) => {
      const n = site.node;
      if (!isOp(n, 'jac', 'partial')) return [];
      const [of, wrt] = n.args as [Expr, Expr];
      if (of.kind !== 'seq' || wrt.kind !== 'seq') return [];
      const eq = ctx.model.equations.find((q) => q.target === of.name);
      if (!eq) return [];
      const already = new Set([ctx.text(wrt), ...n.args.slice(2).map(ctx.text)]);
      const read = new Map<string, Expr>();
      let readsWrt = false;
      rewrite(substituteIndex(eq.rhs, 't', of.time), (x) => {
        if (x.kind === 'seq' && ctx.text(x) === ctx.text(wrt)) readsWrt = true;
        else if (x.kind === 'seq' && !already.has(ctx.text(x))) read.set(ctx.text(x), x);
        return x;
      });
      // Only a one-step derivative has a direct path: the equation reads the node it is taken with respect to.
      if (!readsWrt || !read.size) return [];
      const held = [...read.values()];
      return [plain(node('partial', [of, wrt, ...n.args.slice(2), ...held]), { held: held.map(ctx.text).join(', ') })];
    },
  },
  {
    id: 'total-derivative',
    family: 'derivative',
    words: 'holds as a total derivative, with nothing held fixed',
    apply: (site) => {
      const n = site.node;
      return isOp(n, 'partial') && n.args[0]!.kind === 'seq' && n.args[1]!.kind === 'seq'
        ? [plain(node('jac', [n.args[0]!, n.args[1]!]), {})]
        : [];
    },
  },
  {
    id: 'swap-size',
    family: 'range',
    words: 'holds with {where} running to {to} in place of {from}',
    apply: (site, ctx) =>
      swapSizes(site, ctx, (n, i) => (isBound(n, i) ? null : `${n.op}${n.binder ? ` over ${n.binder}` : ''}`)),
  },
  {
    // a sum's or product's bound, named as such ("rsum over t running to d" was said of a lower bound, a review found)
    id: 'swap-size-bound',
    family: 'range',
    words: 'holds with {where} {to} in place of {from}',
    apply: (site, ctx) => swapSizes(site, ctx, (n, i) => (isBound(n, i) ? intPlace(n, i) : null)),
  },
  {
    id: 'swap-activation',
    family: 'activation',
    words: 'holds with {to} in place of {from}',
    apply: (site) => {
      const n = site.node;
      if (n.kind !== 'op' || isReference(site)) return [];
      const to = ACTIVATION_SWAPS[n.op];
      return to ? [plain({ ...n, op: to }, { from: n.op, to })] : [];
    },
  },
  {
    id: 'wrap-activation',
    family: 'activation',
    words: "holds with {after} in place of {before}, as the model's equations apply it",
    apply: (site, ctx) => {
      const n = site.node;
      if (n.kind !== 'seq' || isReference(site)) return [];
      return ctx.wraps
        .filter((w) => w.name === n.name)
        .map((w) => {
          const after = node(w.op, [n]);
          return { after, detail: { after: ctx.text(after), before: ctx.text(n) }, aimed: true };
        });
    },
  },
  {
    id: 'swap-parameter',
    family: 'parameter',
    words: 'holds with {to} in place of {from}',
    apply: (site, ctx) => {
      const n = site.node;
      if (n.kind !== 'sym' || ctx.model.symbols.get(n.name)?.role !== 'parameter') return [];
      if (site.parent !== null && isGraphDerivativeNode(site.parent)) return [];
      const inEntry = site.parent !== null && isOp(site.parent, 'entry');
      const shape = shapeText(ctx.model, n.name);
      return [...ctx.model.symbols.entries()]
        .filter(([name, s]) => name !== n.name && s.role === 'parameter')
        .filter(([name]) => inEntry || shapeText(ctx.model, name) === shape)
        .map(([name]) => plain(sym(name), { from: n.name, to: name }));
    },
  },
  {
    id: 'swap-sequence',
    family: 'parameter',
    words: 'holds with {to} in place of {from}',
    apply: (site, ctx) => {
      const n = site.node;
      // Inside a derivative's node list it would change what the claim is about, not how it is written.
      if (n.kind !== 'seq' || (site.parent !== null && isGraphDerivativeNode(site.parent))) return [];
      const shape = shapeText(ctx.model, n.name);
      return sequenceNames(ctx.model)
        .filter((name) => name !== n.name && shapeText(ctx.model, name) === shape)
        .map((name) => plain(seq(name, n.time), { from: ctx.text(n), to: ctx.text(seq(name, n.time)) }));
    },
  },
  {
    id: 'swap-parameter-family',
    family: 'parameter',
    words: 'holds with the {to} parameters in place of the {from} ones ({names})',
    apply: (site, ctx) => {
      if (site.up) return []; // a whole side at once
      const params = [...ctx.model.symbols.entries()].filter(([, s]) => s.role === 'parameter').map(([n]) => n);
      const split = (n: string) => {
        const i = n.lastIndexOf('_');
        return i > 0 ? { prefix: n.slice(0, i), suffix: n.slice(i + 1) } : null;
      };
      const used = new Set<string>();
      rewrite(site.node, (x) => (x.kind === 'sym' && params.includes(x.name) && used.add(x.name), x));
      const suffixes = [...new Set(params.map(split).flatMap((p) => (p ? [p.suffix] : [])))];
      const out: Replacement[] = [];
      for (const from of suffixes)
        for (const to of suffixes) {
          if (from === to) continue;
          const renames = new Map<string, string>();
          for (const u of used) {
            const p = split(u);
            if (p?.suffix !== from) continue;
            const target = `${p.prefix}_${to}`;
            if (params.includes(target) && shapeText(ctx.model, target) === shapeText(ctx.model, u))
              renames.set(u, target);
          }
          if (renames.size < 2) continue; // one parameter alone is swap-parameter
          const after = rewrite(site.node, (x) =>
            x.kind === 'sym' && renames.has(x.name) ? sym(renames.get(x.name)!) : x,
          );
          out.push(plain(after, { from, to, names: [...renames].map(([a, b]) => `${b} for ${a}`).join(', ') }));
        }
      return out;
    },
  },
  {
    id: 'scale-constant',
    family: 'bound',
    boundsOnly: true,
    words: 'holds with the constant {to} in place of {from}',
    apply: (site) => {
      const n = site.node;
      if (n.kind !== 'num' || n.value === 0 || isReference(site)) return [];
      return [n.value * 2, n.value / 2].map((v) => plain(num(v), { from: String(n.value), to: String(v) }));
    },
  },
  {
    id: 'fit-constant',
    family: 'bound',
    boundsOnly: true,
    provedOnly: true,
    words: 'holds with the constant {to} in place of {from}, fitted to the counterexample and proved',
    apply: (site, ctx) => {
      const n = site.node;
      const ratio = ctx.worstRatio;
      if (n.kind !== 'num' || !(n.value > 0) || isReference(site) || ratio === undefined) return [];
      // a constant of the bounding side a few per cent off (×2 and ½ are scale-constant's), moved by the ratio at the
      // counterexample and rounded outward to two significant digits: B10's 0.24 σ′ bound to 0.25 (its sup)
      if (!(ratio > FIT_RANGE[0] && ratio < FIT_RANGE[1]) || ratio === 1 || rootOf(site) !== ctx.sides.rhs) return [];
      const fitted = roundTwoDigits(n.value * ratio, ctx.relation === '>=' ? 'down' : 'up');
      if (!(fitted > 0) || fitted === n.value) return [];
      return [plain(num(fitted), { from: String(n.value), to: String(fitted) })];
    },
  },
  {
    id: 'unclub-power',
    family: 'bound',
    boundsOnly: true,
    words: 'holds with the product over {binder} of each step’s factor in place of the power of {clubbed}',
    apply: (site, ctx) => {
      // (‖D(⊙_j f_j)‖ ‖W‖)^n — one diagonal made of every step's entries, clubbed, then raised to the steps' count —
      // for ∏_j ‖D(f_j)‖ ‖W‖, each step's own factor (the 2019 text's ‖K‖: review141 found the file's correction
      // t1-bound-K-per-step not offered)
      const n = site.node;
      if (!isOp(n, 'pow') || isReference(site)) return [];
      const factors = chainFactors(n.args[0]!, 'mul');
      const at = factors.findIndex((f) => isOp(f, ...NORMS) && clubbedRange(f.args[0]!) !== null);
      if (at < 0) return [];
      const norm = factors[at] as OpNode;
      const range = clubbedRange(norm.args[0]!)!;
      const unclubbed = { ...norm, args: [unclub(norm.args[0]!, range)] };
      const body = factors.map((f, i) => (i === at ? unclubbed : f)).reduce((a, b) => node('mul', [a, b]));
      const after = node('prod', [body], { ints: range.ints, binder: range.binder });
      return [plain(after, { binder: range.binder!, clubbed: ctx.text(norm) })];
    },
  },
  {
    id: 'shift-exponent',
    family: 'bound',
    boundsOnly: true,
    words: 'holds with the exponent {to} in place of {from}',
    apply: (site, ctx) => {
      const n = site.node;
      if (!isOp(n, 'pow')) return [];
      const e = n.args[1]!;
      // an integer exponent is shifted as one (k for k - 1, not k - 1 + 1: a review found both offered)
      const a = integerAffine(e);
      return [1, -1].map((d) => {
        const shifted =
          e.kind === 'num'
            ? num(e.value + d)
            : a
              ? affineExpr(affineAdd(a, affine(d)))
              : node(d > 0 ? 'add' : 'sub', [e, num(1)]);
        return plain({ ...n, args: [n.args[0]!, shifted] }, { from: ctx.text(e), to: ctx.text(shifted) });
      });
    },
  },
  {
    id: 'radius-to-norm',
    family: 'bound',
    boundsOnly: true,
    words: 'holds with the spectral norm in place of the spectral radius',
    apply: (site) => (isOp(site.node, 'rho') ? [plain({ ...(site.node as OpNode), op: 'norm2' }, {})] : []),
  },
  {
    id: 'swap-norm',
    family: 'bound',
    boundsOnly: true,
    words: 'holds with {to} in place of {from}',
    apply: (site, ctx) => {
      const n = site.node;
      if (n.kind !== 'op' || !Object.hasOwn(NORM_SWAPS, n.op)) return [];
      const shape = argumentShape(ctx.model, n);
      return NORM_SWAPS[n.op]!.filter((o) => !sameOnShape(n.op, o, shape)).map((o) =>
        plain({ ...n, op: o }, { from: n.op, to: o }),
      );
    },
  },
  {
    // '<' where '≤' holds: a claim written strict whose sides are exactly equal somewhere (0 < 0 at W = 0). No site
    // shows it (the relation is the claim's, not a subtree's), so it applies nowhere: the search proposes it itself,
    // first, for a strict claim refuted at an exact tie (src/repair/search.ts).
    id: 'non-strict',
    family: 'bound',
    boundsOnly: true,
    words: "holds as '{meant}' in place of '{written}' (written strict, it fails where its sides are exactly equal)",
    apply: () => [],
  },
];

export const EDIT_BY_ID: ReadonlyMap<string, EditRecord> = new Map(EDITS.map((e) => [e.id, e]));
