/**
 * The search for a bound proof: goal-directed rewriting of one side towards
 * the other. It decides which rule to try where — split a norm of a sum by
 * the triangle inequality into the terms the target has, split a norm of a
 * product into the norms the target names (submultiplicativity), bound each
 * factor by the target's factor of the same exponent, a leftover factor by 1
 * — and backtracks when a branch fails. It is not trusted: every rewrite it
 * proposes is checked by the session (./session.ts), so a search bug can
 * only lose a proof, never make one.
 */
import { type Affine, affine, affineAdd, affineVars, formatAffine } from '../../ir/affine.js';
import { type Expr, intVarsOf, isOp, mapIntFields, node, num, type OpNode, rewrite, some } from '../../ir/expr.js';
import { derivParts } from '../derive.js';
import { printExpr } from '../../ir/print.js';
import { absBound, entryFactors, entryRange, supLowerBound } from './entries.js';
import { addAll, isNorm, mulAll, productFactors, sumTerms } from './lemmas.js';
import {
  asSingleDiagonal,
  exponentExpr,
  exponentOf,
  type Mono,
  NotNormal,
  rangeLength,
  sameMatrix,
  sameScalar,
  scalarNormal,
} from './normal.js';
import { type Q, qcmp, qFromNumber, qvalue } from './rational.js';
import type { BoundFailure } from './rules.js';
import type { Domain } from './domain.js';
import { substituteSafely } from './substitute.js';
import { type Path, type Session } from './session.js';

const MAX_CALLS = 4000;

/** An expression with every integer index erased: a template for guessing which parts correspond. */
function template(e: Expr): string {
  const erase = () => affine(0);
  return printExpr(rewrite(e, (x) => mapIntFields(x, erase)));
}

/** The scalar leaves of an expression (norms, sups, numbers), through sums, products, powers and ranges. */
function leavesOf(e: Expr): Expr[] {
  if (isOp(e, 'add', 'sub', 'mul', 'neg', 'div')) return e.args.flatMap(leavesOf);
  if (isOp(e, 'pow')) return leavesOf(e.args[0]!);
  if (isOp(e, 'prod', 'rsum') && e.binder) return leavesOf(e.args[0]!);
  return [e];
}

/** The vector whose diagonal a written matrix is: diag(v) → v, diag(u)·diag(v) → u ⊙ v, ∏ diag(u_i) → ⨀ u_i. */
function diagonalOf(m: Expr): Expr | null {
  if (isOp(m, 'diag')) return m.args[0]!;
  if (isOp(m, 'prod') && isOp(m.args[0]!, 'diag')) return node('hprod', [m.args[0].args[0]!], m);
  const fs = productFactors(m);
  if (fs.length < 2) return null;
  const vs = fs.map(diagonalOf);
  if (vs.some((v) => v === null)) return null;
  return (vs as Expr[]).reduce((a, b) => node('emul', [a, b]));
}

/** Factors of an entrywise product grouped by the values they read (σ(s) with 1 − σ(s); o with 1 − o). */
function atomGroups(factors: readonly Expr[]): Expr[][] {
  const atoms = factors.map((f) => {
    const out = new Set<string>();
    rewrite(f, (x) => {
      if (x.kind === 'seq' || x.kind === 'sym') out.add(printExpr(x));
      return x;
    });
    return out;
  });
  const parent = factors.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let a = 0; a < factors.length; a++)
    for (let b = a + 1; b < factors.length; b++)
      if ([...atoms[a]!].some((x) => atoms[b]!.has(x))) parent[find(a)] = find(b);
  const groups = new Map<number, Expr[]>();
  // Constants go with the first group.
  factors.forEach((f, i) => {
    const root = atoms[i]!.size ? find(i) : find(0);
    groups.set(root, [...(groups.get(root) ?? []), f]);
  });
  return [...groups.values()];
}

const emulAll = (xs: readonly Expr[]): Expr => xs.reduce((a, b) => node('emul', [a, b]));

