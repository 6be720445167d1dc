/** Files are written whole or not at all. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

describe('writeFileAtomic', () => {
  it('replaces the file in one step and leaves no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-atomic-'));
    const file = join(dir, 'README.md');
    writeFileSync(file, 'old');
    writeFileAtomic(file, 'new text');
    expect(readFileSync(file, 'utf8')).toBe('new text');
    expect(readdirSync(dir)).toEqual(['README.md']);
  });

  it('a failed write leaves the old contents and no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-atomic-'));
    const target = join(dir, 'out');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    expect(() => writeFileAtomic(target, 'text')).toThrow();
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('x');
  });

  it('a missing folder is an error, not a half-written file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-atomic-'));
    expect(() => writeFileAtomic(join(dir, 'no', 'such', 'file.json'), '{}')).toThrow(/^no folder .*no[/]such/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never replaces what is not a regular file (a device such as /dev/full, a pipe, a folder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-atomic-'));
    // A named pipe stands in for a device: replacing it would be as wrong, and writing to it would block.
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(() => writeFileAtomic(fifo, 'text')).toThrow(/not a regular file/);
    expect(statSync(fifo).isFIFO()).toBe(true);
    mkdirSync(join(dir, 'folder'));
    expect(() => writeFileAtomic(join(dir, 'folder'), 'text')).toThrow(/a folder is in the way/);
    expect(readdirSync(dir).sort()).toEqual(['folder', 'pipe']);
  });
});
