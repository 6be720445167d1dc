/**
 * The symbolic engine: closed forms derived from the model files, their
 * LaTeX (golden, and KaTeX-strict), their agreement with the numeric
 * reference, and identity tests that reject each typical error.
 */
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { symbolicCheck } from '../../src/check/symbolic-check.js';
import type { Claim, Derivation } from '../../src/derivation/derivation.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { latexWriterFor } from '../../src/emit/derive-report.js';
import { printExpr } from '../../src/ir/print.js';
import { Evaluator } from '../../src/numeric/evaluate.js';
import { buildInstance, instanceSpec } from '../../src/numeric/instance.js';
import { relErr } from '../../src/numeric/linalg.js';
import { asDense } from '../../src/numeric/values.js';
import { Canonicalizer, samePoly } from '../../src/symbolic/canonical.js';
import { SymbolicModel, substituteDerivations } from '../../src/symbolic/derive.js';
import { randomIdentity } from '../../src/symbolic/domains/modular.js';
import { opSpec } from '../../src/ops/index.js';
import { deriveQuantities } from '../../src/symbolic/quantities.js';
import { confirmDerivativeRule } from '../../src/symbolic/scalar-algebra.js';
import { readFileSync } from 'node:fs';
import { checkDerivation } from '../../src/check/check.js';

const FILES = [
  'lab-10-5-vanilla-rnn',
  'how-does-lstm-avoid-gradient-explosion-2024-rnn',
  'how-does-lstm-avoid-gradient-explosion-2024-lstm',
];
const load = (f: string) => loadDerivationFile(`derivations/${f}.yaml`);
const lab = load('lab-10-5-vanilla-rnn');
const lstm = load('how-does-lstm-avoid-gradient-explosion-2024-lstm');
const kangx = load('how-does-lstm-avoid-gradient-explosion-2024-rnn');

const renders = (tex: string) =>
  katex.renderToString(tex, { strict: 'error', throwOnError: true, trust: false, displayMode: true });

function latexOf(d: Derivation, quantity: string): string {
  const [q] = deriveQuantities(d, quantity, null);
  return latexWriterFor(d).relation(q!.quantity, '=', q!.derived!);
}

describe('golden LaTeX of derived forms', () => {
  it("the lab's eq. (1): order, transposes and diag index as the lab writes them", () => {
    expect(latexOf(lab, 'grad(L, h[T-k])')).toBe(
      '\\nabla_{\\mathbf{h}^{[\\tau-k]}} \\mathcal{L} = \\left[ \\prod_{i=1}^{k} \\mathbf{W}^{T} \\operatorname{diag}\\left(1 - \\left(\\mathbf{h}^{[\\tau-k+i]}\\right)^{2}\\right) \\right] \\nabla_{\\mathbf{h}^{[\\tau]}} \\mathcal{L}',
    );
  });
  it('the RNN one-step Jacobian', () => {
    expect(latexOf(lab, 'jac(h[t], h[t-1])')).toBe(
      '\\frac{\\partial \\mathbf{h}^{[t]}}{\\partial \\mathbf{h}^{[t-1]}} = \\operatorname{diag}\\left(1 - \\left(\\mathbf{h}^{[t]}\\right)^{2}\\right) \\mathbf{W}',
    );
  });
  it("the 2024 post's k-step product, in its h^{(t)} notation", () => {
    expect(latexOf(kangx, 'jac(h[t], h[t-k])')).toBe(
      '\\frac{\\partial h^{(t)}}{\\partial h^{(t-k)}} = \\prod_{i=1}^{k} \\operatorname{diag}\\left(1 - \\left(h^{(t-i+1)}\\right)^{2}\\right) W',
    );
  });
  it('the LSTM cell path with h held fixed', () => {
    expect(latexOf(lstm, 'partial(C[t], C[t-1], h[t-1])')).toBe(
      '\\left.\\frac{\\partial C_{t}}{\\partial C_{t-1}}\\right|_{h_{t-1}} = \\operatorname{diag}\\left(f_{t}\\right)',
    );
  });
  it('the total LSTM one-step ∂C_t/∂C_{t−1} names the weight blocks and σ′ = σ(1 − σ)', () => {
    const tex = latexOf(lstm, 'jac(C[t], C[t-1])');
    expect(tex).toContain('\\left[W_{f}\\right]_{h}');
    expect(tex).toContain('\\operatorname{diag}\\left(f_{t} \\odot \\left(1 - f_{t}\\right)\\right)');
    expect(tex).toContain('\\operatorname{diag}\\left(f_{t}\\right)');
  });
});

