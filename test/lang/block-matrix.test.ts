/**
 * Block matrices in claims, `[A, B; C, D]` (two block rows or more, of two blocks or more): review154 found
 * `norm2([W, W; W, W]) <= 2 * norm2(W)` refused ("only vectors can be stacked"). The engine's own block operator
 * (src/ops/blocks.ts, which writes a multi-state model's Jacobian as a grid) now reads them too; one row or one column of
 * vectors is still a stack, as the documents write `[h, x]`. ‖[W, W; W, W]‖₂ = 2‖W‖₂ exactly (𝟙𝟙ᵀ ⊗ W), so the bound
 * with 1.9 fails by exactly 0.1/2 at every point; the exported script rebuilds the block with numpy's np.block.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, checkDerivation } from '../../src/check/check.js';
import { claimLatex } from '../../src/emit/claim-latex.js';
import { counterexampleExport, scriptPath } from '../../src/emit/export-script.js';
import { InputError } from '../../src/derivation/errors.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { rnnWith } from './model.js';

const claims = `  - id: doubled
    claim: norm2([W, W; W, W]) <= 2 * norm2(W)
  - id: doubled-false
    claim: norm2([W, W; W, W]) <= 1.9 * norm2(W)
  - id: applied
    claim: "[W, U; U', eye(m)] * [h[T]; x[T]] = [W*h[T] + U*x[T]; U'*h[T] + x[T]]"
  - id: block-diagonal
    claim: norm2([W, zeros(d, d); zeros(d, d), 2*W]) = 2*norm2(W)
`;
const text = rnnWith(claims);

describe('a block matrix in a claim', () => {
  const d = parseDerivation(text, 'blocks.yaml');
  const results = new Map(checkDerivation(d).map((r) => [r.id, r]));

  it('is evaluated as the matrix it lays out', () => {
    expect([...results].map(([id, r]) => [id, r.verdict])).toEqual([
      ['doubled', 'consistent'],
      ['doubled-false', 'refuted'],
      ['applied', 'consistent'],
      ['block-diagonal', 'consistent'],
    ]);
    expect(results.get('doubled-false')!.counterexample!.relError).toBeCloseTo(0.05, 12);
  });

  it('is written as the claim writes it', () => {
    const claim = d.claims.find((c) => c.id === 'doubled')!;
    expect(claim.statement).toBe('norm2([W, W; W, W]) <= 2 * norm2(W)');
    expect(claimLatex(d, claim)).toBe(
      '\\left\\|\\begin{bmatrix} W & W \\\\ W & W \\end{bmatrix}\\right\\|_{2} \\le 2 \\cdot \\left\\|W\\right\\|_{2}',
    );
  });

  it('refuses blocks that do not fit their block row and column, with the place', () => {
    const bad = rnnWith(`  - id: misfit
    claim: norm2([W, U; W, W]) <= 1
`);
    expect(() => parseDerivation(bad, 'bad.yaml')).toThrow(InputError);
    expect(() => parseDerivation(bad, 'bad.yaml')).toThrow(
      /bad\.yaml:\d+:\d+: block \(2, 2\) does not fit its row and column \(expected blocks of equal height along a block row and of equal width down a block column\)/,
    );
  });

  const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  it.skipIf(numpy.status !== 0)('is rebuilt by the exported script with np.block', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gradproof-blocks-'));
    try {
      const file = join(tmp, 'blocks.yaml');
      writeFileSync(file, text);
      const report = check([file], { claims: ['doubled-false'] });
      const exported = counterexampleExport(report, 'cx.json')!;
      expect(exported.script).toContain('np.block([[');
      const path = join(tmp, 'cx.json');
      writeFileSync(path, exported.json);
      writeFileSync(scriptPath(path), exported.script);
      const run = spawnSync('python3', [scriptPath(path)], { encoding: 'utf8', timeout: 50_000 });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toMatch(/sides match gradproof's; violation reproduced$/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
