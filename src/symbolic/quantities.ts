/**
 * What `gradproof derive` derives: a quantity the user names, or by default
 * the model's one-step Jacobians — every state at t with respect to every
 * state at t−1 (the block Jacobian of the state), the direct paths with the
 * other states held —, with several states the k-step total derivatives
 * (blocks of the product of state Jacobians), and the loss gradient with
 * respect to each state at a symbolic lag k.
 */
import type { Derivation } from '../derivation/derivation.js';
import { InputError, toInputError, ExprError } from '../derivation/errors.js';
import { type Affine, affine, affineVar, evalAffine, formatAffine, type IntEnv } from '../ir/affine.js';
import { own, withBinding } from '../ir/names.js';
import { type Expr, type Index, intVarsOf, isOp, node, type NodeRef, type OpNode, seq } from '../ir/expr.js';
import { printExpr } from '../ir/print.js';
import type { SizeRange } from '../model/model.js';
import { substituteIndex } from './build.js';
import { unitRecurrence } from './induction.js';
import { parseExpression, type Scope } from '../ir/parse-math.js';
import { HORIZON, TIME_VAR } from '../model/model.js';
import { derivNode, formSize, isGraphDerivative, SymbolicModel, unrollProducts } from './derive.js';
import { SymbolicUnsupported } from './differentiate.js';

export interface DerivedQuantity {
  readonly label: string;
  readonly quantity: Expr;
  /** the closed form, or null with `problem` saying why there is none */
  readonly derived: Expr | null;
  /** the closed form with products written out for the --unroll binding */
  readonly unrolled: Expr | null;
  readonly problem: string | null;
}

/** Integer names a quantity may use freely besides the sizes. */
export const FREE_INDICES = [TIME_VAR, 'k', 's', 'i', 'j', 'n', 'l', 'alpha', 'beta', 'gamma'];

/** The names a quantity typed on the command line may use (sizes and the free index names). */
export function scopeOf(d: Derivation): Scope {
  const syms = [...d.model.symbols.values()];
  return {
    sequences: new Set(syms.filter((s) => s.role !== 'parameter').map((s) => s.name)),
    parameters: new Set(syms.filter((s) => s.role === 'parameter').map((s) => s.name)),
    loss: d.model.loss?.name ?? null,
    // Free index names, except where the model uses the name for a symbol or function.
    indexVars: new Set([
      ...Object.keys(d.model.sizes),
      ...FREE_INDICES.filter((n) => !d.model.symbols.has(n) && !d.model.functions.has(n)),
    ]),
    realVars: new Set(),
    functions: new Set(d.model.functions.keys()),
  };
}

export function parseQuantity(d: Derivation, text: string): Expr {
  const src = { text, locate: (offset: number) => ({ file: '<quantity>', line: 1, col: offset + 1 }) };
  try {
    const parsed = parseExpression(text, scopeOf(d));
    if (!isGraphDerivative(parsed.expr) && !isOp(parsed.expr, 'd'))
      throw new ExprError(
        0,
        'derive takes a derivative',
        'grad(L, h[T-k]), jac(h[t], h[t-1]), partial(C[t], C[t-1], h[t-1]) or d(h[t, alpha], W[i, j])',
      );
    outsideTheGraph(d, parsed.expr, parsed.offsets);
    return parsed.expr;
  } catch (err) {
    if (err instanceof ExprError) throw toInputError(src, err);
    throw err;
  }
}

/**
 * Throws at the first sequence value the quantity reads at a time no instance has: h[T+1], x[0], h[T-20] where
 * T ≤ 9 (derive printed `grad(L, h[T+1]) = zeros(d, 1)`, where check refuses the node; a review found it). The
 * unrolled graph holds a state from its initial value, t = 0, inputs and intermediates from t = 1, all to T. Only
 * times in the sizes alone are decided (a free k is the reader's), one limit at a time: t − first and T − t are
 * affine, so each is negative for every instance exactly when it is at every corner of the sizes' ranges. (Both
 * limits at once would not do: h[K-50] with K in 1..100, T in 1..10 fails one or the other at every corner and is
 * h[5] at K = 55 — a second review found the first version refusing it.)
 */
