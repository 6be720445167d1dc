/**
 * ASCII math → IR. mathjs does the tokenising and parsing (a restricted
 * instance that holds only `parse`: nothing in a derivation file is ever
 * evaluated by mathjs); this module walks its syntax tree and accepts only the
 * constructs gradproof understands, naming the offending one otherwise.
 */
import { ExprError } from './errors.js';
import { type Affine, affine, affineAdd, affineScale, isConstant } from './affine.js';
import {
  BALANCED_CHAIN,
  depthOf,
  type Expr,
  foldChain,
  type Index,
  isIntegerExpr,
  isOp,
  ivar,
  node,
  num,
  type OpNode,
  seq,
  sym,
} from './expr.js';
import { Decimal } from 'decimal.js';
import { LIMITS } from './limits.js';
import { create, parseDependencies } from './mathjs-parser.js';
import { reservedNameProblem } from './names.js';
import { callNames, type OpSpec, specsFor } from '../ops/index.js';

// Only `parse` is taken from mathjs (which build: ./mathjs-parser.ts).
const math = create({ parseDependencies: parseDependencies! });

/** What the names in an expression may refer to. */
export interface Scope {
  readonly sequences: ReadonlySet<string>;
  readonly parameters: ReadonlySet<string>;
  readonly loss: string | null;
  /** integer variables usable in indices and as scalars (sizes, quantifiers, the equation's `t`) */
  readonly indexVars: ReadonlySet<string>;
  readonly realVars: ReadonlySet<string>;
  /** names that exist but may not be read here, with why (a premise reads no quantifier); null/absent: none */
  readonly refused?: ReadonlyMap<string, string>;
  /** activations declared in the model file */
  readonly functions?: ReadonlySet<string>;
  /** index paths bound by pathsum (γ in `g[l]`) */
  readonly pathVars?: ReadonlySet<string>;
  /** index-level definitions from the file, e.g. A(g, s) and B(g, q, s) of the 2023 post */
  readonly macros?: ReadonlyMap<string, Macro>;
}

export interface Macro {
  readonly params: readonly string[];
  readonly body: string;
}

export interface ParsedExpr {
  readonly expr: Expr;
  /** best-known character offset of each node, for located error messages */
  readonly offsets: WeakMap<Expr, number>;
}

// The parts of mathjs's node shapes we read; mathjs's own typings are wider than useful here.
interface MNode {
  type: string;
  name?: string;
  value?: unknown;
  op?: string;
  fn?: MNode | string;
  args?: MNode[];
  items?: MNode[];
  object?: MNode;
  index?: MNode;
  dimensions?: MNode[];
  content?: MNode;
}

/** Names the language reserves: every operator's call spelling and the derivative `d`. */
export function reservedNames(): ReadonlySet<string> {
  return callNames();
}

export function parseExpression(text: string, scope: Scope): ParsedExpr {
  const parsed = parseWithin(text, scope, { nodes: 0, definitionDepth: 0 });
  // Definitions expand into their uses: the expanded expression is what every recursive walker sees.
  if (depthOf(parsed.expr) > LIMITS.expandedDepth)
    throw new ExprError(
      0,
      `too deeply nested: more than ${LIMITS.expandedDepth} levels once the definitions are expanded`,
      'a flatter expression',
    );
  return parsed;
}

/** Parses an integer affine index or bound such as `T-k+1`. */
export function parseIndex(text: string, scope: Scope): Affine {
  return new Converter(text, scope, { nodes: 0, definitionDepth: 0 }).index(parseTree(text, { nodes: 0 }));
}

/** What an expression and the definitions expanded inside it have used of their budgets. */
interface Budget {
  nodes: number;
  definitionDepth: number;
}

function parseWithin(text: string, scope: Scope, budget: Budget): ParsedExpr {
  return new Converter(text, scope, budget).run(parseTree(text, budget));
}

/** The families of operators whose left-nested chains (a + b - c + …, A*B*…) are read as one flat list. */
const chainFamily = (n: MNode): string | null =>
  n.type === 'OperatorNode' && n.args?.length === 2
    ? n.op === '+' || n.op === '-'
      ? 'additive'
      : n.op === '*' || n.op === '.*'
        ? n.op
        : null
    : null;