interface YFactor {
  readonly key: string;
  readonly leaf: Expr;
  readonly exp: Affine;
}

export class Planner {
  private calls = 0;
  /** goals being searched (path, place, target): met again below themselves, they fail */
  private readonly open = new Set<string>();
  failure: (BoundFailure & { progress: number }) | null = null;

  constructor(private readonly S: Session) {}

  private get shapes() {
    return this.S.ctx.shapes;
  }

  private fail(x: Expr, y: Expr, why: string): false {
    const progress = this.S.steps.reduce((n, s) => n + s.sites, 0);
    if (!this.failure || progress >= this.failure.progress) {
      const after = this.S.steps.map((s) => s.rule);
      this.failure = { goal: printExpr(x), target: printExpr(y), why, progress, ...(after.length ? { after } : {}) };
    }
    return false;
  }

  private equalAt(path: Path, y: Expr): boolean {
    const dom = this.S.domainAt(path);
    return !!dom && sameScalar(this.S.at(path), y, this.shapes, dom);
  }

  /** Transactional: a failing attempt leaves the session as it was. */
  private attempt(f: () => boolean): boolean {
    const snap = this.S.snapshot();
    if (f()) return true;
    this.S.restore(snap);
    return false;
  }

  /** Rewrites the place at `path` until it equals `y` (as scalars), by ≤ and = steps only. */
  bound(path: Path, y: Expr): boolean {
    if (++this.calls > MAX_CALLS) return this.fail(this.S.at(path), y, 'search budget exhausted');
    if (this.equalAt(path, y)) return true;
    const x = this.S.at(path);
    // The same goal again further down the search is a loop, not progress.
    const goal = `${path.join('.')}|${printExpr(x)}|${printExpr(y)}`;
    if (this.open.has(goal)) return false;
    this.open.add(goal);
    try {
      return this.search(path, x, y);
    } finally {
      this.open.delete(goal);
    }
  }

  private search(path: Path, x: Expr, y: Expr): boolean {
    const tries: (() => boolean)[] = [
      () => this.reverseTriangle(path, y),
      () => this.triangle(path, y),
      () => this.splitThroughTargetTerm(path, y),
      () => this.backwardStep(path, y),
      () => this.rangeSums(path, y),
      () => this.decomposeThenBound(path, y),
      () => this.products(path, y),
      () => this.leaf(path, y),
      () => this.liftMax(path, y),
      () => this.S.apply(path, 'factor-at-least-one', y),
    ];
    const rejections: string[] = [];
    for (const t of tries) {
      this.S.lastRejection = null;
      if (this.attempt(t)) return true;
      const r = this.S.lastRejection as { rule: string; why: string } | null;
      if (r && r.rule !== 'factor-at-least-one') rejections.push(`${r.rule}: ${r.why}`);
    }
    return this.fail(x, y, rejections[0] ?? 'no rule bounds it');
  }

  // ── sums ──────────────────────────────────────────────────────────────────

  /** ‖B‖ − ‖C‖ ≤ ‖B ± C‖, then the target's norm. */
  private reverseTriangle(path: Path, y: Expr): boolean {
    const x = this.S.at(path);
    if (!isOp(x, 'sub') || !isNorm(x.args[0]!) || !isNorm(x.args[1]!) || !isNorm(y)) return false;
    // ‖B‖_max − ‖C‖ ≤ ‖B‖ − ‖C‖ first, where the norms differ (the subtrahend cannot grow)
    const [b, c] = [x.args[0], x.args[1]] as [OpNode, OpNode];
    if (b.op === 'normMax' && c.op !== 'normMax')
      return this.attempt(
        () => this.S.apply([...path, 0], 'max-le-norm', node(c.op, [b.args[0]!])) && this.reverseTriangle(path, y),
      );
    const direct = () =>
      (['add', 'sub'] as const).some((op) =>
        this.attempt(() => {
          const [B, C] = [(this.S.at([...path, 0]) as OpNode).args[0]!, c.args[0]!];
          return this.S.apply(path, 'reverse-triangle', node(b.op, [node(op, [B, C])])) && this.bound(path, y);
        }),
      );
    if (direct()) return true;
    // C = D ∓ Q for the target's D: ‖B‖ ≤ ‖Q‖ first, then ‖Q‖ − ‖C‖ ≤ ‖Q ± C‖ = ‖D‖
    const C = c.args[0]!;
    if (!isOp(C, 'add', 'sub')) return false;
    return C.args.some(
      (Q) =>
        printExpr(Q) !== printExpr(b.args[0]!) &&
        this.attempt(() => this.bound([...path, 0], node(b.op, [Q])) && direct()),
    );
  }

