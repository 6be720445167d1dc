/**
 * The words of the evidence: each record's method name and one-line summary,
 * and the sentence for an unverifiable verdict's reason. Written from the
 * data alone (src/check/evidence.ts); nothing here decides anything.
 */
import type { Evidence, SymbolicEvidence, Undecided } from '../check/evidence.js';
import type { ClaimWarning } from '../check/result.js';
import type { ExtendedValues } from '../check/compare.js';
import type { RegimeExcess } from '../numeric/adversarial.js';
import type { UnverifiableReason } from '../check/verdict.js';
import type { IntEnv } from '../ir/affine.js';
import { REGIMES } from '../derivation/derivation.js';
import { LOST_DIGITS_MARGIN, OVERFLOW, UNDERFLOW } from '../numeric/reference-check.js';
import { INDUCTION_RULE_TEXT, ruleName, stepDetail, stepStatement } from './proof-text.js';
import { boundSummary, roundingResiduesText } from './bound-text.js';
import { count } from './count.js';

/** Why float64 could not decide a point, as the extended-precision evidence counts them (points …). */
const LOOK_ORIGIN: Record<ExtendedValues['was'], string> = {
  trouble: 'that overflowed or underflowed in float64',
  'near-tolerance': 'within rounding distance of the tolerance',
  zero: 'exactly 0 on both sides in float64',
  'one-zero': 'differing only where one side is exactly 0 in float64',
  'lost-digits': 'within reach of the digits values lost on the way to subnormals or cancellation',
};

export const describeEnv = (env: IntEnv): string =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

const exp1 = (x: number) => x.toExponential(1);

/** The sizes the instances took, each from its smallest to its largest value (`d = 2..5, T = 3..9`; one value alone). */
export function sizesSpanned(instances: readonly { readonly sizes: IntEnv }[]): string {
  const span = new Map<string, { lo: number; hi: number }>();
  for (const { sizes } of instances)
    for (const [name, v] of Object.entries(sizes)) {
      const s = span.get(name);
      span.set(name, s ? { lo: Math.min(s.lo, v), hi: Math.max(s.hi, v) } : { lo: v, hi: v });
    }
  return [...span].map(([name, { lo, hi }]) => `${name} = ${lo === hi ? lo : `${lo}..${hi}`}`).join(', ');
}

/** The expected verdict, or the words for a claim that states none. */
export const expectationText = (expected: string | null): string => expected ?? 'no expectation';

export function warningText(w: ClaimWarning): string {
  switch (w.kind) {
    case 'loose-tolerance':
      return `tolerance ${w.tolerance} is loose (≥ ${w.threshold}): sides that differ by that much relative error count as agreeing, so a wrong claim can pass`;
    case 'empty-range':
      return `claim '${w.claim}': ${w.range} is empty at every binding (its upper bound is below its lower one everywhere), so it is the empty product (identity) or sum (zero) throughout — bounds reversed?`;
  }
}

export function evidenceMethod(e: Evidence): string {
  switch (e.kind) {
    case 'reference':
      return 'exact reference';
    case 'distance':
      return 'distance by regime';
    case 'dual-vs-adjoint':
      return 'dual numbers vs adjoints';
    case 'finite-differences':
      return 'finite differences';
    case 'trouble':
      return 'numeric trouble';
    case 'symbolic':
      return e.level === 'unit' ? 'symbolic (unit level)' : 'symbolic';
    case 'guided-search':
      return e.aim === 'no-closed-form'
        ? 'search at the smallest sizes (no closed form to compare)'
        : 'search guided by the symbolic difference';
    case 'search':
      return 'adversarial search';
    case 'extended-precision':
      return 'extended precision';
    case 'induction':
      return 'proof by induction on t';
    case 'bound-proof':
      return 'bound by checked rules';
    case 'strict':
      return 'strict relation';
    case 'premise':
      return 'premise';
  }
}

function undecidedText(u: Undecided, level: 'matrix' | 'unit'): string {
  switch (u.why) {
    case 'unsupported':
      return `${level === 'unit' ? 'no exact expansion' : 'no closed form'}: ${u.message}`;
    case 'too-large':
      return `${u.message} at ${describeEnv(u.at)}; the randomized test in ℤ_p ${u.randomAgrees ? 'agrees' : 'disagrees'} there (not an exact identity)`;
    case 'random-agrees':
      return `canonical forms differ at ${describeEnv(u.at)} but agree at random points in ℤ_p: undecided`;
    case 'random-disagrees':
      return `identical for ${u.range}, yet the randomized test at T = ${u.T} disagrees: undecided`;
    case 'no-binding':
      return `no binding with T ≤ ${u.maxT}`;
  }
}

