/**
 * `gradproof scaffold` and a `latex:` claim through `gradproof check`, run as a user would
 * (`node --import tsx src/cli/main.ts …`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HANG_GUARD } from '../cli/spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'gradproof-latex-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gradproof(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    ...HANG_GUARD,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gradproof scaffold', () => {
  it('writes the skeleton of the lab sheet with --out and says what it found', () => {
    const out = join(dir, 'lab.yaml');
    const r = gradproof('scaffold', 'test/fixtures/seeds/003_22be9201f3b67b89.txt', '--out', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('4 display equations (4 formulas): 0 in the model, 4 claims (3 read, 1 not read');
    const doc = parse(readFileSync(out, 'utf8')) as { claims: { id: string; latex: string; expect?: string }[] };
    expect(doc.claims.map((c) => c.id)).toEqual(['eq1', 'eq2', 'eq3', 'eq4']);
    expect(doc.claims.every((c) => c.expect === undefined)).toBe(true);
  });
  it('a missing post is bad input: exit 2, located message, no stack', () => {
    const r = gradproof('scaffold', join(dir, 'missing.md'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^gradproof: .*missing\.md:1:1: cannot read file: ENOENT \(expected a Markdown post that can be read\)\n$/,
    );
  });
  it('a post with more display equations than a file may hold claims is refused at the first one past it, nothing written', () => {
    // a review's 443 329 displays took 179 s and 4.4 GB to write a 43 MB skeleton that check refuses
    const post = join(dir, 'many.md');
    writeFileSync(post, `# P\n\n$$h_t = \\tanh(W h_{t-1})$$\n\n${'$$a=b$$\n\n'.repeat(1000)}`);
    const out = join(dir, 'many.yaml');
    const r = gradproof('scaffold', post, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^gradproof: .*many\.md:2003:1: 1001 display equations, one claim each at least \(expected at most 1000 \(the claims a derivation file may hold\): a post in parts\)\n$/,
    );
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
});

describe('a latex: claim in gradproof check', () => {
  it('is checked as its reading, which the report shows', () => {
    const base = readFileSync('derivations/lab-10-5-vanilla-rnn.yaml', 'utf8');
    const file = join(dir, 'lab-latex.yaml');
    writeFileSync(
      file,
      `${base.slice(0, base.indexOf('\nclaims:'))}\nclaims:\n` +
        '  - id: eq2\n' +
        "    latex: '\\|\\nabla_{h^{[\\tau-k]}} h^{[\\tau]}\\| \\le \\|W\\|^k (\\max_x |1 - \\tanh(x)^2|)^k'\n" +
        '    forall: k in 1..T\n' +
        '    expect: proved\n',
    );
    const r = gradproof('check', file, '--instances', '1', '--json');
    expect(r.status).toBe(0);
    const claim = (JSON.parse(r.stdout) as { claims: Record<string, unknown>[] }).claims[0]!;
    expect(claim.verdict).toBe('proved');
    expect(claim.statement).toBe('norm2(jac(h[T], h[T-k])) <= norm2(W)^k * supabs(x, 1 - tanh(x)^2)^k');
    // the notes point into the file: the claim's LaTeX starts at line 27, column 13
    expect((claim.reading as { notes: string[] }).notes).toContain(
      "27:15: ∇_x y of a vector y read as (∂y/∂x)ᵀ = jac(y, x)'",
    );
  });
});
