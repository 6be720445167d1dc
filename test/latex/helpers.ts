import { expect } from 'vitest';
import { InputError } from '../../src/derivation/errors.js';
import { loadDerivationFile, parseDerivation } from '../../src/derivation/load.js';
import type { LatexContext } from '../../src/latex/context.js';
import { latexToAscii, type LatexConversion } from '../../src/latex/convert.js';
import { latexContext } from '../../src/latex/derivation-context.js';

export interface ContextOptions {
  /** the claim's forall: text */
  readonly forall?: string;
  /** the file's notation symbols (LaTeX → name) */
  readonly symbols?: ReadonlyMap<string, string>;
}

/** The context a `latex:` claim of a shipped derivation file is read in. */
export function fileContext(file: string, options: ContextOptions = {}): LatexContext {
  const d = loadDerivationFile(`derivations/${file}.yaml`);
  const indexVars = (options.forall ?? '')
    .split(',')
    .map((p) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\b/.exec(p)?.[1])
    .filter((n): n is string => !!n);
  return latexContext(
    {
      symbols: d.model.symbols,
      sizes: Object.keys(d.model.sizes),
      loss: d.model.loss?.name ?? null,
      functions: d.model.functions.keys(),
      indexVars,
    },
    { hints: d.notation, symbols: options.symbols ?? new Map() },
  );
}

export function convert(latex: string, ctx: LatexContext): LatexConversion {
  return latexToAscii(latex, ctx);
}

/** What a conversion throws: the located problem (LatexInputError's fields, as the tests read them). */
export interface ConversionError {
  offset: number;
  end: number;
  problem: string;
  expected?: string;
  readings?: string[];
  message: string;
}

/** The error thrown by a conversion (fails the test when there is none). */
export function errorOf(fn: () => unknown): ConversionError {
  try {
    fn();
  } catch (err) {
    return err as ConversionError;
  }
  throw new Error('expected an error');
}

/**
 * A derivation file's model (`head`, everything before `claims:`) with these claim lines appended: the
 * located loading error, as `+line:col message` with the line counted from the first claim line, so
 * the test does not depend on the model's length.
 */
export function claimErrorAt(head: string, claimLines: readonly string[]): string {
  const text = `${head}\nclaims:\n${claimLines.join('\n')}\n`;
  const err = errorOf(() => parseDerivation(text, 'file.yaml'));
  expect(err).toBeInstanceOf(InputError);
  const first = (text.slice(0, text.indexOf(claimLines[0]!)).match(/\n/g) ?? []).length + 1;
  const m = /^file\.yaml:(\d+):(\d+): /.exec(err.message)!;
  return `+${Number(m[1]) - first}:${m[2]} ${err.message.slice(m[0].length)}`;
}