function outsideTheGraph(
  d: Derivation,
  e: Expr,
  offsets: WeakMap<Expr, number>,
  sizes: Derivation['model']['sizes'] = d.model.sizes,
): void {
  if (e.kind === 'op') for (const a of e.args) outsideTheGraph(d, a, offsets, sizes);
  if (e.kind !== 'seq') return;
  const names = Object.keys(e.time.terms);
  if (names.some((n) => !Object.hasOwn(sizes, n))) return;
  const first = d.model.symbols.get(e.name)?.role === 'state' ? 0 : 1;
  const ends = (n: string) => [own(sizes, n)!.min, own(sizes, n)!.max];
  const corners = names
    .filter((n) => n !== HORIZON)
    .reduce<IntEnv[]>(
      (envs, n) => envs.flatMap((env) => ends(n).map((v) => withBinding(env, n, v))),
      ends(HORIZON).map((v) => withBinding({}, HORIZON, v)),
    );
  const early = corners.every((env) => evalAffine(e.time, env) < first);
  const late = corners.every((env) => evalAffine(e.time, env) > own(env, HORIZON)!);
  if (!early && !late) return;
  const range = own(sizes, HORIZON)!;
  throw new ExprError(
    offsets.get(e) ?? 0,
    `${e.name}[${formatAffine(e.time)}] is outside the unrolled graph (${first}..${HORIZON}) for every instance (${HORIZON} ${range.min === range.max ? `= ${range.min}` : `in ${range.min}..${range.max}`})`,
    `a time from ${first} to ${HORIZON}`,
  );
}

/** A quantity to derive; `identity`: its right side is given (a recurrence), not derived. */
interface Request {
  readonly label: string;
  readonly quantity: Expr;
  readonly identity?: Expr;
}

/**
 * The loss gradient's backward recurrence, one step at a time: for each state x (the others at t held,
 * O_t), what reaches L without passing the states at t+1, plus the next step's gradients pulled back
 * through the state Jacobian — δ_t = ∂ℓ_t/∂h_t + J_{t+1}ᵀ δ_{t+1} for one state.
 */
function recurrences(d: Derivation, states: readonly string[]): Request[] {
  const loss: NodeRef = { name: d.model.loss!.name, time: null };
  const t = affineVar(TIME_VAR);
  const next = affine(1, { [TIME_VAR]: 1 });
  const at = (name: string, time: Affine): NodeRef => ({ name, time });
  return states.map((x) => {
    const others = states.filter((s) => s !== x).map((s) => at(s, t));
    const quantity = derivNode('grad', loss, at(x, t), others);
    const direct: Expr = derivNode('grad', loss, at(x, t), [...others, ...states.map((s) => at(s, next))]);
    const through = states.map((c) => {
      const step = derivNode(others.length ? 'partial' : 'jac', at(c, next), at(x, t), others);
      const ahead = derivNode(
        'grad',
        loss,
        at(c, next),
        states.filter((s) => s !== c).map((s) => at(s, next)),
      );
      return node('mul', [node('transpose', [step]), ahead]);
    });
    const identity = [direct, ...through].reduce((a, b) => node('add', [a, b]));
    const held = others.length ? ` with ${others.map((o) => o.name).join(', ')} held at t` : '';
    return { label: `backward recurrence of ∇_${x}L${held}, from the step after`, quantity, identity };
  });
}

function defaultQuantities(d: Derivation): Request[] {
  const states = [...d.model.symbols.values()].filter((s) => s.role === 'state').map((s) => s.name);
  const t = affineVar(TIME_VAR);
  const prev = affine(-1, { [TIME_VAR]: 1 });
  const at = (name: string, time = t): NodeRef => ({ name, time });
  const jac = (of: NodeRef, wrt: NodeRef, fixed: NodeRef[] = []): Expr =>
    derivNode(fixed.length ? 'partial' : 'jac', of, wrt, fixed);
  const out: Request[] = [];
  for (const y of states)
    for (const x of states) {
      const others = states.filter((s) => s !== x).map((s) => at(s, prev));
      if (!others.length) {
        out.push({ label: `one-step Jacobian ∂${y}_t/∂${x}_{t−1}`, quantity: jac(at(y), at(x, prev)) });
        continue;
      }
      out.push({
        label: `block (${y}, ${x}) of the state Jacobian: ∂${y}_t/∂${x}_{t−1} with ${others.map((o) => o.name).join(', ')} held at t−1`,
        quantity: jac(at(y), at(x, prev), others),
      });
      out.push({
        label: `total one-step ∂${y}_t/∂${x}_{t−1}, through ${x}_{t−1}'s effect on ${others.map((o) => o.name).join(', ')} at t−1`,
        quantity: jac(at(y), at(x, prev)),
      });
    }
  // Several states: the k-step total derivatives, blocks of the product of state Jacobians.
  if (states.length > 1)
    for (const y of states)
      for (const x of states)
        out.push({
          label: `k-step ∂${y}_t/∂${x}_{t−k}: a block of the product of the k state Jacobians`,
          quantity: jac(at(y), at(x, affine(0, { [TIME_VAR]: 1, k: -1 }))),
        });
  if (d.model.loss) {
    for (const h of states)
      out.push({
        label: `loss gradient ${h} lags k before the horizon`,
        quantity: derivNode('grad', { name: d.model.loss.name, time: null }, at(h, affine(0, { [HORIZON]: 1, k: -1 }))),
      });
    out.push(...recurrences(d, states));
  }
  return out;
}

