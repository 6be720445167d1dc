/**
 * Numeric checking of one claim: every binding of its quantifiers on N
 * seeded instances per regime, compared against the exact reference, with
 * the reference itself cross-checked (dual vs adjoint, finite differences) at
 * sampled points. The verdict says exactly which evidence backs it.
 */
import {
  type Claim,
  type Derivation,
  type Premise,
  REGIMES,
  type RegimeName,
  type Verdict,
} from '../derivation/derivation.js';
import { HORIZON, type Model } from '../model/model.js';
import {
  type InstanceEntry,
  boundedParameters,
  entrywiseBounded,
  gatesValued,
  levelEdge,
  ownEdge,
  premiseEdges,
  type PremiseDraw,
  type PremiseRoute,
  premiseHolds,
  PremiseSampler,
} from './premise.js';
import { evidenceOf } from './evidence.js';
import { InputError } from '../derivation/errors.js';
import type { IntEnv } from '../ir/affine.js';
import { own } from '../ir/names.js';
import { Evaluator, POOL_VALUE_MEMO_ENTRIES } from '../numeric/evaluate.js';
import { chargeWork, withWorkLimit } from '../numeric/work-meter.js';
import { type KeptEntries, POOL_PRODUCT_MEMO_ENTRIES, shareOf } from '../numeric/values.js';
import { graphEntries } from '../derivation/budgets.js';
import { LIMITS } from '../ir/limits.js';
import { buildInstance, type Instance, instanceSpec } from '../numeric/instance.js';
import { norm2 } from '../numeric/linalg.js';
import {
  DUAL_ADJOINT_TOL,
  dualAdjointFails,
  dualAdjointWithinLostDigits,
  type ReferenceCheck,
} from '../numeric/reference-check.js';
import { type Point, runPoints, smaller, undecidedViolationCount, undecidedViolationsField } from './points.js';
import { symbolicCheck } from './symbolic-check.js';
import { proveUnitClosedForm } from '../symbolic/induction.js';
import { boundEvidence, boundProofFor } from './bound-check.js';
import { bindings } from './bindings.js';
import type { CrossCheckFailure, Evidence, GuidedSearchEvidence, InstanceInfo, SymbolicOutcome } from './evidence.js';
import { type ClaimResult, type ClaimWarning, claimWarnings, type Counterexample } from './result.js';
import { emptyRanges } from './empty-ranges.js';
import {
  equalityProbe,
  hasKinks,
  type ProbeOutcome,
  searchViolation,
  type SearchRequest,
  smallestSizes,
} from './search.js';
import { PointTally, tallyOf } from './point-tally.js';
import { regimeExcesses, type SearchDomain } from '../numeric/adversarial.js';
import { decideVerdict } from './verdict.js';

export { bindings };

export interface CheckOptions {
  readonly masterSeed: number;
  /** instances per regime */
  readonly instances: number;
  /** replay one instance index only */
  readonly instance?: number;
  readonly sizeOverrides?: IntEnv;
  /** bindings per instance at which the reference is cross-checked */
  readonly crossChecks?: number;
  /** instances the adversarial search of an inequality may evaluate (./search.ts); 0 turns it off */
  readonly search?: number;
  /**
   * instances it may evaluate beyond the regimes, after those inside (a claim without `regimes:`);
   * default BEYOND_SHARE of `search`
   */
  readonly beyond?: number;
  /** the work the check may do, in float64 multiply-adds (../numeric/work-meter.ts); default LIMITS.claimOperations */
  readonly workLimit?: number;
}

/**
 * The search beyond the regimes costs this share of the one inside them by default: a bounded addition
 * (62 evaluations beside 250), enough to reach violations that need a magnitude no regime draws.
 */
export const BEYOND_SHARE = 0.25;

/**
 * A bound the rules prove for every value of its indices needs no search to stand; the search still runs, as a
 * cross-check of the prover (a violation it finds makes the claim unverifiable, "bound-contradicted"), with this
 * share of both budgets: every start's constructions and first steps, shorter paths. A third of verify's CPU went
 * to searching bounds already proved.
 */
export const PROVED_SEARCH_SHARE = 0.5;

/** The evaluations of the search beyond the regimes a run allows (0 for a claim restricted to regimes). */
export function beyondBudget(claim: Claim, options: Pick<CheckOptions, 'search' | 'beyond'>): number {
  if (claim.regimes) return 0;
  return options.beyond ?? Math.round((options.search ?? 0) * BEYOND_SHARE);
}

export const DEFAULT_OPTIONS: CheckOptions = { masterSeed: 20261120, instances: 5, crossChecks: 2, search: 250 };

/** Instance pools kept for claims that narrow the file's sizes (each holds instances and memoised values). */
export const NARROWED_POOLS = 2;

/**
 * What a pool keeps of its instances at most, estimated: each graph's numbers 16 bytes (the values, the sweeps'
 * adjoints and records) and INSTANCE_OVERHEAD_BYTES. Past it the least recently drawn instance is dropped, and built
 * again (the same, from its seed; its build charged again) when a claim draws it again. Every instance was kept:
 * `--instances 10000` at d = 16, T = 60 (40 000 instances, ≈ 120 KB each) aborted out of memory at 4.9 GB (a review's).
 */
