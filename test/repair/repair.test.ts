/**
 * The repair search on shipped refuted claims: the expected top repair (exact
 * statement), its edit in words, its LaTeX with the changed part coloured
 * (golden, and rendered by KaTeX with trust off), budgets as work counters,
 * nothing searched for a claim that holds, and "none within the budget" said
 * when nothing holds.
 */
import katex from 'katex';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { HANG_GUARD } from '../cli/spawn.js';
import type { ClaimResult } from '../../src/check/result.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import {
  editWords,
  repairLatex,
  repairSearchRecord,
  repairSearchSummary,
  repairWords,
} from '../../src/emit/repair-text.js';
import { DEFAULT_OPTIONS } from '../../src/check/check-claim.js';
import { searchRepairs } from '../../src/repair/search.js';
import { formatCheckReport } from '../../src/emit/text-report.js';
import { claimJson } from '../../src/emit/json-report.js';
import type { RepairBudget } from '../../src/repair/result.js';
import { LAB, LSTM2019, RNN2024, TOP_REPAIRS } from '../support/top-repairs.js';

function repaired(file: string, id: string, budget: Partial<RepairBudget> | true = true): ClaimResult {
  const d = loadDerivationFile(file);
  return checkDerivation(d, { claims: [id], instances: 1, repair: budget })[0]!;
}

describe('top repairs of shipped refuted claims', () => {
  const cases = TOP_REPAIRS;
  it.each(cases)('%s %s', (file, id, statement, edit, words) => {
    const r = repaired(file, id);
    expect(r.verdict).toBe('refuted');
    const search = r.repairs!;
    expect(search.status).toBe('found');
    const top = search.repairs[0]!;
    expect(top.statement).toBe(statement);
    expect(top.edits.map((e) => e.edit)).toEqual([edit]);
    expect(repairWords(top)).toBe(words);
    expect(['proved', 'verified']).toContain(top.verdict);
    // The evidence is the full check's: the reference and the symbolic identity.
    expect(top.evidence.map((e) => e.kind)).toContain('symbolic');
  });
});

describe('repair LaTeX', () => {
  it('colours the changed part (golden) and renders in KaTeX with trust off', () => {
    const d = loadDerivationFile(LAB);
    const top = repaired(LAB, 'lab-eq1-W-for-WT').repairs!.repairs[0]!;
    const latex = repairLatex(d, top);
    expect(latex).toBe(
      '\\nabla_{\\mathbf{h}^{[\\tau-k]}} \\mathcal{L} = \\left[ \\prod_{i=1}^{k} \\textcolor{#c0392b}{\\mathbf{W}^{T}} \\operatorname{diag}\\left(1 - \\left(\\mathbf{h}^{[\\tau-k+i]}\\right)^{2}\\right) \\right] \\nabla_{\\mathbf{h}^{[\\tau]}} \\mathcal{L}',
    );
    const html = katex.renderToString(latex, { strict: 'error', throwOnError: true, trust: false, displayMode: true });
    expect(html).toContain('color:#c0392b');
  });

  it('colours a changed derivative node (a held node added) and renders', () => {
    const d = loadDerivationFile(LSTM2019);
    const top = repaired(LSTM2019, 'ds-ds-total').repairs!.repairs[0]!;
    const latex = repairLatex(d, top);
    expect(latex.startsWith('\\textcolor{#c0392b}{')).toBe(true);
    katex.renderToString(latex, { strict: 'error', throwOnError: true, trust: false });
  });
});

describe('edit words', () => {
  it('fills the record template from the detail', () => {
    expect(
      editWords({
        edit: 'shift-index',
        side: 'rhs',
        aimed: false,
        detail: { where: 'the lower bound of the product over i:', new: 't-k+2', old: 't-k+3' },
      }),
    ).toBe('holds with the lower bound of the product over i: t-k+2 in place of t-k+3');
    expect(
      repairWords({
        edits: [
          { edit: 'swap-parameter', side: 'rhs', aimed: false, detail: { from: 'W_i', to: 'W_f' } },
          { edit: 'swap-parameter', side: 'rhs', aimed: false, detail: { from: 'b_i', to: 'b_f' } },
        ],
      }),
    ).toBe('holds with W_f in place of W_i, and with b_f in place of b_i');
  });
});

