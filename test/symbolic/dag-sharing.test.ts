/**
 * Derived forms are DAGs: a Jacobian reads the one before it several times, so a model whose intermediates each
 * read the previous one k times has closed forms that written out as trees grow as k^n. Every walk over them must
 * visit each shared node once. These tests count the work done instead of timing it: the nodes built here count
 * the reads of their children and throw past a budget, so a walk that treats them as a tree fails at once (the
 * budgets are a few reads per distinct node; a tree walk needs about 2^40).
 */
import { describe, expect, it, vi } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { affine } from '../../src/ir/affine.js';
import {
  type Expr,
  intVarsOf,
  node,
  type OpNode,
  rewrite,
  rewriteShared,
  seq,
  some,
  sym,
  walk,
  walkOnce,
} from '../../src/ir/expr.js';
import { printExpr } from '../../src/ir/print.js';
import { editContext } from '../../src/repair/aim.js';
import { deriveQuantities } from '../../src/symbolic/quantities.js';
import { substituteIndex, substituteIndexShared } from '../../src/symbolic/build.js';
import { derivNode, formSize, SymbolicModel } from '../../src/symbolic/derive.js';
import { transpose } from '../../src/symbolic/transpose.js';
import { MAX_PROVER_FORM_NODES } from '../../src/symbolic/bounds/session.js';

/** Reads of children so far, and how many a test allows. */
interface Budget {
  reads: number;
  readonly limit: number;
}

const budget = (limit: number): Budget => ({ reads: 0, limit });

/** `n` with its children read through a getter that counts against the budget. */
function counting(n: OpNode, args: readonly Expr[], b: Budget): OpNode {
  const out = { ...n };
  Object.defineProperty(out, 'args', {
    enumerable: true,
    get() {
      if (++b.reads > b.limit) throw new Error(`more than ${b.limit} reads of children: walked as a tree`);
      return args;
    },
  });
  return out;
}

/** The same DAG with every op node counting the reads of its children (shared where `e` is shared). */
function counted(e: Expr, b: Budget, memo = new Map<Expr, Expr>()): Expr {
  if (e.kind !== 'op') return e;
  let c = memo.get(e);
  if (!c)
    memo.set(
      e,
      (c = counting(
        e,
        e.args.map((a) => counted(a, b, memo)),
        b,
      )),
    );
  return c;
}

/** depth levels over h[t-i], each W·x + x of the level below: 2^depth leaves written out, 2·depth + 2 distinct nodes. */
function chain(depth: number): Expr {
  let x: Expr = seq('h', affine(0, { t: 1, i: -1 }));
  for (let k = 0; k < depth; k++) x = node('add', [node('mul', [sym('W'), x]), x]);
  return x;
}

function distinctNodes(e: Expr): number {
  let n = 0;
  walkOnce(e, (x) => void (x.kind === 'op' && n++));
  return n;
}

describe('walks over shared subterms visit each node once', () => {
  it('some, walkOnce and intVarsOf', () => {
    const b = budget(2000);
    const e = counted(chain(40), b);
    expect(some(e, (x) => x.kind === 'seq' && x.name === 'x')).toBe(false);
    expect(some(e, (x) => x.kind === 'seq' && x.name === 'h')).toBe(true);
    expect(intVarsOf(e)).toEqual(new Set(['t', 'i']));
    let visited = 0;
    walkOnce(e, () => visited++);
    // each op node once, with the leaves under it: 80 ops, 40 W's and the h at the bottom (it is read twice)
    expect(visited).toBe(80 + 40 + 2);
    expect(b.reads).toBeLessThan(2000);
  });

  it('walkOnce visits the op nodes in the order of walk’s first visits', () => {
    const e = chain(5);
    const first: Expr[] = [];
    walk(e, (x) => void (x.kind === 'op' && !first.includes(x) && first.push(x)));
    const once: Expr[] = [];
    walkOnce(e, (x) => void (x.kind === 'op' && once.push(x)));
    expect(once).toEqual(first);
    expect(once.every((x, k) => x === first[k])).toBe(true);
  });

  it('rewriteShared and substituteIndexShared rewrite each node once and keep it shared', () => {
    const b = budget(1000);
    const e = counted(chain(40), b);
    let calls = 0;
    const same = rewriteShared(e, (x) => (calls++, x));
    expect(calls).toBeLessThan(200);
    expect(distinctNodes(same)).toBe(80);
    const at = substituteIndexShared(e, 'i', affine(2));
    expect(distinctNodes(at)).toBe(80);
    expect(b.reads).toBeLessThan(1000);
    // the value is substituteIndex's (a tree there): the same text
    const small = chain(4);
    expect(printExpr(substituteIndexShared(small, 'i', affine(2)))).toBe(
      printExpr(substituteIndex(small, 'i', affine(2))),
    );
    expect(formSize(substituteIndexShared(small, 'i', affine(2)))).toBe(formSize(small));
  });

  it('the transpose of a product reverses its index in a shared body (exponential as a tree before)', () => {
    const b = budget(2000);
    const body = counted(chain(40), b);
    const prod = node('prod', [body], { ints: [affine(1), affine(0, { k: 1 })], binder: 'i' });
    const t = transpose(prod)!;
    expect(b.reads).toBeLessThan(2000);
    expect(distinctNodes(t)).toBeLessThan(400);
    // the same form as from the body written out as a tree, where sharing changes nothing
    const small = chain(3);
    const over = (b: Expr) => node('prod', [b], { ints: [affine(1), affine(0, { k: 1 })], binder: 'i' });
    expect(printExpr(transpose(over(small))!)).toBe(printExpr(transpose(over(rewrite(small, (x) => x)))!));
  });
});

