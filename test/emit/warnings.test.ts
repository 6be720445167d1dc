/** A loose tolerance (≥ 1e-2) is a warning beside the verdict: data in the result, words in the text and JSON reports. */
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { checkReportJson } from '../../src/emit/json-report.js';
import { formatCheckReport } from '../../src/emit/text-report.js';

describe('warnings', () => {
  const report = check(['derivations/lab-10-5-vanilla-rnn.yaml'], { claims: ['lab-eq1'], instances: 1 });
  const loose = {
    ...report,
    claims: report.claims.map((c) => ({
      ...c,
      warnings: [{ kind: 'loose-tolerance' as const, tolerance: 0.05, threshold: 1e-2 }],
    })),
  };

  it('a claim with the default tolerance has none', () => {
    expect(report.claims[0]!.warnings).toEqual([]);
    expect(formatCheckReport(report)).not.toMatch(/warning/);
  });

  it('are printed under the verdict line in the text report', () => {
    const lines = formatCheckReport(loose).split('\n');
    const at = lines.findIndex((l) => l.includes('lab-eq1'));
    expect(lines[at + 1]).toMatch(/^ {6}warning: tolerance 0\.05 is loose \(≥ 0\.01\): .* a wrong claim can pass$/);
  });

  it('are words in the JSON report', () => {
    const json = checkReportJson(loose) as { claims: { warnings: string[] }[] };
    expect(json.claims[0]!.warnings).toEqual([expect.stringMatching(/^tolerance 0\.05 is loose/)]);
    expect((checkReportJson(report) as { claims: { warnings: string[] }[] }).claims[0]!.warnings).toEqual([]);
  });
});