  /** ‖Σ terms‖ ≤ Σ_j ‖group_j‖, one group per term of the target, each group factored where its terms share factors. */
  private triangle(path: Path, y: Expr): boolean {
    const x = this.S.at(path);
    const addends = sumTerms(y);
    if (!isNorm(x) || addends.length < 2) return false;
    const terms = signedTerms(x.args[0]!);
    if (terms.length < addends.length || terms.length > 7) return false;
    const m = addends.length;
    const assignment = new Array<number>(terms.length).fill(0);
    const total = m ** terms.length;
    for (let code = 0; code < total; code++) {
      let c = code;
      for (let i = 0; i < terms.length; i++) {
        assignment[i] = c % m;
        c = Math.floor(c / m);
      }
      const groups = addends.map((_, j) => terms.filter((_, i) => assignment[i] === j));
      if (groups.some((g) => !g.length)) continue;
      const parts = groups.map((g) => node(x.op, [factorGroup(g, this.shapes)]));
      const ok = this.attempt(() => {
        if (!this.S.apply(path, 'triangle', addAll(parts))) return false;
        const paths = addendPaths(path, parts.length);
        return paths.every((p, j) => this.bound(p, addends[j]!));
      });
      if (ok) return true;
    }
    return false;
  }

  /**
   * ‖X‖ ≤ ‖Z‖ + ‖D‖ where the target names a norm of Z and Z = X ∓ D (or D ∓ X): the triangle inequality through a
   * matrix the target chose, as in ‖J‖ ≤ ‖J − P‖ + ‖P‖ with J − P written as one opaque term (the lab's ‖c‖ in
   * eq. (4)). Then ‖D‖ is bounded by the target's other terms. X itself need not have a closed form.
   */
  private splitThroughTargetTerm(path: Path, y: Expr): boolean {
    const x = this.S.at(path);
    const addends = sumTerms(y);
    if (!isNorm(x) || addends.length < 2) return false;
    const X = printExpr(x.args[0]!);
    return addends.some((a, j) => {
      if (!isNorm(a) || !isOp(a.args[0]!, 'add', 'sub')) return false;
      const [A, B] = (a.args[0] as OpNode).args as [Expr, Expr];
      const D = printExpr(A) === X ? B : printExpr(B) === X ? A : null;
      if (!D) return false;
      const rest = addAll(addends.filter((_, i) => i !== j));
      // In x's own norm; the target's term may be another norm, reached from it by the rules (‖·‖₂ ≤ ‖·‖_F).
      return this.attempt(
        () =>
          this.S.apply(path, 'triangle', node('add', [node(x.op, [a.args[0]!]), node(x.op, [D])])) &&
          this.bound([...path, 0], a) &&
          this.bound([...path, 1], rest),
      );
    });
  }