function symbolicText(e: SymbolicEvidence): string {
  const beyond = e.violationsBeyondItsSizes;
  // identical forms beside violations at sizes their check did not reach: the refutation stands, and says so
  const text = identicalOrNotText(e);
  const residues = e.roundingResiduesDecided;
  // (identical forms are plural: "they decide")
  const decided = residues
    ? `; they ${roundingResiduesText(residues, ' at these sizes').replace(/^decides/, 'decide')}`
    : '';
  return beyond
    ? `${text}${decided}; the ${beyond === 1 ? 'violation lies' : `${beyond} violations lie`} at sizes past these, which the exact check does not reach`
    : `${text}${decided}`;
}

function identicalOrNotText(e: SymbolicEvidence): string {
  const o = e.outcome;
  switch (o.status) {
    case 'identical': {
      const unfolded = o.unfolded.length
        ? ` with ${o.unfolded.join(', ')} written out by ${o.unfolded.length > 1 ? 'their equations' : 'its equation'}`
        : '';
      const derivatives = o.derivatives?.length
        ? `; ${o.derivatives.join(', ')} by the closed form${o.derivatives.length > 1 ? 's' : ''} the engine derives, activation derivatives by the model's rules`
        : '';
      if (e.level === 'unit')
        return `identical for ${o.range}, every binding (${o.cases} cases): exact polynomials${unfolded}, ∂h/∂w by forward mode over the model's equations${derivatives}`;
      const random = o.random;
      const spread =
        random && random.bindings.some((b) => Object.keys(b).length)
          ? ` for ${random.bindings.length} bindings from ${describeEnv(random.bindings[0]!)} to ${describeEnv(random.bindings[random.bindings.length - 1]!)}`
          : '';
      const zp = random && `randomized test in ℤ_p (p = ${random.prime}, ${random.trials} trials)`;
      const randomText = !random
        ? ''
        : !random.opaque
          ? `; ${zp} agrees at T = ${random.T}${spread}`
          : random.opaque === random.bindings.length
            ? `; at T = ${random.T}${spread}, identical with derivatives opaque as at every binding above (exact; no randomized test)`
            : `; at T = ${random.T}${spread}: ${random.opaque} identical with derivatives opaque as at every binding above, the other ${random.bindings.length - random.opaque} by a ${zp}, which agrees`;
      const exact = o.randomOnly
        ? `exact canonical forms of the derived closed forms${unfolded} at ${o.cases - (o.repeated ?? 0) - o.randomOnly.cases}; at the other ${o.randomOnly.cases}, from ${describeEnv(o.randomOnly.from)} on, the expansion exceeds ${o.randomOnly.words} words and the randomized identity test in ℤ_p decides`
        : `exact canonical forms of the derived closed forms${unfolded}`;
      const opaque = o.opaqueDerivatives
        ? ` (${o.opaqueDerivatives} of them with every derivative an opaque matrix: an identity for any value of the derivatives)`
        : '';
      const partly = o.blockProductsOpaque
        ? ` (${o.blockProductsOpaque} of them with the derivatives whose closed forms are block products as opaque matrices, the others written out: an identity for any value of those)`
        : '';
      const rewrites = [
        o.throughLossRead
          ? `∇_x L = Σ_i (∂y_i/∂x)ᵀ ∇_{y_i} L over the values y_i the loss reads, in ${o.throughLossRead}`
          : '',
        o.throughReads ? `∂a/∂x = Σ_p (∂a/∂p)(∂p/∂x) over the values p a's equation reads, in ${o.throughReads}` : '',
        o.throughChildren
          ? `∇_x L = Σ_c (∂c/∂x)ᵀ ∇_c L over the states c that read x (one step of the backward recurrence), in ${o.throughChildren}`
          : '',
        o.throughReaders
          ? `∇_x L = Σ_c (∂c/∂x)ᵀ ∇_c L over the values c whose equations read x, stepped until every ∇_c L is one the other side names, in ${o.throughReaders}`
          : '',
        o.throughStates
          ? `∂a_τ/∂x = Σ_s (∂a_τ/∂s_{τ−1})(∂s_{τ−1}/∂x) over the states s at the step before a's, in ${o.throughStates}`
          : '',
        o.throughStatesUnrolled
          ? `the same step through the states applied again to each ∂a_{τ−1}/∂x of a's own sequence, down to the one-step factors ∂a_{σ+1}/∂x_σ, in ${o.throughStatesUnrolled}`
          : '',
        o.throughChildrenUnrolled
          ? `∇_{x_τ} L unrolled to the horizon, Σ_{j=τ}^{T} (∏_{l=τ+1}^{j} A_lᵀ) b_j for a state whose only later child is itself (A_l = ∂x_l/∂x_{l−1}, b_j its own step's children's terms), in ${o.throughChildrenUnrolled}`
          : '',
      ].filter(Boolean);
      const rewritten = rewrites.length ? ` (written first by the chain rule: ${rewrites.join('; ')})` : '';
      const repeated = o.repeated ? `; ${o.repeated} of them the same two forms as at a smaller T, compared there` : '';
      return `identical for ${o.range}, every binding (${o.cases} cases${repeated}): ${exact}${opaque}${partly}${rewritten}${randomText}`;
    }
    case 'different':
      return e.level === 'unit'
        ? `not identical at ${describeEnv(o.at)}: exact polynomials in the weights, inputs and activation derivatives differ`
        : `not shown identical: the closed forms differ at ${describeEnv(o.at)} as formal expressions (exact canonical forms and ℤ_p; atoms related through the model's equations could still make them equal)`;
    case 'undecided':
      return undecidedText(o.undecided, e.level);
  }
}

