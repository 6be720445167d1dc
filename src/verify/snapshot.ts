/**
 * Golden snapshots of a derivation: what `verify` stores in fixtures/ and
 * compares against — per claim its verdict and expectation, the evidence
 * (method and summary), the counterexample with its numbers rounded to six
 * significant digits, the proof's rules, and the claim's LaTeX; per file the
 * LaTeX of the derived one-step closed forms.
 */
import { checkDerivation, type CheckRequest, type InstancePool } from '../check/check.js';
import type { ClaimResult } from '../check/result.js';
import type { Derivation } from '../derivation/derivation.js';
import { latexWriterFor } from '../emit/derive-report.js';
import { claimLatex } from '../emit/claim-latex.js';
import { beyondRegimesText, evidenceMethod, evidenceSummary } from '../emit/evidence-text.js';
import { ruleName } from '../emit/proof-text.js';
import { deriveQuantities } from '../symbolic/quantities.js';
import { own } from '../ir/names.js';
import type { EditDetail } from '../repair/edits.js';
import type { RepairSearch } from '../repair/result.js';
import type { Task, TaskValue } from './pool.js';
import { repairLatex, repairSearchRecord, repairWords } from '../emit/repair-text.js';

export interface ClaimSnapshot {
  readonly statement: string;
  readonly label: string | null;
  readonly note: string | null;
  readonly corrects: string | null;
  readonly chainStep: string | null;
  readonly verdict: string;
  /** null: the file states no expectation (the verdict is still pinned by the fixture) */
  readonly expected: string | null;
  readonly latex: string;
  readonly evidence: readonly { readonly method: string; readonly summary: string }[];
  readonly counterexample: null | {
    readonly instance: number;
    readonly instanceSeed: number;
    readonly regime: string;
    readonly sizes: Readonly<Record<string, number>>;
    readonly bindings: Readonly<Record<string, number>>;
    readonly lhs: readonly (number | null)[];
    readonly rhs: readonly (number | null)[];
    readonly relError: number | null;
    /** only for a counterexample the adversarial search found */
    readonly searchSteps?: number;
    /** only for one it found beyond the regimes: where it lies, in words */
    readonly beyondRegimes?: string;
  };
  readonly proof: null | { readonly ok: boolean; readonly rules: readonly string[] };
  /** the claim's assumptions (absent when it has none, so older fixtures stay current) */
  readonly assumptions?: readonly string[];
  /** a refuted claim's repairs that hold, best first (absent for a claim that is not refuted) */
  readonly repairs?: readonly RepairSnapshot[];
  /** how the repairs were searched: the budget, the work done, and both in words */
  readonly repairSearch?: {
    readonly status: RepairSearch['status'];
    readonly summary: string;
    readonly budget: RepairSearch['budget'];
    readonly work: RepairSearch['work'];
    readonly exhausted: boolean;
    readonly screenWorkLimit?: number;
    readonly fullCheckWorkLimit?: number;
    readonly buildWorkLimit?: number;
    readonly longChainEdits?: number;
  };
}

export interface RepairSnapshot {
  readonly statement: string;
  readonly latex: string;
  readonly words: string;
  readonly edits: readonly {
    readonly edit: string;
    readonly side: string;
    readonly aimed: boolean;
    readonly detail: EditDetail;
  }[];
  readonly verdict: string;
  readonly evidence: readonly { readonly method: string; readonly summary: string }[];
}

export interface FileSnapshot {
  readonly file: string;
  readonly title: string;
  readonly source: string | null;
  readonly derived: readonly {
    readonly quantity: string;
    readonly latex: string | null;
    readonly problem: string | null;
  }[];
  readonly claims: Readonly<Record<string, ClaimSnapshot>>;
}

const round = (x: number | null): number | null =>
  x === null || !Number.isFinite(x) ? null : Number(x.toPrecision(6));

