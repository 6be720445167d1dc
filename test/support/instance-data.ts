/** Instance data for tests of the adversarial search's constructions. */
import type { InstanceSpace } from '../../src/numeric/adversarial.js';

/** Instance data of the space's shapes, every entry 1 (recurrent matrices too: they are rescaled to the cap). */
export function emptyData(space: InstanceSpace) {
  const params = new Map<string, Float64Array>();
  const inputs = new Map<string, Float64Array[]>();
  const initial = new Map<string, Float64Array>();
  for (const b of space.blocks) {
    const v = new Float64Array(b.rows * b.cols).fill(1);
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
