/**
 * A refuted claim's counterexample as data another tool can replay: the
 * instance rebuilt exactly as the check drew it (same seeds, sizes, premise
 * search and assumptions; the adversarial search's steps for one it found),
 * with every parameter, input and initial state, the
 * binding, and both sides in full.
 */
import type { Claim, Derivation } from '../derivation/derivation.js';
import { asDense, type Dense } from '../numeric/values.js';
import { withWorkLimit } from '../numeric/work-meter.js';
import { LIMITS } from '../ir/limits.js';
import { counterexampleEntry, workLimitError } from './check-claim.js';
import { claimSides } from './points.js';
import type { ClaimResult, Counterexample } from './result.js';

export interface ExportedArray {
  readonly shape: readonly [number, number];
  /** row-major: values[i][j] is entry (i, j) */
  readonly values: readonly (readonly number[])[];
}

export interface ExportedCounterexample {
  readonly file: string;
  readonly claim: string;
  readonly statement: string;
  readonly relation: Claim['relation'];
  readonly tolerance: number;
  readonly assumptions: readonly string[];
  readonly premise: string | null;
  readonly masterSeed: number;
  readonly instance: number;
  readonly instanceSeed: number;
  readonly regime: string;
  readonly sizes: Readonly<Record<string, number>>;
  readonly bindings: Readonly<Record<string, number>>;
  readonly parameters: Readonly<Record<string, ExportedArray>>;
  /** per input, its value at t = 1..T */
  readonly inputs: Readonly<
    Record<string, { readonly shape: readonly [number, number]; readonly values: readonly (readonly number[])[] }>
  >;
  readonly initial: Readonly<Record<string, ExportedArray>>;
  readonly lhs: ExportedArray;
  readonly rhs: ExportedArray;
  readonly relError: number;
  readonly replay: readonly string[];
}

const rowsOf = (data: Float64Array, rows: number, cols: number): number[][] =>
  Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));

function exported(data: Float64Array, rows: number, cols: number): ExportedArray {
  return { shape: [rows, cols], values: rowsOf(data, rows, cols) };
}

/**
 * The counterexample's instance rebuilt, with everything needed to replay it elsewhere. Within `workLimit` (the
 * claim's, as its check had): rebuilding one the adversarial search found runs the search's steps again, and
 * evaluating both sides is the claim's work once more; past the limit, the claim's located limit error.
 */
export function exportCounterexample(
  d: Derivation,
  result: ClaimResult,
  cx: Counterexample,
  workLimit: number = LIMITS.claimOperations,
): ExportedCounterexample {
  const claim = d.claims.find((c) => c.id === result.id)!;
  const metered = withWorkLimit(workLimit, () => exportedCounterexample(d, claim, result, cx));
  if (metered.exceeded) throw workLimitError(claim, workLimit);
  return metered.value!;
}

function exportedCounterexample(
  d: Derivation,
  claim: Derivation['claims'][number],
  result: ClaimResult,
  cx: Counterexample,
): ExportedCounterexample {
  const entry = counterexampleEntry(d, claim, cx);
  if (!entry) throw new Error(`the counterexample's instance of '${claim.id}' could not be rebuilt`);
  const { graph } = entry.instance;
  const record = <T>(f: (name: string) => T, names: Iterable<string>) =>
    Object.fromEntries([...names].map((n) => [n, f(n)]));
  const dims = (name: string) => graph.dims(name);
  // both sides as the check's points evaluated them (./points.ts claimSides): the values the report shows
  const [lhs, rhs] = claimSides(claim, entry, cx.bindings).map(asDense) as [Dense, Dense];
  return {
    file: d.file,
    claim: claim.id,
    statement: claim.statement,
    relation: claim.relation,
    tolerance: claim.tolerance,
    assumptions: result.assumptions,
    premise: claim.given?.text ?? null,
    masterSeed: cx.masterSeed,
    instance: cx.instance,
    instanceSeed: entry.instance.seed,
    regime: cx.regime,
    sizes: cx.sizes,
    bindings: cx.bindings,
    parameters: record((n) => exported(graph.data.params.get(n)!, ...dims(n)), graph.data.params.keys()),
    inputs: record(
      (n) => ({
        shape: dims(n),
        values: graph.data.inputs
          .get(n)!
          .slice(1)
          .map((v) => Array.from(v)),
      }),
      graph.data.inputs.keys(),
    ),
    initial: record((n) => exported(graph.data.initial.get(n)!, ...dims(n)), graph.data.initial.keys()),
    lhs: exported(lhs.data, lhs.rows, lhs.cols),
    rhs: exported(rhs.data, rhs.rows, rhs.cols),
    relError: cx.relError,
    replay: cx.replay,
  };
}
