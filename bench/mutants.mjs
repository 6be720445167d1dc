/**
 * Benchmarks of the checks of inequalities: figures, not pass/fail tests.
 * `npm run bench:mutants [-- PART …] [--quick] [--search N] [--seeds N]
 * [--budget-factor F] [--save-survivors FILE | --survivors FILE] [--alarm-seeds N] [--with-equalities] [--equality-mutants] [--stability-seeds N]` builds, then
 * runs against the compiled library what `npx gradproof` runs.
 *
 *  mutants       every shipped holding inequality (≤, ≥) mutated textually: a
 *                sequence index or a range bound ±1, σ ↔ tanh, a transpose
 *                added or dropped, a product's order reversed, a norm swapped
 *                for a smaller one, the larger side ×0.5, an exponent −1. Each
 *                valid mutant is checked at default settings (--search N:
 *                with another search budget, 0 for random instances alone);
 *                prints the kill rate and every survivor, then tries each
 *                survivor harder (master seeds 1..10, 4 × the search budget;
 *                --equality-mutants: the holding equalities' mutants instead;
 *                --seeds, --budget-factor) to classify it as a miss (refuted
 *                there), proved (the bound prover proves it: equivalent in
 *                truth; not tried harder) or neither (presumed equivalent). Narrowed quantifier ranges
 *                hold by construction: counted apart, and any refutation of
 *                one is reported as a false alarm. --claims id,id: only
 *                those shipped claims (here and in false-alarms).
 *                Each `unverifiable` mutant is named with its reason, each
 *                kill with a relative error below 1e-6 (a rounding-level
 *                kill could be a false alarm) and each mutant slower than
 *                30 s with its time.
 *                --save-survivors FILE writes the survivors (and the
 *                unverifiable ones, with their verdict) as JSON lines;
 *                --survivors FILE classifies those alone (checked again at
 *                default settings, then tried harder), without the kill pass:
 *                the kill pass is the slow part, and the prover's verdicts
 *                (PROVED) change with its rules while the kills do not.
 *  false-alarms  the shipped holding inequalities at default settings under
 *                master seeds 1..25 (--alarm-seeds): how many were refuted
 *                (must be 0), over how many claim-instance evaluations (and
 *                search evaluations); `unverifiable` counts as an alarm too.
 *                --with-equalities: the holding equalities too (slower: their
 *                symbolic checks run per seed).
 *  beyond-equalities (only when named) the holding equalities at the search's
 *                constructions beyond the regimes (--beyond-seeds N, default 3):
 *                how many points agree, are set aside, or violate (false alarms).
 *  stability     the three shipped refutations that random sampling found
 *                only under some seeds, under 80 master seeds each: how many
 *                seeds refute them (target 80/80), and by which evidence.
 *
 * With no PART, all three run: about an hour on one core, most of it trying
 * the survivors harder (--quick: 3 seeds there and for the false alarms).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import YAML from 'yaml';
import {
  checkDerivation,
  DEFAULT_OPTIONS,
  evidenceOf,
  expandPaths,
  loadDerivationFile,
  parseDerivation,
} from '../dist/index.js';
import { splitRelation } from '../dist/derivation/load.js';
import { claimSetting } from '../dist/check/check-claim.js';
import { runPoints } from '../dist/check/points.js';
import { constructions, InstanceSpace } from '../dist/numeric/adversarial.js';
import { Evaluator } from '../dist/numeric/evaluate.js';
import { Unrolled } from '../dist/numeric/unrolled.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const VALUED = [
  '--seeds',
  '--budget-factor',
  '--search',
  '--alarm-seeds',
  '--stability-seeds',
  '--claims',
  '--save-survivors',
  '--survivors',
  '--beyond-seeds',
];
const parts = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1]));
const run = (part) => parts.length === 0 || parts.includes(part);
const quick = args.includes('--quick');
const HARDER_SEEDS = flag('--seeds', quick ? 3 : 10);
/** the harder tries' search budget, as a multiple of the default (100 evaluations when the search is off) */
const HARDER_BUDGET = flag('--budget-factor', 4);
/** the search budget of the default settings (--search 0: random instances alone, as before the search) */
const DEFAULT_SEARCH = flag('--search', DEFAULT_OPTIONS.search ?? 0);
const HARDER_SEARCH = DEFAULT_SEARCH || 100;

