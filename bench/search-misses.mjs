/**
 * The mutants of shipped true bounds that the adversarial search missed at default settings
 * (issue 11: reverse-triangle "minus the rest" bounds of the 2019 article), listed in
 * test/fixtures/inequality-misses.json as one textual edit each. Figures, not pass/fail:
 * `node bench/search-misses.mjs [--seeds N] [--search N] [--only ROW,…]` (after `npm run build`) checks each
 * under master seeds 1..N (default: the default seed alone) and prints, per seed, whether it is
 * refuted, how many search evaluations it took, the replay command and the tightest ratio.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { checkDerivation, DEFAULT_OPTIONS, evidenceOf, parseDerivation, replayCommand } from '../dist/index.js';

const FILE = 'derivations/how-lstms-solve-vanishing-gradients-2019.yaml';
const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const seedCount = flag('--seeds', 0);
const search = flag('--search', DEFAULT_OPTIONS.search);
/** --only 0,3: those rows of the list alone */
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',').map(Number) : null;
const seeds = seedCount ? Array.from({ length: seedCount }, (_, i) => i + 1) : [DEFAULT_OPTIONS.masterSeed];

const doc = YAML.parse(readFileSync(FILE, 'utf8'));
const edits = JSON.parse(readFileSync('test/fixtures/inequality-misses.json', 'utf8'));

/** The shipped claim with one textual edit, as a derivation of its own. */
function mutant({ id, at, replace, by }) {
  const claim = doc.claims.find((c) => c.id === id);
  if (claim.claim.slice(at, at + replace.length) !== replace) throw new Error(`${id}: no '${replace}' at ${at}`);
  const text = claim.claim.slice(0, at) + by + claim.claim.slice(at + replace.length);
  const one = { id: 'mutant', claim: text, forall: claim.forall, ...(claim.sizes ? { sizes: claim.sizes } : {}) };
  return parseDerivation(YAML.stringify({ gradproof: 1, title: 'mutant', model: doc.model, claims: [one] }), FILE);
}

let killed = 0;
let runs = 0;
let ratios = 0;
const started = performance.now();
for (const [row, edit] of edits.entries()) {
  if (only && !only.includes(row)) continue;
  const d = mutant(edit);
  const line = [];
  for (const masterSeed of seeds) {
    const r = checkDerivation(d, { masterSeed, search })[0];
    const s = evidenceOf(r.evidence, 'search');
    runs++;
    if (r.verdict === 'refuted') killed++;
    ratios += r.verdict === 'refuted' ? 1 : Math.max(0, s?.bestRatio ?? 0);
    const how = s?.found ? `search ${s.evaluations}/${s.budget}` : r.verdict === 'refuted' ? 'random' : '';
    line.push(
      `    seed ${masterSeed}: ${r.verdict}${how ? ` (${how})` : ''}` +
        (r.counterexample
          ? ` — ${replayCommand(r.counterexample)}`
          : ` — tightest ratio ${s?.bestRatio?.toPrecision(6)}`),
    );
  }
  console.log(`${row}. ${edit.id}: ${edit.replace} → ${edit.by} at ${edit.at}\n${line.join('\n')}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${killed}/${runs} refuted (search budget ${search}); mean tightest ratio ${(ratios / runs).toFixed(3)} (1 when refuted) — ${seconds.toFixed(0)} s`,
);