describe('budgets and outcomes', () => {
  it('respects the work budget and says when nothing holds within it', () => {
    const r = repaired(LAB, 'lab-eq1-W-for-WT', { screens: 3, fullChecks: 0, maxEdits: 1 });
    const s = r.repairs!;
    expect(s.work.screened).toBe(3);
    expect(s.work.fullChecks).toBe(0);
    expect(s.status).toBe('none');
    expect(s.exhausted).toBe(true);
    const d = loadDerivationFile(LAB);
    const text = formatCheckReport({
      claims: [r],
      summary: { total: 1, ok: 1, failed: 0 },
      masterSeed: 20261120,
      derivations: [d],
      errors: [],
    });
    expect(text).toContain('repairs: no repair holds within the budget: 3 candidates screened');
    expect(text).toContain('(budget spent)');
    expect(claimJson(d, r)).toMatchObject({ repairs: [], repairSearch: { status: 'none', exhausted: true } });
  });

  it("screens within one claim's work limit, and counts full checks stopped at it apart from candidates that fail", () => {
    // The check at the default limit; the search at a limit of 4·10⁴ operations (--work-limit): the screens share it and
    // stop where it is spent (the candidate cut short is not counted), and the one survivor's full check passes it.
    const d = loadDerivationFile(LAB);
    const [checked] = checkDerivation(d, { claims: ['lab-eq1-W-for-WT'], instances: 1 });
    const claim = d.claims.find((c) => c.id === 'lab-eq1-W-for-WT')!;
    const search = (workLimit?: number) =>
      searchRepairs(d, claim, checked!, { ...DEFAULT_OPTIONS, instances: 1, ...(workLimit ? { workLimit } : {}) });
    const limited = search(4e4);
    expect(limited).toMatchObject({ status: 'none', exhausted: true, screenWorkLimit: 4e4 });
    expect(limited.work).toMatchObject({ generated: 48, screened: 32, passedScreen: 1, fullChecks: 1, overLimit: 1 });
    // counted, not timed: the same stop on a second run
    expect(search(4e4).work).toEqual(limited.work);
    expect(repairSearchSummary(limited)).toBe(
      "no repair holds within the budget: 32 candidates screened (12 not a claim), 1 passed the screen, 1 checked in full (1 stopped at the work limit); screening stopped at its work limit (4.00e+4 operations, as one claim's check) (budget spent); budget 1000 screens and 6 full checks, up to 2 edits",
    );
    expect(repairSearchRecord(limited)).toMatchObject({ screenWorkLimit: 4e4, work: { overLimit: 1 } });
    // at the default limit every candidate is screened, and the record has neither field (fixtures read as before)
    const full = search();
    expect(full).toMatchObject({ status: 'found', exhausted: false });
    expect(full.work.screened).toBe(48);
    expect(full).not.toHaveProperty('screenWorkLimit');
    expect(full.work).not.toHaveProperty('overLimit');
    expect(Object.keys(repairSearchRecord(full))).toEqual(['status', 'summary', 'budget', 'work', 'exhausted']);
  });

  it.each([
    // the pairs' first candidate cut short: its two edits were counted as tried (editsTried 2 with 24 single edits screened)
    [
      'derivations/lab-10-5-solution.yaml',
      'explosion-read-into-eq2',
      23564,
      { screened: 24, editsTried: 1, failed: 0 },
    ],
    // a full check past its limit left its decimal steps' trail with that error: later full checks failed on it (three
    // full checks now, two past the limit: then the two claims' work the full checks share is spent)
    [
      'derivations/understanding-lstms-2023-index-level.yaml',
      'induction-step-as-written.2',
      1200000,
      { fullChecks: 3, overLimit: 2, failed: 0 },
    ],
  ])("%s %s at a work limit of %d: what a limit stopped is counted as such (a review's)", (file, id, limit, work) => {
    const d = loadDerivationFile(file);
    const [checked] = checkDerivation(d, { claims: [id], instances: 1 });
    const claim = d.claims.find((c) => c.id === id)!;
    const s = searchRepairs(d, claim, checked!, { ...DEFAULT_OPTIONS, instances: 1, workLimit: limit });
    expect(s).toMatchObject({ status: 'none', exhausted: true, screenWorkLimit: limit, work });
  });

  it('is deterministic: the same repairs and the same work on a second run', () => {
    const a = repaired(RNN2024, 'eq4-closed-ascending').repairs!;
    const b = repaired(RNN2024, 'eq4-closed-ascending').repairs!;
    expect(b.work).toEqual(a.work);
    expect(b.repairs.map((r) => r.statement)).toEqual(a.repairs.map((r) => r.statement));
  });

  it('proposes nothing for a claim that holds', () => {
    const r = repaired(LAB, 'lab-eq1');
    expect(r.verdict).toBe('verified');
    expect(r.repairs).toBeUndefined();
    expect(claimJson(loadDerivationFile(LAB), r)).not.toHaveProperty('repairs');
  });

  it('puts repairs into --json with the claim, edits in words, verdict and evidence', () => {
    const d = loadDerivationFile(LAB);
    const json = claimJson(d, repaired(LAB, 'lab-eq1-W-for-WT')) as { repairs: Record<string, unknown>[] };
    expect(json.repairs[0]).toMatchObject({
      claim: "grad(L, h[T-k]) = prod(i, 1, k, W'*diag(1 - h[T-k+i].^2))*grad(L, h[T])",
      edits: [{ edit: 'add-transpose', side: 'rhs', words: 'holds with W transposed' }],
      verdict: 'verified',
    });
    expect((json.repairs[0]!.evidence as { method: string }[]).length).toBeGreaterThan(2);
  });
});