/** ∂h_t^α/∂P_ij as the one-step recurrence the model implies: A(α, t) + Σ_γ B(α, γ, t) ∂h_{t−1}^γ/∂P_ij. */
function unitRecurrenceOf(d: Derivation, q: OpNode): Expr {
  const name = (ix: Index | undefined, what: string): string => {
    if (!ix || ix.kind !== 'affine' || ix.a.c !== 0 || Object.keys(ix.a.terms).length !== 1)
      throw new SymbolicUnsupported(`${what} must be a single index variable`);
    return Object.keys(ix.a.terms)[0]!;
  };
  const [unit, entry] = q.args as [OpNode, OpNode];
  const value = unit.args[0] as Extract<Expr, { kind: 'seq' }>;
  const param = (entry.args[0] as { name: string }).name;
  const t = value.time;
  if (t.c !== 0 || Object.keys(t.terms).length !== 1)
    throw new SymbolicUnsupported('the time must be a single variable, e.g. t');
  const tName = Object.keys(t.terms)[0]!;
  const names = {
    alpha: name(unit.units[0], 'the unit'),
    gamma: 'gamma',
    t: tName,
    i: name(entry.units[0], 'the row'),
    j: entry.units[1] ? name(entry.units[1], 'the column') : null,
  };
  const rec = unitRecurrence(d.model, value.name, param, names);
  const previousUnit = node('comp', [seq(value.name, affine(-1, { [tName]: 1 }))], {
    units: [{ kind: 'affine', a: affineVar('gamma') }],
  });
  const previous = node('d', [previousUnit, entry]);
  return node('add', [
    rec.A,
    node('rsum', [node('mul', [rec.B, previous])], { ints: [affine(1), rec.range], binder: 'gamma' }),
  ]);
}

/**
 * The largest closed form derive prints, in nodes written out (a shared subterm counted each time it occurs): a model
 * whose intermediates each read the two before has forms that grow as Fibonacci numbers, and 30 of them ran past
 * 3 GB printing one (a review found it). The shipped files' printed forms have a few hundred.
 */
export const MAX_PRINTED_FORM_NODES = 100_000;

export function deriveQuantities(d: Derivation, quantityText: string | null, unroll: IntEnv | null): DerivedQuantity[] {
  // an --unroll name must be one a quantity can read: a size or a free index (zz=5 was ignored without a word)
  const names = scopeOf(d).indexVars;
  for (const name of Object.keys(unroll ?? {}))
    if (!names.has(name))
      throw new InputError(
        { file: '<--unroll>', line: 1, col: 1 },
        `--unroll ${name}: '${name}' is neither a size of the model nor a free index`,
        [...names].join(', '),
      );
  const sm = new SymbolicModel(d.model, 'atom', MAX_PRINTED_FORM_NODES);
  const requests: Request[] = quantityText
    ? [{ label: quantityText, quantity: parseQuantity(d, quantityText) }]
    : defaultQuantities(d);
  if (unroll) unrollInsideTheGraph(d, requests, unroll);
  const results = requests.map(({ label, quantity, identity }): DerivedQuantity => {
    try {
      const derived =
        identity ?? (isOp(quantity, 'd') ? unitRecurrenceOf(d, quantity) : sm.derive(quantity as unknown as OpNode));
      // what derive prints is the form written out as a tree: its shared subterms each time they occur (checked
      // before the products are written out, and as they are: --unroll k=400 ran past 3.7 GB, a review found)
      const unrolled =
        unroll && formSize(derived) <= MAX_PRINTED_FORM_NODES
          ? unrollProducts(derived, unroll, MAX_PRINTED_FORM_NODES)
          : null;
      const size = Math.max(formSize(derived), unrolled ? formSize(unrolled) : 0);
      if (size > MAX_PRINTED_FORM_NODES)
        return {
          label,
          quantity,
          derived: null,
          unrolled: null,
          problem: `the closed form has ${size.toPrecision(3)} nodes written out, more than the ${MAX_PRINTED_FORM_NODES} derive prints`,
        };
      return { label, quantity, derived, unrolled, problem: null };
    } catch (err) {
      if (err instanceof SymbolicUnsupported)
        return { label, quantity, derived: null, unrolled: null, problem: err.message };
      if (err instanceof InputError) throw err;
      throw err;
    }
  });
  if (unroll) unrollRead(d, results, unroll);
  return results;
}

