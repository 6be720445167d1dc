/**
 * The repair search on claims with long chains is bounded by counts, not by time: every (site × edit) candidate was
 * built, diffed against its site and printed whole, quadratic in a chain's length (a review's: `sum(h[T]) + 1 + 1 + …`
 * of 20 000 terms, `check` 1.4 s, `check --repair` past 957 s and 1.7 GB). Now an edit kind is applied at no more than
 * LONG_CHAIN places of a long chain, an edit's distance is counted from what it wrote, and the building is charged to
 * the work meter against a limit of its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { DEFAULT_OPTIONS } from '../../src/check/check-claim.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { repairSearchRecord, repairSearchSummary } from '../../src/emit/repair-text.js';
import { type Expr, node, num } from '../../src/ir/expr.js';
import { keptTextPrinter } from '../../src/ir/print.js';
import { editContext } from '../../src/repair/aim.js';
import { EDITS } from '../../src/repair/edits.js';
import { searchRepairs } from '../../src/repair/search.js';
import { changedNodes, changedNodesIn, indexTree, LONG_CHAIN, sites } from '../../src/repair/tree.js';
import { gradproofUnder } from '../cli/spawn.js';
import { modelFile } from '../support/model-file.js';

const MODEL = modelFile({
  title: 'a long chain',
  name: 'tanh RNN',
  sizes: 'd: 2, m: 1, T: 3',
  symbols: ['W', 'U', 'x', 'h'],
  equations: ['h[t] = tanh(W*h[t-1] + U*x[t])'],
  loss: 'L = sum(h[T])',
});

/** `sum(h[T]) + 1 + … = sum(h[T])` with `terms` ones (the review's claim at 20 000). */
const longSum = (terms: number) =>
  `${MODEL}  - id: long-sum\n    claim: sum(h[T])${' + 1'.repeat(terms)} = sum(h[T])\n`;

/** `W*W*…*W*h[T] = h[T]` with `factors` factors W. */
const longProduct = (factors: number) =>
  `${MODEL}  - id: long-product\n    claim: ${'W*'.repeat(factors)}h[T] = h[T]\n`;

const dir = mkdtempSync(join(tmpdir(), 'gradproof-long-chains-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('long chains', () => {
  it('a chain is long past LONG_CHAIN terms: its links and the nodes in its terms know it', () => {
    const chain = (terms: number): Expr =>
      Array.from({ length: terms - 1 }, () => num(1)).reduce<Expr>((acc, t) => node('add', [acc, t]), num(1));
    expect(sites(chain(LONG_CHAIN)).every((s) => s.longChain === null)).toBe(true);
    const long = chain(LONG_CHAIN + 1);
    expect(sites(long).every((s) => s.longChain === long)).toBe(true);
    // a chain inside another operator is long by its own terms
    const wrapped = node('neg', [long]);
    expect(sites(wrapped).map((s) => s.longChain === long)).toEqual([false, ...sites(long).map(() => true)]);
  });

  it('the 20 000-term sum of a review finishes --repair in a 250 MB heap, each edit kind applied at 32 terms', async () => {
    // before: every term's sign flip was built, diffed and printed whole: out of memory here after 4 s (signal 6)
    const file = join(dir, 'long-sum.yaml');
    writeFileSync(file, longSum(20_000));
    const run = await gradproofUnder(['--max-old-space-size=250'], 'check', file, '--repair', '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [claim] = (JSON.parse(run.stdout) as { claims: { verdict: string; repairSearch: object }[] }).claims;
    expect(claim!.verdict).toBe('refuted');
    // every candidate is read back as no claim (a side of 20 000 terms is past what a candidate may be), so no pairs
    expect(claim!.repairSearch).toMatchObject({
      status: 'none',
      exhausted: false,
      longChainEdits: LONG_CHAIN,
      work: { generated: 38, screened: 38, invalid: 38, editsTried: 1 },
    });
  });

  it('a product of 1000 factors builds a bounded number of candidates, within 10⁹ operations', () => {
    // before: 1010 candidates (add-transpose at each of the 1000 factors among them) spent the screens' budget alone
    const d = parseDerivation(longProduct(1000), 'long-product.yaml');
    const [checked] = checkDerivation(d, { instances: 1 });
    expect(checked!.verdict).toBe('refuted');
    const search = searchRepairs(d, d.claims[0]!, checked!, { ...DEFAULT_OPTIONS, instances: 1 }, undefined, 1e9);
    expect(search).not.toHaveProperty('buildWorkLimit');
    expect(search.longChainEdits).toBe(LONG_CHAIN);
    expect(search.work).toMatchObject({ generated: 635, screened: 635, editsTried: 2 });
    expect(repairSearchSummary(search)).toContain(
      'each kind of edit applied at no more than 32 places of a chain of more than 32 terms or factors',
    );
  });

  it('building the candidates stops at its work limit, and the summary and record say so', () => {
    const d = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
    const [checked] = checkDerivation(d, { claims: ['lab-eq1-W-for-WT'], instances: 1 });
    const claim = d.claims.find((c) => c.id === 'lab-eq1-W-for-WT')!;
    const search = searchRepairs(d, claim, checked!, { ...DEFAULT_OPTIONS, instances: 1 }, undefined, 1e4);
    expect(search).toMatchObject({ status: 'none', exhausted: true, buildWorkLimit: 1e4 });
    expect(search.work).toMatchObject({ generated: 0, screened: 0 });
    expect(search).not.toHaveProperty('longChainEdits');
    expect(repairSearchSummary(search)).toContain(
      'building the candidates stopped at its work limit (1.00e+4 operations)',
    );
    expect(repairSearchRecord(search)).toMatchObject({ buildWorkLimit: 1e4 });
    // at the default limit the same search finds its repair (48 candidates; 35 before the parameter insertions)
    const full = searchRepairs(d, claim, checked!, { ...DEFAULT_OPTIONS, instances: 1 });
    expect(full).toMatchObject({ status: 'found', work: { generated: 48 } });
    expect(full).not.toHaveProperty('buildWorkLimit');
  });

  it.each(['derivations/lab-10-5-solution.yaml', 'derivations/why-lstm-works-2018.yaml'])(
    "%s: every edit's distance, counted from what it wrote, is the full diff's",
    (file) => {
      const d = loadDerivationFile(file);
      let compared = 0;
      for (const claim of d.claims.slice(0, 12)) {
        const ctx = editContext(d, claim, keptTextPrinter());
        for (const side of [claim.lhs, claim.rhs]) {
          const index = indexTree(side)!;
          for (const site of sites(side))
            for (const edit of EDITS)
              for (const r of edit.apply(site, ctx)) {
                expect(changedNodesIn(index, site.node, r.after)).toBe(changedNodes(site.node, r.after));
                compared++;
              }
        }
      }
      expect(compared).toBeGreaterThan(100);
    },
  );
});