export const POOL_INSTANCE_BYTES = 2 ** 29;
/** An instance's and its evaluator's memory beyond its graph's numbers: ≈ 120 KB measured at d = 16, T = 60. */
const INSTANCE_OVERHEAD_BYTES = 128 * 1024;

interface PoolEntry {
  readonly instance: Instance;
  readonly evaluator: Evaluator;
  readonly buildWork: number;
  /** the estimate POOL_INSTANCE_BYTES is held against */
  readonly bytes: number;
  /** what its evaluator's memos keep of the pool's shared budgets, given back when it is dropped */
  readonly shares: readonly [ReturnType<typeof shareOf>, ReturnType<typeof shareOf>];
}

/** Instances (and their evaluators) are shared by all claims of a file. */
export class InstancePool {
  /** the most recently drawn last */
  private readonly pool = new Map<string, PoolEntry>();
  private bytes = 0;
  /** pools of the claim derivations (claimDerivation) narrowed from this one, the most recently used last */
  private readonly narrowed = new Map<Derivation, InstancePool>();
  /** what the evaluators' product chains keep, together (POOL_PRODUCT_MEMO_ENTRIES) */
  private readonly kept: KeptEntries;
  /** what the evaluators' value memos keep, together (POOL_VALUE_MEMO_ENTRIES) */
  private readonly keptValues: KeptEntries;
  constructor(
    readonly derivation: Derivation,
    productMemoEntries = POOL_PRODUCT_MEMO_ENTRIES,
    valueMemoEntries = POOL_VALUE_MEMO_ENTRIES,
    private readonly instanceBytes = POOL_INSTANCE_BYTES,
  ) {
    this.kept = { entries: 0, limit: productMemoEntries };
    this.keptValues = { entries: 0, limit: valueMemoEntries };
  }
  /** How many instances the pool keeps now, and what their memos keep (tests). */
  get size(): number {
    return this.pool.size;
  }
  get memoEntries(): { readonly products: number; readonly values: number } {
    return { products: this.kept.entries, values: this.keptValues.entries };
  }
  /**
   * This pool for its own derivation, else one for a claim derivation narrowed from it: the last
   * NARROWED_POOLS used are kept (a file's claims at the same sizes tend to stand together), so their
   * instances and memoised values are built once, and memory stays bounded.
   */
  forDerivation(derivation: Derivation): InstancePool {
    if (derivation === this.derivation) return this;
    let pool = this.narrowed.get(derivation);
    if (pool) this.narrowed.delete(derivation);
    else pool = new InstancePool(derivation);
    this.narrowed.set(derivation, pool);
    if (this.narrowed.size > NARROWED_POOLS) this.narrowed.delete(this.narrowed.keys().next().value!);
    return pool;
  }
  get(masterSeed: number, index: number, overrides: IntEnv) {
    const key = `${masterSeed}|${index}|${JSON.stringify(overrides)}`;
    let entry = this.pool.get(key);
    if (!entry) {
      const { value: instance, spent } = withWorkLimit(Infinity, () =>
        buildInstance(
          this.derivation.model,
          instanceSpec(this.derivation.model, masterSeed, index, REGIMES, overrides),
        ),
      );
      const shares = [shareOf(this.kept), shareOf(this.keptValues)] as const;
      const evaluator = new Evaluator(instance!.graph, instance!.sizes, true, shares[0], shares[1]);
      const pinned = new Map(Object.entries(instance!.sizes).map(([name, v]) => [name, { min: v, max: v }]));
      const bytes = 16 * graphEntries(this.derivation.model, pinned) + INSTANCE_OVERHEAD_BYTES;
      entry = { instance: instance!, evaluator, buildWork: spent, bytes, shares };
      this.keep(key, entry);
    } else {
      // Every claim that draws an instance pays for building it, built for it or for a claim before it: whether a
      // claim reaches its work limit then depends less on the claims checked before it in the same thread.
      chargeWork(entry.buildWork);
      // the most recently drawn last
      this.pool.delete(key);
      this.pool.set(key, entry);
    }
    return entry;
  }
  /** Keeps an instance, dropping the least recently drawn while the pool's estimate passes its budget (never the new one). */
  private keep(key: string, entry: PoolEntry): void {
    this.pool.set(key, entry);
    this.bytes += entry.bytes;
    for (const [oldKey, old] of this.pool) {
      if (this.bytes <= this.instanceBytes || old === entry) break;
      this.pool.delete(oldKey);
      this.bytes -= old.bytes;
      this.kept.entries -= old.shares[0].own;
      this.keptValues.entries -= old.shares[1].own;
    }
  }
}

function preview(v: Float64Array): number[] {
  return Array.from(v.slice(0, 8));
}