/** A chain's operands in order, and each one's operator (null for the first): iterative, chains may be long. */
function flattenChain(n: MNode): { operands: MNode[]; ops: (string | null)[] } {
  const family = chainFamily(n);
  const operands: MNode[] = [];
  const ops: (string | null)[] = [];
  let x = n;
  while (chainFamily(x) === family) {
    operands.push(x.args![1]!);
    ops.push(x.op!);
    x = x.args![0]!;
  }
  operands.push(x);
  ops.push(null);
  return { operands: operands.reverse(), ops: ops.reverse() };
}

function mathChildren(n: MNode): MNode[] {
  const out: MNode[] = [];
  for (const c of [n.content, n.object, typeof n.fn === 'object' ? n.fn : undefined]) if (c) out.push(c);
  out.push(...(n.args ?? []), ...(n.items ?? []), ...(n.index?.dimensions ?? []));
  return out;
}

/**
 * A number literal: digits with a decimal point and an exponent, not part of a name (h2, W_1) or of another number;
 * or a fraction right after a name, which mathjs reads as a product (`T.1` is T · 0.1).
 */
const NUMBER_LITERAL =
  /(?<![A-Za-z0-9_.])(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?<=[A-Za-z_][A-Za-z0-9_]*)\.\d+(?:[eE][+-]?\d+)?/g;
/** mathjs's hexadecimal, binary and octal literals (0x1F, 0b101, 0o17), which it rounds to float64 without a word. */
const NON_DECIMAL_LITERAL = /(?<![A-Za-z0-9_.])0[xXbBoO][0-9A-Za-z.]*/g;
/** Enough digits for the difference between a literal and its float64 (a literal is at most LIMITS.expressionChars long). */
const LITERAL_DECIMAL = Decimal.clone({ precision: 1000, minE: -9e15, maxE: 9e15 });

/**
 * Every engine reads a number literal as float64 holds it (the decimals too: they read that float's shortest
 * decimal), so a literal that is not that decimal would be checked as another number: 1.0000000000000001 is 1, and
 * the false `(1.0000000000000001 - 1 + 1e-20) * h[T] = 1e-20 * h[T]` was verified, 1e-400 was 0. Such a literal is
 * refused at its place, with the number float64 reads and the remainder to write beside it (1 + 1e-16), which every
 * engine then follows (float64's cancellation and rounding are watched; the decimals keep both terms). A float's
 * exact binary expansion (2^64 as 18446744073709551616) is refused too: the decimals would read 18446744073709552000.
 * Hexadecimal, binary and octal literals are refused outright (mathjs rounds 0x20000000000001 without a word).
 */
function refuseUnheldLiterals(text: string): void {
  for (const m of text.matchAll(NON_DECIMAL_LITERAL))
    throw new ExprError(
      m.index,
      `the number ${clip(m[0], 60)} is not written in decimal (float64 may round it without a word)`,
      'the number in decimal digits',
    );
  for (const m of text.matchAll(NUMBER_LITERAL)) {
    const literal = m[0];
    const held = Number(literal);
    if (!Number.isFinite(held))
      throw new ExprError(
        m.index,
        `the number ${clip(literal, 60)} is beyond float64's range (it reads as Infinity)`,
        'a number below 1.8e308 in size',
      );
    const written = new LITERAL_DECIMAL(literal);
    const read = new LITERAL_DECIMAL(String(held));
    if (written.eq(read)) continue;
    const rest = written.minus(read);
    throw new ExprError(
      m.index,
      `the number ${clip(literal, 60)} is read as float64's ${String(held)} (that float's shortest decimal, which every engine reads), not as written`,
      `${String(held)}, or the number as a sum float64 can follow: ${String(held)} ${rest.isNeg() ? '-' : '+'} ${rest.abs().toString()}`,
    );
  }
}

/**
 * mathjs's tree of an expression, within the budgets: the text's length, its
 * bracket nesting (checked before mathjs parses, which recurses on brackets),
 * then the tree's nesting (a chain a + b + … counts once: the converter
 * reads it as a list) and its size.
 */
