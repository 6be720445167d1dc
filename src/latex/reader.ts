/**
 * KaTeX's parse tree → a reading (reading.ts). KaTeX gives structure for everything written with braces and commands
 * (\frac, \left…\right, sub/superscripts, fonts); operators and plain delimiters come as flat lists, which this
 * module reads with ordinary precedence: relations < + − < products (\cdot, \odot, ·, juxtaposition) < prefix
 * operators and big operators < scripts. Every rule that resolves an ambiguity adds a note to the reading; a
 * construct with no reading, or with two readings that no rule separates, is a LatexInputError at its offset.
 */
import { type Affine, coefficient } from '../ir/affine.js';
import { ExprError } from '../ir/errors.js';
import { parseIndex } from '../ir/parse-math.js';
import {
  BUILTIN_FORMS,
  BUILTIN_FUNCTIONS,
  LATEX_FUNCTIONS,
  normaliseMaps,
  type LatexContext,
  type NormalisedMaps,
} from './context.js';
import { resolveEllipses, type TermItem } from './ellipsis.js';
import { LatexInputError } from './errors.js';
import { type E, type Ix, type Relation, affineOf, childrenOf, indicesOf, join } from './reading.js';
import { bodyList, type KNode, type ParsedLatex, type Span } from './katex-tree.js';
import { defaultAscii, symbolKey, wordOf } from './names.js';

export interface Reading {
  /** the members of a relation chain a = b ≤ c …; one member when the formula is an expression */
  readonly members: readonly E[];
  /** `strict`: written < or >, read as its non-strict relation (the check never proves it: src/check/verdict.ts) */
  readonly relations: readonly { readonly rel: Relation; readonly span: Span; readonly strict?: boolean }[];
  readonly notes: readonly string[];
  /** index names read in index positions that are neither quantifiers, sizes nor bound here */
  readonly freeIndexVars: readonly string[];
  /** \tag{…} */
  readonly tag: string | null;
}

type Kind = 'scalar' | 'col' | 'row' | 'matrix' | 'unknown';

interface Scope {
  /** LaTeX key → ASCII name of an index bound by ∏/∑/⨀ */
  readonly bound: ReadonlyMap<string, string>;
  /** LaTeX key → ASCII name of a real variable bound by sup/max */
  readonly real: ReadonlyMap<string, string>;
}

const EMPTY_SCOPE: Scope = { bound: new Map(), real: new Map() };

const RELATIONS: ReadonlyMap<string, { rel: Relation; strict?: boolean }> = new Map([
  ['=', { rel: '=' }],
  ['\\le', { rel: '<=' }],
  ['\\leq', { rel: '<=' }],
  ['\\leqslant', { rel: '<=' }],
  ['\\ge', { rel: '>=' }],
  ['\\geq', { rel: '>=' }],
  ['\\geqslant', { rel: '>=' }],
  ['<', { rel: '<=', strict: true }],
  ['>', { rel: '>=', strict: true }],
]);
const PRODUCT_OPS: ReadonlyMap<string, '*' | '.*' | '/'> = new Map([
  ['\\cdot', '*'],
  ['\\times', '*'],
  ['*', '*'],
  ['\\ast', '*'],
  ['\\odot', '.*'],
  ['\\circ', '.*'],
  ['/', '/'],
]);
const BIG_OPS: ReadonlyMap<string, 'prod' | 'sum' | 'hprod' | 'max' | 'sup'> = new Map([
  ['\\prod', 'prod'],
  ['\\sum', 'sum'],
  ['\\bigodot', 'hprod'],
  ['\\max', 'max'],
  ['\\sup', 'sup'],
]);
const ELLIPSES = new Set([
  '\\ldots',
  '\\cdots',
  '\\@cdots',
  '\\dots',
  '\\dotsb',
  '\\dotsm',
  '\\dotsc',
  '\\dotsi',
  '\\dotso',
]);
/** Typical sizes of the usual index letters (a Map: index names are user text). */
const TYPICAL_INDEX_SIZE: ReadonlyMap<string, number> = new Map([
  ['t', 500],
  ['s', 200],
  ['k', 50],
]);
const BOUND_NAMES = ['i', 'j', 'l', 'q', 'r', 'u', 'v', 'w'];

/** A flat delimiter: role and kind; scripts when KaTeX attached a sub/superscript to the delimiter itself. */
interface Delim {
  readonly role: 'open' | 'close' | 'bar';
  readonly d: '(' | '[' | '{' | '|' | '‖';
  readonly tok: KNode;
  readonly sup: KNode | null;
  readonly sub: KNode | null;
}

class Stream {
  i = 0;
  constructor(readonly toks: readonly KNode[]) {}
  peek(k = 0): KNode | undefined {
    return this.toks[this.i + k];
  }
  next(): KNode {
    return this.toks[this.i++]!;
  }
  get done(): boolean {
    return this.i >= this.toks.length;
  }
}

/** What a name resolved to. */
type Resolved =
  | { readonly kind: 'fn'; readonly fn: string }
  | { readonly kind: 'seq'; readonly name: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'loss'; readonly name: string }
  | { readonly kind: 'index'; readonly name: string }
  | { readonly kind: 'real'; readonly name: string }
  | { readonly kind: 'raw'; readonly name: string };

export class Reader {
  private readonly maps: NormalisedMaps;
  private readonly notes: string[] = [];
  private readonly free = new Set<string>();
  private readonly bars: ('|' | '‖')[] = [];
  private tag: string | null = null;

  constructor(
    private readonly parsed: ParsedLatex,
    private readonly ctx: LatexContext,
  ) {
    this.maps = normaliseMaps(ctx);
  }

  // ─── entry ────────────────────────────────────────────────────────────────────────

  read(): Reading {
    const toks = this.clean(this.equationNumber(this.flattenAligned(this.parsed.nodes)));
    // A display ending its sentence (`… \tanh(C_t).`, `…,`): the punctuation is the prose's, not the formula's.
    const last = toks[toks.length - 1];
    if (
      toks.length > 1 &&
      last &&
      ['.', ',', ';'].includes(last.text ?? '') &&
      ['textord', 'atom'].includes(last.type)
    ) {
      toks.pop();
      this.note(last, `the trailing '${last.text}' read as the sentence's punctuation and dropped`);
    }
    if (!toks.length) this.fail([0, this.parsed.source.length], 'empty formula', 'a formula');
    const s = new Stream(toks);
    const members: (E | null)[] = [];
    const relations: { rel: Relation; span: Span; strict?: boolean }[] = [];
    const first = s.peek()!;
    if (this.relationOf(first))
      this.fail(
        this.sp(first),
        `the formula starts with '${first.text}': a continuation of an earlier display`,
        'both sides of the relation',
      );
    // A label `t_0 = …` (an undeclared name alone before a chain) is dropped.
    const relCount = toks.filter((t) => t.type === 'atom' && t.family === 'rel').length;
    if (toks.length > 2 && relCount >= 2 && this.isLabel(toks[0]!) && this.relationOf(toks[1]!)?.rel === '=') {
      const label = s.next();
      s.next();
      this.note(label, `'${this.src(label)} =' read as the formula's name (not a model symbol) and dropped`);
    }
    for (;;) {
      members.push(this.member(s));
      if (s.done) break;
      const t = s.next();
      const r = this.relationOf(t);
      if (!r) this.fail(this.sp(t), `unexpected '${this.src(t)}'`, 'an operator or a relation');
      if (r.strict) this.note(t, `strict '${t.text}' checked as '${r.rel}'`);
      relations.push({ rel: r.rel, span: this.sp(t), ...(r.strict ? { strict: true } : {}) });
      if (s.done) this.fail(this.sp(t), `nothing after '${this.src(t)}'`, 'the other side of the relation');
    }
    // `= \dots =`: an elided member; its neighbours become consecutive members.
    const kept: E[] = [];
    const keptRel: { rel: Relation; span: Span; strict?: boolean }[] = [];
    members.forEach((m, i) => {
      if (m === null) {
        if (i === 0 || i === members.length - 1)
          this.fail(relations[Math.max(0, i - 1)]!.span, 'a chain cannot start or end with ⋯');
        this.notes.push(
          `an elided step (⋯) between two relations is dropped: the steps around it are chained directly`,
        );
        return;
      }
      if (i > 0) keptRel.push(relations[i - 1]!);
      kept.push(m);
    });
    // Relations after an elided member: keep the relation that follows the elision.
    const rels = keptRel.length === kept.length - 1 ? keptRel : relations.slice(relations.length - (kept.length - 1));
    this.numeratorLayoutMembers(kept);
    return {
      members: kept.map((m) => this.simplify(m)),
      relations: rels,
      notes: this.notes,
      freeIndexVars: [...this.free],
      tag: this.tag,
    };
  }

  /** A lone aligned block (align, aligned, split, equation): its rows read as one formula written over several lines. */
  private flattenAligned(nodes: readonly KNode[]): readonly KNode[] {
    if (nodes.length !== 1 || nodes[0]!.type !== 'array') return nodes;
    const rows = (nodes[0]!.body ?? []) as readonly (readonly KNode[])[];
    const out: KNode[] = [];
    // a relation or an operator at a row's seam continues the formula (`&= …`, `+ …`, `h_t = \\ …`)
    const joins = (n: KNode | undefined) => n?.type === 'atom' && (n.family === 'rel' || n.family === 'bin');
    let previous: KNode[] = [];
    /** brackets open at the end of the rows so far (a row inside one continues it) */
    let open = 0;
    for (const row of rows) {
      const cells: KNode[] = [];
      for (const cell of row) {
        let list = bodyList(cell);
        while (list.length === 1 && (list[0]!.type === 'ordgroup' || list[0]!.type === 'styling'))
          list = bodyList(list[0]);
        cells.push(...list);
      }
      let tokens = this.clean(cells);
      // a row ending its clause (`h_t &= …, \\\\`): the punctuation is the prose's, as at the display's end
      const end = tokens[tokens.length - 1];
      // (not inside a bracket the row leaves open: W_f [h_{t-1}, \\\\ x_t] stacks across the rows)
      const openBefore = open;
      open = tokens.reduce(
        (depth, n) => depth + (this.delimOf(n)?.role === 'open' ? 1 : this.delimOf(n)?.role === 'close' ? -1 : 0),
        open,
      );
      if (
        !open &&
        tokens.length > 1 &&
        end &&
        [',', ';'].includes(end.text ?? '') &&
        ['textord', 'atom'].includes(end.type)
      ) {
        const at = cells.lastIndexOf(end);
        if (at >= 0) {
          cells.splice(at, 1);
          tokens = tokens.slice(0, -1);
          this.note(end, `the '${end.text}' ending a row read as the sentence's punctuation and dropped`);
        }
      }
      if (!tokens.length) continue;
      // Two equations stacked (h_t &= … \\ C_t &= …) were read as one: h[t] = o[t] .* tanh(C[t]) .* C[t] = ….
      if (previous.length && !openBefore && !joins(tokens[0]) && !joins(previous[previous.length - 1]))
        this.fail(
          this.sp(tokens[0]!),
          `a row of the aligned block starts another formula ('${this.src(tokens[0]!)
            .replace(/^\s*\\\\/, '')
            .trim()}' after '${this.src(previous[previous.length - 1]!).trim()}')`,
          'one formula per claim: a continued row starts with a relation or an operator (&= …)',
        );
      previous = tokens;
      out.push(...cells);
    }
    if (rows.length > 1) this.notes.push(`the ${rows.length} rows of the aligned block read as one formula`);
    return out;
  }

  /** `… \quad (1)` at the end of a display: the equation's number, as \tag would give it. */
  private equationNumber(nodes: readonly KNode[]): readonly KNode[] {
    const n = nodes.length;
    if (n < 4 || this.delimOf(nodes[n - 1])?.role !== 'close') return nodes;
    let i = n - 2;
    while (
      i >= 0 &&
      /^[0-9]$/.test(nodes[i]!.text ?? '') &&
      (nodes[i]!.type === 'textord' || nodes[i]!.type === 'mathord')
    )
      i--;
    const digits = nodes
      .slice(i + 1, n - 1)
      .map((k) => k.text)
      .join('');
    const open = nodes[i];
    const space = nodes[i - 1];
    if (!digits || this.delimOf(open)?.role !== 'open' || !space || !['kern', 'spacing', 'glue'].includes(space.type))
      return nodes;
    this.tag = digits;
    this.notes.push(
      `'${this.parsed.source.slice(this.sp(space)[0], this.sp(nodes[n - 1]!)[1]).trim()}' at the end read as the equation number (${digits})`,
    );
    return nodes.slice(0, i - 1);
  }

  private member(s: Stream): E | null {
    const t = s.peek();
    if (t && this.isEllipsis(t) && (s.peek(1) === undefined || this.relationOf(s.peek(1)!))) {
      s.next();
      return null;
    }
    return this.sum(s);
  }

  // ─── token helpers ─────────────────────────────────────────────────────────────────

  private sp(n: KNode): Span {
    return this.parsed.span(n);
  }

  /** A script's span widened back over its `^` or `_` (KaTeX's span of a script with no base starts at its argument). */
  private withScriptMark([from, to]: Span): Span {
    const text = this.parsed.source;
    let i = from - 1;
    while (i >= 0 && /\s/.test(text[i]!)) i--;
    return i >= 0 && (text[i] === '^' || text[i] === '_') ? [i, to] : [from, to];
  }

  private src(n: KNode): string {
    const [a, b] = this.sp(n);
    return this.parsed.source.slice(a, b);
  }

  private fail(span: Span, problem: string, expected?: string, readings?: string[]): never {
    throw new LatexInputError({
      offset: span[0],
      end: span[1],
      problem,
      ...(expected ? { expected } : {}),
      ...(readings ? { readings } : {}),
    });
  }

  private note(n: KNode | Span, text: string): void {
    const span = Array.isArray(n) ? (n as Span) : this.sp(n as KNode);
    const msg = `at ${span[0]}: ${text}`;
    if (!this.notes.includes(msg)) this.notes.push(msg);
  }

  /** Drops spacing and line breaks; unwraps style wrappers; takes \tag out. */
  private clean(list: readonly KNode[]): KNode[] {
    const out: KNode[] = [];
    for (const n of list) {
      switch (n.type) {
        case 'spacing':
        case 'kern':
        case 'glue':
        case 'cr':
        case 'newline':
        case 'internal':
        case 'phantom':
        case 'hphantom':
        case 'vphantom':
          continue;
        case 'styling':
        case 'color':
        case 'sizing':
        case 'mclass':
        case 'enclose':
          out.push(...this.clean(bodyList({ ...n, type: 'ordgroup' })));
          continue;
        case 'htmlmathml':
          // KaTeX's expansion of \not, \ne, \neq, \notin, \coloneqq…: its parts read alone meant another claim
          // (\|W\| \not\le 1 was read ‖W‖ ≤ 1, a \ne b as a * b)
          return this.fail(
            this.sp(n),
            `'${this.src(n).trim()}' (a negated or composite relation) is not supported`,
            'one of = \\le \\ge: a claim states what holds',
          );
        case 'ordgroup':
          if (!bodyList(n).length) continue; // the {} that alignment inserts before a relation
          out.push(n);
          continue;
        case 'tag': {
          out.push(...this.clean((n.body as readonly KNode[]) ?? []));
          const label = (n.tag ?? [])
            .map((k) => this.textOf(k))
            .join('')
            .replace(/^\((.*)\)$/, '$1');
          this.tag = label || this.tag;
          continue;
        }
        default:
          out.push(n);
      }
    }
    return out;
  }

