/**
 * What a claim's check keeps of its random points: each instance's points are folded in as they come (counts,
 * extremes, the reasons of trouble, the first and the clearest violation, each instance's closeness for the search's
 * starts), and the evidence is written from the tally. Every point used to be kept to the end of the check: a claim
 * over 8 quantifiers (65 536 bindings an instance) kept ≈ 650 bytes a point, 2.5 GB at the default 20 instances a
 * regime, and ran out of memory at 30 (a review's). Now what stays grows with the instances, not the bindings.
 */
import type { Claim, RegimeName } from '../derivation/derivation.js';
import type { IntEnv } from '../ir/affine.js';
import type { ExtendedValues } from './compare.js';
import { DEEP_DECIMAL_DIGITS } from '../symbolic/domains/extended.js';
import { EXTENDED_DIGITS } from './extended-check.js';
import {
  evidenceOf,
  type DistanceEvidence,
  type Evidence,
  type InstanceInfo,
  type StrictEvidence,
} from './evidence.js';
import type { Instance } from '../numeric/instance.js';
import { type Point, smaller, undecidedViolationsField } from './points.js';
import { closeness, RANDOM_STARTS, type Start, startOrder } from './search.js';

type Looked = { agree: number; violate: number };
type Was = ExtendedValues['was'];
type Arithmetic = ExtendedValues['arithmetic'];
const WAS: readonly Was[] = ['trouble', 'near-tolerance', 'zero', 'one-zero', 'lost-digits'];

/** How clearly a point violates the claim: the lhs/rhs ratio of a bound (≥: rhs/lhs), else the relative error. */
const violationSize = (p: Point): number =>
  p.outcome.status === 'trouble' ? 0 : (p.outcome.ratio ?? p.outcome.relError);

export class PointTally {
  points = 0;
  agreed = 0;
  violated = 0;
  /** of the violations, those whose own reference was cross-checked (Point.crossChecked) */
  crossCheckedViolations = 0;
  troubled = 0;
  /** violations float64 found that nothing could decide again (trouble) */
  undecided = 0;
  readonly compared = new Set<string>();
  /** the worst relative error over the sound points (−∞: none) */
  worst = -Infinity;
  /** the largest lhs/rhs (≥: rhs/lhs) over the sound points, 0 where none has a ratio */
  tightness = 0;
  /** the same, null where no sound point has a ratio (the search's bestRatio starts from it) */
  bestRatio: number | null = null;
  /** the sound points' relative errors by regime, for the distance evidence's medians (8 bytes a point) */
  private readonly errorsByRegime = new Map<RegimeName, number[]>();
  private readonly looked = new Map<Was, Looked>(WAS.map((w) => [w, { agree: 0, violate: 0 }]));
  private readonly decidedIn = new Map<Arithmetic, number>();
  private readonly unsettled = new Map<string, { was: Was; why: string; points: number }>();
  private readonly troubleReasons = new Map<string, number>();
  /** agreeing points whose sides are equal within the tolerance (a strict claim's ties), and the closest excess */
  private ties = 0;
  private closestExcess = -Infinity;
  /** violations of a strict claim at an exact tie (PointOutcome's exactTie) */
  private exactTies = 0;
  /** the violation first by `smaller` (smallest sizes, binding, instance), and the clearest (violationSize) */
  first: Point | null = null;
  clearest: Point | null = null;
  /** the first cross-checked violation by `smaller` (the counterexample where the reference failed elsewhere) */
  firstCrossChecked: Point | null = null;
  /** violations by instance: which sizes they were found at */
  readonly violationsAt: { readonly sizes: IntEnv; count: number }[] = [];
  /** troubled points whose sides differ by what cancellation left (PointOutcome's roundingResidue), by instance sizes */
  readonly roundingResiduesAt: { readonly sizes: IntEnv; count: number }[] = [];
  /**
   * the instances with a sound point the search may start from, with the closest their points came to violating the
   * bound: the RANDOM_STARTS first in its order (kept all, 40 000 instances and their graphs stayed with
   * `--instances 10000`)
   */
  readonly starts: Start[] = [];

  constructor(private readonly claim: Claim) {}

