/**
 * The `model:` section of a derivation file: sizes, symbols with roles and
 * shapes, user-declared activations (their derivatives checked against
 * central differences), the step equations (ordered so that same-step
 * dependencies come first) and the loss (every time it reads checked to
 * exist for every horizon).
 */
import { isMap, isScalar, isSeq, type Node as YNode, type Pair, type Scalar } from 'yaml';
import { type Affine, affineVars, evalAffine, formatAffine, type IntEnv, isConstant } from '../ir/affine.js';
import { children, type Expr, walk } from '../ir/expr.js';
import { inferShape } from '../ir/infer-shape.js';
import { LIMITS } from '../ir/limits.js';
import { nameRecord, own } from '../ir/names.js';
import { parseExpression, parseIndex, reservedNames, type Scope } from '../ir/parse-math.js';
import { printExpr } from '../ir/print.js';
import {
  compileScalar,
  compileScalarLoss,
  declaredCosts,
  meteredRule,
  type ScalarCosts,
  type ScalarFn,
} from '../ir/scalar-function.js';
import { riddersDerivative } from '../numeric/finite-diff.js';
import {
  formatShape,
  isColumn,
  isScalar as isScalarShape,
  isSquare,
  sameShape,
  type Shape,
  shapeFromDims,
} from '../ir/shape.js';
import type { ElementwiseRule } from '../ops/elementwise.js';
import { specOf } from '../ops/index.js';
import {
  type Equation,
  type FixedValue,
  HORIZON,
  type InitKind,
  type Model,
  type Role,
  type SizeRange,
  type SymbolDecl,
  TIME_VAR,
  type UserFunction,
} from '../model/model.js';
import { graphBudget, rangesOf, sizeLimit } from './budgets.js';
import { checkPlacement } from './check-expr.js';
import { type ExprSource, ExprError, InputError, subSource, toInputError } from './errors.js';
import type { YamlSource } from './yaml-source.js';
import { readLatexNode } from './latex-source.js';
import { latexContext, type LatexNotation } from '../latex/derivation-context.js';

const ROLES: readonly Role[] = ['parameter', 'input', 'state', 'intermediate'];
const INITS: readonly InitKind[] = ['recurrent', 'weight', 'bias', 'forget-bias', 'gaussian', 'zero'];
export const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

/** What a size in a `sizes:` mapping is written as. */
const SIZE_EXPECTED = 'an integer or a range such as 2..6';

/** Text of the file quoted in a message: its start, where it is long. */
const clipped = (text: string, max = 40): string => (text.length <= max ? text : `${text.slice(0, max)}…`);

export class ModelLoader {
  constructor(
    private readonly y: YamlSource,
    /** the file's notation, for equations given as `{ latex: … }` */
    private readonly notation: LatexNotation = { hints: {}, symbols: [] },
    /** the file's definitions, which a LaTeX equation may call */
    private readonly definitionNames: readonly string[] = [],
  ) {}

