/**
 * A third review's bad inputs (2026-12-07): each is a located error (exit 2) saying what was expected, or, where the
 * input is fine, a run bounded in work before the work is done.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attachDashValues, VALUE_OPTIONS } from '../../src/cli/dash-values.js';
import { gradproof } from './spawn.js';

describe('verify --shard', () => {
  const EXPECTED = (raw: string) => `gradproof: --shard takes i/n with 1 ≤ i ≤ n (e.g. --shard 2/3), got '${raw}'\n`;

  it.each([
    [['--shard', '-1/2'], '-1/2'],
    [['--shard=-1/2'], '-1/2'],
    [['--shard', '-x'], '-x'],
    [['--shard', '0/2'], '0/2'],
    [['--shard', '3/2'], '3/2'],
    [['--shard', '1/0'], '1/0'],
    [['--shard', 'a/b'], 'a/b'],
  ])('%j says what a shard is (it said "Unknown argument: 1" for -1/2)', async (args, raw) => {
    const r = await gradproof('verify', 'derivations', ...args);
    expect([r.status, r.stderr, r.stdout]).toEqual([2, EXPECTED(raw), '']);
  });

  it('a value that starts with a dash is the value of any option that takes one', async () => {
    const r = await gradproof('check', 'derivations/lab-10-5-vanilla-rnn.yaml', '--size', '-d=3');
    expect([r.status, r.stderr]).toEqual([
      2,
      "gradproof: --size takes NAME=INTEGER with 1 ≤ INTEGER ≤ 100000, got '-d=3'\n",
    ]);
  });
});

describe('options that take a value', () => {
  it('are every option declared with a value (type string) in the CLI', () => {
    const declared = new Set<string>();
    for (const f of readdirSync('src/cli').filter((name) => name.endsWith('.ts'))) {
      const text = readFileSync(`src/cli/${f}`, 'utf8');
      for (const [, name, rest] of text.matchAll(/\.option\(\s*'([a-z-]+)',\s*([^)]*)/g))
        if (/type: 'string'|WORK_LIMIT_OPTION/.test(rest!)) declared.add(name!);
    }
    expect([...declared].sort()).toEqual([...VALUE_OPTIONS].sort());
  });

  it('take a value with a dash attached, and leave negative numbers, flags and what follows -- alone', () => {
    expect(attachDashValues(['verify', '--shard', '-1/2', '--json'])).toEqual(['verify', '--shard=-1/2', '--json']);
    expect(attachDashValues(['check', 'f', '--workLimit', '-x'])).toEqual(['check', 'f', '--workLimit=-x']);
    expect(attachDashValues(['check', 'f', '--seed', '-1'])).toEqual(['check', 'f', '--seed', '-1']);
    expect(attachDashValues(['verify', '--shard', '--json'])).toEqual(['verify', '--shard', '--json']);
    expect(attachDashValues(['verify', '--json', '-x'])).toEqual(['verify', '--json', '-x']);
    expect(attachDashValues(['check', '--', '--size', '-x'])).toEqual(['check', '--', '--size', '-x']);
  });
});