export function evidenceSummary(e: Evidence): string {
  switch (e.kind) {
    case 'reference': {
      const perRegime = new Map<string, number>();
      for (const i of e.instances) perRegime.set(i.regime, (perRegime.get(i.regime) ?? 0) + 1);
      const regimes = [...perRegime].map(([r, n]) => `${n} ${r}`).join(', ');
      const sizes = sizesSpanned(e.instances);
      return `${e.agreed}/${e.points} points agree within ${e.tolerance} on ${e.instances.length} instances (${regimes})${sizes ? ` at ${sizes}` : ''}`;
    }
    case 'distance':
      return e.byRegime
        .map((r) => `${r.regime}: median ${exp1(r.median)}, max ${exp1(r.max)} (${r.points} points)`)
        .join('; ');
    case 'dual-vs-adjoint':
      return `${e.checks - e.failures.length - (e.lostDigits?.checks ?? 0)}/${e.checks} derivative checks agree (worst ${exp1(e.worstRelError)}, tolerance ${e.tolerance})${e.lostDigits ? `; ${e.lostDigits.checks} set aside: apart by up to ${exp1(e.lostDigits.worstRelError)}, within ${LOST_DIGITS_MARGIN} times the digits their sweeps lost on the way (relative precision ${exp1(e.lostDigits.lostPrecision)})` : ''}${e.underflow ? `; ${e.underflow} set aside: the derivative below ${UNDERFLOW} (subnormal rounding)` : ''}${e.overflow ? `; ${e.overflow} set aside: the derivative beyond ${OVERFLOW} in both modes (the sweeps overflowed)` : ''}`;
    case 'finite-differences':
      return e.resolved === 0
        ? `unverifiable by finite differences: all ${e.checks} checks below the FD noise floor`
        : `${e.resolved - e.failures.length}/${e.resolved} resolved checks agree with the reference (worst ${exp1(e.worstRelError ?? 0)}); ${e.checks - e.resolved} below the noise floor${e.nonFinite ? ` (${e.nonFinite} of them non-finite)` : ''}`;
    case 'trouble':
      return `${e.points} points not compared: ${e.reasons.map((r) => `${r.count} × ${r.reason}`).join('; ')}`;
    case 'symbolic':
      return symbolicText(e);
    case 'guided-search': {
      const drawn = e.violations - (e.probe?.violations ?? 0);
      const probe = e.probe
        ? `; from them, ${e.probe.constructions} structured constructions beyond the regimes (saturated units, laws 8× as wide, inputs far out) ${e.probe.violations ? `violate it at ${e.probe.violations} points` : 'agree too'}`
        : '';
      return `instances at ${describeEnv(e.sizes)} ${drawn ? 'violate the claim' : 'agree too'}${probe}${undecidedSuffix(e)}`;
    }
    case 'search':
      return searchSummary(e);
    case 'extended-precision': {
      const none = { agree: 0, violate: 0 };
      const byOrigin: [ExtendedValues['was'], { agree: number; violate: number }][] = [
        ['trouble', e.fromTrouble],
        ['near-tolerance', e.nearTolerance],
        ['zero', e.fromZero ?? none],
        ['one-zero', e.fromOneZero ?? none],
        ['lost-digits', e.fromLostDigits ?? none],
      ];
      const parts = byOrigin
        .filter(([, c]) => c.agree + c.violate > 0)
        .map(([was, c]) => `${c.agree + c.violate} ${LOOK_ORIGIN[was]} (${c.agree} agree, ${c.violate} violate)`);
      const total = byOrigin.reduce((n, [, c]) => n + c.agree + c.violate, 0);
      const [wide, intervals, deep] = [e.wideFloat ?? 0, e.intervals ?? 0, e.deepDecimals?.points ?? 0];
      const rest = total - intervals;
      const used = [
        { what: 'float64 mantissas', points: wide },
        { what: `${e.digits}-digit decimals`, points: rest - wide - deep },
        { what: `${e.deepDecimals?.digits}-digit decimals`, points: deep },
      ].filter((u) => u.points > 0);
      const how =
        used.length <= 1
          ? (used[0]?.what ?? `${e.digits}-digit decimals`)
          : used.map((u) => `${u.what} (${u.points})`).join(' or ');
      const extended = `${how} and an unbounded exponent`;
      const enclosed = 'interval enclosures (float64 bounds rounded outward)';
      const by =
        intervals === 0
          ? `with ${extended}`
          : rest === 0
            ? `by ${enclosed}`
            : `by ${enclosed} (${intervals}) or with ${extended} (${rest})`;
      const decided = total ? [`${parts.join('; ')}: decided again ${by}`] : [];
      const unsettled = (e.unsettled ?? []).map(
        (u) => `${u.points} ${LOOK_ORIGIN[u.was]} not decided again (${u.why}): their float64 outcome stands`,
      );
      return [...decided, ...unsettled].join('; ');
    }
    case 'induction': {
      if (e.ok)
        return `${e.steps.length} rule applications checked with t symbolic (base case, recurrence from the model, hypothesis, distribute, reindex the path, shift k, split off k = 0)`;
      const failed = e.steps.find((s) => !s.ok)!;
      return `fails at '${INDUCTION_RULE_TEXT[failed.rule].name}': ${stepDetail(failed)}`;
    }
    case 'bound-proof':
      return boundSummary(e);
    case 'strict': {
      const nonStrict = `${e.relation}=`;
      const where = strictTiesWhere(e.ties, e.points, e.searchedTies);
      const exact = e.exactTies
        ? `written '${e.relation}', checked as '${nonStrict}': interval enclosures prove the sides exactly equal at ${count(e.exactTies, 'point')}, where '${e.relation}' fails`
        : '';
      if (exact) return where ? `${exact}; elsewhere they are equal within ${e.tolerance} ${where}` : exact;
      return where
        ? `written '${e.relation}', checked as '${nonStrict}': the sides are equal within ${e.tolerance} ${where}, where floating point cannot tell '${e.relation}' from its equality case`
        : `written '${e.relation}', checked as '${nonStrict}': at all ${e.points} agreeing points the sides are apart by more than ${e.tolerance} (closest ${exp1(-e.closest)} apart, relative to the larger), and at every point the search evaluated; a proof of '${nonStrict}' is no proof of '${e.relation}'`;
    }
    case 'premise': {
      const routes = [
        e.rescaled ? `${e.rescaled} after rescaling the premise's parameters` : '',
        e.searched ? `${e.searched} after a search on the violation` : '',
      ].filter(Boolean);
      const drawn = `${e.draws} instances drawn${routes.length ? `; ${routes.join(', ')}` : ''}`;
      return e.satisfied
        ? `${e.text}: held on ${e.satisfied} of ${e.slots} instance slots (${drawn}); only those are checked`
        : `${e.text}: held on no instance (${drawn}, each rescaled and searched); nothing was checked`;
    }
  }
}

