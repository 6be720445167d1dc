/**
 * Numeric checking of one claim: every binding of its quantifiers on N
 * seeded instances per regime, compared against the exact reference, with
 * the reference itself cross-checked (dual vs adjoint, finite differences) at
 * sampled points. The verdict says exactly which evidence backs it.
 */
import { type Claim, type Derivation, type Premise, REGIMES, type RegimeName } from '../derivation/derivation.js';
import type { Model } from '../model/model.js';
import { type InstanceEntry, type PremiseDraw, type PremiseRoute, PremiseSampler } from './premise.js';
import { evidenceOf } from './evidence.js';
import { InputError } from '../derivation/errors.js';
import type { IntEnv } from '../ir/affine.js';
import { own } from '../ir/names.js';
import { walk } from '../ir/expr.js';
import { specOf } from '../ops/index.js';
import { DomainError, Evaluator } from '../numeric/evaluate.js';
import { buildInstance, type Instance, instanceSpec } from '../numeric/instance.js';
import { norm2 } from '../numeric/linalg.js';
import { deriveSeed, Rng } from '../numeric/prng.js';
import { checkReference, DUAL_ADJOINT_TOL, type ReferenceCheck } from '../numeric/reference-check.js';
import { dense } from '../numeric/values.js';
import { comparePoint, type PointOutcome, type Probes } from './compare.js';
import { EXTENDED_DIGITS, extendedLook, needsExtendedLook } from './extended-check.js';
import { symbolicCheck } from './symbolic-check.js';
import { proveUnitClosedForm } from '../symbolic/induction.js';
import { boundEvidence, boundProofFor } from './bound-check.js';
import { bindings } from './bindings.js';
import type { CrossCheckFailure, DistanceEvidence, Evidence, InstanceInfo } from './evidence.js';
import { type ClaimResult, type ClaimWarning, claimWarnings, type Counterexample } from './result.js';
import { emptyRanges } from './empty-ranges.js';
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
}

export const DEFAULT_OPTIONS: CheckOptions = { masterSeed: 20261120, instances: 5, crossChecks: 2 };

/** Instances (and their evaluators) are shared by all claims of a file. */
export class InstancePool {
  private readonly pool = new Map<string, { instance: Instance; evaluator: Evaluator }>();
  constructor(readonly derivation: Derivation) {}
  get(masterSeed: number, index: number, overrides: IntEnv) {
    const key = `${masterSeed}|${index}|${JSON.stringify(overrides)}`;
    let entry = this.pool.get(key);
    if (!entry) {
      const instance = buildInstance(
        this.derivation.model,
        instanceSpec(this.derivation.model, masterSeed, index, REGIMES, overrides),
      );
      entry = { instance, evaluator: new Evaluator(instance.graph, instance.sizes) };
      this.pool.set(key, entry);
    }
    return entry;
  }
}

interface Point {
  readonly instance: Instance;
  readonly env: IntEnv;
  readonly outcome: PointOutcome;
}

/** Reverse sweeps share work when every derivative's target is fixed across the quantifiers. */
function prefersRows(claim: Claim): boolean {
  const quantified = new Set(claim.forall.map((q) => q.name));
  let targetsFixed = true;
  let any = false;
  for (const side of [claim.lhs, claim.rhs])
    walk(side, (e) => {
      if (e.kind !== 'op' || !specOf(e).graphDerivative) return;
      any = true;
      const of = e.args[0]!;
      if (of.kind === 'seq' && Object.keys(of.time.terms).some((v) => quantified.has(v))) targetsFixed = false;
    });
  return any && targetsFixed;
}

