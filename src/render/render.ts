/**
 * `gradproof render`: check the files, draw the plots their documents ask
 * for, build the format-neutral documents (./document.ts) and write them as
 * HTML (./html.ts), Markdown (./markdown.ts) or LaTeX (./tex.ts).
 */
import { checkDerivation, expandPaths, type CheckRequest } from '../check/check.js';
import { DEFAULT_OPTIONS } from '../check/check-claim.js';
import type { Derivation } from '../derivation/derivation.js';
import type { PlotRequest } from '../derivation/document.js';
import { InputError } from '../derivation/errors.js';
import { loadDerivationFile } from '../derivation/load.js';
import { buildDocument, type DocumentView } from './document.js';
import { htmlPage } from './html.js';
import { inlineKatexCss } from './katex-assets.js';
import { markdownDocument, type PlotFiles } from './markdown.js';
import { plotData, type PlotQuery } from './plot-data.js';
import { texDocument } from './tex.js';

export const RENDER_FORMATS = ['html', 'md', 'tex'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

export interface RenderRequest extends CheckRequest {
  readonly format: RenderFormat;
  /** Markdown: where to write a plot's SVG (returns the link to put in the page), or null to leave plots out */
  readonly plotFile?: PlotFiles;
}

/** One plot's SVG: the claim over its variable, per regime or per value of a parameter. */
export async function plotSvg(d: Derivation, query: PlotQuery): Promise<{ svg: string; warnings: string[] }> {
  // Vega (≈ 270 modules, ≈ 0.5 s of CPU to load) only for a plot: the library's other users never pay it.
  const { renderPlot } = await import('./plot.js');
  const result = await renderPlot(plotData(d, query));
  return { svg: result.svg, warnings: result.warnings };
}

async function documentOf(d: Derivation, request: RenderRequest): Promise<DocumentView> {
  const results = checkDerivation(d, request);
  const plots = new Map<PlotRequest, string>();
  for (const p of (d.document?.sections ?? []).flatMap((s) => s.plots)) {
    // LaTeX shows no SVG: skip the work, keeping the plot's place for tex.ts's note and caption (it was dropped)
    if (request.format === 'tex') {
      plots.set(p, '');
      continue;
    }
    const { svg } = await plotSvg(d, {
      quantity: p.claim,
      over: p.over,
      range: null,
      sizes: p.sizes,
      vary: p.vary,
      masterSeed: request.masterSeed ?? DEFAULT_OPTIONS.masterSeed,
      ...(request.workLimit !== undefined ? { workLimit: request.workLimit } : {}),
    });
    plots.set(p, svg);
  }
  return buildDocument({ derivation: d, results, plots });
}

/** The rendered text of the files (every file is loaded before any claim is checked). */
export async function render(paths: readonly string[], request: RenderRequest): Promise<string> {
  const files = expandPaths(paths);
  if (files.length === 0)
    throw new InputError({ file: paths[0] ?? '.', line: 1, col: 1 }, 'no derivation files here', '.yaml or .yml files');
  const derivations = files.map((f) => loadDerivationFile(f));
  const docs: DocumentView[] = [];
  for (const d of derivations) docs.push(await documentOf(d, request));
  switch (request.format) {
    case 'html':
      return htmlPage(docs, (await inlineKatexCss()).css);
    case 'md':
      return markdownDocument(docs, request.plotFile ?? (() => null));
    case 'tex':
      return texDocument(docs);
  }
}
