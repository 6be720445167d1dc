/**
 * An ill-formed claim is a located error for that claim alone: the file's other
 * claims are still checked, and the run exits 2 at the end. `--json` always
 * prints exactly one JSON object on stdout, with the errors beside any results.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { parseDerivation } from '../../src/derivation/load.js';
import { InputError } from '../../src/derivation/errors.js';
import { rnnWith } from './model.js';
import { gradproof, once } from '../cli/spawn.js';

const text = rnnWith(`  - id: good
    claim: grad(L, h[T-1]) = W' * diag(1 - h[T].^2) * grad(L, h[T])
    expect: verified
  - id: unknown-name
    claim: grad(L, h[T-1]) = Q * grad(L, h[T])
    expect: verified
  - id: off-the-end
    claim: grad(L, h[T+5-k]) = grad(L, h[T])
    forall: k in 1..T
    expect: consistent
  - id: corrected
    claim: grad(L, h[T]) = c .* (1 + 0 * h[T])
    corrects: unknown-name
    expect: verified
`);
const tmp = mkdtempSync(join(tmpdir(), 'gradproof-claim-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const FILE = join(tmp, 'some-bad.yaml');
writeFileSync(FILE, text);
const BROKEN_MODEL = join(tmp, 'broken-model.yaml');
writeFileSync(BROKEN_MODEL, text.replace('U*x[t] + b)', 'U*x[t] + bb)'));
const lineOf = (marker: string) => text.slice(0, text.indexOf(marker)).split('\n').length;

describe('ill-formed claims, one at a time (library)', () => {
  it('by default the first one is thrown (derive, verify and report keep refusing the file)', () => {
    expect(() => parseDerivation(text, 'f.yaml')).toThrow(/unknown symbol 'Q'/);
  });

  it('with perClaimErrors each is recorded and the rest are kept; a `corrects` naming it is no second error', () => {
    const d = parseDerivation(text, 'f.yaml', { perClaimErrors: true });
    expect(d.claims.map((c) => c.id)).toEqual(['good', 'off-the-end', 'corrected']);
    expect(d.claimErrors!.map((e) => [e.pos.line, e.problem])).toEqual([[lineOf('Q * grad'), "unknown symbol 'Q'"]]);
  });

  it('check() checks the others and returns each error located (load-time and check-time alike)', () => {
    const report = check([FILE], { instances: 1 });
    expect(report.claims.map((c) => [c.id, c.verdict])).toEqual([
      ['good', 'verified'],
      ['corrected', 'verified'],
    ]);
    expect(report.errors.map((e) => [e.pos.file, e.pos.line, e.problem.split(':')[0]])).toEqual([
      [FILE, lineOf('Q * grad'), "unknown symbol 'Q'"],
      [FILE, lineOf('- id: off-the-end'), "claim 'off-the-end' leaves the unrolled graph"],
    ]);
  });

  it('a file that does not load at all is still thrown before any check', () => {
    expect(() => check([FILE, BROKEN_MODEL], { instances: 1 })).toThrow(InputError);
  });
});

describe('ill-formed claims and --json on bad input (CLI)', () => {
  const textRun = once(() => gradproof('check', FILE, '--instances', '1'));
  const jsonRun = once(() => gradproof('check', FILE, '--instances', '1', '--json'));
  const brokenJson = once(() => gradproof('check', BROKEN_MODEL, '--json'));
  const usageJson = once(() => gradproof('check', FILE, '--json', '--instances', '0'));

  it('text: exit 2, the good claims reported on stdout, one located line per error on stderr', async () => {
    const r = await textRun();
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/✓ good +verified/);
    expect(r.stdout).toMatch(/✓ corrected +verified/);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^gradproof: .*some-bad\\.yaml:${lineOf('Q * grad')}:\\d+: unknown symbol 'Q'`),
    );
    expect(lines[1]).toMatch(/leaves the unrolled graph/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('--json: exactly one object with the results and the errors beside them', async () => {
    const r = await jsonRun();
    expect(r.status).toBe(2);
    const json = JSON.parse(r.stdout) as {
      claims: { id: string }[];
      errors: { file: string; line: number; col: number; message: string }[];
    };
    expect(json.claims.map((c) => c.id)).toEqual(['good', 'corrected']);
    expect(json.errors).toHaveLength(2);
    expect(json.errors[0]).toMatchObject({
      file: FILE,
      line: lineOf('Q * grad'),
      message: "unknown symbol 'Q' (expected one of the declared symbols or index variables)",
    });
    expect(json.errors[0]!.col).toBeGreaterThan(1);
    expect(json.errors[1]!.message).toMatch(/^claim 'off-the-end' leaves the unrolled graph/);
  });

  it('--json on a file that does not load: {"errors": [...]} and exit 2', async () => {
    const r = await brokenJson();
    expect(r.status).toBe(2);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['errors']);
    expect(json.errors).toEqual([
      expect.objectContaining({ file: BROKEN_MODEL, message: expect.stringMatching(/^unknown symbol 'bb'/) as string }),
    ]);
  });

  it('--json on a usage error: {"errors": [...]} with no place, exit 2', async () => {
    const r = await usageJson();
    expect(r.status).toBe(2);
    const json = JSON.parse(r.stdout) as { errors: { message: string }[] };
    expect(Object.keys(json)).toEqual(['errors']);
    expect(json.errors).toHaveLength(1);
    expect(json.errors[0]).toMatchObject({ file: null, line: null, col: null });
    expect(json.errors[0]!.message).toMatch(/--instances takes an integer/);
  });
});