  private textOf(n: KNode): string {
    const b = n.body;
    if (Array.isArray(b)) return (b as readonly KNode[]).map((k) => this.textOf(k)).join('');
    if (b && typeof b === 'object') return this.textOf(b as KNode);
    return n.text ?? '';
  }

  private relationOf(n: KNode): { rel: Relation; strict?: boolean } | null {
    if (n.type !== 'atom' || n.family !== 'rel') return null;
    const r = RELATIONS.get(n.text ?? '');
    if (!r) this.unsupportedRelation(n);
    return r;
  }

  private unsupportedRelation(n: KNode): never {
    const t = n.text ?? '';
    const what =
      t === '\\to' || t === '\\rightarrow' || t === '\\longrightarrow'
        ? 'a limit (→ …) is not a claim gradproof can check; state the bound it rests on'
        : t === '\\Rightarrow' || t === '\\implies'
          ? 'an implication (⇒): premises cannot be stated in a claim'
          : `unsupported relation '${this.src(n).trim()}'`;
    return this.fail(this.sp(n), what, '=, \\le, \\ge (or < >, checked as ≤ ≥)');
  }

  private isEllipsis(n: KNode): boolean {
    return (n.type === 'atom' || n.type === 'textord') && ELLIPSES.has(n.text ?? '');
  }

  /** An undeclared name alone before '=' (t_0 = …): it names the formula. */
  private isLabel(n: KNode): boolean {
    const base = n.type === 'supsub' && !n.sup ? n.base : n;
    if (!base || base.type !== 'mathord' || symbolKey(base) === null) return false;
    const notes = this.notes.length;
    const free = new Set(this.free);
    try {
      this.factor(new Stream([n]));
      return false;
    } catch {
      return true;
    } finally {
      this.notes.length = notes;
      this.free.clear();
      for (const f of free) this.free.add(f);
    }
  }

  private delimOf(n: KNode | undefined): Delim | null {
    if (!n) return null;
    if (n.type === 'supsub' && n.base) {
      const inner = this.delimOf(n.base);
      return inner ? { ...inner, tok: n, sup: n.sup ?? null, sub: n.sub ?? null } : null;
    }
    const t =
      n.type === 'delimsizing' ? (n.delim ?? '') : n.type === 'atom' || n.type === 'textord' ? (n.text ?? '') : null;
    if (t === null) return null;
    const mk = (role: Delim['role'], d: Delim['d']): Delim => ({ role, d, tok: n, sup: null, sub: null });
    switch (t) {
      case '(':
      case '\\lparen':
        return mk('open', '(');
      case ')':
      case '\\rparen':
        return mk('close', '(');
      case '[':
      case '\\lbrack':
        return mk('open', '[');
      case ']':
      case '\\rbrack':
        return mk('close', '[');
      case '\\{':
      case '\\lbrace':
        return mk('open', '{');
      case '\\}':
      case '\\rbrace':
        return mk('close', '{');
      case '|':
      case '\\vert':
      case '\\lvert':
      case '\\rvert':
        return mk(t === '\\lvert' ? 'open' : t === '\\rvert' ? 'close' : 'bar', '|');
      case '\\|':
      case '\\Vert':
      case '\\lVert':
      case '\\rVert':
        return mk(t === '\\lVert' ? 'open' : t === '\\rVert' ? 'close' : 'bar', '‖');
      default:
        return null;
    }
  }

  /** Two `|` written next to each other are one ‖. */
  private doubleBar(s: Stream, k = 0): boolean {
    const a = s.peek(k);
    const b = s.peek(k + 1);
    if (!a || !b || a.type !== 'textord' || a.text !== '|') return false;
    const db = this.delimOf(b);
    return !!db && db.d === '|' && db.role === 'bar' && this.sp(a)[1] === this.sp(b)[0];
  }

  // ─── sums and products ─────────────────────────────────────────────────────────────

  private isAddOp(n: KNode | undefined): '+' | '-' | null {
    if (!n || n.type !== 'atom') return null;
    return n.text === '+' ? '+' : n.text === '-' || n.text === '−' ? '-' : null;
  }

  private sum(s: Stream): E {
    let acc: E;
    const lead = this.isAddOp(s.peek());
    if (lead) {
      const t = s.next();
      const term = this.term(s);
      acc = lead === '-' ? { k: 'neg', arg: term, span: join(this.sp(t), term.span) } : term;
    } else acc = this.term(s);
    for (;;) {
      const op = this.isAddOp(s.peek());
      if (!op) break;
      const t = s.next();
      if (s.done || this.relationOf(s.peek()!)) this.fail(this.sp(t), `nothing after '${op}'`, 'a term');
      const r = this.term(s);
      const [lk, rk] = [this.kind(acc), this.kind(r)];
      if ((lk === 'matrix' && (rk === 'col' || rk === 'row')) || (rk === 'matrix' && (lk === 'col' || lk === 'row')))
        this.fail(
          this.sp(t),
          `'${op}' between a ${lk === 'matrix' ? 'matrix' : 'vector'} and a ${rk === 'matrix' ? 'matrix' : 'vector'}`,
          undefined,
          [
            `${this.parsed.source.slice(acc.span[0], acc.span[1]).trim()} is a ${lk}`,
            `${this.parsed.source.slice(r.span[0], r.span[1]).trim()} is a ${rk}`,
          ],
        );
      acc = { k: 'bin', op, l: acc, r, span: join(acc.span, r.span), opSpan: this.sp(t) };
    }
    return acc;
  }

  /** Can `n` start a factor written next to the previous one (juxtaposition)? */
  private startsFactor(s: Stream, k = 0): boolean {
    const n = s.peek(k);
    if (!n) return false;
    // relations, punctuation and binary operators are not operands (⨀ written \odot_{…} is a supsub, below)
    if (n.type === 'atom' && (n.family === 'rel' || n.family === 'punct' || n.family === 'bin')) return false;
    if (n.type === 'supsub' && n.base?.type === 'atom' && n.base.text === '\\odot' && n.base.family === 'bin')
      return true;
    const d = this.delimOf(n);
    if (d) {
      if (d.role === 'close') return false;
      if (d.role === 'bar') {
        const kind = this.doubleBar(s, k) ? '‖' : d.d;
        if (this.bars.length && this.bars[this.bars.length - 1] === kind) return false;
        if (n.type === 'supsub') return false;
      }
      return true;
    }
    if (n.type === 'textord' && (n.text === '.' || n.text === '/')) return false;
    return true;
  }

  private term(s: Stream, scope: Scope = this.scope): E {
    const items: TermItem[] = [];
    const push = (e: E | 'ellipsis', op: TermItem['op'], opSpan: Span, tok?: KNode): void => {
      items.push({ e, op, opSpan, span: e === 'ellipsis' ? this.sp(tok!) : e.span });
    };
    const saved = this.scope;
    this.scope = scope;
    try {
      let op: TermItem['op'] = null;
      let opSpan: Span = [0, 0];
      for (;;) {
        const t = s.peek();
        if (!t) break;
        // a factor
        if (this.isEllipsis(t)) {
          s.next();
          push('ellipsis', op, opSpan, t);
        } else if (this.bigOpOf(t)) {
          const big = this.bigOp(s);
          push(big.e, op, opSpan);
          // the body of ∏/∑/⨀/sup extends to the end of the term, unless it was a group (bigOp, groupBody)
          if (!big.closed) break;
        } else {
          if (items.length && !this.startsFactor(s)) this.fail(this.sp(t), `unexpected '${this.src(t)}'`, 'a factor');
          push(this.factor(s), op, opSpan);
        }
        // the operator before the next factor
        const n = s.peek();
        if (!n) break;
        const explicit =
          n.type === 'atom' && n.family === 'bin'
            ? PRODUCT_OPS.get(n.text ?? '')
            : n.type === 'textord' && (n.text === '.' || n.text === '/')
              ? n.text === '.'
                ? '*'
                : '/'
              : undefined;
        if (explicit) {
          if (n.text === '.') this.note(n, "'.' between two factors read as a product");
          s.next();
          op = n.text === '\\cdot' ? 'cdot' : explicit;
          opSpan = this.sp(n);
          if (s.done) this.fail(opSpan, `nothing after '${this.src(n)}'`, 'a factor');
          continue;
        }
        if (this.isEllipsis(n) || this.startsFactor(s)) {
          op = 'juxt';
          opSpan = [this.sp(n)[0], this.sp(n)[0]];
          continue;
        }
        break;
      }
      if (!items.length) {
        const t = s.peek();
        this.fail(
          t ? this.sp(t) : [this.parsed.source.length, this.parsed.source.length],
          t ? `unexpected '${this.src(t)}'` : 'missing operand',
          'an operand',
        );
      }
      const resolved = resolveEllipses(items, {
        fail: (span, problem, expected) => this.fail(span, problem, expected),
        note: (span, text) => this.note(span, text),
        freshName: (avoid) => this.freshBound(avoid),
        magnitude: (name) => this.magnitude(name),
      });
      return this.fold(resolved);
    } finally {
      this.scope = saved;
    }
  }

  /**
   * A member that is ∂L/∂x alone, beside a member read as a row (∂L/∂h_T followed by Jacobians, `fold`'s numerator
   * layout), is that layout's row too: `∂L/∂h_k = ∂L/∂h_T ∏ ∂h_i/∂h_{i−1}` compared a column with a row and was
   * refused as two shapes, where its author wrote the chain rule in one layout throughout.
   */
  private numeratorLayoutMembers(members: E[]): void {
    // Only where the formula reads the chain rule in numerator layout (`fold` read ∂L/∂x before a matrix as a row),
    // and nowhere transposes a gradient itself: (∂L/∂h_T)ᵀ is its author's denominator layout, and gᵀ = g or
    // ∂L/∂h_{T−1} = (∂L/∂h_T)ᵀ ∂h_T/∂h_{T−1} mixes the two (a review's: both were verified, as rows on both sides).
    if (!this.layoutRows.size || members.some((m) => this.transposesAGradient(m))) return;
    if (!members.some((m) => this.kind(m) === 'row')) return;
    members.forEach((m, i) => {
      if (m.k !== 'deriv' || m.mode !== 'grad' || !m.fraction || this.kind(m) !== 'col') return;
      members[i] = this.layoutRow(m);
      this.note(
        m.span,
        `∂${this.printName(m.of)}/∂x beside a row read as the row vector grad(…)' (the chain rule's numerator layout)`,
      );
    });
  }

  /** The rows this reading made of ∂L/∂x in numerator layout (a transpose the author did not write). */
  private readonly layoutRows = new Set<E>();

  private layoutRow(gradient: E): E {
    const row: E = { k: 'tr', arg: gradient, span: gradient.span, opSpan: gradient.span };
    this.layoutRows.add(row);
    return row;
  }

  /** Does the author transpose a gradient written ∂L/∂x anywhere in `e`? */
  private transposesAGradient(e: E): boolean {
    const isGradient = (x: E) => x.k === 'deriv' && x.mode === 'grad' && x.fraction === true;
    switch (e.k) {
      case 'tr':
        return (!this.layoutRows.has(e) && isGradient(e.arg)) || this.transposesAGradient(e.arg);
      case 'bin':
        return this.transposesAGradient(e.l) || this.transposesAGradient(e.r);
      case 'pow':
        return this.transposesAGradient(e.base) || this.transposesAGradient(e.exp);
      case 'neg':
        return this.transposesAGradient(e.arg);
      case 'call':
        return e.args.some((a) => this.transposesAGradient(a));
      case 'concat':
        return e.items.some((a) => this.transposesAGradient(a));
      case 'range':
      case 'supabs':
        return this.transposesAGradient(e.body);
      case 'deriv':
        return this.transposesAGradient(e.of);
      case 'num':
      case 'sym':
      case 'seq':
      case 'held':
      case 'entry':
      case 'ix':
        return false;
    }
  }

  /** Left-to-right product of a term's factors, with the rules that depend on what the factors are. */
  private fold(items: readonly TermItem[]): E {
    const es = items.map((it) => it.e as E);
    // ∂L/∂x followed by a matrix factor is the row of the chain rule (numerator layout): grad(L, x)'.
    for (let i = 0; i + 1 < es.length; i++) {
      const e = es[i]!;
      if (e.k === 'deriv' && e.mode === 'grad' && e.fraction && this.kind(e) === 'col') {
        const nk = this.kind(es[i + 1]!);
        if (nk === 'matrix') {
          es[i] = this.layoutRow(e);
          this.note(
            e.span,
            `∂${this.printName(e.of)}/∂x followed by a matrix read as the row vector grad(…)' (the chain rule's numerator layout)`,
          );
        }
      }
    }
    // a/2k: many authors mean a/(2k); the reading is left to right, (a/2)·k, and says so
    for (let i = 1; i + 1 < items.length; i++)
      if (items[i]!.op === '/' && items[i + 1]!.op === 'juxt')
        this.note(
          items[i]!.opSpan,
          "'/' followed by a product read left to right, (a/b)·c: write \\frac{a}{bc} for a/(bc)",
        );
    // \|W\|^2k: TeX sets only the 2 as the exponent (‖W‖²·k, read so), where ^{2k} was likely meant
    for (let i = 1; i < items.length; i++) {
      const before = es[i - 1]!;
      if (items[i]!.op !== 'juxt' || before.k !== 'pow') continue;
      const [from, to] = before.exp.span;
      const src = this.parsed.source;
      if (to - from === 1 && src[from - 1] === '^' && es[i]!.span[0] === to)
        this.note(
          before.opSpan,
          `^${src[from]} followed by ${src.slice(to, es[i]!.span[1])} read as TeX sets it, the power ${src[from]} times ${src.slice(to, es[i]!.span[1])}: write ^{${src.slice(from, es[i]!.span[1])}} for the power`,
        );
    }
    let acc = es[0]!;
    // a matrix applied earlier in the term: W^T g ⊙ s is (Wᵀg) ⊙ s left to right, where many authors mean Wᵀ(g ⊙ s)
    let matrixApplied = false;
    for (let i = 1; i < es.length; i++) {
      const it = items[i]!;
      const r = es[i]!;
      let op: '*' | '.*' | '/' = it.op === '.*' ? '.*' : it.op === '/' ? '/' : '*';
      if (op === '.*' && matrixApplied)
        this.note(
          it.opSpan,
          "'\\odot' after a matrix product read left to right, (A v) ⊙ s: write A (v \\odot s) for A(v ⊙ s)",
        );
      if (op === '*') {
        const lk = this.kind(acc);
        const rk = this.kind(r);
        if (lk === 'matrix' || (lk !== 'scalar' && rk === 'matrix')) matrixApplied = true;
        if (lk === 'col' && rk === 'col') {
          if (it.op === 'cdot')
            this.fail(it.opSpan, 'a product of two vectors written with \\cdot', undefined, [
              'the dot product (aᵀb): write a^\\top b',
              'the elementwise product: write a \\odot b',
            ]);
          op = '.*';
          this.note(it.opSpan, 'two vectors written next to each other read as the elementwise product ⊙ (.*)');
        }
      }
      acc = { k: 'bin', op, l: acc, r, span: join(acc.span, r.span), opSpan: it.opSpan };
    }
    return acc;
  }