function counterexample(
  claim: Claim,
  file: string,
  p: Point,
  overrides: IntEnv,
  searchSteps: number | null = null,
  domain: SearchDomain = 'regime',
  probe?: Counterexample['probe'],
): Counterexample {
  const o = p.outcome;
  const sizeFlags = Object.entries(overrides).flatMap(([k, v]) => ['--size', `${k}=${v}`]);
  const beyond = (domain === 'beyond' && searchSteps !== null) || probe !== undefined;
  // A path beyond the regimes replays with the search inside them off.
  const searchFlags = !searchSteps
    ? []
    : beyond
      ? ['--search', '0', '--beyond', String(searchSteps)]
      : ['--search', String(searchSteps)];
  return {
    masterSeed: p.instance.masterSeed,
    instance: p.instance.index,
    instanceSeed: p.instance.seed,
    regime: p.instance.regime,
    sizes: p.instance.sizes,
    bindings: p.env,
    compared: o.compared,
    lhs: preview(o.lhs),
    rhs: preview(o.rhs),
    entries: o.lhs.length,
    lhsNorm: norm2(o.lhs),
    rhsNorm: norm2(o.rhs),
    relError: o.status === 'trouble' ? NaN : o.relError,
    extended: o.status !== 'trouble' && o.extended ? o.extended.apart() : null,
    ...(o.status !== 'trouble' && o.unsettled ? { unsettled: o.unsettled.why } : {}),
    ...(o.status === 'violate' && o.exactTie ? { exactTie: true as const } : {}),
    ...(o.status === 'violate' && o.offKinkTie ? { offKinkTie: true as const } : {}),
    searchSteps,
    beyondRegimes: beyond ? regimeExcesses(p.instance.graph.model, p.instance.sizes, p.instance.graph.data) : null,
    ...(probe ? { probe } : {}),
    replay: [
      file,
      '--claim',
      claim.id,
      '--seed',
      String(p.instance.masterSeed),
      '--instance',
      String(p.instance.index),
      ...sizeFlags,
      ...searchFlags,
    ],
  };
}

/** An instance for an index and sizes; null when none satisfies the claim's premise. */
type EntryGetter = (masterSeed: number, index: number, overrides: IntEnv) => InstanceEntry | null;

/** Tries the failing instance at smaller sizes (same seed) and keeps every reduction that still fails. */
function shrink(claim: Claim, model: Model, get: EntryGetter, failing: Point): { point: Point; overrides: IntEnv } {
  let best = failing;
  let overrides: Record<string, number> = {};
  const names = Object.keys(model.sizes).sort((a, b) => (a === 'T' ? 1 : b === 'T' ? -1 : a.localeCompare(b)));
  // The smallest size that fails, looked for on a ladder (every value up to min + 8, then doubling steps), within a
  // share of the claim's work: a claim false at the top of d: 2..64, T: 3..2000 tried all 2,000 smaller instances one
  // by one, each kept, and ended as a work-limit error after 136 s and 5.6 GB instead of refuted (a review).
  const trial = (sizes: IntEnv): Point | null => {
    let points: Point[];
    try {
      const entry = get(best.instance.masterSeed, best.instance.index, sizes);
      if (!entry) return null; // no instance of these sizes satisfies the premise
      points = runPoints(claim, entry, 0, null);
    } catch (err) {
      if (err instanceof InputError) return null; // the smaller instance leaves the claim's domain
      throw err;
    }
    return points.filter((p) => p.outcome.status === 'violate').sort(smaller)[0] ?? null;
  };
  withWorkLimit(SHRINK_WORK, () => {
    for (const name of names) {
      const current = own(best.instance.sizes, name)!;
      for (const v of shrinkLadder(own(model.sizes, name)!.min, current)) {
        const fails = trial({ ...best.instance.sizes, ...overrides, [name]: v });
        if (fails) {
          best = fails;
          overrides = { ...overrides, [name]: v };
          break;
        }
      }
    }
  });
  // A shrunk instance is replayed with every size fixed, so the replay does not depend on draws.
  return { point: best, overrides: Object.keys(overrides).length ? { ...best.instance.sizes } : {} };
}

/** Work the shrinking of one counterexample may spend (its share of LIMITS.claimOperations); past it, the smallest so far. */
const SHRINK_WORK = LIMITS.claimOperations / 4;

/** Sizes tried below `current`, smallest first: every value up to lo + 8, then lo + 16, lo + 32, … (at most ~20). */
export function shrinkLadder(lo: number, current: number): number[] {
  const out: number[] = [];
  for (let v = lo; v < current && v <= lo + 8; v++) out.push(v);
  for (let step = 16; lo + step < current; step *= 2) out.push(lo + step);
  return out;
}

/** Claim derivations by file derivation, then by the model they narrow and their size ranges. */
const narrowedDerivations = new WeakMap<Derivation, WeakMap<Model, Map<string, Derivation>>>();

/**
 * The file's model, or its variant (`assume:`), with the claim's narrower size ranges. Claims of a file that
 * narrow the same model to the same ranges get the same derivation, so they share its instances, memoised
 * values and symbolic model as the claims without `sizes:` share the file's (a claim's results do not depend
 * on what was checked before it on them: test/check/claim-sharing.test.ts).
 */
