/**
 * Elementwise activations: tanh, σ, exp, log, |·|, the identity, and
 * functions a derivation file declares with their derivative. Derivatives
 * are written through the cell's own values where it names f(z) (tanh′ =
 * 1 − h², σ′ = σ(1 − σ)), as the documents write them.
 */
import { type Expr, node, num, type OpNode } from '../ir/expr.js';
import { mapVec, type Vec } from '../numeric/kernel.js';
import { decimalExp, decimalTanh } from '../numeric/decimal-exp.js';
import { type EntrywiseKernel, mapDense, mapKernel, watchedMapKernel } from '../numeric/values.js';
import {
  amplifiedRoundingOf,
  cancellationOf,
  lostPrecisionOf,
  magnifiedLoss,
  noteLostPrecision,
  withLostPrecision,
  worstLoss,
} from '../numeric/lost-digits.js';
import { diag, emul, mul } from '../symbolic/build.js';
import { entrywiseCanonical } from './arithmetic.js';
import type { Kernel } from './contexts.js';
import { type ElementwiseRule, sigmoid, worstCondition } from './elementwise.js';
import type { Decimal } from 'decimal.js';
import { defineOp, type OpSpec } from './registry.js';
import { newVec } from '../numeric/slab.js';

const arg = (n: OpNode) => n.args[0]!;
const one = num(1);

/** tanh's rule: its kernel's loops are written out (below), every other rule's run through its functions. */
const TANH_RULE: ElementwiseRule = {
  value: Math.tanh,
  derivative: (_x, y) => 1 - y * y,
  derivativeLost: (_x, y) => cancellationOf(1, y * y, 1 - y * y),
  derivativeText: '1 - tanh(x)^2',
};

/** y[i] = f(x[i]); tangents and adjoints through f′(x, y). */
export function activationKernel(rule: ElementwiseRule): Kernel {
  if (rule === TANH_RULE) return tanhKernel;
  const { lostAt, magnification } = rule;
  const chain = (x: Vec, y: Vec, g: Vec) => {
    const out = newVec(g.length);
    for (let i = 0; i < g.length; i++) out[i] = g[i]! * rule.derivative(x[i]!, y[i]!);
    return out;
  };
  return {
    forward: ([x]) => mapVec(x!, rule.value),
    tangent: ([x], [dx], out) => (dx ? chain(x!, out, dx) : null),
    adjoint: ([x], out, adj, [wanted]) => [wanted ? chain(x!, out, adj) : null],
    activation: rule,
    // every function magnifies what its argument lost by its condition number (exp |x|, σ |x|(1 − σ), log 1/|log x|)
    magnifies: ([x], out) => worstCondition(rule, x!, out),
    // log's derivative 1/x reads x alone, so a sweep through it does not read what its value lost (a saturated
    // cross-entropy's log(ŷ))
    ...(magnification ? { reads: 'operands' as const } : {}),
    // a declared function's body may cancel (1 − tanh(x) at large x), and log near 1 magnifies x's rounding alone
    // (ElementwiseRule.magnification): the forward pass notes both as a sum's cancellation
    ...(lostAt || magnification
      ? {
          lostDigits: ([x], out: Vec) =>
            Math.max(
              lostAt ? worstLoss(lostAt, x!) : 0,
              magnification ? amplifiedRoundingOf(worstCondition(rule, x!, out)) : 0,
              lostPrecisionOf(out),
            ),
        }
      : {}),
  };
}

/**
 * activationKernel(TANH_RULE) with Math.tanh and 1 − y² called in the loops themselves rather than through
 * the rule's functions (a call per entry the compiler cannot inline where every activation shares the loop):
 * the same operations in the same order, so the same values.
 */
const tanhChain = (y: Vec, g: Vec) => {
  const out = newVec(g.length);
  for (let i = 0; i < g.length; i++) {
    const yi = y[i]!;
    out[i] = g[i]! * (1 - yi * yi);
  }
  return out;
};
const tanhKernel: Kernel = {
  forward: (ins) => {
    const x = ins[0]!;
    const out = newVec(x.length);
    for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]!);
    return out;
  },
  tangent: (_ins, dins, out) => (dins[0] ? tanhChain(out, dins[0]) : null),
  adjoint: (_ins, out, adj, wanted) => [wanted[0] ? tanhChain(out, adj) : null],
  activation: TANH_RULE,
};

interface ActivationDef {
  readonly id: string;
  readonly names: readonly string[];
  /** LaTeX spellings (see Syntax.latex) */
  readonly latexNames?: readonly string[];
  readonly rule: ElementwiseRule;
  readonly latex: (argument: string) => string;
  /** f′ through z (the argument) and y = f(z) */
  readonly derivative: ((z: Expr, y: Expr) => Expr) | null;
  readonly reference?: string;
  /** f on decimals of extended range */
  readonly big?: (x: Decimal, D: typeof Decimal) => Decimal;
  /** nondecreasing, with values in this closed range: intervals map through both ends */
  readonly increasing?: { readonly range: readonly [number, number] };
  /** f over [lo, hi] where every float64 result is exact (see ActivationSpec.exactRange) */
  readonly exactRange?: (lo: number, hi: number) => readonly [number, number];
  /** 1 − |f(x)| without cancellation (see ActivationSpec.complement) */
  readonly complement?: (x: number) => number;
}

