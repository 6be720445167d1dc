/**
 * Gate settings, for the isolating constructions of ./adversarial.ts (GATE_SETTINGS): which gates a construction puts
 * at which end of their range by their biases, and which recurrent matrix it leaves alone at the cap. A plan only
 * (names and levels); adversarial.ts builds the data. Nothing here knows a claim or a model's names.
 *
 * Why: every other construction moves the gates together (all open, all shut, all centred, or those one matrix feeds
 * centred and the rest open), and the recurrent matrices together or one alone at the cap with the gates it feeds
 * centred. Bounds false only where some gates are shut while others are open and a candidate is centred held on every
 * instance the search tried (a review's, 2026-12-06): a GRU's ‖∂h_t/∂h_{t−1}‖ ≤ 1 + ½‖U_z‖ + 0.9‖U_n‖(1 + ¼‖U_r‖)
 * (z shut, r open, n centred, U_n alone at the cap: ‖U_n‖ against 0.9‖U_n‖ + 1), an LSTM's route through g with
 * 0.98‖U_g‖ (i and o open, g centred, c_0 = 0), ‖∂h_t/∂h_{t−1}‖ ≤ … + 0.9‖U_g‖ (f shut besides), and
 * h = ½ q ⊙ (1 − n), n = tanh(A h + b), q = 2 tanh(W h): ‖∂h_t/∂h_{t−1}‖ ≤ ‖W‖ + ‖A‖ (n at −1, W alone at the cap:
 * 2‖W‖). test/check/gate-settings.test.ts; numpy: test/fixtures/numpy/gate_settings.py.
 */

/** Where a setting puts a gate's pre-activation: at its low end (−1), centred (0), at its high end (+1). */
export type Level = -1 | 0 | 1;

/** A gate a setting can move (by its bias): the sequence it defines, whether its range has 0 inside, what it reads. */
export interface SettableGate {
  readonly target: string;
  /**
   * a candidate (its range has 0 inside: tanh), centred unless the setting moves it; otherwise (σ: its range's lower end
   * is 0) at the end its setting's base puts every such gate
   */
  readonly candidate: boolean;
  /** the recurrent matrices its argument reads */
  readonly recurrent: ReadonlySet<string>;
}

export interface GateSetting {
  readonly name: string;
  /** every settable gate's level, by target */
  readonly levels: ReadonlyMap<string, Level>;
  /** the recurrent matrix at the cap (every other one shrunk) */
  readonly capped: string;
}

/**
 * The settings: every gate that is no candidate at its high end (σ open), the candidates centred; then each gate in
 * turn at its low end (a gate shut among open ones, a candidate at −1 among open gates); any that puts no gate at an end
 * (what every construction at the drives' peak already is) left out. Not the mirror image, every gate shut and each in
 * turn open: a shut gate closes its route (an LSTM's i or o at 0 leaves h_t at 0, a GRU's r at 0 leaves n_t none of
 * h_{t−1}), the shut settings' Jacobians are mostly those routes' absence, which the saturated constructions reach, and
 * they doubled the count. Each with each recurrent matrix alone at the cap that has a slope to act through: one a
 * centred gate reads, or a gate the settings do not move (`fixed`: a gate without a bias, at the drives' peak centred),
 * or that no gate reads (W of a q = 2 tanh(W h), which is no gate's argument) — a matrix read only by gates at their
 * ends moves nothing. At most 1 + gates settings; an LSTM with four biased gates and one matrix each has 5, 4 of which
 * centre g (U_g), 1 none: 4 constructions; a GRU 3.
 */
export function gateSettings(
  gates: readonly SettableGate[],
  matrices: readonly string[],
  fixed: readonly ReadonlySet<string>[],
): GateSetting[] {
  const settings: Map<string, Level>[] = [];
  const seen = new Set<string>();
  const add = (levels: Map<string, Level>) => {
    const key = gates.map((g) => levels.get(g.target)).join(',');
    if (seen.has(key) || ![...levels.values()].some((l) => l !== 0)) return;
    seen.add(key);
    settings.push(levels);
  };
  const open = new Map(gates.map((g): [string, Level] => [g.target, g.candidate ? 0 : 1]));
  add(open);
  for (const g of gates) add(new Map(open).set(g.target, -1));
  return settings.flatMap((levels) =>
    matrices
      .filter(
        (m) =>
          fixed.some((reads) => reads.has(m)) ||
          !gates.some((g) => g.recurrent.has(m)) ||
          gates.some((g) => g.recurrent.has(m) && levels.get(g.target) === 0),
      )
      .map((capped) => ({ name: nameOf(gates, levels, capped), levels, capped })),
  );
}

const WORD: Record<Level, string> = { [-1]: 'low', 0: 'centred', 1: 'high' };

function nameOf(gates: readonly SettableGate[], levels: ReadonlyMap<string, Level>, capped: string): string {
  const each = gates.map((g) => `${g.target} ${WORD[levels.get(g.target)!]}`).join(', ');
  return `${each} by their biases, the states and inputs at 0, ${capped} alone at the cap`;
}
