/**
 * A claim's check keeps a tally of its random points, not the points (src/check/point-tally.ts): what stays grows
 * with the instances, not with the bindings. Every point was kept to the end of the check before: `forall` over 8
 * quantifiers at T = 4 (65 536 bindings an instance) took 2.5 GB at the default instances and ran out of memory at
 * `--instances 30` (a review's).
 */
import { describe, expect, it } from 'vitest';
import { gradproofUnder } from '../cli/spawn.js';

const FILE = 'test/fixtures/bounds/seven-quantifiers.yaml';

describe('the tally of a claim’s points', () => {
  it('a claim at 327 680 points is checked in a 250 MB heap', async () => {
    // with each point kept (≈ 900 bytes each) the run aborted out of memory under this heap (exit 134; under tsx it
    // needed more than 300 MB), with the tally it needs less than 180 MB (measured: exit 0 at 180)
    const run = await gradproofUnder(['--max-old-space-size=250'], 'check', FILE, '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as {
      claims: { verdict: string; evidence: { kind: string; points?: number; agreed?: number; violated?: number }[] }[];
    };
    const [claim] = report.claims;
    expect(claim!.verdict).toBe('verified');
    const reference = claim!.evidence.find((e) => e.kind === 'reference')!;
    expect([reference.points, reference.agreed, reference.violated]).toEqual([327680, 327680, 0]);
  });
});