function runPoints(
  claim: Claim,
  entry: { instance: Instance; evaluator: Evaluator },
  crossChecks: number,
  refChecks: ReferenceCheck[] | null,
): Point[] {
  const { instance, evaluator } = entry;
  evaluator.preferRows = prefersRows(claim);
  const probeCache = new Map<number, Probes>();
  const probesFor = (n: number) => (): Probes => {
    let p = probeCache.get(n);
    if (!p) {
      const rng = new Rng(deriveSeed(instance.seed, 'probe', claim.id));
      p = { vectors: [0, 1].map(() => dense(n, 1, rng.fillNormal(new Float64Array(n)))), left: evaluator.preferRows };
      probeCache.set(n, p);
    }
    return p;
  };
  const envs = bindings(claim, instance.sizes);
  // The first and last bindings (shortest and longest lag, typically), then the middle one.
  const sampledList =
    envs.length > 0 ? [0, envs.length - 1, Math.floor((envs.length - 1) / 2)].slice(0, crossChecks) : [];
  const sampled = new Set(sampledList);
  // Finite differences cost a re-run of the unrolled graph per evaluation: run them at the first
  // sampled binding of every instance, and at all sampled bindings of the first instance per regime.
  const fdEverywhere = instance.index < REGIMES.length;
  const refRng = new Rng(deriveSeed(instance.seed, 'reference', claim.id));
  const point = (env: IntEnv, i: number): Point => {
    evaluator.touched.clear();
    const lhs = evaluator.evaluate(claim.lhs, env);
    const rhs = evaluator.evaluate(claim.rhs, env);
    const first = comparePoint(
      lhs,
      rhs,
      claim.relation,
      claim.tolerance,
      probesFor(evaluator.preferRows ? lhs.rows : lhs.cols),
    );
    if (refChecks && sampled.has(i))
      for (const d of evaluator.touched.values())
        refChecks.push(checkReference(evaluator, d, refRng, fdEverywhere || i === sampledList[0]));
    // Overflow, underflow or a violation within rounding distance: decided again in extended precision
    // (after the cross-checks, which cover the derivatives the claim itself evaluated).
    const outcome = needsExtendedLook(first, claim.tolerance) ? extendedLook(claim, entry, env, first) : first;
    return { instance, env, outcome };
  };
  return envs.map((env, i) => {
    // Products and Jacobians are lazy: a factor outside the graph may first be read by the comparison.
    try {
      return point(env, i);
    } catch (err) {
      if (err instanceof DomainError)
        throw new InputError(
          claim.pos,
          `claim '${claim.id}' leaves the unrolled graph: ${err.message}`,
          err.expected ?? 'quantifier ranges that keep every time index inside 0..T',
        );
      throw err;
    }
  });
}

const sizeWeight = (p: Point) => Object.values(p.instance.sizes).reduce((s, x) => s + x, 0);
const bindWeight = (p: Point) => Object.values(p.env).reduce((s, x) => s + x, 0);
const smaller = (a: Point, b: Point) =>
  sizeWeight(a) - sizeWeight(b) || bindWeight(a) - bindWeight(b) || a.instance.index - b.instance.index;

/** How clearly a point violates the claim: the lhs/rhs ratio of a bound (≥: rhs/lhs), else the relative error. */
const violationSize = (p: Point): number =>
  p.outcome.status === 'trouble' ? 0 : (p.outcome.ratio ?? p.outcome.relError);

function preview(v: Float64Array): number[] {
  return Array.from(v.slice(0, 8));
}