function parseTree(text: string, budget: { nodes: number }): MNode {
  // mathjs reads nothing as a constant `undefined` ("unsupported constant undefined", a review found)
  if (text.trim() === '') throw new ExprError(0, 'an empty expression', 'an expression');
  if (text.length > LIMITS.expressionChars)
    throw new ExprError(
      0,
      `the expression has ${text.length} characters, more than the limit of ${LIMITS.expressionChars}`,
      'a shorter expression',
    );
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if ('([{'.includes(text[i]!) && ++depth > LIMITS.nesting)
      throw new ExprError(
        i,
        `too deeply nested: brackets more than ${LIMITS.nesting} levels deep`,
        'a flatter expression',
      );
    if (')]}'.includes(text[i]!)) depth--;
  }
  let root: MNode;
  try {
    // mathjs reads a line break as a statement separator; an expression may span lines (same length, so offsets hold).
    root = math.parse(text.replace(/[\r\n]/g, ' '));
  } catch (err) {
    // Exhausting the stack (a long right-nested chain such as x^x^…^x) is a nesting problem, not a syntax error.
    if (err instanceof RangeError) throw new ExprError(0, 'too deeply nested for the parser', 'a flatter expression');
    const e = err as { message?: string; char?: number };
    const offset = typeof e.char === 'number' ? Math.max(0, e.char - 1) : 0;
    throw new ExprError(offset, `cannot parse expression: ${(e.message ?? String(err)).replace(/ \(char \d+\)$/, '')}`);
  }
  refuseUnheldLiterals(text);
  const stack: [MNode, number][] = [[root, 1]];
  while (stack.length) {
    const [n, level] = stack.pop()!;
    if (level > LIMITS.nesting)
      throw new ExprError(
        0,
        `too deeply nested: more than ${LIMITS.nesting} levels of operators applied to operators (e.g. - - - x)`,
        'a flatter expression',
      );
    if (++budget.nodes > LIMITS.expressionNodes)
      throw new ExprError(
        0,
        `the expression has more than ${LIMITS.expressionNodes} parts once its definitions are expanded`,
        'a shorter expression',
      );
    // A chain's operands are all one level below it.
    if (chainFamily(n)) {
      const { operands } = flattenChain(n);
      budget.nodes += operands.length - 2;
      for (const o of operands) stack.push([o, level + 1]);
    } else for (const c of mathChildren(n)) stack.push([c, level + 1]);
  }
  return root;
}

/** An affine index with a constant or coefficient beyond ±LIMITS.integer. */
function beyondInteger(a: Affine): boolean {
  if (Math.abs(a.c) > LIMITS.integer) return true;
  for (const name in a.terms) if (Math.abs(a.terms[name]!) > LIMITS.integer) return true;
  return false;
}

const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_]/.test(ch);

/**
 * A problem inside an expanded definition: the innermost definition shown expanded, the outermost by name, and how
 * many were nested between them — not each by name (15 nested definitions made a message of 394 characters, with
 * the argument wrapped in 15 pairs of parentheses, a review found).
 */
class DefinitionError extends ExprError {
  constructor(
    offset: number,
    /** the innermost definition applied, expanded */
    readonly inner: string,
    /** the problem inside it */
    readonly innerProblem: string,
    expected: string | undefined,
    /** the outermost definition's name, once there are two or more */
    readonly outer: string | null = null,
    /** the definitions nested, the innermost and the outermost included */
    readonly levels = 1,
  ) {
    const chain = outer === null ? '' : levels === 2 ? `${outer}(…) → ` : `${outer}(…) → … → `;
    const count = levels > 2 ? ` (${levels} nested definitions)` : '';
    super(offset, `in ${chain}${inner}${count}: ${innerProblem}`, expected);
  }
}

/** Whether `text` is one pair of parentheses around the rest ("(a)(b)" is not). */
function enclosed(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i === text.length - 1;
  }
  return false;
}

/** Long text quoted in a message: its start and end. */
const clip = (text: string, max = 200): string =>
  text.length <= max ? text : `${text.slice(0, max / 2)} … ${text.slice(-max / 2)}`;

class Converter {
  private readonly offsets = new WeakMap<Expr, number>();
  private cursor = 0;

  constructor(
    private readonly text: string,
    private readonly scope: Scope,
    private readonly budget: Budget,
  ) {}

  run(root: MNode): ParsedExpr {
    return { expr: this.convert(root, this.scope), offsets: this.offsets };
  }

  index(root: MNode): Affine {
    return this.affineIndex(root, this.scope);
  }

