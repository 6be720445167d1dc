/**
 * ASCII math → IR. mathjs does the tokenising and parsing (a restricted
 * instance that holds only `parse`: nothing in a derivation file is ever
 * evaluated by mathjs); this module walks its syntax tree and accepts only the
 * constructs gradproof understands, naming the offending one otherwise.
 */
// The number-only build: half the load time of the full bundle, and numbers are all we parse.
import { create, parseDependencies } from 'mathjs/number';
import { ExprError } from '../derivation/errors.js';
import { type Affine, affine, affineAdd, affineScale, isConstant } from './affine.js';
import type { Expr, Index, NodeRef, NormKind } from './expr.js';
import { ELEMENTWISE_NAMES } from './functions.js';

const math = create({ parseDependencies: parseDependencies! });

/** What the names in an expression may refer to. */
export interface Scope {
  readonly sequences: ReadonlySet<string>;
  readonly parameters: ReadonlySet<string>;
  readonly loss: string | null;
  /** integer variables usable in indices and as scalars (sizes, quantifiers, the equation's `t`) */
  readonly indexVars: ReadonlySet<string>;
  readonly realVars: ReadonlySet<string>;
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

const NORMS: Readonly<Record<string, NormKind>> = { norm2: '2', normF: 'F', normInf: 'inf', normMax: 'max' };
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['prod', 'sum', 'hprod', 'diag', 'eye', 'cols', 'delta', 'unit', 'dact', 'd', 'pathsum', 'grad', 'jac', 'partial', 'supabs', 'transpose', ...Object.keys(NORMS)]);

export function parseExpression(text: string, scope: Scope): ParsedExpr {
  return new Converter(text, scope).run(parseTree(text));
}

/** Parses an integer affine index or bound such as `T-k+1`. */
export function parseIndex(text: string, scope: Scope): Affine {
  return new Converter(text, scope).index(parseTree(text));
}

function parseTree(text: string): MNode {
  try {
    // mathjs reads a line break as a statement separator; an expression may span lines (same length, so offsets hold).
    return math.parse(text.replace(/[\r\n]/g, ' ')) as unknown as MNode;
  } catch (err) {
    const e = err as { message?: string; char?: number };
    const offset = typeof e.char === 'number' ? Math.max(0, e.char - 1) : 0;
    throw new ExprError(offset, `cannot parse expression: ${(e.message ?? String(err)).replace(/ \(char \d+\)$/, '')}`);
  }
}

class Converter {
  private readonly offsets = new WeakMap<Expr, number>();
  private cursor = 0;

  constructor(
    private readonly text: string,
    private readonly scope: Scope,
  ) {}

  run(root: MNode): ParsedExpr {
    return { expr: this.convert(root, this.scope), offsets: this.offsets };
  }

  index(root: MNode): Affine {
    return this.affineIndex(root, this.scope);
  }

