/**
 * Block matrices, for models with several states: the one-step Jacobian of
 * the stacked state z_t = (C_t, h_t) is a grid of blocks ∂s_t/∂c_{t−1}, a
 * k-step Jacobian is the ordered product of such grids, and a total
 * derivative between two states is one block of it. Both operators are
 * written by the symbolic engine, never by a derivation file.
 *
 *   block    a grid of nr × nc matrices (ints: nr, nc; args row-major); the
 *            blocks of one grid row share their rows, of one column their cols
 *   blockpick one block of a block-structured matrix (ints: block row, block
 *            column, row offset, rows, column offset, cols — all affine in
 *            the sizes, so shapes and slices need no search); `name` holds
 *            the two state names for LaTeX, "C|h"
 *
 * Canonical forms multiply grids of canonical words block by block, so an
 * identity between blocks of products is decided exactly.
 */
import { affine, affineAdd, type Affine } from '../ir/affine.js';
import { type Expr, isOp, node, type OpNode, some } from '../ir/expr.js';
import { sameShape, type Shape } from '../ir/shape.js';
import { dense, type Dense } from '../numeric/values.js';
import { rfill } from '../symbolic/ring.js';
import { nadd, nconst, nmul, nneg, ntranspose, type NPoly } from '../symbolic/words.js';
import type { CanonicalContext } from './contexts.js';
import { defineOp } from './registry.js';
import { foldRange } from './ordered.js';

const internal = { equation: false, loss: false, claim: false, level: 'any' } as const;

const gridDims = (n: OpNode): [number, number] => [n.ints[0]!.c, n.ints[1]!.c];
const blockAt = (n: OpNode, i: number, j: number): Expr => n.args[i * gridDims(n)[1] + j]!;

/** A grid of blocks as one node; a 1×1 grid is its only block. */
export function blockMatrix(rows: readonly (readonly Expr[])[]): Expr {
  if (rows.length === 1 && rows[0]!.length === 1) return rows[0]![0]!;
  return node('block', rows.flat(), { ints: [affine(rows.length), affine(rows[0]!.length)] });
}

/**
 * Block (i, j) of a block-structured matrix whose block rows have `rowSizes`
 * and block columns `colSizes`; `labels` name them for LaTeX. A 1×1
 * structure with no grid inside is the matrix itself.
 */
export function pickBlock(
  m: Expr,
  i: number,
  j: number,
  rowSizes: readonly Affine[],
  colSizes: readonly Affine[],
  labels: [string, string],
): Expr {
  if (rowSizes.length === 1 && colSizes.length === 1 && !some(m, (x) => isOp(x, 'block'))) return m;
  const offset = (sizes: readonly Affine[], k: number) =>
    sizes.slice(0, k).reduce((a, b) => affineAdd(a, b), affine(0));
  return node('blockpick', [m], {
    ints: [affine(i), affine(j), offset(rowSizes, i), rowSizes[i]!, offset(colSizes, j), colSizes[j]!],
    name: labels.join('|'),
  });
}