export function claimDerivation(fileDerivation: Derivation, claim: Claim): Derivation {
  if (!claim.sizes && !claim.assume) return fileDerivation;
  const model = claim.assume?.model ?? fileDerivation.model;
  const sizes = { ...model.sizes, ...(claim.sizes ?? {}) };
  const key = JSON.stringify(Object.entries(sizes).map(([name, r]) => [name, r.min, r.max]));
  let byModel = narrowedDerivations.get(fileDerivation);
  if (!byModel) narrowedDerivations.set(fileDerivation, (byModel = new WeakMap<Model, Map<string, Derivation>>()));
  let byRanges = byModel.get(model);
  if (!byRanges) byModel.set(model, (byRanges = new Map<string, Derivation>()));
  let derivation = byRanges.get(key);
  if (!derivation) byRanges.set(key, (derivation = { ...fileDerivation, model: { ...model, sizes } }));
  return derivation;
}

/**
 * The symbolic stage of checking a claim, which reads no instance: exact canonical forms (with the ℤ_p
 * test beside them), the induction proof of a unit-level closed form, the rule-based proof of a bound.
 * `derivation` is the claim's own (claimDerivation). bench/symbolic-stage.mjs times this alone.
 */
export function symbolicStage(derivation: Derivation, claim: Claim, masterSeed: number) {
  return {
    symbolic: symbolicCheck(derivation, claim, masterSeed),
    proof: claim.relation === '=' ? proveUnitClosedForm(derivation.model, claim.lhs, claim.rhs) : null,
    boundProof: boundProofFor(derivation, claim),
  };
}

/**
 * Where a claim is checked: the file's model, or its variant (`assume:`), with the claim's narrower size
 * ranges; instances from the pool or, with a premise, only those that satisfy it (moved toward it or
 * redrawn when needed). Deterministic: the same call rebuilds the same instances (export, shrinking).
 */
export function claimSetting(fileDerivation: Derivation, claim: Claim, filePool?: InstancePool) {
  const derivation = claimDerivation(fileDerivation, claim);
  const pool = filePool ? filePool.forDerivation(derivation) : new InstancePool(derivation);
  const sampler = claim.given ? new PremiseSampler(derivation.model, claim, claim.given, pool) : null;
  const get: EntryGetter = (seed, j, sizes) => (sampler ? sampler.get(seed, j, sizes).entry : pool.get(seed, j, sizes));
  return { derivation, pool, sampler, get };
}

/**
 * The instance a counterexample was found on, rebuilt: the drawn instance, or for one the adversarial search
 * found, that instance searched again for the same steps (the search's path from one start is replayable).
 */
export function counterexampleEntry(
  fileDerivation: Derivation,
  claim: Claim,
  cx: Counterexample,
): InstanceEntry | null {
  const { derivation, get } = claimSetting(fileDerivation, claim);
  const entry = get(cx.masterSeed, cx.instance, cx.sizes);
  if (entry && cx.probe) {
    const instance = equalityProbe(claim, entry.instance, undefined, cx.probe.index).violation?.point.instance;
    return instance ? { instance, evaluator: new Evaluator(instance.graph, instance.sizes) } : null;
  }
  if (!entry || !cx.searchSteps) return entry;
  const beyond = cx.beyondRegimes !== null;
  const search = searchViolation(claim, tallyOf(claim, entry.instance, runPoints(claim, entry, 0, null)), {
    budget: beyond ? 0 : cx.searchSteps,
    beyond: beyond ? cx.searchSteps : 0,
    regimes: claim.regimes ?? REGIMES,
    sizeRanges: derivation.model.sizes,
    overrides: cx.sizes,
    replay: true,
    draw: (j, sizes) => get(cx.masterSeed, j, sizes),
    ...premiseAdmits(claim, derivation.model),
  });
  const instance = search.violation?.point.instance;
  return instance ? { instance, evaluator: new Evaluator(instance.graph, instance.sizes) } : null;
}

/** The search's admissibility test for a claim with a premise (none without). */
const premiseAdmits = (
  claim: Claim,
  model: Model,
): Pick<
  SearchRequest,
  'admissible' | 'toPremiseEdges' | 'entrywiseBounded' | 'jointlyBounded' | 'toOwnEdge' | 'gatesValued' | 'toLevelEdge'
> =>
  claim.given
    ? {
        admissible: (entry) => premiseHolds(entry, claim.given!),
        toPremiseEdges: (entry, rebuild) => premiseEdges(entry, claim.given!, model, rebuild),
        entrywiseBounded: entrywiseBounded(model, claim.given),
        jointlyBounded: boundedParameters(model, claim.given),
        toOwnEdge: (entry, parameter) => ownEdge(entry, claim.given!, parameter),
        gatesValued: gatesValued(model, claim.given),
        toLevelEdge: (entry, atLevel) => levelEdge(entry, claim.given!, model, atLevel),
      }
    : {};

