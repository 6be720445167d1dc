/**
 * User LaTeX copied into a .tex file (a document's source-text) must define, read or write nothing: the commands
 * refused are the macro definitions a formula in a derivation file is refused with (src/derivation/latex-source.ts),
 * and TeX's file and link commands. `\futurelet`, `\global` and `\long` were missing from the copy's list.
 */
import { describe, expect, it } from 'vitest';
import { unsafeCommand } from '../../src/render/katex.js';

describe('unsafe commands in user LaTeX bound for a .tex file', () => {
  it.each([
    ['\\futurelet\\a\\b', '\\futurelet'],
    ['x \\global\\def\\y{1}', '\\global'],
    ['\\long\\def\\y{1}', '\\long'],
    ['\\gdef\\x{W}', '\\gdef'],
    ['\\providecommand{\\x}{1}', '\\providecommand'],
    ['\\input{/etc/hostname}', '\\input'],
    ['\\href{https://x}{y}', '\\href'],
  ])('%s is refused at %s', (tex, command) => {
    expect(unsafeCommand(tex)).toBe(command);
  });

  it.each(['\\letter', 'a \\\\ b', '\\left( W \\right)', '\\mathbf{W}^{\\top}'])('%s is not', (tex) => {
    expect(unsafeCommand(tex)).toBeNull();
  });
});