  /** Finds a name's next whole-word occurrence; mathjs nodes carry no positions. */
  private locate(name: string): number {
    // A plain scan rather than a regular expression built from the name: a name of any length is just text.
    const from = (start: number): number => {
      if (!name) return -1;
      for (let at = this.text.indexOf(name, start); at >= 0; at = this.text.indexOf(name, at + 1))
        if (!isWordChar(this.text[at - 1]) && !isWordChar(this.text[at + name.length])) return at;
      return -1;
    };
    // From the cursor on, else from the start (scanned only when the first finds nothing).
    let hit = from(this.cursor);
    if (hit < 0) hit = from(0);
    if (hit < 0) return this.cursor;
    this.cursor = hit + name.length;
    if (name.length > LIMITS.nameChars)
      this.fail(
        hit,
        `a name of ${name.length} characters is longer than the limit of ${LIMITS.nameChars}`,
        'a shorter name',
      );
    return hit;
  }

  private at<T extends Expr>(expr: T, offset: number): T {
    if (!this.offsets.has(expr)) this.offsets.set(expr, offset);
    return expr;
  }

  private fail(offset: number, problem: string, expected?: string): never {
    throw new ExprError(offset, problem, expected);
  }

  private convert(node: MNode, scope: Scope): Expr {
    const start = this.cursor;
    switch (node.type) {
      case 'ParenthesisNode':
        return this.convert(node.content!, scope);
      case 'ConstantNode': {
        if (typeof node.value !== 'number' || !Number.isFinite(node.value))
          this.fail(start, `unsupported constant ${String(node.value)}`, 'a finite number');
        return this.at(num(node.value), start);
      }
      case 'SymbolNode':
        return this.symbol(node.name!, scope);
      case 'AccessorNode':
        return this.sequence(node, scope);
      case 'OperatorNode':
        return this.operator(node, scope);
      case 'FunctionNode':
        return this.call(node, scope);
      case 'ArrayNode': {
        // A grid of two rows or more, each of two blocks or more (`[A, B; C, D]`): a block matrix, by rows.
        const rows = node.items!;
        if (rows.length >= 2 && rows.every((r) => r.type === 'ArrayNode' && r.items!.length >= 2)) {
          const width = rows[0]!.items!.length;
          if (rows.some((r) => r.items!.length !== width))
            this.fail(start, 'a block matrix needs as many blocks in every row', '[A, B; C, D]');
          const blocks = rows.flatMap((r) => r.items!.map((item) => this.convert(item, scope)));
          return this.at(this.special('block', blocks, { ints: [affine(rows.length), affine(width)] }), start);
        }
        // `[h; x]` and `[h, x]` both mean stacking the vectors, as the documents write it.
        const flat = (n: MNode): MNode[] => (n.type === 'ArrayNode' ? n.items!.flatMap(flat) : [n]);
        const items = flat(node).map((item) => this.convert(item, scope));
        if (items.length < 2) this.fail(start, 'a concatenation needs at least two parts', '[a; b]');
        return this.at(this.special('stack', items), start);
      }
      default:
        this.fail(start, `unsupported syntax (${node.type})`, 'arithmetic, h[t], function calls');
    }
  }

  private symbol(name: string, scope: Scope): Expr {
    const offset = this.locate(name);
    const refused = scope.refused?.get(name);
    if (refused !== undefined) this.fail(offset, `'${name}' ${refused}`, 'sizes, parameters and values at fixed times');
    if (scope.realVars.has(name)) return this.at({ kind: 'rvar', name }, offset);
    if (scope.indexVars.has(name)) return this.at(ivar(name), offset);
    if (scope.parameters.has(name) || scope.loss === name) return this.at(sym(name), offset);
    if (scope.sequences.has(name)) this.fail(offset, `'${name}' is a sequence and needs a time index`, `${name}[t]`);
    this.fail(offset, `unknown symbol '${name}'`, `one of the declared symbols or index variables`);
  }

