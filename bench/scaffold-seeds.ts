/**
 * `gradproof scaffold` on the five source documents (issue 14): display equations found, formulas, what went
 * into the model, claims read, and how many of the skeleton's claims load through the derivation loader once an
 * `expect:` is filled in (each claim loaded alone, so one bad claim does not hide the others). Figures, not a test.
 *
 *   npx tsx bench/scaffold-seeds.ts [folder of posts]   (default: test/fixtures/seeds)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseDocument, type YAMLSeq } from 'yaml';
import { parseDerivation } from '../src/derivation/load.js';
import { scaffold } from '../src/latex/scaffold/scaffold.js';

const dir = process.argv[2] ?? 'test/fixtures/seeds';
console.log(
  '| document | displays | formulas | model equations (read) | claims | claims read | model loads | claims that load |',
);
console.log('|---|---|---|---|---|---|---|---|');
const reasons = new Map<string, number>();
for (const name of readdirSync(dir)
  .filter((f) => /\.(txt|md)$/.test(f))
  .sort()) {
  const r = scaffold(readFileSync(join(dir, name), 'utf8'), name);
  const s = r.stats;
  const claimCount = (parseDocument(r.yaml).get('claims') as YAMLSeq).items.length;
  const loadWith = (keep: number | null): string | null => {
    const doc = parseDocument(r.yaml);
    const claims = doc.get('claims') as YAMLSeq;
    claims.items = keep === null ? [] : [claims.items[keep]];
    for (const c of claims.items) if (isMap(c)) c.set('expect', 'verified');
    try {
      parseDerivation(doc.toString({ lineWidth: 0 }), name);
      return null;
    } catch (err) {
      return (err as Error).message.replace(/^[^:]*:\d+:\d+: /, '');
    }
  };
  const modelProblem = loadWith(null);
  let loading = 0;
  if (!modelProblem)
    for (let i = 0; i < claimCount; i++) {
      const problem = loadWith(i);
      if (problem === null) loading++;
      else {
        const key = problem.replace(/'[^']*'/g, "'…'").slice(0, 60);
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
    }
  console.log(
    `| ${name} | ${s.displays} | ${s.equations} | ${s.modelEquations} (${s.modelEquationsConverted}) | ${s.claims} | ${s.claimsConverted} | ${modelProblem ? `no: ${modelProblem}` : 'yes'} | ${modelProblem ? '—' : `${loading} of ${claimCount}`} |`,
  );
}
console.log('\nwhy claims do not load (first words of the error):');
for (const [k, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${n} × ${k}`);