/** n intermediates z_k = tanh(W z_{k−1} + U z_{k−1} + z_{k−1} ⊙ x), each reading the one before three times. */
function threeReads(n: number, claim: string, forall?: string) {
  const zs = Array.from({ length: n }, (_, k) => `z${k + 1}`);
  const before = (k: number) => (k === 0 ? 'h[t-1]' : `z${k}[t]`);
  return parseDerivation(
    `gradproof: 1
title: three reads of the intermediate before
model:
  name: three-reads
  sizes: { d: 2, T: 3 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, d] }
    x: { role: input, shape: [d] }
    h: { role: state, shape: [d] }
${zs.map((z) => `    ${z}: { role: intermediate, shape: [d] }`).join('\n')}
  equations:
${zs.map((z, k) => `    - ${z}[t] = tanh(W*${before(k)} + U*${before(k)} + ${before(k)} .* x[t])`).join('\n')}
    - h[t] = z${n}[t] + h[t-1]
  loss: L = sum(h[T])
claims:
  - id: c
    claim: "${claim}"
${forall ? `    forall: ${forall}\n` : ''}`,
    'three-reads.yaml',
  );
}

describe('closed forms through intermediates that each read the one before three times', () => {
  const gradU = derivNode('grad', { name: 'L', time: null }, { name: 'U', time: null });

  it('∇_U L is derived as a DAG whose distinct nodes grow with the intermediates, not their tree', () => {
    // 8 intermediates: 263,000 distinct nodes before (the tree, copied), 1,321 now
    const eight = new SymbolicModel(threeReads(8, 'grad(L, U) = grad(L, U)').model, 'explicit').derive(gradU);
    expect(formSize(eight)).toBeGreaterThan(400_000);
    expect(distinctNodes(eight)).toBeLessThan(3_000);
    const thirty = new SymbolicModel(threeReads(30, 'grad(L, U) = grad(L, U)').model, 'explicit').derive(gradU);
    expect(formSize(thirty)).toBeGreaterThan(1e15);
    expect(distinctNodes(thirty)).toBeLessThan(30_000);
  });

  it('the bound prover stops at its size, not proved, where its tree walks overflowed the stack (10 intermediates)', () => {
    const claim = 'norm2(jac(h[t], h[t-1])) <= 1 + (norm2(W) + norm2(U) + normMax(x[t]))^10';
    const [r] = checkDerivation(threeReads(10, claim, 't in 2..T'), { instances: 1, search: 0 });
    expect(r!.verdict).toBe('consistent');
    const proof = r!.evidence.find((e) => e.kind === 'bound-proof');
    expect(proof).toMatchObject({ ok: false });
    expect(proof?.kind === 'bound-proof' && proof.failure?.why).toBe(
      `the expression has 4.13e+5 nodes written out, more than the ${MAX_PROVER_FORM_NODES} the prover rewrites`,
    );
  });

  it('check decides grad(L, U) = grad(L, U) at 30 intermediates (past 600 s at 12 before)', () => {
    const [r] = checkDerivation(threeReads(30, 'grad(L, U) = grad(L, U)'), { instances: 1, search: 0 });
    expect(r!.verdict).toBe('verified');
  });

  it("the repair search's aimed factors are collected once per node of the closed forms (past 300 s at 16)", () => {
    const d = threeReads(30, 'grad(L, h[T-1]) = grad(L, h[T])');
    // the closed forms editContext reads, made to count what is walked below them
    const b = budget(50_000);
    const { value: derive } = Object.getOwnPropertyDescriptor(SymbolicModel.prototype, 'derive') as {
      value: (this: SymbolicModel, e: OpNode) => Expr;
    };
    const spy = vi.spyOn(SymbolicModel.prototype, 'derive').mockImplementation(function (
      this: SymbolicModel,
      e: OpNode,
    ) {
      return counted(derive.call(this, e), b);
    });
    try {
      const ctx = editContext(d, d.claims[0]!);
      expect(ctx.aimFactors.map((f) => printExpr(f))).toContain('diag(1 - z30[T].^2)');
      expect(b.reads).toBeLessThan(50_000);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("the bound rules compare a closed form's text with its derivative's without printing it when too large", () => {
  it('a text has at least formSize characters (every node prints one of its own): the shipped forms', () => {
    const files = ['lab-10-5-vanilla-rnn', 'lab-10-5-lstm', 'how-does-lstm-avoid-gradient-explosion-2024-lstm'];
    let forms = 0;
    for (const f of files)
      for (const q of deriveQuantities(loadDerivationFile(`derivations/${f}.yaml`), null, null))
        for (const e of [q.quantity, q.derived])
          if (e) {
            forms++;
            expect(printExpr(e).length).toBeGreaterThanOrEqual(formSize(e));
          }
    expect(forms).toBeGreaterThan(20);
  });

  it('check of an inequality through 30 intermediates says why no bound is proved (out of memory before)', () => {
    const [r] = checkDerivation(threeReads(30, 'norm2(jac(h[T], h[T-1])) <= norm2(W)^30'), {
      instances: 1,
      search: 0,
    });
    expect(r!.verdict).toBe('refuted');
  });
});