function counterexample(claim: Claim, file: string, p: Point, overrides: IntEnv): Counterexample {
  const o = p.outcome;
  const sizeFlags = Object.entries(overrides).flatMap(([k, v]) => ['--size', `${k}=${v}`]);
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
    extended: o.status !== 'trouble' && o.extended ? { lhs: o.extended.lhs, rhs: o.extended.rhs } : null,
    replay: [
      file,
      '--claim',
      claim.id,
      '--seed',
      String(p.instance.masterSeed),
      '--instance',
      String(p.instance.index),
      ...sizeFlags,
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
  for (const name of names) {
    const current = own(best.instance.sizes, name)!;
    for (let v = own(model.sizes, name)!.min; v < current; v++) {
      const trial = { ...best.instance.sizes, ...overrides, [name]: v };
      let points: Point[];
      try {
        const entry = get(best.instance.masterSeed, best.instance.index, trial);
        if (!entry) continue; // no instance of these sizes satisfies the premise
        points = runPoints(claim, entry, 0, null);
      } catch (err) {
        if (err instanceof InputError) continue; // the smaller instance leaves the claim's domain
        throw err;
      }
      const fails = points.filter((p) => p.outcome.status === 'violate').sort(smaller);
      if (fails[0]) {
        best = fails[0];
        overrides = { ...overrides, [name]: v };
        break;
      }
    }
  }
  // A shrunk instance is replayed with every size fixed, so the replay does not depend on draws.
  return { point: best, overrides: Object.keys(overrides).length ? { ...best.instance.sizes } : {} };
}

/**
 * Where a claim is checked: the file's model, or its variant (`assume:`), with the claim's narrower size
 * ranges; instances from the pool or, with a premise, only those that satisfy it (moved toward it or
 * redrawn when needed). Deterministic: the same call rebuilds the same instances (export, shrinking).
 */
export function claimSetting(fileDerivation: Derivation, claim: Claim, filePool?: InstancePool) {
  const model = claim.assume?.model ?? fileDerivation.model;
  const derivation: Derivation =
    claim.sizes || claim.assume
      ? { ...fileDerivation, model: { ...model, sizes: { ...model.sizes, ...(claim.sizes ?? {}) } } }
      : fileDerivation;
  const pool = derivation === fileDerivation && filePool ? filePool : new InstancePool(derivation);
  const sampler = claim.given ? new PremiseSampler(derivation.model, claim, claim.given, pool) : null;
  const get: EntryGetter = (seed, j, sizes) => (sampler ? sampler.get(seed, j, sizes).entry : pool.get(seed, j, sizes));
  return { derivation, pool, sampler, get };
}

export function checkClaim(
  fileDerivation: Derivation,
  claim: Claim,
  filePool: InstancePool,
  options: CheckOptions,
): ClaimResult {
  const { derivation, sampler, get } = claimSetting(fileDerivation, claim, filePool);
  const regimes: readonly RegimeName[] = claim.regimes ?? REGIMES;
  const overrides = options.sizeOverrides ?? {};
  const indices =
    options.instance !== undefined
      ? [options.instance].filter((j) => regimes.includes(REGIMES[j % REGIMES.length]!))
      : Array.from({ length: options.instances * REGIMES.length }, (_, j) => j).filter((j) =>
          regimes.includes(REGIMES[j % REGIMES.length]!),
        );

  const refChecks: ReferenceCheck[] = [];
  const points: Point[] = [];
  const used: Instance[] = [];
  for (const j of indices) {
    const entry = get(options.masterSeed, j, overrides);
    if (!entry) continue;
    used.push(entry.instance);
    points.push(...runPoints(claim, entry, options.crossChecks ?? 2, refChecks));
  }

  const evidence: Evidence[] = [];
  if (sampler && claim.given)
    evidence.push(
      premiseEvidence(
        claim.given,
        indices.map((j) => sampler.get(options.masterSeed, j, overrides)),
      ),
    );
  evidence.push(referenceEvidence(claim, options.masterSeed, used, points));
  const violations = points.filter((p) => p.outcome.status === 'violate');
  if (violations.length > 0 && claim.relation === '=') evidence.push(distanceEvidence(points, regimes));
  evidence.push(...crossCheckEvidence(refChecks));
  const trouble = troubleEvidence(points);
  if (trouble) evidence.push(trouble);
  const extended = extendedEvidence(points);
  if (extended) evidence.push(extended);

  let cx: Counterexample | null = null;
  // The clearest violation of the run (largest relative error, or lhs/rhs ratio for a bound) beside the shrunk one.
  const clearestPoint = violations.reduce<Point | null>(
    (best, p) => (best === null || violationSize(p) > violationSize(best) ? p : best),
    null,
  );
  const clearest = clearestPoint && counterexample(claim, derivation.file, clearestPoint, overrides);
  if (violations.length > 0 && decideVerdict(evidence).verdict === 'refuted') {
    const first = [...violations].sort(smaller)[0]!;
    const { point, overrides: shrunk } = shrink(claim, derivation.model, claimSetting(derivation, claim).get, first);
    cx = counterexample(claim, derivation.file, point, { ...overrides, ...shrunk });
  }

  // The symbolic engine decides what it can; numeric evidence stays beside it.
  const symbolic = symbolicCheck(derivation, claim, options.masterSeed);
  if (symbolic) {
    evidence.push(symbolic);
    // Identical canonical forms are an identity; differing ones are not a refutation (atoms such as h[t] and
    // the tanh(…) that defines it are related through the model), so they only aim a numeric search.
    if (symbolic.outcome.status === 'different' && decideVerdict(evidence).verdict === 'consistent') {
      // Where the closed forms differ, draw instances at exactly those sizes: a false claim shows there.
      const sizeNames = Object.keys(derivation.model.sizes);
      const at = Object.fromEntries(Object.entries(symbolic.outcome.at).filter(([k]) => sizeNames.includes(k)));
      const found: Point[] = [];
      for (let j = 0; j < REGIMES.length && !found.length; j++)
        if (regimes.includes(REGIMES[j]!)) {
          const entry = get(options.masterSeed, j, at);
          if (entry) found.push(...runPoints(claim, entry, 0, null).filter((p) => p.outcome.status === 'violate'));
        }
      evidence.push({ kind: 'guided-search', sizes: at, violations: found.length });
      if (found.length) cx = counterexample(claim, derivation.file, [...found].sort(smaller)[0]!, { ...at });
    }
  }
  // A unit-level closed form may be proved for every t by induction against the model's recurrence.
  const proof = claim.relation === '=' ? proveUnitClosedForm(derivation.model, claim.lhs, claim.rhs) : null;
  if (proof) evidence.push({ kind: 'induction', ok: proof.ok, steps: proof.steps });
  // A bound may be proved for every value of the indices by a chain of checked rules.
  const boundProof = boundProofFor(derivation, claim);
  if (boundProof) evidence.push(boundEvidence(boundProof));

  const { verdict, reason } = decideVerdict(evidence);
  const worst = evidenceOf(evidence, 'reference')?.worstRelError ?? null;
  return {
    id: claim.id,
    file: derivation.file,
    label: claim.label,
    statement: claim.statement,
    reading: claim.reading,
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

function referenceEvidence(
  claim: Claim,
  masterSeed: number,
  used: readonly Instance[],
  points: readonly Point[],
): Evidence {
  const sound = points.filter((p) => p.outcome.status !== 'trouble');
  const worst = sound.reduce((m, p) => Math.max(m, p.outcome.status === 'trouble' ? 0 : p.outcome.relError), -Infinity);
  const instances: InstanceInfo[] = used.map((i) => ({
    index: i.index,
    seed: i.seed,
    regime: i.regime,
    sizes: i.sizes,
  }));
  return {
    kind: 'reference',
    masterSeed,
    instances,
    points: points.length,
    agreed: points.filter((p) => p.outcome.status === 'agree').length,
    violated: points.filter((p) => p.outcome.status === 'violate').length,
    troubled: points.length - sound.length,
    compared: [...new Set(points.map((p) => p.outcome.compared))],
    worstRelError: Number.isFinite(worst) ? worst : null,
    tolerance: claim.tolerance,
    tightness:
      claim.relation === '='
        ? null
        : sound.reduce((m, p) => Math.max(m, (p.outcome as { ratio?: number }).ratio ?? 0), 0),
  };
}

/** How far apart the two sides are, regime by regime (the LSTM cell path against the full Jacobian, say). */
function distanceEvidence(points: readonly Point[], regimes: readonly RegimeName[]): DistanceEvidence {
  const byRegime: DistanceEvidence['byRegime'][number][] = [];
  for (const regime of regimes) {
    const errs = points
      .filter((p) => p.outcome.status !== 'trouble' && p.instance.regime === regime)
      .map((p) => (p.outcome.status === 'trouble' ? 0 : p.outcome.relError))
      .sort((a, b) => a - b);
    if (errs.length)
      byRegime.push({
        regime,
        points: errs.length,
        median: errs[Math.floor(errs.length / 2)]!,
        max: errs[errs.length - 1]!,
      });
  }
  return { kind: 'distance', byRegime };
}

function crossCheckEvidence(refChecks: readonly ReferenceCheck[]): Evidence[] {
  if (!refChecks.length) return [];
  const dualFailures: CrossCheckFailure[] = [];
  const fdFailures: CrossCheckFailure[] = [];
  refChecks.forEach((r, check) => {
    if (!(r.dualVsAdjoint <= DUAL_ADJOINT_TOL)) dualFailures.push({ check, derivative: r.derivative });
    if (r.fd && !r.fd.agrees) fdFailures.push({ check, derivative: r.derivative });
  });
  const fdRun = refChecks.flatMap((r) => (r.fd ? [r.fd] : []));
  const resolved = fdRun.filter((f) => f.resolved);
  return [
    {
      kind: 'dual-vs-adjoint',
      checks: refChecks.length,
      worstRelError: refChecks.reduce((m, r) => Math.max(m, r.dualVsAdjoint), 0),
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

function extendedEvidence(points: readonly Point[]): Evidence | null {
  const count = (was: 'trouble' | 'near-tolerance') => {
    const these = points.filter((p) => p.outcome.status !== 'trouble' && p.outcome.extended?.was === was);
    return {
      agree: these.filter((p) => p.outcome.status === 'agree').length,
      violate: these.filter((p) => p.outcome.status === 'violate').length,
    };
  };
  const [fromTrouble, nearTolerance] = [count('trouble'), count('near-tolerance')];
  if (!fromTrouble.agree && !fromTrouble.violate && !nearTolerance.agree && !nearTolerance.violate) return null;
  return { kind: 'extended-precision', digits: EXTENDED_DIGITS, fromTrouble, nearTolerance };
}

function troubleEvidence(points: readonly Point[]): Evidence | null {
  const reasons = new Map<string, number>();
  for (const p of points)
    if (p.outcome.status === 'trouble') reasons.set(p.outcome.reason, (reasons.get(p.outcome.reason) ?? 0) + 1);
  if (!reasons.size) return null;
  return {
    kind: 'trouble',
    points: [...reasons.values()].reduce((a, b) => a + b, 0),
    reasons: [...reasons].map(([reason, count]) => ({ reason, count })),
  };
}