  private printName(e: E): string {
    return e.k === 'sym' || e.k === 'seq' || e.k === 'held' ? e.name : '…';
  }

  // ─── big operators ─────────────────────────────────────────────────────────────────

  private bigOpOf(n: KNode): 'prod' | 'sum' | 'hprod' | 'max' | 'sup' | null {
    const base = n.type === 'supsub' ? n.base : n;
    if (!base) return null;
    if (base.type === 'op' && base.name) return BIG_OPS.get(base.name) ?? null;
    if (n.type === 'supsub' && base.type === 'atom' && base.text === '\\odot') return 'hprod';
    return null;
  }

  /** The next token opens a parenthesised argument list: `(`, `\\left(`, `\\big(`. */
  private opensArguments(s: Stream): boolean {
    const t = s.peek();
    if (t?.type === 'leftright') return t.left === '(';
    const d = this.delimOf(t);
    return d !== null && d.role === 'open' && d.d === '(' && t!.type !== 'supsub';
  }

  /** `closed`: the body ended with a group and the term goes on after it (groupBody). */
  /** > 0 while groupBody reads ahead to see whether what follows a group reads its index */
  private probing = 0;

  private bigOp(s: Stream): { e: E; closed: boolean } {
    const t = s.next();
    const kind = this.bigOpOf(t)!;
    const sub = t.type === 'supsub' ? (t.sub ?? null) : null;
    const sup = t.type === 'supsub' ? (t.sup ?? null) : null;
    const opSpan = this.sp(t.type === 'supsub' ? t.base! : t);
    if (s.done || !this.startsFactor(s))
      this.fail(this.sp(t), `${this.src(t.type === 'supsub' ? t.base! : t)} without a body`, 'an expression after it');
    // \\max(a, b) without a subscript: the larger of two (max2), a function called as \\min(a, b) is
    if (kind === 'max' && !sub && !sup && this.opensArguments(s))
      return { e: this.wordFunction(t, null, null, s, t), closed: true };
    if (kind === 'max' || kind === 'sup') return { e: this.supOp(t, kind, sub, sup, s), closed: false };
    if (!sub)
      this.fail(opSpan, `${this.src(t.type === 'supsub' ? t.base! : t)} without a range`, '_{i=a}^{b} or _{a<i\\le b}');
    const { key, v, vSpan, lo, hi } = this.range(sub, sup, opSpan);
    const inner: Scope = { bound: new Map([...this.scope.bound, [key, v]]), real: this.scope.real };
    // the body as written, from its first token to its last (a group's reading spans only its content)
    const from = this.sp(s.peek()!)[0];
    const group = this.groupBody(s, inner, v);
    let body = group?.body ?? this.term(s, inner);
    const to = this.sp(s.toks[s.i - 1]!)[1];
    const written = (a: number, b: number): string => this.parsed.source.slice(a, b).trim();
    const what = kind === 'sum' ? 'sum' : 'product';
    // ∏ W^T diag(…) ∇L without brackets: the trailing vector multiplies the product of the matrices (see below)
    const split = group || kind !== 'prod' ? null : this.trailingVector(body, v);
    if (split) body = split.body;
    let fn: 'prod' | 'sum' | 'hprod' = kind;
    if (fn === 'prod' && this.kind(body) === 'col') {
      fn = 'hprod';
      this.note(opSpan, '∏ of vectors read as the elementwise product ⨀ (hprod)');
    }
    if (group?.continues)
      this.note(
        opSpan,
        `the body of ${fn} is the group "${written(from, to)}" after it: what follows does not read ${v} and multiplies the ${what}`,
      );
    else if (split)
      this.note(
        opSpan,
        `the body of ${fn} is "${written(from, split.trailing[0]!.opSpan[0])}": "${written(split.trailing[0]!.opSpan[1], to)}" after it does not read ${v} and multiplies the product of the matrices (in the body, each factor would be a vector and the product elementwise, ⨀)`,
      );
    else this.note(opSpan, `the body of ${fn} runs to the end of its term: "${written(from, to)}"`);
    let e: E = { k: 'range', fn, v, vSpan, lo, hi, body, span: join(this.sp(t), body.span) };
    for (const r of split?.trailing ?? [])
      e = { k: 'bin', op: '*', l: e, r: r.e, span: join(e.span, r.e.span), opSpan: r.opSpan };
    return { e, closed: group?.continues ?? false };
  }

  /**
   * ∏_{i=1}^{k} \left(W^T D_i\right) ∇L, ∑_t (a_t) B: a group (in parentheses or brackets, with its scripts) right
   * after the operator is its whole body when nothing after it in the term reads the index — the vector after the
   * product multiplies the product (it was read into the body, and the product of vectors made elementwise: ⨀ of
   * Wᵀ D_i ∇L). Null when the body is no group, or when what follows reads the index (∑_k (a_k) b_k: the body runs to
   * the end of its term, as before); the stream is then where it was.
   */
  private groupBody(s: Stream, inner: Scope, v: string): { body: E; continues: boolean } | null {
    if (this.probing) return null;
    const t = s.peek();
    const groupNode = t?.type === 'supsub' ? t.base : t;
    const d = this.delimOf(t);
    const isGroup =
      (groupNode?.type === 'leftright' && ['(', '[', '\\lbrack'].includes(groupNode.left ?? '')) ||
      (d?.role === 'open' && (d.d === '(' || d.d === '[') && t!.type !== 'supsub');
    if (!isGroup) return null;
    const start = s.i;
    const [notes, free] = [this.notes.length, new Set(this.free)];
    const restore = (at: number, noteCount: number, names: ReadonlySet<string>): void => {
      s.i = at;
      this.notes.length = noteCount;
      this.free.clear();
      for (const name of names) this.free.add(name);
    };
    const saved = this.scope;
    let body: E;
    this.scope = inner;
    try {
      body = this.factor(s);
    } finally {
      this.scope = saved;
    }
    const [after, afterNotes, afterFree] = [s.i, this.notes.length, new Set(this.free)];
    const n = s.peek();
    const explicit =
      n?.type === 'atom' && n.family === 'bin'
        ? PRODUCT_OPS.has(n.text ?? '')
        : n?.type === 'textord' && (n.text === '.' || n.text === '/');
    if (!n || !(explicit || this.isEllipsis(n) || this.startsFactor(s))) return { body, continues: false };
    // what follows, read as the rest of the body would be: does it read the index? (A failed reading keeps the body
    // to the end of the term, where the error is found again.) Inside this look, a ∏ or ∑ in what follows takes
    // its body to the end of the term without looking itself — the same tokens, so the same indices are read —:
    // nested looks, each reading the rest of the formula again, took time exponential in the operators written.
    let readsIndex = true;
    this.probing++;
    try {
      if (explicit) s.next();
      if (!s.done) readsIndex = this.readsIndex(this.term(s, inner), v);
    } catch (err) {
      if (!(err instanceof LatexInputError)) throw err;
    } finally {
      this.probing--;
    }
    if (readsIndex) {
      restore(start, notes, free);
      return null;
    }
    restore(after, afterNotes, afterFree);
    return { body, continues: true };
  }

  /**
   * ∏_i W^T diag(1 − h_i²) ∇L, written without brackets: the body runs to the end of its term, so the vector ∇L, which
   * does not read i, made each factor a vector and the product elementwise (⨀ of Wᵀ D_i ∇L). The least surprising
   * reading ends the body before it — trailing factors that do not read the index, after a body that is a matrix:
   * the product of the matrices times the vector, as written with brackets. A trailing matrix stays in the body
   * (∏ diag(1 − h_i²) W: W is each step's factor), and so does a vector that reads the index (∏ f_i is ⨀, noted).
   */
  private trailingVector(body: E, v: string): { body: E; trailing: { e: E; opSpan: Span }[] } | null {
    if (this.kind(body) !== 'col') return null;
    const trailing: { e: E; opSpan: Span }[] = [];
    let rest = body;
    while (rest.k === 'bin' && rest.op === '*' && !this.readsIndex(rest.r, v)) {
      trailing.unshift({ e: rest.r, opSpan: rest.opSpan });
      rest = rest.l;
      if (this.kind(rest) === 'matrix') return { body: rest, trailing };
    }
    return null;
  }

  /** Whether a reading reads the index v: in a time, a unit, an entry, a bound, an exponent, or as a value. */
  private readsIndex(e: E, v: string): boolean {
    const asValue = (n: E): boolean =>
      (n.k === 'sym' && n.role === 'index' && n.name === v) || childrenOf(n).some(asValue);
    return asValue(e) || indicesOf(e).some((ix) => coefficient(affineOf(ix), v) !== 0);
  }

  /** `_{i=a}^{b}` or `_{a < i \le b}` → the bound variable and its range (bounds included). */
  private range(sub: KNode, sup: KNode | null, at: Span): { key: string; v: string; vSpan: Span; lo: Ix; hi: Ix } {
    const toks = this.clean(bodyList(sub));
    const rels: number[] = [];
    toks.forEach((t, i) => {
      if (t.type === 'atom' && t.family === 'rel') rels.push(i);
    });
    const name = (list: readonly KNode[]): { key: string; span: Span } => {
      const key = list.length === 1 ? symbolKey(list[0]!) : null;
      if (key === null) {
        const where = list.length ? join(this.sp(list[0]!), this.sp(list[list.length - 1]!)) : at;
        if (list.length === 1 && list[0]!.type === 'supsub')
          this.fail(
            where,
            `an indexed bound variable (${this.parsed.source.slice(where[0], where[1])}): sums over index paths Σ_{γ_1} ⋯ Σ_{γ_k} (pathsum) are not read from LaTeX`,
            'a single-letter bound variable',
          );
        this.fail(where, 'the bound variable must be a single letter', '_{i=1}^{k}');
      }
      return { key, span: this.sp(list[0]!) };
    };
    const bind = (key: string, span: Span): { v: string; vSpan: Span } => ({
      v: this.bindName(key, span),
      vSpan: span,
    });
    if (rels.length === 1 && toks[rels[0]!]!.text === '=') {
      if (!sup) this.fail(at, 'a range needs an upper bound', '_{i=a}^{b}');
      const { key, span } = name(toks.slice(0, rels[0]));
      const lo = this.index(toks.slice(rels[0]! + 1), this.sp(sub));
      const hi = this.index(this.clean(bodyList(sup)), this.sp(sup));
      return { key, ...bind(key, span), lo, hi };
    }
    if (rels.length === 2 && !sup) {
      const [r1, r2] = [toks[rels[0]!]!, toks[rels[1]!]!];
      const lt = (t: KNode): boolean | null =>
        t.text === '<' ? true : t.text === '\\le' || t.text === '\\leq' || t.text === '\\leqslant' ? false : null;
      const s1 = lt(r1);
      const s2 = lt(r2);
      if (s1 === null || s2 === null)
        this.fail(this.sp(r1), 'a range written with relations needs a < i ≤ b', '_{a<i\\le b} or _{i=a}^{b}');
      const { key, span } = name(toks.slice(rels[0]! + 1, rels[1]));
      let lo = this.index(toks.slice(0, rels[0]), this.sp(r1));
      let hi = this.index(toks.slice(rels[1]! + 1), this.sp(r2));
      if (s1)
        lo = {
          k: 'iadd',
          op: '+',
          l: lo,
          r: { k: 'inum', value: 1, span: this.sp(r1) },
          span: join(lo.span, this.sp(r1)),
          opSpan: this.sp(r1),
        };
      if (s2)
        hi = {
          k: 'iadd',
          op: '-',
          l: hi,
          r: { k: 'inum', value: 1, span: this.sp(r2) },
          span: join(hi.span, this.sp(r2)),
          opSpan: this.sp(r2),
        };
      lo = this.tidy(lo);
      hi = this.tidy(hi);
      return { key, ...bind(key, span), lo, hi };
    }
    if (rels.length === 0)
      this.fail(
        this.sp(sub),
        `a sum or product over '${this.src(sub)}' without its range`,
        '_{i=a}^{b} or _{a<i\\le b}',
      );
    return this.fail(this.sp(sub), 'unsupported range', '_{i=a}^{b} or _{a<i\\le b}');
  }

  /** `0+1` → `1`, `t-1-1` stays: only a constant bound is folded. */
  private tidy(ix: Ix): Ix {
    if (ix.k === 'iadd' && ix.l.k === 'inum' && ix.r.k === 'inum') {
      const value = ix.op === '+' ? ix.l.value + ix.r.value : ix.l.value - ix.r.value;
      return { k: 'inum', value, span: ix.l.span };
    }
    if (ix.k === 'iadd' && ix.r.k === 'inum' && ix.l.k === 'iadd' && ix.l.r.k === 'inum') {
      // k-2 … +1 → k-1
      const a = ix.l.op === '+' ? ix.l.r.value : -ix.l.r.value;
      const b = ix.op === '+' ? ix.r.value : -ix.r.value;
      const c = a + b;
      if (c === 0) return ix.l.l;
      return {
        k: 'iadd',
        op: c > 0 ? '+' : '-',
        l: ix.l.l,
        r: { k: 'inum', value: Math.abs(c), span: ix.l.r.span },
        span: ix.span,
        opSpan: ix.l.opSpan,
      };
    }
    return ix;
  }

  /** The ASCII name of a bound index: its own name unless that collides with a model symbol or an index in scope. */
  private bindName(key: string, span: Span): string {
    const own = defaultAscii(key);
    if (own === null) this.fail(span, `'${key}' cannot name an index`, 'a letter');
    if (!this.taken(own)) return own;
    const fresh = this.freshBound(new Set());
    this.note(
      span,
      `bound index '${own}' renamed to '${fresh}' ('${own}' is ${this.ctx.sequences.has(own) || this.ctx.parameters.has(own) ? 'a model symbol' : 'already an index here'})`,
    );
    return fresh;
  }

  private taken(name: string): boolean {
    const c = this.ctx;
    return (
      c.sequences.has(name) ||
      c.parameters.has(name) ||
      c.loss === name ||
      c.functions.has(name) ||
      c.indexVars.has(name) ||
      c.sizes.has(name) ||
      [...this.scope.bound.values()].includes(name)
    );
  }

  private freshBound(avoid: ReadonlySet<string>): string {
    for (const n of BOUND_NAMES) if (!this.taken(n) && !avoid.has(n)) return n;
    for (let i = 1; ; i++) if (!this.taken(`j${i}`) && !avoid.has(`j${i}`)) return `j${i}`;
  }

  /** A typical size of an index name, to decide which way a ⋯ runs when the bounds are symbolic (T > t > s > k > others). */
  private magnitude(name: string): number {
    if (name === 'T' || this.ctx.sizes.has(name)) return name === 'T' ? 10_000 : 1_000;
    return TYPICAL_INDEX_SIZE.get(name) ?? 10;
  }