describe('every emitted LaTeX string renders in KaTeX with strict on', () => {
  for (const f of FILES) {
    it(f, () => {
      const d = load(f);
      const w = latexWriterFor(d);
      for (const q of deriveQuantities(d, null, null)) if (q.derived) renders(w.relation(q.quantity, '=', q.derived));
      for (const c of d.claims) renders(w.relation(c.lhs, c.relation, c.rhs));
    });
  }
});

describe('derived closed forms equal the numeric reference', () => {
  for (const f of FILES) {
    it(f, () => {
      const d = load(f);
      let compared = 0;
      for (const index of [0, 1, 2, 3]) {
        const spec = instanceSpec(d.model, 99, index, undefined, { T: 6 });
        const ev = new Evaluator(buildInstance(d.model, spec).graph, spec.sizes);
        for (const q of deriveQuantities(d, null, null)) {
          if (!q.derived) continue;
          const env = { t: 4, k: 3 };
          const a = asDense(ev.evaluate(q.quantity, env)).data;
          const b = asDense(ev.evaluate(q.derived, env)).data;
          expect(relErr(a, b), `${q.label} on instance ${index}`).toBeLessThan(1e-12);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(3);
    });
  }
});

describe('identity testing', () => {
  const variant = (claim: string): Claim => {
    const text = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8').replace(
      "claim: grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])",
      `claim: ${claim}`,
    );
    return parseDerivation(text, 'variant.yaml').claims[0]!;
  };
  const outcome = (claim: string) => {
    const c = variant(claim);
    const d = { ...lab, claims: [c] };
    return symbolicCheck(d, c, 1)!.outcome;
  };

  it('accepts eq. (1) as written, for every T up to 12 and every k', () => {
    const o = outcome("grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])");
    expect(o).toMatchObject({ status: 'identical', cases: 75 });
  });
  it.each([
    ['reversed order', "grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-i+1].^2)) * grad(L, h[T])", { k: 2 }],
    ['missing transpose', 'grad(L, h[T-k]) = prod(i, 1, k, W * diag(1 - h[T-k+i].^2)) * grad(L, h[T])', { k: 1 }],
    ['index shifted by one', "grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i-1].^2)) * grad(L, h[T])", { k: 1 }],
    ['dropped diag factor', "grad(L, h[T-k]) = prod(i, 1, k, W') * grad(L, h[T])", { k: 1 }],
  ])('rejects %s', (_name, claim, at) => {
    const o = outcome(claim);
    expect(o.status).toBe('different');
    if (o.status === 'different') expect(o.at).toMatchObject({ T: 3, ...at });
  });

  it('canonical forms: diagonals commute, elementwise products commute, (AB)ᵀ = BᵀAᵀ, polynomial entries expand', () => {
    const sm = new SymbolicModel(lab.model);
    const cz = new Canonicalizer(sm);
    const env = { T: 5, d: 3, m: 2, k: 1 };
    const parseExpr = (text: string) =>
      parseDerivation(
        readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8').replace(
          'claim: norm2(jac(h[T], h[T-k])) <= norm2(W)^k * supabs(x, 1 - tanh(x)^2)^k',
          `claim: ${text}`,
        ),
        'x.yaml',
      ).claims[2]!;
    const same = (a: string, b: string) => {
      const c = parseExpr(`${a} = ${b}`);
      return samePoly(cz.expand(c.lhs, env), cz.expand(c.rhs, env));
    };
    expect(same('diag(h[T]) * diag(h[T-1]) * W', 'diag(h[T-1]) * diag(h[T]) * W')).toBe(true);
    expect(same('h[T] .* h[T-1]', 'h[T-1] .* h[T]')).toBe(true);
    expect(same("(W * diag(h[T]))'", "diag(h[T]) * W'")).toBe(true);
    expect(same('diag((1 - h[T]) .* (1 + h[T]))', 'diag(1 - h[T].^2)')).toBe(true);
    expect(same('W * diag(h[T])', 'diag(h[T]) * W')).toBe(false);
    expect(same("W'", 'W')).toBe(false);
  });

  it('the randomized test in ℤ_p agrees with the exact one, including at large T', () => {
    const sm = new SymbolicModel(lab.model);
    const good = lab.claims[0]!;
    const [l, r] = [substituteDerivations(good.lhs, sm), substituteDerivations(good.rhs, sm)];
    const sizes = { d: 3, m: 2 };
    expect(randomIdentity(sm, l, r, { T: 200, k: 200 }, sizes, 5)).toBe(true);
    const bad = variant("grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-i+1].^2)) * grad(L, h[T])");
    expect(randomIdentity(sm, l, substituteDerivations(bad.rhs, sm), { T: 200, k: 200 }, sizes, 5)).toBe(false);
    expect(printExpr(l)).toContain('prod(i, 1, k');
  });
});

