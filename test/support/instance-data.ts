/** Instance data for tests of the adversarial search's constructions. */
import type { InstanceSpace } from '../../src/numeric/adversarial.js';

/**
 * Instance data of the space's shapes, entry k of each block `entry(k)`: by default every entry 1 (recurrent matrices
 * too: they are rescaled to the cap).
 */
export function emptyData(space: InstanceSpace, entry: (k: number) => number = () => 1) {
  const params = new Map<string, Float64Array>();
  const inputs = new Map<string, Float64Array[]>();
  const initial = new Map<string, Float64Array>();
  for (const b of space.blocks) {
    const v = Float64Array.from({ length: b.rows * b.cols }, (_, k) => entry(k));
    if (b.role === 'parameter') params.set(b.name, v);
    else if (b.role === 'state') initial.set(b.name, v);
    else {
      const seq = inputs.get(b.name) ?? [new Float64Array(0)];
      seq[b.time] = v;
      inputs.set(b.name, seq);
    }
  }
  return { params, inputs, initial };
}