  /** max_x |f(x)| and sup_x |f(x)| → supabs(x, f(x)); with a power outside or inside the bars. */
  private supOp(t: KNode, kind: 'max' | 'sup', sub: KNode | null, sup: KNode | null, s: Stream): E {
    const opSpan = this.sp(t.type === 'supsub' ? t.base! : t);
    if (!sub || sup) this.fail(opSpan, `\\${kind} needs its variable as a subscript`, `\\${kind}_x |f(x)|`);
    const list = this.clean(bodyList(sub));
    const key = list.length === 1 ? symbolKey(list[0]!) : null;
    const name = key === null ? null : defaultAscii(key);
    if (key === null || name === null)
      this.fail(
        this.sp(sub),
        `\\${kind} over '${this.src(sub)}': only a real variable is supported`,
        `\\${kind}_x |f(x)|`,
      );
    const vSpan = this.sp(sub);
    const inner: Scope = { bound: this.scope.bound, real: new Map([...this.scope.real, [key, name]]) };
    const body = this.term(s, inner);
    const span = join(this.sp(t), body.span);
    if (body.k === 'call' && body.fn === 'abs') return { k: 'supabs', v: name, vSpan, body: body.args[0]!, span };
    if (body.k === 'pow' && body.base.k === 'call' && body.base.fn === 'abs') {
      this.note(opSpan, `\\${kind}_${name} |f|^p read as (sup |f|)^p (equal for p > 0)`);
      return { ...body, base: { k: 'supabs', v: name, vSpan, body: body.base.args[0]!, span: body.base.span }, span };
    }
    return this.fail(
      body.span,
      `\\${kind}_${name} of something other than an absolute value`,
      `\\${kind}_${name} |f(${name})| (gradproof checks sup |f|: supabs)`,
    );
  }

  // ─── factors ───────────────────────────────────────────────────────────────────────

  private scope: Scope = EMPTY_SCOPE;

  private factor(s: Stream): E {
    const t = s.peek()!;
    const d = this.delimOf(t);
    if (d && (d.role === 'open' || d.role === 'bar') && t.type !== 'supsub') return this.delimited(s);
    if (d && d.role === 'close') this.fail(this.sp(t), `unbalanced '${this.src(t)}'`);
    if (d && t.type === 'supsub') this.fail(this.sp(t), `unexpected '${this.src(t)}'`);
    s.next();
    return this.primary(t, s);
  }

  /** ( … ), [ … ], | … |, ‖ … ‖ written with plain delimiters; scripts on the closing one apply to the group. */
  private delimited(s: Stream): E {
    const openTok = s.next();
    const open = this.delimOf(openTok)!;
    let kind: Delim['d'] = open.d;
    if (
      open.d === '|' &&
      openTok.type === 'textord' &&
      openTok.text === '|' &&
      this.sp(openTok)[1] === this.sp(s.peek() ?? openTok)[0] &&
      this.delimOf(s.peek())?.d === '|'
    ) {
      s.next();
      kind = '‖';
    }
    const isBar = kind === '|' || kind === '‖';
    if (isBar) this.bars.push(kind as '|' | '‖');
    const items: E[] = [];
    let close: Delim | null;
    let closeSpan: Span;
    let closeNode: KNode | undefined;
    try {
      for (;;) {
        if (s.done) this.fail(this.sp(openTok), `'${this.src(openTok)}' is never closed`);
        items.push(this.sum(s));
        const n = s.peek();
        if (!n) this.fail(this.sp(openTok), `'${this.src(openTok)}' is never closed`);
        if (n.type === 'atom' && n.family === 'punct' && n.text === ',') {
          s.next();
          continue;
        }
        const cd = this.delimOf(n);
        if (cd && (cd.role === 'close' || cd.role === 'bar')) {
          s.next();
          close = cd;
          closeSpan = this.sp(n);
          closeNode = n;
          if (kind === '‖' && cd.d === '|' && n.type === 'textord') {
            const n2 = s.peek();
            const c2 = this.delimOf(n2);
            if (!c2 || c2.d !== '|') this.fail(closeSpan, `'‖' closed by a single '|'`);
            s.next();
            close = c2;
            closeSpan = join(closeSpan, this.sp(n2!));
            closeNode = n2!;
          }
          break;
        }
        this.fail(
          this.sp(n),
          `unexpected '${this.src(n)}'`,
          `',' or the closing ${kind === '(' ? ')' : kind === '[' ? ']' : kind}`,
        );
      }
    } finally {
      if (isBar) this.bars.pop();
    }
    if (close.d !== kind && !(kind === '‖' && close.d === '|'))
      this.fail(
        closeSpan,
        `'${this.src(openTok)}' closed by '${this.parsed.source.slice(closeSpan[0], closeSpan[1])}'`,
      );
    const span = join(this.sp(openTok), closeSpan);
    const group = this.groupOf(kind, items, span, openTok);
    // \|W\|_2^10 is \|W\|_2^1 · 0, as 2^10 is
    if (closeNode?.type === 'supsub') this.digitAfterScript(closeNode, s);
    return this.scripts(group, close.sup, close.sub, span);
  }