export function checkClaim(
  fileDerivation: Derivation,
  claim: Claim,
  filePool: InstancePool,
  options: CheckOptions,
): ClaimResult {
  const limit = workLimitOf(options);
  const metered = withWorkLimit(limit, () => checkWith(fileDerivation, claim, filePool, options, false)!);
  if (metered.exceeded) throw workLimitError(claim, limit);
  return metered.value!;
}

export const workLimitOf = (options: CheckOptions): number => options.workLimit ?? LIMITS.claimOperations;

/** A check stopped by its work limit: the claim's own error (the file's other claims are still checked). */
export const workLimitError = (claim: Claim, limit: number): InputError =>
  new InputError(
    claim.pos,
    `claim '${claim.id}' needs more work than the limit of ${limit.toPrecision(3)} operations (float64 multiply-adds, decimal products counted at their cost); its check was stopped there`,
    "smaller sizes (the model's ranges or --size), shorter sum/prod ranges, or fewer bindings; or a larger --work-limit",
  );

/**
 * A repair candidate's full check: `checkClaim`'s result when the claim holds (proved, verified or consistent),
 * else null — decided as soon as the drawn instances' evidence rules a holding verdict out (a violation, a
 * failed cross-check, no agreement, trouble dominating, a premise never held: the evidence that follows, the
 * symbolic stage's included, cannot lift such a verdict), so that a candidate refuted on its points skips the
 * symbolic stage, the shrinking of its counterexample and the rest. Up to there it is `checkClaim` step for step.
 * 'over-limit': its check passed the claim's work limit (not shown to hold; the repair search counts it apart).
 */
export function checkIfItHolds(
  fileDerivation: Derivation,
  claim: Claim,
  filePool: InstancePool,
  options: CheckOptions,
  limit = workLimitOf(options),
  spent?: (units: number) => void,
): ClaimResult | 'over-limit' | 'exact-tie' | null {
  // a candidate that needs more work than a claim may do is not one that holds (within what a check can show)
  const metered = withWorkLimit(limit, () => checkWith(fileDerivation, claim, filePool, options, true));
  spent?.(metered.spent);
  if (metered.exceeded) return 'over-limit';
  const r = metered.value;
  if (r && HOLDING.includes(r.verdict)) return r;
  // written strict and refuted only where its sides are exactly equal: its non-strict relation may hold
  const strict = r && r.verdict === 'refuted' ? evidenceOf(r.evidence, 'strict') : undefined;
  return strict?.exactTies && r!.counterexample?.exactTie ? 'exact-tie' : null;
}

const HOLDING: readonly Verdict[] = ['proved', 'verified', 'consistent'];

