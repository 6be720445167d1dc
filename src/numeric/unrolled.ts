/**
 * The unrolled computation graph of one instance: the forward pass, and the
 * two exact derivative sweeps over it — tangents (forward mode, dual numbers)
 * and adjoints (reverse mode). A derivative is defined by perturbing one graph
 * node and recomputing everything downstream of it, except the nodes held
 * fixed; tangents, adjoints and finite differences all implement exactly that
 * definition, which is how partial and total derivatives stay distinct.
 */
import type { Model } from '../model/model.js';
import { adjointOp, forwardOp, type OpList, type Program, tangentOp, type Vec } from './program.js';

export interface GraphNode {
  readonly name: string;
  /** null for parameters and the loss */
  readonly time: number | null;
}

export const nodeKey = (n: GraphNode): string => (n.time === null ? n.name : `${n.name}@${n.time}`);

export interface InstanceData {
  readonly params: ReadonlyMap<string, Vec>;
  /** input sequences, indexed by time 1..T (index 0 unused) */
  readonly inputs: ReadonlyMap<string, readonly Vec[]>;
  /** state values at time 0 */
  readonly initial: ReadonlyMap<string, Vec>;
}

/** Per-time op values of one equation. */
type StepValues = Vec[];

export class Unrolled {
  readonly T: number;
  private readonly values: StepValues[][] = []; // [t][equation] → op values
  private lossValues: StepValues | null = null;
  private readonly eqIndex = new Map<string, number>();

  constructor(
    readonly model: Model,
    readonly program: Program,
    readonly data: InstanceData,
  ) {
    this.T = program.sizes.T!;
    program.equations.forEach((eq, i) => this.eqIndex.set(eq.target, i));
    this.runForward();
  }

  get lossName(): string | null {
    return this.model.loss?.name ?? null;
  }

  /** Checks a node exists on this instance; returns a reason when it does not. */
  nodeProblem(n: GraphNode): string | null {
    if (n.time === null) return this.data.params.has(n.name) || n.name === this.lossName ? null : `unknown node ${n.name}`;
    if (this.data.inputs.has(n.name)) return n.time >= 1 && n.time <= this.T ? null : `${n.name}[${n.time}] is outside the inputs 1..${this.T}`;
    const lo = this.data.initial.has(n.name) ? 0 : 1;
    return n.time >= lo && n.time <= this.T ? null : `${n.name}[${n.time}] is outside ${lo}..${this.T}`;
  }

  value(n: GraphNode): Vec {
    if (n.time === null) {
      if (n.name === this.lossName) return this.lossValues![this.program.loss!.root]!;
      return this.data.params.get(n.name)!;
    }
    const input = this.data.inputs.get(n.name);
    if (input) return input[n.time]!;
    if (n.time === 0) return this.data.initial.get(n.name)!;
    const eq = this.eqIndex.get(n.name)!;
    const list = this.program.equations[eq]!.list;
    return this.values[n.time]![eq]![list.root]!;
  }

  dims(name: string): readonly [number, number] {
    return name === this.lossName ? [1, 1] : this.program.dims.get(name)!;
  }

  // ── forward ──────────────────────────────────────────────────────────────
  private runForward(): void {
    for (let t = 1; t <= this.T; t++) {
      const step: StepValues[] = [];
      this.values[t] = step;
      this.program.equations.forEach((eq) => step.push(this.evalList(eq.list, t, (n) => this.value(n))));
    }
    if (this.program.loss) this.lossValues = this.evalList(this.program.loss, null, (n) => this.value(n));
  }

  private leaf(list: OpList, i: number, t: number | null): GraphNode | null {
    const op = list.ops[i]!;
    if (op.kind === 'param') return { name: op.name, time: null };
    if (op.kind === 'seq') return { name: op.name, time: t === null ? op.offset : t + op.offset };
    return null;
  }

  private evalList(list: OpList, t: number | null, read: (n: GraphNode) => Vec): StepValues {
    const vals: Vec[] = [];
    const v = (i: number) => vals[i]!;
    const d = (i: number) => list.dims[i]!;
    list.ops.forEach((op, i) => {
      const leaf = this.leaf(list, i, t);
      vals.push(leaf ? read(leaf) : forwardOp(op, d(i), v, d));
    });
    return vals;
  }