  /**
   * ‖∇_x L‖ against a target that names the loss's gradients at other values (‖∇_{s_t}L‖, ‖∇_{h_{t−1}}L‖): ∇_x L
   * written by one step of the backward recurrence, Σ_c (∂c/∂x)ᵀ ∇_c L, whose gradients stay atoms; then that sum
   * bounded towards the target (the triangle inequality, submultiplicativity, the gates' ranges).
   */
  private backwardStep(path: Path, y: Expr): boolean {
    const x = this.S.at(path);
    const g = isNorm(x) ? x.args[0]! : null;
    if (!g || !isOp(g, 'grad') || g.args.length !== 2) return false;
    const own = printExpr(g);
    if (!some(y, (e) => isOp(e, 'grad') && printExpr(e) !== own)) return false;
    const wrt = derivParts(g).wrt;
    const step = this.S.ctx.sm.backwardStep(wrt);
    if (step && this.attempt(() => this.S.apply([...path, 0], 'backward-step', step.expr) && this.bound(path, y)))
      return true;
    // A target summing over the steps to T (paths grouped by the step where they leave the cell): the recurrence
    // unrolled, written with the target's own binders where it has them.
    const sum = rangeSumIn(y);
    if (!sum) return false;
    const inner = rangeBinders(sum.args[0]!).find((b) => b !== sum.binder);
    const unrolled = this.S.ctx.sm.backwardUnrolled(wrt, sum.binder!, inner ?? `${sum.binder}_`);
    return (
      !!unrolled &&
      this.S.apply([...path, 0], 'backward-unrolled', unrolled) &&
      this.S.apply(
        path,
        'triangle-range',
        node('rsum', [node((x as OpNode).op, [(unrolled as OpNode).args[0]!])], unrolled as OpNode),
      ) &&
      this.bound(path, y)
    );
  }

  /**
   * Σ_j a_j ≤ Σ_j b_j over the same range: term by term (a sum over a range is nondecreasing in its terms). A target
   * c·Σ_j b_j with c free of j: Σ_j a_j ≤ Σ_j c·b_j first, then c taken out of the sum.
   */
  private rangeSums(path: Path, y: Expr): boolean {
    const x = this.S.at(path);
    if (!isOp(x, 'rsum')) return false;
    if (isOp(y, 'mul') && isOp(y.args[1]!, 'rsum')) {
      const [c, sum] = [y.args[0]!, y.args[1] as OpNode];
      if (!sum.binder || intVarsOf(c).has(sum.binder)) return false;
      const inside = node('rsum', [node('mul', [c, sum.args[0]!])], sum);
      return this.rangeSums(path, inside) && this.S.apply(path, 'sum-linear', y);
    }
    if (!isOp(y, 'rsum') || x.binder !== y.binder) return false;
    const dom = this.S.domainAt(path);
    if (!dom || !x.ints.every((b, i) => dom.equal(b, y.ints[i]!))) return false;
    if (!this.bound([...path, 0], y.args[0]!)) return false;
    // Terms that met as scalar normal forms inside the range (where its binder is bounded) are made one there.
    const [a, b] = [this.S.at([...path, 0]), y.args[0]!];
    return printExpr(a) === printExpr(b) || this.S.apply([...path, 0], 'scalar-algebra', b);
  }

  // ── leaves that split ─────────────────────────────────────────────────────

  private decomposeThenBound(path: Path, y: Expr): boolean {
    const x = this.S.at(path);
    const targets = new Set(leavesOf(y).map(template));
    if (!(isNorm(x) && !targets.has(template(x)))) return false;
    if (!this.decompose(path, targets)) return false;
    return this.bound(path, y);
  }