/** The proof's steps as lines: ✓/✗, the rule's name, and what it established or what failed. */
export function proofLines(e: Extract<Evidence, { kind: 'induction' }>): string[] {
  return e.steps.map((s) => `${s.ok ? '✓' : '✗'} ${ruleName(s)}: ${s.ok ? stepStatement(s) : stepDetail(s)}`);
}

export function reasonText(r: UnverifiableReason): string {
  switch (r.why) {
    case 'reference-broken':
      return `the exact reference failed its own cross-check at ${r.points} point(s) (${r.derivative}); no verdict can rest on it`;
    case 'no-point':
      return 'no point to compare: the quantifier ranges are empty on every instance';
    case 'premise-never-held':
      return `no instance satisfies the premise ${r.premise} (${r.draws} drawn, each rescaled and searched): nothing was checked`;
    case 'trouble-everywhere':
      return 'no point could be compared (numeric trouble everywhere)';
    case 'trouble-dominates':
      return `numeric trouble at ${r.troubled} of ${r.points} points outweighs the ${r.agreed} that agree`;
    case 'violations-undecided': {
      const searched = r.searched ?? 0;
      const random = r.violations - searched;
      const where = [
        random ? `${random} of ${r.points} points` : '',
        searched ? `${searched} ${searched === 1 ? 'point' : 'points'} a search evaluated` : '',
      ].filter(Boolean);
      // (in float64, or in extended precision where float64's agreement could not be vouched for: both sides exactly 0)
      return `the claim came out violated at ${where.join(' and at ')}, and nothing could decide ${r.violations === 1 ? 'it' : 'them'} again (digits lost on the way, or an exact 0 that may be an underflow): the agreements elsewhere do not outvote them`;
    }
    case 'engines-disagree':
      return 'numerically refuted, yet the derived closed forms are identical: one of the two engines is wrong';
    case 'bound-contradicted':
      return 'numerically refuted, yet a chain of checked rules proves the bound: a rule or the reference is wrong';
    case 'strict-ties':
      return `written strict ('${r.relation}'): the sides are equal within the tolerance ${strictTiesWhere(r.ties, r.points, r.searched)}, where floating point cannot tell the strict relation from its equality case`;
  }
}