/** --save-survivors FILE: the kill pass's survivors as JSON lines; --survivors FILE: classify those alone */
const SAVE_SURVIVORS = args.includes('--save-survivors') ? args[args.indexOf('--save-survivors') + 1] : null;
const SURVIVORS = args.includes('--survivors') ? args[args.indexOf('--survivors') + 1] : null;

/** a kill whose worst relative error is below this is named (an equivalent mutant refuted by rounding would be) */
const NEAR_ROUNDING = 1e-6;
/** a mutant whose check takes longer than this is named, with its time */
const SLOW_SECONDS = 30;

const HOLDING = new Set(['proved', 'verified', 'consistent']);
/** --claims id,id: only these shipped claims are mutated (and checked for false alarms) */
const ONLY = args.includes('--claims') ? new Set(args[args.indexOf('--claims') + 1].split(',')) : null;
const files = expandPaths(['derivations']);
const derivations = files.map(loadDerivationFile);
const raw = new Map(files.map((f) => [f, YAML.parse(readFileSync(f, 'utf8'))]));

/** The shipped holding inequalities (and equalities, if asked), with their text as written in the file. */
function holdingInequalities({ equalities = false, inequalities = true } = {}) {
  const out = [];
  for (const d of derivations)
    for (const c of d.claims) {
      if (c.relation === '=' ? !equalities : !inequalities) continue;
      if (!HOLDING.has(c.expect) || c.chain) continue;
      if (ONLY && !ONLY.has(c.id)) continue;
      const y = raw.get(d.file).claims.find((x) => x.id === c.id);
      // a claim given in LaTeX is mutated in its ASCII reading (the statement)
      const text = y.claim ?? c.statement;
      out.push({ file: d.file, id: c.id, relation: c.relation, text, forall: y.forall ?? null, yaml: y });
    }
  return out;
}

// ── mutation operators (textual) ─────────────────────────────────────────────

const ident = '[A-Za-z_][A-Za-z0-9_]*';
const notIdent = (s) => `(?<![A-Za-z0-9_])${s}(?![A-Za-z0-9_])`;

function closing(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if ('([{'.includes(text[i])) depth++;
    else if (')]}'.includes(text[i]) && --depth === 0) return i;
  }
  return -1;
}

/** Top-level comma-separated arguments of the call whose '(' is at `open`. */
function callArgs(text, open) {
  const close = closing(text, open);
  const out = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    if ('([{'.includes(text[i])) depth++;
    else if (')]}'.includes(text[i])) depth--;
    else if (text[i] === ',' && depth === 0) {
      out.push([start, i]);
      start = i + 1;
    }
  }
  out.push([start, close]);
  return out;
}

const splice = (text, from, to, insert) => text.slice(0, from) + insert + text.slice(to);
const quantifiers = (forall) =>
  forall
    ? String(forall)
        .split(',')
        .map((q) => /^\s*(\w+)\s+in\s+(.+?)\s*\.\.\s*(.+?)\s*$/.exec(q))
        .filter(Boolean)
        .map((m) => ({ name: m[1], lo: m[2], hi: m[3] }))
    : [];
const formatForall = (qs) => qs.map((q) => `${q.name} in ${q.lo}..${q.hi}`).join(', ') || undefined;

