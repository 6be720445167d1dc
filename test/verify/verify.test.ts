/**
 * `verify`: every shipped derivation matches its golden fixture, drift is
 * reported claim by claim, a wrong claim flips a verdict, JUnit XML is
 * well-formed, and README's generated summary is current.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { REPORT_END, REPORT_START, summaryMarkdown } from '../../src/emit/summary-report.js';
import { fixtureFor, junitXml, verify, type VerifyReport } from '../../src/verify/verify.js';

let shipped: Promise<VerifyReport> | null = null;
const shippedReport = () => (shipped ??= verify(['derivations'], { jobs: 2 }));

describe('verify', () => {
  it('every shipped derivation matches its fixture and gets its expected verdicts (two workers)', async () => {
    const report = await shippedReport();
    const problems = report.files.flatMap((f) => [
      ...f.drifts.map((d) => `${f.file} ${d.claim} ${d.path}`),
      ...(f.status === 'new' ? [`${f.file}: no fixture`] : []),
      ...f.claims.filter((c) => !c.ok).map((c) => `${c.id}: ${c.verdict} ≠ ${c.expected}`),
    ]);
    expect(problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.summary.files).toBeGreaterThanOrEqual(4);
  });

  it('a deliberately edited fixture fails with a readable diff naming the claim and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-fixtures-'));
    cpSync('fixtures', dir, { recursive: true });
    const file = 'derivations/lab-10-5-vanilla-rnn.yaml';
    const path = fixtureFor(dir, file);
    const fixture = JSON.parse(readFileSync(path, 'utf8')) as { claims: Record<string, { verdict: string }> };
    fixture.claims['lab-eq1']!.verdict = 'consistent';
    writeFileSync(path, JSON.stringify(fixture));
    const report = await verify([file], { fixtures: dir, jobs: 1 });
    expect(report.ok).toBe(false);
    expect(report.files[0]!.status).toBe('drift');
    expect(report.files[0]!.drifts).toEqual([
      { claim: 'lab-eq1', path: 'verdict', old: 'consistent', now: 'verified' },
    ]);
    const xml = junitXml(report);
    expect(xml).toMatch(
      /<testcase classname="derivations\/lab-10-5-vanilla-rnn.yaml" name="lab-eq1" time="0"><failure message="verdict: was consistent, now verified">/,
    );
    expect(xml).toMatch(/<testsuites name="gradproof verify" tests="\d+" failures="1">/);
  });

  it('--update rewrites a drifted fixture, after which verify passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-fixtures-'));
    const file = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml';
    const first = await verify([file], { fixtures: dir, jobs: 1 });
    expect(first.files[0]!.status).toBe('new');
    expect(first.ok).toBe(false);
    expect((await verify([file], { fixtures: dir, jobs: 1, update: true })).files[0]!.status).toBe('updated');
    expect((await verify([file], { fixtures: dir, jobs: 1 })).ok).toBe(true);
  });

  it('a deliberately wrong claim added to a copy of a document flips its verdict', () => {
    const text = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8').replace(
      "claim: grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])",
      "claim: grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i-1].^2)) * grad(L, h[T])",
    );
    const [r] = checkDerivation(parseDerivation(text, 'copy.yaml'), { claims: ['lab-eq1'], instances: 1 });
    expect(r!.verdict).toBe('refuted');
    expect(r!.ok).toBe(false);
  });
});

it("README's verdict summary is the one `gradproof report` generates now", async () => {
  const report = await shippedReport();
  const docs = report.files.map((f) => {
    const d = loadDerivationFile(f.file);
    return { file: f.file, title: d.title, source: d.source, claims: f.claims };
  });
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf(REPORT_START) + REPORT_START.length, readme.indexOf(REPORT_END)).trim();
  expect(section).toBe(summaryMarkdown(docs));
});
