/**
 * LaTeX from our IR (mathjs's toTex is not used: it prints h as a unit and
 * escapes subscripts). A notation profile, chosen per derivation file, gives
 * the source's own conventions: the lab's bold h^{[τ−k]} with W^T, the blogs'
 * h_t or h^{(t)} with W^⊤, C or s for the cell. Every string this emits must
 * render in KaTeX with strict mode on (checked by the tests).
 */
import { NOTATION_CHOICES } from '../derivation/notation-latex.js';
import { type Affine, affineVars, orderedTerms } from '../ir/affine.js';
import { nameRecord, own } from '../ir/names.js';
import { type Expr, type Index, type Seq, walkOnce } from '../ir/expr.js';
import { precedence, specOf } from '../ops/index.js';
import type { LatexContext } from '../ops/contexts.js';
import type { LatexPosition } from '../ops/registry.js';
import type { Relation } from '../derivation/derivation.js';
import { HORIZON } from '../model/model.js';

export interface Notation {
  /** how a time index is attached: h^{[t]}, h^{(t)} or h_{t} */
  readonly time: 'bracket-superscript' | 'paren-superscript' | 'subscript';
  readonly transpose: 'T' | 'top';
  readonly bold: boolean;
  /** LaTeX for the horizon T (the lab's \tau) */
  readonly horizon: string;
  /** LaTeX for the loss symbol */
  readonly loss: string;
  /** per-symbol LaTeX names, e.g. Ct → \widetilde{C} */
  readonly names: Readonly<Record<string, string>>;
}

export const PROFILES: Readonly<Record<string, Notation>> = {
  lab: { time: 'bracket-superscript', transpose: 'T', bold: true, horizon: '\\tau', loss: '\\mathcal{L}', names: {} },
  blog: { time: 'subscript', transpose: 'T', bold: false, horizon: 'T', loss: 'L', names: {} },
  paper: { time: 'subscript', transpose: 'top', bold: false, horizon: 'T', loss: '\\mathcal{L}', names: {} },
};

const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'eta',
  'tau',
  'sigma',
  'theta',
  'lambda',
  'mu',
  'rho',
  'phi',
  'psi',
  'omega',
  'epsilon',
]);
const TIME_STYLES = NOTATION_CHOICES.get('time') as readonly Notation['time'][];

/** The notation of a derivation file: its `profile`, then per-key overrides (`time`, `transpose`, `horizon`, `loss`, `bold`, `name.X`). */
export function notationFor(hints: Readonly<Record<string, string>>): Notation {
  const base = own(PROFILES, own(hints, 'profile') ?? 'blog') ?? PROFILES.blog!;
  const names = nameRecord(Object.entries(base.names));
  for (const [k, v] of Object.entries(hints)) if (k.startsWith('name.')) names[k.slice(5)] = v;
  const time = TIME_STYLES.find((s) => s === hints.time) ?? base.time;
  return {
    time,
    transpose: hints.transpose === 'top' ? 'top' : hints.transpose === 'T' ? 'T' : base.transpose,
    bold: hints.bold === undefined ? base.bold : hints.bold === 'true',
    horizon: hints.horizon ? (GREEK.has(hints.horizon) ? `\\${hints.horizon}` : hints.horizon) : base.horizon,
    loss: hints.loss ?? base.loss,
    names,
  };
}

/**
 * A name that already carries a script at its top level (a notation hint such
 * as w_\\textrm{h}) is braced before another script is attached: w_\\textrm{h}_{t}
 * is a double subscript in KaTeX, {w_\\textrm{h}}_{t} is not.
 */
function grouped(n: string, scripts: string): string {
  let depth = 0;
  for (const ch of n) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (depth === 0 && scripts.includes(ch)) return `{${n}}`;
  }
  return n;
}

/** A relation's LaTeX; `strict`: < or > as written (the claim is checked as ≤ or ≥) */
export const relationLatex = (relation: Relation, strict: boolean): string =>
  relation === '=' ? '=' : relation === '<=' ? (strict ? '<' : '\\le') : strict ? '>' : '\\ge';

