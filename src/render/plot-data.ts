/**
 * The numbers behind a plot: a claim (or an expression) evaluated over one
 * integer variable on one instance per series — one per regime, or one per
 * value of a parameter — by the same exact evaluator the checker uses.
 * For an inequality the larger side is the bound (drawn dashed); for an
 * equality the plot shows the relative distance of the two sides; a vector
 * or matrix is plotted by its norm (Euclidean, Frobenius).
 */
import { type Claim, type Derivation, type RegimeName, REGIMES } from '../derivation/derivation.js';
import { ExprError, InputError, toInputError } from '../derivation/errors.js';
import { validateAgainstModel } from '../derivation/check-expr.js';
import { evalAffine, type IntEnv } from '../ir/affine.js';
import { LIMITS } from '../ir/limits.js';
import { withWorkLimit } from '../numeric/work-meter.js';
import { type Expr, walkOnce } from '../ir/expr.js';
import { inferShape } from '../ir/infer-shape.js';
import { parseExpression, parseIndex } from '../ir/parse-math.js';
import { shapeFromDims } from '../ir/shape.js';
import { DomainError, Evaluator } from '../numeric/evaluate.js';
import { buildInstance, instanceSpec, REGIME_SPECS } from '../numeric/instance.js';
import { Unrolled } from '../numeric/unrolled.js';
import type { Value } from '../numeric/values.js';
import { scopeOf } from '../symbolic/quantities.js';
import { printExpr } from '../ir/print.js';
import type { PlotSeries, PlotSpec } from './plot.js';

/** The most series a plot varies a parameter over: one colour each. */
export const MAX_VARY_VALUES = 10;

export interface PlotQuery {
  /** a claim id of the file (a chain step as chain.N), or an expression in the file's syntax */
  readonly quantity: string;
  readonly over: string;
  /** the variable's range, for an expression (a claim has its own) */
  readonly range: { readonly lo: string; readonly hi: string } | null;
  /** sizes fixed for the plot; the others are the model's largest */
  readonly sizes: ReadonlyMap<string, number>;
  /** one series per value of this parameter (every entry set to it), in the first regime */
  readonly vary: { readonly name: string; readonly values: readonly number[] } | null;
  readonly masterSeed: number;
  /** the work the plot may do (default LIMITS.claimOperations, a claim's) */
  readonly workLimit?: number;
}

/** What to evaluate: one side (an expression), or a claim's two sides. */
type Target =
  | { readonly kind: 'expression'; readonly expr: Expr; readonly text: string }
  | { readonly kind: 'claim'; readonly claim: Claim };

const where = (file: string) => ({ file, line: 1, col: 1 });

function target(d: Derivation, q: PlotQuery): Target {
  const claim = d.claims.find((c) => c.id === q.quantity);
  if (claim) {
    const names = claim.forall.map((f) => f.name);
    if (!names.includes(q.over))
      throw new InputError(claim.pos, `claim '${claim.id}' has no quantifier '${q.over}'`, names.join(', '));
    if (names.length !== 1)
      throw new InputError(
        claim.pos,
        `claim '${claim.id}' quantifies ${names.join(', ')}: a plot takes a claim over one variable`,
      );
    return { kind: 'claim', claim };
  }
  // the x axis is a variable of the plot's own: not a size (fixed per instance: --size) nor a symbol, and the only
  // free index besides the sizes (`norm2(W)^k` over T had k unbound: an internal error, a review found)
  if (Object.hasOwn(d.model.sizes, q.over) || d.model.symbols.has(q.over) || d.model.functions.has(q.over))
    throw new InputError(
      where('<--over>'),
      `--over ${q.over}: '${q.over}' is ${Object.hasOwn(d.model.sizes, q.over) ? 'a size of the model (fixed per instance: --size)' : 'a name the model defines'}`,
      'a variable of the plot, e.g. --over k=1..T',
    );
  const scope = { ...scopeOf(d), indexVars: new Set([...Object.keys(d.model.sizes), q.over]) };
  const src = { text: q.quantity, locate: (offset: number) => ({ file: '<quantity>', line: 1, col: offset + 1 }) };
  try {
    const parsed = parseExpression(q.quantity, scope);
    validateAgainstModel(parsed.expr, d.model, parsed.offsets);
    inferShape(
      parsed.expr,
      { shapeOf: (n) => (n === d.model.loss?.name ? shapeFromDims([]) : d.model.symbols.get(n)!.shape) },
      parsed.offsets,
    );
    return { kind: 'expression', expr: parsed.expr, text: q.quantity.trim() };
  } catch (err) {
    if (err instanceof ExprError) throw toInputError(src, err);
    throw err;
  }
}

/** ‖v‖: |x| for a scalar, else Euclidean / Frobenius over every entry. */
function magnitude(v: Value): number {
  const m = v.kind === 'dense' ? v : v.materialize();
  let sum = 0;
  for (const x of m.data) sum += x * x;
  return m.data.length === 1 ? Math.abs(m.data[0]!) : Math.sqrt(sum);
}

