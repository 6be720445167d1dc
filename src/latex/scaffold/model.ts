/**
 * Guessing a model from a post's display equations.
 *
 * A definition is an equation `X_t = …` (or X^{(t)}, X^{[t]}) with a single time-indexed symbol on the left.
 * Defined symbols read at t−1 by some definition are states, the other defined ones intermediates; symbols read
 * with a time but never defined are inputs; symbols read without a time are parameters. Shapes: states and
 * intermediates [d], inputs [m]; an intermediate no other definition reads is an output [q]; a parameter's
 * rows are the size of what its equation defines, its columns the size of what it multiplies (d, m, or d+m for
 * a stacked [h_{t−1}, x_t]); lower-case parameters are vectors (biases). Every guess is marked as one in the YAML.
 */
import { BUILTIN_FUNCTIONS, type LatexContext, type TimeNotation } from '../context.js';
import { bodyList, parseLatex, type KNode } from '../katex-tree.js';
import { defaultAscii, symbolKey, wordOf } from '../names.js';

export interface Piece {
  readonly latex: string;
  readonly line: number;
  /** index of the display it came from (a display may hold several equations) */
  readonly display: number;
  readonly section: string;
}

interface Ref {
  readonly key: string;
  /** the time offset relative to the definition's time variable (0, −1), null for another index, undefined for none */
  readonly lag: number | null | undefined;
  /** for a parameter: what it multiplies (a key, or 'stack' for [h, x]) */
  readonly multiplies?: string;
  readonly stack?: readonly string[];
}

export interface Definition {
  readonly piece: Piece;
  readonly key: string;
  readonly timeVar: string;
  readonly time: TimeNotation;
  readonly refs: readonly Ref[];
  readonly activation: string | null;
}

const FUNCTION_KEYS = new Set(['\\sigma', '\\tanh', '\\exp', '\\log', '\\rho', 'diag', 'softmax', 'tanh', 'sigmoid']);
const INDEX_LETTERS = new Set(['t', 'k', 'i', 'j', 'l', 'n', 'm', 'd', 'T', 's', 'x']);

function flatten(nodes: readonly KNode[]): KNode[] {
  const out: KNode[] = [];
  for (const n of nodes) {
    if (n.type === 'array') {
      for (const row of (n.body ?? []) as readonly (readonly KNode[])[])
        for (const cell of row) {
          let list = bodyList(cell);
          while (list.length === 1 && (list[0]!.type === 'ordgroup' || list[0]!.type === 'styling'))
            list = bodyList(list[0]);
          out.push(...flatten(list));
        }
    } else if (n.type === 'styling' || (n.type === 'ordgroup' && !bodyList(n).length) || n.type === 'tag') {
      if (n.type !== 'tag') out.push(...flatten(bodyList(n)));
      else out.push(...flatten((n.body as readonly KNode[]) ?? []));
    } else if (n.type !== 'kern' && n.type !== 'spacing' && n.type !== 'cr' && n.type !== 'glue') out.push(n);
  }
  return out;
}

/** The time of a symbol: its subscript or its (…)/[…] superscript, as text such as `t-1`. */
function timeOf(n: KNode): { text: string; style: TimeNotation } | null {
  if (n.type !== 'supsub') return null;
  const sup = n.sup ? flatten(bodyList(n.sup)) : [];
  const first = sup[0];
  if (first && (first.text === '(' || first.text === '[')) {
    const inner = sup.slice(1, -1);
    return { text: textOf(inner), style: first.text === '(' ? 'paren-superscript' : 'bracket-superscript' };
  }
  if (n.sub) {
    const list = flatten(bodyList(n.sub));
    if (list.some((k) => k.type === 'supsub')) return null;
    return { text: textOf(list), style: 'subscript' };
  }
  return null;
}

function textOf(list: readonly KNode[]): string {
  return list
    .map((k) => {
      if (k.type === 'font' || k.type === 'ordgroup')
        return textOf(bodyList(k.type === 'font' ? (k.body as KNode) : k));
      return k.text ?? '';
    })
    .join('');
}

/** `t-1` → −1 relative to `t`; null when the index is not the time variable shifted by a constant. */
function lagOf(text: string, timeVar: string): number | null {
  const m = /^([A-Za-z])([+-]\d+)?$/.exec(text.replace(/\s+/g, ''));
  if (!m || m[1] !== timeVar) return null;
  return m[2] ? Number(m[2]) : 0;
}