/** One activation record; built-ins differ only in their rule, spelling and LaTeX. */
function activation(def: ActivationDef, user = false): OpSpec {
  const ruleOf = (n: OpNode, userRule: (name: string) => ElementwiseRule) => (user ? userRule(n.name!) : def.rule);
  return {
    id: def.id,
    domain: 'activations',
    syntax: user
      ? { usage: 'f(v) for a function declared under functions:' }
      : { call: def.names, args: ['expr'], usage: `${def.names[0]}(v)`, latex: def.latexNames ?? [] },
    placement: { equation: true, loss: true, claim: true, level: 'any' },
    entrywise: true,
    activation: {
      rule: ruleOf,
      derivative: (n, y, userDerivative) =>
        user ? userDerivative(n.name!, arg(n)) : def.derivative ? def.derivative(arg(n), y) : null,
      ...(def.reference ? { reference: def.reference } : {}),
      ...(def.big ? { big: def.big } : {}),
      ...(def.increasing ? { increasing: def.increasing } : {}),
      ...(def.exactRange ? { exactRange: def.exactRange } : {}),
      ...(def.complement ? { complement: def.complement } : {}),
    },
    scalar: (n, userRule) => ruleOf(n, userRule).value,
    shape: (n, ctx) => ctx.shapeOf(arg(n)),
    print: (n, ctx) => `${user ? n.name : def.id}(${ctx.expr(arg(n))})`,
    latex: (n, ctx) =>
      user
        ? `\\operatorname{${n.name!.replace(/_/g, '\\_')}}\\left(${ctx.expr(arg(n))}\\right)`
        : def.latex(ctx.expr(arg(n))),
    evaluate: (n, ctx) => {
      const rule = ruleOf(n, ctx.userRule);
      // what the argument lost, magnified by the function's condition number (the record holds it: a power's
      // evaluation reads it the same way); log near 1 magnifies the argument's rounding alone too
      const [x, lost] = withLostPrecision(() => ctx.dense(arg(n)));
      if (rule.lostAt) noteLostPrecision(worstLoss(rule.lostAt, x.data));
      const y = mapDense(x, rule.value);
      if (lost > 0 || rule.magnification) noteLostPrecision(magnifiedLoss(worstCondition(rule, x.data, y.data), lost));
      return y;
    },
    // log is never fused: its evaluation notes what its argument's rounding alone becomes (above); the others carry
    // what their argument lost magnified in a fused tree too (EntrywiseKernel.magnifies)
    ...(user || !def.rule.magnification
      ? {
          entrywiseKernel: (n: OpNode, userRule: (name: string) => ElementwiseRule): EntrywiseKernel => {
            const rule = ruleOf(n, userRule);
            const kernel = rule.lostAt ? watchedMapKernel(rule.value, rule.lostAt) : mapKernel(rule.value);
            return { ...kernel, magnifies: (out, a) => worstCondition(rule, a, out) };
          },
        }
      : {}),
    compile: (n, ctx) => {
      const a = ctx.compile(arg(n));
      return ctx.push(activationKernel(ruleOf(n, ctx.userRule)), [a], ctx.dims(a));
    },
    exact: (n, ctx) => (def.id === 'identity' ? ctx.eval(arg(n)) : ctx.activation(n, () => ctx.eval(arg(n)))),
    differentiate: (n, ctx) => {
      const j = ctx.J(arg(n));
      if (!j) return null;
      if (def.id === 'identity') return j;
      return mul(diag(ctx.activationDerivative(n)), j);
    },
    paramGradient: (n, g, ctx) => ctx.grad(arg(n), emul(ctx.activationDerivative(n), g)),
    canonical: (n, ctx) => entrywiseCanonical(n, ctx),
  };
}

const paren = (f: string) => (a: string) => `${f}\\left(${a}\\right)`;

/** Heaviside's step with H(0) = ½ (NaN stays NaN: trouble, not a side). */
export const heaviside = (x: number): number => (x > 0 ? 1 : x < 0 ? 0 : x === 0 ? 0.5 : NaN);

