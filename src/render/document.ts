/**
 * Stage 1 of rendering: the typed results of one derivation file → a
 * format-neutral document (sections of prose, claims, chains and plots).
 * Every word comes from an emitter in src/emit (evidence, proof and bound
 * rule texts, chain outcomes, replay commands); every formula is LaTeX from
 * the file's notation. The HTML, Markdown and LaTeX writers (./html.ts,
 * ./markdown.ts, ./tex.ts) only lay this out — they decide nothing.
 */
import type { ClaimResult, Counterexample } from '../check/result.js';
import { evidenceOf } from '../check/evidence.js';
import type { Claim, Derivation, Quantifier, Verdict } from '../derivation/derivation.js';
import { VERDICTS } from '../derivation/derivation.js';
import type { PlotRequest, Prose } from '../derivation/document.js';
import { BOUND_RULE_TEXT, boundProofLatex, boundSummary } from '../emit/bound-text.js';
import { chainOutcome } from '../emit/chain-text.js';
import { claimLatex, proofLatex } from '../emit/claim-latex.js';
import { latexWriterFor } from '../emit/derive-report.js';
import type { LatexWriter } from '../emit/latex.js';
import { evidenceMethod, evidenceSummary, exactTieText, offKinkTieText, reasonText } from '../emit/evidence-text.js';
import { ruleName, stepDetail, stepStatement } from '../emit/proof-text.js';
import { replayCommand } from '../emit/replay.js';
import { repairLatex, repairSearchSummary, repairWords } from '../emit/repair-text.js';
import { num } from '../emit/text-report.js';
import { type Inline, inlines } from '../derivation/prose.js';
import { type Affine, affineVar, affineVars } from '../ir/affine.js';
import { seq } from '../ir/expr.js';
import { HORIZON, TIME_VAR } from '../model/model.js';
import { count } from '../emit/count.js';

export { type Inline, inlines } from '../derivation/prose.js';

export interface CounterexampleView {
  /** label/value rows: instance, seeds, regime, sizes, bindings, norms, error */
  readonly facts: readonly (readonly [string, string])[];
  /** entry i of each side (the first 8 as the checker kept them) */
  readonly entries: readonly { readonly lhs: string; readonly rhs: string }[];
  readonly entriesShown: string;
  readonly replay: string;
}

export interface ProofView {
  readonly title: string;
  readonly ok: boolean;
  /** the chain as aligned LaTeX, when the proof holds */
  readonly latex: string | null;
  readonly steps: readonly {
    readonly rule: string;
    readonly name: string;
    readonly text: string;
    readonly ok: boolean;
  }[];
  /** why an attempt failed */
  readonly failure: string | null;
}

export interface ClaimView {
  readonly id: string;
  readonly label: string;
  readonly verdict: Verdict;
  readonly expected: Verdict | null;
  readonly ok: boolean;
  /** the source's own formula (LaTeX or prose, user text), and its equation number if the label gives one */
  readonly source: string | null;
  readonly number: string | null;
  readonly latex: string;
  /** the claim in the file's ASCII syntax */
  readonly statement: string;
  /** its quantifiers as LaTeX (k \in \{1, \dots, \tau\}) */
  readonly forall: string | null;
  readonly note: string | null;
  readonly corrects: { readonly id: string; readonly label: string } | null;
  readonly correctedBy: readonly { readonly id: string; readonly label: string; readonly verdict: Verdict }[];
  readonly evidence: readonly { readonly method: string; readonly summary: string }[];
  readonly reason: string | null;
  readonly counterexample: CounterexampleView | null;
  readonly proofs: readonly ProofView[];
  /** a refuted claim's repair search (`render` asks for one by default): what the author may have meant */
  readonly repairs: RepairsView | null;
}

export interface RepairsView {
  /** the budget and the work done, in words */
  readonly summary: string;
  /** holding repairs, best first: the edits in words, the repaired claim's LaTeX with the changed parts coloured */
  readonly items: readonly { readonly words: string; readonly latex: string; readonly verdict: Verdict }[];
}

export interface ChainStepView {
  readonly step: number;
  readonly relation: string;
  readonly by: string;
  readonly claim: ClaimView;
}