function* mutate(claim, matrices) {
  const { text, forall, relation } = claim;
  const qs = quantifiers(forall);
  // a sequence index ±1 (not stacked [a; b] or index-level [t, a])
  for (const m of text.matchAll(new RegExp(`(${ident})\\[([^\\[\\];,]+)\\]`, 'g'))) {
    const at = m.index + m[1].length + 1;
    for (const d of ['+1', '-1'])
      yield {
        op: 'index ±1',
        what: `${m[0]} → ${m[1]}[${m[2]}${d}] at ${m.index}`,
        text: splice(text, at, at + m[2].length, `${m[2]}${d}`),
        forall,
      };
  }
  // a range bound ±1: prod/sum/hprod(i, lo, hi, body), and the quantifiers
  for (const m of text.matchAll(new RegExp(`(?<![A-Za-z0-9_])(prod|sum|hprod)\\(`, 'g'))) {
    const open = m.index + m[1].length;
    const a = callArgs(text, open);
    if (a.length !== 4) continue;
    for (const k of [1, 2])
      for (const d of ['+1', '-1']) {
        const bound = text.slice(a[k][0], a[k][1]).trim();
        yield {
          op: 'bound ±1',
          what: `${m[1]} ${k === 1 ? 'lower' : 'upper'} bound ${bound} → ${bound}${d} at ${m.index}`,
          text: splice(text, a[k][0], a[k][1], ` ${bound}${d}`),
          forall,
        };
      }
  }
  for (const [i, q] of qs.entries())
    for (const side of ['lo', 'hi'])
      for (const d of ['+1', '-1']) {
        const changed = qs.map((x, j) => (j === i ? { ...x, [side]: `${x[side]}${d}` } : x));
        // a narrower range of a holding claim holds too: such a mutant must survive
        const narrower = (side === 'lo') === (d === '+1');
        yield {
          op: 'bound ±1',
          what: `forall ${q.name} ${side} ${q[side]}${d}`,
          text,
          forall: formatForall(changed),
          narrower,
        };
      }
  // σ ↔ tanh
  for (const m of text.matchAll(/(?<![A-Za-z0-9_])(sigma|tanh)\(/g)) {
    const other = m[1] === 'sigma' ? 'tanh' : 'sigma';
    yield {
      op: 'σ ↔ tanh',
      what: `${m[1]} → ${other} at ${m.index}`,
      text: splice(text, m.index, m.index + m[1].length, other),
      forall,
    };
  }
  // a transpose dropped, or added on a matrix parameter
  for (const m of text.matchAll(/'/g))
    yield { op: 'transpose', what: `drop ' at ${m.index}`, text: splice(text, m.index, m.index + 1, ''), forall };
  for (const name of matrices)
    for (const m of text.matchAll(new RegExp(`${notIdent(name)}(?!['\\[])`, 'g')))
      yield {
        op: 'transpose',
        what: `${name} → ${name}' at ${m.index}`,
        text: splice(text, m.index + name.length, m.index + name.length, "'"),
        forall,
      };
  // an ordered product reversed: prod(i, lo, hi, F(i)) → prod(i, lo, hi, F(lo + hi − i))
  for (const m of text.matchAll(/(?<![A-Za-z0-9_])prod\(/g)) {
    const a = callArgs(text, m.index + 4);
    if (a.length !== 4) continue;
    const [v, lo, hi] = a.slice(0, 3).map(([s, e]) => text.slice(s, e).trim());
    const body = text.slice(a[3][0], a[3][1]);
    const reversed = body.replace(new RegExp(notIdent(v), 'g'), `(${lo}+${hi}-${v})`);
    if (reversed !== body)
      yield {
        op: 'product reversed',
        what: `prod(${v}, ${lo}, ${hi}, …) reversed at ${m.index}`,
        text: splice(text, a[3][0], a[3][1], reversed),
        forall,
      };
  }
  // a norm swapped for a smaller one
  const smaller = { norm2: 'normMax', normF: 'norm2', normInf: 'normMax' };
  for (const m of text.matchAll(/(?<![A-Za-z0-9_])(norm2|normF|normInf)\(/g))
    yield {
      op: 'smaller norm',
      what: `${m[1]} → ${smaller[m[1]]} at ${m.index}`,
      text: splice(text, m.index, m.index + m[1].length, smaller[m[1]]),
      forall,
    };
  // the larger side tightened ×0.5
  const split = splitRelation(text);
  if (split) {
    const [l, r] = [split.left.trim(), split.right.trim()];
    yield {
      op: 'constant ×0.5',
      what: `${relation === '>=' ? 'left' : 'right'} side ×0.5`,
      text:
        relation === '<=' ? `${l} <= 0.5 * (${r})` : relation === '>=' ? `0.5 * (${l}) >= ${r}` : `${l} = 0.5 * (${r})`,
      forall,
    };
  }
  // an exponent −1: a variable exponent through a new quantifier (exponents next to supabs must be
  // a single variable), a constant one directly
  for (const m of text.matchAll(new RegExp(`\\^\\s*(${ident}|\\d+)`, 'g'))) {
    const e = m[1];
    const at = m.index + m[0].length - e.length;
    if (/^\d+$/.test(e)) {
      if (Number(e) >= 1)
        yield {
          op: 'exponent −1',
          what: `^${e} → ^${Number(e) - 1} at ${m.index}`,
          text: splice(text, at, at + e.length, `${Number(e) - 1}`),
          forall,
        };
    } else if (qs.some((q) => q.name === e))
      yield {
        op: 'exponent −1',
        what: `^${e} → ^(${e}−1) at ${m.index}`,
        text: splice(text, at, at + e.length, 'e1'),
        forall: formatForall([...qs, { name: 'e1', lo: `${e}-1`, hi: `${e}-1` }]),
      };
  }
}

/** A derivation holding one mutant claim (the file's model, the claim's own options), or null if invalid. */
function mutantDerivation(claim, mutant) {
  const doc = raw.get(claim.file);
  const y = claim.yaml;
  const one = {
    id: 'mutant',
    claim: mutant.text,
    ...(mutant.forall ? { forall: mutant.forall } : {}),
    ...(y.sizes ? { sizes: y.sizes } : {}),
    ...(y.regimes ? { regimes: y.regimes } : {}),
    ...(y.tolerance !== undefined ? { tolerance: y.tolerance } : {}),
    expect: 'consistent',
  };
  const text = YAML.stringify({
    gradproof: 1,
    title: 'mutant',
    model: doc.model,
    ...(doc.definitions ? { definitions: doc.definitions } : {}),
    claims: [one],
  });
  try {
    return parseDerivation(text, claim.file);
  } catch (err) {
    if (err.name === 'InputError') return null;
    throw err;
  }
}

/** The mutant's verdict, or null when it leaves the model's domain (e.g. h[T+1]). */
function verdictOf(d, request = {}) {
  try {
    return checkDerivation(d, request)[0];
  } catch (err) {
    if (err.name === 'InputError') return null;
    console.log(`  internal error on ${d.claims[0].statement}: ${err.stack}`);
    return null;
  }
}

const searchOf = (r) => evidenceOf(r.evidence, 'search');
const fmt = (x) => (x === null || x === undefined ? '—' : Number(x).toPrecision(4));

function mutants() {
  console.log(`mutants: default settings (search budget ${DEFAULT_SEARCH} evaluations per claim)`);
  const onEqualities = args.includes('--equality-mutants');
  const claims = holdingInequalities({ equalities: onEqualities, inequalities: !onEqualities });
  const byOp = new Map();
  const survivors = [];
  const unclear = [];
  let [valid, killed, unverifiable, invalid, narrowed, alarms] = [0, 0, 0, 0, 0, 0];
  const started = performance.now();
  for (const claim of claims) {
    const d = derivations.find((x) => x.file === claim.file);
    const matrices = [...d.model.symbols.values()]
      .filter((s) => s.role === 'parameter' && !(s.shape.cols.c === 1 && !Object.keys(s.shape.cols.terms).length))
      .map((s) => s.name);
    const seen = new Set([`${claim.text}|${claim.forall}`]);
    let [n, k] = [0, 0];
    for (const m of mutate(claim, matrices)) {
      const key = `${m.text}|${m.forall}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const md = mutantDerivation(claim, m);
      const t0 = performance.now();
      const r = md && verdictOf(md, { search: DEFAULT_SEARCH });
      const took = (performance.now() - t0) / 1000;
      if (!r) {
        invalid++;
        continue;
      }
      // A narrower quantifier range of a holding claim holds: equivalent by construction, and a
      // refutation of it is a false alarm.
      if (m.narrower) {
        narrowed++;
        if (r.verdict === 'refuted') {
          alarms++;
          console.log(`  FALSE ALARM on a narrowed range: ${claim.id} ${m.what}`);
        }
        continue;
      }
      const stat = byOp.get(m.op) ?? { valid: 0, killed: 0, unverifiable: 0 };
      byOp.set(m.op, stat);
      valid++;
      stat.valid++;
      n++;
      if (r.verdict === 'refuted') {
        killed++;
        stat.killed++;
        k++;
        // a kill by a margin near rounding may be a false alarm on an equivalent mutant: named, to be looked at
        if (r.relError !== null && r.relError < NEAR_ROUNDING)
          console.log(`    narrow kill: ${claim.id} [${m.op}] ${m.what} relative error ${fmt(r.relError)}`);
      } else if (r.verdict === 'unverifiable') {
        unverifiable++;
        stat.unverifiable++;
        // neither a pass nor a kill: each is listed (and saved) to be classified by hand
        unclear.push({ claim, m, md, r, took });
        console.log(
          `    unverifiable ${claim.id} [${m.op}] ${m.what} (${JSON.stringify(r.reason)}) ${took.toFixed(1)} s`,
        );
      } else survivors.push({ claim, m, md, r, took });
      if (took > SLOW_SECONDS)
        console.log(`    slow: ${claim.id} [${m.op}] ${m.what} ${r.verdict} in ${took.toFixed(1)} s`);
    }
    console.log(`  ${claim.id}: ${k}/${n} killed (${((performance.now() - started) / 1000).toFixed(0)} s in)`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\n${valid} valid mutants, ${killed} killed (${((100 * killed) / valid).toFixed(1)} %), ${unverifiable} unverifiable, ${survivors.length} survive — ${seconds.toFixed(0)} s`,
  );
  console.log(
    `  (besides: ${invalid} invalid — shape errors or outside the graph; ${narrowed} narrowed quantifier ranges, equivalent by construction, ${alarms} of them refuted)`,
  );
  for (const [op, s] of byOp) console.log(`  ${op}: ${s.killed}/${s.valid} killed, ${s.unverifiable} unverifiable`);

  if (SAVE_SURVIVORS)
    writeFileSync(
      SAVE_SURVIVORS,
      [...survivors, ...unclear]
        .map((s) =>
          JSON.stringify({
            verdict: s.r.verdict,
            seconds: Number(s.took.toFixed(1)),
            file: s.claim.file,
            id: s.claim.id,
            op: s.m.op,
            what: s.m.what,
            text: s.m.text,
            forall: s.m.forall,
          }),
        )
        .join('\n') + '\n',
    );
  const { misses, proved } = classify(survivors);
  console.log(
    `\nkill rate ${killed}/${valid}; of the ${survivors.length} survivors ${misses} are misses (refuted under a pinned seed), ` +
      `${proved} proved (induction for =, bound rules for ≤/≥), ${survivors.length - misses - proved} neither (presumed equivalent, not proved)`,
  );
  console.log(`non-equivalent mutants killed at default settings: ${killed}/${killed + misses}`);
}

/**
 * Each survivor classified: PROVED (the check proved it at default settings — the bound prover for ≤/≥, induction for =: it holds),
 * a miss (refuted under one of the harder tries), or neither (presumed equivalent, not proved).
 */
function classify(survivors) {
  const budget = HARDER_BUDGET * HARDER_SEARCH;
  console.log(`\nsurvivors, each tried under master seeds 1..${HARDER_SEEDS} with a search budget of ${budget}:`);
  let [misses, proved] = [0, 0];
  for (const s of survivors) {
    // The bound prover (src/symbolic/bounds) ran in the check: a survivor it proved holds, so it is
    // equivalent in truth, not a miss.
    if (s.r.verdict === 'proved') {
      proved++;
      console.log(
        `  PROVED     ${s.claim.id} [${s.m.op}] ${s.m.what} — ${s.claim.relation === '=' ? 'the induction prover' : 'the bound prover'} proves it`,
      );
      continue;
    }
    let refutedAt = null;
    let tightest = searchOf(s.r)?.bestRatio ?? s.r.evidence[0].tightness;
    // an equality has no ratio: its worst relative error says how far from refuted it came
    let worstError = s.r.relError ?? 0;
    for (let seed = 1; seed <= HARDER_SEEDS && refutedAt === null; seed++) {
      const r = verdictOf(s.md, { masterSeed: seed, search: budget });
      if (r.verdict === 'refuted') refutedAt = seed;
      tightest = Math.max(tightest, searchOf(r)?.bestRatio ?? 0, r.evidence[0].tightness ?? 0);
      worstError = Math.max(worstError, r.relError ?? 0);
    }
    if (refutedAt !== null) misses++;
    if (process.env.MUTANTS_DUMP)
      console.log(
        `  dump ${JSON.stringify({ file: s.claim.file, id: s.claim.id, text: s.m.text, forall: s.m.forall })}`,
      );
    console.log(
      `  ${refutedAt !== null ? 'MISS      ' : 'neither   '} ${s.claim.id} [${s.m.op}] ${s.m.what}` +
        (refutedAt !== null
          ? ` — refuted under seed ${refutedAt}`
          : s.claim.relation === '='
            ? ` — worst relative error ${fmt(worstError)}`
            : ` — tightest ratio ${fmt(tightest)}`),
    );
  }
  return { misses, proved };
}

/** --survivors FILE: the survivors a kill pass saved (--save-survivors), checked again and classified, without the kill pass. */
function savedSurvivors() {
  const all = holdingInequalities({ equalities: true });
  const survivors = [];
  for (const line of readFileSync(SURVIVORS, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const m = JSON.parse(line);
    const claim = all.find((c) => c.file === m.file && c.id === m.id);
    if (!claim) throw new Error(`no shipped holding claim ${m.file} ${m.id}`);
    const md = mutantDerivation(claim, m);
    const r = md && verdictOf(md, { search: DEFAULT_SEARCH });
    if (!r) throw new Error(`${m.id} ${m.what}: no longer a valid mutant`);
    if (r.verdict === 'refuted') console.log(`  killed now ${m.id} [${m.op}] ${m.what}`);
    else survivors.push({ claim, m, md, r });
  }
  const { misses, proved } = classify(survivors);
  console.log(
    `\nof the ${survivors.length} saved survivors (still surviving at default settings) ${misses} are misses, ` +
      `${proved} proved (induction for =, bound rules for ≤/≥), ${survivors.length - misses - proved} neither (presumed equivalent, not proved)`,
  );
}

function falseAlarms() {
  const seeds = flag('--alarm-seeds', quick ? 3 : 25);
  const equalities = args.includes('--with-equalities');
  const what = equalities ? 'inequalities and equalities' : 'inequalities';
  console.log(`false alarms: the shipped holding ${what} under master seeds 1..${seeds}, default settings`);
  const claims = holdingInequalities({ equalities });
  const relationOf = new Map(claims.map((c) => [`${c.file}|${c.id}`, c.relation === '=' ? '=' : '≤/≥']));
  const tally = new Map(); // relation → { checks, instances, alarms }
  let searchEvaluations = 0;
  let beyondEvaluations = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    for (const d of derivations) {
      const ids = claims.filter((c) => c.file === d.file).map((c) => c.id);
      if (!ids.length) continue;
      for (const r of checkDerivation(d, { masterSeed: seed, claims: ids, search: DEFAULT_SEARCH })) {
        const relation = relationOf.get(`${d.file}|${r.id}`);
        const t = tally.get(relation) ?? { checks: 0, instances: 0, alarms: 0 };
        tally.set(relation, t);
        t.checks++;
        t.instances += r.evidence[0].instances.length;
        searchEvaluations += searchOf(r)?.evaluations ?? 0;
        beyondEvaluations += searchOf(r)?.beyond?.evaluations ?? 0;
        // a holding claim refuted, or left unverifiable (rounding noise taken for a difference), is a false alarm
        if (r.verdict === 'refuted' || r.verdict === 'unverifiable') {
          t.alarms++;
          console.log(`  FALSE ALARM: ${r.id} ${r.verdict} under seed ${seed}`);
        }
      }
    }
  }
  for (const [relation, t] of tally)
    console.log(
      `${relation}: ${t.alarms} false alarms in ${t.checks} claim checks, ${t.instances} claim-instance evaluations (every binding of each)`,
    );
  console.log(`search evaluations: ${searchEvaluations} inside the regimes, ${beyondEvaluations} beyond them`);
}

function stability() {
  const targets = [
    ['derivations/lab-10-5-lstm.yaml', 'lab-eq4-total-without-c'],
    ['derivations/how-lstms-solve-vanishing-gradients-2019.yaml', 'one-path-explodes-to-s'],
    ['derivations/why-lstm-works-2018.yaml', 'full-cell-jacobian-bounded'],
  ];
  const seeds = flag('--stability-seeds', 80);
  console.log(`stability: shipped refutations under master seeds 1..${seeds}, default settings`);
  for (const [file, id] of targets) {
    const d = derivations.find((x) => x.file === file);
    let [refuted, bySearch, evaluations] = [0, 0, 0];
    const missed = [];
    const randomOnly = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const r = checkDerivation(d, { masterSeed: seed, claims: [id], search: DEFAULT_SEARCH })[0];
      const s = searchOf(r);
      if (r.verdict === 'refuted') {
        refuted++;
        if (s?.found) {
          bySearch++;
          evaluations += s.evaluations;
          randomOnly.push(seed);
        }
      } else missed.push(seed);
    }
    console.log(
      `  ${id}: refuted under ${refuted}/${seeds} seeds; by the search alone under ${bySearch}` +
        (bySearch
          ? ` (mean ${(evaluations / bySearch).toFixed(0)} evaluations; seeds ${randomOnly.slice(0, 12).join(' ')}${randomOnly.length > 12 ? ' …' : ''})`
          : '') +
        (missed.length ? `; not refuted under ${missed.join(' ')}` : ''),
    );
  }
}

/**
 * The holding equalities at points beyond the regimes: every structured construction of the search's space
 * beyond them (src/numeric/adversarial.ts: laws 8× as wide, recurrent norms up to 12) built from one instance
 * per regime, under master seeds 1..N (--beyond-seeds). The search does not look there for equalities (an
 * identity false anywhere is false at generic points, which the regimes draw); this measures that large
 * weights only make trouble for identities (points set aside), never a violation: each violation printed is
 * a false alarm the comparison would raise if equalities were checked there.
 */
function beyondEqualities() {
  const seeds = flag('--beyond-seeds', quick ? 1 : 3);
  console.log(`equalities beyond the regimes: the shipped holding equalities, master seeds 1..${seeds}`);
  const claims = holdingInequalities({ equalities: true, inequalities: false });
  let [points, agree, trouble, alarms] = [0, 0, 0, 0];
  const started = performance.now();
  for (const c of claims) {
    const d = derivations.find((x) => x.file === c.file);
    const claim = d.claims.find((x) => x.id === c.id);
    if (claim.given || claim.assume) continue; // the search never perturbs those (fixed values, premises)
    const { get } = claimSetting(d, claim);
    for (let seed = 1; seed <= seeds; seed++)
      for (let j = 0; j < 4; j++) {
        if (claim.regimes && !claim.regimes.includes(['contracting', 'near-critical', 'expanding', 'saturated'][j]))
          continue;
        const entry = get(seed, j, {});
        if (!entry) continue;
        const { instance } = entry;
        const space = new InstanceSpace(instance.graph.model, instance.sizes, instance.regime, 'beyond');
        for (const built of constructions(space, instance.graph.data)) {
          const graph = new Unrolled(instance.graph.model, instance.graph.program, built.data);
          let found;
          try {
            found = runPoints(
              claim,
              { instance: { ...instance, graph }, evaluator: new Evaluator(graph, instance.sizes) },
              0,
              null,
            );
          } catch (err) {
            if (err.name === 'InputError') continue;
            throw err;
          }
          for (const p of found) {
            points++;
            if (p.outcome.status === 'agree') agree++;
            else if (p.outcome.status === 'trouble') trouble++;
            else {
              alarms++;
              console.log(
                `  FALSE ALARM: ${c.file} ${c.id} seed ${seed} instance ${j} ${built.name} ${JSON.stringify(p.env)} relative error ${p.outcome.relError}`,
              );
            }
          }
        }
      }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${claims.length} equalities: ${points} points beyond the regimes, ${agree} agree, ${trouble} set aside as trouble, ${alarms} false alarms — ${seconds.toFixed(0)} s`,
  );
}

if (SURVIVORS) savedSurvivors();
else if (run('mutants')) mutants();
if (run('false-alarms')) falseAlarms();
if (run('stability')) stability();
if (parts.includes('beyond-equalities')) beyondEqualities();
