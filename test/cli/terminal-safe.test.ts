/**
 * Text a derivation file supplies reaches the terminal without its control characters: a label holding ESC
 * sequences and a carriage return printed a fake "✓ verified" over the claim's row, and a key echoed in an error
 * cleared the screen, until 2026-12-05 (a review found both). They are shown as escapes; JSON escapes them already.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HANG_GUARD } from './spawn.js';
import { terminalSafe } from '../../src/cli/output.js';
import { modelFile } from '../support/model-file.js';

const bin = new URL('../../bin/gradproof.js', import.meta.url).pathname;
// every control character the terminal acts on: C0 but tab and newline, DEL, C1, bidirectional overrides
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('terminal-safe output', () => {
  it('shows control characters as escapes and keeps tabs, newlines and other text', () => {
    expect(terminalSafe('a\x1b[2Jb\rc\td\ne\u202ef\u009bg ✓')).toBe('a\\x1b[2Jb\\x0dc\td\ne\\u202ef\\x9bg ✓');
    // characters that show nothing: a name 'W\u200b' printed as 'W' (a review found it); a soft hyphen, a BOM
    expect(terminalSafe("'W\u200b' a\u00adb \ufeffc \u2060 é")).toBe("'W\\u200b' a\\xadb \\ufeffc \\u2060 é");
    // a second review's: a Hangul filler, the combining grapheme joiner, a tag character, a variation selector
    expect(terminalSafe('W\u3164 W\u034f W\u{e0041} W\ufe0f ✓')).toBe('W\\u3164 W\\u034f W\\u{e0041} W\\ufe0f ✓');
  });

  it('a label and an unknown key with ESC sequences print as text, in the report and in the error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-tty-'));
    const file = join(dir, 'ansi.yaml');
    const text = modelFile({
      sizes: 'd: 2, T: 2',
      symbols: ['W', 'h'],
      equations: ['h[t] = tanh(W*h[t-1])'],
      claims: '  - id: eq1\n    label: "L\\e[2J\\e[1;31mFAKE verified\\e[0m\\rOVER"\n    claim: W = W\n',
    });
    writeFileSync(file, text);
    const ok = spawnSync(process.execPath, [bin, 'check', file, '--instances', '1'], {
      encoding: 'utf8',
      ...HANG_GUARD,
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).not.toMatch(CONTROL);
    expect(ok.stdout).toContain('L\\x1b[2J\\x1b[1;31mFAKE verified\\x1b[0m\\x0dOVER');
    writeFileSync(file, `${text}"\\e[2J\\e[32mall verified": 1\n`);
    const bad = spawnSync(process.execPath, [bin, 'check', file], { encoding: 'utf8', ...HANG_GUARD });
    expect(bad.status).toBe(2);
    expect(bad.stderr).not.toMatch(CONTROL);
    expect(bad.stderr).toContain("unknown key '\\x1b[2J\\x1b[32mall verified'");
  });
});