  /** One instance's points (all of them at once: its start's fitness is over them). */
  add(instance: Instance, points: readonly Point[]): void {
    let fitness = -Infinity;
    let violations = 0;
    let residues = 0;
    let errors = this.errorsByRegime.get(instance.regime);
    if (!errors) this.errorsByRegime.set(instance.regime, (errors = []));
    for (const p of points) {
      const o = p.outcome;
      this.points++;
      this.compared.add(o.compared);
      if (o.status === 'trouble') {
        this.troubled++;
        if (o.undecidedViolation) this.undecided++;
        if (o.roundingResidue) residues++;
        this.troubleReasons.set(o.reason, (this.troubleReasons.get(o.reason) ?? 0) + 1);
        continue;
      }
      errors.push(o.relError);
      this.worst = Math.max(this.worst, o.relError);
      if (o.ratio !== undefined) {
        this.tightness = Math.max(this.tightness, o.ratio);
        this.bestRatio = Math.max(this.bestRatio ?? -Infinity, o.ratio);
      }
      if (this.claim.relation !== '=') fitness = Math.max(fitness, closeness(p, this.claim.relation));
      if (o.extended) {
        this.looked.get(o.extended.was)![o.status]++;
        this.decidedIn.set(o.extended.arithmetic, (this.decidedIn.get(o.extended.arithmetic) ?? 0) + 1);
      }
      if (o.unsettled) {
        const key = `${o.unsettled.was}\u0000${o.unsettled.why}`;
        const u = this.unsettled.get(key) ?? { ...o.unsettled, points: 0 };
        u.points++;
        this.unsettled.set(key, u);
      }
      if (o.status === 'agree') {
        this.agreed++;
        // a bound's relError is the relative excess of the side that must be smaller (./compare.ts): ≤ 0 where it holds
        this.closestExcess = Math.max(this.closestExcess, o.relError);
        if (o.relError > -this.claim.tolerance) this.ties++;
        continue;
      }
      this.violated++;
      violations++;
      if (o.exactTie) this.exactTies++;
      if (!this.first || smaller(p, this.first) < 0) this.first = p;
      if (!this.clearest || violationSize(p) > violationSize(this.clearest)) this.clearest = p;
      if (p.crossChecked) {
        this.crossCheckedViolations++;
        if (!this.firstCrossChecked || smaller(p, this.firstCrossChecked) < 0) this.firstCrossChecked = p;
      }
    }
    if (violations) this.violationsAt.push({ sizes: instance.sizes, count: violations });
    if (residues) this.roundingResiduesAt.push({ sizes: instance.sizes, count: residues });
    if (fitness > -Infinity) {
      this.starts.push({ instance, fitness });
      this.starts.sort(startOrder);
      if (this.starts.length > RANDOM_STARTS) this.starts.pop();
    }
  }

  /** `referenceBroken`: a cross-check failed in this run; only then are the cross-checked violations counted apart. */
  reference(masterSeed: number, used: readonly InstanceInfo[], referenceBroken = false): Evidence {
    return {
      kind: 'reference',
      masterSeed,
      instances: [...used],
      points: this.points,
      agreed: this.agreed,
      violated: this.violated,
      ...(referenceBroken && this.crossCheckedViolations
        ? { crossCheckedViolations: this.crossCheckedViolations }
        : {}),
      troubled: this.troubled,
      ...undecidedViolationsField(this.undecided),
      compared: [...this.compared],
      worstRelError: Number.isFinite(this.worst) ? this.worst : null,
      tolerance: this.claim.tolerance,
      tightness: this.claim.relation === '=' ? null : this.tightness,
    };
  }

  /** How far apart the two sides are, regime by regime (the LSTM cell path against the full Jacobian, say). */
  distance(regimes: readonly RegimeName[]): DistanceEvidence {
    const byRegime: DistanceEvidence['byRegime'][number][] = [];
    for (const regime of regimes) {
      const errs = Float64Array.from(this.errorsByRegime.get(regime) ?? []).sort();
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

  extended(): Evidence | null {
    const [fromTrouble, nearTolerance, fromZero, fromOneZero, fromLostDigits] = WAS.map((w) => this.looked.get(w)!) as [
      Looked,
      Looked,
      Looked,
      Looked,
      Looked,
    ];
    const looked =
      this.unsettled.size > 0 ||
      [fromTrouble, nearTolerance, fromZero, fromOneZero, fromLostDigits].some((c) => c.agree + c.violate > 0);
    if (!looked) return null;
    const [wideFloat, intervals, deeper] = (['wide-float', 'interval', 'deep-decimal'] as const).map(
      (a) => this.decidedIn.get(a) ?? 0,
    );
    return {
      kind: 'extended-precision',
      digits: EXTENDED_DIGITS,
      fromTrouble,
      nearTolerance,
      ...(fromZero.agree + fromZero.violate ? { fromZero } : {}),
      ...(fromOneZero.agree + fromOneZero.violate ? { fromOneZero } : {}),
      ...(fromLostDigits.agree + fromLostDigits.violate ? { fromLostDigits } : {}),
      ...(wideFloat ? { wideFloat } : {}),
      ...(intervals ? { intervals } : {}),
      ...(deeper ? { deepDecimals: { digits: DEEP_DECIMAL_DIGITS, points: deeper } } : {}),
      ...(this.unsettled.size ? { unsettled: [...this.unsettled.values()] } : {}),
    };
  }

  trouble(): Evidence | null {
    if (!this.troubleReasons.size) return null;
    return {
      kind: 'trouble',
      points: this.troubled,
      reasons: [...this.troubleReasons].map(([reason, count]) => ({ reason, count })),
    };
  }

  /** A claim written strict: how close its agreeing points came to the equality case (null: none agrees). */
  strict(evidence: readonly Evidence[]): StrictEvidence | null {
    const search = evidenceOf(evidence, 'search');
    const exactTies = this.exactTies + (search?.foundExactTie ? 1 : 0);
    if (!this.agreed && !exactTies) return null;
    const searchedTies = (search?.ties ?? 0) + (search?.beyond?.ties ?? 0);
    return {
      kind: 'strict',
      relation: this.claim.relation === '<=' ? '<' : '>',
      points: this.agreed,
      ties: this.ties,
      ...(searchedTies ? { searchedTies } : {}),
      ...(exactTies ? { exactTies } : {}),
      closest: this.closestExcess,
      tolerance: this.claim.tolerance,
    };
  }
}

/** The tally of one instance's points (a replay's start). */
export function tallyOf(claim: Claim, instance: Instance, points: readonly Point[]): PointTally {
  const tally = new PointTally(claim);
  tally.add(instance, points);
  return tally;
}