  model(node: YNode | null): Model {
    const m = this.y.map(
      node,
      'model',
      ['name', 'sizes', 'symbols', 'functions', 'equations', 'loss'],
      ['sizes', 'symbols', 'equations'],
    );
    const sizes = this.sizes(m.get('sizes')!.value);
    const functions = m.has('functions') ? this.functions(m.get('functions')!.value) : new Map<string, UserFunction>();
    const functionNames = new Set(functions.keys());
    const sizeScope: Scope = {
      sequences: new Set(),
      parameters: new Set(),
      loss: null,
      indexVars: new Set(Object.keys(sizes)),
      realVars: new Set(),
    };
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
    if (!isSeq(eqNode) || eqNode.items.length === 0)
      this.y.fail(eqNode, 'equations must be a non-empty list', 'e.g. - h[t] = tanh(W*h[t-1] + U*x[t] + b)');
    const equationScope = scope([...Object.keys(sizes), TIME_VAR]);
    const parsed = (eqNode.items as YNode[]).map((item) => this.equation(item, symbols, equationScope, shapeOf, sizes));
    const equations = this.orderEquations(parsed, symbols, eqNode);

    let loss: Model['loss'] = null;
    if (lossNode && lossName) {
      const src = this.y.exprSource(lossNode, 'loss');
      const eq = src.text.indexOf('=');
      const rhsSrc = subSource(src, eq + 1);
      const rhs = this.y.located(rhsSrc, () => {
        const p = parseExpression(rhsSrc.text, scope(Object.keys(sizes)));
        if (!isScalarShape(inferShape(p.expr, { shapeOf }, p.offsets)))
          throw new ExprError(0, 'the loss must be a scalar', 'e.g. L = sum(c .* h[T])');
        walk(p.expr, (e) => {
          if ((e.kind === 'op' && specOf(e).graphDerivative) || (e.kind === 'sym' && e.name === lossName))
            throw new ExprError(p.offsets.get(e) ?? 0, 'the loss cannot refer to itself or to derivatives');
        });
        checkPlacement(p.expr, 'loss', p.offsets);
        checkConstructedSizes(p.expr, p.offsets, sizes);
        return p.expr;
      });
      this.checkLossTimes(rhs, symbols, sizes, rhsSrc);
      loss = { name: lossName, rhs, text: src.text.trim() };
    }
    for (const name of functionNames)
      if (symbols.has(name) || own(sizes, name))
        this.y.fail(
          m.get('functions')!.value,
          `function '${name}' clashes with a symbol or size`,
          'a function name no symbol or size uses',
        );
    const model: Model = {
      name: m.has('name') ? this.y.string(m.get('name')!.value, 'model name') : 'model',
      sizes,
      symbols,
      equations,
      loss,
      functions,
    };
    const tooLarge = graphBudget(model, rangesOf(sizes));
    if (tooLarge) this.y.fail(m.get('sizes')!.value, tooLarge.problem, tooLarge.expected);
    return model;
  }