  /** One splitting step on a norm leaf, towards the leaves the target has; false when none applies. */
  private decompose(path: Path, targets: ReadonlySet<string>): boolean {
    const x = this.S.at(path);
    if (!isNorm(x)) return false;
    const M = x.args[0]!;
    // ‖diag(v)‖ = max |v_i|
    if (x.op !== 'normF' && asSingleDiagonal(M, this.shapes)) {
      const v = diagonalOf(M);
      if (v && this.S.apply(path, 'norm-diag', node('normMax', [v]))) return true;
    }
    // ‖Aᵀ‖ = ‖A‖ for an atom
    if (isOp(M, 'transpose') && x.op !== 'normInf' && this.S.apply(path, 'norm-transpose', node(x.op, [M.args[0]!])))
      return true;
    if (x.op === 'normMax') {
      if (isOp(M, 'hprod')) return this.S.apply(path, 'max-hprod', node('prod', [node('normMax', [M.args[0]!])], M));
      const groups = atomGroups(entryFactors(M, this.shapes));
      if (groups.length >= 2) {
        const to = mulAll(groups.map((g) => node('normMax', [emulAll(g)])));
        return this.S.apply(path, 'max-entrywise-product', to);
      }
      return false;
    }
    const factors = productFactors(M);
    if (factors.length >= 2) {
      const coef = factors[0]!.kind === 'num' ? factors[0] : null;
      const rest = coef ? factors.slice(1) : factors;
      const segments = segment(rest, x.op, targets);
      if (segments.length >= 2 || coef) {
        // In a Frobenius norm a diagonal factor is bounded by its spectral norm (its largest entry) where another
        // factor keeps the Frobenius one: ‖D W‖_F ≤ ‖D‖₂‖W‖_F, where ‖D‖_F would be up to √d times as large.
        const spectral = (s: readonly Expr[]) => x.op === 'normF' && asSingleDiagonal(mulAll(s), this.shapes) !== null;
        const mixed = segments.some(spectral) && !segments.every(spectral);
        const norms = segments.map((s) => node(mixed && spectral(s) ? 'norm2' : x.op, [mulAll(s)]));
        const to = coef ? mulAll([num(Math.abs(coef.value)), ...norms]) : mulAll(norms);
        return this.S.apply(path, mixed ? 'submultiplicative-mixed' : 'submultiplicative', to);
      }
    }
    if (isOp(M, 'prod'))
      return this.S.apply(path, 'submultiplicative-range', node('prod', [node(x.op, [M.args[0]!])], M));
    return false;
  }

  // ── products ──────────────────────────────────────────────────────────────

  /** A product of factors against a target product: each factor bounded by the target's factors it corresponds to. */
  private products(path: Path, y: Expr): boolean {
    const x = this.S.at(path);
    if (!isOp(x, 'mul', 'prod', 'pow')) return false;
    const dom = this.S.domainAt(path);
    if (!dom) return false;
    let target: readonly Mono[];
    try {
      target = scalarNormal(y, this.shapes, dom);
    } catch (err) {
      if (err instanceof NotNormal) return false;
      throw err;
    }
    if (target.length !== 1) return false;
    const Y: YFactor[] = [...target[0]!.factors.entries()].map(([key, p]) => ({ key, leaf: p.leaf, exp: p.exp }));
    // A constant factor of the target is a factor to bound by, like any other (σ′ ≤ 1/4 as 0.25).
    const coef = target[0]!.coef;
    if (coef !== 1 && coef > 0) Y.push({ key: `#${coef}`, leaf: num(coef), exp: affine(1) });
    const factorPaths = mulPaths(x, path);
    const go = (idx: number, remaining: readonly YFactor[]): boolean => {
      if (idx === factorPaths.length)
        return this.equalAt(path, y) || this.attempt(() => this.S.apply(path, 'factor-at-least-one', y));
      const fp = factorPaths[idx]!;
      const later = factorPaths.slice(idx + 1).map((p) => this.S.at(p));
      for (const { consumed, run } of this.candidates(fp, remaining, later)) {
        const rest = remaining.filter((r) => !consumed.includes(r));
        if (this.attempt(() => run() && go(idx + 1, rest))) return true;
      }
      return false;
    };
    return go(0, Y);
  }