  private sequence(node: MNode, scope: Scope): Expr {
    const object = node.object!;
    const offset = object.type === 'SymbolNode' ? this.locate(object.name!) : this.cursor;
    const dims = node.index!.dimensions ?? [];
    if (object.type === 'SymbolNode' && scope.parameters.has(object.name!)) {
      // One entry of a parameter: W[i, j], or b[i] for a vector.
      if (dims.length < 1 || dims.length > 2)
        this.fail(offset, 'a parameter entry takes one or two indices', `${object.name}[i, j]`);
      const units = dims.map((d) => this.indexRef(d, scope));
      return this.at(this.special('entry-access', [sym(object.name!)], { units }), offset);
    }
    if (object.type !== 'SymbolNode' || !scope.sequences.has(object.name!)) {
      const what = object.type === 'SymbolNode' ? `'${object.name}'` : 'this expression';
      this.fail(
        offset,
        `${what} is not a declared sequence and cannot take a time index`,
        'a state, intermediate or input symbol',
      );
    }
    if (dims.length === 2) {
      const value = seq(object.name!, this.affineIndex(dims[0]!, scope));
      return this.at(this.special('unit-access', [value], { units: [this.indexRef(dims[1]!, scope)] }), offset);
    }
    if (dims.length !== 1)
      this.fail(
        offset,
        'a sequence takes a time index, and optionally a unit',
        `${object.name}[t] or ${object.name}[t, alpha]`,
      );
    return this.at(seq(object.name!, this.affineIndex(dims[0]!, scope)), offset);
  }

  /** A node of a special spelling (h[t, a], W[i, j], [u; v]): the record that claims it. */
  private special(
    form: 'unit-access' | 'entry-access' | 'stack' | 'block',
    args: Expr[],
    fields: { units?: Index[]; ints?: Affine[] } = {},
  ): OpNode {
    const spec = specsFor(`special:${form}`)[0]!;
    return node(spec.id, args, fields);
  }

  /** A unit index: affine (alpha, i+1), or a position of an index path (g[l]). */
  private indexRef(n: MNode, scope: Scope): Index {
    if (n.type === 'AccessorNode' && n.object?.type === 'SymbolNode' && scope.pathVars?.has(n.object.name!)) {
      this.locate(n.object.name!);
      const dims = n.index!.dimensions ?? [];
      if (dims.length !== 1) this.fail(this.cursor, 'a path position takes one index', `${n.object.name}[l]`);
      return { kind: 'path', name: n.object.name!, pos: this.affineIndex(dims[0]!, scope) };
    }
    if (n.type === 'ParenthesisNode') return this.indexRef(n.content!, scope);
    return { kind: 'affine', a: this.affineIndex(n, scope) };
  }

  /** Time indices and range bounds: integer affine in index variables, with constants within the integer budget. */
  private affineIndex(n: MNode, scope: Scope): Affine {
    const offset = this.cursor;
    const a = this.affineTerms(n, scope);
    if (beyondInteger(a))
      this.fail(offset, `an index or bound with a number beyond ±${LIMITS.integer}`, 'integers of at most a million');
    return a;
  }

  private affineTerms(n: MNode, scope: Scope): Affine {
    const offset = this.cursor;
    const bad = (): never =>
      this.fail(offset, 'a time index or bound must be an integer affine expression', 'e.g. t-1, T-k+i, 2');
    if (chainFamily(n) === 'additive') {
      // T-1-1-…-1 is a list of terms: added up without recursion.
      const { operands, ops } = flattenChain(n);
      return operands.reduce((acc: Affine | null, o, k) => {
        const term = this.affineIndex(o, scope);
        return acc ? affineAdd(acc, term, ops[k] === '-' ? -1 : 1) : term;
      }, null)!;
    }
    switch (n.type) {
      case 'ParenthesisNode':
        return this.affineIndex(n.content!, scope);
      case 'ConstantNode':
        if (typeof n.value !== 'number' || !Number.isInteger(n.value)) return bad();
        return affine(n.value);
      case 'SymbolNode': {
        const name = n.name!;
        const at = this.locate(name);
        const refused = scope.refused?.get(name);
        if (refused !== undefined) this.fail(at, `'${name}' ${refused}`, 'sizes, parameters and values at fixed times');
        if (!scope.indexVars.has(name))
          this.fail(at, `'${name}' is not an index variable in scope`, 'a size, quantifier or product index');
        return affine(0, { [name]: 1 });
      }
      case 'OperatorNode': {
        const args = n.args!;
        if (n.op === '-' && args.length === 1) return affineScale(this.affineIndex(args[0]!, scope), -1);
        if (n.op === '+' && args.length === 1) return this.affineIndex(args[0]!, scope);
        if (n.op === '*' && args.length === 2) {
          const left = this.affineIndex(args[0]!, scope);
          const right = this.affineIndex(args[1]!, scope);
          if (isConstant(left)) return affineScale(right, left.c);
          if (isConstant(right)) return affineScale(left, right.c);
        }
        return bad();
      }
      default:
        return bad();
    }
  }