describe('check --repair on the command line', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      ...HANG_GUARD,
    });

  it('adds repairs to the refuted claim in --json', () => {
    const r = run('check', LAB, '--claim', 'lab-eq1-W-for-WT', '--instances', '1', '--repair', '--json');
    expect(r.status).toBe(0);
    const claim = (JSON.parse(r.stdout) as { claims: Record<string, unknown>[] }).claims[0]!;
    expect(claim).toMatchObject({
      verdict: 'refuted',
      repairs: [{ edits: [{ edit: 'add-transpose' }], verdict: 'verified' }],
      repairSearch: { status: 'found', budget: { screens: 1000, fullChecks: 6, maxEdits: 2 } },
    });
  });

  it('refuses a bad budget or a budget without --repair (exit 2, one line)', () => {
    const bad = run('check', LAB, '--repair', '--repair-edits', '3');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("gradproof: --repair-edits takes an integer from 1 to 2, got '3'");
    const orphan = run('check', LAB, '--repair-checks', '2');
    expect(orphan.status).toBe(2);
    expect(orphan.stderr).toContain('need --repair');
  });
});

describe('repairs a review of the model zoo asked for', () => {
  it("holds a node of the derivative's own sequence: ∂h[T]/∂C[T−1] with h[T−1] held (it tried other sequences only)", () => {
    const r = repaired('test/fixtures/zoo/cifg-lstm.yaml', 'h-from-Cprev');
    const top = r.repairs!.repairs[0]!;
    expect(top.statement).toBe('partial(h[T], C[T-1], h[T-1]) = diag(o[T] .* (1 - tanh(C[T]).^2) .* f[T])');
    expect(top.edits.map((e) => e.edit)).toEqual(['hold-node']);
    expect(top.verdict).toBe('verified');
  });

  it.each([
    [
      'leaky-scalar.yaml',
      'wrong-broadcast',
      'scalar-to-identity',
      "grad(L, h[T-k]) = prod(i, 1, k, (1 - al)*eye(d) + al*W'*diag(1 - u[T-k+i].^2))*grad(L, h[T])",
    ],
    [
      'leaky-scalar.yaml',
      'wrong-sign',
      'swap-difference',
      "grad(L, al) = sum(t, 1, T, (u[t] - h[t-1])'*grad(L, h[t]))",
    ],
    ['mse-head.yaml', 'wrong-sign', 'swap-difference', 'grad(L, by) = sum(t, 1, T, o[t] - y[t])'],
  ])("a sum's term: %s %s repaired by %s (no sign or identity edit existed)", (file, id, edit, statement) => {
    const r = repaired(`test/fixtures/zoo/${file}`, id);
    expect(r.verdict).toBe('refuted');
    const top = r.repairs!.repairs[0]!;
    expect(top.statement).toBe(statement);
    expect(top.edits.map((e) => e.edit)).toEqual([edit]);
    expect(['verified', 'consistent']).toContain(top.verdict);
  });

  it.each([
    ['drop-diag-rec', "grad(L, h[t]) = W'*diag(1 - h[t+1].^2)*grad(L, h[t+1])"],
    ['drop-diag-prod', "grad(L, h[T-k]) = prod(i, 1, k, W'*diag(1 - h[T-k+i].^2))*grad(L, h[T])"],
    // the closed form's entrywise (1 − h[s]²) ⊙ …, as a diag under the claim's sum over t
    ['db-missing-diag', 'grad(L, b) = sum(t, 1, T, diag(1 - h[t].^2)*grad(L, h[t]))'],
  ])(
    "%s: the closed form's factor at its range's first index, or under the claim's own binder, is inserted",
    (id, statement) => {
      // ∏_{i=1}^{T−t} Wᵀ diag(1 − h[t+i]²) gives diag(1 − h[t+1]²); Σ_s diag(1 − h[s]²)·∇_{h[s]}L gives diag(1 − h[t]²)
      // inside the claim's sum over t — neither was proposed until 2026-12-05 (the factors read a range's binder)
      const r = repaired('test/fixtures/models/repair-tautology.yaml', id);
      const found = r.repairs!.repairs.find((rep) => rep.statement === statement);
      expect(found, r.repairs!.repairs.map((rep) => rep.statement).join('\n')).toBeDefined();
      expect(found!.edits.map((e) => e.edit)).toEqual(['insert-factor']);
      expect(found!.verdict).toBe('verified');
    },
  );

  it('never offers the same text on both sides (grad(L, h[t]) = grad(L, h[t]) was a "verified" repair)', () => {
    const r = repaired('test/fixtures/models/repair-tautology.yaml', 'drop-diag-rec');
    expect(r.verdict).toBe('refuted');
    for (const rep of r.repairs!.repairs) {
      const [lhs, rhs] = rep.statement.split(/ (?:=|<=|>=) /);
      expect(lhs).not.toBe(rhs);
    }
    expect(r.repairs!.repairs.map((rep) => rep.statement)).not.toContain('grad(L, h[t]) = grad(L, h[t])');
  });
});