  /** The ways to bound one factor by part of the remaining target, most specific first. */
  private candidates(
    fp: Path,
    remaining: readonly YFactor[],
    later: readonly Expr[],
  ): { consumed: readonly YFactor[]; run: () => boolean }[] {
    const f = this.S.at(fp);
    const dom = this.S.domainAt(fp);
    if (!dom) return [];
    const out: { consumed: readonly YFactor[]; run: () => boolean }[] = [];
    const leafExpr = (r: YFactor) =>
      formatAffine(r.exp) === '1' ? r.leaf : node('pow', [r.leaf, exponentExpr(r.exp)]);
    // Exactly some of the target's factors.
    let mono: Mono | null = null;
    try {
      const p = scalarNormal(f, this.shapes, dom);
      mono = p.length === 1 ? p[0]! : null;
    } catch (err) {
      if (!(err instanceof NotNormal)) throw err;
    }
    if (mono && mono.coef === 1) {
      const used: YFactor[] = [];
      const all = [...mono.factors.entries()].every(([key, p]) => {
        const r = remaining.find((x) => x.key === key && !used.includes(x) && dom.equal(x.exp, p.exp));
        if (r) used.push(r);
        return !!r;
      });
      if (all) out.push({ consumed: used, run: () => true });
    }
    // Exactly matched by a later factor: not free for this one.
    const laterKeys = new Set(
      later.flatMap((l) => {
        try {
          return scalarNormal(l, this.shapes, dom).flatMap((m) => [...m.factors.keys()]);
        } catch {
          return [];
        }
      }),
    );
    const free = remaining.filter((r) => !laterKeys.has(r.key));
    const one = num(1);
    if (isOp(f, 'prod') && f.binder) {
      // ∏_{i=lo}^{hi} x_i against factors with exponent hi−lo+1 (as c^n = ∏ c) and products over as many terms.
      const n = rangeLength(f.ints[0]!, f.ints[1]!);
      const bodyPath = [...fp, 0];
      const fits = free.filter((r) => this.perTerm(r, f, 'shift', n, dom) !== null);
      const options: YFactor[][] = [fits, ...(fits.length > 1 ? fits.map((r) => [r]) : []), []];
      for (const chosen of options)
        for (const orientation of ['shift', 'reflect'] as const) {
          const parts = chosen.map((r) => this.perTerm(r, f, orientation, n, dom));
          if (parts.some((p) => p === null)) continue;
          out.push({ consumed: chosen, run: () => this.bound(bodyPath, parts.length ? mulAll(parts as Expr[]) : one) });
          if (!chosen.some((r) => isOp(r.leaf, 'prod'))) break;
        }
      return out;
    }
    if (isOp(f, 'pow')) {
      const e = exponentOf(f.args[1]!);
      if (e && affineVars(e).length) {
        const fits = free.filter((r) => dom.equal(r.exp, e));
        if (fits.length)
          out.push({ consumed: fits, run: () => this.bound([...fp, 0], mulAll(fits.map((r) => r.leaf))) });
      }
    }
    if (free.length > 1) out.push({ consumed: free, run: () => this.bound(fp, mulAll(free.map(leafExpr))) });
    const ones = free.filter((r) => formatAffine(r.exp) === '1' && !isOp(r.leaf, 'prod'));
    if (ones.length > 1 && ones.length < free.length)
      out.push({ consumed: ones, run: () => this.bound(fp, mulAll(ones.map(leafExpr))) });
    for (const r of free) out.push({ consumed: [r], run: () => this.bound(fp, leafExpr(r)) });
    for (const r of remaining.filter((x) => !free.includes(x)))
      out.push({ consumed: [r], run: () => this.bound(fp, leafExpr(r)) });
    out.push({ consumed: [], run: () => this.bound(fp, one) });
    return out;
  }

  /** One term of a target factor for the i-th term of ∏_{i=lo}^{hi}: a product's body reindexed, or a power's base. */
  private perTerm(r: YFactor, f: OpNode, orientation: 'shift' | 'reflect', n: Affine, dom: Domain): Expr | null {
    const l = r.leaf;
    if (isOp(l, 'prod') && l.binder && !affineVars(r.exp).length && dom.equal(rangeLength(l.ints[0]!, l.ints[1]!), n)) {
      const offset = affineAdd(affine(0, { [f.binder!]: 1 }), f.ints[0]!, -1); // i − lo_x
      // lo_y + (i − lo_x), or hi_y − (i − lo_x) where the factors commute
      const j = orientation === 'shift' ? affineAdd(l.ints[0]!, offset) : affineAdd(l.ints[1]!, offset, -1);
      let body: Expr;
      try {
        body = substituteSafely(l.args[0]!, l.binder, j);
      } catch (err) {
        if (err instanceof NotNormal) return null;
        throw err;
      }
      return r.exp.c === 1 ? body : node('pow', [body, num(r.exp.c)]);
    }
    return dom.equal(r.exp, n) ? l : null;
  }

