/**
 * Derivation files (YAML, format version 1) → typed Derivation. Every problem
 * is an InputError naming file:line:col and what was expected; nothing here
 * evaluates user text.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YNode, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { type Affine, affineVars, formatAffine, isConstant } from '../ir/affine.js';
import { children, walk, type Expr } from '../ir/expr.js';
import { type Macro, parseExpression, parseIndex, RESERVED_NAMES, type Scope } from '../ir/parse-math.js';
import { inferShape, isColumn, isScalar as isScalarShape, sameShape, shapeFromDims, formatShape, type Shape } from '../ir/shapes.js';
import { HORIZON, type Equation, type InitKind, type Model, type Role, type SizeRange, type SymbolDecl, TIME_VAR, type UserFunction } from '../model/model.js';
import { ELEMENTWISE_NAMES, type ElementwiseRule } from '../ir/functions.js';
import { compileScalar } from '../ir/scalar-function.js';
import { printExpr } from '../ir/print.js';
import { type Claim, DEFAULT_TOLERANCE, type Derivation, type Quantifier, REGIMES, type RegimeName, type Relation, VERDICTS, type Verdict } from './derivation.js';
import { type ExprSource, ExprError, InputError, type SourcePos, subSource, toInputError } from './errors.js';
import { alignScalar } from './scalar-source.js';

const ROLES: readonly Role[] = ['parameter', 'input', 'state', 'intermediate'];
const INITS: readonly InitKind[] = ['recurrent', 'weight', 'bias', 'forget-bias', 'gaussian', 'zero'];
const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

export function loadDerivationFile(file: string): Derivation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError({ file, line: 1, col: 1 }, `cannot read file: ${(err as Error).message}`);
  }
  return parseDerivation(text, file);
}

export function parseDerivation(text: string, file: string): Derivation {
  return new Loader(text, file).load();
}

class Loader {
  private readonly lines = new LineCounter();

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  // ── YAML plumbing ────────────────────────────────────────────────────────
  private pos(node: YNode | null | undefined): SourcePos {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  private fail(node: YNode | null | undefined, problem: string, expected?: string): never {
    throw new InputError(this.pos(node), problem, expected);
  }

  private map(node: YNode | null | undefined, what: string, allowed: readonly string[], required: readonly string[] = []): Map<string, { key: Scalar; value: YNode | null }> {
    if (!isMap(node)) this.fail(node, `${what} must be a mapping`, `keys ${allowed.join(', ')}`);
    const out = new Map<string, { key: Scalar; value: YNode | null }>();
    for (const pair of (node as YAMLMap).items as Pair<YNode, YNode | null>[]) {
      const key = pair.key;
      if (!isScalar(key) || typeof key.value !== 'string') this.fail(key, `${what} has a non-text key`, 'a name');
      const name = (key as Scalar<string>).value;
      if (!allowed.includes(name)) this.fail(key, `unknown key '${name}' in ${what}`, `one of ${allowed.join(', ')}`);
      out.set(name, { key: key as Scalar, value: pair.value });
    }
    for (const name of required) if (!out.has(name)) this.fail(node, `${what} is missing '${name}'`);
    return out;
  }

  private string(node: YNode | null | undefined, what: string): string {
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number'))
      this.fail(node, `${what} must be text`);
    return String((node as Scalar).value);
  }

  private number(node: YNode | null | undefined, what: string): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) this.fail(node, `${what} must be a number`);
    return (node as Scalar<number>).value;
  }

  /** The expression text, with every character mapped back to its place in the file. */
  private exprSource(node: YNode | null | undefined, what: string): ExprSource {
    const text = this.string(node, what);
    const scalar = node as Scalar;
    const [from, to] = [scalar.range![0], scalar.range![1]];
    const map = alignScalar(this.text.slice(from, to), from, text, scalar.type);
    return {
      text,
      locate: (offset) => {
        const { line, col } = this.lines.linePos(map[Math.max(0, Math.min(offset, map.length - 1))]!);
        return { file: this.file, line, col };
      },
    };
  }

  private located<T>(src: ExprSource, run: () => T): T {
    try {
      return run();
    } catch (err) {
      if (err instanceof ExprError) throw toInputError(src, err);
      throw err;
    }
  }

  // ── the file ─────────────────────────────────────────────────────────────
  load(): Derivation {
    const doc = parseDocument(this.text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    const yamlError = doc.errors[0];
    if (yamlError) {
      const { line, col } = this.lines.linePos(yamlError.pos[0]);
      throw new InputError({ file: this.file, line, col }, `YAML syntax error: ${yamlError.message.split('\n')[0]}`, 'valid YAML');
    }
    const top = this.map(doc.contents, 'the derivation file', ['gradproof', 'title', 'source', 'notation', 'model', 'definitions', 'claims'], ['gradproof', 'model', 'claims']);
    const version = top.get('gradproof')!;
    if (this.number(version.value, "'gradproof' (the format version)") !== 1) this.fail(version.value, 'unsupported format version', 'gradproof: 1');

    const model = this.model(top.get('model')!.value);
    const notation: Record<string, string> = {};
    const notationNode = top.get('notation')?.value;
    if (notationNode) {
      if (!isMap(notationNode)) this.fail(notationNode, 'notation must be a mapping', 'e.g. profile: lab');
      for (const pair of notationNode.items as Pair<Scalar, YNode>[]) notation[String(pair.key.value)] = this.string(pair.value, 'a notation hint');
    }
    this.macros = top.has('definitions') ? this.definitions(top.get('definitions')!.value) : new Map();
    const claims = this.claims(top.get('claims')!.value, model);
    return {
      file: this.file,
      title: top.has('title') ? this.string(top.get('title')!.value, 'title') : this.file,
      source: top.has('source') ? this.string(top.get('source')!.value, 'source') : null,
      notation,
      model,
      claims,
    };
  }

  private macros: ReadonlyMap<string, Macro> = new Map();

  /** `definitions: { "A(g, s)": "dact(h[s, g]) * delta(g, i) * x[s, j]" }`: named index-level expressions. */
  private definitions(node: YNode | null): Map<string, Macro> {
    if (!isMap(node)) this.fail(node, 'definitions must be a mapping', '"A(g, s)": expression');
    const out = new Map<string, Macro>();
    for (const pair of node.items as Pair<Scalar, YNode>[]) {
      const head = String(pair.key.value);
      const m = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*\(\s*([A-Za-z][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z][A-Za-z0-9_]*)*)\s*\)\s*$/.exec(head);
      if (!m) this.fail(pair.key, `bad definition head '${head}'`, 'NAME(p1, p2, …)');
      if (RESERVED_NAMES.has(m[1]!) || ELEMENTWISE_NAMES[m[1]!]) this.fail(pair.key, `'${m[1]}' is a built-in function`);
      out.set(m[1]!, { params: m[2]!.split(',').map((p) => p.trim()), body: this.string(pair.value, `definition ${m[1]}`) });
    }
    return out;
  }

  // ── model ────────────────────────────────────────────────────────────────
  private model(node: YNode | null): Model {
    const m = this.map(node, 'model', ['name', 'sizes', 'symbols', 'functions', 'equations', 'loss'], ['sizes', 'symbols', 'equations']);
    const sizes = this.sizes(m.get('sizes')!.value);
    const functions = m.has('functions') ? this.functions(m.get('functions')!.value) : new Map<string, UserFunction>();
    const functionNames = new Set(functions.keys());
    const sizeScope: Scope = { sequences: new Set(), parameters: new Set(), loss: null, indexVars: new Set(Object.keys(sizes)), realVars: new Set() };
    const symbols = this.symbols(m.get('symbols')!.value, sizes, sizeScope);
    const lossNode = m.get('loss')?.value ?? null;
    const lossName = lossNode ? this.lossName(lossNode) : null;
    const shapeOf = (name: string): Shape => (name === lossName ? shapeFromDims([]) : symbols.get(name)!.shape);
    const scope = (indexVars: Iterable<string>): Scope => ({
      sequences: new Set([...symbols.values()].filter((s) => s.role !== 'parameter').map((s) => s.name)),
      parameters: new Set([...symbols.values()].filter((s) => s.role === 'parameter').map((s) => s.name)),
      loss: lossName,
      indexVars: new Set(indexVars),
      realVars: new Set(),
      functions: functionNames,
    });

    const eqNode = m.get('equations')!.value;
    if (!isSeq(eqNode) || eqNode.items.length === 0) this.fail(eqNode, 'equations must be a non-empty list', "e.g. - h[t] = tanh(W*h[t-1] + U*x[t] + b)");
    const equationScope = scope([...Object.keys(sizes), TIME_VAR]);
    const parsed = (eqNode.items as YNode[]).map((item) => this.equation(item, symbols, equationScope, shapeOf));
    const equations = this.orderEquations(parsed, symbols, eqNode);

    let loss: Model['loss'] = null;
    if (lossNode && lossName) {
      const src = this.exprSource(lossNode, 'loss');
      const eq = src.text.indexOf('=');
      const rhsSrc = subSource(src, eq + 1);
      const rhs = this.located(rhsSrc, () => {
        const p = parseExpression(rhsSrc.text, scope(Object.keys(sizes)));
        if (!isScalarShape(inferShape(p.expr, { shapeOf }, p.offsets))) throw new ExprError(0, 'the loss must be a scalar', 'e.g. L = sum(c .* h[T])');
        walk(p.expr, (e) => {
          if (e.kind === 'deriv' || (e.kind === 'sym' && e.name === lossName)) throw new ExprError(p.offsets.get(e) ?? 0, 'the loss cannot refer to itself or to derivatives');
          if (['norm', 'supabs', 'diag', 'eye', 'cols', 'hprod'].includes(e.kind)) throw new ExprError(p.offsets.get(e) ?? 0, `${e.kind} is not supported in the loss`);
        });
        return p.expr;
      });
      this.checkLossTimes(rhs, symbols, sizes, rhsSrc);
      loss = { name: lossName, rhs, text: src.text.trim() };
    }
    for (const name of functionNames)
      if (symbols.has(name) || sizes[name]) this.fail(m.get('functions')!.value, `function '${name}' clashes with a symbol or size`);
    return { name: m.has('name') ? this.string(m.get('name')!.value, 'model name') : 'model', sizes, symbols, equations, loss, functions };
  }

  /**
   * `functions: { softplus: { value: log(1 + exp(x)), derivative: sigma(x) } }`:
   * activations with their derivatives, the derivative checked against
   * central differences of the value so a wrong declaration is caught here.
   */
  private functions(node: YNode | null): Map<string, UserFunction> {
    if (!isMap(node)) this.fail(node, 'functions must be a mapping', 'e.g. softplus: { value: "log(1 + exp(x))", derivative: "sigma(x)" }');
    const out = new Map<string, UserFunction>();
    const rules = new Map<string, ElementwiseRule>();
    for (const pair of node.items as Pair<Scalar, YNode>[]) {
      const name = String(pair.key.value);
      if (!IDENT.test(name) || ELEMENTWISE_NAMES[name] || RESERVED_NAMES.has(name)) this.fail(pair.key, `bad function name '${name}'`, 'a new identifier (not a built-in function)');
      const f = this.map(pair.value, `function ${name}`, ['value', 'derivative', 'variable'], ['value', 'derivative']);
      const variable = f.has('variable') ? this.string(f.get('variable')!.value, 'variable') : 'x';
      const scope: Scope = { sequences: new Set(), parameters: new Set(), loss: null, indexVars: new Set(), realVars: new Set([variable]), functions: new Set(out.keys()) };
      const body = (key: 'value' | 'derivative') => {
        const src = this.exprSource(f.get(key)!.value, `${name}'s ${key}`);
        return this.located(src, () => {
          const expr = parseExpression(src.text, scope).expr;
          try {
            return { expr, fn: compileScalar(expr, variable, rules) };
          } catch (err) {
            throw new ExprError(0, `${name}'s ${key} is not a scalar function of ${variable}: ${(err as Error).message}`);
          }
        });
      };
      const value = body('value');
      const derivative = body('derivative');
      let checked = 0;
      for (const x of [-1.7, -0.4, 0.25, 1.3, 2.6]) {
        const h = 1e-5 * Math.max(1, Math.abs(x));
        const [fd, declared] = [(value.fn(x + h) - value.fn(x - h)) / (2 * h), derivative.fn(x)];
        if (!Number.isFinite(fd) || !Number.isFinite(declared)) continue;
        checked++;
        if (Math.abs(fd - declared) > 1e-5 * Math.max(1, Math.abs(fd)))
          this.fail(f.get('derivative')!.value, `the declared derivative of ${name} disagrees with its value at ${variable} = ${x}: declared ${declared}, central difference ${fd}`, `the derivative of ${printExpr(value.expr)}`);
      }
      if (checked === 0) this.fail(f.get('value')!.value, `${name} is not finite at any test point`, 'a function defined around 0');
      const rule: ElementwiseRule = { value: value.fn, derivative: (x) => derivative.fn(x), derivativeText: printExpr(derivative.expr) };
      rules.set(name, rule);
      out.set(name, { name, variable, value: value.expr, derivative: derivative.expr, rule });
    }
    return out;
  }

  /**
   * Every time the loss reads must exist for every T in range: each index is
   * checked at the ends of its enclosing sum ranges (affine, so the ends
   * bound it) and at the smallest and largest T.
   */
  private checkLossTimes(rhs: Expr, symbols: Map<string, SymbolDecl>, sizes: Record<string, SizeRange>, src: ExprSource): void {
    const { min, max } = sizes[HORIZON]!;
    const visit = (e: Expr, ranges: { name: string; lo: Affine; hi: Affine }[]) => {
      if (e.kind === 'sum' || e.kind === 'prod') {
        for (const c of children(e)) visit(c, [...ranges, { name: e.index, lo: e.lo, hi: e.hi }]);
        return;
      }
      if (e.kind === 'seq') {
        const low = symbols.get(e.name)?.role === 'input' ? 1 : 0;
        for (const T of [min, max]) {
          let corners: Record<string, number>[] = [{ [HORIZON]: T }];
          for (const r of ranges) {
            const next: Record<string, number>[] = [];
            for (const env of corners) {
              const [lo, hi] = [evalAffineSafe(r.lo, env), evalAffineSafe(r.hi, env)];
              if (lo === null || hi === null || hi < lo) continue;
              next.push({ ...env, [r.name]: lo }, { ...env, [r.name]: hi });
            }
            corners = next;
          }
          for (const env of corners) {
            const time = evalAffineSafe(e.time, env);
            if (time === null || time < low || time > T)
              throw toInputError(src, new ExprError(0, `the loss reads ${e.name}[${formatAffine(e.time)}], outside the unrolled graph (${low}..T) for some T in ${min}..${max}`, 'times within the sequence for every T'));
          }
        }
      }
      for (const c of children(e)) visit(c, ranges);
    };
    visit(rhs, []);
  }

  private sizes(node: YNode | null, requireHorizon = true): Record<string, SizeRange> {
    if (!isMap(node)) this.fail(node, 'sizes must be a mapping', 'e.g. d: 2..6');
    const out: Record<string, SizeRange> = {};
    for (const pair of node.items as Pair<Scalar, YNode>[]) {
      const name = String(pair.key.value);
      if (!IDENT.test(name) || name === TIME_VAR) this.fail(pair.key, `bad size name '${name}'`, `an identifier other than ${TIME_VAR}`);
      const raw = this.string(pair.value, `size ${name}`);
      const match = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(raw);
      if (!match) this.fail(pair.value, `bad range for size ${name}`, 'an integer or a range such as 2..6');
      const min = Number(match[1]);
      const max = match[2] === undefined ? min : Number(match[2]);
      if (min < 1 || max < min) this.fail(pair.value, `empty or non-positive range for size ${name}`, 'lo..hi with 1 ≤ lo ≤ hi');
      out[name] = { min, max };
    }
    if (requireHorizon && !out[HORIZON]) this.fail(node, `sizes must include ${HORIZON}, the last time step`, `${HORIZON}: 3..10`);
    return out;
  }

  private symbols(node: YNode | null, sizes: Record<string, SizeRange>, sizeScope: Scope): Map<string, SymbolDecl> {
    if (!isMap(node)) this.fail(node, 'symbols must be a mapping', 'e.g. W: { role: parameter, shape: [d, d] }');
    const out = new Map<string, SymbolDecl>();
    for (const pair of node.items as Pair<Scalar, YNode>[]) {
      const name = String(pair.key.value);
      if (!IDENT.test(name)) this.fail(pair.key, `bad symbol name '${name}'`, 'an identifier such as W_f');
      if (sizes[name] || name === TIME_VAR) this.fail(pair.key, `symbol '${name}' clashes with a size or the time variable`);
      const decl = this.map(pair.value, `symbol ${name}`, ['role', 'shape', 'init', 'description'], ['role', 'shape']);
      const roleNode = decl.get('role')!.value;
      const role = this.string(roleNode, 'role') as Role;
      if (!ROLES.includes(role)) this.fail(roleNode, `unknown role '${role}'`, `one of ${ROLES.join(', ')}`);
      const shape = this.shape(decl.get('shape')!.value, sizeScope);
      let init: InitKind = isColumn(shape) ? 'bias' : 'weight';
      const initNode = decl.get('init')?.value;
      if (initNode) {
        init = this.string(initNode, 'init') as InitKind;
        if (!INITS.includes(init)) this.fail(initNode, `unknown init '${init}'`, `one of ${INITS.join(', ')}`);
        if (role !== 'parameter' && !(role === 'state' && init === 'zero')) this.fail(initNode, 'only parameters take an init (and states `init: zero`, for h[0] = 0)');
      }
      const description = decl.has('description') ? this.string(decl.get('description')!.value, 'description') : undefined;
      out.set(name, { name, role, shape, init, ...(description ? { description } : {}) });
    }
    return out;
  }

  private shape(node: YNode | null, sizeScope: Scope): Shape {
    if (!isSeq(node) || node.items.length > 2) this.fail(node, 'a shape is a list of at most two dimensions', '[d, d], [d] or []');
    const dims: Affine[] = (node.items as YNode[]).map((item) => {
      const src = this.exprSource(item, 'a dimension');
      const dim = this.located(src, () => parseIndex(src.text, sizeScope));
      if (dim.c < 0 || Object.values(dim.terms).some((c) => c < 0) || (isConstant(dim) && dim.c < 1))
        this.fail(item, `dimension '${formatAffine(dim)}' is not positive`, 'a positive size expression such as d or d+m');
      return dim;
    });
    return shapeFromDims(dims);
  }

  private lossName(node: YNode): string {
    const src = this.exprSource(node, 'loss');
    const match = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=[^=]/.exec(src.text);
    if (!match) this.fail(node, 'the loss must be written NAME = expression', 'e.g. L = sum(c .* h[T])');
    return match[1]!;
  }

  private equation(node: YNode, symbols: Map<string, SymbolDecl>, scope: Scope, shapeOf: (n: string) => Shape): Equation {
    const src = this.exprSource(node, 'an equation');
    const match = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*\[\s*t\s*\]\s*=(?!=)/.exec(src.text);
    if (!match) this.fail(node, 'an equation must define a sequence at time t', 'NAME[t] = expression');
    const target = match[1]!;
    const decl = symbols.get(target);
    if (!decl || (decl.role !== 'state' && decl.role !== 'intermediate'))
      throw new InputError(src.locate(src.text.indexOf(target)), `'${target}' is not a state or intermediate symbol`, 'the equation to define a declared state/intermediate');
    const rhsSrc = subSource(src, match[0].length);
    const rhs = this.located(rhsSrc, () => {
      const p = parseExpression(rhsSrc.text, scope);
      const shape = inferShape(p.expr, { shapeOf }, p.offsets);
      if (!sameShape(shape, decl.shape)) throw new ExprError(0, `the right-hand side is ${formatShape(shape)} but ${target} is ${formatShape(decl.shape)}`);
      walk(p.expr, (e) => {
        const where = p.offsets.get(e) ?? 0;
        if (['deriv', 'norm', 'prod', 'sum', 'hprod', 'supabs', 'eye', 'cols'].includes(e.kind))
          throw new ExprError(where, `${e.kind} is not allowed in a model equation`);
        if (e.kind === 'sym' && e.name === scope.loss) throw new ExprError(where, 'an equation cannot use the loss');
        if (e.kind === 'ivar' && e.name === TIME_VAR) throw new ExprError(where, 't may appear only as a time index');
        if (e.kind === 'seq') {
          const ok = affineVars(e.time).join() === TIME_VAR && e.time.terms[TIME_VAR] === 1 && (e.time.c === 0 || e.time.c === -1);
          if (!ok) throw new ExprError(where, `time index '${formatAffine(e.time)}' not supported in an equation`, 't or t-1');
          const ref = symbols.get(e.name)!;
          if (e.time.c === -1 && ref.role !== 'state')
            throw new ExprError(where, `'${e.name}[t-1]' needs an initial value: declare ${e.name} with role state`);
        }
      });
      return p.expr;
    });
    return { target, rhs, text: src.text.trim() };
  }

  /** Orders equations so that same-time dependencies come first; rejects cycles and duplicates. */
  private orderEquations(equations: Equation[], symbols: Map<string, SymbolDecl>, listNode: YNode): Equation[] {
    const byTarget = new Map<string, Equation>();
    const nodeOf = new Map<string, YNode>();
    equations.forEach((eq, i) => {
      const item = (listNode as { items: YNode[] }).items[i]!;
      if (byTarget.has(eq.target)) this.fail(item, `'${eq.target}' is defined twice`);
      byTarget.set(eq.target, eq);
      nodeOf.set(eq.target, item);
    });
    for (const s of symbols.values())
      if ((s.role === 'state' || s.role === 'intermediate') && !byTarget.has(s.name))
        this.fail(listNode, `no equation defines '${s.name}'`, `${s.name}[t] = …`);
    const ordered: Equation[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (eq: Equation, chain: string[]): void => {
      if (state.get(eq.target) === 'done') return;
      if (state.get(eq.target) === 'visiting')
        this.fail(nodeOf.get(eq.target), `equations depend on each other at the same time step: ${[...chain.slice(chain.indexOf(eq.target)), eq.target].join(' → ')}`, 'an acyclic system');
      state.set(eq.target, 'visiting');
      walk(eq.rhs, (e) => {
        if (e.kind === 'seq' && e.time.c === 0) {
          const dep = byTarget.get(e.name);
          if (dep) visit(dep, [...chain, eq.target]);
        }
      });
      state.set(eq.target, 'done');
      ordered.push(eq);
    };
    for (const eq of equations) visit(eq, []);
    return ordered;
  }

  // ── claims ───────────────────────────────────────────────────────────────
  private claims(node: YNode | null, model: Model): Claim[] {
    if (!isSeq(node)) this.fail(node, 'claims must be a list');
    const seen = new Set<string>();
    const perItem = (node.items as YNode[]).map((item) => {
      const group = this.claim(item, model);
      for (const claim of group) {
        if (seen.has(claim.id)) this.fail(item, `duplicate claim id '${claim.id}'`);
        seen.add(claim.id);
      }
      return group;
    });
    (node.items as YNode[]).forEach((item, k) => {
      for (const claim of perItem[k]!)
        if (claim.corrects && !seen.has(claim.corrects))
          this.fail((item as YAMLMap).get('corrects', true) as YNode, `claim '${claim.id}' corrects unknown claim '${claim.corrects}'`, 'the id of a claim in this file');
    });
    const claims = perItem.flat();
    return claims;
  }

  /** A claim, or a chain of steps (each checked as a claim of its own). */
  private claim(node: YNode, model: Model): Claim[] {
    const c = this.map(node, 'a claim', ['id', 'label', 'source-text', 'claim', 'chain', 'forall', 'expect', 'regimes', 'sizes', 'tolerance', 'corrects', 'note'], ['id']);
    const id = this.string(c.get('id')!.value, 'claim id');
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id)) this.fail(c.get('id')!.value, `bad claim id '${id}'`, 'letters, digits, . _ -');
    if (c.has('claim') === c.has('chain')) this.fail(node, `claim '${id}' needs exactly one of 'claim' and 'chain'`);
    const opt = (key: string): string | null => (c.has(key) ? this.string(c.get(key)!.value, key) : null);

    const sizeNames = Object.keys(model.sizes);
    const forall = c.has('forall') ? this.quantifiers(c.get('forall')!.value, sizeNames, model) : [];
    const names = [...sizeNames, ...forall.map((q) => q.name)];
    const symbols = [...model.symbols.values()];
    const scope: Scope = {
      sequences: new Set(symbols.filter((s) => s.role !== 'parameter').map((s) => s.name)),
      parameters: new Set(symbols.filter((s) => s.role === 'parameter').map((s) => s.name)),
      loss: model.loss?.name ?? null,
      indexVars: new Set(names),
      realVars: new Set(),
      functions: new Set(model.functions.keys()),
      macros: this.macros,
    };
    const shapeOf = (name: string): Shape => (name === model.loss?.name ? shapeFromDims([]) : model.symbols.get(name)!.shape);
    const parseSide = (src: ExprSource) =>
      this.located(src, () => {
        const p = parseExpression(src.text, scope);
        this.checkDerivs(p.expr, model, p.offsets);
        return { ...p, shape: inferShape(p.expr, { shapeOf }, p.offsets) };
      });
    const relate = (lhs: ReturnType<typeof parseSide>, relation: Relation, rhs: ReturnType<typeof parseSide>, src: ExprSource, at: number) => {
      // A scalar against a matrix would be ambiguous (all-ones? c·I?): only 0 is accepted, meaning the zero matrix.
      const zero = rhs.expr.kind === 'num' && rhs.expr.value === 0;
      if (!sameShape(lhs.shape, rhs.shape) && !(zero && relation === '='))
        throw toInputError(src, new ExprError(at, `the sides have different shapes: ${formatShape(lhs.shape)} and ${formatShape(rhs.shape)}`, isScalarShape(rhs.shape) ? `0 for a zero ${formatShape(lhs.shape)}, or c * eye(n)` : undefined));
      checkSupabs(lhs.expr, relation, rhs.expr, (e) => toInputError(src, new ExprError(at, e)));
      if (relation !== '=' && (!isScalarShape(lhs.shape) || !isScalarShape(rhs.shape)))
        throw toInputError(src, new ExprError(at, 'an inequality compares scalars', 'norms, e.g. norm2(jac(h[T], h[T-k])) <= …'));
    };
    const verdict = (n: YNode | null | undefined): Verdict => {
      const v = this.string(n, 'expect') as Verdict;
      if (!VERDICTS.includes(v)) this.fail(n, `unknown verdict '${v}'`, `one of ${VERDICTS.join(', ')}`);
      return v;
    };

    let regimes: RegimeName[] | null = null;
    const regimesNode = c.get('regimes')?.value;
    if (regimesNode) {
      if (!isSeq(regimesNode) || regimesNode.items.length === 0) this.fail(regimesNode, 'regimes must be a non-empty list', REGIMES.join(', '));
      regimes = (regimesNode.items as YNode[]).map((item) => {
        const r = this.string(item, 'regime') as RegimeName;
        if (!REGIMES.includes(r)) this.fail(item, `unknown regime '${r}'`, `one of ${REGIMES.join(', ')}`);
        return r;
      });
    }
    let tolerance = DEFAULT_TOLERANCE;
    const tolNode = c.get('tolerance')?.value;
    if (tolNode) {
      tolerance = this.number(tolNode, 'tolerance');
      if (!(tolerance > 0 && tolerance < 1)) this.fail(tolNode, 'tolerance must be a relative error in (0, 1)', 'e.g. 1e-9');
    }
    let sizes: Record<string, SizeRange> | null = null;
    const sizesNode = c.get('sizes')?.value;
    if (sizesNode) {
      sizes = this.sizes(sizesNode, false);
      for (const [name, range] of Object.entries(sizes)) {
        const full = model.sizes[name];
        if (!full) this.fail(sizesNode, `the claim restricts an unknown size '${name}'`, `one of ${sizeNames.join(', ')}`);
        if (range.min < full.min || range.max > full.max) this.fail(sizesNode, `the claim's range for ${name} leaves the model's ${full.min}..${full.max}`);
      }
    }
    const common = { forall, regimes, tolerance, sizes, corrects: opt('corrects'), note: opt('note'), pos: this.pos(node), sourceText: opt('source-text') };

    if (c.has('claim')) {
      const src = this.exprSource(c.get('claim')!.value, 'claim');
      const split = splitRelation(src.text);
      if (!split) {
        // Unbalanced brackets hide the relation: report the bracket, not a missing relation.
        this.located(src, () => parseExpression(src.text.replace(/<=|>=|==|[=≤≥]/g, (m) => ' '.repeat(m.length)), scope));
        this.fail(c.get('claim')!.value, 'a claim relates two sides', 'lhs = rhs, lhs <= rhs or lhs >= rhs');
      }
      const lhs = parseSide(subSource(src, 0, split.left.length));
      const rhs = parseSide(subSource(src, split.rightStart, split.rightStart + split.right.length));
      relate(lhs, split.relation, rhs, src, split.at);
      if (!c.has('expect')) this.fail(node, `claim '${id}' is missing 'expect'`);
      return [{ ...common, id, label: opt('label'), statement: src.text.trim(), lhs: lhs.expr, relation: split.relation, rhs: rhs.expr, expect: verdict(c.get('expect')!.value), chain: null }];
    }

    // chain: { from: expr, steps: [{ to: expr, by: text, expect: verdict, relation?: <= }] }
    const chain = this.map(c.get('chain')!.value, 'a chain', ['from', 'steps'], ['from', 'steps']);
    const fromSrc = this.exprSource(chain.get('from')!.value, 'chain start');
    let previous = parseSide(fromSrc);
    let previousText = fromSrc.text.trim();
    const stepsNode = chain.get('steps')!.value;
    if (!isSeq(stepsNode) || stepsNode.items.length === 0) this.fail(stepsNode, 'a chain needs a list of steps');
    return (stepsNode.items as YNode[]).map((item, k) => {
      const step = this.map(item, 'a chain step', ['to', 'by', 'expect', 'relation', 'note'], ['to', 'by', 'expect']);
      const toSrc = this.exprSource(step.get('to')!.value, 'step');
      const to = parseSide(toSrc);
      const relation = (step.has('relation') ? this.string(step.get('relation')!.value, 'relation') : '=') as Relation;
      if (!['=', '<=', '>='].includes(relation)) this.fail(step.get('relation')!.value, `unknown relation '${relation}'`, '=, <= or >=');
      relate(previous, relation, to, toSrc, 0);
      const by = this.string(step.get('by')!.value, 'justification');
      const claim: Claim = {
        ...common,
        id: `${id}.${k + 1}`,
        label: `${opt('label') ?? id}, step ${k + 1} (${by})`,
        statement: `${previousText} ${relation} ${toSrc.text.trim()}`,
        lhs: previous.expr,
        relation,
        rhs: to.expr,
        expect: verdict(step.get('expect')!.value),
        note: step.has('note') ? this.string(step.get('note')!.value, 'note') : common.note,
        chain: { id, step: k + 1, by },
        pos: this.pos(item),
      };
      previous = to;
      previousText = toSrc.text.trim();
      return claim;
    });
  }

  private quantifiers(node: YNode | null, sizeNames: string[], model: Model): Quantifier[] {
    const src = this.exprSource(node, 'forall');
    const out: Quantifier[] = [];
    let offset = 0;
    for (const part of src.text.split(',')) {
      const partSrc = subSource(src, offset, offset + part.length);
      offset += part.length + 1;
      const match = /^\s*([A-Za-z][A-Za-z0-9_]*)\s+in\s+(.+?)\.\.(.+)$/.exec(part);
      if (!match) throw toInputError(partSrc, new ExprError(Math.max(0, part.search(/\S/)), 'bad quantifier', 'k in 1..T (several separated by commas)'));
      const name = match[1]!;
      if (sizeNames.includes(name) || model.symbols.has(name) || out.some((q) => q.name === name) || name === model.loss?.name)
        throw toInputError(partSrc, new ExprError(part.indexOf(name), `quantifier '${name}' clashes with another name`));
      const scope: Scope = { sequences: new Set(), parameters: new Set(), loss: null, indexVars: new Set([...sizeNames, ...out.map((q) => q.name)]), realVars: new Set() };
      const loStart = part.indexOf(match[2]!, match[0].indexOf(' in ') + 4);
      const lo = this.located(subSource(partSrc, loStart, loStart + match[2]!.length), () => parseIndex(match[2]!, scope));
      const hiStart = part.lastIndexOf('..') + 2;
      const hi = this.located(subSource(partSrc, hiStart), () => parseIndex(match[3]!, scope));
      out.push({ name, lo, hi });
    }
    return out;
  }

  /** Derivatives are taken between graph nodes the numeric engine can seed. */
  private checkDerivs(expr: Expr, model: Model, offsets: WeakMap<Expr, number>): void {
    walk(expr, (e) => {
      if (e.kind !== 'deriv') return;
      const where = offsets.get(e) ?? 0;
      const isLoss = (name: string) => name === model.loss?.name;
      if (isLoss(e.wrt.name)) throw new ExprError(where, 'cannot differentiate with respect to the loss');
      if (e.mode === 'grad' && !isLoss(e.of.name) && !isScalarShape(model.symbols.get(e.of.name)!.shape))
        throw new ExprError(where, 'grad takes the loss (or a scalar) first', 'grad(L, h[t])');
      if (e.mode !== 'grad' && isLoss(e.of.name)) throw new ExprError(where, `use grad for the loss`, 'grad(L, h[t])');
      if (model.symbols.get(e.wrt.name)?.role === 'parameter' && e.mode !== 'grad')
        throw new ExprError(where, 'derivatives with respect to a parameter are supported as grad(L, W)');
      for (const f of e.fixed) {
        if (isLoss(f.name) || model.symbols.get(f.name)?.role === 'parameter')
          throw new ExprError(where, `only sequence values can be held fixed, not '${f.name}'`, 'partial(C[t], C[t-1], h[t-1])');
        if (!f.time && (f.name === e.of.name || f.name === e.wrt.name))
          throw new ExprError(where, `'${f.name}' cannot be held at every step: the derivative is of or with respect to it`);
      }
    });
  }
}

