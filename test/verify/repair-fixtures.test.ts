/**
 * Repairs in the fixtures: a refuted claim's fixture carries its ranked
 * repairs (edits, verdict, evidence) and the budget they were searched
 * within; a claim that holds carries none; a changed repair is drift, named
 * by claim and field; and the stored top repairs of known claims are the
 * expected ones.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERIFY_REPAIR_BUDGET } from '../../src/repair/result.js';
import type { ClaimSnapshot, FileSnapshot } from '../../src/verify/snapshot.js';
import { fixtureFor, verify } from '../../src/verify/verify.js';
import { LAB, TOP_REPAIRS } from '../support/top-repairs.js';

const stored = (file: string, id: string): ClaimSnapshot =>
  (JSON.parse(readFileSync(fixtureFor('fixtures', file), 'utf8')) as FileSnapshot).claims[id]!;

describe('repairs in fixtures', () => {
  it.each(TOP_REPAIRS)(
    '%s %s: the stored top repair, its edit, verdict and evidence',
    (file, id, statement, edit, words) => {
      const c = stored(file, id);
      expect(c.verdict).toBe('refuted');
      const top = c.repairs![0]!;
      expect(top.statement).toBe(statement);
      expect(top.edits.map((e) => e.edit)).toEqual([edit]);
      expect(top.words).toBe(words);
      expect(top.verdict).toBe('verified');
      expect(top.evidence.map((e) => e.method)).toContain('symbolic');
      expect(top.latex).toContain('\\textcolor{');
      expect(c.repairSearch).toMatchObject({ status: 'found', budget: VERIFY_REPAIR_BUDGET });
      expect(c.repairSearch!.summary).toMatch(/^\d repairs? holds?: .*; budget 400 screens and 3 full checks/);
    },
  );

  it('a bound: the stored top repair of vanish-by-path-factor is the proved row-sum norm, found within 3 full checks', () => {
    const c = stored('derivations/understanding-lstms-2023-index-level.yaml', 'vanish-by-path-factor');
    expect(c.verdict).toBe('refuted');
    const top = c.repairs![0]!;
    expect(top.statement).toBe('normInf(jac(h[T], h[T-k])) <= prod(l, 0, k-1, normInf(diag(dact(h[T-l]))*U))');
    expect(top.edits).toEqual([
      { edit: 'swap-norm', side: 'rhs', aimed: false, detail: { from: 'normMax', to: 'normInf' } },
    ]);
    expect(top.verdict).toBe('proved');
    expect(top.evidence.map((e) => e.method)).toContain('bound by checked rules');
    expect(c.repairSearch!.work.fullChecks).toBeLessThanOrEqual(VERIFY_REPAIR_BUDGET.fullChecks);
  });

  it('a claim that holds has no repairs in its fixture', () => {
    const c = stored(LAB, 'lab-eq1');
    expect(c.verdict).toBe('verified');
    expect(c).not.toHaveProperty('repairs');
    expect(c).not.toHaveProperty('repairSearch');
  });

  it('verify recomputes the repairs and reports a changed one as drift, by claim and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-repairs-'));
    cpSync('fixtures', dir, { recursive: true });
    const path = fixtureFor(dir, LAB);
    const fixture = JSON.parse(readFileSync(path, 'utf8')) as {
      claims: Record<string, { repairs: { statement: string; verdict: string }[] }>;
    };
    const repair = fixture.claims['lab-eq1-W-for-WT']!.repairs[0]!;
    const real = repair.statement;
    repair.statement = 'grad(L, h[T-k]) = 0';
    writeFileSync(path, JSON.stringify(fixture));
    const report = await verify([LAB], { fixtures: dir, jobs: 0 });
    expect(report.ok).toBe(false);
    expect(report.files[0]!.drifts).toEqual([
      { claim: 'lab-eq1-W-for-WT', path: 'repairs.0.statement', old: 'grad(L, h[T-k]) = 0', now: real },
    ]);
    // The shipped fixture is current: the same file against it does not drift.
    expect((await verify([LAB], { jobs: 0 })).files[0]!.drifts).toEqual([]);
  });
});