  // ── leaves ────────────────────────────────────────────────────────────────

  /** A leaf against a single target leaf or constant. */
  private leaf(path: Path, y: Expr): boolean {
    const x = this.S.at(path);
    const S = this.S;
    if (isOp(x, 'normMax') && isOp(y, 'supabs') && this.attempt(() => S.apply(path, 'activation-sup', y))) return true;
    if (isOp(x, 'normMax')) {
      const dom = S.domainAt(path);
      const ctx = dom && {
        model: S.ctx.model,
        domain: dom,
        shapes: this.shapes,
        dact: (name: string, time: Affine) => {
          try {
            return S.ctx.sm.dactExpression(name, time);
          } catch {
            return null;
          }
        },
      };
      const c = ctx ? absBound(entryRange(x.args[0]!, ctx)) : null;
      if (c && this.attempt(() => S.apply(path, 'activation-range', num(qvalue(c))) && this.constantTo(path, c, y)))
        return true;
    }
    if (x.kind === 'num') {
      const c = qFromNumber(x.value);
      if (c && this.constantTo(path, c, y)) return true;
    }
    if (isOp(x, 'norm2') && isOp(y, 'normF') && this.attempt(() => S.apply(path, 'spectral-le-frobenius', y)))
      return true;
    if (isNorm(x) && isNorm(y) && x.op === y.op && this.attempt(() => S.apply(path, 'norm-transpose', y))) return true;
    if (isOp(x, 'prod') && isOp(y, 'prod') && this.attempt(() => S.apply(path, 'range-factors-at-most-one', y)))
      return true;
    if (
      isNorm(x) &&
      isNorm(y) &&
      x.op === y.op &&
      this.attempt(() => S.apply(path, 'diag-range-factors-at-most-one', y))
    )
      return true;
    return false;
  }

  /**
   * max |a_ij| ≤ ‖A‖ for a norm the target uses (the spectral norm when it uses none), then on: the max
   * norm is not submultiplicative, the others are.
   */
  private liftMax(path: Path, y: Expr): boolean {
    const x = this.S.at(path);
    if (!isOp(x, 'normMax')) return false;
    const used = new Set(leavesOf(y).flatMap((l) => (isOp(l, 'norm2', 'normF', 'normInf') ? [l.op] : [])));
    const ops = used.size ? [...used] : ['norm2'];
    return ops.some((op) =>
      this.attempt(() => this.S.apply(path, 'max-le-norm', node(op, [x.args[0]!])) && this.bound(path, y)),
    );
  }

  /** The constant c at `path` up to the target: a larger constant, or a sup whose value is at least c. */
  private constantTo(path: Path, c: Q, y: Expr): boolean {
    if (this.equalAt(path, y)) return true;
    if (y.kind === 'num') {
      const v = qFromNumber(y.value);
      return !!v && qcmp(c, v) <= 0 && this.S.apply(path, 'constant-order', y);
    }
    if (isOp(y, 'supabs')) {
      const low = supLowerBound(y);
      return !!low && qcmp(c, low.value) <= 0 && this.S.apply(path, 'sup-lower-bound', y);
    }
    return false;
  }
}

/** The first sum over a range in an expression (pre-order), or null. */
function rangeSumIn(e: Expr): OpNode | null {
  let found: OpNode | null = null;
  some(e, (x) => {
    if (isOp(x, 'rsum') && x.binder) found = x;
    return found !== null;
  });
  return found;
}

