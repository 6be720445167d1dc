/**
 * The optional `document:` section of a derivation file: how renderers lay
 * the claims out as a worked solution — sections with headings and prose
 * around the claims and chains, and plots of claims. It carries no math the
 * engine checks; every claim it names is checked as any other.
 */
import type { SourcePos } from './errors.js';

/** Prose written by the file's author: plain text with inline LaTeX between single dollars ($\|W\|^k$), display LaTeX between double ones. */
export interface Prose {
  readonly text: string;
  readonly pos: SourcePos;
}

/** A plot of one claim over one of its quantifiers, at fixed sizes. */
export interface PlotRequest {
  readonly claim: string;
  /** the quantifier on the horizontal axis */
  readonly over: string;
  /** sizes fixed for the plot (the model's largest where not given) */
  readonly sizes: ReadonlyMap<string, number>;
  /** one series per value of this parameter (every entry set to the value), in the first regime; null: one per regime */
  readonly vary: { readonly name: string; readonly values: readonly number[] } | null;
  readonly caption: Prose | null;
  readonly pos: SourcePos;
}

export interface DocumentSection {
  readonly heading: string;
  readonly prose: Prose | null;
  /** ids of claims (or chains) shown in this section, in this order */
  readonly claims: readonly string[];
  readonly plots: readonly PlotRequest[];
  /** prose after the claims and plots (a conclusion, a comparison) */
  readonly after: Prose | null;
  readonly pos: SourcePos;
}

export interface DocumentLayout {
  readonly intro: Prose | null;
  readonly sections: readonly DocumentSection[];
}
