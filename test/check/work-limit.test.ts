/**
 * A claim's check is bounded in work (src/numeric/work-meter.ts, LIMITS.claimOperations): one that needs more is
 * stopped and reported as its own located error, the file's other claims checked as before; on the command line,
 * exit 2 with file:line:col. Before the meter, `rho(W) <= norm2(W)` at d = 2048 ran one 2048 × 2048 eigenvalue
 * iteration per instance (≈ 8.6·10¹⁰ operations each, several hundred instances with the search).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { type InputError } from '../../src/derivation/errors.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import { InstancePool } from '../../src/check/check-claim.js';
import { LIMITS } from '../../src/ir/limits.js';
import { withWorkLimit } from '../../src/numeric/work-meter.js';
import { gradproof } from '../cli/spawn.js';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';

describe('the work limit of a claim', () => {
  const lab = loadDerivationFile(LAB);

  it('stops the claim that needs more, as its own located error; the others keep their verdicts', () => {
    // at the lab's sizes eq. (1) costs ≈ 1.7·10⁶ operations (between 1.5 and 2·10⁶), eq. (2) more than 10⁷ (its search's hundreds of instances)
    const errors: InputError[] = [];
    const results = checkDerivation(
      lab,
      { claims: ['lab-eq1', 'lab-eq2', 'lab-eq1-W-for-WT'], workLimit: 3e6 },
      errors,
    );
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['lab-eq1', 'verified'],
      ['lab-eq1-W-for-WT', 'refuted'],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe(
      `${LAB}:43:5: claim 'lab-eq2' needs more work than the limit of 3.00e+6 operations (float64 multiply-adds, decimal products counted at their cost); its check was stopped there (expected smaller sizes (the model's ranges or --size), shorter sum/prod ranges, or fewer bindings; or a larger --work-limit)`,
    );
  });

  it("a claim stopped in an extended look leaves no trail of its limit for the file's later claims", () => {
    // The decimals record a forward step once per instance for every claim reading it (a StepTrail); a step cut short by
    // one claim's limit was recorded with that error, and replayed it into later claims under limits of their own:
    // `check` of this file at 398107 operations ended in "internal error: more than 3.98e+5 operations" (a review's).
    const file = 'derivations/understanding-lstms-2023-index-level.yaml';
    const d = loadDerivationFile(file, { perClaimErrors: true });
    const errors: InputError[] = [];
    const results = checkDerivation(d, { workLimit: 398107, instances: 1 }, errors);
    expect(results.length + errors.length).toBe(d.claims.length + (d.claimErrors?.length ?? 0));
    expect(errors.length).toBeGreaterThan(0);
    expect(results.length).toBeGreaterThan(0);
    // every error is a claim's own limit, located at that claim
    for (const e of errors) {
      const id = /claim '([^']+)'/.exec(e.message)?.[1];
      const claim = d.claims.find((c) => c.id === id)!;
      expect(e.message).toContain(`${file}:${claim.pos.line}:${claim.pos.col}: claim '${id}' needs more work`);
    }
  });

  it('is counted, not timed: a check costs the same operations every time', () => {
    const cost = () => withWorkLimit(Infinity, () => checkDerivation(lab, { claims: ['lab-eq1'] })).spent;
    const first = cost();
    expect(first).toBeGreaterThan(1e5);
    expect(cost()).toBe(first);
  });

  it('sits far above what the shipped claims need', () => {
    // the costliest shipped claim: 7.4·10⁷ (verify's corpus, measured claim by claim)
    expect(LIMITS.claimOperations).toBeGreaterThanOrEqual(100 * 7.4e7);
  });

  it('counts the derivative sweeps, step by step: at least the recurrent product, linear in the steps', () => {
    // before, a sweep's steps ran through the kernels uncounted (products of one-step Jacobians at T = 2000: 414 s
    // before the meter reached a limit meant for ≈ 100 s)
    const pool = new InstancePool(lab);
    const sweeps = (T: number) => {
      const graph = pool.get(1, 0, { T, d: 6, m: 2 }).instance.graph;
      const u = new Float64Array(6).fill(1);
      const h = (time: number) => ({ name: 'h', time });
      return [
        withWorkLimit(Infinity, () => graph.tangents(h(0), u, new Set())(h(T))).spent,
        withWorkLimit(Infinity, () => graph.adjoints(h(T), u, new Set(), false)(h(0))).spent,
      ];
    };
    const [short, long] = [sweeps(10), sweeps(40)];
    for (const kind of [0, 1]) {
      // each step reads W·h (6 × 6) at least
      expect(short[kind]!).toBeGreaterThanOrEqual(10 * 6 * 6);
      expect(long[kind]!).toBe(4 * short[kind]!);
    }
  });
});

describe('on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-work-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a spectral radius at d = 2048 is refused at its first factorization: exit 2, located, no report', async () => {
    const file = join(dir, 'rho.yaml');
    writeFileSync(
      file,
      [
        'gradproof: 1',
        'title: a spectral radius too large to compute on every instance',
        'model:',
        '  sizes: { d: 2048..2048, m: 1..1, T: 2..2 }',
        '  symbols:',
        '    W: { role: parameter, shape: [d, d], init: recurrent }',
        '    U: { role: parameter, shape: [d, m] }',
        '    x: { role: input, shape: [m] }',
        '    h: { role: state, shape: [d] }',
        '  equations:',
        '    - h[t] = tanh(W*h[t-1] + U*x[t])',
        '  loss: L = sum(h[T])',
        'claims:',
        '  - id: rho-below-norm',
        '    claim: rho(W) <= norm2(W)',
        '',
      ].join('\n'),
    );
    const run = await gradproof('check', file, '--jobs', '0');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `${file}:14:5: claim 'rho-below-norm' needs more work than the limit of 2.00e+10 operations`,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stdout).not.toMatch(/verified|refuted|consistent|proved/);
  });

  it('--work-limit sets the limit: the claim past it is stopped, the others checked; nonsense is a usage error', async () => {
    // the limit of the first library test above, on the command line (e-notation accepted, with its sign too)
    const run = await gradproof(
      'check',
      LAB,
      '--jobs',
      '0',
      '--claim',
      'lab-eq1',
      '--claim',
      'lab-eq2',
      '--work-limit',
      '3e+6',
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${LAB}:43:5: claim 'lab-eq2' needs more work than the limit of 3.00e+6 operations`);
    expect(run.stdout).toMatch(/lab-eq1\s+verified/);
    const asked = [...['0', '2.5', 'lots', '1e13'].map((bad) => ['check', bad]), ['verify', 'lots']] as const;
    const refused = await Promise.all(asked.map(([command, bad]) => gradproof(command, LAB, '--work-limit', bad)));
    refused.forEach((r, i) => {
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        `--work-limit takes a whole number of operations from 1 to 1e12 (e.g. 5e9), got '${asked[i]![1]}'`,
      );
      expect(r.stdout).toBe('');
    });
  });
});
