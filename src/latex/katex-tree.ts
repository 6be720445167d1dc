/**
 * KaTeX's parse tree, with a source span for every node.
 *
 * We use KaTeX's own parser (`katex.__parse`): it tokenises, expands macros and builds the tree exactly as
 * KaTeX would render it, so what we read is what the reader of the page saw. Leaves read from the input carry
 * `loc` (start/end offsets). Some nodes carry none (container nodes such as \frac or sub/superscripts, operator
 * names like \tanh, the primes of `h'`), and nodes produced by a macro expansion (\dots, \cdots) carry a `loc`
 * into the macro's own text. `locate` fills those in: walking the tree in source order, a node without a usable
 * location starts at the next source token after its predecessor.
 */
import { katex } from './katex-module.js';
import { LatexInputError } from './errors.js';

export interface KLoc {
  readonly start: number;
  readonly end: number;
  readonly lexer?: { readonly input?: string };
}

/** The parts of KaTeX's node shapes we read (KaTeX's typings do not describe the parse tree). */
export interface KNode {
  readonly type: string;
  readonly loc?: KLoc | null;
  readonly text?: string;
  readonly name?: string;
  readonly family?: string;
  readonly font?: string;
  readonly label?: string;
  readonly left?: string;
  readonly right?: string;
  readonly delim?: string;
  readonly mclass?: string;
  readonly base?: KNode | null;
  readonly sup?: KNode | null;
  readonly sub?: KNode | null;
  readonly numer?: KNode;
  readonly denom?: KNode;
  readonly hasBarLine?: boolean;
  readonly leftDelim?: string | null;
  readonly rightDelim?: string | null;
  /** \sqrt[n]{…}: the root's index */
  readonly index?: KNode | null;
  readonly body?: KNode | readonly KNode[] | readonly (readonly KNode[])[];
  readonly tag?: readonly KNode[];
  readonly envName?: string;
  readonly limits?: boolean;
  readonly symbol?: boolean;
}

export type Span = readonly [number, number];

export interface ParsedLatex {
  readonly source: string;
  readonly nodes: readonly KNode[];
  span(node: KNode): Span;
}

/** The longest formula read (a display of a post is far shorter): bounds the reader's work and depth. */
export const MAX_LATEX = 20_000;

/** Deep nesting exhausts KaTeX's or the reader's stack: said in the words the ASCII parser uses. */
export const tooDeep = (): LatexInputError =>
  new LatexInputError({ offset: 0, problem: 'too deeply nested', expected: 'a flatter formula' });

/** The KaTeX settings we parse with: no rendering-only strictness, no trust, bounded macro expansion. */
function settings(displayMode: boolean): Record<string, unknown> {
  return { displayMode, strict: 'ignore', throwOnError: true, trust: false, maxExpand: 1000 };
}

/** Alignment (`&`, `\\`) outside an environment: the text is read as the rows of an aligned block. */
const ALIGN_PREFIX = '\\begin{aligned}';
const ALIGN_SUFFIX = '\\end{aligned}';