defineOp({
  id: 'block',
  domain: 'blocks',
  // written by the engine, and by a claim as `[A, B; C, D]` (two block rows or more of two blocks or more)
  syntax: { special: 'block', usage: '[A, B; C, D]' },
  placement: { equation: false, loss: false, claim: true, level: 'any' },
  entrywise: false,
  shape: (n, ctx) => {
    const [nr, nc] = gridDims(n);
    const shapes = n.args.map((a) => ctx.shapeOf(a));
    const at = (i: number, j: number): Shape => shapes[i * nc + j]!;
    let rows = affine(0);
    let cols = affine(0);
    for (let i = 0; i < nr; i++) rows = affineAdd(rows, at(i, 0).rows);
    for (let j = 0; j < nc; j++) cols = affineAdd(cols, at(0, j).cols);
    for (let i = 0; i < nr; i++)
      for (let j = 0; j < nc; j++)
        if (!sameShape({ rows: at(i, 0).rows, cols: at(0, j).cols }, at(i, j)))
          return ctx.fail(
            blockAt(n, i, j),
            `block (${i + 1}, ${j + 1}) does not fit its row and column`,
            'blocks of equal height along a block row and of equal width down a block column',
          );
    return { rows, cols };
  },
  // as a claim writes it (the parser reads it back)
  print: (n, ctx) => {
    const [nr, nc] = gridDims(n);
    const rows = Array.from({ length: nr }, (_, i) =>
      Array.from({ length: nc }, (_, j) => ctx.expr(blockAt(n, i, j))).join(', '),
    );
    return `[${rows.join('; ')}]`;
  },
  latex: (n, ctx) => {
    const [nr, nc] = gridDims(n);
    const rows = Array.from({ length: nr }, (_, i) =>
      Array.from({ length: nc }, (_, j) => ctx.expr(blockAt(n, i, j))).join(' & '),
    );
    return `\\begin{bmatrix} ${rows.join(' \\\\ ')} \\end{bmatrix}`;
  },
  evaluate: (n, ctx) => {
    const [nr, nc] = gridDims(n);
    const blocks = n.args.map((a) => ctx.dense(a));
    return assemble(
      nr,
      nc,
      blocks,
      (b) => [b.rows, b.cols],
      (b, r, c) => b.data[r * b.cols + c]!,
      denseOf,
    );
  },
  exact: (n, ctx) => {
    if (ctx.shapes === 'entries') return ctx.unsupported('a block matrix has no single generic entry');
    const [nr, nc] = gridDims(n);
    const blocks = n.args.map((a) => ctx.eval(a));
    return assemble(
      nr,
      nc,
      blocks,
      (b) => [b.rows, b.cols],
      (b, r, c) => b.data[r * b.cols + c]!,
      (rows, cols, at) => rfill(rows, cols, at),
    );
  },
  transposed: (n, t) => {
    const [nr, nc] = gridDims(n);
    const args: Expr[] = [];
    for (let j = 0; j < nc; j++) for (let i = 0; i < nr; i++) args.push(t(blockAt(n, i, j))!);
    return node('block', args, { ints: [affine(nc), affine(nr)] });
  },
});

const denseOf = (rows: number, cols: number, at: (i: number, j: number) => number): Dense => {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = at(i, j);
  return dense(rows, cols, data);
};

/** Lays blocks out row-major into one matrix, in any representation. */
function assemble<B, E, M>(
  nr: number,
  nc: number,
  blocks: readonly B[],
  dims: (b: B) => [number, number],
  entry: (b: B, r: number, c: number) => E,
  make: (rows: number, cols: number, at: (i: number, j: number) => E) => M,
): M {
  const rowStart = [0];
  const colStart = [0];
  for (let i = 0; i < nr; i++) rowStart.push(rowStart[i]! + dims(blocks[i * nc]!)[0]);
  for (let j = 0; j < nc; j++) colStart.push(colStart[j]! + dims(blocks[j]!)[1]);
  const find = (starts: number[], x: number) => starts.findIndex((s, k) => x >= s && x < starts[k + 1]!);
  return make(rowStart[nr]!, colStart[nc]!, (r, c) => {
    const [i, j] = [find(rowStart, r), find(colStart, c)];
    return entry(blocks[i * nc + j]!, r - rowStart[i]!, c - colStart[j]!);
  });
}

defineOp({
  id: 'blockpick',
  domain: 'blocks',
  syntax: { usage: 'one block of a block matrix (written by the engine)' },
  placement: internal,
  entrywise: false,
  shape: (n, ctx) => (ctx.shapeOf(n.args[0]!), { rows: n.ints[3]!, cols: n.ints[5]! }),
  print: (n, ctx) => `[${ctx.expr(n.args[0]!)}]{${n.ints[0]!.c},${n.ints[1]!.c}}`,
  latex: (n, ctx) => {
    const [a, b] = (n.name ?? '|').split('|');
    return `\\left[ ${ctx.expr(n.args[0]!)} \\right]_{${ctx.name(a!)} ${ctx.name(b!)}}`;
  },
  evaluate: (n, ctx) => {
    const m = ctx.dense(n.args[0]!);
    const [r0, rows, c0, cols] = [2, 3, 4, 5].map((k) => ctx.int(n.ints[k]!)) as [number, number, number, number];
    return denseOf(rows, cols, (i, j) => m.data[(r0 + i) * m.cols + c0 + j]!);
  },
  exact: (n, ctx) => {
    if (ctx.shapes === 'entries') return ctx.unsupported('a block of a block matrix has no single generic entry');
    const m = ctx.eval(n.args[0]!);
    const [r0, rows, c0, cols] = [2, 3, 4, 5].map((k) => ctx.int(n.ints[k]!)) as [number, number, number, number];
    return rfill(rows, cols, (i, j) => m.data[(r0 + i) * m.cols + c0 + j]!);
  },
  canonical: (n, ctx) => {
    const grid = gridOf(n.args[0]!, ctx, ctx.env);
    return grid[n.ints[0]!.c]?.[n.ints[1]!.c] ?? ctx.unsupported('a block outside its grid');
  },
  transposed: (n, t) => {
    const [i, j, r0, rows, c0, cols] = n.ints;
    const [a, b] = (n.name ?? '|').split('|');
    return node('blockpick', [t(n.args[0]!)!], { ints: [j!, i!, c0!, cols!, r0!, rows!], name: `${b}|${a}` });
  },
});