export interface ChainView {
  readonly id: string;
  readonly label: string;
  readonly source: string | null;
  readonly number: string | null;
  /** the whole chain as aligned LaTeX, each line marked with its step number */
  readonly latex: string;
  readonly steps: readonly ChainStepView[];
  readonly outcome: string;
  /** the weakest step's verdict: the strength of the chain's conclusion */
  readonly verdict: Verdict;
}

export interface PlotView {
  readonly request: PlotRequest;
  readonly svg: string;
  readonly caption: readonly Inline[] | null;
}

export type Block =
  | { readonly kind: 'prose'; readonly paragraphs: readonly (readonly Inline[])[] }
  | { readonly kind: 'claim'; readonly claim: ClaimView }
  | { readonly kind: 'chain'; readonly chain: ChainView }
  | { readonly kind: 'plot'; readonly plot: PlotView };

export interface SectionView {
  readonly heading: string;
  readonly blocks: readonly Block[];
}

export interface DocumentView {
  readonly title: string;
  readonly file: string;
  readonly source: string | null;
  readonly model: string;
  /** the model's equations and loss, as LaTeX */
  readonly equations: readonly string[];
  readonly intro: readonly (readonly Inline[])[];
  readonly sections: readonly SectionView[];
  readonly summary: string;
  /** a derivation with chains reads as a worked solution */
  readonly isSolution: boolean;
}

/** The author's prose as paragraphs of text and math (the loader checked every formula renders: load-document.ts). */
function proseOf(p: Prose | null): Inline[][] {
  return p ? inlines(p.text) : [];
}

/** "eq. (3)" → "3": the source's own equation number, to tag the source formula with. */
function equationNumber(label: string | null): string | null {
  const m = /^eq(?:uation)?s?\.?\s*\(([^()]{1,12})\)/i.exec(label ?? '');
  return m ? m[1]! : null;
}

