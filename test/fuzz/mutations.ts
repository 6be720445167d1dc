/**
 * Hostile derivation files for the fuzz suite (test/fuzz) and the larger
 * campaign (bench/fuzz.ts): the shipped derivations' text, mutated —
 * lines deleted, duplicated or swapped, characters inserted, the file cut
 * short, a declared name replaced by one JavaScript reserves, numbers made
 * huge, a claim nested thousands of levels deep.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

export interface Source {
  readonly name: string;
  readonly text: string;
}

export const SHIPPED: readonly Source[] = readdirSync('derivations')
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((name) => ({ name, text: readFileSync(join('derivations', name), 'utf8') }));

/** Shipped files whose claims check in well under a second each: the ones the fuzz suite also checks. */
export const SMALL: readonly Source[] = SHIPPED.filter((s) =>
  [
    'lab-10-5-vanilla-rnn.yaml',
    'lab-10-5-lstm.yaml',
    'how-does-lstm-avoid-gradient-explosion-2024-eq5.yaml',
    'how-does-lstm-avoid-gradient-explosion-2024-rnn.yaml',
  ].includes(s.name),
);

export const HOSTILE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'] as const;

export interface Mutation {
  readonly describe: string;
  apply(text: string): string;
}

/** A position in the text, as a fraction of its length (so it fits whatever the earlier mutations left). */
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const at = (text: string, f: number) => Math.floor(f * text.length);
const lines = (text: string) => text.split('\n');
const lineAt = (text: string, f: number) => Math.floor(f * lines(text).length);

/** Characters that mean something to YAML or to the math parser, and a few that mean nothing. */
const SPECIAL = [...'[]{}()<>:,;\'"\n\t -#|&*!%@`+=^.\\/?~$0123456789eET_kdxhW', 'é', '∑', '\u0000', '\u200b'];
const noise = fc.array(fc.constantFrom(...SPECIAL), { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''));

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;
const NUMBER = /\b\d+\b/g;

/** The `index`-th match of `re` in the text (modulo the count), or null when there is none. */
function nth(text: string, re: RegExp, f: number): RegExpExecArray | null {
  const all = [...text.matchAll(re)];
  return all.length ? (all[Math.floor(f * all.length)] as RegExpExecArray) : null;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fraction.map((f) => ({
    describe: `delete line @${f.toFixed(3)}`,
    apply: (t: string) => {
      const ls = lines(t);
      ls.splice(lineAt(t, f), 1);
      return ls.join('\n');
    },
  })),
  fraction.map((f) => ({
    describe: `duplicate line @${f.toFixed(3)}`,
    apply: (t: string) => {
      const ls = lines(t);
      const i = lineAt(t, f);
      ls.splice(i, 0, ls[i] ?? '');
      return ls.join('\n');
    },
  })),
  fc.tuple(fraction, fraction).map(([f, g]) => ({
    describe: `swap lines @${f.toFixed(3)} @${g.toFixed(3)}`,
    apply: (t: string) => {
      const ls = lines(t);
      const [i, j] = [lineAt(t, f), lineAt(t, g)];
      [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      return ls.join('\n');
    },
  })),
  fc.tuple(fraction, noise).map(([f, s]) => ({
    describe: `insert ${JSON.stringify(s)} @${f.toFixed(3)}`,
    apply: (t: string) => t.slice(0, at(t, f)) + s + t.slice(at(t, f)),
  })),
  fraction.map((f) => ({ describe: `truncate @${f.toFixed(3)}`, apply: (t: string) => t.slice(0, at(t, f)) })),
  fc.tuple(fraction, fc.constantFrom(...HOSTILE_NAMES)).map(([f, name]) => ({
    describe: `rename a word @${f.toFixed(3)} to ${name}`,
    apply: (t: string) => {
      const word = nth(t, IDENT, f)?.[0];
      return word ? t.replace(new RegExp(`\\b${escapeRe(word)}\\b`, 'g'), name) : t;
    },
  })),
  fc
    .tuple(fraction, fc.constantFrom('4097', '100001', '99999', '1000000000', '90071992547409930', '0', '-1', '1e300'))
    .map(([f, n]) => ({
      describe: `number @${f.toFixed(3)} → ${n}`,
      apply: (t: string) => {
        const m = nth(t, NUMBER, f);
        return m ? t.slice(0, m.index) + n + t.slice(m.index + m[0].length) : t;
      },
    })),
  fc
    .tuple(fraction, fc.constantFrom('(', '- ', "'", 'tanh(', '['), fc.constantFrom(2, 63, 65, 500, 5000, 10000))
    .map(([f, wrap, depth]) => ({
      describe: `nest a claim side ${depth}× in ${JSON.stringify(wrap)} @${f.toFixed(3)}`,
      apply: (t: string) => {
        const m = nth(t, /claim: (.*)$/gm, f);
        if (!m) return t;
        const close = wrap === "'" ? '' : wrap === '- ' ? '' : wrap === '[' ? ']' : ')';
        const side =
          wrap === "'" ? `(${m[1]})${"'".repeat(depth)}` : `${wrap.repeat(depth)}${m[1]}${close.repeat(depth)}`;
        return t.slice(0, m.index) + `claim: "${side.replace(/"/g, '\\"')}"` + t.slice(m.index + m[0].length);
      },
    })),
);

export interface Hostile {
  readonly source: string;
  readonly mutations: readonly string[];
  readonly text: string;
}

/** A shipped file with one to `most` mutations applied in turn. */
export function hostileFile(sources: readonly Source[], most = 3): fc.Arbitrary<Hostile> {
  return fc
    .tuple(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: most }))
    .map(([source, ms]) => ({
      source: source.name,
      mutations: ms.map((m) => m.describe),
      text: ms.reduce((t, m) => m.apply(t), source.text),
    }));
}