/** A counterexample to a strict claim at an exact tie (Counterexample's exactTie), in words. */
export const exactTieText = (relation: '<' | '>'): string =>
  `the sides are exactly equal here (interval enclosures prove it), where the claim says '${relation}'`;

/** A counterexample found off a kink's tie (Counterexample's offKinkTie), in words. */
export const offKinkTieText =
  "the search's instance put a kink at its exact tie, where the derivative is a convention (½); shown here with every value nudged by 1e-9·(|v| + 1) off it, where the claim fails with derivatives that exist";

/** Where a strict claim's sides were found equal: at random points, at points the search evaluated; '' where nowhere. */
function strictTiesWhere(ties: number, points: number, searched = 0): string {
  const random = ties ? `at ${ties} of ${points} agreeing points` : '';
  const bySearch = searched
    ? `at ${searched} ${searched === 1 ? 'point' : 'points'} the adversarial search evaluated`
    : '';
  return [random, bySearch].filter(Boolean).join(' and ');
}

/** The adversarial search in words: where it looked (inside the regimes, then beyond them), how hard, and what it found. */
function searchSummary(e: Extract<Evidence, { kind: 'search' }>): string {
  const summary = searchEffortSummary(e);
  return e.crossCheckOfProof === undefined
    ? summary
    : `a cross-check of the proof (${Math.round(e.crossCheckOfProof * 100)} % of the search budget): ${summary}`;
}

