/**
 * `verify`: drift is reported claim by claim, --update rewrites fixtures, a
 * wrong claim flips a verdict, JUnit XML is well-formed, and a README's
 * generated summary is checked and rewritten. (The whole shipped corpus is
 * CI's main job, `gradproof verify --readme README.md`, not a unit test.)
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { InputError } from '../../src/derivation/errors.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import { REPORT_END, REPORT_START, summaryMarkdown } from '../../src/emit/summary-report.js';
import { fixtureFor, junitXml, verify } from '../../src/verify/verify.js';

describe('verify', () => {
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

  it('a corrupt fixture is bad input naming the fixture file (read before any check runs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-fixtures-'));
    const file = 'derivations/lab-10-5-vanilla-rnn.yaml';
    for (const [text, problem] of [
      [
        '{"file": "x",\n  "claims": {',
        /:2:14: corrupt fixture: .*\(expected the JSON that gradproof verify --update writes\)/,
      ],
      ['[1, 2]', /:1:1: not a gradproof fixture/],
      ['{"file": "x", "claims": null, "derived": []}', /:1:1: not a gradproof fixture/],
    ] as const) {
      writeFileSync(fixtureFor(dir, file), text);
      const err = (await verify([file], { fixtures: dir, jobs: 1 }).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(InputError);
      expect(err.message.startsWith(fixtureFor(dir, file))).toBe(true);
      expect(err.message).toMatch(problem);
    }
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

it("a README's verdict summary is checked against the results, and --update rewrites it in place", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-readme-'));
  const file = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml';
  const readme = join(dir, 'README.md');
  writeFileSync(readme, `# a project\n\n${REPORT_START}\n\nold text\n\n${REPORT_END}\n\nafter\n`);
  const stale = await verify([file], { jobs: 1, readme });
  expect(stale.readme).toEqual({ file: readme, status: 'stale' });
  expect(stale.ok).toBe(false);
  expect((await verify([file], { jobs: 1, readme, update: true })).readme!.status).toBe('updated');
  const text = readFileSync(readme, 'utf8');
  expect(text.startsWith('# a project\n\n')).toBe(true);
  expect(text.endsWith('\n\nafter\n')).toBe(true);
  const d = loadDerivationFile(file);
  const claims = checkDerivation(d);
  expect(text).toContain(summaryMarkdown([{ file, title: d.title, source: d.source, claims }]));
  const again = await verify([file], { jobs: 1, readme });
  expect(again.readme!.status).toBe('ok');
  expect(again.ok).toBe(true);
});