function distance(a: Value, b: Value): number {
  const x = (a.kind === 'dense' ? a : a.materialize()).data;
  const y = (b.kind === 'dense' ? b : b.materialize()).data;
  if (x.length !== y.length) return NaN;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff += (x[i]! - y[i]!) ** 2;
  const scale = Math.max(magnitude(a), magnitude(b));
  return scale === 0 ? 0 : Math.sqrt(diff) / scale;
}

interface SeriesInstance {
  readonly name: string;
  readonly evaluator: Evaluator;
  readonly sizes: IntEnv;
}

/**
 * A regime's series, named with the model's own recurrent matrices (`init: recurrent`, the ones the regime scales):
 * those the plotted claim or expression reads, else all of them — `contracting (‖W‖₂ ≈ 0.5)`,
 * `near-critical (‖W_f‖₂ = ‖W_i‖₂ ≈ 1)`. Until 2026-12-07 every model's legend read ‖W_rec‖₂, the name of one
 * document's matrix (a review found it on the lab's W).
 */
export function regimeLegend(d: Derivation, regime: RegimeName, read: readonly Expr[] = []): string {
  const recurrent = [...d.model.symbols.values()]
    .filter((s) => s.role === 'parameter' && s.init === 'recurrent')
    .map((s) => s.name);
  const mentioned = new Set<string>();
  for (const e of read) walkOnce(e, (x) => void (x.kind === 'sym' && mentioned.add(x.name)));
  const named = recurrent.some((n) => mentioned.has(n)) ? recurrent.filter((n) => mentioned.has(n)) : recurrent;
  return named.length
    ? `${regime} (${named.map((n) => `‖${n}‖₂`).join(' = ')} ≈ ${REGIME_SPECS[regime].recurrentNorm})`
    : regime;
}

function instances(d: Derivation, q: PlotQuery, read: readonly Expr[]): SeriesInstance[] {
  // The model's largest sizes unless the plot fixes them.
  const sizes: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [name, range] of Object.entries(d.model.sizes)) sizes[name] = q.sizes.get(name) ?? range.max;
  for (const name of q.sizes.keys())
    if (!(name in d.model.sizes)) throw new InputError(where(d.file), `the model has no size '${name}'`);
  const specFor = (index: number) => instanceSpec(d.model, q.masterSeed, index, REGIMES, sizes);
  if (!q.vary)
    return REGIMES.map((regime, index) => {
      const instance = buildInstance(d.model, specFor(index));
      return {
        name: regimeLegend(d, regime, read),
        evaluator: new Evaluator(instance.graph, instance.sizes),
        sizes: instance.sizes,
      };
    });
  const vary = q.vary;
  const symbol = d.model.symbols.get(vary.name);
  if (!symbol || symbol.role !== 'parameter')
    throw new InputError(where(d.file), `'${vary.name}' is not a parameter of the model`, 'a parameter to vary');
  // one series and one colour each (vega-lite's category10); every series keeps its own graph and evaluator: a
  // review's 300 values ran out of memory (4.4 GB), 30 took 3.9 GB
  if (vary.values.length > MAX_VARY_VALUES)
    throw new InputError(
      where(d.file),
      `${vary.values.length} values to vary '${vary.name}' over`,
      `at most ${MAX_VARY_VALUES} (one series, one colour each)`,
    );
  const instance = buildInstance(d.model, specFor(0));
  return vary.values.map((value) => {
    const data = instance.graph.data;
    const params = new Map(data.params);
    params.set(vary.name, new Float64Array(params.get(vary.name)!.length).fill(value));
    const graph = new Unrolled(d.model, instance.graph.program, { ...data, params });
    return { name: `${vary.name} = ${value}`, evaluator: new Evaluator(graph, instance.sizes), sizes: instance.sizes };
  });
}

/** The most points one series of a plot has (its x axis: one binding each). */
export const MAX_PLOT_POINTS = 10_000;

/** An end of `--over NAME=LO..HI`: an integer affine expression in the model's sizes, or the option's located error. */
function rangeEnd(d: Derivation, text: string) {
  try {
    return parseIndex(text, { ...scopeOf(d), indexVars: new Set(Object.keys(d.model.sizes)) });
  } catch (err) {
    if (!(err instanceof ExprError)) throw err;
    const src = { text, locate: (offset: number) => ({ file: '<--over>', line: 1, col: offset + 1 }) };
    throw toInputError(src, err);
  }
}

/**
 * The plot spec (data and labels) for a claim or expression; rendering is ./plot.ts's. Its instances and points are
 * computed within a claim's work limit (LIMITS.claimOperations): `norm2(W^k)` over k = 1..2000 at d = 512 ran past
 * 300 s, unmetered (a review's); past the limit the plot is a located error.
 */