function checkWith(
  fileDerivation: Derivation,
  claim: Claim,
  filePool: InstancePool,
  options: CheckOptions,
  onlyIfItHolds: boolean,
): ClaimResult | null {
  const { derivation, sampler, get } = claimSetting(fileDerivation, claim, filePool);
  const regimes: readonly RegimeName[] = claim.regimes ?? REGIMES;
  const overrides = options.sizeOverrides ?? {};
  const refChecks: ReferenceCheck[] = [];
  const tally = new PointTally(claim);
  const used: InstanceInfo[] = [];
  const slots: number[] = [];
  const draw = (j: number) => {
    slots.push(j);
    const entry = get(options.masterSeed, j, overrides);
    if (!entry) return false; // no instance for this slot satisfies the premise
    const { index, seed, regime, sizes } = entry.instance;
    used.push({ index, seed, regime, sizes });
    const drawn = runPoints(claim, entry, options.crossChecks ?? 2, refChecks);
    tally.add(entry.instance, drawn);
    return drawn.some((p) => p.outcome.status !== 'trouble');
  };
  const wanted = options.instances * REGIMES.length;
  const inRegime = (j: number) => regimes.includes(REGIMES[j % REGIMES.length]!);
  if (options.instance !== undefined) {
    if (inRegime(options.instance)) draw(options.instance);
  } else if (regimes.length === REGIMES.length) for (let j = 0; j < wanted; j++) draw(j);
  else {
    // A claim restricted to some regimes draws from them until it has as many instances with a sound
    // point as an unrestricted claim has instances (at most twice as many slots, satisfied by a premise or not).
    let sound = 0;
    for (let j = 0; sound < wanted && slots.length < 2 * wanted; j++) if (inRegime(j) && draw(j)) sound++;
  }

  const evidence: Evidence[] = [];
  if (sampler && claim.given)
    evidence.push(
      premiseEvidence(
        claim.given,
        slots.map((j) => sampler.get(options.masterSeed, j, overrides)),
      ),
    );
  const crossChecks = crossCheckEvidence(refChecks);
  const referenceBroken = crossChecks.some((e) => 'failures' in e && e.failures.length > 0);
  evidence.push(tally.reference(options.masterSeed, used, referenceBroken));
  if (tally.violated > 0 && claim.relation === '=') evidence.push(tally.distance(regimes));
  evidence.push(...crossChecks);
  const trouble = tally.trouble();
  if (trouble) evidence.push(trouble);
  const extended = tally.extended();
  if (extended) evidence.push(extended);
  // Every verdict-deciding fact added below only adds violations or sits below these tests (src/check/verdict.ts).
  if (onlyIfItHolds && decideVerdict(evidence).verdict !== 'consistent') return null;

  // The symbolic stage reads nothing numeric: run first, its proof of a bound sets the search's share.
  const { symbolic, proof, boundProof } = symbolicStage(derivation, claim, options.masterSeed);
  // (a proof of the non-strict bound is no proof of a claim written strict: it is searched in full)
  const share = boundProof?.ok && !claim.strict ? PROVED_SEARCH_SHARE : 1;
  let cx: Counterexample | null = null;
  // the search's violation, beside the random points' (what identical forms are weighed against)
  let searched: Point | null = null;
  const budget = Math.ceil((options.search ?? 0) * share);
  const beyond = Math.ceil(beyondBudget(claim, options) * share);
  // The search perturbs parameters, inputs and initial states: under a premise it evaluates only the proposals that
  // satisfy it (`admissible`), and a value an assumption fixes is no part of its space (src/numeric/adversarial.ts).
  // Until 2026-12-05 such claims were not searched: `norm2(jac(h[T], h[T-k])) <= 1` given `normInf(W) < 1`, false
  // at W = [[0.9, 0], [0.9, 0]] with the pre-activations at 0, was consistent at 100 instances per regime.
  if (claim.relation !== '=' && budget + beyond > 0 && decideVerdict(evidence).verdict === 'consistent') {
    const search = searchViolation(claim, tally, {
      budget,
      beyond,
      regimes,
      sizeRanges: derivation.model.sizes,
      overrides,
      replay: options.instance !== undefined,
      draw: (j, sizes) => get(options.masterSeed, j, sizes),
      ...premiseAdmits(claim, derivation.model),
    });
    evidence.push(share < 1 ? { ...search.evidence, crossCheckOfProof: share } : search.evidence);
    // A searched instance is replayed with every size fixed, and the search's steps to it. One drawn at
    // smaller sizes (step 0) is a random instance: replaying it shrinks it, so it is shrunk here too.
    const v = search.violation;
    searched = v?.point ?? null;
    if (v) {
      const point = v.steps
        ? v.point
        : shrink(claim, derivation.model, claimSetting(derivation, claim).get, v.point).point;
      cx = counterexample(claim, derivation.file, point, { ...point.instance.sizes }, v.steps || null, v.domain);
    }
  }
  // The clearest violation of the run (largest relative error, or lhs/rhs ratio for a bound) beside the shrunk one.
  const clearest = tally.clearest && counterexample(claim, derivation.file, tally.clearest, overrides);
  // Where the reference failed its cross-check, the counterexample is a cross-checked violation, as found: shrunk or
  // searched points are not cross-checked (src/check/verdict.ts).
  if (referenceBroken && tally.firstCrossChecked && decideVerdict(evidence).verdict === 'refuted')
    cx = counterexample(claim, derivation.file, tally.firstCrossChecked, overrides);
  else if (tally.first && decideVerdict(evidence).verdict === 'refuted') {
    const { point, overrides: shrunk } = shrink(
      claim,
      derivation.model,
      claimSetting(derivation, claim).get,
      tally.first,
    );
    cx = counterexample(claim, derivation.file, point, { ...overrides, ...shrunk });
  }

  // The symbolic engine decides what it can; numeric evidence stays beside it.
  if (symbolic) {
    const outcome = symbolic.outcome;
    const beyond =
      outcome.status === 'identical'
        ? [...tally.violationsAt, ...(searched ? [{ sizes: searched.instance.sizes, count: 1 }] : [])]
            .filter((v) => !withinExactSizes(outcome, v.sizes))
            .reduce((n, v) => n + v.count, 0)
        : 0;
    // Where the numbers could not compare but found the sides' difference at rounding level, the identity decides
    // the points at sizes it reached: `lhs - rhs = 0` on a true identity is an exact 0 less rounding everywhere.
    const residues =
      outcome.status === 'identical'
        ? tally.roundingResiduesAt.filter((r) => withinExactSizes(outcome, r.sizes)).reduce((n, r) => n + r.count, 0)
        : 0;
    evidence.push({
      ...symbolic,
      ...(beyond ? { violationsBeyondItsSizes: beyond } : {}),
      ...(residues ? { roundingResiduesDecided: residues } : {}),
    });
    // Identical canonical forms are an identity; differing ones are not a refutation (atoms such as h[t] and
    // the tanh(…) that defines it are related through the model), so they only aim a numeric search.
    const formsDiffer = differingSizes(symbolic.outcome);
    const noClosedForm = !formsDiffer && unsupportedWithKinks(symbolic.outcome, derivation.model);
    const differsAt = formsDiffer ?? (noClosedForm ? smallestSizes(derivation.model.sizes) : null);
    if (differsAt && decideVerdict(evidence).verdict === 'consistent') {
      // Where the closed forms differ, draw instances at exactly those sizes: a false claim shows there.
      const sizeNames = Object.keys(derivation.model.sizes);
      const at = Object.fromEntries(Object.entries(differsAt).filter(([k]) => sizeNames.includes(k)));
      const found: Point[] = [];
      const evaluated: Point[] = [];
      const drawn: InstanceEntry[] = [];
      for (let j = 0; j < REGIMES.length && !found.length; j++)
        if (regimes.includes(REGIMES[j]!)) {
          const entry = get(options.masterSeed, j, at);
          if (entry) drawn.push(entry);
          const points = entry ? runPoints(claim, entry, 0, null) : [];
          // one at a time: a claim with many bindings has more points an instance than a call's arguments may be
          for (const p of points) {
            evaluated.push(p);
            if (p.outcome.status === 'violate') found.push(p);
          }
        }
      // Where those agree too, the structured constructions beyond the regimes from each (an equality has no search):
      // a unit past a kink the regimes never reach (a ReLU6's clip) shows only there.
      let probe: GuidedSearchEvidence['probe'];
      let probed: ProbeOutcome['violation'] = null;
      let probeUndecided = 0;
      if (!found.length && options.search !== 0) {
        const { admissible } = premiseAdmits(claim, derivation.model);
        let [constructions, violations] = [0, 0];
        for (const entry of drawn) {
          const outcome = equalityProbe(claim, entry.instance, admissible);
          constructions += outcome.constructions;
          violations += outcome.violations;
          probeUndecided += outcome.undecided;
          probed = outcome.violation;
          if (probed) break;
        }
        // none where the model has no kink (equalityProbe): nothing to say
        if (constructions) probe = { constructions, violations };
      }
      evidence.push({
        kind: 'guided-search',
        sizes: at,
        violations: found.length + (probe?.violations ?? 0),
        ...undecidedViolationsField(undecidedViolationCount(evaluated) + probeUndecided),
        ...(probe ? { probe } : {}),
        ...(noClosedForm ? { aim: 'no-closed-form' as const } : {}),
      });
      if (found.length) cx = counterexample(claim, derivation.file, [...found].sort(smaller)[0]!, { ...at });
      else if (probed) {
        const { point, index, construction } = probed;
        cx = counterexample(claim, derivation.file, point, { ...at }, null, 'beyond', { index, construction });
      }
    }
  }
  // A unit-level closed form may be proved for every t by induction against the model's recurrence.
  if (proof) evidence.push({ kind: 'induction', ok: proof.ok, steps: proof.steps });
  // A bound may be proved for every value of the indices by a chain of checked rules. Proved (and not strict), it
  // decides the points whose sides float64 could not compare and extended precision found apart by what cancellation
  // left — `norm2(J - diag(1 - h[t].^2) * W) <= 0` is an exact 0 less rounding at every point, as an identity's
  // `lhs - rhs = 0` is, and was unverifiable though proved — at the sizes the proof is for (those it fixes).
  if (boundProof) {
    const fixed = Object.entries(boundProof.fixed);
    const residues =
      boundProof.ok && !claim.strict
        ? tally.roundingResiduesAt
            .filter((r) =>
              fixed.every(([name, value]) => own(r.sizes, name) === undefined || own(r.sizes, name) === value),
            )
            .reduce((n, r) => n + r.count, 0)
        : 0;
    evidence.push({ ...boundEvidence(boundProof), ...(residues ? { roundingResiduesDecided: residues } : {}) });
  }
  // Written strict: how near its points came to equality (after the search, which looks for the non-strict violation);
  // nothing to say where the non-strict relation is refuted or no point agrees — but an exact tie (0 < 0 at W = 0) is
  // refuted as the strict relation only, which the evidence must say.
  const strict = claim.strict && claim.relation !== '=' ? tally.strict(evidence) : null;
  if (strict && (decideVerdict(evidence).verdict !== 'refuted' || strict.exactTies)) evidence.push(strict);

  const { verdict, reason } = decideVerdict(evidence);
  // The counterexample counts too: one the search found is no random point, and a refuted claim's worst error read 0
  // (`rho(jac(h[T], h[T-k])) <= rho(W)^k`, refuted at a relative excess of 1.0; a review's).
  const randomWorst = evidenceOf(evidence, 'reference')?.worstRelError ?? null;
  const worst =
    verdict === 'refuted' && cx && Number.isFinite(cx.relError)
      ? Math.max(randomWorst ?? -Infinity, cx.relError)
      : randomWorst;
  return {
    id: claim.id,
    file: derivation.file,
    label: claim.label,
    statement: claim.statement,
    reading: claim.reading,
    ...(claim.strict ? { strict: true } : {}),
    verdict,
    expected: claim.expect,
    ok: claim.expect === null || verdict === claim.expect,
    relError: claim.relation === '=' ? worst : worst === null ? null : Math.max(0, worst),
    reason,
    evidence,
    counterexample: verdict === 'refuted' ? cx : null,
    clearest: verdict === 'refuted' ? clearest : null,
    corrects: claim.corrects,
    note: claim.note,
    chain: claim.chain,
    proof,
    boundProof,
    warnings: [
      ...claimWarnings(claim),
      ...emptyRanges(
        claim,
        used.map((i) => i.sizes),
      ).map((range): ClaimWarning => ({ kind: 'empty-range', claim: claim.id, range })),
    ],
    assumptions: claim.assume?.assumptions ?? [],
  };
}

