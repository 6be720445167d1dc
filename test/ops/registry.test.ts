/**
 * The operator registry as a whole: every record is complete, every spelling
 * parses back to what printed it, every operator that may stand in a model
 * equation has a kernel whose tangent, adjoint and finite differences agree,
 * and the exact rules agree with the numeric ones on real instances.
 */
import fc from 'fast-check';
import katex from 'katex';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { claimLatex } from '../../src/emit/claim-latex.js';
import { type Expr, walk } from '../../src/ir/expr.js';
import { parseExpression, type Scope } from '../../src/ir/parse-math.js';
import { printExpr } from '../../src/ir/print.js';
import { allOps, opSpec } from '../../src/ops/index.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { centralRichardson, defaultStep } from '../../src/numeric/finite-diff.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { dot, norm2 } from '../../src/numeric/linalg.js';
import { Rng } from '../../src/numeric/prng.js';
import { asDense } from '../../src/numeric/values.js';
import { bindings } from '../../src/check/bindings.js';
import { PolyEvaluator } from '../../src/symbolic/domains/polynomial.js';
import type { CPoly } from '../../src/symbolic/cpoly.js';
import { atomsOf, atomText } from '../../src/symbolic/monomials.js';
import type { Derivation } from '../../src/derivation/derivation.js';

const shipped = readdirSync('derivations')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => loadDerivationFile(`derivations/${f}`));

function scopeOf(d: Derivation, indexVars: readonly string[]): Scope {
  const syms = [...d.model.symbols.values()];
  return {
    sequences: new Set(syms.filter((s) => s.role !== 'parameter').map((s) => s.name)),
    parameters: new Set(syms.filter((s) => s.role === 'parameter').map((s) => s.name)),
    loss: d.model.loss?.name ?? null,
    indexVars: new Set(indexVars),
    realVars: new Set(),
    functions: new Set(d.model.functions.keys()),
  };
}

describe('every record', () => {
  it('names its domain, is spelled some way, and says where it may appear', () => {
    for (const spec of allOps()) {
      expect(spec.domain, spec.id).toMatch(/^[a-z-]+$/);
      expect(spec.syntax.usage.length, spec.id).toBeGreaterThan(0);
      // A record allowed in a model equation or a loss must compile to a kernel.
      if (spec.placement.equation || spec.placement.loss) expect(typeof spec.compile, spec.id).toBe('function');
    }
  });

  it('call spellings are unambiguous: one record per name and arity', () => {
    const seen = new Map<string, string>();
    for (const spec of allOps())
      for (const name of spec.syntax.call ?? []) {
        const key = `${name}/${spec.syntax.variadic ? 'n' : (spec.syntax.args?.length ?? 1)}`;
        expect(seen.get(key), `${key}: ${spec.id}`).toBeUndefined();
        seen.set(key, spec.id);
      }
  });

  it('every operator the shipped derivations use is a registered record', () => {
    const used = new Set<string>();
    for (const d of shipped)
      for (const c of d.claims) for (const side of [c.lhs, c.rhs]) walk(side, (e) => e.kind === 'op' && used.add(e.op));
    for (const id of used) expect(() => opSpec(id), id).not.toThrow();
    expect(used.size).toBeGreaterThan(20);
  });
});

describe('printing and parsing', () => {
  it('each shipped claim side prints to text that parses back to the same print (a fixed point)', () => {
    let count = 0;
    for (const d of shipped)
      for (const c of d.claims) {
        const names = [...Object.keys(d.model.sizes), ...c.forall.map((q) => q.name)];
        for (const side of [c.lhs, c.rhs]) {
          const text = printExpr(side);
          const again = parseExpression(text, { ...scopeOf(d, names), macros: new Map() }).expr;
          expect(printExpr(again), `${c.id}: ${text}`).toBe(text);
          count++;
        }
      }
    expect(count).toBeGreaterThan(250);
  });

  it("each shipped claim's LaTeX renders in KaTeX with strict mode on", () => {
    for (const d of shipped)
      for (const c of d.claims)
        katex.renderToString(claimLatex(d, c), {
          strict: 'error',
          throwOnError: true,
          trust: false,
          displayMode: true,
        });
  });
});

/**
 * A model that uses every operator allowed in an equation, so each kernel's
 * forward, tangent and adjoint rules meet: the loss's gradient with respect
 * to the initial state by adjoints, by tangents (each direction), and by
 * finite differences.
 */
const KERNELS = `gradproof: 1
model:
  sizes: { d: 3, m: 2, T: 4 }
  symbols:
    W: { role: parameter, shape: [d, d], init: recurrent }
    U: { role: parameter, shape: [d, m] }
    V: { role: parameter, shape: [d, d+m] }
    b: { role: parameter, shape: [d] }
    x: { role: input, shape: [m] }
    u: { role: intermediate, shape: [d] }
    v: { role: intermediate, shape: [d] }
    w: { role: intermediate, shape: [d] }
    h: { role: state, shape: [d] }
  equations:
    - u[t] = sigmoid(W*h[t-1] + U*x[t]) .* exp(-0.5 * h[t-1]) / 2
    - v[t] = diag(u[t]) * h[t-1] - h[t-1] .^ 3 + sum(u[t])^2 * b + (h[t-1]' * h[t-1]) * (diag(b) * u[t])
    - w[t] = softmax(sqrt(1 + u[t] .* u[t]) ./ (2 + abs(v[t]))) * logsumexp(h[t-1]) + W^2 * h[t-1] + (eye(d) + zeros(d, d)) * zeros(d) + zeros(d) .* ones(d) + 0.5 * eye(d) * h[t-1] + 0.2 * max(v[t], min(u[t], 0.5)) + 0.1 * step(u[t] - 0.3) .* h[t-1]
    - h[t] = tanh(V * [v[t]; x[t]] + log(1 + u[t] .* u[t]) + w[t]) + identity(abs(v[t]) .* 0.1) + trace(diag(u[t]) * W) * b
  loss: L = sum(t, 1, T, sum(h[t] .* b)) + prod(t, 1, 2, sum(h[t]))
claims:
  - id: any
    claim: h[T] = h[T]
    expect: verified
`;

