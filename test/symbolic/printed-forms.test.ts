/**
 * Polynomials and canonical forms for people (showPoly, formatPoly) are printed term by term from memoised
 * monomials: the text must be what rewriting the whole key gives — every MONO_SEP read as '·' and, in a
 * canonical word, every gap tag's mark as '|', inside atoms' own texts too (a norm's atom names a key).
 */
import { describe, expect, it } from 'vitest';
import { cadd, cconst, cmul, cpolyKey, type CPoly, csym, showPoly } from '../../src/symbolic/cpoly.js';
import { MONO_SEP, TAG_MARK } from '../../src/symbolic/monomials.js';
import { formatPoly, nadd, nmul, type NPoly, nword } from '../../src/symbolic/words.js';

/** The printing these replace: the key rewritten as one string. */
const shownByRewriting = (p: CPoly) => cpolyKey(p).split(MONO_SEP).join('·');
const formattedByRewriting = (p: NPoly) =>
  p.size === 0
    ? '0'
    : [...p.values()]
        .map((t) => ({ key: t.skeleton.join(' · '), t }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map(({ t }) => `[${shownByRewriting(t.poly).split(TAG_MARK).join('|')}] ${t.skeleton.join(' · ') || '1'}`)
        .join(' + ');

const x = csym('x[1]');
const y = csym('∕y[2]');
// an atom whose text holds the separator and a tag mark, as a norm's atom holds the key of its argument
const normAtom = csym(`euclid(2·a${MONO_SEP}b + 1·3${TAG_MARK}c)`);
const sum = cadd(cadd(x, cmul(y, normAtom)), cconst(-0.5));

describe('printed polynomials', () => {
  it('read as the rewritten key', () => {
    for (const p of [new Map() as CPoly, cconst(3), x, sum, cmul(sum, sum), cmul(cmul(sum, x), normAtom)]) {
      expect(showPoly(p)).toBe(shownByRewriting(p));
      // the separator is read inside atoms too
      expect(showPoly(p)).not.toContain(MONO_SEP);
    }
    expect(showPoly(cmul(x, normAtom))).toBe(`1·euclid(2·a·b + 1·3${TAG_MARK}c)·x[1]`);
  });

  it('read as the rewritten forms in canonical words (gap tags marked)', () => {
    const w = nword({ kind: 'diag', poly: sum }, { kind: 'mat', key: 'W' }, { kind: 'diag', poly: normAtom });
    const v = nword({ kind: 'scal', poly: x }, { kind: 'mat', key: "W'" }, { kind: 'one' });
    const forms = [
      new Map() as NPoly,
      w,
      v,
      nmul(w, w),
      nadd(nmul(w, v), nword({ kind: 'diag', poly: y }, { kind: 'one' })),
    ];
    for (const f of forms) expect(formatPoly(f)).toBe(formattedByRewriting(f));
    expect(formatPoly(w)).toContain('|');
    expect(formatPoly(w)).not.toContain(TAG_MARK);
  });

  it('print equal forms alike whatever order their terms were built in (a norm of a form is keyed by it)', () => {
    const a = nword({ kind: 'diag', poly: x }, { kind: 'mat', key: 'U' });
    const b = nword({ kind: 'mat', key: 'W' });
    const c = nword({ kind: 'diag', poly: y }, { kind: 'one' });
    const built = [nadd(nadd(a, b), c), nadd(nadd(c, a), b), nadd(nadd(b, c), a)];
    expect(new Set(built.map((f) => [...f.keys()].join()))).toHaveProperty('size', 3); // three insertion orders
    expect(new Set(built.map(formatPoly))).toHaveProperty('size', 1);
  });
});
