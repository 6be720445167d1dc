/**
 * LaTeX twins of the shipped claims (issue 14): every claim with a `source-text:` is given a twin whose
 * `latex:` is that source-text (the claim's quantifiers, sizes and regimes kept), loaded with the file's
 * notation, and checked. Prints a Markdown table: whether the twin loads (or the located error), its reading,
 * and whether its verdict equals the ASCII claim's (the verdicts recorded in fixtures/). Figures, not a test.
 *
 *   npx tsx bench/latex-twins.ts [derivations] [--no-check]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseDocument, type YAMLSeq } from 'yaml';
import { checkDerivation } from '../src/check/check.js';
import { VERDICTS, type Verdict } from '../src/derivation/derivation.js';
import { parseDerivation } from '../src/derivation/load.js';
import { latexTwin } from './latex-twin.js';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--')) ?? 'derivations';
const runChecks = !args.includes('--no-check');

/** A chain's overall verdict: the weakest of its steps (VERDICTS is strongest first). */
const weakest = (vs: readonly Verdict[]): Verdict =>
  vs.reduce((a, b) => (VERDICTS.indexOf(b) > VERDICTS.indexOf(a) ? b : a));
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

interface Row {
  file: string;
  id: string;
  loads: boolean;
  reading: string;
  ascii: string;
  same: 'identical' | 'differs';
  original: Verdict[];
  twin: Verdict[] | null;
}

const rows: Row[] = [];
for (const name of readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  const path = join(dir, name);
  const text = readFileSync(path, 'utf8');
  const fixture = JSON.parse(readFileSync(join('fixtures', name.replace(/\.yaml$/, '.json')), 'utf8')) as {
    claims: Record<string, { verdict: Verdict; statement: string }>;
  };
  const doc = parseDocument(text);
  const claims = doc.get('claims') as YAMLSeq;
  for (const item of claims.items) {
    if (!isMap(item) || !item.has('source-text')) continue;
    const id = String(item.get('id'));
    const steps = Object.keys(fixture.claims).filter((k) => k === id || k.startsWith(`${id}.`));
    const original = steps.map((k) => fixture.claims[k]!.verdict);
    const ascii = steps.map((k) => fixture.claims[k]!.statement).join(' ; ');
    const twinText = latexTwin(text, id, original[0] ?? 'verified')!;
    let reading: string;
    let twinVerdicts: Verdict[] | null = null;
    let loads = false;
    try {
      const d = parseDerivation(twinText, path);
      loads = true;
      reading = d.claims.map((c) => c.statement).join(' ; ');
      if (runChecks) twinVerdicts = checkDerivation(d).map((r) => r.verdict);
    } catch (err) {
      // The position is in the generated twin file, not the shipped one: only the message is kept.
      reading = `error: ${(err as Error).message.replace(/^[^:]*:\d+:\d+: /, '')}`;
    }
    rows.push({
      file: name.replace(/\.yaml$/, ''),
      id,
      loads,
      reading,
      ascii,
      same: reading.replace(/\s/g, '') === ascii.replace(/\s/g, '') ? 'identical' : 'differs',
      original,
      twin: twinVerdicts,
    });
    process.stderr.write('.');
  }
}
process.stderr.write('\n');

const loaded = rows.filter((r) => r.loads);
const compared = loaded.filter((r) => r.twin && r.original.length);
const sameVerdict = compared.filter((r) => weakest(r.twin!) === weakest(r.original));
const identical = loaded.filter((r) => r.same === 'identical');
console.log(`| file | claim | twin loads | twin read as (or error) | ASCII claim's verdict | twin's verdict | same |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const r of rows)
  console.log(
    `| ${r.file} | ${r.id} | ${r.loads ? 'yes' : 'no'} | ${cell(r.reading)}${r.same === 'identical' ? ' (= the ASCII claim)' : ''} | ${r.original.join(', ')} | ${r.twin?.join(', ') ?? '—'} | ${r.twin ? (weakest(r.twin) === weakest(r.original) ? 'yes' : 'no') : '—'} |`,
  );
console.log('');
console.log(
  `${rows.length} source-texts; ${loaded.length} twins load (${identical.length} read exactly as the ASCII claim); ` +
    (runChecks
      ? `${sameVerdict.length} of ${compared.length} loaded twins give the ASCII claim's verdict (a chain compared by its weakest step)`
      : 'verdicts not checked (--no-check)'),
);