function evalAffineSafe(a: Affine, env: Record<string, number>): number | null {
  return Object.keys(a.terms).every((v) => env[v] !== undefined) ? Object.entries(a.terms).reduce((s, [v, c]) => s + c * env[v]!, a.c) : null;
}

/**
 * supabs is a numeric lower bound of a supremum: it may only make the larger
 * side of an inequality smaller, which can never turn a false claim into a
 * pass. So it stands only on the larger side, inside sums, products and
 * nonnegative powers of nonnegative quantities (norms, sups, constants ≥ 0).
 */
function checkSupabs(lhs: Expr, relation: Relation, rhs: Expr, fail: (message: string) => Error): void {
  const has = (e: Expr) => {
    let found = false;
    walk(e, (x) => {
      if (x.kind === 'supabs') found = true;
    });
    return found;
  };
  for (const side of [lhs, rhs])
    walk(side, (x) => {
      if (x.kind !== 'supabs') return;
      try {
        compileScalar(x.body, x.variable);
      } catch (err) {
        throw fail(`supabs needs a scalar function of ${x.variable}: ${(err as Error).message}`);
      }
    });
  if (!has(lhs) && !has(rhs)) return;
  const [smaller, larger] = relation === '>=' ? [rhs, lhs] : [lhs, rhs];
  if (relation === '=' || has(smaller)) throw fail('supabs gives a lower bound of the supremum, so it may only stand on the larger side of <= or >=');
  const monotone = (e: Expr): boolean => {
    switch (e.kind) {
      case 'supabs':
      case 'norm':
        return true;
      case 'num':
        return e.value >= 0;
      case 'add':
      case 'mul':
        return monotone(e.left) && monotone(e.right);
      case 'pow':
        return monotone(e.base) && ((e.exponent.kind === 'num' && e.exponent.value >= 0) || e.exponent.kind === 'ivar');
      default:
        return !has(e);
    }
  };
  if (!monotone(larger)) throw fail('supabs may only appear on the larger side in sums and products of nonnegative quantities and in powers with a constant or single-variable exponent (a lower bound there can only make the check stricter)');
}

/** Splits `lhs REL rhs` at the one top-level relation; null if there is none. */
export function splitRelation(text: string): { left: string; right: string; rightStart: number; relation: Relation; at: number } | null {
  let depth = 0;
  let found: { at: number; len: number; relation: Relation } | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0) {
      const two = text.slice(i, i + 2);
      let hit: { len: number; relation: Relation } | null = null;
      if (two === '<=' || ch === '≤') hit = { len: ch === '≤' ? 1 : 2, relation: '<=' };
      else if (two === '>=' || ch === '≥') hit = { len: ch === '≥' ? 1 : 2, relation: '>=' };
      else if (two === '==') hit = { len: 2, relation: '=' };
      else if (ch === '=') hit = { len: 1, relation: '=' };
      if (hit) {
        if (found) return null;
        found = { at: i, ...hit };
        i += hit.len - 1;
      }
    }
  }
  if (!found) return null;
  const rightStart = found.at + found.len;
  return { left: text.slice(0, found.at), right: text.slice(rightStart), rightStart, relation: found.relation, at: found.at };
}