function searchEffortSummary(e: Extract<Evidence, { kind: 'search' }>): string {
  const ratio = e.relation === '<=' ? 'lhs/rhs' : 'rhs/lhs';
  const tightest = (r: number | null) => `tightest ${ratio} ${r === null ? '—' : r.toPrecision(4)}`;
  const effort = (p: { evaluations: number; starts: number; constructions: number; outsidePremise?: number }) =>
    `${p.evaluations} evaluations from ${p.starts} starts (${p.constructions} structured constructions${p.outsidePremise ? `; ${p.outsidePremise} outside the premise, not evaluated` : ''})`;
  const all = e.regimes.length === REGIMES.length;
  const where = all ? 'inside the regimes' : `inside the claim's regimes (${e.regimes.join(', ')})`;
  const b = e.beyond;
  const inside =
    e.found && !b?.found
      ? `a violation found ${where} in ${effort(e)}`
      : `no violation ${where} in ${effort(e)}, ${tightest(e.bestRatio)}${undecidedSuffix(e)}`;
  if (!b) return all ? inside : `${inside}; not searched beyond them (the claim is stated for those regimes only)`;
  if (e.found && !b.found) return inside;
  const extreme = b.extremeCapTimes
    ? `; beside each path, every recurrent matrix also 0 and ${b.extremeCapTimes.map((t) => `${t}×`).join(' and ')} that`
    : '';
  const vanishing = b.vanishing
    ? `; beside each path, ${b.vanishing.names.join(', ')} also 0, each alone at its end with the others 0, and ${b.vanishing.scale} times the start's with every other recurrent matrix ${b.vanishing.capTimes}× the cap${b.vanishing.nilpotent ? `, and each square recurrent one nilpotent at the cap with the others at ${b.vanishing.scale} times the start's` : ''}`
    : '';
  const far = b.farOut;
  const farStates = far?.states.length
    ? `the initial ${far.states.join(', ')} also ${far.times.map((t) => `${t}×`).join(' and ')} the edge of the box`
    : '';
  const farWeights = far?.inputWeights
    ? `at the peak every input weight also ${far.times[0]}× the edge of its box`
    : '';
  const farInputs = far?.lastInputs?.length
    ? `at the peak with the gates' input weights 0, the last ${far.lastInputs.join(', ')} also ${far.times.map((t) => `${t}×`).join(' and ')} the edge of the box`
    : '';
  const farOut =
    farStates || farWeights || farInputs
      ? `; beside each path, ${[farStates, farWeights, farInputs].filter(Boolean).join(', and ')}`
      : '';
  const nearZero = b.nearZero
    ? `; beside each path, at each gate setting the last ${b.nearZero.inputs.join(', ')} also ${b.nearZero.times.map((t) => `${t}×`).join(' and ')} the start's`
    : '';
  const domain = `every law ${b.gain}× as wide as its widest in the regimes, recurrent spectral norms up to ${b.gain}× the largest regime's${extreme}${vanishing}${farOut}${nearZero}`;
  return b.found
    ? `${inside}; a violation found beyond the regimes (${domain}) in ${effort(b)}`
    : `${inside}; none beyond the regimes (${domain}) in ${effort(b)}, ${tightest(b.bestRatio)}${undecidedSuffix(b)}`;
}

/**
 * A search's violations float64 found that nothing could decide again, and its points whose sides differ only by
 * rounding's residue, in words (nothing when there are none).
 */
const undecidedSuffix = (e: {
  readonly undecidedViolations?: number;
  readonly roundingResidues?: number;
  readonly kinkTies?: number;
}): string =>
  (e.undecidedViolations
    ? `; a violation at ${e.undecidedViolations} ${e.undecidedViolations === 1 ? 'point' : 'points'} there that nothing could decide again`
    : '') +
  (e.roundingResidues
    ? `; at ${e.roundingResidues} ${e.roundingResidues === 1 ? 'point' : 'points'} there the sides differ by no more than rounding leaves (no evidence either way)`
    : '') +
  (e.kinkTies
    ? `; a violation at ${e.kinkTies} ${e.kinkTies === 1 ? 'point' : 'points'} there only at a kink's exact tie, set aside (no nudge of every value by 1e-9 repeats it; the sweeps take ½ there, a convention, not a derivative)`
    : '');

/** Where a counterexample found beyond the regimes lies: the magnitudes no regime draws, each beside the regimes' largest. */
export function beyondRegimesText(excesses: readonly RegimeExcess[]): string {
  const num = (x: number) => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(3));
  const parts = excesses.map((x) =>
    x.measure === 'spectral-norm'
      ? `‖${x.name}‖₂ = ${num(x.value)} (the regimes: ≤ ${num(x.regimeLimit)})`
      : `${x.name} up to ${num(x.value)} from its law's mean (the regimes: ≤ ${num(x.regimeLimit)})`,
  );
  return parts.length
    ? `outside the sampled regimes: ${parts.join(', ')}`
    : 'outside the sampled regimes (no one magnitude exceeds every regime: a combination none of them draws)';
}
