/**
 * Repairs against the hand-written corrections: for every shipped refuted
 * claim that a `corrects:` claim corrects, `check --repair` with the default
 * budget, and whether the top repair holds and is the correction — the same
 * text, or shown identical by the exact engine (both sides' canonical forms) —
 * with the time per claim. Figures, not a test. `npm run bench:repairs`
 * (Markdown table on stdout; `--json` for the rows as data; `--budget verify`
 * for the smaller budget `gradproof verify` searches the fixtures' repairs with).
 */
import { readdirSync } from 'node:fs';
import { check, DEFAULT_REPAIR_BUDGET, loadDerivationFile, repairWords, VERIFY_REPAIR_BUDGET } from '../dist/index.js';
import { symbolicCheck } from '../dist/check/symbolic-check.js';
import { printExpr } from '../dist/ir/print.js';

const asJson = process.argv.includes('--json');
const budgetFlag = process.argv.indexOf('--budget');
const budgetName = budgetFlag >= 0 ? process.argv[budgetFlag + 1] : 'default';
const budget = { default: DEFAULT_REPAIR_BUDGET, verify: VERIFY_REPAIR_BUDGET }[budgetName];
if (!budget) {
  console.error(`--budget takes default or verify, got ${budgetName}`);
  process.exit(2);
}
const files = readdirSync('derivations')
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `derivations/${f}`);

const text = (c) => `${printExpr(c.lhs)} ${c.relation} ${printExpr(c.rhs)}`;

/** Are the two claims the same statement, side by side, by the exact engine? */
function identical(d, claim, a, b) {
  if (a.relation !== b.relation) return false;
  if (text(a) === text(b)) return true;
  if (a.relation !== '=') return null;
  const same = (x, y) => {
    if (printExpr(x) === printExpr(y)) return true;
    const ev = symbolicCheck(d, { ...claim, lhs: x, relation: '=', rhs: y, sizes: claim.sizes }, 20261120);
    return ev ? ev.outcome.status === 'identical' : null;
  };
  try {
    const [l, r] = [same(a.lhs, b.lhs), same(a.rhs, b.rhs)];
    return l === true && r === true ? true : l === false || r === false ? false : null;
  } catch {
    return null;
  }
}

const rows = [];
for (const file of files) {
  const d = loadDerivationFile(file);
  for (const wrong of d.claims) {
    const corrections = d.claims.filter((c) => c.corrects === wrong.id);
    if (!corrections.length || wrong.expect !== 'refuted') continue;
    const t0 = performance.now();
    const checked = check([file], { claims: [wrong.id] }).claims[0];
    const t1 = performance.now();
    const result = check([file], { claims: [wrong.id], repair: budget }).claims[0];
    const t2 = performance.now();
    const search = result.repairs;
    const top = search?.repairs[0] ?? null;
    const matches = top ? corrections.map((c) => ({ id: c.id, same: identical(d, wrong, top, c) })) : [];
    const hit = matches.find((m) => m.same === true);
    rows.push({
      file: file.replace('derivations/', ''),
      claim: wrong.id,
      verdict: checked.verdict,
      corrections: corrections.map((c) => c.id),
      top: top && { statement: top.statement, verdict: top.verdict, words: repairWords(top), edits: top.edits.length },
      repairs: search?.repairs.length ?? 0,
      match: hit
        ? text(top) === text(corrections.find((c) => c.id === hit.id))
          ? 'same text'
          : 'identical (exact)'
        : top
          ? matches.some((m) => m.same === null)
            ? 'undecided'
            : 'different'
          : 'none',
      matched: hit?.id ?? null,
      status: search?.status ?? 'not searched',
      work: search?.work ?? null,
      checkSeconds: (t1 - t0) / 1000,
      // the second run re-checks the claim, then searches: the search's own time is the difference
      searchSeconds: Math.max(0, (t2 - t1 - (t1 - t0)) / 1000),
    });
  }
}

if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  console.log(
    '| file | refuted claim | top repair (edits in words) | verdict | vs `corrects:` | search s | screened / full checks |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.file.replace('.yaml', '')} | \`${r.claim}\` | ${r.top ? `\`${esc(r.top.statement)}\` — ${esc(r.top.words)}` : `none (${r.status})`} | ${r.top?.verdict ?? '—'} | ${r.match}${r.matched ? ` (${r.matched})` : ` (${r.corrections.join(', ')})`} | ${r.searchSeconds.toFixed(1)} | ${r.work ? `${r.work.screened} / ${r.work.fullChecks}` : '—'} |`,
    );
  const n = rows.length;
  const count = (m) => rows.filter((r) => r.match === m).length;
  const held = rows.filter((r) => r.top).length;
  const total = rows.reduce((s, r) => s + r.searchSeconds, 0);
  console.log(
    `\nBudget ${budgetName}: ${JSON.stringify(budget)}. ${n} refuted claims with a correction: a repair holds for ${held}; the top repair is the correction for ${count('same text') + count('identical (exact)')} (${count('same text')} same text, ${count('identical (exact)')} identical by the exact engine), something else for ${count('different') + count('undecided')}, none for ${count('none')}. Search time: total ${total.toFixed(1)} s, median ${[...rows].sort((a, b) => a.searchSeconds - b.searchSeconds)[Math.floor(n / 2)]?.searchSeconds.toFixed(1)} s per claim.`,
  );
}