type Grid = NPoly[][];

const gridShape = (g: Grid): [number, number] => [g.length, g[0]!.length];

/**
 * The canonical forms of the blocks of a block-structured expression: grids
 * multiply, add and transpose block by block; a product over a range is
 * unrolled at the binding (its empty case is the identity grid).
 */
function gridOf(e: Expr, ctx: CanonicalContext, env: Readonly<Record<string, number>>): Grid {
  // Each block of a product is picked by itself ([∏ …]{0,0}, then {1,0}): the grid is built once per binding.
  if (e.kind !== 'op' || isOp(e, 'block')) return gridFrom(e, ctx, env);
  return ctx.memo<Grid>('grids').through(ctx.formKey(e, env), () => gridFrom(e, ctx, env));
}

function gridFrom(e: Expr, ctx: CanonicalContext, env: Readonly<Record<string, number>>): Grid {
  if (isOp(e, 'block')) {
    const [nr, nc] = gridDims(e);
    return Array.from({ length: nr }, (_, i) =>
      Array.from({ length: nc }, (_, j) => ctx.expand(blockAt(e, i, j), env)),
    );
  }
  if (isOp(e, 'mul')) return gridProduct(gridOf(e.args[0]!, ctx, env), gridOf(e.args[1]!, ctx, env), ctx);
  if (isOp(e, 'add', 'sub')) {
    const [a, b] = [gridOf(e.args[0]!, ctx, env), gridOf(e.args[1]!, ctx, env)];
    if (gridShape(a).join() !== gridShape(b).join()) return ctx.unsupported('a sum of block matrices of other grids');
    return a.map((row, i) => row.map((x, j) => nadd(x, b[i]![j]!, e.op === 'sub' ? -1 : 1)));
  }
  if (isOp(e, 'neg')) return gridOf(e.args[0]!, ctx, env).map((row) => row.map(nneg));
  if (isOp(e, 'transpose')) {
    const g = gridOf(e.args[0]!, ctx, env);
    const [nr, nc] = gridShape(g);
    return Array.from({ length: nc }, (_, j) => Array.from({ length: nr }, (_, i) => ntranspose(g[i]![j]!)));
  }
  if (isOp(e, 'prod')) {
    const factor = (inner: Record<string, number>) => gridOf(e.args[0]!, ctx, inner);
    const grid = foldRange(e, ctx, env, 'grid prefixes', factor, (a, b) => gridProduct(a, b, ctx), null);
    if (grid) return grid;
    const n = gridShape(factor({ ...env, [e.binder!]: ctx.int(e.ints[0]!, env) }))[0];
    return Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j): NPoly => (i === j ? nconst(1) : (new Map() as NPoly))),
    );
  }
  return ctx.unsupported(`no block structure in ${e.kind === 'op' ? e.op : e.kind}`);
}

function gridProduct(a: Grid, b: Grid, ctx: CanonicalContext): Grid {
  const [[ar, ac], [br, bc]] = [gridShape(a), gridShape(b)];
  if (ac !== br) return ctx.unsupported(`block grids ${ar}×${ac} and ${br}×${bc} do not multiply`);
  return Array.from({ length: ar }, (_, i) =>
    Array.from({ length: bc }, (_, j) => {
      let acc: NPoly = new Map();
      for (let k = 0; k < ac; k++) acc = nadd(acc, nmul(a[i]![k]!, b[k]![j]!));
      return acc;
    }),
  );
}