export class LatexWriter implements LatexContext {
  constructor(
    readonly notation: Notation,
    /** names that are sequences or matrices (bold in the lab's notation) rather than scalars */
    private readonly arrays: ReadonlySet<string> = new Set(),
    private readonly lossName: string | null = null,
    /** every name the file declares (symbols, sizes, functions): a variable the engine makes up must not print as one */
    private readonly declared: ReadonlySet<string> = new Set(),
  ) {}

  /** A symbol's name: W_f → W_{f}, greek spelled out → \sigma, bold for arrays where the profile wants it. */
  name(raw: string): string {
    const custom = own(this.notation.names, raw);
    // A hint with its own top-level script (W^{(1)}, w_\textrm{h}) is braced: a transpose, a power or a time
    // attached to it would otherwise be a double superscript or subscript.
    if (custom) return grouped(custom, '^_');
    if (raw === this.lossName) return this.notation.loss;
    const [head, ...rest] = raw.split('_');
    const base = GREEK.has(head!) ? `\\${head}` : head!.length > 1 ? `\\mathrm{${head}}` : head!;
    const styled = this.notation.bold && this.arrays.has(raw) && !GREEK.has(head!) ? `\\mathbf{${base}}` : base;
    return rest.length ? `${styled}_{${rest.join('_')}}` : styled;
  }

  /** τ−k+i, t−i+1: a leading added variable (the horizon if present), then subtracted terms, then added ones, then the constant. */
  index(a: Affine): string {
    let out = '';
    for (const [n, c] of orderedTerms(a)) {
      const v = n === HORIZON ? this.notation.horizon : this.variable(n);
      const mag = Math.abs(c) === 1 ? v : `${Math.abs(c)}${v}`;
      out += c < 0 ? `-${mag}` : out ? `+${mag}` : mag;
    }
    if (a.c !== 0 || !out) out += a.c < 0 ? `${a.c}` : out ? `+${a.c}` : `${a.c}`;
    return out;
  }

  /** An index variable: greek names spelled out become letters, l becomes ℓ. */
  variable(raw: string): string {
    // Engine-made names (gamma__, s__) print as their letter — primed when the file uses that letter
    // (a summation index s must not read as the sequence s: s_{s-1}).
    const engineMade = /__$/.test(raw);
    const n = raw.replace(/_+$/, '');
    const letter = GREEK.has(n) ? `\\${n}` : n === 'l' ? '\\ell' : n;
    // An index written as the horizon is, in a formula that reads the horizon (`horizon: t` beside a sum over t), is
    // primed: Σ_{t=1}^{t} reads as nonsense. Elsewhere (an equation, jac(h[t], h[t-1])) it stays as the source writes it.
    return (engineMade && this.declared.has(n)) || (this.readsHorizon && letter === this.notation.horizon)
      ? `${letter}'`
      : letter;
  }

  /** A unit index: α, or γ_{ℓ+1} for a path position. */
  unitIndex(ix: Index): string {
    if (ix.kind === 'affine') return this.index(ix.a);
    return `${this.variable(ix.name)}_{${this.index(ix.pos)}}`;
  }

  /** h_t^α (or h^{[t]}_α when the time is a superscript). */
  unit(value: Seq, ix: Index): string {
    const n = grouped(this.name(value.name), '_^');
    const t = this.index(value.time);
    const u = this.unitIndex(ix);
    switch (this.notation.time) {
      case 'bracket-superscript':
        return `${n}^{[${t}]}_{${u}}`;
      case 'paren-superscript':
        return `${n}^{(${t})}_{${u}}`;
      case 'subscript':
        return `${n}^{${u}}_{${t}}`;
    }
  }

  /** u_{αγ}: the lower-case letter of a one-letter matrix, as the documents write entries. */
  entryName(name: string): string {
    const custom = this.notation.names[`${name}.entry`];
    if (custom) return custom;
    const [head, ...rest] = name.split('_');
    const base = head!.length === 1 ? head!.toLowerCase() : this.name(name);
    return rest.length ? `${base}^{(${rest.join('_')})}` : base;
  }

