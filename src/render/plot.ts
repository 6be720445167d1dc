/**
 * SVG line plots: a Vega-Lite spec compiled to Vega and rendered headless in
 * Node (renderer 'none' + toSVG), so no browser and no hand-written SVG.
 * Takes plain data; every user string goes through Vega, which escapes it.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { expressionInterpreter } from 'vega-interpreter';

export interface PlotPoint {
  x: number;
  y: number;
}

export interface PlotSeries {
  /** shown in the legend; must be unique within a plot */
  name: string;
  points: readonly PlotPoint[];
  /** 'bound' series are drawn dashed */
  role?: 'data' | 'bound';
  /** series of one group share a colour (a regime's value and its bound); default: the series' own name */
  group?: string;
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  yScale: 'log' | 'linear';
  series: readonly PlotSeries[];
  /** plot area in px (defaults 480 × 280) */
  width?: number;
  height?: number;
}

export interface DroppedPoint {
  series: string;
  /** index in the series' input points */
  index: number;
  x: number;
  y: number;
  reason: 'non-finite' | 'non-positive on log scale';
}

export interface PlotResult {
  svg: string;
  /** points left out of the plot; the line breaks where they were */
  dropped: DroppedPoint[];
  /** series name → stroke colour */
  colors: Record<string, string>;
  /** from Vega-Lite/Vega, plus ours (e.g. a series with nothing to draw) */
  warnings: string[];
}

// Tableau 10 (Vega's default categorical scheme); past ten series we spread
// hues evenly instead, so every series still gets its own colour.
const TABLEAU10 = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];
const SOLID: number[] = [1, 0];
const DASHED: number[] = [6, 4];

function palette(n: number): string[] {
  if (n <= TABLEAU10.length) return TABLEAU10.slice(0, n);
  return Array.from({ length: n }, (_, i) => `hsl(${Math.round((360 * i) / n)}, 65%, 45%)`);
}

/** One colour per group, in order of first appearance. */
function seriesColors(series: readonly PlotSeries[]): string[] {
  const groups = [...new Set(series.map((s) => s.group ?? s.name))];
  const colors = palette(groups.length);
  return series.map((s) => colors[groups.indexOf(s.group ?? s.name)]!);
}

interface Row {
  x: number;
  y: number | null;
  series: string;
}

/** Rows for Vega-Lite; a dropped point becomes y = null so the line breaks there rather than bridging the gap. */
function rows(spec: PlotSpec, dropped: DroppedPoint[]): Row[] {
  const out: Row[] = [];
  for (const s of spec.series) {
    s.points.forEach((p, index) => {
      let reason: DroppedPoint['reason'] | null = null;
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) reason = 'non-finite';
      else if (spec.yScale === 'log' && p.y <= 0) reason = 'non-positive on log scale';
      if (reason) {
        dropped.push({ series: s.name, index, x: p.x, y: p.y, reason });
        // Without a finite x there is no place to break the line: leave it out.
        if (Number.isFinite(p.x)) out.push({ x: p.x, y: null, series: s.name });
      } else out.push({ x: p.x, y: p.y, series: s.name });
    });
  }
  return out;
}

/** The Vega-Lite spec: one line per series, colour and dash by series name. */
function vegaLiteSpec(spec: PlotSpec, data: readonly Row[]): TopLevelSpec {
  const names = spec.series.map((s) => s.name);
  const anyDrawable = data.some((r) => r.y !== null);
  return {
    title: spec.title,
    width: spec.width ?? 480,
    height: spec.height ?? 280,
    background: 'white',
    data: { values: data as Row[] },
    mark: {
      type: 'line',
      strokeWidth: 2,
      // No clip: the domains come from the data, and a clip would add
      // id="clip1" defs that collide when two plots share one HTML page.
      clip: false,
      // null y breaks the path; the scale domain comes from the valid values only
      invalid: 'break-paths-filter-domains',
    },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: spec.xLabel,
        scale: { zero: false, ...(anyDrawable ? {} : { domain: [0, 1] }) },
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: spec.yLabel,
        // With nothing to draw the scales have no domain: give them one so the axes still render.
        scale: {
          ...(spec.yScale === 'log' ? { type: 'log' } : { zero: false }),
          ...(anyDrawable ? {} : { domain: spec.yScale === 'log' ? [1, 10] : [0, 1] }),
        },
      },
      // Same field and title on colour and dash: Vega-Lite merges them into one legend.
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: names, range: seriesColors(spec.series) },
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: names, range: spec.series.map((s) => (s.role === 'bound' ? DASHED : SOLID)) },
      },
      order: { field: 'x', type: 'quantitative' },
    },
    config: { legend: { symbolType: 'stroke', symbolStrokeWidth: 2, labelLimit: 0 } },
  };
}

/** Collects log lines instead of printing them. */
function collectingLogger(sink: string[]) {
  let lvl = vega.Warn;
  const logger = {
    level(l?: number) {
      if (l === undefined) return lvl;
      lvl = l;
      return logger;
    },
    error(...a: unknown[]) {
      sink.push(`error: ${a.map(String).join(' ')}`);
      return logger;
    },
    warn(...a: unknown[]) {
      sink.push(a.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

// Vega numbers clip paths and gradients from module-level counters, so with
// clipping on, a second plot in the same process would get other ids. We use
// neither today, but reset them before each render (one render at a time, so
// the reset can't interleave) to keep output byte-stable if that changes.
let queue: Promise<unknown> = Promise.resolve();

async function renderVega(vl: TopLevelSpec, warnings: string[]): Promise<string> {
  const logger = collectingLogger(warnings);
  const compiled = compile(vl, { logger }).spec;
  // ast + interpreter: Vega evaluates expressions without building Functions.
  const runtime = vega.parse(compiled, undefined, { ast: true });
  const view = new vega.View(runtime, { renderer: 'none', expr: expressionInterpreter, logger, logLevel: vega.Warn });
  try {
    vega.resetSVGDefIds();
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders the plot; never throws for bad numbers (they are dropped and reported). */
export async function renderPlot(spec: PlotSpec): Promise<PlotResult> {
  const seen = new Set<string>();
  for (const s of spec.series) {
    if (seen.has(s.name)) throw new Error(`plot "${spec.title}": duplicate series name ${JSON.stringify(s.name)}`);
    seen.add(s.name);
  }
  const dropped: DroppedPoint[] = [];
  const warnings: string[] = [];
  const data = rows(spec, dropped);
  for (const s of spec.series) {
    const ys = data
      .filter((r) => r.series === s.name)
      .sort((a, b) => a.x - b.x)
      .map((r) => r.y !== null);
    const drawable = ys.filter(Boolean).length;
    // A line mark draws nothing for a point with no drawable neighbour.
    const isolated = ys.filter((ok, i) => ok && !ys[i - 1] && !ys[i + 1]).length;
    if (drawable < 2)
      warnings.push(`series ${JSON.stringify(s.name)} has ${drawable} drawable point(s): no line is drawn`);
    else if (isolated)
      warnings.push(
        `series ${JSON.stringify(s.name)}: ${isolated} point(s) isolated between dropped ones are not visible`,
      );
  }
  const vl = vegaLiteSpec(spec, data);
  const run = queue.then(() => renderVega(vl, warnings));
  queue = run.catch(() => undefined);
  const svg = await run;
  const colors = Object.fromEntries(spec.series.map((s, i) => [s.name, seriesColors(spec.series)[i]!]));
  return { svg, dropped, colors, warnings };
}

/** Just the SVG text. */
export async function plotSvg(spec: PlotSpec): Promise<string> {
  return (await renderPlot(spec)).svg;
}