function baseKey(n: KNode): string | null {
  let b = n.type === 'supsub' ? n.base : n;
  while (b && b.type === 'mclass' && Array.isArray(b.body) && b.body.length === 1) b = (b.body as readonly KNode[])[0]!;
  if (b && b.type === 'accent' && b.base?.type === 'supsub') return symbolKey({ ...b, base: b.base.base });
  return b ? symbolKey(b) : null;
}

/** `\tilde{s_t}`: an accent over a subscripted symbol, read as `\tilde{s}_t`. */
function accentSub(n: KNode): KNode | null {
  const b = n.type === 'supsub' ? n.base : n;
  return b?.type === 'accent' && b.base?.type === 'supsub' ? (b.base.sub ?? null) : null;
}

/** A compound name such as W_f or W_{rec}: the subscript is a word and not a time. */
function compound(n: KNode, timeVars: ReadonlySet<string>): string | null {
  if (n.type !== 'supsub' || !n.sub || n.sup) return null;
  const key = baseKey(n);
  const w = wordOf(flatten(bodyList(n.sub)));
  if (key === null || w === null || timeVars.has(w) || /^\d+$/.test(w)) return null;
  if (lagOfAny(textOf(flatten(bodyList(n.sub))), timeVars)) return null;
  return `${key}_{${w}}`;
}

function lagOfAny(text: string, timeVars: ReadonlySet<string>): boolean {
  return [...timeVars].some((v) => lagOf(text, v) !== null);
}

export function asciiName(key: string): string {
  const comp = /^(.*)_\{(.*)\}$/.exec(key);
  if (comp) return `${asciiName(comp[1]!)}_${comp[2]}`;
  const accent = /^\\(tilde|hat|bar|dot)\{(.*)\}$/.exec(key);
  if (accent) return `${asciiName(accent[2]!)}${accent[1] === 'tilde' ? 't' : accent[1]}`;
  const font = /^\\math(cal|scr|bb|frak)\{(.*)\}$/.exec(key);
  if (font) return asciiName(font[2]!);
  return defaultAscii(key) ?? key.replace(/[^A-Za-z0-9_]/g, '');
}

/** Splits a display into equations: at top-level \qquad between two equations, and an align's rows with their own left side. */
export function splitEquations(latex: string): { latex: string; lineOffset: number }[] {
  const env = /^\\begin\{(align\*?|equation\*?|gather\*?|multline\*?|eqnarray\*?)\}([\s\S]*)\\end\{\1\}\s*$/.exec(
    latex.trim(),
  );
  if (env) {
    const body = env[2]!;
    const rows = splitTop(body, '\\\\');
    const out: { latex: string; lineOffset: number }[] = [];
    let consumed = 0;
    for (const row of rows) {
      const lineOffset = (body.slice(0, consumed).match(/\n/g) ?? []).length + (row.match(/^\s*\n/) ? 1 : 0);
      consumed += row.length + 2;
      const text = row.trim();
      if (!text) continue;
      const continues = /^&?\s*(=|\\le|\\leq|\\ge|\\geq|<|>|\+|-|\\cdot)/.test(text.replace(/^&\s*/, '&'));
      if (continues && out.length) out[out.length - 1]!.latex += ` \\\\\n${text}`;
      else out.push({ latex: text, lineOffset });
    }
    return out;
  }
  const halves = splitTop(latex, '\\qquad');
  if (halves.length > 1 && halves.every((h) => /=/.test(h))) {
    let lineOffset = 0;
    return halves.map((h) => {
      const r = { latex: h.trim(), lineOffset };
      lineOffset += (h.match(/\n/g) ?? []).length;
      return r;
    });
  }
  return [{ latex, lineOffset: 0 }];
}

/** Splits at a separator outside braces (a split of the text, not a tokenizer: the pieces are parsed by KaTeX). */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && text.startsWith(sep, i) && depth === 0 && !/[A-Za-z]/.test(text[i + sep.length] ?? '')) {
      out.push(text.slice(last, i));
      i += sep.length - 1;
      last = i + 1;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
  }
  out.push(text.slice(last));
  return out;
}