  // ── tangents (forward mode) ──────────────────────────────────────────────
  /**
   * Tangents of every node downstream of `seed` for the seed direction `u`,
   * with `fixed` nodes held at zero tangent. Returns a lookup (null = zero).
   */
  tangents(seed: GraphNode, u: Vec, fixed: ReadonlySet<string>): (n: GraphNode) => Vec | null {
    const tan = new Map<string, Vec>();
    const seedKey = nodeKey(seed);
    tan.set(seedKey, u);
    const read = (n: GraphNode): Vec | null => (fixed.has(nodeKey(n)) ? null : (tan.get(nodeKey(n)) ?? null));
    const start = seed.time === null ? 1 : Math.max(1, seed.time);
    for (let t = start; t <= this.T; t++) {
      this.program.equations.forEach((eq, e) => {
        const key = `${eq.target}@${t}`;
        if (key === seedKey || fixed.has(key)) return;
        const dv = this.tangentList(eq.list, t, this.values[t]![e]!, read);
        if (dv) tan.set(key, dv);
      });
    }
    if (this.program.loss && this.lossName && this.lossName !== seed.name) {
      const dv = this.tangentList(this.program.loss, null, this.lossValues!, read);
      if (dv) tan.set(this.lossName, dv);
    }
    return read;
  }

  private tangentList(list: OpList, t: number | null, vals: StepValues, read: (n: GraphNode) => Vec | null): Vec | null {
    const dvals: (Vec | null)[] = [];
    const v = (i: number) => vals[i]!;
    const dv = (i: number) => dvals[i] ?? null;
    const d = (i: number) => list.dims[i]!;
    list.ops.forEach((op, i) => {
      const leaf = this.leaf(list, i, t);
      dvals.push(leaf ? read(leaf) : tangentOp(op, d(i), v, dv, vals[i]!, d));
    });
    return dvals[list.root] ?? null;
  }

  // ── adjoints (reverse mode) ──────────────────────────────────────────────
  /**
   * Adjoints of every node upstream of `target` for the cotangent `w`
   * (a row applied to the target), not propagating through `fixed` nodes.
   * Each node's adjoint is complete once the sweep passes it.
   */
  adjoints(target: GraphNode, w: Vec, fixed: ReadonlySet<string>): (n: GraphNode) => Vec | null {
    const adj = new Map<string, Vec>();
    const add = (n: GraphNode, g: Vec) => {
      const key = nodeKey(n);
      const prev = adj.get(key);
      if (!prev) adj.set(key, Float64Array.from(g));
      else for (let i = 0; i < g.length; i++) prev[i]! += g[i]!;
    };
    let top = this.T;
    if (target.time === null && target.name === this.lossName) this.adjointList(this.program.loss!, null, this.lossValues!, w, add);
    else if (target.time !== null) {
      adj.set(nodeKey(target), Float64Array.from(w));
      top = target.time;
    } else throw new Error('adjoint sweeps start at the loss or a sequence node');
    for (let t = top; t >= 1; t--) {
      for (let e = this.program.equations.length - 1; e >= 0; e--) {
        const eq = this.program.equations[e]!;
        const key = `${eq.target}@${t}`;
        const g = adj.get(key);
        if (!g || fixed.has(key)) continue;
        this.adjointList(eq.list, t, this.values[t]![e]!, g, add);
      }
    }
    return (n) => adj.get(nodeKey(n)) ?? null;
  }

  private adjointList(list: OpList, t: number | null, vals: StepValues, g: Vec, add: (n: GraphNode, g: Vec) => void): void {
    const adj: (Vec | null)[] = list.ops.map(() => null);
    adj[list.root] = g;
    const v = (i: number) => vals[i]!;
    const d = (i: number) => list.dims[i]!;
    for (let i = list.ops.length - 1; i >= 0; i--) {
      const a = adj[i];
      if (!a) continue;
      const leaf = this.leaf(list, i, t);
      if (leaf) {
        add(leaf, a);
        continue;
      }
      for (const [input, contrib] of adjointOp(list.ops[i]!, d(i), v, vals[i]!, a, d)) {
        const prev = adj[input];
        if (!prev) adj[input] = contrib;
        else adj[input] = prev.map((x, k) => x + contrib[k]!);
      }
    }
  }

  // ── perturbed re-evaluation (for finite differences) ─────────────────────
  /**
   * The value of `target` after replacing `seed` by `seedValue` and
   * recomputing everything downstream, holding `fixed` nodes at their values.
   */
  perturbed(seed: GraphNode, seedValue: Vec, fixed: ReadonlySet<string>, target: GraphNode): Vec {
    const seedKey = nodeKey(seed);
    const changed = new Map<string, Vec>([[seedKey, seedValue]]);
    const read = (n: GraphNode): Vec => {
      const key = nodeKey(n);
      return fixed.has(key) ? this.value(n) : (changed.get(key) ?? this.value(n));
    };
    const start = seed.time === null ? 1 : Math.max(1, seed.time);
    const stop = target.time ?? this.T;
    for (let t = start; t <= stop; t++) {
      for (const eq of this.program.equations) {
        const key = `${eq.target}@${t}`;
        if (key === seedKey) continue;
        const vals = this.evalList(eq.list, t, read);
        changed.set(key, vals[eq.list.root]!);
      }
    }
    if (target.time === null && target.name === this.lossName) {
      const vals = this.evalList(this.program.loss!, null, read);
      return vals[this.program.loss!.root]!;
    }
    return read(target);
  }
}