const UNROLL_AT = { file: '<--unroll>', line: 1, col: 1 };
const bindingText = (unroll: IntEnv) =>
  Object.entries(unroll)
    .map(([n, v]) => `${n}=${v}`)
    .join(' ');

/** The quantity with the --unroll values put in for its names (a size's too). */
function bound(e: Expr, unroll: IntEnv): Expr {
  return Object.entries(unroll).reduce((acc, [name, value]) => substituteIndex(acc, name, affine(value)), e);
}

/**
 * The --unroll values must be ones the run has: a size inside the model's range, and no quantity then reading a
 * value outside the unrolled graph at every size (`--unroll k=1000` with T ≤ 9 wrote out h[T-999] and exited 0, and
 * `--unroll T=1000` wrote a horizon no instance has; a review found them). With one free index bound, the message
 * names the values it may take.
 */
function unrollInsideTheGraph(d: Derivation, requests: readonly Request[], unroll: IntEnv): void {
  const sizes: Record<string, SizeRange> = { ...d.model.sizes };
  for (const [name, value] of Object.entries(unroll)) {
    const range = own(d.model.sizes, name);
    if (!range) continue;
    if (value < range.min || value > range.max)
      throw new InputError(
        UNROLL_AT,
        `--unroll ${name}=${value}: the model's size ${name} is from ${range.min} to ${range.max}`,
        `${name} from ${range.min} to ${range.max}`,
      );
    sizes[name] = { min: value, max: value };
  }
  const problem = (values: IntEnv): string | null => {
    for (const r of requests)
      try {
        outsideTheGraph(d, bound(r.quantity, values), new WeakMap(), sizes);
      } catch (err) {
        if (err instanceof ExprError) return `in ${printExpr(r.quantity)}, ${err.message}`;
        throw err;
      }
    return null;
  };
  const found = problem(unroll);
  if (found === null) return;
  const free = Object.keys(unroll).filter((n) => !Object.hasOwn(d.model.sizes, n));
  let expected = 'values whose times are inside the unrolled graph';
  if (free.length === 1) {
    // the values of the free index that keep every time inside (a few hundred cheap checks of the quantities)
    const name = free[0]!;
    const horizon = Math.max(...Object.values(sizes).map((r) => r.max));
    const ok: number[] = [];
    for (let v = 0; v <= 2 * horizon + 1; v++) if (problem({ ...unroll, [name]: v }) === null) ok.push(v);
    if (ok.length) expected = `${name} from ${ok[0]} to ${ok[ok.length - 1]}`;
  }
  throw new InputError(UNROLL_AT, `--unroll ${bindingText(unroll)}: ${found}`, expected);
}

/** Each --unroll name must change what derive prints: a name no quantity (nor its closed form) reads was ignored. */
function unrollRead(d: Derivation, results: readonly DerivedQuantity[], unroll: IntEnv): void {
  const forms = results.flatMap((r) => (r.derived ? [r.quantity, r.derived] : [r.quantity]));
  for (const [name, value] of Object.entries(unroll)) {
    if (forms.some((e) => printExpr(bound(e, { [name]: value })) !== printExpr(e))) continue;
    const read = [...new Set(forms.flatMap((e) => [...intVarsOf(e)]))].filter(
      (n) => scopeOf(d).indexVars.has(n) && forms.some((e) => printExpr(bound(e, { [n]: 1 })) !== printExpr(e)),
    );
    throw new InputError(
      UNROLL_AT,
      `--unroll ${name}=${value}: ${results.length === 1 ? `${results[0]!.label} reads` : 'the quantities read'} no ${name}, so the value would be ignored`,
      read.length
        ? `a name ${results.length === 1 ? 'it reads' : 'they read'}: ${read.sort().join(', ')}`
        : 'no --unroll (nothing here to write out)',
    );
  }
}