/** The definition an equation makes, if it is one. */
export function definitionOf(piece: Piece): Definition | null {
  let nodes: KNode[];
  try {
    nodes = flatten(parseLatex(piece.latex).nodes);
  } catch {
    return null;
  }
  const rels = nodes.map((n, i) => (n.type === 'atom' && n.family === 'rel' ? i : -1)).filter((i) => i >= 0);
  if (rels.length !== 1 || nodes[rels[0]!]!.text !== '=' || rels[0] !== 1) return null;
  const lhs = nodes[0]!;
  const key = baseKey(lhs);
  const time = lhs.type === 'supsub' ? timeOf(lhs) : null;
  const sub = accentSub(lhs);
  const t = time ?? (sub ? { text: textOf(flatten(bodyList(sub))), style: 'subscript' as TimeNotation } : null);
  if (key === null || t === null || !/^[A-Za-z]$/.test(t.text)) return null;
  if (lhs.type === 'supsub' && lhs.sup && t.style === 'subscript') return null; // y_t^k: a unit, not a definition
  const timeVar = t.text;
  const refs: Ref[] = [];
  const timeVars = new Set([timeVar]);
  const visit = (list: readonly KNode[]): void => {
    for (let i = 0; i < list.length; i++) {
      const n = list[i]!;
      const next = list[i + 1];
      if (n.type === 'supsub' && n.base?.type === 'op') {
        // a big operator's range is not a model quantity
        visit(flatten(bodyList(n.base)));
        continue;
      }
      if (n.type === 'text' || n.type === 'operatorname') continue;
      const k = baseKey(n);
      if (
        k !== null &&
        !FUNCTION_KEYS.has(k) &&
        !(n.type === 'supsub' && n.base && FUNCTION_KEYS.has(baseKey(n.base) ?? ''))
      ) {
        const comp = compound(n, timeVars);
        const tm = comp ? null : n.type === 'supsub' ? timeOf(n) : null;
        const lag = tm
          ? lagOf(tm.text, timeVar)
          : accentSub(n)
            ? lagOf(textOf(flatten(bodyList(accentSub(n)))), timeVar)
            : undefined;
        const weird = n.type === 'supsub' && n.sub && flatten(bodyList(n.sub)).some((x) => x.type === 'supsub');
        if (!weird) {
          const ref: Ref = { key: comp ?? k, lag };
          const stack = next ? stackOf(next) : null;
          const nk = next ? (compound(next, timeVars) ?? baseKey(next)) : null;
          refs.push(
            stack
              ? { ...ref, multiplies: 'stack', stack }
              : nk && !FUNCTION_KEYS.has(nk)
                ? { ...ref, multiplies: nk }
                : ref,
          );
        }
        if (n.type === 'supsub' && n.sub && !comp) visit(flatten(bodyList(n.sub)).filter((x) => x.type === 'supsub'));
        continue;
      }
      for (const child of childrenLists(n)) visit(child);
    }
  };
  visit(nodes.slice(2));
  const first = nodes[2];
  const fnKey = first
    ? first.type === 'op'
      ? (first.name ?? '').replace(/^\\/, '')
      : first.type === 'supsub' && first.base
        ? baseKey(first.base)
        : baseKey(first)
    : null;
  const activation = fnKey === '\\sigma' || fnKey === 'sigma' ? 'sigma' : fnKey === 'tanh' ? 'tanh' : null;
  return { piece, key, timeVar, time: t.style, refs, activation };
}

function stackOf(n: KNode): string[] | null {
  const inner = n.type === 'leftright' && n.left === '[' ? flatten((n.body as readonly KNode[]) ?? []) : null;
  if (!inner || !inner.some((k) => k.type === 'atom' && k.text === ',')) return null;
  return inner.filter((k) => baseKey(k) !== null).map((k) => baseKey(k)!);
}

function childrenLists(n: KNode): KNode[][] {
  const out: KNode[][] = [];
  if (n.type === 'genfrac') return [flatten(bodyList(n.numer)), flatten(bodyList(n.denom))];
  if (n.type === 'supsub') {
    if (n.base) out.push([n.base]);
    if (n.sup) out.push(flatten(bodyList(n.sup)));
    return out;
  }
  const b = n.body;
  if (Array.isArray(b)) out.push(flatten(b as readonly KNode[]));
  else if (b && typeof b === 'object') out.push(flatten(bodyList(b as KNode)));
  return out;
}

export interface GuessedSymbol {
  readonly name: string;
  readonly key: string;
  readonly role: 'state' | 'input' | 'intermediate' | 'parameter';
  readonly shape: readonly string[];
  readonly why: string;
}