  private operator(n: MNode, scope: Scope): Expr {
    if (chainFamily(n)) return this.chain(n, scope);
    const start = this.cursor;
    const args = n.args!;
    if (args.length === 1) {
      if (n.op === '+') return this.convert(args[0]!, scope);
      const spec = specsFor(n.op === "'" ? `postfix:'` : `prefix:${n.op ?? ''}`)[0];
      const arg = this.convert(args[0]!, scope);
      if (!spec) this.fail(start, `unsupported operator '${n.op}'`);
      return this.at(node(spec.id, [arg]), start);
    }
    const left = this.convert(args[0]!, scope);
    // An operator is located at the start of its left operand (mathjs keeps no positions).
    const at = this.offsets.get(left) ?? start;
    const spec = specsFor(`infix:${n.op ?? ''}`)[0];
    if (!spec) {
      this.convert(args[1]!, scope);
      this.fail(at, `unsupported operator '${n.op}'`, "one of + - * / .* ^ .^ '");
    }
    const right = this.convert(args[1]!, scope);
    if (spec.syntax.args?.[1] === 'const' && right.kind !== 'num')
      this.fail(this.cursor, `'${n.op}' needs a constant exponent`, spec.syntax.usage);
    if (spec.syntax.args?.[1] === 'exponent' && right.kind !== 'num' && !isIntegerExpr(right))
      this.fail(this.cursor, `'${n.op}' needs a constant or an integer exponent`, spec.syntax.usage);
    return this.at(node(spec.id, [left, right]), at);
  }

  /**
   * A chain a + b - c + … or A*B*… (left-nested in mathjs's tree) read as a
   * list and joined by foldChain: as written when short, balanced when long
   * (a + b - c as a + b + (−c) there, so that the terms can be regrouped).
   */
  private chain(n: MNode, scope: Scope): Expr {
    const { operands, ops } = flattenChain(n);
    const items = operands.map((o) => {
      const start = this.cursor;
      const e = this.convert(o, scope);
      return { e, at: this.offsets.get(e) ?? start };
    });
    const spec = (op: string) => specsFor(`infix:${op}`)[0]!;
    const negate = (e: Expr, at: number) => this.at(node(specsFor('prefix:-')[0]!.id, [e]), at);
    // Balanced, every pair is joined by the family's operator (a − b becomes a + (−b)); as written, by its own.
    const joinOp = chainFamily(n) === 'additive' ? '+' : n.op!;
    const balanced = items.length > BALANCED_CHAIN;
    const terms = items.map(({ e, at }, k) =>
      balanced ? { e: ops[k] === '-' ? negate(e, at) : e, at, op: joinOp } : { e, at, op: ops[k] ?? joinOp },
    );
    // An operator is located at the start of its left operand (mathjs keeps no positions).
    return foldChain(terms, (left, right) => ({
      e: this.at(node(spec(right.op).id, [left.e, right.e]), left.at),
      at: left.at,
      op: left.op,
    })).e;
  }

