/**
 * `check --cache` (src/verify/cached-check.ts): claims answered from the cache give the results, text, JSON and
 * counterexample export a fresh check gives; an edited claim is checked again alone; a selection (--claim) is
 * answered from the entries a whole run wrote; ill-formed claims are reported on every run and never stored.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { VerifyCache } from '../../src/verify/cache.js';
import { cachedChecker } from '../../src/verify/cached-check.js';
import { gradproof } from '../cli/spawn.js';

const EQ5 = 'derivations/how-does-lstm-avoid-gradient-explosion-2024-eq5.yaml';
const fresh = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe('check --cache', () => {
  it('answers unchanged claims with the results a fresh check gives; an edited claim is checked alone', () => {
    const cache = new VerifyCache(fresh('gp-ccache-'));
    const file = join(fresh('gp-ccache-src-'), 'eq5.yaml');
    cpSync(EQ5, file);
    const plain = check([file], { instances: 2 });
    const first = check([file], { instances: 2 }, cachedChecker(cache));
    expect(first.claims).toEqual(plain.claims);
    expect(cache.use().claims).toEqual({ answered: 0, checked: 3 });
    const second = check([file], { instances: 2 }, cachedChecker(cache));
    expect(second.claims).toEqual(plain.claims);
    expect(cache.use().claims).toEqual({ answered: 3, checked: 3 });

    // another request misses; a selection is answered from the whole run's entries
    check([file], { instances: 3 }, cachedChecker(cache));
    expect(cache.use().claims).toEqual({ answered: 3, checked: 6 });
    const one = check([file], { instances: 2, claims: ['eq5-last-step'] }, cachedChecker(cache));
    expect(one.claims.map((c) => c.id)).toEqual(['eq5-last-step']);
    expect(one.claims[0]).toEqual(plain.claims[2]);
    expect(cache.use().claims).toEqual({ answered: 4, checked: 6 });

    // the transpose put back in the second claim: it alone is checked, and now verified
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        "* U * grad(L, r[t+1]) + diag(1 - tanh(r[t]).^2) * V' * grad(L, z[t])\n    forall: t in 1..T-1\n    expect: refuted",
        "* U' * grad(L, r[t+1]) + diag(1 - tanh(r[t]).^2) * V' * grad(L, z[t])\n    forall: t in 1..T-1\n    expect: refuted",
      ),
    );
    const edited = check([file], { instances: 2 }, cachedChecker(cache));
    expect(cache.use().claims).toEqual({ answered: 6, checked: 7 });
    expect(edited.claims[1]!.verdict).toBe('verified');
    expect(edited.claims).toEqual(check([file], { instances: 2 }).claims);
  });

  it('a request field set to undefined is not the absent field (it replaces the default): no shared entries', () => {
    const cache = new VerifyCache(fresh('gp-ccache-'));
    const undefinedSearch = check([EQ5], { instances: 1, search: undefined }, cachedChecker(cache));
    const defaults = check([EQ5], { instances: 1 }, cachedChecker(cache));
    expect(cache.use().claims).toEqual({ answered: 0, checked: 6 });
    expect(defaults.claims).toEqual(check([EQ5], { instances: 1 }).claims);
    expect(undefinedSearch.claims).toEqual(check([EQ5], { instances: 1, search: undefined }).claims);
  });

  it('an ill-formed claim is an error on every run and is never stored', () => {
    const dir = fresh('gp-ccache-');
    const cache = new VerifyCache(dir);
    const file = join(fresh('gp-ccache-src-'), 'eq5.yaml');
    // r[t+1] at t = T leaves the unrolled graph: found while the claim is checked
    writeFileSync(file, readFileSync(EQ5, 'utf8').replace('forall: t in 1..T-1', 'forall: t in 1..T'));
    for (let run = 0; run < 2; run++) {
      const report = check([file], { instances: 1 }, cachedChecker(cache));
      expect(report.errors.map((e) => e.message)).toEqual([
        expect.stringMatching(/claim 'eq5' leaves the unrolled graph/),
      ]);
      expect(report.claims.map((c) => c.id)).toEqual(['eq5-without-transpose', 'eq5-last-step']);
    }
    expect(cache.use().claims).toEqual({ answered: 2, checked: 4 });
    expect(readdirSync(dir).filter((n) => n.endsWith('.bin'))).toHaveLength(2);
  });

  it('the command line: the same text, JSON and export as without --cache, with the cache line and field', async () => {
    const cache = fresh('gp-ccache-');
    const out = [fresh('gp-ccache-x-'), fresh('gp-ccache-x-'), fresh('gp-ccache-x-')];
    const args = ['check', EQ5, '--instances', '1', '--search', '20'];
    const [plain, plainJson] = await Promise.all([
      gradproof(...args, '--export', join(out[0]!, 'cx.json')),
      gradproof(...args, '--json'),
    ]);
    await gradproof(...args, '--cache-dir', cache);
    const [cached, cachedJson] = await Promise.all([
      gradproof(...args, '--cache-dir', cache, '--export', join(out[1]!, 'cx.json')),
      gradproof(...args, '--cache-dir', cache, '--json'),
    ]);
    expect(cached.status).toBe(plain.status);
    expect(cached.stdout).toBe(`${plain.stdout}cache ${cache}: 3 of 3 claims answered from it\n`);
    const json = JSON.parse(cachedJson.stdout) as Record<string, unknown>;
    expect(json.cache).toEqual({
      dir: cache,
      claims: { answered: 3, checked: 0 },
      derived: { answered: 0, checked: 0 },
    });
    delete json.cache;
    expect(json).toEqual(JSON.parse(plainJson.stdout));
    expect(readFileSync(join(out[1]!, 'cx.json'), 'utf8')).toBe(readFileSync(join(out[0]!, 'cx.json'), 'utf8'));
    expect(readFileSync(join(out[1]!, 'cx.py'), 'utf8')).toBe(readFileSync(join(out[0]!, 'cx.py'), 'utf8'));
  });
});