  /** Finds a name's next whole-word occurrence; mathjs nodes carry no positions. */
  private locate(name: string): number {
    const re = new RegExp(`(?<![A-Za-z0-9_])${name.replace(/[^A-Za-z0-9_]/g, '\\$&')}(?![A-Za-z0-9_])`, 'g');
    re.lastIndex = this.cursor;
    const hit = re.exec(this.text) ?? ((re.lastIndex = 0), re.exec(this.text));
    if (!hit) return this.cursor;
    this.cursor = hit.index + name.length;
    return hit.index;
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
        if (typeof node.value !== 'number' || !Number.isFinite(node.value)) this.fail(start, `unsupported constant ${String(node.value)}`, 'a finite number');
        return this.at({ kind: 'num', value: node.value }, start);
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
        // `[h; x]` and `[h, x]` both mean stacking the vectors, as the documents write it.
        const flat = (n: MNode): MNode[] => (n.type === 'ArrayNode' ? n.items!.flatMap(flat) : [n]);
        const items = flat(node).map((item) => this.convert(item, scope));
        if (items.length < 2) this.fail(start, 'a concatenation needs at least two parts', '[a; b]');
        return this.at({ kind: 'concat', items }, start);
      }
      default:
        this.fail(start, `unsupported syntax (${node.type})`, 'arithmetic, h[t], function calls');
    }
  }

  private symbol(name: string, scope: Scope): Expr {
    const offset = this.locate(name);
    if (scope.realVars.has(name)) return this.at({ kind: 'rvar', name }, offset);
    if (scope.indexVars.has(name)) return this.at({ kind: 'ivar', name }, offset);
    if (scope.parameters.has(name) || scope.loss === name) return this.at({ kind: 'sym', name }, offset);
    if (scope.sequences.has(name))
      this.fail(offset, `'${name}' is a sequence and needs a time index`, `${name}[t]`);
    this.fail(offset, `unknown symbol '${name}'`, `one of the declared symbols or index variables`);
  }

  private sequence(node: MNode, scope: Scope): Expr {
    const object = node.object!;
    const offset = object.type === 'SymbolNode' ? this.locate(object.name!) : this.cursor;
    const dims = node.index!.dimensions ?? [];
    if (object.type === 'SymbolNode' && scope.parameters.has(object.name!)) {
      // One entry of a parameter: W[i, j], or b[i] for a vector.
      if (dims.length < 1 || dims.length > 2) this.fail(offset, 'a parameter entry takes one or two indices', `${object.name}[i, j]`);
      const row = this.indexRef(dims[0]!, scope);
      const col = dims[1] ? this.indexRef(dims[1], scope) : null;
      return this.at({ kind: 'entry', name: object.name!, row, col }, offset);
    }
    if (object.type !== 'SymbolNode' || !scope.sequences.has(object.name!)) {
      const what = object.type === 'SymbolNode' ? `'${object.name}'` : 'this expression';
      this.fail(offset, `${what} is not a declared sequence and cannot take a time index`, 'a state, intermediate or input symbol');
    }
    if (dims.length === 2)
      return this.at({ kind: 'comp', name: object.name!, time: this.affineIndex(dims[0]!, scope), index: this.indexRef(dims[1]!, scope) }, offset);
    if (dims.length !== 1) this.fail(offset, 'a sequence takes a time index, and optionally a unit', `${object.name}[t] or ${object.name}[t, alpha]`);
    return this.at({ kind: 'seq', name: object.name!, time: this.affineIndex(dims[0]!, scope) }, offset);
  }

  /** A unit index: affine (alpha, i+1), or a position of an index path (g[l]). */
  private indexRef(node: MNode, scope: Scope): Index {
    if (node.type === 'AccessorNode' && node.object?.type === 'SymbolNode' && scope.pathVars?.has(node.object.name!)) {
      this.locate(node.object.name!);
      const dims = node.index!.dimensions ?? [];
      if (dims.length !== 1) this.fail(this.cursor, 'a path position takes one index', `${node.object.name}[l]`);
      return { kind: 'path', name: node.object.name!, pos: this.affineIndex(dims[0]!, scope) };
    }
    if (node.type === 'ParenthesisNode') return this.indexRef(node.content!, scope);
    return { kind: 'affine', a: this.affineIndex(node, scope) };
  }

  /** Time indices and range bounds: integer affine in index variables. */
  private affineIndex(node: MNode, scope: Scope): Affine {
    const offset = this.cursor;
    const bad = (): never =>
      this.fail(offset, 'a time index or bound must be an integer affine expression', 'e.g. t-1, T-k+i, 2');
    switch (node.type) {
      case 'ParenthesisNode':
        return this.affineIndex(node.content!, scope);
      case 'ConstantNode':
        if (typeof node.value !== 'number' || !Number.isInteger(node.value)) return bad();
        return affine(node.value);
      case 'SymbolNode': {
        const name = node.name!;
        const at = this.locate(name);
        if (!scope.indexVars.has(name)) this.fail(at, `'${name}' is not an index variable in scope`, 'a size, quantifier or product index');
        return affine(0, { [name]: 1 });
      }
      case 'OperatorNode': {
        const args = node.args!;
        if (node.op === '-' && args.length === 1) return affineScale(this.affineIndex(args[0]!, scope), -1);
        if (node.op === '+' && args.length === 1) return this.affineIndex(args[0]!, scope);
        if ((node.op === '+' || node.op === '-') && args.length === 2) {
          const left = this.affineIndex(args[0]!, scope);
          return affineAdd(left, this.affineIndex(args[1]!, scope), node.op === '+' ? 1 : -1);
        }
        if (node.op === '*' && args.length === 2) {
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

  private operator(node: MNode, scope: Scope): Expr {
    const start = this.cursor;
    const args = node.args!;
    const [a, b] = args;
    if (args.length === 1) {
      const arg = this.convert(a!, scope);
      if (node.op === '-') return this.at({ kind: 'neg', arg }, start);
      if (node.op === '+') return arg;
      if (node.op === "'") return this.at({ kind: 'transpose', arg }, start);
      this.fail(start, `unsupported operator '${node.op}'`);
    }
    const left = this.convert(a!, scope);
    // An operator is located at the start of its left operand (mathjs keeps no positions).
    const at = this.offsets.get(left) ?? start;
    if (node.op === '.^') {
      const exponent = this.convert(b!, scope);
      if (exponent.kind !== 'num') this.fail(this.cursor, 'an elementwise power needs a constant exponent', 'v.^2');
      return this.at({ kind: 'epow', base: left, exponent: exponent.value }, at);
    }
    const right = this.convert(b!, scope);
    switch (node.op) {
      case '+':
        return this.at({ kind: 'add', left, right }, at);
      case '-':
        return this.at({ kind: 'sub', left, right }, at);
      case '*':
        return this.at({ kind: 'mul', left, right }, at);
      case '.*':
        return this.at({ kind: 'emul', left, right }, at);
      case '/':
        return this.at({ kind: 'div', left, right }, at);
      case '^':
        return this.at({ kind: 'pow', base: left, exponent: right }, at);
      default:
        this.fail(at, `unsupported operator '${node.op}'`, "one of + - * / .* ^ .^ '");
    }
  }

  private call(node: MNode, scope: Scope): Expr {
    const fnNode = node.fn as MNode;
    const name = fnNode.type === 'SymbolNode' ? fnNode.name! : '';
    const offset = this.locate(name);
    const args = node.args!;
    const arity = (n: number, usage: string): void => {
      if (args.length !== n) this.fail(offset, `${name} takes ${n} argument${n === 1 ? '' : 's'}`, usage);
    };
    const one = (): Expr => this.convert(args[0]!, scope);

    const elementwise = ELEMENTWISE_NAMES[name];
    if (elementwise) {
      arity(1, `${name}(v)`);
      return this.at({ kind: 'call', fn: elementwise, arg: one() }, offset);
    }
    const norm = NORMS[name];
    if (norm) {
      arity(1, `${name}(A)`);
      return this.at({ kind: 'norm', which: norm, arg: one() }, offset);
    }
    const macro = scope.macros?.get(name);
    if (macro) return this.expandMacro(name, macro, args, scope, offset);
    if (this.scope.functions?.has(name)) {
      arity(1, `${name}(v)`);
      return this.at({ kind: 'ucall', name, arg: one() }, offset);
    }
    switch (name) {
      case 'delta':
        arity(2, 'delta(a, b)');
        return this.at({ kind: 'delta', a: this.indexRef(args[0]!, scope), b: this.indexRef(args[1]!, scope) }, offset);
      case 'unit':
        arity(2, 'unit(d, i)');
        return this.at({ kind: 'unit', size: this.affineIndex(args[0]!, scope), index: this.indexRef(args[1]!, scope) }, offset);
      case 'dact': {
        arity(1, 'dact(h[t]) or dact(h[t, alpha])');
        const inner = this.convert(args[0]!, scope);
        if (inner.kind === 'seq') return this.at({ kind: 'dact', name: inner.name, time: inner.time, index: null }, offset);
        if (inner.kind === 'comp') return this.at({ kind: 'dact', name: inner.name, time: inner.time, index: inner.index }, offset);
        return this.fail(offset, 'dact takes a sequence value or one unit of it', 'dact(h[t, alpha])');
      }
      case 'd': {
        arity(2, 'd(h[t, alpha], W[i, j])');
        const [of, wrt] = [this.convert(args[0]!, scope), this.convert(args[1]!, scope)];
        if (of.kind !== 'comp' || wrt.kind !== 'entry') this.fail(offset, 'd relates one unit of a sequence to one parameter entry', 'd(h[t, alpha], W[i, j])');
        return this.at({ kind: 'ideriv', of: { name: of.name, time: of.time, index: of.index }, wrt: { name: wrt.name, row: wrt.row, col: wrt.col } }, offset);
      }
      case 'pathsum': {
        arity(5, 'pathsum(g, k, alpha, d, body) — Σ over g[1..k] in 1..d with g[0] = alpha');
        const path = this.boundName(args[0]!, 'pathsum(g, k, alpha, d, body)');
        const length = this.affineIndex(args[1]!, scope);
        const start = this.indexRef(args[2]!, scope);
        const range = this.affineIndex(args[3]!, scope);
        const inner: Scope = { ...scope, pathVars: new Set([...(scope.pathVars ?? []), path]) };
        return this.at({ kind: 'pathsum', path, length, start, range, body: this.convert(args[4]!, inner) }, offset);
      }
      case 'diag':
        arity(1, 'diag(v)');
        return this.at({ kind: 'diag', arg: one() }, offset);
      case 'transpose':
        arity(1, 'transpose(A)');
        return this.at({ kind: 'transpose', arg: one() }, offset);
      case 'sum':
        if (args.length === 1) return this.at({ kind: 'sumall', arg: one() }, offset);
        return this.rangeOp('sum', args, scope, offset);
      case 'prod':
      case 'hprod':
        return this.rangeOp(name, args, scope, offset);
      case 'eye':
        arity(1, 'eye(d)');
        return this.at({ kind: 'eye', size: this.affineIndex(args[0]!, scope) }, offset);
      case 'cols': {
        arity(3, 'cols(A, from, to)');
        const arg = one();
        return this.at({ kind: 'cols', arg, from: this.affineIndex(args[1]!, scope), to: this.affineIndex(args[2]!, scope), label: null }, offset);
      }
      case 'grad':
      case 'jac':
      case 'partial':
        return this.deriv(name, args, scope, offset);
      case 'supabs': {
        arity(2, 'supabs(x, expression in x)');
        const variable = this.boundName(args[0]!, 'supabs(x, expression in x)', true);
        const inner: Scope = { ...scope, realVars: new Set([...scope.realVars, variable]) };
        return this.at({ kind: 'supabs', variable, body: this.convert(args[1]!, inner) }, offset);
      }
      default:
        if (RESERVED_NAMES.has(name)) this.fail(offset, `bad use of ${name}`);
        this.fail(offset, `unknown function '${name || '?'}'`, `one of ${[...Object.keys(ELEMENTWISE_NAMES), ...RESERVED_NAMES].join(', ')}`);
    }
  }

  /** A definition from the file applied to arguments: its body with each parameter replaced by the argument's text. */
  private expandMacro(name: string, macro: Macro, args: MNode[], scope: Scope, offset: number): Expr {
    if (args.length !== macro.params.length) this.fail(offset, `${name} takes ${macro.params.length} arguments`, `${name}(${macro.params.join(', ')})`);
    const texts = args.map((a) => (a as unknown as { toString(): string }).toString());
    // All parameters at once: an argument that reuses a parameter's name must not be substituted again.
    const byName = new Map(macro.params.map((p, k) => [p, texts[k]!]));
    const pattern = new RegExp(`(?<![A-Za-z0-9_])(${macro.params.map((p) => p.replace(/[^A-Za-z0-9_]/g, '')).join('|')})(?![A-Za-z0-9_\\[])`, 'g');
    const body = macro.body.replace(pattern, (name) => `(${byName.get(name)})`);
    const inner: Scope = { ...scope, macros: new Map([...(scope.macros ?? [])].filter(([n]) => n !== name)) };
    try {
      return this.at(parseExpression(body, inner).expr, offset);
    } catch (err) {
      if (err instanceof ExprError) this.fail(offset, `in ${name}(${texts.join(', ')}) = ${body}: ${err.problem}`, err.expected);
      throw err;
    }
  }

  /** A bound variable; supabs's dummy x may shadow a model symbol, as in the lab's max_x. */
  private boundName(node: MNode, usage: string, mayShadow = false): string {
    if (node.type !== 'SymbolNode') this.fail(this.cursor, 'expected a variable name', usage);
    const name = node.name!;
    this.locate(name);
    if (!mayShadow && (this.scope.parameters.has(name) || this.scope.sequences.has(name) || this.scope.loss === name))
      this.fail(this.cursor - name.length, `'${name}' is a model symbol and cannot be a bound variable`, usage);
    return name;
  }

  private rangeOp(kind: 'prod' | 'sum' | 'hprod', args: MNode[], scope: Scope, offset: number): Expr {
    const usage = `${kind}(i, lo, hi, expression)`;
    if (args.length !== 4) this.fail(offset, `${kind} takes 4 arguments`, usage);
    const index = this.boundName(args[0]!, usage);
    if (scope.indexVars.has(index)) this.fail(offset, `'${index}' is already an index variable here`, 'a fresh index name');
    const lo = this.affineIndex(args[1]!, scope);
    const hi = this.affineIndex(args[2]!, scope);
    const inner: Scope = { ...scope, indexVars: new Set([...scope.indexVars, index]) };
    return this.at({ kind, index, lo, hi, body: this.convert(args[3]!, inner) }, offset);
  }

  /** A graph node; with `held`, a bare sequence name means that sequence held at every time. */
  private nodeRef(node: MNode, scope: Scope, usage: string, held = false): NodeRef {
    if (held && node.type === 'SymbolNode' && scope.sequences.has(node.name!)) {
      this.locate(node.name!);
      return { name: node.name!, time: null };
    }
    const e = this.convert(node, scope);
    if (e.kind === 'seq') return { name: e.name, time: e.time };
    if (e.kind === 'sym') return { name: e.name, time: null };
    this.fail(this.offsets.get(e) ?? this.cursor, 'a derivative is taken of and with respect to a graph node', usage);
  }

  private deriv(mode: 'grad' | 'jac' | 'partial', args: MNode[], scope: Scope, offset: number): Expr {
    const usage = mode === 'partial' ? 'partial(y[t], x[s], h[t-1], …) or partial(C[t], C[t-k], h) to hold h at every step' : `${mode}(y, x[t])`;
    if (mode === 'partial' ? args.length < 3 : args.length !== 2)
      this.fail(offset, `${mode} takes ${mode === 'partial' ? 'at least 3' : '2'} arguments`, usage);
    const of = this.nodeRef(args[0]!, scope, usage);
    const wrt = this.nodeRef(args[1]!, scope, usage);
    const fixed = args.slice(2).map((a) => this.nodeRef(a, scope, usage, true));
    return this.at({ kind: 'deriv', mode, of, wrt, fixed }, offset);
  }
}