export function snapshotClaim(d: Derivation, r: ClaimResult): ClaimSnapshot {
  const cx = r.counterexample;
  return {
    statement: r.statement,
    label: r.label,
    note: r.note,
    corrects: r.corrects,
    chainStep: r.chain ? `${r.chain.id} step ${r.chain.step}: ${r.chain.by}` : null,
    verdict: r.verdict,
    expected: r.expected,
    latex: claimLatex(
      d,
      d.claims.find((c) => c.id === r.id)!,
    ),
    evidence: r.evidence.map((e) => ({ method: evidenceMethod(e), summary: evidenceSummary(e) })),
    counterexample: cx && {
      instance: cx.instance,
      instanceSeed: cx.instanceSeed,
      regime: cx.regime,
      sizes: cx.sizes,
      bindings: cx.bindings,
      lhs: cx.lhs.map(round),
      rhs: cx.rhs.map(round),
      relError: round(cx.relError),
      ...(cx.searchSteps ? { searchSteps: cx.searchSteps } : {}),
      ...(cx.beyondRegimes ? { beyondRegimes: beyondRegimesText(cx.beyondRegimes) } : {}),
    },
    proof: r.proof && { ok: r.proof.ok, rules: r.proof.steps.map((s) => `${s.ok ? '✓' : '✗'} ${ruleName(s)}`) },
    ...(r.assumptions.length ? { assumptions: r.assumptions } : {}),
    ...(r.repairs ? snapshotRepairs(d, r.repairs) : {}),
  };
}

/** The repairs as data: each with its edits, verdict and evidence, as `check --repair --json` gives them. */
function snapshotRepairs(d: Derivation, s: RepairSearch): Pick<ClaimSnapshot, 'repairs' | 'repairSearch'> {
  return {
    repairs: s.repairs.map((r) => ({
      statement: r.statement,
      latex: repairLatex(d, r),
      words: repairWords(r),
      edits: r.edits.map((e) => ({ edit: e.edit, side: e.side, aimed: e.aimed, detail: e.detail })),
      verdict: r.verdict,
      evidence: r.evidence.map((e) => ({ method: evidenceMethod(e), summary: evidenceSummary(e) })),
    })),
    repairSearch: repairSearchRecord(s),
  };
}

/** The LaTeX of the derived one-step closed forms (the file-level part of a snapshot). */
export function derivedForms(d: Derivation): FileSnapshot['derived'] {
  const w = latexWriterFor(d);
  return deriveQuantities(d, null, null).map((q) => ({
    quantity: q.label,
    latex: q.derived ? w.relation(q.quantity, '=', q.derived) : null,
    problem: q.problem,
  }));
}

/** A file's snapshot from its parts (claims in the file's order). */
export function fileSnapshot(
  d: Pick<Derivation, 'file' | 'title' | 'source'>,
  derived: FileSnapshot['derived'],
  claims: readonly (readonly [string, ClaimSnapshot])[],
): FileSnapshot {
  return { file: d.file, title: d.title, source: d.source, derived, claims: Object.fromEntries(claims) };
}

/**
 * One task of a file — its derived forms, or some of its claims checked on the file's instance pool — as a
 * worker of `verify`'s pool answers it and as `verify --jobs 0` runs it in its own thread.
 */
export function runTask(derivation: Derivation, pool: InstancePool, task: Task): TaskValue {
  if (task.kind === 'derived') return { kind: 'derived', derived: derivedForms(derivation) };
  const request: CheckRequest = { ...task.request, claims: task.claims };
  const results = checkDerivation(derivation, request, undefined, pool);
  return { kind: 'claims', results, snapshots: results.map((r) => snapshotClaim(derivation, r)) };
}

export interface Drift {
  readonly claim: string | null;
  readonly path: string;
  readonly old: unknown;
  readonly now: unknown;
}

/** Field-by-field differences, named by claim and path (e.g. `lab-eq1 verdict`). */
export function diffSnapshots(old: FileSnapshot, now: FileSnapshot): Drift[] {
  const out: Drift[] = [];
  const walk = (claim: string | null, path: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    // Lists of records of the same length are compared item by item (`repairs.0.statement`): a drift names its field.
    const records = (x: unknown): x is object[] =>
      Array.isArray(x) && x.every((y) => y && typeof y === 'object' && !Array.isArray(y));
    if (records(a) && records(b) && a.length === b.length) {
      a.forEach((x, k) => walk(claim, path ? `${path}.${k}` : `${k}`, x, b[k]));
      return;
    }
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(
          claim,
          path ? `${path}.${key}` : key,
          own(a as Record<string, unknown>, key),
          own(b as Record<string, unknown>, key),
        );
      return;
    }
    out.push({ claim, path, old: a, now: b });
  };
  walk(null, 'file', old.file, now.file);
  walk(null, 'title', old.title, now.title);
  walk(null, 'derived', old.derived, now.derived);
  for (const id of new Set([...Object.keys(old.claims), ...Object.keys(now.claims)]))
    walk(id, '', own(old.claims, id), own(now.claims, id));
  return out;
}