  private groupOf(kind: Delim['d'], items: readonly E[], span: Span, at: KNode | Span): E {
    const where = Array.isArray(at) ? (at as Span) : this.sp(at as KNode);
    if (kind === '|' || kind === '‖') {
      if (items.length !== 1) this.fail(where, 'a norm or absolute value of a list');
      return { k: 'call', fn: kind === '|' ? 'abs' : 'norm2', args: items, span };
    }
    // h_t[2], h_t [-1], h_t[k]: an entry, as programs write it — it was read as the product h_t · 2. After a value (the
    // source before '[' ends a symbol, a group or a script; spaces render as nothing), with one integer or index inside.
    const only = items[0];
    const integer = (e: E | undefined): boolean =>
      (e?.k === 'num' && /^[0-9]+$/.test(e.text)) ||
      (e?.k === 'neg' && integer(e.arg)) ||
      e?.k === 'ix' ||
      (e?.k === 'sym' && e.role === 'index');
    const before = this.parsed.source.slice(0, where[0]).replace(/\s+$/, '');
    if (kind === '[' && items.length === 1 && integer(only) && /(^|[^\\a-zA-Z])[A-Za-z0-9})\]]$/.test(before)) {
      const inside = this.parsed.source.slice(where[0] + 1, span[1] - 1).trim();
      this.fail(
        span,
        `'[${inside}]' right after a value: an entry (as code indexes) or a product with ${inside}?`,
        `the entry in the file's own notation (a unit index), or an explicit product (\\cdot ${inside})`,
      );
    }
    if (items.length === 1) return { ...items[0]!, span: items[0]!.span };
    if (kind === '[' || kind === '(') {
      if (items.every((i) => this.kind(i) === 'col' || this.kind(i) === 'unknown')) {
        this.note(where, `[${items.length} vectors] read as their stacking [a; b]`);
        return { k: 'concat', items, span };
      }
    }
    return this.fail(
      where,
      `a list of ${items.length} items in ${kind}…`,
      'a single expression, or [h_{t-1}, x_t] stacking vectors',
    );
  }

  private primary(t: KNode, s: Stream): E {
    switch (t.type) {
      case 'supsub':
        return this.scripted(t, s);
      case 'ordgroup': {
        const inner = new Stream(this.clean(bodyList(t)));
        if (inner.done) this.fail(this.sp(t), 'empty group');
        const e = this.sum(inner);
        if (!inner.done) this.fail(this.sp(inner.peek()!), `unexpected '${this.src(inner.peek()!)}'`);
        return e;
      }
      case 'leftright':
        return this.leftright(t);
      case 'genfrac':
        return this.frac(t);
      case 'sqrt': {
        // \sqrt{d}: the registry's sqrt (its LaTeX is \sqrt{…}); an n-th root has none
        if (t.index)
          this.fail(this.sp(t), `an n-th root '${this.src(t).trim()}'`, '\\sqrt{x}, or x^{1/n} written out as a power');
        const arg = this.argument(this.clean(bodyList(t.body as KNode)), this.sp(t));
        this.elementwiseOnly('\\sqrt{…}', arg, this.sp(t));
        return { k: 'call', fn: 'sqrt', args: [arg], span: this.sp(t) };
      }
      case 'textord':
      case 'mathord':
        if (/^[0-9]$/.test(t.text ?? '')) return this.number(t, s);
        if (t.text === '\\partial') this.fail(this.sp(t), '∂ outside a fraction', '\\frac{\\partial a}{\\partial b}');
        if (t.text === '\\nabla') this.fail(this.sp(t), '∇ without a subscript', '\\nabla_{x} L');
        if (t.text === '\\infty') this.fail(this.sp(t), '∞ as a value');
        return this.symbol(t, null, null, s, t);
      case 'font':
      case 'accent': {
        if (t.type === 'accent' && t.base?.type === 'supsub' && symbolKey({ ...t, base: t.base.base }) !== null) {
          // \tilde{s_t}: the accent over a subscripted symbol, read as \tilde{s}_t
          this.note(t, `${this.src(t)} read as ${t.label}{${this.src(t.base.base!)}} with the scripts outside`);
          const moved = {
            type: 'supsub',
            base: { ...t, base: t.base.base },
            sub: t.base.sub ?? null,
            sup: t.base.sup ?? null,
          } as KNode;
          return this.symbol(moved.base!, moved.sub ?? null, moved.sup ?? null, s, t);
        }
        const key = symbolKey(t);
        if (key === null)
          this.fail(this.sp(t), `unsupported ${t.type === 'font' ? `font \\${t.font}` : `accent ${t.label}`} here`);
        if (key === '1' && t.type === 'font') {
          this.note(t, '\\mathbf{1} (the vector of ones) read as the scalar 1, broadcast');
          return { k: 'num', text: '1', span: this.sp(t) };
        }
        if (/^[0-9]+$/.test(key)) return { k: 'num', text: key, span: this.sp(t) };
        return this.symbol(t, null, null, s, t);
      }
      case 'op':
      case 'operatorname':
      case 'text':
        return this.wordFunction(t, null, null, s, t);
      case 'array':
        return this.array(t);
      case 'horizBrace':
        this.note(t, `${t.label} read as its content`);
        return this.primary(t.base!, s);
      default:
        if (t.type === 'atom' && t.family === 'bin' && PRODUCT_OPS.has(t.text ?? ''))
          this.fail(this.sp(t), `'${this.src(t)}' without a left operand`, 'an operand');
        if (t.type === 'atom' && t.family === 'punct')
          this.fail(this.sp(t), `unexpected '${this.src(t)}'`, 'an operand');
        if (t.type === 'atom' && t.family === 'bin')
          this.fail(this.sp(t), `the operator '${this.src(t)}' is not supported`, '+ − \\cdot \\odot');
        // a node's `text` is not always a string (\mathchoice carries its four branches there): its source instead
        return this.fail(
          this.sp(t),
          `unsupported construct (${t.type}${typeof t.text === 'string' && t.text ? ` ${t.text}` : ''}): '${this.src(t)}'`,
        );
    }
  }

  /** 2^10 is 2¹·0 in LaTeX (a script takes one token): a digit right after a one-digit script was surely meant in it. */
  private digitAfterScript(scripted: KNode, s: Stream): void {
    const script = scripted.sup ?? scripted.sub;
    const next = s.peek();
    if (
      script?.type === 'textord' &&
      /^[0-9]$/.test(script.text ?? '') &&
      next?.type === 'textord' &&
      /^[0-9]$/.test(next.text ?? '') &&
      this.sp(next)[0] === this.sp(scripted)[1]
    )
      this.fail(
        join(this.sp(scripted), this.sp(next)),
        `'${this.src(scripted)}${this.src(next)}' is ${this.src(scripted)}·${this.src(next)} in LaTeX (a script takes one token)`,
        `braces around the script: ^{${script.text}${next.text}}`,
      );
  }

  /**
   * h_t-1 is h_t − 1 in LaTeX (a script takes one token), though surely meant as the step before: a one-letter
   * subscript with ± and a digit, an index or a size glued after it, no space between, is refused (it was read h_t − 1 without a word, and
   * `h_t = \tanh(W h_t-1 + U x_t + b)`, the model's own equation, was refuted: a review's). Spaced, `h_t - 1` is the
   * difference, as written.
   */
  private stepAfterScript(scripted: KNode, s: Stream): void {
    const sub = scripted.sub;
    const [sign, step] = [s.peek(), s.peek(1)];
    if (
      sub?.type === 'mathord' &&
      sign?.type === 'atom' &&
      (sign.text === '-' || sign.text === '+') &&
      this.sp(sign)[0] === this.sp(scripted)[1] &&
      step !== undefined &&
      (step.type === 'textord' || step.type === 'mathord') &&
      // a digit, or an index or size (h_T-k): x_t+b, a bias added, is a sum as written (the 2016 post's eq. (6))
      (/^[0-9]$/.test(step.text ?? '') ||
        this.ctx.indexVars.has(step.text ?? '') ||
        this.ctx.sizes.has(step.text ?? '')) &&
      this.sp(step)[0] === this.sp(sign)[1]
    ) {
      const glued = `${this.src(scripted)}${sign.text}${this.src(step)}`;
      this.fail(
        join(this.sp(scripted), this.sp(step)),
        `'${glued}' is ${this.src(scripted)} ${sign.text} ${this.src(step)} in LaTeX (a script takes one token)`,
        `braces for the step: ${this.src(scripted.base!)}_{${sub.text}${sign.text}${step.text}}, or spaces for the ${sign.text === '-' ? 'difference' : 'sum'}: ${this.src(scripted)} ${sign.text} ${this.src(step)}`,
      );
    }
  }

  private number(t: KNode, s: Stream): E {
    let text = t.text!;
    let end = this.sp(t)[1];
    /** the digit a superscripted or subscripted node is written on (KaTeX puts `10^{-20}`'s script on the 0 alone) */
    const scriptedDigit = (n: KNode | undefined): KNode | null =>
      n?.type === 'supsub' && n.base?.type === 'textord' && /^[0-9]$/.test(n.base.text ?? '') ? n.base : null;
    const isDigit = (n: KNode | undefined): boolean =>
      !!n && (n.type === 'textord' || n.type === 'mathord') && /^[0-9]$/.test(n.text ?? '');
    for (;;) {
      const n = s.peek();
      if (isDigit(n) && this.sp(n!)[0] === end) {
        text += n!.text;
        end = this.sp(n!)[1];
        s.next();
        continue;
      }
      // the number's last digit carries the script: the script is the whole number's (10^{-20} is 10⁻²⁰, not 1·0⁻²⁰)
      const digit = scriptedDigit(n);
      if (digit && this.sp(digit)[0] === end) {
        s.next();
        this.digitAfterScript(n!, s);
        const number: E = { k: 'num', text: text + digit.text!, span: [this.sp(t)[0], this.sp(digit)[1]] };
        return this.scripts(number, n!.sup ?? null, n!.sub ?? null, [this.sp(t)[0], this.sp(n!)[1]]);
      }
      const n2 = s.peek(1);
      const nextDigit = isDigit(n2) ? n2! : scriptedDigit(n2);
      if (
        n &&
        n.type === 'textord' &&
        n.text === '.' &&
        this.sp(n)[0] === end &&
        nextDigit &&
        this.sp(nextDigit)[0] === end + 1
      ) {
        text += '.';
        end += 1;
        s.next();
        continue;
      }
      break;
    }
    return { k: 'num', text, span: [this.sp(t)[0], end] };
  }

  private array(t: KNode): E {
    const rows = (t.body ?? []) as readonly (readonly KNode[])[];
    if (!rows.length || rows.some((r) => r.length !== 1))
      this.fail(this.sp(t), 'a matrix literal', 'a column of vectors to stack');
    const items = rows.map((r) => {
      const st = new Stream(this.clean(bodyList(r[0])));
      return this.sum(st);
    });
    return { k: 'concat', items, span: this.sp(t) };
  }

  /** \left … \right: ( ), [ ], | |, ‖ ‖, and \left. … \right| (the evaluation bar of a partial derivative, handled by the caller). */
  private leftright(t: KNode): E {
    const body = this.clean((t.body as readonly KNode[]) ?? []);
    const parts: KNode[][] = [[]];
    for (const n of body) {
      if (n.type === 'atom' && n.family === 'punct' && n.text === ',') parts.push([]);
      else parts[parts.length - 1]!.push(n);
    }
    const left = t.left ?? '';
    const kind: Delim['d'] | null =
      left === '('
        ? '('
        : left === '[' || left === '\\lbrack'
          ? '['
          : left === '|' || left === '\\vert' || left === '\\lvert'
            ? '|'
            : left === '\\|' || left === '\\Vert' || left === '\\lVert'
              ? '‖'
              : left === '.'
                ? null
                : '{';
    if (kind === '{') this.fail(this.sp(t), `\\left${left} is not supported`);
    const isBar = kind === '|' || kind === '‖';
    if (isBar) this.bars.push(kind);
    try {
      const items = parts.map((p) => {
        const st = new Stream(p);
        if (st.done) this.fail(this.sp(t), 'empty item');
        const e = this.sum(st);
        if (!st.done) this.fail(this.sp(st.peek()!), `unexpected '${this.src(st.peek()!)}'`);
        return e;
      });
      if (kind === null) {
        if (items.length !== 1) this.fail(this.sp(t), 'a list inside \\left. … \\right');
        return items[0]!;
      }
      return this.groupOf(kind, items, this.sp(t), t);
    } finally {
      if (isBar) this.bars.pop();
    }
  }

  // ─── scripts ───────────────────────────────────────────────────────────────────────

  private primesOf(sup: KNode | null): { primes: number; rest: KNode[] } {
    if (!sup) return { primes: 0, rest: [] };
    const list = this.clean(bodyList(sup));
    let primes = 0;
    while (primes < list.length && list[primes]!.type === 'textord' && list[primes]!.text === '\\prime') primes++;
    // h_t'' was read as h_t′ (dact): no second derivative has a reading
    if (primes > 1) this.fail(this.sp(sup), 'a second derivative (′′)', "one prime: f'(z)");
    return { primes, rest: list.slice(primes) };
  }

  private scripted(t: KNode, s: Stream): E {
    // `^2 \le 1`, `_t = 1`, a lone prime: KaTeX gives the script an empty base (it was an internal error)
    if (!t.base)
      return this.fail(
        this.withScriptMark(this.sp(t)),
        `a ${t.sup ? 'superscript or prime' : 'subscript'} with nothing before it`,
        "a symbol before ^, _ or ' (h_t, W^T, h'_t)",
      );
    this.digitAfterScript(t, s);
    this.stepAfterScript(t, s);
    let base = t.base;
    // \boldsymbol{o} is an mclass wrapper around the symbol
    while (base.type === 'mclass' && Array.isArray(base.body) && base.body.length === 1)
      base = (base.body as readonly KNode[])[0]!;
    const sub = t.sub ?? null;
    const sup = t.sup ?? null;
    switch (base.type) {
      case 'textord':
        if (base.text === '\\nabla') return this.nabla(t, sub, sup, s);
        if (/^[0-9]$/.test(base.text ?? '')) {
          return this.scripts({ k: 'num', text: base.text!, span: this.sp(base) }, sup, sub, this.sp(t));
        }
        return this.symbol(base, sub, sup, s, t);
      case 'mathord':
      case 'font':
      case 'accent':
        // e^{-x}, as σ(x) = 1/(1 + e^{-x}) is written: exp, where the file gives e no other meaning (it was "unknown symbol 'e'")
        if (base.type === 'mathord' && base.text === 'e' && sup && !sub && !this.namesE() && this.isExponent(sup)) {
          const power = this.argument(this.clean(bodyList(sup)), this.sp(sup));
          this.elementwiseOnly('e^{…}', power, this.sp(t));
          this.note(t, `e^{…} read as exp(…)`);
          return { k: 'call', fn: 'exp', args: [power], span: this.sp(t) };
        }
        if (base.type === 'font' && symbolKey(base) === null) return this.wordFunction(base, sub, sup, s, t);
        return this.symbol(base, sub, sup, s, t);
      case 'op':
      case 'operatorname':
      case 'text':
        return this.wordFunction(base, sub, sup, s, t);
      case 'leftright':
        // \right|_{x}^{T}: the superscript is the held derivative's, read as on any other value (it was dropped)
        if (base.left === '.' && base.right === '|' && sub)
          return this.scripts(this.evaluationBar(base, sub, t), sup, null, this.sp(t));
        return this.scripts(this.leftright(base), sup, sub, this.sp(t));
      case 'genfrac':
        return this.scripts(this.frac(base), sup, sub, this.sp(t));
      case 'sqrt':
        return this.scripts(this.primary(base, s), sup, sub, this.sp(t));
      case 'ordgroup': {
        const inner = this.primary(base, s);
        return this.scripts(inner, sup, sub, this.sp(t));
      }
      case 'horizBrace':
        this.note(t, `${base.label} and its annotation dropped`);
        return this.primary(base.base!, s);
      default:
        return this.fail(this.sp(t), `unsupported scripted construct (${base.type})`);
    }
  }

  /** Sub/superscripts on something that is not a symbol: a group, a norm, a derivative. */
  private scripts(e: E, sup: KNode | null, sub: KNode | null, span: Span): E {
    let out = e;
    if (sub) {
      if (out.k === 'call' && out.fn === 'norm2') {
        const w = this.clean(bodyList(sub));
        const word =
          w.length === 1 && w[0]!.type === 'op'
            ? (w[0]!.name ?? '')
            : (wordOf(w) ?? (w.length === 1 ? (w[0]!.text ?? '') : ''));
        const fn =
          word === '2'
            ? 'norm2'
            : word === 'F'
              ? 'normF'
              : word === '\\infty'
                ? 'normInf'
                : word === '\\max' || word === 'max'
                  ? 'normMax'
                  : null;
        if (!fn)
          this.fail(this.sp(sub), `norm ‖·‖_${this.src(sub)} is not supported`, '‖·‖, ‖·‖_2, ‖·‖_F, ‖·‖_\\infty');
        out = { ...out, fn, span: join(out.span, this.sp(sub)) };
      } else this.fail(this.sp(sub), 'a subscript on this expression has no reading');
    }
    if (sup) out = this.superscript(out, sup, span);
    return out;
  }

  /** A superscript on a value: primes, transposes, powers. */
  private superscript(e: E, sup: KNode, span: Span): E {
    const { primes, rest } = this.primesOf(sup);
    let out = e;
    const at = this.sp(sup);
    if (primes) {
      if (out.k === 'seq') out = { k: 'call', fn: 'dact', args: [out], span: join(out.span, at) };
      else this.fail(at, 'a prime on this expression', "f'(x) on an activation, or x'_t on a sequence (dact)");
      this.note(
        at,
        `${this.printName(e)}′ read as dact (the derivative of the activation that defines ${this.printName(e)})`,
      );
    }
    if (!rest.length) return out;
    return this.power(out, rest, at, span);
  }

  private isTransposeMark(list: readonly KNode[]): boolean {
    if (list.length !== 1) return false;
    const n = list[0]!;
    return (
      (n.type === 'textord' || n.type === 'atom' || n.type === 'mathord') &&
      (n.text === '\\top' || n.text === '\\intercal' || n.text === '\\mathsf{T}')
    );
  }

  private isLetterT(list: readonly KNode[]): KNode | null {
    if (list.length !== 1) return null;
    const key = symbolKey(list[0]!);
    return key !== null && this.ctx.transposeLetters.has(key) ? list[0]! : null;
  }

  /** e^{…}: ⊤, a transpose letter, ⊙2, or a power (.^ on vectors, ^ on scalars and square matrices). */
  private power(e: E, list: readonly KNode[], at: Span, _span: Span): E {
    const full = join(e.span, at);
    if (this.isTransposeMark(list)) return { k: 'tr', arg: e, span: full, opSpan: at };
    const T = this.isLetterT(list);
    if (T) {
      const letter = symbolKey(T)!;
      if (this.kind(e) === 'scalar') {
        // a scalar's transpose is itself: ‖W‖_2^T, where T is also the horizon, means the T-th power (it was read
        // norm2(W)', and the bound the emitter writes for norm2(W)^T came back refuted)
        const role = this.indexRole(letter);
        if (!role) {
          this.note(
            at,
            `^${letter} on a scalar read as its transpose, the scalar itself (${letter} names no size or index here)`,
          );
          return { k: 'tr', arg: e, span: full, opSpan: at };
        }
        this.note(
          at,
          `^${letter} on a scalar read as the ${letter}-th power (${letter} is ${role} here; a scalar's transpose is itself: ^\\top writes one)`,
        );
      } else {
        if (this.ctx.sizes.has(letter) && this.kind(e) === 'matrix')
          this.note(at, `^${letter} read as a transpose (a transpose letter here), not the ${letter}-th power`);
        return { k: 'tr', arg: e, span: full, opSpan: at };
      }
    }
    if (list.length === 2 && list[0]!.type === 'atom' && list[0]!.text === '\\odot') {
      const n = this.index(list.slice(1), at);
      if (n.k !== 'inum') this.fail(at, 'an elementwise power needs a number', 'x^{\\odot 2}');
      return {
        k: 'pow',
        op: '.^',
        base: e,
        exp: { k: 'num', text: String(n.value), span: at },
        span: full,
        opSpan: at,
      };
    }
    if (list.length === 1 && list[0]!.type === 'textord' && list[0]!.text === '\\prime')
      this.fail(at, 'a prime after a superscript');
    const exp = this.exponent(list, at);
    const kind = this.kind(e);
    if (exp.k === 'num' && exp.text.startsWith('-')) this.fail(at, 'a negative power (an inverse) is not supported');
    if (kind === 'col' || kind === 'row') {
      if (exp.k !== 'num')
        this.fail(
          at,
          `a vector raised to the power ${this.parsed.source.slice(at[0], at[1])}`,
          'a number (elementwise power)',
          ['elementwise power: only a constant exponent', 'a unit index h_t^α: only on a sequence'],
        );
      this.note(at, `^${exp.text} on a vector read as the elementwise power .^${exp.text}`);
      return { k: 'pow', op: '.^', base: e, exp, span: full, opSpan: at };
    }
    if (kind === 'matrix')
      this.note(
        at,
        `^${this.parsed.source.slice(at[0], at[1]).replace(/^\{|\}$/g, '')} on a matrix read as the matrix power`,
      );
    return { k: 'pow', op: '^', base: e, exp, span: full, opSpan: at };
  }

  /** What a letter names as an index here: an index bound by ∏/∑, a quantified index, a size (also through the symbol map). */
  private indexRole(key: string): string | null {
    if (this.scope.bound.has(key)) return 'the bound index';
    const name = this.maps.symbols.get(key) ?? defaultAscii(key);
    if (name === null) return null;
    return this.ctx.indexVars.has(name) ? 'a quantified index' : this.ctx.sizes.has(name) ? 'a size' : null;
  }

  /** An exponent: a number, or an index expression (k, t−k+1). */
  private exponent(list: readonly KNode[], at: Span): E {
    if (
      list.length &&
      list.every((n) => /^[0-9]$/.test(n.text ?? '') && (n.type === 'textord' || n.type === 'mathord'))
    ) {
      return { k: 'num', text: list.map((n) => n.text).join(''), span: at };
    }
    const ix = this.index(list, at);
    if (ix.k === 'inum') return { k: 'num', text: String(ix.value), span: at };
    return { k: 'ix', ix, span: at };
  }

  // ─── symbols ───────────────────────────────────────────────────────────────────────

  /** Resolves a symbol key: compound subscript names first, then the symbol maps and the defaults. */
  /** A superscript that is an exponent: not a transpose letter (e^T, a unit vector's), not a bracketed time (e^{[t]}). */
  private isExponent(sup: KNode): boolean {
    const tokens = this.clean(bodyList(sup));
    const first = tokens[0];
    if (!first) return false;
    const transpose =
      this.ctx.transposeLetters.has(first.text ?? '') || ['\\top', '\\intercal'].includes(first.text ?? '');
    if (tokens.length === 1 && transpose) return false;
    return this.delimOf(first)?.role !== 'open';
  }

  /** e^{W}, \\sqrt{W^T W}: on a matrix these mean the matrix function, which has no reading (exp, sqrt are entrywise). */
  private elementwiseOnly(what: string, arg: E, span: Span): void {
    if (this.kind(arg) === 'matrix')
      this.fail(
        span,
        `${what} of a matrix: the matrix function has no reading here (only the entrywise one)`,
        'a scalar or a vector argument',
      );
  }

  /** Whether 'e' means something in this file or formula (a symbol, a size, an index, a bound variable, a map entry). */
  private namesE(): boolean {
    const c = this.ctx;
    return (
      this.maps.symbols.has('e') ||
      this.maps.timedSymbols.has('e') ||
      this.scope.bound.has('e') ||
      this.scope.real.has('e') ||
      [c.sequences, c.parameters, c.sizes, c.indexVars, c.functions].some((names) => names.has('e')) ||
      c.loss === 'e'
    );
  }

  private resolveKey(key: string, subWord: string | null, at: KNode, timed: boolean): Resolved {
    const classify = (name: string): Resolved | null => {
      if (name.includes('[')) return { kind: 'raw', name };
      if (BUILTIN_FUNCTIONS.has(name) || this.ctx.functions.has(name)) return { kind: 'fn', fn: name };
      if (this.ctx.sequences.has(name)) return { kind: 'seq', name };
      if (this.ctx.parameters.has(name)) return { kind: 'param', name };
      if (this.ctx.loss === name) return { kind: 'loss', name };
      if (this.ctx.sizes.has(name) || this.ctx.indexVars.has(name)) return { kind: 'index', name };
      return null;
    };
    const boundName = this.scope.bound.get(key);
    if (boundName !== undefined && subWord === null) return { kind: 'index', name: boundName };
    const realName = this.scope.real.get(key);
    if (realName !== undefined && subWord === null) return { kind: 'real', name: realName };
    if (timed) {
      const tv = this.maps.timedSymbols.get(key);
      if (tv !== undefined) {
        const r = classify(tv);
        if (r) return r;
      }
    }
    const mapped = this.maps.symbols.get(key) ?? this.maps.timedSymbols.get(key);
    const asciiBase = mapped ?? defaultAscii(key);
    if (mapped !== undefined) {
      const r = classify(mapped);
      if (r) return r;
      const builtIn = LATEX_FUNCTIONS.get(key);
      if (builtIn) return { kind: 'fn', fn: builtIn };
      this.fail(this.sp(at), `the symbol map sends '${key}' to '${mapped}', which is not declared`);
    }
    if (asciiBase === null)
      this.fail(this.sp(at), `no name for '${key}'`, `a symbol-map entry such as '${key}' → a model symbol`);
    const r = classify(asciiBase);
    if (r) return r;
    const builtIn = LATEX_FUNCTIONS.get(key);
    if (builtIn) return { kind: 'fn', fn: builtIn };
    // Upper-case symbol for a lower-case entry (v_ij of V) is handled by the caller.
    return this.unknown(at, key);
  }

  /** Letters run together into words (`if the value …`): a sentence pasted where a formula belongs. */
  private prose(at: number): void {
    const rest = this.parsed.source.slice(at);
    if (/^[A-Za-z]{4,}/.test(rest) || /^[A-Za-z]{2,}[ ,.;:]+[A-Za-z]{2,}[ ,.;:]+[A-Za-z]{2,}/.test(rest)) {
      const word = /^[A-Za-z]+/.exec(rest)![0];
      this.fail(
        [at, at + word.length],
        `this reads as prose ('${rest.slice(0, 28).trim()}…'), not a formula`,
        'a formula (words belong in the note, or in \\text{…} beside the formula)',
      );
    }
  }

  private unknown(at: KNode, key: string): never {
    const [a] = this.sp(at);
    const word = /^[A-Za-z]{3,}/.exec(this.parsed.source.slice(a));
    if (word && !key.startsWith('\\'))
      this.fail(
        [a, a + word[0].length],
        `this reads as prose ('${this.parsed.source.slice(a, a + 24).trim()}…'), not a formula`,
        'a formula (words belong in \\text{…} outside the formula)',
      );
    return this.fail(
      this.sp(at),
      `unknown symbol '${key}'`,
      'a model symbol, a size, an index in scope, or a symbol-map entry',
    );
  }

  /**
   * A symbol with its scripts: `h_t`, `\mathbf{h}^{[\tau-k]}`, `W_f`, `W^T`, `x^2`, `o'_t`, `y_1^i`, `v_{ij}`,
   * `\mathcal{L}_t(\theta)`, or a function name (σ, σ_y, \mathcal{D}) applied to what follows.
   */
  private symbol(base: KNode, sub: KNode | null, sup: KNode | null, s: Stream, whole: KNode): E {
    const key = symbolKey(base);
    if (key === null) this.fail(this.sp(base), `unsupported construct '${this.src(base)}'`);
    if (base.type === 'mathord' && !key.startsWith('\\')) this.prose(this.sp(base)[0]);
    const { primes, rest: supRest } = this.primesOf(sup);
    const subList = sub ? this.clean(bodyList(sub)) : [];
    const subWord = sub ? wordOf(subList) : null;
    const span = this.sp(whole);

    // 1. compound names: W_f, b_o, W_{rec}, sigma_y (a symbol-map entry for the subscripted name, or a declared name)
    if (subWord !== null) {
      const compoundKey = `${key}_{${subWord}}`;
      if (this.maps.symbols.has(compoundKey))
        return this.finishSymbol(
          this.resolveKey(compoundKey, null, base, false),
          base,
          null,
          supRest,
          primes,
          sup,
          s,
          span,
          whole,
        );
      const head = this.maps.symbols.get(key) ?? defaultAscii(key);
      const ascii = head === null ? null : `${head}_${subWord}`;
      const c = this.ctx;
      if (ascii !== null && (c.parameters.has(ascii) || c.sequences.has(ascii) || c.functions.has(ascii))) {
        const named: Resolved = c.functions.has(ascii)
          ? { kind: 'fn', fn: ascii }
          : c.parameters.has(ascii)
            ? { kind: 'param', name: ascii }
            : { kind: 'seq', name: ascii };
        return this.finishSymbol(named, base, null, supRest, primes, sup, s, span, whole);
      }
    }
    // 2. index-level entries: v_{ij} of the matrix V
    const timedHere = !!sub || (this.ctx.time !== 'subscript' && supRest.length > 0);
    let r: Resolved;
    try {
      r = this.resolveKey(key, null, base, timedHere);
    } catch (err) {
      const upper = /^[a-z]$/.test(key) ? key.toUpperCase() : null;
      if (upper && sub && this.ctx.parameters.has(upper) && (this.ctx.shapes?.get(upper)?.length ?? 2) === 2) {
        const idx = this.indexList(subList, this.sp(sub));
        if (idx.length === 2) {
          this.note(base, `${key}_{…} read as the entry ${upper}[…] of the matrix ${upper}`);
          const e: E = { k: 'entry', name: upper, idx, span };
          return sup ? this.superscript(e, sup, span) : e;
        }
      }
      throw err;
    }
    return this.finishSymbol(r, base, sub, supRest, primes, sup, s, span, whole);
  }

  private finishSymbol(
    r: Resolved,
    base: KNode,
    sub: KNode | null,
    supRest: readonly KNode[],
    primes: number,
    sup: KNode | null,
    s: Stream,
    span: Span,
    whole: KNode,
  ): E {
    const baseSpan = this.sp(base);
    const supSpan: Span = sup ? this.sp(sup) : baseSpan;
    switch (r.kind) {
      case 'fn':
        return this.applyFunction(r.fn, baseSpan, sub, supRest, primes, supSpan, s, whole);
      case 'loss': {
        if (sub)
          this.note(sub, `the subscript of the loss ${this.src(base)} is dropped (${r.name} is the file's loss)`);
        if (supRest.length) this.fail(supSpan, 'a superscript on the loss');
        const e: E = { k: 'sym', name: r.name, role: 'loss', span: baseSpan };
        const argOpen = this.delimOf(s.peek());
        const hasArg =
          (argOpen?.role === 'open' && argOpen.d === '(' && s.peek()!.type !== 'supsub') ||
          (s.peek()?.type === 'leftright' && s.peek()!.left === '(');
        if (primes) {
          if (!hasArg) this.fail(supSpan, `${this.src(base)}′ without its argument`, `${this.src(base)}'(h_t)`);
          const args = this.arguments(s);
          if (args.length !== 1) this.fail(baseSpan, 'the derivative of the loss takes one argument');
          const wrt = this.nodeRef(args[0]!);
          this.note(baseSpan, `${this.src(base)}′(x) read as the row vector grad(${r.name}, x)'`);
          const g: E = { k: 'deriv', mode: 'grad', of: e, wrt, held: [], span: join(span, args[0]!.span) };
          return { k: 'tr', arg: g, span: g.span, opSpan: supSpan };
        }
        if (hasArg) {
          const dropped = this.skipGroup(s);
          this.note(
            baseSpan,
            `the argument of the loss ${this.parsed.source.slice(dropped[0], dropped[1])} is dropped`,
          );
        }
        return e;
      }
      case 'raw': {
        if (primes || supRest.length || sub)
          this.fail(span, `scripts on '${this.src(base)}', which the symbol map sends to ${r.name}`);
        return { k: 'sym', name: r.name, role: 'raw', span: baseSpan };
      }
      case 'index':
      case 'real': {
        if (sub)
          this.fail(
            this.sp(whole),
            `'${this.src(whole).trim()}' has no reading: ${this.src(base)} is ${r.kind === 'real' ? 'the bound variable' : 'the index'} ${r.name} here, and '${this.src(whole).trim()}' is not a declared name`,
            'a model symbol (a name defined only in the text needs a symbol-map entry)',
          );
        if (primes) this.fail(supSpan, `a prime on ${r.name}`);
        const e: E = { k: 'sym', name: r.name, role: r.kind === 'real' ? 'real' : 'index', span: baseSpan };
        return supRest.length ? this.power(e, supRest, supSpan, span) : e;
      }
      case 'param': {
        if (primes)
          this.fail(
            supSpan,
            `a prime on the parameter ${r.name}: a prime is read as a derivative, and ${r.name} is no function of anything`,
            `${r.name}^\\top (or ${r.name}^T) for its transpose`,
          );
        let e: E = { k: 'sym', name: r.name, role: 'parameter', span: baseSpan };
        if (sub) {
          const idx = this.indexList(this.clean(bodyList(sub)), this.sp(sub));
          const dims = this.ctx.shapes?.get(r.name)?.length ?? 2;
          if (idx.length !== dims)
            this.fail(
              this.sp(sub),
              `'${this.src(whole)}': ${r.name} has no such name, and as an entry it takes ${dims} ind${dims === 1 ? 'ex' : 'ices'}`,
              `a declared parameter (e.g. ${r.name}_f) or an entry`,
            );
          e = { k: 'entry', name: r.name, idx, span };
        }
        return supRest.length ? this.power(e, supRest, supSpan, span) : e;
      }
      case 'seq':
        return this.sequence(r.name, base, sub, supRest, primes, sup, span, whole);
    }
  }

  /** A sequence: its time from the subscript or the file's superscript notation, then what else the scripts say. */
  private sequence(
    name: string,
    base: KNode,
    sub: KNode | null,
    supRest: readonly KNode[],
    primes: number,
    sup: KNode | null,
    span: Span,
    whole: KNode,
  ): E {
    const superTime = this.ctx.time !== 'subscript';
    let time: Ix | null = null;
    let unit: Ix | null = null;
    let rest = [...supRest];
    const supSpan: Span = sup ? this.sp(sup) : this.sp(base);
    let trailingSquare: Span | null = null;
    /** the superscript's part after the time bracket, as written (h^{(t)\top}), noted below with what it was read as */
    let afterTime: { at: KNode; written: string; onBracket: boolean } | null = null;
    // time in a bracketed or parenthesised superscript: h^{[t]}, h^{(t)}, with the lab's ^2 after the bracket
    if (rest.length && (superTime || (!sub && this.delimOf(rest[0])?.role === 'open'))) {
      const first = this.delimOf(rest[0]);
      const lastTok = rest[rest.length - 1]!;
      if (first && first.role === 'open' && (first.d === '[' || first.d === '(')) {
        let closeAt = rest.length - 1;
        while (closeAt > 0 && !this.delimOf(rest[closeAt])) closeAt--;
        const close = this.delimOf(rest[closeAt]);
        if (!close || close.role !== 'close')
          this.fail(supSpan, `'${this.src(rest[0]!)}' in the superscript is never closed`);
        const style = first.d === '[' ? 'bracket-superscript' : 'paren-superscript';
        if (style !== this.ctx.time)
          this.note(
            rest[0]!,
            `time written as ${first.d === '[' ? `${name}^{[t]}` : `${name}^{(t)}`} although the file's notation is ${this.ctx.time}`,
          );
        time = this.index(rest.slice(1, closeAt), supSpan);
        const after = rest.slice(closeAt + 1);
        if (close.sup) {
          // h^{[t]^2}: KaTeX attaches the 2 to the bracket
          if (after.length) this.fail(supSpan, 'unexpected text after the time');
          trailingSquare = this.sp(close.sup);
          rest = this.clean(bodyList(close.sup));
          afterTime = { at: close.sup, written: `^${this.src(close.sup)}`, onBracket: true };
        } else if (after.length) {
          trailingSquare = join(this.sp(after[0]!), this.sp(lastTok));
          rest = after;
          afterTime = {
            at: after[0]!,
            written: this.parsed.source.slice(trailingSquare[0], trailingSquare[1]),
            onBracket: false,
          };
        } else rest = [];
        if (afterTime) {
          const [o, c] = first.d === '[' ? ['[', ']'] : ['(', ')'];
          afterTime = { ...afterTime, written: `${name}^{${o}t${c}${afterTime.written}}` };
        }
      }
    }
    if (sub) {
      const subList = this.clean(bodyList(sub));
      if (
        time === null &&
        (this.ctx.time === 'subscript' || !rest.length || this.isTransposeMark(rest) || this.isLetterT(rest))
      ) {
        time = this.index(subList, this.sp(sub));
        if (superTime) this.note(sub, `time written as a subscript although the file's notation is ${this.ctx.time}`);
      } else unit = this.index(subList, this.sp(sub));
    }
    if (time === null && rest.length && superTime && !this.isTransposeMark(rest)) {
      // h^{t}: an unbracketed superscript time; a sequence needs a time, so ^T here is the time T, not a transpose
      const T = this.isLetterT(rest);
      time = this.index(rest, supSpan);
      if (T)
        this.note(
          sup!,
          `${name}^{${symbolKey(T)}} read as the time ${symbolKey(T)} (a sequence takes its time here; a transpose needs a time first)`,
        );
      rest = [];
    }
    if (time === null) {
      const T = this.isLetterT(rest);
      if (T)
        this.fail(span, `'${this.src(whole)}' has no reading`, undefined, [
          `the transpose of ${name} — but ${name} is a sequence and has no time index here`,
          `${name} at time ${symbolKey(T)} — but this file writes time as a subscript (${name}_t)`,
        ]);
      const next = this.parsed.source.slice(this.sp(base)[1], this.sp(base)[1] + 1);
      this.fail(
        this.sp(base),
        `'${name}' is a sequence and needs a time index${/[A-Za-z(]/.test(next) ? ` ('${this.src(base)}${next}…' is not ${name} at a time)` : ''}`,
        this.ctx.time === 'subscript'
          ? `${this.src(base)}_t`
          : this.ctx.time === 'paren-superscript'
            ? `${this.src(base)}^{(t)}`
            : `${this.src(base)}^{[t]}`,
      );
    }
    let e: E = { k: 'seq', name, time, unit, span: join(this.sp(base), span), nameSpan: this.sp(base) };
    if (primes) {
      e = { k: 'call', fn: 'dact', args: [e], span };
      this.note(sup!, `${name}′ read as dact(${name}[…]): the derivative of the activation that defines ${name}`);
    }
    if (!rest.length) return e;
    const read = this.afterTime(name, e, rest, sup, unit, trailingSquare ?? supSpan, span);
    // what the text after the time bracket was read as (h^{(t)\top} was noted "read as a power", and read as a transpose)
    if (afterTime)
      this.note(
        afterTime.at,
        `${afterTime.written}: the ${afterTime.onBracket ? 'exponent written on the time bracket' : 'text after the time bracket'} read as ${read.k === 'tr' ? 'a transpose' : read.k === 'seq' ? 'a unit index' : 'a power'} of the sequence`,
      );
    return read;
  }

  /** What is left of a sequence's superscript after its time: ⊤ / T, a unit index (h_t^α), a power. */
  private afterTime(
    name: string,
    e: E,
    rest: readonly KNode[],
    sup: KNode | null,
    unit: Ix | null,
    at: Span,
    span: Span,
  ): E {
    if (this.isTransposeMark(rest) || this.isLetterT(rest)) return this.power(e, rest, at, span);
    const single = rest.length === 1 ? symbolKey(rest[0]!) : null;
    if (e.k === 'seq' && single !== null && !/^[0-9]$/.test(single) && !unit && this.kind(e) === 'col') {
      const u = this.index(rest, this.sp(sup!));
      this.note(sup!, `${name}_t^${single}: a letter on a vector read as the unit index (${name}[t, ${single}])`);
      return { ...e, unit: u, span };
    }
    return this.power(e, rest, at, span);
  }

  // ─── functions ─────────────────────────────────────────────────────────────────────

  private wordFunction(t: KNode, sub: KNode | null, sup: KNode | null, s: Stream, whole: KNode): E {
    let word: string | null;
    if (t.type === 'op') word = t.name ?? null;
    else
      word = wordOf(
        bodyList({ ...t, type: 'ordgroup' }).flatMap((n) => (n.type === 'textord' || n.type === 'mathord' ? [n] : [])),
      );
    const bigOp = t.type === 'op' ? BIG_OPS.get(t.name ?? '') : undefined;
    // \\max(a, b) is a function (bigOp hands it here); \\max_i … is a big operator
    if (bigOp && !(bigOp === 'max' && !sub && !sup))
      this.fail(this.sp(t), `${t.name} here`, 'a big operator at the start of a term');
    let fn: string | undefined;
    if (word !== null)
      fn = LATEX_FUNCTIONS.get(word) ?? (t.type !== 'op' && this.ctx.functions.has(word) ? word : undefined);
    if (!fn) {
      const text = this.src(t);
      if (t.type === 'text')
        this.fail(
          this.sp(t),
          `prose in the formula: ${text}`,
          'a formula (give the claim as mathematics; words go in the note)',
        );
      this.fail(
        this.sp(t),
        `unknown operator ${text}`,
        `one of ${[...LATEX_FUNCTIONS.keys()].join(', ')}, or a declared function`,
      );
    }
    const { primes, rest } = this.primesOf(sup);
    return this.applyFunction(fn, this.sp(t), sub, rest, primes, sup ? this.sp(sup) : this.sp(t), s, whole);
  }

  /** Arguments in parentheses after a function: `(a, b)`, `\left( a \right)`, `\big( a \big)`. */
  private arguments(s: Stream): E[] {
    const next = s.peek();
    // \tanh\left(z\right)^{2}: the script on \right) is the function value's, tanh(z)², as on a plain ')' (it was read
    // as a factor, tanh(z²) — the form the emitter writes, so its own LaTeX came back as another claim)
    const scripted = next?.type === 'supsub' && next.base?.type === 'leftright' && next.base.left === '(';
    const t = scripted ? next.base : next;
    // the end and the closing scripts are set after the arguments are read: a function inside them sets its own
    // (\tanh(\sigma(z))^2 lost its ^2 to the σ inside)
    let end: number;
    let closeScripts: { sup: KNode | null; sub: KNode | null; span: Span } | null = null;
    let parts: KNode[][] = [[]];
    if (t?.type === 'leftright' && t.left === '(') {
      s.next();
      if (scripted) closeScripts = { sup: next.sup ?? null, sub: next.sub ?? null, span: this.sp(next) };
      const body = this.clean((t.body as readonly KNode[]) ?? []);
      for (const n of body) {
        if (n.type === 'atom' && n.family === 'punct' && n.text === ',') parts.push([]);
        else parts[parts.length - 1]!.push(n);
      }
      end = this.sp(t)[1];
    } else {
      const d = this.delimOf(t);
      if (!d || d.role !== 'open' || d.d !== '(' || t!.type === 'supsub') return [];
      s.next();
      parts = [[]];
      let depth = 0;
      for (;;) {
        const n = s.peek();
        if (!n) this.fail(this.sp(t!), "'(' is never closed");
        s.next();
        const dn = this.delimOf(n);
        if (dn?.role === 'open' && n.type !== 'supsub') depth++;
        if (dn?.role === 'close') {
          if (depth === 0) {
            end = this.sp(dn.sup || dn.sub ? (n.base ?? n) : n)[1];
            // scripts on the closing parenthesis: f(x)^2
            closeScripts = dn.sup || dn.sub ? { sup: dn.sup, sub: dn.sub, span: this.sp(n) } : null;
            break;
          }
          depth--;
        }
        if (depth === 0 && n.type === 'atom' && n.family === 'punct' && n.text === ',') parts.push([]);
        else parts[parts.length - 1]!.push(n);
      }
    }
    const args = parts.map((p) => this.argument(p, this.sp(t!)));
    this.argsEnd = end;
    this.pendingCloseScripts = closeScripts;
    return args;
  }

  /** Skips a parenthesised group without reading it; returns its span. */
  private skipGroup(s: Stream): Span {
    const t = s.next();
    if (t.type === 'leftright') return this.sp(t);
    let depth = 1;
    let end = this.sp(t)[1];
    while (depth > 0) {
      const n = s.peek();
      if (!n) this.fail(this.sp(t), "'(' is never closed");
      s.next();
      const d = this.delimOf(n);
      if (d?.role === 'open' && n.type !== 'supsub') depth++;
      if (d?.role === 'close') depth--;
      end = this.sp(n)[1];
    }
    return [this.sp(t)[0], end];
  }

  private argsEnd = 0;

  private pendingCloseScripts: { sup: KNode | null; sub: KNode | null; span: Span } | null = null;

  private argument(list: readonly KNode[], at: Span): E {
    if (list.length === 1 && list[0]!.type === 'atom' && list[0]!.text === '\\cdot')
      this.fail(
        this.sp(list[0]!),
        'the argument is left implicit (·)',
        "the argument written out, e.g. \\sigma'(W h_{t-1} + b)",
      );
    const st = new Stream(list);
    if (st.done) this.fail(at, 'an empty argument');
    const e = this.sum(st);
    if (!st.done) this.fail(this.sp(st.peek()!), `unexpected '${this.src(st.peek()!)}'`, "',' or ')'");
    return e;
  }

  private applyFunction(
    fn: string,
    fnSpan: Span,
    sub: KNode | null,
    supRest: readonly KNode[],
    primes: number,
    supSpan: Span,
    s: Stream,
    whole: KNode,
  ): E {
    if (sub)
      this.fail(
        this.sp(sub),
        `a subscript on ${fn} (${this.src(whole).trim()}) has no reading`,
        `a declared function (e.g. ${fn}_${this.src(sub).replace(/[{}]/g, '')} under functions:)`,
      );
    this.pendingCloseScripts = null;
    this.argsEnd = 0;
    let args = this.arguments(s);
    const closeScripts = this.pendingCloseScripts as { sup: KNode | null; sub: KNode | null; span: Span } | null;
    this.pendingCloseScripts = null;
    if (!args.length) {
      // σ′ W: the derivative at an argument left unsaid, times W (the texts' shorthand for diag(σ′(z)) W), or σ′(W)?
      if (primes && !s.done && this.startsFactor(s) && !this.bigOpOf(s.peek()!))
        this.fail(
          join(fnSpan, supSpan),
          `${this.src(whole).trim()} without parentheses: the derivative at the factor after it, or times it?`,
          `${this.src(whole).trim()}(z) with its argument, e.g. \\mathrm{diag}(${this.src(whole).trim()}(z_t)) W`,
        );
      if (s.done || !this.startsFactor(s) || this.bigOpOf(s.peek()!))
        this.fail(
          join(fnSpan, supSpan),
          `${this.src(whole).trim()} without an argument${primes ? ': at which point is the derivative taken?' : ''}`,
          primes ? `${this.src(whole).trim()}(z) with its argument` : 'an argument',
        );
      args = [this.factor(s)];
      // \tanh W h: by convention tanh(W h), as \sin 2x is sin(2x) — which factor ends the argument is the reader's guess
      // (diag: its argument is a vector, so the types settle where it ends — diag(h) W, not diag(h W))
      if (fn !== 'diag' && !s.done && this.startsFactor(s) && !this.bigOpOf(s.peek()!))
        this.fail(
          join(fnSpan, args[0]!.span),
          `${this.src(whole).trim()} without parentheses before a product: how far does its argument reach?`,
          `${fn}(…) with its argument in parentheses`,
        );
    }
    const last = args[args.length - 1]!;
    const span = join(join(this.sp(whole), last.span), [last.span[0], Math.max(last.span[1], this.argsEnd)]);
    // \tanh^{-1} is the inverse function by convention (it was read as 1/tanh)
    if (
      supRest
        .map((n) => this.src(n))
        .join('')
        .replace(/[\s{}]/g, '') === '-1'
    )
      this.fail(
        supSpan,
        `${fn}^{-1}: the inverse function, which has no reading here`,
        `(${fn}(x))^{-1} for the reciprocal`,
      );
    let e: E;
    if (primes) {
      if (primes > 1) this.fail(supSpan, 'a second derivative');
      if (args.length !== 1) this.fail(fnSpan, `${fn}′ takes one argument`);
      e = this.derivativeOf(fn, args[0]!, span, fnSpan);
    } else if (BUILTIN_FUNCTIONS.has(fn)) {
      // the forms the registry gives the name: \\min(a, b) takes two, \\tanh(z) one
      const forms = BUILTIN_FORMS.get(fn) ?? [{ arity: 1, usage: `${fn}(x)` }];
      if (!forms.some((f) => f.arity === args.length)) {
        const counts = forms.map((f) => (f.arity === 1 ? 'one argument' : `${f.arity} arguments`));
        this.fail(fnSpan, `${fn} takes ${counts.join(' or ')}`, forms.map((f) => f.usage).join(' or '));
      }
      e = { k: 'call', fn, args, span };
    } else {
      // a declared activation or definition: A(α, t) takes indices, sigma_h(x) a value
      e = { k: 'call', fn, args, span };
    }
    if (supRest.length) e = this.power(e, supRest, supSpan, span);
    if (closeScripts) e = this.scripts(e, closeScripts.sup, closeScripts.sub, closeScripts.span);
    return e;
  }

  /** f′(z) for a known activation: tanh′ = 1 − tanh(z)², σ′ = σ(z)(1 − σ(z)), exp′ = exp. */
  private derivativeOf(fn: string, z: E, span: Span, at: Span): E {
    // entry by entry unless z is a scalar: σ′ of a matrix is σ(W) ⊙ (1 − σ(W)), not a matrix product (a review's
    // false pass: `\sigma'(W) = \sigma(W)(1 - \sigma(W))` was verified, its ⊙ form refuted)
    const vector = this.kind(z) !== 'scalar';
    const one: E = { k: 'num', text: '1', span: at };
    const call = (f: string): E => ({ k: 'call', fn: f, args: [z], span: at });
    switch (fn) {
      case 'tanh':
        this.note(at, `tanh′(z) read as 1 - tanh(z)${vector ? '.^2' : '^2'}`);
        return {
          k: 'bin',
          op: '-',
          l: one,
          r: {
            k: 'pow',
            op: vector ? '.^' : '^',
            base: call('tanh'),
            exp: { k: 'num', text: '2', span: at },
            span: at,
            opSpan: at,
          },
          span,
          opSpan: at,
        };
      case 'sigma':
        this.note(at, `σ′(z) read as sigma(z) ${vector ? '.*' : '*'} (1 - sigma(z))`);
        return {
          k: 'bin',
          op: vector ? '.*' : '*',
          l: call('sigma'),
          r: { k: 'bin', op: '-', l: one, r: call('sigma'), span: at, opSpan: at },
          span,
          opSpan: at,
        };
      case 'exp':
        return { ...call('exp'), span };
      default:
        return this.fail(at, `the derivative of ${fn}`, 'tanh′ or σ′ (write other derivatives out)');
    }
  }

  // ─── derivatives ───────────────────────────────────────────────────────────────────

  private partialHead(list: readonly KNode[]): readonly KNode[] | null {
    const first = list[0];
    if (!first) return null;
    if (first.type === 'textord' && first.text === '\\partial') return list.slice(1);
    if (first.type === 'supsub' && first.base?.type === 'textord' && first.base.text === '\\partial')
      this.fail(this.sp(first), 'a higher or marked derivative (∂^…)', '\\frac{\\partial a}{\\partial b}');
    if (first.type === 'font' && symbolKey(first) === 'd' && (first.font === 'mathrm' || first.font === '\\mathrm'))
      return list.slice(1);
    return null;
  }

  /** \frac{∂a}{∂b}: a gradient when a is a scalar, a unit derivative d(h[t, α], W[i, j]), else a Jacobian; or a quotient. */
  private frac(t: KNode): E {
    // \binom, \choose, \atop, \brack: the same node as \frac, without its bar or with delimiters (not a quotient)
    if (t.hasBarLine === false || t.leftDelim || t.rightDelim)
      this.fail(
        this.sp(t),
        `'${this.src(t).trim()}' (a binomial coefficient or a stacked pair) is not supported`,
        '\\frac{a}{b}',
      );
    const numer = this.clean(bodyList(t.numer));
    const denom = this.clean(bodyList(t.denom));
    const a = this.partialHead(numer);
    const b = this.partialHead(denom);
    const span = this.sp(t);
    if (a === null && b === null) {
      const d = this.italicDifferential(t, numer, denom);
      if (d) return d;
    }
    if (a === null || b === null) {
      if (a !== null || b !== null) this.fail(span, 'a derivative needs ∂ in both numerator and denominator');
      const l = this.argument(numer, span);
      const r = this.argument(denom, span);
      return { k: 'bin', op: '/', l, r, span, opSpan: span };
    }
    const of = this.nodeRef(this.argument(a, this.sp(t.numer!)));
    const wrt = this.nodeRef(this.argument(b, this.sp(t.denom!)));
    const d = this.derivative(of, wrt, [], span);
    return d.k === 'deriv' ? { ...d, fraction: true } : d;
  }

  /**
   * dL/dh_t with an italic (or upright) d on both sides, each followed by a model quantity: the derivative, noted (it
   * was read as the size d times L over d times h_t). Anything else — (d − 1)/(d + 1), d·k/(d·T) — is the quotient it
   * was: null, with nothing noted.
   */
  private italicDifferential(t: KNode, numer: readonly KNode[], denom: readonly KNode[]): E | null {
    const rest = (l: readonly KNode[]) => {
      const [d, next] = [l[0], l[1]];
      const isD =
        d &&
        symbolKey(d) === 'd' &&
        (d.type === 'mathord' ||
          (d.type === 'font' && ['mathit', 'mathnormal', 'mathrm', 'rm'].includes(d.font ?? '')));
      // the next token starts the quantity: not an operator, relation or punctuation (d − 1, d \cdot k)
      const startsQuantity = next && !(next.type === 'atom' && ['bin', 'rel', 'punct'].includes(next.family ?? ''));
      return isD && startsQuantity ? l.slice(1) : null;
    };
    const [a, b] = [rest(numer), rest(denom)];
    // d/dx L (the operator form) and d²L/dx² (a second derivative) were quotients of the size d: refused
    const loneD = numer.length === 1 && numer[0]!.type === 'mathord' && symbolKey(numer[0]!) === 'd';
    const dSquared = numer[0]?.type === 'supsub' && numer[0].base?.type === 'mathord' && numer[0].base.text === 'd';
    if ((loneD || dSquared) && b)
      this.fail(
        this.sp(t),
        loneD ? 'the operator form d/dx applied to what follows' : 'a second derivative (d²/dx²)',
        loneD ? '\\frac{dL}{dx} with the differentiated quantity in the numerator' : 'a first derivative',
      );
    if (!a || !b) return null;
    // read as a derivative if both parts are model quantities; else the quotient (what this attempt noted is dropped)
    const [notes, free] = [this.notes.length, new Set(this.free)];
    let d: E;
    try {
      const of = this.nodeRef(this.argument(a, this.sp(t.numer!)));
      const wrt = this.nodeRef(this.argument(b, this.sp(t.denom!)));
      d = this.derivative(of, wrt, [], this.sp(t));
    } catch (err) {
      if (!(err instanceof LatexInputError)) throw err;
      this.notes.length = notes;
      this.free.clear();
      for (const name of free) this.free.add(name);
      return null;
    }
    this.note(t, `'d' in numerator and denominator read as the differential (as \\mathrm{d}, ∂), not the size d`);
    return d.k === 'deriv' ? { ...d, fraction: true } : d;
  }

  private derivative(of: E, wrt: E, held: readonly E[], span: Span): E {
    if (of.k === 'seq' && of.unit && wrt.k === 'entry') return { k: 'deriv', mode: 'd', of, wrt, held: [], span };
    if (held.length) return { k: 'deriv', mode: 'partial', of, wrt, held, span };
    const scalar = this.kind(of) === 'scalar';
    // (a vector parameter's is a matrix, nothing to note: ∂h_t/∂b was noted as a 3-tensor, a review's)
    if (!scalar && wrt.k === 'sym' && wrt.role === 'parameter' && this.kind(wrt) === 'matrix')
      this.note(span, 'the derivative of a vector with respect to a matrix parameter (a 3-tensor) written as jac(…)');
    return { k: 'deriv', mode: scalar ? 'grad' : 'jac', of, wrt, held: [], span };
  }

  /** What a derivative is of or with respect to: a sequence at a time, a parameter, the loss, a unit or entry. */
  private nodeRef(e: E): E {
    if (e.k === 'seq' || e.k === 'entry' || e.k === 'held') return e;
    if (e.k === 'sym' && (e.role === 'parameter' || e.role === 'loss' || e.role === 'raw')) return e;
    return this.fail(e.span, 'a derivative is taken of and with respect to a model quantity', 'h_t, W, L …');
  }

  /** \left. \frac{∂a}{∂b} \right|_{h_{t-1}, x}: the partial derivative with the listed quantities held. */
  private evaluationBar(lr: KNode, sub: KNode, whole: KNode): E {
    const body = this.clean((lr.body as readonly KNode[]) ?? []);
    if (body.length !== 1 || body[0]!.type !== 'genfrac')
      this.fail(
        this.sp(lr),
        'an evaluation bar on something other than one derivative',
        '\\left.\\frac{\\partial a}{\\partial b}\\right|_{held}',
      );
    const d = this.frac(body[0]!);
    if (d.k !== 'deriv') this.fail(this.sp(lr), 'an evaluation bar on a quotient');
    const held: E[] = [];
    const parts: KNode[][] = [[]];
    for (const n of this.clean(bodyList(sub))) {
      if (n.type === 'atom' && n.family === 'punct' && n.text === ',') parts.push([]);
      else parts[parts.length - 1]!.push(n);
    }
    for (const p of parts) {
      if (p.length === 1) {
        const key = symbolKey(p[0]!);
        if (key !== null) {
          const r = this.resolveKey(key, null, p[0]!, false);
          if (r.kind === 'seq') {
            held.push({ k: 'held', name: r.name, span: this.sp(p[0]!) });
            continue;
          }
        }
      }
      held.push(this.nodeRef(this.argument(p, this.sp(sub))));
    }
    this.note(sub, 'the quantities after the bar are held fixed (partial); a bare sequence name is held at every step');
    return { k: 'deriv', mode: 'partial', of: d.of, wrt: d.wrt, held, span: this.sp(whole) };
  }

  /** ∇_x y: grad(y, x) for a scalar y; for a vector y the transposed Jacobian (∂y/∂x)ᵀ. */
  private nabla(t: KNode, sub: KNode | null, sup: KNode | null, s: Stream): E {
    if (!sub) this.fail(this.sp(t), '∇ without a subscript', '\\nabla_{x} L');
    if (sup) this.fail(this.sp(sup), 'a superscript on ∇');
    const wrt = this.nodeRef(this.argument(this.clean(bodyList(sub)), this.sp(sub)));
    if (s.done || !this.startsFactor(s))
      this.fail(this.sp(t), '∇ without the quantity it differentiates', '\\nabla_{x} L');
    const of = this.nodeRef(this.factor(s));
    const span = join(this.sp(t), of.span);
    if (this.kind(of) === 'scalar') return { k: 'deriv', mode: 'grad', of, wrt, held: [], span };
    this.note(span, `∇_x y of a vector y read as (∂y/∂x)ᵀ = jac(y, x)'`);
    const j: E = { k: 'deriv', mode: 'jac', of, wrt, held: [], span };
    return { k: 'tr', arg: j, span, opSpan: this.sp(t) };
  }

  // ─── indices ───────────────────────────────────────────────────────────────────────

  /** An integer affine index: t−1, \tau-k+i, 2t, (j−1). */
  private index(list: readonly KNode[], at: Span): Ix {
    const toks = this.clean(list);
    if (!toks.length) this.fail(at, 'an empty index');
    const s = new Stream(toks);
    const ix = this.ixSum(s, at);
    if (!s.done)
      this.fail(
        this.sp(s.peek()!),
        `unexpected '${this.src(s.peek()!)}' in an index`,
        'an integer affine index such as t-1 or \\tau-k+i',
      );
    return ix;
  }

  private ixSum(s: Stream, at: Span): Ix {
    let acc: Ix;
    const lead = this.isAddOp(s.peek());
    if (lead) {
      const t = s.next();
      if (s.done) this.fail(this.sp(t), `nothing after '${lead}' in an index`);
      const r = this.ixTerm(s, at);
      acc = lead === '-' ? { k: 'ineg', arg: r, span: join(this.sp(t), r.span) } : r;
    } else acc = this.ixTerm(s, at);
    for (;;) {
      const op = this.isAddOp(s.peek());
      if (!op) return acc;
      const t = s.next();
      if (s.done) this.fail(this.sp(t), `nothing after '${op}' in an index`);
      const r = this.ixTerm(s, at);
      acc = { k: 'iadd', op, l: acc, r, span: join(acc.span, r.span), opSpan: this.sp(t) };
    }
  }

  private ixTerm(s: Stream, at: Span): Ix {
    if (s.done) this.fail(at, 'an empty index term', 'an index: t, k+1, T-k');
    const t = s.next();
    const d = this.delimOf(t);
    if (d?.role === 'open' && d.d === '(' && t.type !== 'supsub') {
      const inner = this.ixSum(s, at);
      const c = s.peek();
      if (!c || this.delimOf(c)?.role !== 'close') this.fail(this.sp(t), "'(' in an index is never closed");
      s.next();
      return inner;
    }
    if ((t.type === 'textord' || t.type === 'mathord') && /^[0-9]$/.test(t.text ?? '')) {
      let text = t.text!;
      let end = this.sp(t)[1];
      while (s.peek() && /^[0-9]$/.test(s.peek()!.text ?? '') && this.sp(s.peek()!)[0] === end) {
        text += s.next().text;
        end += 1;
      }
      const num: Ix = { k: 'inum', value: Number(text), span: [this.sp(t)[0], end] };
      const n = s.peek();
      if (n && symbolKey(n) !== null && !this.isAddOp(n)) {
        const v = this.ixName(s.next());
        return { k: 'imul', c: num.value, arg: v, span: join(num.span, v.span) };
      }
      return num;
    }
    if (t.type === 'supsub')
      this.fail(
        this.sp(t),
        `'${this.src(t)}' in an index (a sub- or superscripted index, e.g. an index path γ_ℓ, is not supported)`,
      );
    const v = this.ixName(t);
    const n = s.peek();
    if (n && symbolKey(n) !== null)
      this.fail(
        this.sp(n),
        `two names next to each other in an index ('${this.src(t)}${this.src(n)}')`,
        'one affine index (t-1), or separate unit indices',
      );
    return v;
  }

  private ixName(t: KNode): Ix {
    const key = symbolKey(t);
    if (key === null)
      this.fail(this.sp(t), `'${this.src(t)}' in an index`, 'an integer affine index such as t-1 or \\tau-k+i');
    const span = this.sp(t);
    const bound = this.scope.bound.get(key);
    if (bound !== undefined) return { k: 'ivar', name: bound, span };
    const mapped = this.maps.symbols.get(key);
    if (
      mapped !== undefined &&
      /^[+-]?[A-Za-z0-9_+\-*]+$/.test(mapped) &&
      !this.ctx.sequences.has(mapped) &&
      !this.ctx.parameters.has(mapped)
    ) {
      return /^[A-Za-z_][A-Za-z0-9_]*$/.test(mapped)
        ? { k: 'ivar', name: mapped, span }
        : { k: 'iaff', a: this.mappedIndex(mapped, span), span };
    }
    const name = defaultAscii(key);
    if (name === null) this.fail(span, `no name for '${key}' in an index`);
    const c = this.ctx;
    if (c.sequences.has(name) || c.parameters.has(name) || c.loss === name)
      this.fail(span, `'${name}' is a model symbol, not an index`, 'an index variable');
    if (!c.indexVars.has(name) && !c.sizes.has(name)) {
      if (!this.free.has(name)) this.notes.push(`index '${name}' is not quantified here (add it to forall:)`);
      this.free.add(name);
    }
    return { k: 'ivar', name, span };
  }

  /** A symbol-map value used as an index ('T-1'), read by the ASCII index parser. */
  private mappedIndex(text: string, span: Span): Affine {
    try {
      return parseIndex(text, {
        sequences: new Set(),
        parameters: new Set(),
        loss: null,
        indexVars: new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []),
        realVars: new Set(),
      });
    } catch (err) {
      if (err instanceof ExprError) this.fail(span, `the symbol map's '${text}' is not an index: ${err.problem}`);
      throw err;
    }
  }

  /** Unit indices of an entry or unit: `ij`, `k\alpha`, `\alpha\gamma`, `i, j`. */
  private indexList(list: readonly KNode[], at: Span): Ix[] {
    const parts: KNode[][] = [[]];
    for (const n of list) {
      if (n.type === 'atom' && n.family === 'punct' && n.text === ',') parts.push([]);
      else parts[parts.length - 1]!.push(n);
    }
    if (parts.length > 1) return parts.map((p) => this.index(p, at));
    if (list.every((n) => symbolKey(n) !== null || /^[0-9]$/.test(n.text ?? '')))
      return list.map((n) => this.index([n], at));
    return [this.index(list, at)];
  }

  // ─── kinds (scalar / vector / matrix), for the rules that depend on them ─────────────

  /** Kinds are memoised per node: a long sum asks for the kind of its growing left operand at every term. */
  private readonly kinds = new WeakMap<E, Kind>();

  kind(e: E): Kind {
    let k = this.kinds.get(e);
    if (k === undefined) this.kinds.set(e, (k = this.kindOf(e)));
    return k;
  }

  private kindOf(e: E): Kind {
    const shape = (name: string): Kind => {
      const s = this.ctx.shapes?.get(name);
      if (!s) return 'unknown';
      return s.length === 0 ? 'scalar' : s.length === 1 ? 'col' : 'matrix';
    };
    switch (e.k) {
      case 'num':
      case 'ix':
      case 'entry':
      case 'supabs':
        return 'scalar';
      case 'sym':
        if (e.role === 'parameter') return shape(e.name);
        if (e.role === 'raw') return shape(e.name.replace(/\[.*$/, ''));
        return 'scalar';
      case 'seq':
        if (e.unit) return 'scalar';
        return this.ctx.shapes?.has(e.name) ? shape(e.name) : 'col';
      case 'held':
        return 'col';
      case 'concat':
        return 'col';
      case 'neg':
        return this.kind(e.arg);
      case 'pow':
        return this.kind(e.base);
      case 'tr': {
        const k = this.kind(e.arg);
        return k === 'col' ? 'row' : k === 'row' ? 'col' : k;
      }
      case 'call':
        if (e.fn === 'diag') return 'matrix';
        if (['norm2', 'normF', 'normInf', 'normMax', 'trace', 'rho', 'abs'].includes(e.fn))
          return e.fn === 'abs' ? this.kind(e.args[0]!) : 'scalar';
        // min(a, b), max(a, b): entrywise, a scalar side broadcasting
        if (e.fn === 'min' || e.fn === 'max')
          return e.args.map((a) => this.kind(a)).find((k) => k !== 'scalar') ?? 'scalar';
        return e.args.length === 1 ? this.kind(e.args[0]!) : 'scalar';
      case 'range':
        return e.fn === 'hprod' ? 'col' : this.kind(e.body);
      case 'deriv': {
        if (e.mode === 'd') return 'scalar';
        const of = this.kind(e.of);
        const wrt = e.wrt.k === 'sym' ? this.kind(e.wrt) : 'col';
        if (e.mode === 'grad') return wrt === 'matrix' ? 'matrix' : 'col';
        if (of === 'scalar') return 'row';
        return 'matrix';
      }
      case 'bin': {
        const l = this.kind(e.l);
        const r = this.kind(e.r);
        if (e.op === '+' || e.op === '-' || e.op === '.*') {
          for (const k of ['matrix', 'col', 'row'] as const) if (l === k || r === k) return k;
          return l === 'unknown' || r === 'unknown' ? 'unknown' : 'scalar';
        }
        if (e.op === '/') return l;
        if (l === 'scalar') return r;
        if (r === 'scalar') return l;
        if (l === 'matrix' && (r === 'matrix' || r === 'col')) return r;
        if (l === 'row' && r === 'matrix') return 'row';
        if (l === 'row' && r === 'col') return 'scalar';
        if (l === 'col' && r === 'row') return 'matrix';
        if (l === 'col' && r === 'col') return 'col';
        return 'unknown';
      }
    }
  }

  // ─── simplification ────────────────────────────────────────────────────────────────

  /** ‖Xᵀ‖ = ‖X‖ for the spectral and Frobenius norms; (Xᵀ)ᵀ = X. */
  private simplify(e: E): E {
    const go = (n: E): E => {
      switch (n.k) {
        case 'call': {
          const args = n.args.map(go);
          if ((n.fn === 'norm2' || n.fn === 'normF') && args[0]!.k === 'tr') {
            this.note(n.span, `‖Xᵀ‖ = ‖X‖: the transpose inside ${n.fn} dropped`);
            return { ...n, args: [args[0].arg] };
          }
          return { ...n, args };
        }
        case 'tr': {
          const a = go(n.arg);
          return a.k === 'tr' ? a.arg : { ...n, arg: a };
        }
        case 'bin':
          return { ...n, l: go(n.l), r: go(n.r) };
        case 'pow':
          return { ...n, base: go(n.base), exp: go(n.exp) };
        case 'neg':
          return { ...n, arg: go(n.arg) };
        case 'range':
        case 'supabs':
          return { ...n, body: go(n.body) };
        case 'deriv':
          return { ...n, of: go(n.of), wrt: go(n.wrt), held: n.held.map(go) };
        case 'concat':
          return { ...n, items: n.items.map(go) };
        case 'entry':
        case 'held':
        case 'ix':
        case 'num':
        case 'seq':
        case 'sym':
          return n;
      }
    };
    return go(e);
  }
}