describe('scalar algebra (nerdamer, cross-checked)', () => {
  it.each(['tanh', 'sigma', 'exp', 'log'] as const)('nerdamer agrees with the engine rule for %s′', (fn) => {
    const act = opSpec(fn).activation!;
    const rule = act.rule({ kind: 'op', op: fn, args: [], ints: [], units: [], binder: null, name: null }, () => {
      throw new Error('built-in');
    });
    expect(confirmDerivativeRule(fn, act.reference, rule, fn === 'log')).toBeTruthy();
  });
});

describe('parameter gradients and the held cell path', () => {
  const cases: [Derivation, string, Record<string, number>][] = [
    [lab, 'grad(L, W)', {}],
    [lab, 'grad(L, U)', {}],
    [lab, 'grad(L, b)', {}],
    [lstm, 'partial(C[t], C[t-k], h)', { t: 5, k: 3 }],
    [lstm, 'grad(L, W_f)', {}],
  ];
  it.each(cases.map(([d, q, env]) => [d.file, q, d, env] as const))(
    '%s: %s equals the reference and renders',
    (_file, quantity, d, env) => {
      const [q] = deriveQuantities(d, quantity, null);
      expect(q!.derived, q!.problem ?? '').not.toBeNull();
      renders(latexWriterFor(d).relation(q!.quantity, '=', q!.derived!));
      for (const index of [0, 2]) {
        const spec = instanceSpec(d.model, 5, index, undefined, { T: 6 });
        const ev = new Evaluator(buildInstance(d.model, spec).graph, spec.sizes);
        const a = asDense(ev.evaluate(q!.quantity, env)).data;
        const b = asDense(ev.evaluate(q!.derived!, env)).data;
        expect(relErr(a, b)).toBeLessThan(1e-12);
      }
    },
  );

  it('∂C_t/∂C_{t−k} with h held at every step collapses to diag(⊙ f)', () => {
    expect(printExpr(deriveQuantities(lstm, 'partial(C[t], C[t-k], h)', null)[0]!.derived!)).toBe(
      'diag(hprod(i, 1, k, f[t-i+1]))',
    );
    expect(printExpr(deriveQuantities(lstm, 'partial(C[t], C[t-k], h)', { k: 3 })[0]!.unrolled!)).toBe(
      'diag(f[t] .* f[t-1] .* f[t-2])',
    );
  });
});