const BUILT_INS: readonly ActivationDef[] = [
  {
    id: 'tanh',
    latexNames: ['\\tanh', 'tanh'],
    names: ['tanh'],
    rule: TANH_RULE,
    latex: paren('\\tanh'),
    derivative: (_z, y) => node('sub', [one, node('epow', [y, num(2)])]),
    reference: '(exp(2*x)-1)/(exp(2*x)+1)',
    big: (x, D) => decimalTanh(x, D),
    increasing: { range: [-1, 1] },
    // 1 − |tanh x| = 2e^{−2|x|} / (1 + e^{−2|x|}): three correctly rounded operations after exp, no cancellation
    complement: (x) => {
      const t = Math.exp(-2 * Math.abs(x));
      return (2 * t) / (1 + t);
    },
  },
  {
    id: 'sigma',
    latexNames: ['\\sigma', 'sigmoid'],
    names: ['sigma', 'sigmoid'],
    rule: {
      value: sigmoid,
      derivative: (_x, y) => y * (1 - y),
      derivativeText: 'sigma(x) * (1 - sigma(x))',
      derivativeLost: (_x, y) => cancellationOf(1, y, 1 - y),
    },
    latex: paren('\\sigma'),
    derivative: (_z, y) => emul(y, node('sub', [one, y])),
    reference: '1/(1+exp(-x))',
    big: (x, D) => new D(1).div(decimalExp(x.neg(), D).add(1)),
    increasing: { range: [0, 1] },
    // 1 − σ(x) = σ(−x) = e^{−x} / (1 + e^{−x}) for x > 0; below 0, σ is near 0, not near 1
    complement: (x) => {
      if (!(x > 0)) return NaN;
      const t = Math.exp(-x);
      return t / (1 + t);
    },
  },
  {
    id: 'exp',
    latexNames: ['\\exp', 'exp'],
    names: ['exp'],
    rule: { value: Math.exp, derivative: (_x, y) => y, derivativeText: 'exp(x)' },
    latex: paren('\\exp'),
    derivative: (_z, y) => y,
    reference: 'exp(x)',
    big: (x, D) => decimalExp(x, D),
    increasing: { range: [0, Infinity] },
  },
  {
    id: 'log',
    latexNames: ['\\log', '\\ln', 'log', 'ln'],
    names: ['log'],
    rule: {
      value: Math.log,
      derivative: (x) => 1 / x,
      derivativeText: '1 / x',
      // near 1, log magnifies x's rounding 1/|log x| times: log(1 + 1e-17) is 0 in float64
      // from the value: where x is 1 + e^-70 (a decimal), as a double it is 1, its log is not 0
      magnification: (_x, y) => 1 / Math.abs(y),
    },
    latex: paren('\\log'),
    derivative: (z) => node('epow', [z, num(-1)]),
    reference: 'log(x)',
    big: (x) => x.ln(),
    increasing: { range: [-Infinity, Infinity] },
  },
  {
    id: 'sqrt',
    names: ['sqrt'],
    rule: { value: Math.sqrt, derivative: (_x, y) => 0.5 / y, derivativeText: '1 / (2 * sqrt(x))' },
    latex: (a) => `\\sqrt{${a}}`,
    derivative: (_z, y) => node('emul', [num(0.5), node('epow', [y, num(-1)])]),
    reference: 'sqrt(x)',
    big: (x) => x.sqrt(),
    increasing: { range: [0, Infinity] },
  },
  {
    id: 'abs',
    latexNames: ['abs'],
    names: ['abs'],
    rule: { value: Math.abs, derivative: (x) => Math.sign(x), derivativeText: 'sign(x)' },
    latex: (a) => `\\left|${a}\\right|`,
    derivative: null,
    big: (x) => x.abs(),
    // decreasing to 0 at 0, then increasing; negation and max are exact in floats
    exactRange: (lo, hi) =>
      lo >= 0 ? [Math.abs(lo), hi] : hi <= 0 ? [Math.abs(hi), Math.abs(lo)] : [0, Math.max(Math.abs(lo), hi)],
  },
  {
    // Heaviside's step, H(0) = ½: the share of max(a, b) that moves with a is H(a − b) (./ordered.ts), ½ at a tie as
    // the sweeps take it (the central difference's slope there); ReLU′(z) = H(z) away from 0
    id: 'step',
    names: ['step'],
    rule: { value: heaviside, derivative: () => 0, derivativeText: '0' },
    latex: paren('H'),
    derivative: () => num(0),
    big: (x, D) => (x.isNaN() ? new D(NaN) : x.gt(0) ? new D(1) : x.lt(0) ? new D(0) : new D(0.5)),
    increasing: { range: [0, 1] },
    exactRange: (lo, hi) => [heaviside(lo), heaviside(hi)],
  },
  {
    id: 'identity',
    names: ['identity', 'id'],
    rule: { value: (x) => x, derivative: () => 1, derivativeText: '1' },
    latex: paren('\\operatorname{id}'),
    derivative: () => one,
    reference: 'x',
    big: (x) => x,
    increasing: { range: [-Infinity, Infinity] },
  },
];

for (const def of BUILT_INS) defineOp(activation(def));

/** A function declared in the derivation file (`functions:`), applied elementwise; its rules come from the model. */
defineOp(
  activation(
    {
      id: 'ufn',
      names: [],
      rule: { value: () => NaN, derivative: () => NaN, derivativeText: '' },
      latex: (a) => a,
      derivative: null,
    },
    true,
  ),
);

/** The rule of a built-in activation by name (tests and the scalar references). */
export const BUILT_IN_RULES: ReadonlyMap<string, ElementwiseRule> = new Map(BUILT_INS.map((d) => [d.id, d.rule]));