type IdenticalOutcome = Extract<SymbolicOutcome, { status: 'identical' }>;

/**
 * Whether an instance's sizes lie where the exact check of identical forms reached (or at its randomized test's
 * horizon): a violation at d = 12, where the check stopped at d = 5, contradicts nothing it showed.
 */
function withinExactSizes(outcome: IdenticalOutcome, sizes: IntEnv): boolean {
  return outcome.sizes.every((s) => {
    const v = own(sizes, s.name);
    return v === undefined || (v >= s.lo && v <= s.hi) || (s.name === HORIZON && v === outcome.random?.T);
  });
}

function premiseEvidence(premise: Premise, draws: readonly PremiseDraw[]): Evidence {
  const count = (route: PremiseRoute) => draws.filter((d) => d.route === route).length;
  return {
    kind: 'premise',
    text: premise.text,
    slots: draws.length,
    satisfied: draws.filter((d) => d.entry).length,
    draws: draws.reduce((n, d) => n + d.draws, 0),
    asDrawn: count('as-drawn'),
    rescaled: count('rescaled'),
    searched: count('searched'),
  };
}

function crossCheckEvidence(refChecks: readonly ReferenceCheck[]): Evidence[] {
  if (!refChecks.length) return [];
  const dualFailures: CrossCheckFailure[] = [];
  const fdFailures: CrossCheckFailure[] = [];
  refChecks.forEach((r, check) => {
    if (dualAdjointFails(r)) dualFailures.push({ check, derivative: r.derivative });
    if (r.fd && !r.fd.agrees) fdFailures.push({ check, derivative: r.derivative });
  });
  const compared = refChecks.filter((r) => !r.underflow && !r.overflow);
  const setAside = compared.filter(dualAdjointWithinLostDigits);
  const fdRun = refChecks.flatMap((r) => (r.fd ? [r.fd] : []));
  const resolved = fdRun.filter((f) => f.resolved);
  return [
    {
      kind: 'dual-vs-adjoint',
      checks: compared.length,
      worstRelError: compared
        .filter((r) => !dualAdjointWithinLostDigits(r))
        .reduce((m, r) => Math.max(m, r.dualVsAdjoint), 0),
      underflow: refChecks.filter((r) => r.underflow).length,
      overflow: refChecks.filter((r) => r.overflow).length,
      lostDigits: setAside.length
        ? {
            checks: setAside.length,
            worstRelError: setAside.reduce((m, r) => Math.max(m, r.dualVsAdjoint), 0),
            lostPrecision: setAside.reduce((m, r) => Math.max(m, r.lostPrecision), 0),
          }
        : null,
      tolerance: DUAL_ADJOINT_TOL,
      failures: dualFailures,
    },
    {
      kind: 'finite-differences',
      checks: fdRun.length,
      resolved: resolved.length,
      nonFinite: fdRun.filter((f) => f.nonFinite).length,
      worstRelError: resolved.length ? resolved.reduce((m, f) => Math.max(m, f.relError), 0) : null,
      failures: fdFailures,
    },
  ];
}

