/**
 * A third review's scaffold inputs (2026-12-06) that ran for minutes: the Markdown reader's work is superlinear in
 * emphasis and link delimiters (now not parsed), in quotes and list items opened times the post's size, and in a
 * paragraph's lines (both now bounded before the reader runs, displays.ts READER_LIMITS).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findDisplays, READER_LIMITS, readerCost } from '../../src/latex/scaffold/displays.js';
import { gradproof } from './spawn.js';

const tmp = mkdtempSync(join(tmpdir(), 'gradproof-scaffold-bounds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DISPLAY = '\n\n$$\nh_t = \\tanh(W h_{t-1})\n$$\n';
const deepList = (d: number): string => Array.from({ length: d }, (_, k) => `${'  '.repeat(k)}- a`).join('\n');
const quotes = (n: number): string => '> quoted\n\npara\n\n'.repeat(n);
const emphLines = (n: number): string => `${'*'.repeat(40)}a${'*'.repeat(40)} b\n`.repeat(n);

describe('readerCost: one pass, counts the reader bounds', () => {
  it('looks at each character once (a work counter, linear in the post)', () => {
    for (const post of [deepList(100), quotes(500), emphLines(300)]) {
      const small = readerCost(post).scanned;
      const big = readerCost(post + post).scanned;
      expect(small).toBe(post.length + 1);
      expect(big).toBe(2 * post.length + 1);
    }
  });
  it('counts the quotes and list items the lines open, nesting across lines included', () => {
    expect(readerCost(deepList(300)).containers).toBe(300);
    expect(readerCost(quotes(40)).containers).toBe(40);
    expect(readerCost('```\n- a\n> b\n```\n- c\n').containers).toBe(1);
  });
  it('counts the lines of the longest paragraph, not those of a code or $$ block or a tight list', () => {
    expect(readerCost(emphLines(1200)).paragraphLines).toBe(1200);
    expect(readerCost(`\`\`\`\n${'x\n'.repeat(2000)}\`\`\`\n`).paragraphLines).toBe(0);
    expect(readerCost(`$$\n${'x\\\\\n'.repeat(2000)}$$\n`).paragraphLines).toBe(0);
    expect(readerCost('- item\n'.repeat(2000)).paragraphLines).toBe(1);
  });
});

describe('emphasis and links are not parsed', () => {
  it('finds the display after long delimiter runs', () => {
    for (const junk of ['*'.repeat(4000), '*_'.repeat(2000), '[a]('.repeat(1000), '['.repeat(4000), '_'.repeat(4000)]) {
      const d = findDisplays(junk + DISPLAY);
      expect(d.map((x) => x.latex)).toEqual(['h_t = \\tanh(W h_{t-1})']);
      expect(d[0]!.line).toBe(4);
    }
  });
});

describe('scaffold refuses what the reader cannot read in bounded time, before it runs', () => {
  it('exits 2 at the line where nested lists pass the limit', async () => {
    const post = join(tmp, 'deeplist.md');
    const text = deepList(600) + DISPLAY;
    writeFileSync(post, text);
    const r = await gradproof('scaffold', post);
    expect(r.status).toBe(2);
    const allowed = Math.floor(READER_LIMITS.containerWork / text.length);
    expect(r.stderr).toContain(`deeplist.md:${allowed + 1}:1: the post opens 600 quotes and list items`);
    expect(r.stderr).toContain(`limited to ${READER_LIMITS.containerWork}`);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(r.stdout).toBe('');
  });
  it('exits 2 on many quotes in a long post (each closing copies the whole event list)', async () => {
    const post = join(tmp, 'quotes.md');
    writeFileSync(post, quotes(3000) + DISPLAY);
    const r = await gradproof('scaffold', post);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/quotes\.md:\d+:1: the post opens 3000 quotes and list items/);
  });
  it('exits 2 at the line where a paragraph passes the limit', async () => {
    const post = join(tmp, 'para.md');
    writeFileSync(post, emphLines(READER_LIMITS.paragraphLines + 500) + DISPLAY);
    const r = await gradproof('scaffold', post);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `para.md:${READER_LIMITS.paragraphLines + 1}:1: a paragraph of ${READER_LIMITS.paragraphLines + 500} lines`,
    );
  });
  it('reads a post within the limits, emphasis runs and all', async () => {
    const post = join(tmp, 'ok.md');
    writeFileSync(post, `${'*'.repeat(20000)}\n\n${deepList(50)}\n\n${emphLines(500)}${DISPLAY}`);
    const r = await gradproof('scaffold', post);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('tanh');
  });
});