function counterexampleView(cx: Counterexample, relation: '<' | '>'): CounterexampleView {
  const env = (r: Readonly<Record<string, number>>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} = ${v}`)
      .join(', ');
  const facts: [string, string][] = [
    ['instance', `${cx.instance} (seed ${cx.instanceSeed}, master seed ${cx.masterSeed})`],
    ['regime', cx.regime],
    ['sizes', env(cx.sizes)],
  ];
  if (Object.keys(cx.bindings).length) facts.push(['at', env(cx.bindings)]);
  facts.push(
    ['‖lhs‖', num(cx.lhsNorm)],
    ['‖rhs‖', num(cx.rhsNorm)],
    ['relative error', `${num(cx.relError)} (${cx.compared})`],
  );
  if (cx.exactTie) facts.push(['exact tie', exactTieText(relation)]);
  if (cx.offKinkTie) facts.push(['off a kink', offKinkTieText]);
  if (cx.unsettled)
    facts.push(['precision', `float64 only: extended precision could not evaluate it (${cx.unsettled})`]);
  const entries = cx.lhs.map((l, i) => ({
    lhs: cx.extended?.lhs[i] ?? num(l),
    rhs: cx.extended?.rhs[i] ?? num(cx.rhs[i] ?? NaN),
  }));
  return {
    facts,
    entries,
    entriesShown: cx.entries > cx.lhs.length ? `the first ${cx.lhs.length} of ${cx.entries} entries` : 'all entries',
    replay: replayCommand(cx),
  };
}

function proofViews(d: Derivation, claim: Claim, r: ClaimResult): ProofView[] {
  const out: ProofView[] = [];
  if (r.proof)
    out.push({
      title: 'proof by induction on t',
      ok: r.proof.ok,
      latex: r.proof.ok ? proofLatex(d, r.proof) : null,
      steps: r.proof.steps.map((s) => ({
        rule: s.rule,
        name: ruleName(s),
        text: s.ok ? stepStatement(s) : stepDetail(s),
        ok: s.ok,
      })),
      failure: null,
    });
  const bound = r.evidence.find((e) => e.kind === 'bound-proof');
  if (r.boundProof && bound?.kind === 'bound-proof')
    out.push({
      // a claim written strict is proved only as its non-strict relation (its verdict says what that leaves open)
      title: `bound by checked rules${r.strict ? ' (the non-strict bound: no proof of the strict one)' : ''}${r.boundProof.ok && !r.boundProof.steps.length ? ': the two sides are the same expression' : ''}`,
      ok: r.boundProof.ok,
      latex: r.boundProof.ok && r.boundProof.steps.length ? boundProofLatex(d, claim, r.boundProof) : null,
      steps: r.boundProof.steps.map((s) => ({
        rule: s.rule,
        name: BOUND_RULE_TEXT[s.rule].name,
        text: BOUND_RULE_TEXT[s.rule].statement,
        ok: true,
      })),
      failure: r.boundProof.ok ? null : boundSummary(bound),
    });
  return out;
}

/** A LaTeX text's names and numbers (\\tau, t, 12): what a reader tells apart. */
const latexTokens = (s: string): string[] => s.match(/\\[A-Za-z]+|[A-Za-z0-9]+/g) ?? [];

/**
 * `t ∈ {lo, …, hi}`; where a bound reads a name the variable prints as — the 2019 post writes its last step t, and its
 * claims hold for every t in 1..T, which read "t ∈ {1, …, t}" — the last step is written in words.
 */
function quantifierLatex(q: Quantifier, w: LatexWriter): string {
  const v = w.variable(q.name);
  const [lo, hi] = [w.index(q.lo), w.index(q.hi)];
  const own = latexTokens(v);
  const clash = (bound: string) => own.length === 1 && latexTokens(bound).includes(own[0]!);
  if (!clash(lo) && !clash(hi)) return `${v} \\in \\{${lo}, \\dots, ${hi}\\}`;
  const inWords = (a: Affine, printed: string) =>
    affineVars(a).join() === HORIZON && a.terms[HORIZON] === 1
      ? `\\text{the last step}${a.c < 0 ? ` - ${-a.c}` : a.c > 0 ? ` + ${a.c}` : ''}`
      : printed;
  return `${inWords(q.lo, lo)} \\le ${v} \\le ${inWords(q.hi, hi)}`;
}

/** The weakest verdict of a list (VERDICTS is strongest first). */
function weakest(vs: readonly Verdict[]): Verdict {
  return vs.reduce((a, b) => (VERDICTS.indexOf(b) > VERDICTS.indexOf(a) ? b : a), 'proved' as Verdict);
}

export interface DocumentInput {
  readonly derivation: Derivation;
  readonly results: readonly ClaimResult[];
  /** rendered plots, by request */
  readonly plots: ReadonlyMap<PlotRequest, string>;
}

export function buildDocument({ derivation: d, results, plots }: DocumentInput): DocumentView {
  const claimById = new Map(d.claims.map((c) => [c.id, c]));
  const resultById = new Map(results.map((r) => [r.id, r]));
  const labelOf = (id: string) => claimById.get(id)?.label ?? id;
  const correctedBy = new Map<string, ClaimResult[]>();
  for (const r of results) if (r.corrects) correctedBy.set(r.corrects, [...(correctedBy.get(r.corrects) ?? []), r]);
  const w = latexWriterFor(d);

  const quantifiers = (c: Claim) => c.forall.map((q) => quantifierLatex(q, w)).join(',\\ ');

  const claimView = (r: ClaimResult): ClaimView => {
    const c = claimById.get(r.id)!;
    return {
      id: r.id,
      label: r.label ?? r.id,
      verdict: r.verdict,
      expected: r.expected,
      ok: r.ok,
      source: c.sourceText,
      number: equationNumber(c.label),
      latex: claimLatex(d, c),
      statement: r.statement,
      forall: c.forall.length ? quantifiers(c) : null,
      note: r.note,
      corrects: r.corrects ? { id: r.corrects, label: labelOf(r.corrects) } : null,
      correctedBy: (correctedBy.get(r.id) ?? []).map((x) => ({ id: x.id, label: x.label ?? x.id, verdict: x.verdict })),
      evidence: r.evidence.map((e) => ({ method: evidenceMethod(e), summary: evidenceSummary(e) })),
      reason: r.reason ? reasonText(r.reason) : null,
      counterexample: r.counterexample
        ? counterexampleView(r.counterexample, evidenceOf(r.evidence, 'strict')?.relation ?? '<')
        : null,
      proofs: proofViews(d, c, r),
      repairs: r.repairs
        ? {
            summary: repairSearchSummary(r.repairs),
            items: r.repairs.repairs.map((x) => ({
              words: repairWords(x),
              latex: repairLatex(d, x),
              verdict: x.verdict,
            })),
          }
        : null,
    };
  };

  const chainView = (id: string): ChainView => {
    const steps = results.filter((r) => r.chain?.id === id).sort((a, b) => a.chain!.step - b.chain!.step);
    const claims = steps.map((s) => claimById.get(s.id)!);
    const rel = (r: string) => (r === '=' ? '=' : r === '<=' ? '\\le' : '\\ge');
    const lines = claims.map(
      (c, i) =>
        `${i === 0 ? w.expr(c.lhs) : ''} &${rel(c.relation)} ${w.expr(c.rhs)} \\qquad \\text{step ${c.chain!.step}}`,
    );
    const first = claims[0]!;
    if (first.forall.length) lines.push(`&\\text{for } ${quantifiers(first)}`);
    return {
      id,
      label: first.label?.replace(/, step 1 \(.*$/s, '') ?? id,
      source: first.sourceText,
      number: equationNumber(first.label),
      latex: `\\begin{aligned}\n${lines.join(' \\\\\n')}\n\\end{aligned}`,
      steps: steps.map((s, i) => ({
        step: s.chain!.step,
        relation: claims[i]!.relation,
        by: s.chain!.by,
        claim: claimView(s),
      })),
      outcome: chainOutcome(steps),
      verdict: weakest(steps.map((s) => s.verdict)),
    };
  };

  // A block per claim id or chain id; steps of a chain named one by one are shown as claims.
  const chainIds = new Set(d.claims.flatMap((c) => (c.chain ? [c.chain.id] : [])));
  const blockFor = (id: string): Block | null => {
    if (chainIds.has(id) && !claimById.has(id)) return { kind: 'chain', chain: chainView(id) };
    const r = resultById.get(id);
    return r ? { kind: 'claim', claim: claimView(r) } : null;
  };
  const shown = new Set<string>();
  const blocksFor = (ids: readonly string[]): Block[] =>
    ids.flatMap((id) => {
      shown.add(id);
      for (const c of d.claims) if (c.chain?.id === id) shown.add(c.id);
      const b = blockFor(id);
      return b ? [b] : [];
    });
  const plotBlock = (p: PlotRequest): Block[] => {
    const svg = plots.get(p);
    return svg === undefined
      ? []
      : [{ kind: 'plot', plot: { request: p, svg, caption: proseOf(p.caption)[0] ?? null } }];
  };

  const sections: SectionView[] = [];
  for (const s of d.document?.sections ?? [])
    sections.push({
      heading: s.heading,
      blocks: [
        ...(s.prose ? [{ kind: 'prose', paragraphs: proseOf(s.prose) } as const] : []),
        ...blocksFor(s.claims),
        ...s.plots.flatMap(plotBlock),
        ...(s.after ? [{ kind: 'prose', paragraphs: proseOf(s.after) } as const] : []),
      ],
    });
  // Every checked claim is shown: what no section names, in file order (a chain once, as a chain).
  const rest: string[] = [];
  for (const c of d.claims) {
    const id = c.chain ? c.chain.id : c.id;
    if (!shown.has(c.id) && !shown.has(id) && !rest.includes(id)) rest.push(id);
  }
  if (rest.length) sections.push({ heading: d.document ? 'Further claims' : 'Claims', blocks: blocksFor(rest) });

  const held = results.filter((r) => r.ok).length;
  const tally = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  const verdicts = VERDICTS.filter((v) => tally(v) > 0)
    .map((v) => `${tally(v)} ${v}`)
    .join(', ');
  return {
    title: d.title,
    file: d.file,
    source: d.source,
    model: d.model.name,
    equations: [
      ...d.model.equations.map((e) => `${w.expr(seq(e.target, affineVar(TIME_VAR)))} = ${w.expr(e.rhs)}`),
      ...(d.model.loss ? [`${w.name(d.model.loss.name)} = ${w.expr(d.model.loss.rhs)}`] : []),
    ],
    intro: proseOf(d.document?.intro ?? null),
    sections,
    summary: `${count(results.length, 'claim')} checked: ${verdicts}; ${held} with the verdict the file expects${held < results.length ? `, ${results.length - held} not` : ''}.`,
    isSolution: chainIds.size > 0,
  };
}