/** The binders of the products, sums and elementwise products over ranges in an expression. */
function rangeBinders(e: Expr): string[] {
  const out: string[] = [];
  some(e, (x) => {
    if (isOp(x, 'prod', 'hprod', 'rsum') && x.binder) out.push(x.binder);
    return false;
  });
  return out;
}

/** The terms of a written sum with their signs: a − b + c → [a, −b, c]. */
function signedTerms(e: Expr, sign = 1): { term: Expr; sign: number }[] {
  if (isOp(e, 'add')) return [...signedTerms(e.args[0]!, sign), ...signedTerms(e.args[1]!, sign)];
  if (isOp(e, 'sub')) return [...signedTerms(e.args[0]!, sign), ...signedTerms(e.args[1]!, -sign)];
  if (isOp(e, 'neg')) return signedTerms(e.args[0]!, -sign);
  return [{ term: e, sign }];
}

/** A group of terms as one matrix, with the factors all its terms share on the left and right pulled out. */
function factorGroup(group: readonly { term: Expr; sign: number }[], shapes: Parameters<typeof sameMatrix>[2]): Expr {
  const sum = (xs: readonly { term: Expr; sign: number }[]) =>
    xs
      .map((t, i) => (i === 0 ? (t.sign > 0 ? t.term : node('neg', [t.term])) : t.term))
      .reduce((acc, t, i) => (i === 0 ? t : node(xs[i]!.sign > 0 ? 'add' : 'sub', [acc, t])));
  if (group.length === 1) return group[0]!.term;
  const lists = group.map((t) => productFactors(t.term));
  const same = (a: Expr, b: Expr) => printExpr(a) === printExpr(b) || sameMatrix(a, b, shapes);
  const shortest = Math.min(...lists.map((l) => l.length));
  let pre = 0;
  while (pre < shortest - 1 && lists.every((l) => same(l[pre]!, lists[0]![pre]!))) pre++;
  let suf = 0;
  while (
    suf < shortest - 1 - pre &&
    lists.every((l) => same(l[l.length - 1 - suf]!, lists[0]![lists[0]!.length - 1 - suf]!))
  )
    suf++;
  if (!pre && !suf) return sum(group);
  const middles = group.map((t, i) => ({ term: mulAll(lists[i]!.slice(pre, lists[i]!.length - suf)), sign: t.sign }));
  const first = lists[0]!;
  return mulAll([...first.slice(0, pre), sum(middles), ...first.slice(first.length - suf)]);
}

/** Paths of the addends of a left-nested sum a + b + c built by addAll. */
function addendPaths(path: Path, n: number): Path[] {
  const out: Path[] = [];
  let cur: number[] = [...path];
  for (let k = n - 1; k >= 1; k--) {
    out.unshift([...cur, 1]);
    cur = [...cur, 0];
  }
  out.unshift(cur);
  return out;
}

/** Paths of the factors of a written product (a * b) * c, in order; a non-product is its own factor. */
function mulPaths(e: Expr, path: Path): Path[] {
  if (!isOp(e, 'mul')) return [path];
  return [...mulPaths(e.args[0]!, [...path, 0]), ...mulPaths(e.args[1]!, [...path, 1])];
}

/**
 * The factors of a norm's product cut into consecutive segments: a run whose
 * norm is a leaf of the target stays together (longest first), the rest are
 * single factors.
 */
function segment(factors: readonly Expr[], op: string, targets: ReadonlySet<string>): Expr[][] {
  const n = factors.length;
  const good = (a: number, b: number): boolean => {
    if (b - a < 2 || (a === 0 && b === n)) return false;
    const m = mulAll(factors.slice(a, b));
    if (targets.has(template(node(op, [m])))) return true;
    const v = diagonalOf(m);
    return !!v && targets.has(template(node('normMax', [v])));
  };
  const out: Expr[][] = [];
  let i = 0;
  while (i < n) {
    let j = n;
    while (j > i + 1 && !good(i, j)) j--;
    out.push(factors.slice(i, j));
    i = j;
  }
  return out;
}

export { diagonalOf };