  private timed(name: string, time: Affine): string {
    const n = this.name(name);
    const t = this.index(time);
    switch (this.notation.time) {
      case 'bracket-superscript':
        return `${grouped(n, '^')}^{[${t}]}`;
      case 'paren-superscript':
        return `${grouped(n, '^')}^{(${t})}`;
      case 'subscript':
        if (this.notation.names[name]) return `${grouped(n, '_')}_{${t}}`;
        return n.includes('_{') ? `${n.slice(0, -1)},${t}}` : `${n}_{${t}}`;
    }
  }

  /** A graph node of a derivative: h_t, W, the loss. */
  node(e: Expr): string {
    return e.kind === 'seq' ? this.timed(e.name, e.time) : this.name((e as { name: string }).name);
  }

  /**
   * ^T where the notation writes transposes so, unless the horizon is written T too: W^{T} would read as W to the
   * power T (`∇_{h_{T−1}} L = W^{T} c`, a review's), so there ^\top. The reader of LaTeX input still takes ^T.
   */
  get transposeMark(): string {
    return this.notation.transpose === 'T' && this.notation.horizon !== 'T' ? 'T' : '\\top';
  }

  get superscriptTime(): boolean {
    return this.notation.time !== 'subscript';
  }

  /** Whether the formula being written reads the horizon (scope): an index printed as the horizon is then primed. */
  private readsHorizon = false;
  private scopeDepth = 0;

  /**
   * Writes the parts of one formula (a relation's sides, a chain's steps): an index that prints as the horizon does is
   * primed in all of them where any reads the horizon, so a claim's two sides name its variables alike.
   */
  scope<T>(parts: readonly Expr[], write: () => T): T {
    if (this.scopeDepth > 0) return write();
    this.readsHorizon = parts.some(readsHorizon);
    this.scopeDepth++;
    try {
      return write();
    } finally {
      this.scopeDepth--;
      this.readsHorizon = false;
    }
  }

  expr(e: Expr, parentPrec = 0, position: LatexPosition = 'top'): string {
    return this.scope([e], () => {
      const p = e.kind === 'op' ? precedence(e).latex : 9;
      const body = this.bare(e, position);
      return p < parentPrec ? `\\left(${body}\\right)` : body;
    });
  }

  private bare(e: Expr, position: LatexPosition): string {
    switch (e.kind) {
      case 'num':
        return String(e.value);
      case 'sym':
        return this.name(e.name);
      case 'rvar':
        return e.name;
      case 'ivar':
        return e.name === HORIZON ? this.notation.horizon : this.variable(e.name);
      case 'seq':
        return this.timed(e.name, e.time);
      case 'op':
        return specOf(e).latex(e, this, position);
    }
  }

  /** `strict`: written < or > (checked as ≤ or ≥), and printed as written */
  relation(lhs: Expr, relation: Relation, rhs: Expr, strict = false): string {
    return this.scope([lhs, rhs], () => `${this.expr(lhs)} ${relationLatex(relation, strict)} ${this.expr(rhs)}`);
  }

  /** A calc-style chain: lhs = rhs₁ = rhs₂ …, one step per line. */
  chain(lhs: Expr, steps: readonly { relation: Relation; rhs: Expr; strict?: boolean }[]): string {
    const lines = this.scope([lhs, ...steps.map((s) => s.rhs)], () =>
      steps.map(
        (s, i) =>
          `${i === 0 ? this.expr(lhs) : ''} &${relationLatex(s.relation, s.strict === true)} ${this.expr(s.rhs)}`,
      ),
    );
    return `\\begin{aligned}\n${lines.join(' \\\\\n')}\n\\end{aligned}`;
  }
}

const affineReadsHorizon = (a: Affine): boolean => affineVars(a).includes(HORIZON);

/** Whether an expression reads the horizon: T itself, or a time, a limit or a unit's position written with it. */
function readsHorizon(e: Expr): boolean {
  let found = false;
  walkOnce(e, (x) => {
    if (found) return;
    if (x.kind === 'ivar') found = x.name === HORIZON;
    else if (x.kind === 'seq') found = affineReadsHorizon(x.time);
    else if (x.kind === 'op')
      found =
        x.ints.some(affineReadsHorizon) || x.units.some((u) => affineReadsHorizon(u.kind === 'affine' ? u.a : u.pos));
  });
  return found;
}