describe('a scalar times the seed keeps its identity (c·I, not c)', () => {
  // The Jacobian of g = 2·h[t-1] came out as `2`: a sum or an entrywise comparison then spread it over every entry.
  // The false `jac(g[k], h[k-1]) = 2 * ones(d, d)` was consistent, the true `((1 + 1e-10) - 1) * jac(g[k], h[k-1]) =
  // 2e-10 * eye(d)` refuted (a review found it), in extended precision and in float64's reference alike.
  const source = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
  const model = (rhs: string) =>
    source
      .slice(0, source.indexOf('claims:'))
      .replace(
        '    h: { role: state, shape: [d] }\n',
        '    h: { role: state, shape: [d] }\n    g: { role: intermediate, shape: [d] }\n',
      )
      .replace(
        '    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n',
        `    - h[t] = tanh(W*h[t-1] + U*x[t] + b)\n    - g[t] = ${rhs}\n`,
      );
  const verdicts = (rhs: string, claims: readonly string[]) =>
    checkDerivation(
      parseDerivation(
        `${model(rhs)}claims:\n${claims.map((c, i) => `  - id: c${i}\n    claim: ${c}\n    forall: k in 1..T\n`).join('')}`,
        'scaled.yaml',
      ),
      {},
    ).map((r) => r.verdict);

  it('the derived form', () => {
    const d = parseDerivation(`${model('2 * h[t-1]')}claims: []\n`, 'scaled.yaml');
    expect(printExpr(deriveQuantities(d, 'jac(g[t], h[t-1])', null)[0]!.derived!)).toBe('2*eye(d)');
  });

  it.each(['2 * h[t-1]', 'h[t-1] .* 2', '2 .* h[t-1] + W * h[t-1]', 'h[t-1] ./ 0.5', 'h[t-1] ./ 0.5 + W * h[t-1]'])(
    'g[t] = %s',
    (rhs) => {
      const sum = rhs.includes('W') ? ' - W' : '';
      expect(
        verdicts(rhs, [
          `jac(g[k], h[k-1])${sum} = 2 * ones(d, d)`,
          `((1 + 1e-10) - 1) * (jac(g[k], h[k-1])${sum}) = 2e-10 * eye(d)`,
          `jac(g[k], h[k-1]) + eye(d) = 3 * eye(d)${sum ? ' + W' : ''}`,
        ]),
      ).toEqual(['refuted', 'consistent', 'verified']);
    },
  );

  it("a vector times a varying scalar: the column times the scalar's row, not diag(column) times it", () => {
    // g = h ⊙ sum(h): J = sum(h)·I + h·1ᵀ (was a shape mismatch thrown from the check); g = h ⊘ (2 + ‖h‖²) likewise
    expect(
      verdicts('h[t-1] .* sum(h[t-1])', [
        'jac(g[k], h[k-1]) = sum(h[k-1]) * eye(d) + h[k-1] * ones(1, d)',
        "jac(g[k], h[k-1]) = sum(h[k-1]) * eye(d) + ones(d, 1) * h[k-1]'",
      ]),
    ).toEqual(['verified', 'refuted']);
    // the same product written with * (a scalar times a vector, both varying): the product rule, as .* has it (the
    // symbolic stage refused it, "both factors … depend on the seed": consistent, not verified)
    expect(
      verdicts('sum(h[t-1]) * h[t-1]', [
        'jac(g[k], h[k-1]) = sum(h[k-1]) * eye(d) + h[k-1] * ones(1, d)',
        "jac(g[k], h[k-1]) = sum(h[k-1]) * eye(d) + ones(d, 1) * h[k-1]'",
        'jac(g[k], h[k-1]) = sum(h[k-1]) * eye(d)',
      ]),
    ).toEqual(['verified', 'refuted', 'refuted']);
    // a matrix (or a row) times a varying scalar has no Jacobian of entries here (vec(M) would be its rows): the
    // derived form came out d × d, and the true claim below was refuted, with .* before 2026-12-05 and with * by the
    // first version of the product rule (a review found both); now the symbolic stage leaves it, and it is consistent
    for (const product of ['q[t] * M[t]', 'q[t] .* M[t]']) {
      const matrixModel = model('h[t-1]')
        .replace('    g: {', '    u: { role: input, shape: [] }\n    q: { role: intermediate, shape: [] }\n    g: {')
        .replace(
          '    g: { role: intermediate, shape: [d] }\n',
          '    g: { role: intermediate, shape: [d] }\n    M: { role: intermediate, shape: [d, d] }\n' +
            '    N: { role: intermediate, shape: [d, d] }\n    s: { role: intermediate, shape: [] }\n',
        )
        .replace(
          '    - g[t] = h[t-1]\n',
          `    - g[t] = h[t-1]\n    - q[t] = sum(h[t-1]) + u[t]\n    - M[t] = ones(d, d) .* q[t]\n` +
            `    - N[t] = ${product}\n    - s[t] = sum(N[t])\n`,
        );
      expect(matrixModel).toContain(`N[t] = ${product}`);
      const [r] = checkDerivation(
        parseDerivation(
          `${matrixModel}claims:\n  - id: c\n    claim: jac(s[k], u[k]) = 2*d^2*q[k]\n    forall: k in 1..T\n`,
          'matrix.yaml',
        ),
        {},
      );
      expect(r!.verdict).toBe('consistent');
    }
    const d = parseDerivation(`${model('sum(h[t-1]) * (h[t-1] .^ 2)')}claims: []\n`, 'product.yaml');
    expect(printExpr(deriveQuantities(d, 'jac(g[t], h[t-1])', null)[0]!.derived!)).toBe(
      "h[t-1].^2*ones(d)'*eye(d) + sum(h[t-1])*diag(2*h[t-1])",
    );
    expect(
      verdicts('h[t-1] ./ (2 + sum(h[t-1] .^ 2))', [
        "jac(g[k], h[k-1]) = eye(d) / (2 + sum(h[k-1] .^ 2)) - (2 / (2 + sum(h[k-1] .^ 2))^2) * h[k-1] * h[k-1]'",
      ]),
    ).toEqual(['consistent']);
  });
});