export interface GuessedModel {
  readonly definitions: readonly Definition[];
  readonly symbols: readonly GuessedSymbol[];
  readonly time: TimeNotation;
  readonly timeVar: string;
  readonly functions: readonly string[];
  readonly sizes: readonly string[];
  readonly section: string;
  /** definitions left out (another section's model, or a second definition of a symbol) */
  readonly others: readonly Definition[];
}

/** The model: the section whose definitions include a recurrence and define the most symbols; first definition per symbol. */
export function guessModel(
  pieces: readonly Piece[],
  convertible: (d: Definition) => boolean,
  options: { wholeDocument?: boolean } = {},
): GuessedModel | null {
  const defs = pieces.map(definitionOf).filter((d): d is Definition => d !== null);
  const sections = options.wholeDocument ? [null] : [...new Set(defs.map((d) => d.piece.section))];
  let best: { section: string | null; chosen: Definition[]; score: number } | null = null;
  for (const section of sections) {
    const inSection = defs.filter((d) => section === null || d.piece.section === section);
    const chosen: Definition[] = [];
    // the whole document: every definition counts (symbols from all of them); a section: the first one per symbol
    for (const d of inSection)
      if ((section === null || !chosen.some((c) => c.key === d.key)) && convertible(d)) chosen.push(d);
    const keys = new Set(chosen.map((c) => c.key));
    const recurrent = chosen.some((d) => d.refs.some((r) => r.lag === -1 && keys.has(r.key)));
    if (!recurrent) continue;
    const score = chosen.length;
    if (!best || score > best.score) best = { section, chosen, score };
  }
  if (!best) return null;
  const chosen = best.chosen;
  const defined = new Set(chosen.map((d) => d.key));
  const states = new Set(
    chosen.flatMap((d) => d.refs.filter((r) => r.lag === -1 && defined.has(r.key)).map((r) => r.key)),
  );
  const readBy = new Map<string, number>();
  for (const d of chosen) for (const r of d.refs) if (r.key !== d.key) readBy.set(r.key, (readBy.get(r.key) ?? 0) + 1);
  const outputs = new Set([...defined].filter((k) => !states.has(k) && !readBy.has(k)));
  const inputs = new Set(
    chosen.flatMap((d) =>
      d.refs.filter((r) => r.lag !== undefined && r.lag !== null && !defined.has(r.key)).map((r) => r.key),
    ),
  );
  const sizeOfSeq = (k: string): string => (outputs.has(k) ? 'q' : inputs.has(k) ? 'm' : 'd');
  const symbols = new Map<string, GuessedSymbol>();
  const functions = new Set<string>();
  for (const d of chosen) {
    const lhsSize = sizeOfSeq(d.key);
    for (const r of d.refs) {
      if (r.lag !== undefined || defined.has(r.key) || symbols.has(r.key)) continue;
      const name = asciiName(r.key);
      if (INDEX_LETTERS.has(name)) continue;
      if (BUILTIN_FUNCTIONS.has(name)) continue;
      const upper = /^[A-Z]/.test(name);
      if (!upper) {
        symbols.set(r.key, {
          name,
          key: r.key,
          role: 'parameter',
          shape: [lhsSize],
          why: `a lower-case name read without a time in the equation of ${asciiName(d.key)}: a vector (bias)`,
        });
        continue;
      }
      let cols = 'd';
      if (r.multiplies === 'stack') cols = (r.stack ?? []).map((k) => sizeOfSeq(k)).join('+');
      else if (r.multiplies)
        cols = defined.has(r.multiplies) ? sizeOfSeq(r.multiplies) : inputs.has(r.multiplies) ? 'm' : 'd';
      symbols.set(r.key, {
        name,
        key: r.key,
        role: 'parameter',
        shape: [lhsSize, cols],
        why: `multiplies ${r.multiplies === 'stack' ? `[${(r.stack ?? []).map(asciiName).join(', ')}]` : r.multiplies ? asciiName(r.multiplies) : 'something'} in the equation of ${asciiName(d.key)}`,
      });
    }
  }
  for (const d of chosen) {
    for (const r of d.refs) if (/^\\sigma_\{/.test(r.key)) functions.add(asciiName(r.key));
  }
  const seqs: GuessedSymbol[] = [];
  for (const k of inputs)
    seqs.push({
      name: asciiName(k),
      key: k,
      role: 'input',
      shape: ['m'],
      why: 'read with a time index, never defined',
    });
  for (const d of chosen) {
    if (seqs.some((x) => x.key === d.key)) continue;
    const role = states.has(d.key) ? 'state' : 'intermediate';
    seqs.push({
      name: asciiName(d.key),
      key: d.key,
      role,
      shape: [sizeOfSeq(d.key)],
      why:
        role === 'state'
          ? 'defined, and read at t−1'
          : outputs.has(d.key)
            ? 'defined, read by no other equation: an output'
            : 'defined, read at the same step',
    });
  }
  // functions applied in the equations: sigma_y(…), softmax(…)
  for (const d of chosen) {
    for (const m of d.piece.latex.matchAll(/\\sigma_([a-z])\b|\\sigma_\{([a-z])\}/g))
      functions.add(`sigma_${m[1] ?? m[2]}`);
    for (const m of d.piece.latex.matchAll(/\\(?:text|operatorname|mathrm)\{([A-Za-z]+)\}/g))
      if (!['diag', 'tr'].includes(m[1]!)) functions.add(m[1]!);
  }
  for (const f of functions) for (const [k, s] of symbols) if (s.name === f) symbols.delete(k);
  const all = [...symbols.values(), ...seqs];
  const sizes = ['d', ...(inputs.size ? ['m'] : []), ...(outputs.size ? ['q'] : []), 'T'];
  return {
    definitions: chosen,
    symbols: all,
    time: chosen[0]!.time,
    timeVar: chosen[0]!.timeVar,
    functions: [...functions],
    sizes,
    section: best.section ?? '',
    others: defs.filter((d) => !chosen.includes(d)),
  };
}

/** Symbols seen in claims when no model was found: timed names are sequences, the rest parameters; the loss from ∂L/∂… and ∇_… L. */
export function symbolsFromClaims(pieces: readonly Piece[]): {
  symbols: GuessedSymbol[];
  loss: string | null;
  lossKey: string | null;
  time: TimeNotation;
  horizon: string | null;
} {
  const timed = new Map<string, TimeNotation>();
  const untimed = new Set<string>();
  const compoundSubs = new Map<string, Set<string>>();
  let lossKey: string | null = null;
  const indexKeys = new Set<string>();
  const bound = new Set<string>();
  const visit = (list: readonly KNode[], next?: KNode): void => {
    for (let i = 0; i < list.length; i++) {
      const n = list[i]!;
      if (n.type === 'supsub' && n.base?.type === 'op') {
        for (const k of flatten(bodyList(n.sub ?? undefined))) if (baseKey(k)) bound.add(baseKey(k)!);
        continue;
      }
      if (n.type === 'supsub' && n.base?.type === 'textord' && n.base.text === '\\nabla') {
        const target = list[i + 1];
        const k = target ? baseKey(target) : null;
        if (k && !(target!.type === 'supsub' && timeOf(target!))) lossKey ??= k;
        if (n.sub) visit(flatten(bodyList(n.sub)));
        continue;
      }
      if (n.type === 'genfrac') {
        const num = flatten(bodyList(n.numer));
        if (
          num[0]?.text === '\\partial' &&
          num.length === 2 &&
          baseKey(num[1]!) &&
          !(num[1]!.type === 'supsub' && timeOf(num[1]!))
        )
          lossKey ??= baseKey(num[1]!);
      }
      if (
        n.type === 'text' ||
        n.type === 'operatorname' ||
        (n.type === 'font' && symbolKey(n) !== null && !/^\\/.test(symbolKey(n)!) && symbolKey(n)!.length > 1)
      )
        continue;
      const k = baseKey(n);
      if (k !== null && !FUNCTION_KEYS.has(k)) {
        const tm = timeOf(n);
        if (tm) {
          timed.set(k, tm.style);
          // added in place: copying the set per occurrence was quadratic (10,000 equations took 32 s, a review found)
          if (tm.style === 'subscript') {
            let subs = compoundSubs.get(k);
            if (!subs) compoundSubs.set(k, (subs = new Set()));
            subs.add(tm.text);
          }
          for (const m of tm.text.matchAll(/\\[a-z]+|[A-Za-z]/g)) indexKeys.add(m[0]);
        } else if (n.type !== 'supsub' || !n.sub) untimed.add(k);
        continue;
      }
      for (const child of childrenLists(n)) visit(child);
    }
    void next;
  };
  for (const p of pieces) {
    try {
      visit(flatten(parseLatex(p.latex).nodes));
    } catch {
      /* unparseable: listed as unread by the caller */
    }
  }
  const styles = [...timed.values()];
  const time = styles.includes('bracket-superscript')
    ? 'bracket-superscript'
    : styles.includes('paren-superscript')
      ? 'paren-superscript'
      : 'subscript';
  const horizon = [...indexKeys].find((k) => k.startsWith('\\') && !bound.has(k)) ?? null;
  const symbols: GuessedSymbol[] = [];
  // W_i with an unshifted letter subscript: an upper-case name is a matrix with a compound name, not a sequence
  for (const [k] of [...timed]) {
    const subs = compoundSubs.get(k);
    if (/^[A-Z]$/.test(k) && subs && subs.size && ![...subs].some((x) => /[+-]/.test(x))) {
      timed.delete(k);
      for (const sub of subs) untimed.add(`${k}_{${sub}}`);
    }
  }
  const matrices = new Set([...untimed].filter((k) => /^[A-Z]$/.test(k)));
  for (const [k] of timed)
    if (!indexKeys.has(k) && !bound.has(k))
      symbols.push({
        name: asciiName(k),
        key: k,
        role: 'state',
        shape: ['d'],
        why: 'read with a time index in the claims (role unknown: no forward equations)',
      });
  for (const k of untimed) {
    if (k === lossKey || timed.has(k) || bound.has(k) || indexKeys.has(k)) continue;
    if (/^[a-z]$/.test(k) && matrices.has(k.toUpperCase())) continue; // u_{ij}: an entry of U
    const name = asciiName(k);
    if (
      INDEX_LETTERS.has(name) ||
      BUILTIN_FUNCTIONS.has(name) ||
      !/^[A-Za-z]/.test(name) ||
      /^\\(mathcal|mathscr)/.test(k)
    )
      continue;
    if (k.startsWith('\\') && !/^\\(tilde|hat|bar)/.test(k)) continue; // Greek constants (η, θ) are named in the prose
    symbols.push({
      name,
      key: k,
      role: 'parameter',
      shape: /^[A-Z]/.test(name) ? ['d', 'd'] : ['d'],
      why: 'read without a time index in the claims',
    });
  }
  return { symbols, loss: lossKey ? 'L' : null, lossKey, time, horizon };
}

/** The context the scaffold converts with (free index variables are allowed and reported). */
/** A calligraphic D applied like a function, D(…), is the documents' diagonal matrix. */
export function diagLike(pieces: readonly Piece[]): string[] {
  const out = new Set<string>();
  for (const p of pieces) if (/\\mathcal\{D\}\s*(?:\(|\\left\()/.test(p.latex)) out.add('\\mathcal{D}');
  return [...out];
}

export function contextOf(
  symbols: readonly GuessedSymbol[],
  opts: {
    time: TimeNotation;
    timeVar: string;
    functions: readonly string[];
    sizes: readonly string[];
    lossKey: string | null;
    horizon: string | null;
    diag?: readonly string[];
  },
): LatexContext {
  const map = new Map<string, string>((opts.diag ?? []).map((k) => [k, 'diag']));
  const timed = new Map<string, string>();
  for (const s of symbols) {
    if (asciiName(s.key) !== s.key || s.key.includes('\\')) (s.role === 'parameter' ? map : timed).set(s.key, s.name);
  }
  if (opts.lossKey) map.set(opts.lossKey, 'L');
  if (opts.horizon) map.set(opts.horizon, 'T');
  if (opts.timeVar !== 't') map.set(opts.timeVar, 't');
  return {
    sequences: new Set(symbols.filter((s) => s.role !== 'parameter').map((s) => s.name)),
    parameters: new Set(symbols.filter((s) => s.role === 'parameter').map((s) => s.name)),
    sizes: new Set(opts.sizes),
    indexVars: new Set(['t']),
    loss: opts.lossKey ? 'L' : null,
    functions: new Set(opts.functions),
    symbols: map,
    timedSymbols: timed,
    time: opts.time,
    transposeLetters: new Set(['T']),
    shapes: new Map(symbols.map((s) => [s.name, s.shape])),
  };
}