describe('kernels of the operators a model may use', () => {
  const d = parseDerivation(KERNELS, 'kernels.yaml');

  it('the kernel model uses every operator that has a kernel', () => {
    const used = new Set<string>();
    for (const eq of d.model.equations) walk(eq.rhs, (e) => e.kind === 'op' && used.add(e.op));
    walk(d.model.loss!.rhs, (e) => e.kind === 'op' && used.add(e.op));
    const withKernels = allOps()
      .filter((s) => s.compile && s.id !== 'ufn')
      .map((s) => s.id);
    expect(withKernels.filter((id) => !used.has(id))).toEqual([]);
  });

  it('adjoints, dual-number tangents and finite differences agree on ∂L/∂h₀ (each kernel rule in play)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (index) => {
        const inst = buildInstance(d.model, instanceSpec(d.model, 3, index));
        const g = inst.graph;
        const h0 = { name: 'h', time: 0 };
        const loss = { name: 'L', time: null };
        const grad = g.adjoints(loss, Float64Array.of(1), new Set())(h0)!;
        const rng = new Rng(index);
        const u = rng.fillNormal(new Float64Array(3));
        const tangent = g.tangents(h0, u, new Set())(loss)![0]!;
        expect(Math.abs(dot(grad, u) - tangent)).toBeLessThan(1e-10 * Math.max(1, Math.abs(tangent)));
        const x = g.value(h0);
        const fd = centralRichardson(
          (eps) =>
            g.perturbed(
              h0,
              x.map((xi, i) => xi + eps * u[i]!),
              new Set(),
              loss,
            ),
          defaultStep(1),
        );
        expect(Math.abs(fd.estimate[0]! - tangent)).toBeLessThan(1e-6 * Math.max(1, norm2(grad) * norm2(u)));
      }),
      { numRuns: 12 },
    );
  });
});

/** The exact rules agree with the numeric ones: a unit-level polynomial, evaluated at an instance's values, is the number. */
describe('exact rules against numeric ones', () => {
  const post = loadDerivationFile('derivations/understanding-lstms-2023-index-level.yaml');
  const ids = ['recurrence-w', 'second-step-h-w', 'closed-form-w', 'closed-form-u', 'path-sum-as-matrix-product'];

  it.each(ids)(
    '%s: the polynomial of each side, evaluated at the atoms of an instance, equals its numeric value',
    (id) => {
      const claim = post.claims.find((c) => c.id === id);
      if (!claim) throw new Error(`no claim ${id} in the 2023 derivation`);
      const sizes = { d: 2, n: 2, m: 1, T: 3 };
      const inst = buildInstance(post.model, instanceSpec(post.model, 5, 1, undefined, sizes));
      const ev = new Evaluator(inst.graph, inst.sizes);
      const pe = new PolyEvaluator(post.model, inst.sizes);
      const atom = (name: string): number => {
        const param = /^([A-Za-z_][A-Za-z0-9_]*)\[(\d+)(?:,(\d+))?\]$/.exec(name);
        const unit = /^(dact\()?([A-Za-z_][A-Za-z0-9_]*)\[(\d+),(\d+)\]\)?$/.exec(name);
        if (unit && post.model.symbols.get(unit[2]!)?.role !== 'parameter') {
          const [t, a] = [Number(unit[3]), Number(unit[4])];
          const v = unit[1]
            ? inst.graph.activationDerivative(unit[2]!, t)!
            : inst.graph.value({ name: unit[2]!, time: t });
          return v[a - 1]!;
        }
        if (param) {
          const [, cols] = inst.graph.dims(param[1]!);
          return inst.graph.data.params.get(param[1]!)![(Number(param[2]) - 1) * cols + Number(param[3] ?? 1) - 1]!;
        }
        throw new Error(`unexpected atom ${name}`);
      };
      const numberOf = (poly: CPoly): number => {
        let total = 0;
        for (const [mono, c] of poly) total += c * atomsOf(mono).reduce((p, a) => p * atom(atomText(a)), 1);
        return total;
      };
      let compared = 0;
      for (const b of bindings(claim, inst.sizes)) {
        for (const side of [claim.lhs, claim.rhs] as Expr[]) {
          const exact = pe.evaluate(side, b);
          const numeric = asDense(ev.evaluate(side, b)).data;
          exact.data.forEach((p, k) => expect(numberOf(p)).toBeCloseTo(numeric[k]!, 10));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(4);
    },
  );
});