  private call(n: MNode, scope: Scope): Expr {
    const fnNode = n.fn as MNode;
    const name = fnNode.type === 'SymbolNode' ? fnNode.name! : '';
    const offset = this.locate(name);
    const args = n.args!;
    const macro = scope.macros?.get(name);
    if (macro) return this.expandMacro(name, macro, args, scope, offset);
    if (this.scope.functions?.has(name)) {
      if (args.length !== 1) this.fail(offset, `${name} takes 1 argument`, `${name}(v)`);
      return this.at(node('ufn', [this.convert(args[0]!, scope)], { name }), offset);
    }
    const candidates = specsFor(`call:${name}`);
    if (!candidates.length)
      this.fail(offset, `unknown function '${name || '?'}'`, `one of ${[...callNames()].join(', ')}`);
    const fits = (s: OpSpec) => {
      const want = s.syntax.args?.length ?? 1;
      return s.syntax.variadic ? args.length >= (s.syntax.minArgs ?? want) : args.length === want;
    };
    const spec = candidates.find(fits);
    if (!spec) {
      // every form the spelling has, fewest arguments first: min(a, b) or min(i, lo, hi, scalar expression)
      const forms = [...candidates].sort((a, b) => (a.syntax.args?.length ?? 1) - (b.syntax.args?.length ?? 1));
      const counts = forms.map((s) =>
        s.syntax.variadic
          ? `at least ${s.syntax.minArgs ?? s.syntax.args?.length ?? 1}`
          : String(s.syntax.args?.length ?? 1),
      );
      const plural = counts.length > 1 || counts[0] !== '1';
      this.fail(
        offset,
        `${name} takes ${counts.join(' or ')} argument${plural ? 's' : ''}`,
        forms.map((s) => s.syntax.usage).join(' or '),
      );
    }
    return this.at(this.applySyntax(spec, name, args, scope, offset), offset);
  }

  /** Reads a call's arguments as its record's syntax says: expressions, integers, unit indices, binders, graph nodes. */
  private applySyntax(spec: OpSpec, name: string, args: MNode[], scope: Scope, offset: number): OpNode {
    const kinds = spec.syntax.args ?? ['expr'];
    const usage = spec.syntax.usage;
    const out: Expr[] = [];
    const ints: Affine[] = [];
    const units: Index[] = [];
    let binder: string | null = null;
    // A binder scopes the expressions after it; integer fields (bounds, lengths, the start) stay outside it.
    let inner: Scope = scope;
    args.forEach((a, k) => {
      const kind = kinds[Math.min(k, kinds.length - 1)]!;
      switch (kind) {
        case 'expr':
          out.push(this.convert(a, inner));
          break;
        case 'const': {
          const c = this.convert(a, scope);
          if (c.kind !== 'num') this.fail(this.cursor, `${name} needs a constant here`, usage);
          out.push(c);
          break;
        }
        case 'exponent': {
          const c = this.convert(a, scope);
          if (c.kind !== 'num' && !isIntegerExpr(c))
            this.fail(this.cursor, `${name} needs a constant or an integer exponent here`, usage);
          out.push(c);
          break;
        }
        case 'int':
          ints.push(this.affineIndex(a, scope));
          break;
        case 'unit':
          units.push(this.indexRef(a, scope));
          break;
        case 'int-binder': {
          binder = this.boundName(a, usage);
          if (scope.indexVars.has(binder))
            this.fail(offset, `'${binder}' is already an index variable here`, 'a fresh index name');
          inner = { ...inner, indexVars: new Set([...inner.indexVars, binder]) };
          break;
        }
        case 'path-binder':
          binder = this.boundName(a, usage);
          inner = { ...inner, pathVars: new Set([...(inner.pathVars ?? []), binder]) };
          break;
        case 'real-binder':
          binder = this.boundName(a, usage, true);
          inner = { ...inner, realVars: new Set([...inner.realVars, binder]) };
          break;
        case 'node':
        case 'held':
          out.push(this.nodeRef(a, scope, usage, kind === 'held'));
          break;
        case 'value':
        case 'unit-value':
        case 'entry-value': {
          const v = this.convert(a, scope);
          const ok =
            kind === 'value'
              ? v.kind === 'seq' || isOp(v, 'comp')
              : kind === 'unit-value'
                ? isOp(v, 'comp')
                : isOp(v, 'entry');
          const want =
            kind === 'value'
              ? 'a sequence value or one unit of it'
              : kind === 'unit-value'
                ? 'one unit of a sequence value'
                : 'one entry of a parameter';
          if (!ok) this.fail(offset, `${name} takes ${want} here`, usage);
          out.push(v);
          break;
        }
      }
    });
    return node(spec.id, out, { ints, units, binder });
  }