describe('a repair that holds only through an empty range', () => {
  // the lab's RNN from T = 1: the second sum runs from T down to 1, a term at T = 1 only (false there)
  const lab = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
  const model = lab.slice(0, lab.indexOf('claims:')).replace('T: 3..9', 'T: 1..6');
  const d = parseDerivation(
    `${model}claims:\n  - id: c\n    claim: grad(L, h[T]) = c + h[T] + sum(t, T, 1, c)\n`,
    'vacuous.yaml',
  );

  it('is not offered (sum(t, T+1, 1, …) was, as verified, its empty-range warning dropped), and the search says so', () => {
    const [r] = checkDerivation(d, { instances: 1, repair: true });
    expect(r!.verdict).toBe('refuted');
    const search = r!.repairs!;
    expect(search.work.vacuous).toBeGreaterThan(0);
    expect(search.repairs.map((x) => x.statement).filter((s) => /sum\(t, T\+1, 1|sum\(t, T, 0/.test(s))).toEqual([]);
    expect(repairSearchSummary(search)).toMatch(
      /\d+ held only through a sum or product empty at every binding, not offered/,
    );
  });
});

describe('a claim under assume:', () => {
  it("is screened on its own model: the one-edit repair passes the screen (none did on the file's model)", () => {
    // the zoo's residual RNN (h = h_prev + tanh(…)), the claim about the plain tanh RNN it assumes instead
    const residual = readFileSync('test/fixtures/zoo/residual-rnn.yaml', 'utf8');
    const d = parseDerivation(
      `${residual.slice(0, residual.indexOf('claims:'))}claims:
  - id: c
    claim: "grad(L, h[T-1]) = W * diag(1 - h[T].^2) * grad(L, h[T])"
    assume: { equations: ["h[t] = tanh(W*h[t-1] + U*x[t] + b + 1)"] }
`,
      'assumed.yaml',
    );
    const [r] = checkDerivation(d, { instances: 1, repair: true });
    expect(r!.verdict).toBe('refuted');
    expect(r!.repairs!.status).toBe('found');
    expect(r!.repairs!.repairs[0]!.statement).toBe("grad(L, h[T-1]) = W'*diag(1 - h[T].^2)*grad(L, h[T])");
    expect(repairWords(r!.repairs!.repairs[0]!)).toBe('holds with W transposed');
  });
});
