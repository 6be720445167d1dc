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
import { LIMITS } from '../../src/ir/limits.js';
import { withWorkLimit } from '../../src/numeric/work-meter.js';
import { gradproof } from '../cli/spawn.js';

const LAB = 'derivations/lab-10-5-vanilla-rnn.yaml';

describe('the work limit of a claim', () => {
  const lab = loadDerivationFile(LAB);

  it('stops the claim that needs more, as its own located error; the others keep their verdicts', () => {
    // at the lab's sizes eq. (1) costs ≈ 1.1·10⁶ operations, eq. (2) ≈ 8·10⁶ (its search's hundreds of instances)
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
      `${LAB}:43:5: claim 'lab-eq2' needs more work than the limit of 3.00e+6 operations (float64 multiply-adds, decimal products counted at their cost); its check was stopped there (expected smaller sizes (the model's ranges or --size), shorter sum/prod ranges, or fewer bindings)`,
    );
  });

  it('is counted, not timed: a check costs the same operations every time', () => {
    const cost = () => withWorkLimit(Infinity, () => checkDerivation(lab, { claims: ['lab-eq1'] })).spent;
    const first = cost();
    expect(first).toBeGreaterThan(1e5);
    expect(cost()).toBe(first);
  });

  it('sits far above what the shipped claims need', () => {
    // the costliest shipped claim: 6.9·10⁷ (verify's corpus, measured claim by claim)
    expect(LIMITS.claimOperations).toBeGreaterThanOrEqual(100 * 6.9e7);
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
});