export function plotData(d: Derivation, q: PlotQuery): PlotSpec {
  const limit = q.workLimit ?? LIMITS.claimOperations;
  const metered = withWorkLimit(limit, () => computePlot(d, q));
  if (metered.exceeded)
    throw new InputError(
      // at the claim plotted (an expression's plot has no place in the file but the file)
      d.claims.find((c) => c.id === q.quantity)?.pos ?? where(d.file),
      `the plot needs more work than the limit of ${limit.toPrecision(3)} operations (float64 multiply-adds, as a claim's check counts them)`,
      'a shorter range, fewer series, or smaller sizes (--size)',
    );
  return metered.value!;
}

function computePlot(d: Derivation, q: PlotQuery): PlotSpec {
  const t = target(d, q);
  const series = instances(d, q, t.kind === 'claim' ? [t.claim.lhs, t.claim.rhs] : [t.expr]);
  // a claim's own range, unless --over gives one (until 2026-12-06 a claim's plot ignored it: k=5..1 and k=1..1e15
  // plotted the claim's range, exit 0, a review found); an expression's, 1..T unless --over gives one
  const [loText, hiText] =
    t.kind === 'claim' && !q.range ? [null, null] : [rangeEnd(d, q.range?.lo ?? '1'), rangeEnd(d, q.range?.hi ?? 'T')];
  const range = (s: SeriesInstance): [number, number] => {
    const own: [number, number] | null =
      t.kind === 'claim'
        ? [evalAffine(t.claim.forall[0]!.lo, s.sizes), evalAffine(t.claim.forall[0]!.hi, s.sizes)]
        : null;
    const [lo, hi]: [number, number] =
      loText && hiText ? [evalAffine(loText, s.sizes), evalAffine(hiText, s.sizes)] : own!;
    // a plot of nothing, or of more points than a page shows (k=1..1000000 took 3 minutes and 4 GB, a review found)
    if (hi < lo)
      throw new InputError(where('<--over>'), `--over ${q.over}: the range ${lo}..${hi} is empty`, 'LO ≤ HI');
    if (hi - lo + 1 > MAX_PLOT_POINTS)
      throw new InputError(
        where('<--over>'),
        `--over ${q.over}: the range ${lo}..${hi} has ${hi - lo + 1} points, more than a plot's ${MAX_PLOT_POINTS}`,
        'a shorter range, or smaller sizes (--size)',
      );
    // a claim says nothing outside its own range
    if (own && (lo < own[0] || hi > own[1]))
      throw new InputError(
        where('<--over>'),
        `--over ${q.over}: the range ${lo}..${hi} is not inside claim '${q.quantity}''s own, ${own[0]}..${own[1]}`,
        `a range inside ${own[0]}..${own[1]}`,
      );
    return [lo, hi];
  };
  const at = (s: SeriesInstance, f: (env: IntEnv) => number) => {
    const [lo, hi] = range(s);
    const points: { x: number; y: number }[] = [];
    for (let v = lo; v <= hi; v++) {
      let y: number;
      try {
        y = f({ [q.over]: v });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        y = NaN; // a node outside the unrolled graph: no point here
      }
      points.push({ x: v, y });
    }
    return points;
  };

  const out: PlotSeries[] = [];
  let yLabel: string;
  let title: string;
  if (t.kind === 'expression') {
    for (const s of series)
      out.push({ name: s.name, points: at(s, (env) => magnitude(s.evaluator.evaluate(t.expr, env))) });
    yLabel = t.text;
    title = t.text;
  } else if (t.claim.relation === '=') {
    for (const s of series)
      out.push({
        name: s.name,
        points: at(s, (env) =>
          distance(s.evaluator.evaluate(t.claim.lhs, env), s.evaluator.evaluate(t.claim.rhs, env)),
        ),
      });
    yLabel = 'relative distance of the two sides';
    title = `${t.claim.label ?? t.claim.id}: ${t.claim.statement}`;
  } else {
    // The larger side is the bound: rhs of <=, lhs of >=.
    const [value, bound] = t.claim.relation === '<=' ? [t.claim.lhs, t.claim.rhs] : [t.claim.rhs, t.claim.lhs];
    const bounds: PlotSeries[] = [];
    for (const s of series) {
      out.push({ name: s.name, group: s.name, points: at(s, (env) => magnitude(s.evaluator.evaluate(value, env))) });
      bounds.push({
        name: `bound, ${s.name}`,
        group: s.name,
        role: 'bound',
        points: at(s, (env) => magnitude(s.evaluator.evaluate(bound, env))),
      });
    }
    // One dashed line when the bound is the same on every instance (sup σ^k = 1).
    const same = bounds.every((b) =>
      b.points.every((p, i) => Math.abs(p.y - bounds[0]!.points[i]!.y) <= 1e-12 * Math.abs(p.y)),
    );
    out.push(...(same ? [{ ...bounds[0]!, name: `bound: ${printExpr(bound)}`, group: 'bound' }] : bounds));
    yLabel = printExpr(value);
    title = `${t.claim.label ?? t.claim.id}`;
  }
  return { title, xLabel: q.over, yLabel, yScale: 'log', series: out };
}