  /** A definition from the file applied to arguments: its body with each parameter replaced by the argument's text. */
  private expandMacro(name: string, macro: Macro, args: MNode[], scope: Scope, offset: number): Expr {
    if (args.length !== macro.params.length)
      this.fail(offset, `${name} takes ${macro.params.length} arguments`, `${name}(${macro.params.join(', ')})`);
    if (this.budget.definitionDepth >= LIMITS.definitionDepth)
      this.fail(
        offset,
        `definitions expanded more than ${LIMITS.definitionDepth} levels deep (at ${name})`,
        'definitions that use fewer definitions inside them',
      );
    // The body with each parameter replaced by its argument's text.
    const substitute = (texts: readonly string[]): string => {
      // All parameters at once: an argument that reuses a parameter's name must not be substituted again.
      const byName = new Map(macro.params.map((p, k) => [p, texts[k]!]));
      // Whole words that name a parameter, except as a sequence (g[l] is a path position, not a parameter's value);
      // an argument in parentheses, unless it is one name or in parentheses already (a definition passing its
      // parameter on wrapped it once more per level: D1(((((k))))) five levels down).
      const text = macro.body.replace(/[A-Za-z0-9_]+(\[?)/g, (word: string, bracket: string) => {
        const arg = byName.get(word);
        if (bracket || arg === undefined) return word;
        return /^[A-Za-z_][A-Za-z0-9_]*$/.test(arg) || enclosed(arg) ? arg : `(${arg})`;
      });
      if (text.length > LIMITS.expressionChars)
        this.fail(
          offset,
          `${name} expanded has more than ${LIMITS.expressionChars} characters`,
          'fewer nested uses of the definition',
        );
      return text;
    };
    // An argument that applies this same definition (D0(D0(x))) has it expanded in place first: the body is read
    // without the definition, so that it cannot call itself, but the argument's own use is no recursion (it said
    // "unknown function 'D0'", a review found).
    const argumentText = (a: MNode): string =>
      (a as unknown as { toString(options: object): string }).toString({
        handler: (n: MNode) =>
          n.type === 'FunctionNode' &&
          typeof n.fn === 'object' &&
          n.fn.name === name &&
          n.args?.length === macro.params.length
            ? `(${substitute(n.args.map(argumentText))})`
            : undefined,
      });
    let texts: string[];
    try {
      texts = args.map(argumentText);
    } catch (err) {
      // mathjs prints recursively: a very long chain as an argument exhausts the stack.
      if (err instanceof RangeError)
        this.fail(offset, `an argument of ${name} is too long to expand`, 'a shorter argument');
      throw err;
    }
    const body = substitute(texts);
    const inner: Scope = { ...scope, macros: new Map([...(scope.macros ?? [])].filter(([n]) => n !== name)) };
    this.budget.definitionDepth++;
    try {
      return this.at(parseWithin(body, inner, this.budget).expr, offset);
    } catch (err) {
      // The innermost definition is shown expanded, the outermost by name, with the count of those nested.
      if (err instanceof DefinitionError)
        throw new DefinitionError(offset, err.inner, err.innerProblem, err.expected, name, err.levels + 1);
      if (err instanceof ExprError)
        throw new DefinitionError(
          offset,
          clip(`${name}(${texts.map((t) => (enclosed(t) ? t.slice(1, -1) : t)).join(', ')}) = ${body}`),
          err.problem,
          err.expected,
        );
      throw err;
    } finally {
      this.budget.definitionDepth--;
    }
  }

  /** A bound variable; supabs's dummy x may shadow a model symbol, as in the lab's max_x. */
  private boundName(n: MNode, usage: string, mayShadow = false): string {
    if (n.type !== 'SymbolNode') this.fail(this.cursor, 'expected a variable name', usage);
    const name = n.name!;
    const at = this.locate(name);
    const reserved = reservedNameProblem(name, 'bound variable');
    if (reserved) this.fail(at, reserved, 'another name');
    if (!mayShadow && (this.scope.parameters.has(name) || this.scope.sequences.has(name) || this.scope.loss === name))
      this.fail(at, `'${name}' is a model symbol and cannot be a bound variable`, usage);
    return name;
  }

  /** A graph node; with `held`, a bare sequence name means that sequence held at every time. */
  private nodeRef(n: MNode, scope: Scope, usage: string, held = false): Expr {
    if (held && n.type === 'SymbolNode' && scope.sequences.has(n.name!)) {
      this.locate(n.name!);
      return sym(n.name!);
    }
    const e = this.convert(n, scope);
    if (e.kind === 'seq' || e.kind === 'sym') return e;
    this.fail(this.offsets.get(e) ?? this.cursor, 'a derivative is taken of and with respect to a graph node', usage);
  }
}