export function needsAlignedWrapper(source: string): boolean {
  return /(^|[^\\])&|\\\\/.test(source) && !/\\begin\{/.test(source);
}

export function parseLatex(source: string, displayMode = true): ParsedLatex {
  let nodes: readonly KNode[];
  if (source.length > MAX_LATEX)
    throw new LatexInputError({
      offset: MAX_LATEX,
      problem: `the formula has ${source.length} characters, more than ${MAX_LATEX}`,
      expected: 'a formula of one display',
    });
  const wrap = needsAlignedWrapper(source);
  const shift = wrap ? ALIGN_PREFIX.length : 0;
  const text = wrap ? `${ALIGN_PREFIX}${source}${ALIGN_SUFFIX}` : source;
  try {
    nodes = (katex() as unknown as { __parse(s: string, o: Record<string, unknown>): KNode[] }).__parse(
      text,
      settings(displayMode || wrap),
    );
  } catch (err) {
    if (err instanceof RangeError) throw tooDeep();
    const e = err as { rawMessage?: string; message?: string; position?: number; length?: number };
    const offset = Math.min(Math.max(0, (e.position ?? 0) - shift), source.length);
    throw new LatexInputError({
      offset,
      end: Math.min(source.length, offset + Math.max(1, e.length ?? 1)),
      problem: `LaTeX does not parse: ${e.rawMessage ?? e.message ?? String(err)}`,
      expected: 'LaTeX that KaTeX parses',
    });
  }
  const spans = new WeakMap<object, Span>();
  new Locator(text, spans).list(nodes, 0);
  const clamp = (x: number): number => Math.min(Math.max(0, x - shift), source.length);
  return {
    source,
    nodes,
    span(node: KNode): Span {
      const s = spans.get(node);
      return s ? [clamp(s[0]), clamp(s[1])] : [0, 0];
    },
  };
}

/** The children of a node, as lists in source order (sub/superscripts ordered by where they were written). */
export function childLists(n: KNode, source: string, spanOf?: (k: KNode) => Span | undefined): KNode[][] {
  const out: KNode[][] = [];
  const one = (k: KNode | null | undefined): void => {
    if (k) out.push([k]);
  };
  switch (n.type) {
    case 'supsub': {
      one(n.base);
      const scripts = [n.sub, n.sup].filter((k): k is KNode => !!k);
      if (scripts.length === 2) {
        const [sub, sup] = scripts as [KNode, KNode];
        const a = spanOf?.(sub)?.[0] ?? validLoc(sub, source)?.start;
        const b = spanOf?.(sup)?.[0] ?? validLoc(sup, source)?.start;
        if (a !== undefined && b !== undefined) scripts.sort((x, y) => (x === sub ? a : b) - (y === sub ? a : b));
        else if (n.base) {
          // One script has no location: the character after the base says which came first.
          const after = spanOf?.(n.base)?.[1] ?? validLoc(n.base, source)?.end;
          if (after !== undefined && /^\s*[\^']/.test(source.slice(after))) scripts.reverse();
        }
      }
      for (const s of scripts) out.push([s]);
      return out;
    }
    case 'genfrac':
      one(n.numer);
      one(n.denom);
      return out;
    case 'array': {
      const rows = (n.body ?? []) as readonly (readonly KNode[])[];
      for (const row of rows) for (const cell of row) out.push([cell]);
      return out;
    }
    default: {
      const b = n.body;
      if (Array.isArray(b)) out.push([...(b as readonly KNode[])]);
      else if (b && typeof b === 'object') out.push([b as KNode]);
      one(n.base);
      if (n.tag) out.push([...n.tag]);
      return out;
    }
  }
}

export function validLoc(n: KNode | null | undefined, source: string): KLoc | null {
  const loc = n?.loc;
  if (!loc || typeof loc.start !== 'number' || typeof loc.end !== 'number') return null;
  // A location inside a macro's expansion points into the macro's text, not ours.
  if (loc.lexer && loc.lexer.input !== undefined && loc.lexer.input !== source) return null;
  if (loc.end > source.length || loc.start > loc.end) return null;
  return loc;
}

class Locator {
  constructor(
    private readonly src: string,
    private readonly spans: WeakMap<object, Span>,
  ) {}

  list(nodes: readonly KNode[], cursor: number): number {
    let c = cursor;
    for (const n of nodes) c = this.node(n, c);
    return c;
  }

  /** The next source token at or after `from`: a control word, or one character (skipping spaces and script syntax). */
  private nextToken(from: number): Span {
    let p = from;
    while (p < this.src.length && /[\s{}^_&]/.test(this.src[p]!)) p++;
    if (p >= this.src.length) return [this.src.length, this.src.length];
    const m = /^\\([A-Za-z@]+|.)/.exec(this.src.slice(p));
    return [p, p + (m ? m[0].length : 1)];
  }

  private node(n: KNode, cursor: number): number {
    const own = validLoc(n, this.src);
    const kids = childLists(n, this.src, (k) => this.spans.get(k));
    let start: number;
    let end: number;
    if (own) {
      start = own.start;
      // a control word's location includes the space after it
      end = own.start + this.src.slice(own.start, own.end).trimEnd().length;
    } else if (
      kids.length === 0 ||
      n.type === 'op' ||
      n.type === 'atom' ||
      n.type === 'textord' ||
      n.type === 'mathord'
    ) {
      // A leaf read from a macro expansion or without location: the next token in the source.
      [start, end] = this.nextToken(cursor);
    } else {
      start = this.nextToken(cursor)[0];
      end = start;
    }
    let c = own ? own.start : start;
    if (!own && COMMAND_CONTAINERS.has(n.type)) {
      // the children come after the command (\frac, \mathbf, \left( …)
      const tok = this.nextToken(start);
      if (this.src[tok[0]] === '\\') {
        c = tok[1];
        if (n.type === 'leftright') c = this.nextToken(c)[1];
      }
    }
    for (const list of kids) c = this.list(list, c);
    end = Math.max(end, c);
    if (!own && (n.type === 'font' || n.type === 'accent' || n.type === 'text' || n.type === 'operatorname')) {
      // the closing brace of the command's argument
      const m = /^\s*\}/.exec(this.src.slice(end));
      if (m) end += m[0].length;
    }
    if (n.type === 'leftright' && !own) {
      // \right and its delimiter close the node
      const m = /^\s*\\right\s*(\\[A-Za-z]+|\\.|.)?/.exec(this.src.slice(end));
      if (m) end += m[0].length;
    }
    // A container without a location starts at its command (\frac, \left, \mathbf …), the token at the cursor.
    if (!own && kids.length) start = Math.min(start, this.firstKidStart(kids) ?? start);
    this.spans.set(n, [start, end]);
    return Math.max(end, cursor);
  }

  private firstKidStart(kids: KNode[][]): number | undefined {
    for (const list of kids)
      for (const k of list) {
        const s = this.spans.get(k);
        if (s) return s[0];
      }
    return undefined;
  }
}

/** Node list of a group-like node (ordgroup, styling, font body …), or the node itself. */
export function bodyList(n: KNode | null | undefined): readonly KNode[] {
  if (!n) return [];
  if (n.type === 'ordgroup' || n.type === 'styling' || n.type === 'color' || n.type === 'sizing') {
    const b = n.body;
    return Array.isArray(b) ? (b as readonly KNode[]) : b ? [b as KNode] : [];
  }
  return [n];
}

/** Nodes written as a command followed by their arguments. */
const COMMAND_CONTAINERS = new Set([
  'genfrac',
  'leftright',
  'font',
  'accent',
  'operatorname',
  'text',
  'sqrt',
  'horizBrace',
  'enclose',
  'underline',
  'overline',
  'mclass',
  'color',
]);