  /**
   * `functions: { softplus: { value: log(1 + exp(x)), derivative: sigma(x) } }`:
   * activations with their derivatives, the derivative checked against
   * central differences of the value so a wrong declaration is caught here.
   */
  private functions(node: YNode | null): Map<string, UserFunction> {
    if (!isMap(node))
      this.y.fail(
        node,
        'functions must be a mapping',
        'e.g. softplus: { value: "log(1 + exp(x))", derivative: "sigma(x)" }',
      );
    const out = new Map<string, UserFunction>();
    const rules = new Map<string, ElementwiseRule>();
    const costs = new Map<string, ScalarCosts>();
    this.y.atMost(node.items as Pair<Scalar, YNode>[], LIMITS.functions, 'functions', (p) => p.key);
    for (const pair of node.items as Pair<Scalar, YNode>[]) {
      const name = this.y.keyName(pair, 'a function');
      if (!IDENT.test(name) || reservedNames().has(name))
        this.y.fail(pair.key, `bad function name '${name}'`, 'a new identifier (not a built-in function)');
      this.y.declared(pair.key, name, 'function name');
      const f = this.y.map(
        pair.value,
        `function ${name}`,
        ['value', 'derivative', 'variable'],
        ['value', 'derivative'],
      );
      const variableNode = f.get('variable')?.value;
      const variable = variableNode ? this.y.string(variableNode, 'variable') : 'x';
      if (!IDENT.test(variable))
        this.y.fail(variableNode, `bad variable name '${variable}'`, 'an identifier such as x');
      this.y.declared(variableNode, variable, 'variable name');
      const scope: Scope = {
        sequences: new Set(),
        parameters: new Set(),
        loss: null,
        indexVars: new Set(),
        realVars: new Set([variable]),
        functions: new Set(out.keys()),
      };
      const body = (key: 'value' | 'derivative') => {
        const src = this.y.exprSource(f.get(key)!.value, `${name}'s ${key}`);
        return this.y.located(src, () => {
          const expr = parseExpression(src.text, scope).expr;
          try {
            return { expr, fn: compileScalar(expr, variable, rules) };
          } catch (err) {
            throw new ExprError(
              0,
              `${name}'s ${key} is not a scalar function of ${variable}: ${(err as Error).message}`,
            );
          }
        });
      };
      const value = body('value');
      const derivative = body('derivative');
      // before anything calls it: the check below calls each body dozens of times, the forward pass once an entry
      const cost = declaredCosts(value.expr, derivative.expr, (callee) => costs.get(callee));
      for (const [key, closure] of [
        ['value', 'value'],
        ['value', 'lost'],
        ['derivative', 'derivative'],
        ['derivative', 'derivativeLost'],
      ] as const)
        if (cost[closure] > LIMITS.functionCall)
          this.y.fail(
            f.get(key)!.value,
            `one call of ${name}'s ${key}${closure === 'lost' || closure === 'derivativeLost' ? ` with its lost-digit watch` : ''} costs ${cost[closure].toPrecision(3)} operations with the functions it calls, more than the limit of ${LIMITS.functionCall}`,
            'a smaller body, or fewer calls of costly functions',
          );
      costs.set(name, cost);
      const valueLost = compileScalarLoss(value.expr, variable, rules);
      const derivativeLost = compileScalarLoss(derivative.expr, variable, rules);
      // finite somewhere is required; compared wherever the value keeps a digit (a body float64 cannot compute, such as
      // ((1e16 + 1) − 1e16)·e^(−x²), which is 0 there, is left to the numeric checks, which report its trouble)
      let finite = 0;
      for (const x of DERIVATIVE_TEST_POINTS) {
        if (Number.isFinite(value.fn(x)) && Number.isFinite(derivative.fn(x))) finite++;
        const mismatch = declaredDerivativeMismatch(
          { fn: value.fn, lost: valueLost },
          { fn: derivative.fn, lost: derivativeLost },
          x,
        );
        if (mismatch && mismatch.apart > mismatch.allowed)
          this.y.fail(
            f.get('derivative')!.value,
            `the declared derivative of ${name} disagrees with its value at ${variable} = ${x}: declared ${mismatch.declared}, central differences ${mismatch.estimate} (apart by ${mismatch.apart.toExponential(1)}, more than their error bound ${mismatch.allowed.toExponential(1)})`,
            `the derivative of ${printExpr(value.expr)}`,
          );
      }
      if (finite === 0)
        this.y.fail(
          f.get('value')!.value,
          `${name} is not finite at any test point (${DERIVATIVE_TEST_POINTS.join(', ')})`,
          'a function defined around 0',
        );
      const rule = meteredRule(
        {
          value: value.fn,
          derivative: (x) => derivative.fn(x),
          derivativeText: printExpr(derivative.expr),
          lostAt: valueLost,
          derivativeLost,
        },
        value.expr,
        derivative.expr,
      );
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
  private checkLossTimes(
    rhs: Expr,
    symbols: Map<string, SymbolDecl>,
    sizes: Readonly<Record<string, SizeRange>>,
    src: ExprSource,
  ): void {
    const { min, max } = own(sizes, HORIZON)!;
    const visit = (e: Expr, ranges: { name: string; lo: Affine; hi: Affine }[]) => {
      if (e.kind === 'op' && specOf(e).range) {
        for (const c of children(e)) visit(c, [...ranges, { name: e.binder!, lo: e.ints[0]!, hi: e.ints[1]! }]);
        return;
      }
      if (e.kind === 'seq') {
        const low = symbols.get(e.name)?.role === 'input' ? 1 : 0;
        for (const T of [min, max]) {
          let corners: IntEnv[] = [{ [HORIZON]: T }];
          for (const r of ranges) {
            const next: IntEnv[] = [];
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
              throw toInputError(
                src,
                new ExprError(
                  0,
                  `the loss reads ${e.name}[${formatAffine(e.time)}], outside the unrolled graph (${low}..T) for some T in ${min}..${max}`,
                  'times within the sequence for every T',
                ),
              );
          }
        }
      }
      for (const c of children(e)) visit(c, ranges);
    };
    visit(rhs, []);
  }

  sizes(node: YNode | null, requireHorizon = true): Record<string, SizeRange> {
    if (!isMap(node)) this.y.fail(node, 'sizes must be a mapping', 'e.g. d: 2..6');
    const out = nameRecord<SizeRange>();
    this.y.atMost(node.items as Pair<Scalar, YNode>[], LIMITS.sizes, 'sizes', (p) => p.key);
    for (const pair of node.items as Pair<Scalar, YNode>[]) {
      const name = this.y.keyName(pair, 'a size');
      if (!IDENT.test(name) || name === TIME_VAR)
        this.y.fail(pair.key, `bad size name '${name}'`, `an identifier other than ${TIME_VAR}`);
      this.y.declared(pair.key, name, 'size name');
      const raw = this.sizeText(pair.value, name);
      const match = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(raw);
      const read = (pair.value as Scalar).value;
      // a number YAML reads from another notation (0x10, 0o17, 1e3, +3, 3.0): sizes are written in decimal digits
      if (!match && typeof read === 'number' && Number.isSafeInteger(read) && read >= 0)
        this.y.fail(
          pair.value,
          `bad range for size ${name}: '${clipped(raw)}' is not in decimal digits (YAML reads it as ${read})`,
          `${SIZE_EXPECTED}, in decimal digits: ${read}`,
        );
      if (!match) this.y.fail(pair.value, `bad range for size ${name}: '${clipped(raw)}'`, SIZE_EXPECTED);
      // 010 is 8 to a YAML 1.1 reader, 10 to a YAML 1.2 one
      if (/(^|\D)0\d/.test(raw))
        this.y.fail(
          pair.value,
          `bad range for size ${name}: '${clipped(raw)}' has a leading zero (octal in YAML 1.1)`,
          `${SIZE_EXPECTED}, in decimal digits, without leading zeros`,
        );
      const min = Number(match[1]);
      const max = match[2] === undefined ? min : Number(match[2]);
      if (min < 1 || max < min)
        this.y.fail(pair.value, `empty or non-positive range for size ${name}`, 'lo..hi with 1 ≤ lo ≤ hi');
      const limit = sizeLimit(name);
      if (max > limit)
        this.y.fail(pair.value, `size ${name} up to ${max} is more than the limit of ${limit}`, `${name} ≤ ${limit}`);
      out[name] = { min, max };
    }
    if (requireHorizon && !own(out, HORIZON))
      this.y.fail(node, `sizes must include ${HORIZON}, the last time step`, `${HORIZON}: 3..10`);
    return out;
  }

  /**
   * A size's text as written. What YAML reads as no text — a list (`d: [2, 5]`), a mapping, a boolean, nothing — is refused saying
   * what it read (it said only "size d must be text", a review found).
   */
  private sizeText(node: YNode | null, name: string): string {
    const problem = `bad range for size ${name}`;
    if (isSeq(node))
      this.y.fail(
        node,
        `${problem}: YAML reads a list here, not an integer or a range`,
        `${SIZE_EXPECTED} (lo..hi, not [lo, hi])`,
      );
    if (node !== null && !isScalar(node))
      this.y.fail(node, `${problem}: YAML reads a mapping here, not an integer or a range`, SIZE_EXPECTED);
    if (node === null || node.value === null || node.value === undefined)
      this.y.fail(node, `${problem}: no value`, SIZE_EXPECTED);
    if (typeof node.value === 'boolean')
      this.y.fail(
        node,
        `${problem}: YAML reads '${node.source ?? String(node.value)}' as a boolean, not an integer or a range`,
        SIZE_EXPECTED,
      );
    // as written (YAML's quotes and escapes resolved), not the number YAML reads: 0x10 is not taken for 16
    if (typeof node.source === 'string') return node.source;
    const value: unknown = node.value;
    if (typeof value !== 'string' && typeof value !== 'number') this.y.fail(node, problem, SIZE_EXPECTED);
    return String(value);
  }

  private symbols(
    node: YNode | null,
    sizes: Readonly<Record<string, SizeRange>>,
    sizeScope: Scope,
  ): Map<string, SymbolDecl> {
    if (!isMap(node)) this.y.fail(node, 'symbols must be a mapping', 'e.g. W: { role: parameter, shape: [d, d] }');
    const out = new Map<string, SymbolDecl>();
    this.y.atMost(node.items as Pair<Scalar, YNode>[], LIMITS.symbols, 'symbols', (p) => p.key);
    for (const pair of node.items as Pair<Scalar, YNode>[]) {
      const name = this.y.keyName(pair, 'a symbol');
      if (!IDENT.test(name)) this.y.fail(pair.key, `bad symbol name '${name}'`, 'an identifier such as W_f');
      this.y.declared(pair.key, name, 'symbol name');
      if (own(sizes, name) || name === TIME_VAR)
        this.y.fail(
          pair.key,
          `symbol '${name}' clashes with a size or the time variable`,
          `a symbol name other than the sizes and ${TIME_VAR}`,
        );
      const decl = this.y.map(
        pair.value,
        `symbol ${name}`,
        ['role', 'shape', 'init', 'description'],
        ['role', 'shape'],
      );
      const roleNode = decl.get('role')!.value;
      const role = this.y.string(roleNode, 'role') as Role;
      if (!ROLES.includes(role)) this.y.fail(roleNode, `unknown role '${role}'`, `one of ${ROLES.join(', ')}`);
      const shape = this.shape(decl.get('shape')!.value, sizeScope);
      let init: InitKind = isColumn(shape) ? 'bias' : 'weight';
      const initNode = decl.get('init')?.value;
      if (initNode) {
        init = this.y.string(initNode, 'init') as InitKind;
        if (!INITS.includes(init)) this.y.fail(initNode, `unknown init '${init}'`, `one of ${INITS.join(', ')}`);
        if (role !== 'parameter' && !(role === 'state' && init === 'zero'))
          this.y.fail(
            initNode,
            'only parameters take an init (and states `init: zero`, for h[0] = 0)',
            'no init here, or role: parameter',
          );
      }
      const description = decl.has('description')
        ? this.y.string(decl.get('description')!.value, 'description')
        : undefined;
      out.set(name, { name, role, shape, init, ...(description ? { description } : {}) });
    }
    return out;
  }

  private shape(node: YNode | null, sizeScope: Scope): Shape {
    if (!isSeq(node) || node.items.length > 2)
      this.y.fail(node, 'a shape is a list of at most two dimensions', '[d, d], [d] or []');
    const dims: Affine[] = (node.items as YNode[]).map((item) => {
      const src = this.y.exprSource(item, 'a dimension');
      const dim = this.y.located(src, () => parseIndex(src.text, sizeScope));
      if (dim.c < 0 || Object.values(dim.terms).some((c) => c < 0) || (isConstant(dim) && dim.c < 1))
        this.y.fail(
          item,
          `dimension '${formatAffine(dim)}' is not positive`,
          'a positive size expression such as d or d+m',
        );
      return dim;
    });
    return shapeFromDims(dims);
  }

  private lossName(node: YNode): string {
    const src = this.y.exprSource(node, 'loss');
    const match = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=[^=]/.exec(src.text);
    if (!match)
      this.y.fail(
        node,
        `the loss must be written NAME = expression, got '${src.text.trim().slice(0, 40)}'`,
        'e.g. L = sum(c .* h[T])',
      );
    return this.y.declaredIn(src, src.text.indexOf(match[1]!), match[1]!, 'loss name');
  }

  private equation(
    node: YNode,
    symbols: ReadonlyMap<string, SymbolDecl>,
    scope: Scope,
    shapeOf: (n: string) => Shape,
    sizes: Readonly<Record<string, SizeRange>>,
  ): Equation {
    const src = isMap(node) ? this.latexEquation(node, symbols, scope) : this.y.exprSource(node, 'an equation');
    const match = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*\[\s*t\s*\]\s*=(?!=)/.exec(src.text);
    if (!match) this.y.fail(node, 'an equation must define a sequence at time t', 'NAME[t] = expression');
    const target = match[1]!;
    const decl = symbols.get(target);
    if (!decl || (decl.role !== 'state' && decl.role !== 'intermediate'))
      throw new InputError(
        src.locate(src.text.indexOf(target)),
        `'${target}' is not a state or intermediate symbol`,
        'the equation to define a declared state/intermediate',
      );
    const rhsSrc = subSource(src, match[0].length);
    const rhs = this.y.located(rhsSrc, () => {
      const p = parseExpression(rhsSrc.text, scope);
      const shape = inferShape(p.expr, { shapeOf }, p.offsets);
      if (!sameShape(shape, decl.shape))
        throw new ExprError(
          0,
          `the right-hand side is ${formatShape(shape)} but ${target} is ${formatShape(decl.shape)}`,
        );
      checkPlacement(p.expr, 'equation', p.offsets);
      checkConstructedSizes(p.expr, p.offsets, sizes);
      walk(p.expr, (e) => {
        const where = p.offsets.get(e) ?? 0;
        if (e.kind === 'sym' && e.name === scope.loss) throw new ExprError(where, 'an equation cannot use the loss');
        if (e.kind === 'ivar' && e.name === TIME_VAR) throw new ExprError(where, 't may appear only as a time index');
        if (e.kind === 'seq') {
          const ok =
            affineVars(e.time).join() === TIME_VAR &&
            e.time.terms[TIME_VAR] === 1 &&
            (e.time.c === 0 || e.time.c === -1);
          if (!ok)
            throw new ExprError(where, `time index '${formatAffine(e.time)}' not supported in an equation`, 't or t-1');
          const ref = symbols.get(e.name)!;
          if (e.time.c === -1 && ref.role !== 'state')
            throw new ExprError(where, `'${e.name}[t-1]' needs an initial value: declare ${e.name} with role state`);
        }
      });
      return p.expr;
    });
    return { target, rhs, text: src.text.trim() };
  }

  /**
   * `assume: { equations: […], zero: [b, h[0]], identity: [W] }` on a claim: the model with those
   * equations replaced (each must define a sequence the model defines) and those values fixed.
   */
  variant(base: Model, node: YNode | null): { model: Model; assumptions: string[] } {
    const a = this.y.map(node, 'assume', ['equations', 'zero', 'identity']);
    if (a.size === 0) this.y.fail(node, 'assume is empty', 'equations, zero or identity');
    const assumptions: string[] = [];
    let equations = [...base.equations];
    const eqNode = a.get('equations')?.value;
    if (eqNode !== undefined) {
      if (!isSeq(eqNode) || eqNode.items.length === 0)
        this.y.fail(eqNode, 'assume.equations must be a non-empty list', 'e.g. ["y[t] = V*h[t] + b_y"]');
      const scope: Scope = {
        sequences: new Set([...base.symbols.values()].filter((s) => s.role !== 'parameter').map((s) => s.name)),
        parameters: new Set([...base.symbols.values()].filter((s) => s.role === 'parameter').map((s) => s.name)),
        loss: base.loss?.name ?? null,
        indexVars: new Set([...Object.keys(base.sizes), TIME_VAR]),
        realVars: new Set(),
        functions: new Set(base.functions.keys()),
      };
      const shapeOf = (name: string): Shape =>
        name === base.loss?.name ? shapeFromDims([]) : base.symbols.get(name)!.shape;
      const replaced = new Set<string>();
      for (const item of eqNode.items as YNode[]) {
        const eq = this.equation(item, base.symbols, scope, shapeOf, base.sizes);
        if (replaced.has(eq.target))
          this.y.fail(item, `'${eq.target}' is replaced twice`, 'one replacement per equation');
        replaced.add(eq.target);
        equations = equations.map((e) => (e.target === eq.target ? eq : e));
        assumptions.push(eq.text);
      }
      // Errors in the new order (a same-step cycle) are reported at the assumption.
      equations = this.orderEquations(equations, base.symbols, eqNode, () => eqNode);
    }
    const fixed = new Map<string, FixedValue>(base.fixed ?? []);
    for (const value of ['zero', 'identity'] as const) {
      const list = a.get(value)?.value;
      if (list === undefined) continue;
      if (!isSeq(list) || list.items.length === 0)
        this.y.fail(list, `assume.${value} must be a non-empty list`, 'parameters, or states at time 0: [b, h[0]]');
      for (const item of list.items as YNode[]) {
        const text = this.y.string(item, `assume.${value}`).trim();
        const m = /^([A-Za-z][A-Za-z0-9_]*)(\s*\[\s*0\s*\])?$/.exec(text);
        const decl = m ? base.symbols.get(m[1]!) : undefined;
        const ok = decl && (m![2] ? decl.role === 'state' : decl.role === 'parameter');
        if (!ok) this.y.fail(item, `cannot fix '${text}'`, 'a parameter (b) or a state at time 0 (h[0])');
        if (fixed.has(decl.name)) this.y.fail(item, `'${text}' is fixed twice`, 'each value fixed once');
        if (value === 'identity' && !isSquare(decl.shape))
          this.y.fail(
            item,
            `'${text}' is ${formatShape(decl.shape)}: only a square matrix can be the identity`,
            'a square matrix',
          );
        fixed.set(decl.name, value);
        assumptions.push(`${text} = ${value === 'zero' ? '0' : 'I'}`);
      }
    }
    const model: Model = { ...base, equations, ...(fixed.size ? { fixed } : {}) };
    return { model, assumptions };
  }

  /** `{ latex: 'h_t = \\tanh(W h_{t-1} + U x_t + b)' }`: the equation read from LaTeX, located inside it. */
  private latexEquation(node: YNode, symbols: ReadonlyMap<string, SymbolDecl>, scope: Scope): ExprSource {
    const entries = this.y.map(node, 'an equation', ['latex'], ['latex']);
    const ctx = latexContext(
      {
        symbols,
        sizes: [...scope.indexVars].filter((n) => n !== TIME_VAR),
        loss: scope.loss,
        functions: [...(scope.functions ?? []), ...this.definitionNames],
        indexVars: [TIME_VAR],
      },
      this.notation,
    );
    return readLatexNode(this.y, entries.get('latex')!.value, 'latex', ctx).source;
  }

  /** Orders equations so that same-time dependencies come first; rejects cycles and duplicates. */
  private orderEquations(
    equations: Equation[],
    symbols: ReadonlyMap<string, SymbolDecl>,
    listNode: YNode,
    itemNode: (i: number) => YNode = (i) => (listNode as { items: YNode[] }).items[i]!,
  ): Equation[] {
    const byTarget = new Map<string, Equation>();
    const nodeOf = new Map<string, YNode>();
    equations.forEach((eq, i) => {
      const item = itemNode(i);
      if (byTarget.has(eq.target)) this.y.fail(item, `'${eq.target}' is defined twice`, 'one equation per sequence');
      byTarget.set(eq.target, eq);
      nodeOf.set(eq.target, item);
    });
    for (const s of symbols.values())
      if ((s.role === 'state' || s.role === 'intermediate') && !byTarget.has(s.name))
        this.y.fail(listNode, `no equation defines '${s.name}'`, `${s.name}[t] = …`);
    const ordered: Equation[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (eq: Equation, chain: string[]): void => {
      if (state.get(eq.target) === 'done') return;
      if (state.get(eq.target) === 'visiting')
        this.y.fail(
          nodeOf.get(eq.target),
          `equations depend on each other at the same time step: ${[...chain.slice(chain.indexOf(eq.target)), eq.target].join(' → ')}`,
          'an acyclic system',
        );
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
}

function evalAffineSafe(a: Affine, env: IntEnv): number | null {
  return affineVars(a).every((v) => own(env, v) !== undefined) ? evalAffine(a, env) : null;
}

/** The operators that build a constant of the sizes they are given: each size must be at least 1. */
const SIZE_CONSTRUCTORS: ReadonlySet<string> = new Set(['eye', 'ones', 'zeros']);

/**
 * eye, ones and zeros in the model's equations and loss have sizes of at least 1 for every size in the model's
 * ranges: `sum(zeros(-4))` in a loss ended in an internal error when the instance was built (a review found it).
 */
function checkConstructedSizes(
  e: Expr,
  offsets: Pick<WeakMap<Expr, number>, 'get'>,
  sizes: Readonly<Record<string, SizeRange>>,
): void {
  walk(e, (x) => {
    if (x.kind !== 'op' || !SIZE_CONSTRUCTORS.has(x.op)) return;
    for (const a of x.ints) {
      // the smallest value of the affine size over the box of the size ranges (null: it reads something else)
      let least: number | null = a.c;
      for (const [name, coef] of Object.entries(a.terms)) {
        const range = own(sizes, name);
        least = range && least !== null ? least + Math.min(coef * range.min, coef * range.max) : null;
      }
      if (least !== null && least < 1)
        throw new ExprError(
          offsets.get(x) ?? 0,
          `${printExpr(x)} has a size of ${least} for some sizes in the model's ranges`,
          'sizes of at least 1 for every size in range',
        );
    }
  });
}

/**
 * Where a declared derivative is compared with its value's central differences: both signs, near 0 and out to
 * saturation, then farther out on both sides (the first failing point is the one reported, so the central ones come
 * first). Pre-activations reach ±20 and beyond in the drive-heavy regime and the search's wider laws, and every
 * engine trusts the declared derivative there: `sigma(x) + 0.001 * exp(-(x + 8)^2)` for softplus′, wrong only near
 * x = −8, was accepted with the central nine alone, as was one off by 1e-4·σ(2(x − 20)). Points where the
 * value or the derivative is not finite, or the value lost every digit, are passed over (declaredDerivativeMismatch).
 */
const DERIVATIVE_TEST_POINTS = [
  -3.1, -1.7, -0.9, -0.4, 0.25, 0.7, 1.3, 2.6, 4.2, -5.3, 5.7, -7.9, 8.3, -11.6, 12.2, -17.2, 17.9, -25.3, 26.1, -37.5,
  38.4,
];

/** A scalar function with what float64 loses evaluating it (relative precision, src/ir/scalar-function.ts). */
interface ScalarWithLoss {
  readonly fn: ScalarFn;
  readonly lost: (x: number) => number;
}

/** Ridders' first steps, relative to max(1, |x|): the coarsest suits slow bodies, the finest steep ones (σ(15x)). */
const RIDDERS_STEPS = [0.1, 0.01, 0.001];
/** A value that lost this much (no correct bit) near x cannot be differentiated numerically there. */
const VALUE_LOSS_LIMIT = 0.5;

/**
 * A declared derivative against Ridders' extrapolated central differences of the value at x: how far apart, and
 * what is allowed — 10× the tableau's error estimate, the value's rounding divided by the step (16 × its relative
 * precision, at least ε, × its size), the derivative's own rounding (16 × its relative precision × its size) and
 * 1e-12 relative. Tried from three first steps; the closest to agreeing is returned. Null where either side is not
 * finite or the value lost every digit near x (log(1 + exp(15x)) at x = −3.1 is 0 in float64, its derivative 6e-21);
 * a value that lost some (((1 + 1e-10) − 1)·x, 1e-6 in float64) is compared within what its rounding allows. Every engine trusts the declared formula (dual numbers, adjoints, the symbolic forms), and the
 * claims' finite differences cannot see below ~1e-6: a second-order check within 1e-5 let `1.7159 · 0.666667 · (1 −
 * tanh²)` stand for LeCun's tanh (5e-7 off), and then refuted the true claim and found the false one consistent.
 * Without the rounding terms correct steep bodies were refused (softplus(8x)/8, 9(1 − tanh(9x)²): a review).
 */
export function declaredDerivativeMismatch(
  value: ScalarWithLoss,
  derivative: ScalarWithLoss,
  x: number,
): { declared: number; estimate: number; apart: number; allowed: number } | null {
  const declared = derivative.fn(x);
  if (!Number.isFinite(declared)) return null;
  const scale = Math.max(1, Math.abs(x));
  let best: { declared: number; estimate: number; apart: number; allowed: number } | null = null;
  for (const first of RIDDERS_STEPS) {
    const step = first * scale;
    const around = [x - step, x, x + step];
    const valueLoss = Math.max(Number.EPSILON, ...around.map(value.lost));
    if (!(valueLoss <= VALUE_LOSS_LIMIT)) continue;
    const size = Math.max(...around.map((t) => Math.abs(value.fn(t))));
    const fd = riddersDerivative(value.fn, x, step);
    if (!Number.isFinite(fd.estimate) || !Number.isFinite(fd.error) || !Number.isFinite(size)) continue;
    const derivativeLoss = Math.max(Number.EPSILON, derivative.lost(x));
    const allowed =
      10 * fd.error +
      (16 * valueLoss * size) / fd.step +
      16 * derivativeLoss * Math.abs(declared) +
      1e-12 * Math.abs(fd.estimate);
    const apart = Math.abs(declared - fd.estimate);
    if (!best || apart / allowed < best.apart / best.allowed)
      best = { declared, estimate: fd.estimate, apart, allowed };
    if (apart <= allowed) break;
  }
  return best;
}