/**
 * The sizes where the symbolic stage saw the closed forms differ: formally (`different`), or where no exact expansion
 * was possible and the randomized test in ℤ_p disagreed there (`too-large` with randomAgrees false: a coefficient
 * float64 cannot hold, a leaky slope 0.1). Null where it saw no difference. Until 2026-12-08 only the first aimed the
 * guided search and the probe beyond the regimes, so a leaky ReLU's Jacobian with a clip dropped was consistent where
 * the same claim with slope 0.5 was refuted (review161).
 */
/**
 * An equality the symbolic stage has no closed form for, of a model that reads a kink (|·| is not differentiable at 0,
 * no rule for a max's derivative): no sizes where forms differ aim the probe, and a Jacobian wrong only beside a kink
 * away from 0 (an LSTM candidate max(0, |a| − 0.5) with its slope kept to |a| > 0.51) was consistent at three seeds
 * (review163). The probe's constructions run there at the smallest sizes instead (smallestSizes).
 */
const unsupportedWithKinks = (outcome: SymbolicOutcome, model: Model): boolean =>
  outcome.status === 'undecided' && outcome.undecided.why === 'unsupported' && hasKinks(model);

function differingSizes(outcome: SymbolicOutcome): IntEnv | null {
  if (outcome.status === 'different') return outcome.at;
  const u = outcome.status === 'undecided' ? outcome.undecided : null;
  return u?.why === 'too-large' && !u.randomAgrees ? u.at : null;
}
