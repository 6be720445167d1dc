/**
 * Interned atoms and monomials for the exact polynomial engine (cpoly.ts,
 * words.ts). An atom is an opaque name ("h[3]", "tanh(…)"), possibly the
 * reciprocal of one ("∕h[3]") and possibly tagged with the gap of a
 * canonical word it stands in ("2␟h[3]"); a monomial is a multiset of atoms.
 * Both are small integers: products are looked up in a table instead of
 * building and splitting strings. Ids depend on the order things were first
 * seen (which differs across runs and workers), so nothing printed or keyed
 * outside this process reads them: printed monomials sort their atoms' texts.
 */

/** Separates the atoms of a printed monomial; no printed atom contains it. */
export const MONO_SEP = '\u241E';
/** The reciprocal mark in front of an atom: monomials are Laurent (x · x⁻¹ = 1). */
export const INV = '\u2215';
/** Canonical forms tag an atom with the gap it stands in ("2␟h[3]"): the reciprocal mark follows the tag. */
export const TAG_MARK = '\u241F';

/** A monomial's id; 0 is the empty product (the constant monomial). */
export type Monomial = number;
export type Atom = number;

export const CONSTANT: Monomial = 0;

// ── atoms ───────────────────────────────────────────────────────────────────

const TAGGED = new RegExp(`^(\\d+)${TAG_MARK}`);

const atomIds = new Map<string, Atom>();
const atomTexts: string[] = [];
/** the texts' lengths, read when a monomial is interned (without touching the strings) */
const atomLengths: number[] = [];
/** the gap an atom is tagged with, -1 when untagged */
const atomTags: number[] = [];
const atomInverse: boolean[] = [];
/** the atom with its tag removed (itself when untagged) */
const atomUntagged: Atom[] = [];
/** the atom with the reciprocal mark toggled, same tag (-1 until asked) */
const atomReciprocal: Atom[] = [];
/** tagged versions of an atom, by gap */
const atomWithTag: (Map<number, Atom> | undefined)[] = [];
/** the monomial that is this atom alone (-1 until asked) */
const atomMonomial: Monomial[] = [];

/** The atom a printed text denotes (tag and reciprocal mark read from the front, as they are printed). */
export function atomOf(text: string): Atom {
  const known = atomIds.get(text);
  if (known !== undefined) return known;
  const tagged = TAGGED.exec(text);
  const rest = tagged ? text.slice(tagged[0].length) : text;
  const untagged = tagged ? atomOf(rest) : -1;
  const id = atomTexts.length;
  atomIds.set(text, id);
  atomTexts.push(text);
  atomLengths.push(text.length);
  atomTags.push(tagged ? Number(tagged[1]) : -1);
  atomInverse.push(rest.startsWith(INV));
  atomUntagged.push(tagged ? untagged : id);
  atomReciprocal.push(-1);
  atomWithTag.push(undefined);
  atomMonomial.push(-1);
  return id;
}

export const atomText = (a: Atom): string => atomTexts[a]!;
/** The gap an atom stands in, or -1. */
export const atomTag = (a: Atom): number => atomTags[a]!;
export const untagged = (a: Atom): Atom => atomUntagged[a]!;
export const isReciprocal = (a: Atom): boolean => atomInverse[a]!;

/** The atom tagged with a gap: the tag is put in front of the atom's text, as the text is printed. */
export function tagged(a: Atom, gap: number): Atom {
  let byGap = atomWithTag[a];
  if (!byGap) atomWithTag[a] = byGap = new Map();
  let id = byGap.get(gap);
  if (id === undefined) {
    id = atomOf(`${gap}${TAG_MARK}${atomTexts[a]}`);
    byGap.set(gap, id);
  }
  return id;
}

/** 1/a: the reciprocal mark toggled, in the same gap. */
export function reciprocal(a: Atom): Atom {
  let id = atomReciprocal[a]!;
  if (id < 0) {
    const tag = atomTags[a]! >= 0 ? `${atomTags[a]}${TAG_MARK}` : '';
    const rest = atomTexts[atomUntagged[a]!]!;
    id = atomOf(atomInverse[a] ? tag + rest.slice(INV.length) : tag + INV + rest);
    atomReciprocal[a] = id;
    atomReciprocal[id] = a;
  }
  return id;
}

// ── monomials ───────────────────────────────────────────────────────────────

/**
 * Every monomial's atoms, sorted by id (a power repeats its atom), back to back in chunks of POOL_CHUNK ints:
 * a full chunk is left as it is and a new one started, so the pool (tens of megabytes over a corpus) is
 * never copied to grow. A monomial lies in one chunk (one longer than POOL_CHUNK gets a chunk of its own).
 */
export const POOL_CHUNK = 1 << 20;
const chunks: Int32Array<ArrayBuffer>[] = [new Int32Array(1 << 16)];
let pool = chunks[0]!;
let poolUsed = 0;
/** each monomial's chunk (an index into chunks) and its start there */
let chunkOf = new Int32Array(1 << 12);
let starts = new Int32Array(1 << 12);
let lengths = new Int32Array(1 << 12);
/** characters of the printed monomial: the exact-work charge grows with it */
let chars = new Int32Array(1 << 12);
/** 1 when some atom is a reciprocal (a product must then cancel) */
let hasReciprocal = new Uint8Array(1 << 12);
let count = 0;
/**
 * Open addressing, linear probing: slot i holds a monomial's hash at 2i and its id at 2i+1 (-1: empty), so
 * a probe reads one cache line and the pool only on a matching hash. At most half full.
 */
let table = new Int32Array(2 << 12).fill(-1);
/**
 * Printed monomials by id. A Map, not an array: ids run to millions and few are printed, and stores at
 * scattered large indices cost an array microseconds each (its elements switching between dictionary and
 * fast modes).
 */
const texts = new Map<Monomial, string>();

/** A buffer for the atoms of a monomial being built. */
let scratch = new Int32Array(64);

function hashOf(atoms: Int32Array, n: number): number {
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ atoms[i]!, 0x01000193);
  return h ^ (h >>> 15);
}

function grown(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  if (a.length >= size) return a;
  const b = new Int32Array(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

/** The table at twice the slots, every monomial placed again by its stored hash. */
function rehash(): void {
  const old = table;
  table = new Int32Array(old.length * 2).fill(-1);
  const mask = (table.length >>> 1) - 1;
  for (let at = 0; at < old.length; at += 2) {
    if (old[at + 1] === -1) continue;
    let i = old[at]! & mask;
    while (table[2 * i + 1] !== -1) i = (i + 1) & mask;
    table[2 * i] = old[at]!;
    table[2 * i + 1] = old[at + 1]!;
  }
}

/** Room for n more atoms in the current chunk: a new chunk when the rest of this one is too short. */
function reserve(n: number): void {
  if (poolUsed + n <= pool.length) return;
  // The first chunk starts small and doubles (a process doing little symbolic work stays small).
  if (chunks.length === 1 && pool.length < POOL_CHUNK && n <= POOL_CHUNK) {
    pool = chunks[0] = grown(pool, Math.min(POOL_CHUNK, Math.max(poolUsed + n, pool.length * 2)));
    if (poolUsed + n <= pool.length) return;
  }
  pool = new Int32Array(Math.max(POOL_CHUNK, n));
  chunks.push(pool);
  poolUsed = 0;
}

/** The monomial of atoms[0..n), which must be sorted by id; no cancellation. */
function intern(atoms: Int32Array, n: number): Monomial {
  const h = hashOf(atoms, n);
  const mask = (table.length >>> 1) - 1;
  let i = h & mask;
  for (let m = table[2 * i + 1]!; m !== -1; i = (i + 1) & mask, m = table[2 * i + 1]!) {
    if (table[2 * i] !== h || lengths[m] !== n) continue;
    const atomsOfM = chunks[chunkOf[m]!]!;
    const s = starts[m]!;
    let k = 0;
    while (k < n && atomsOfM[s + k] === atoms[k]) k++;
    if (k === n) return m;
  }
  // i is the empty slot the probe ended at
  const m = count++;
  if (m >= starts.length) {
    [chunkOf, starts, lengths, chars] = [
      grown(chunkOf, m + 1),
      grown(starts, m + 1),
      grown(lengths, m + 1),
      grown(chars, m + 1),
    ];
    const flags = new Uint8Array(starts.length);
    flags.set(hasReciprocal);
    hasReciprocal = flags;
  }
  reserve(n);
  for (let k = 0; k < n; k++) pool[poolUsed + k] = atoms[k]!;
  chunkOf[m] = chunks.length - 1;
  starts[m] = poolUsed;
  lengths[m] = n;
  poolUsed += n;
  let width = n > 0 ? n - 1 : 0;
  let inverse = 0;
  for (let k = 0; k < n; k++) {
    width += atomLengths[atoms[k]!]!;
    if (atomInverse[atoms[k]!]) inverse = 1;
  }
  chars[m] = width;
  hasReciprocal[m] = inverse;
  table[2 * i] = h;
  table[2 * i + 1] = m;
  if (count > table.length >>> 2) rehash();
  return m;
}

intern(scratch, 0); // the constant monomial is id 0

function ensureScratch(n: number): void {
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, scratch.length * 2));
}

function sortScratch(n: number): void {
  // Monomials are short: insertion sort.
  for (let i = 1; i < n; i++) {
    const x = scratch[i]!;
    let j = i - 1;
    while (j >= 0 && scratch[j]! > x) {
      scratch[j + 1] = scratch[j]!;
      j--;
    }
    scratch[j + 1] = x;
  }
}

/** The monomial of these atoms (a multiset: order does not matter), without cancelling reciprocals. */
export function monomialOf(atoms: readonly Atom[]): Monomial {
  ensureScratch(atoms.length);
  for (let i = 0; i < atoms.length; i++) scratch[i] = atoms[i]!;
  sortScratch(atoms.length);
  return intern(scratch, atoms.length);
}

/** The monomial that is one atom. */
export function atomMonomialOf(a: Atom): Monomial {
  let m = atomMonomial[a]!;
  if (m < 0) atomMonomial[a] = m = monomialOf([a]);
  return m;
}

/** The atoms of a monomial (a copy, sorted by id). */
export function atomsOf(m: Monomial): Atom[] {
  return Array.from(chunks[chunkOf[m]!]!.subarray(starts[m], starts[m]! + lengths[m]!));
}

/** Characters of the printed monomial (what a string key's length was). */
export const monomialChars = (m: Monomial): number => chars[m]!;

/** The printed monomial: its atoms' texts in code-unit order, joined by MONO_SEP ('' for the constant). */
export function monomialText(m: Monomial): string {
  let text = texts.get(m);
  if (text === undefined) {
    text = atomsOf(m)
      .map((a) => atomTexts[a]!)
      .sort()
      .join(MONO_SEP);
    texts.set(m, text);
  }
  return text;
}

const shown = new Map<Monomial, string>();
const shownWithGaps = new Map<Monomial, string>();
const atomShown = new Map<Atom, string>();
const atomShownWithGaps = new Map<Atom, string>();

/** One atom's text for people (see monomialShown); memoised. */
function shownAtom(a: Atom, gaps: boolean): string {
  const memo = gaps ? atomShownWithGaps : atomShown;
  let text = memo.get(a);
  if (text === undefined) {
    text = atomTexts[a]!.replaceAll(MONO_SEP, '·');
    if (gaps) text = text.replaceAll(TAG_MARK, '|');
    memo.set(a, text);
  }
  return text;
}

/**
 * The printed monomial for people: MONO_SEP read as '·' and, with `gaps` (a canonical word's diagonal), the
 * gap tag's mark as '|' — wherever they stand, inside atoms' texts too. Memoised, like the printed text.
 * Built from the atoms' own shown texts, in the printed text's order, joined by '·': the same string as
 * rewriting the printed text (the marks are single characters, and the separator holds no tag mark), without
 * scanning texts of kilobytes again for every monomial that contains the atom.
 */
export function monomialShown(m: Monomial, gaps: boolean): string {
  const memo = gaps ? shownWithGaps : shown;
  let text = memo.get(m);
  if (text === undefined) {
    const atoms = atomsOf(m);
    // the printed text's order: atoms' texts in code-unit order (equal texts are the same atom)
    atoms.sort((x, y) => {
      const [tx, ty] = [atomTexts[x]!, atomTexts[y]!];
      return tx < ty ? -1 : tx > ty ? 1 : 0;
    });
    text = atoms.map((a) => shownAtom(a, gaps)).join('·');
    memo.set(m, text);
  }
  return text;
}

/**
 * A memo of (x, y) → z for small non-negative integers, emptied when full (it is only a cache). It starts
 * small and doubles up to its full size: a process that does little symbolic work (a numeric check) does not
 * allocate and fill megabytes of table at start-up.
 */
class PairTable {
  /** x, y, z side by side (one cache line per probe); x = -1 marks an empty slot */
  private slots: Int32Array;
  private mask: number;
  private capacityLog2: number;
  private held = 0;
  constructor(private readonly maxCapacityLog2: number) {
    this.capacityLog2 = Math.min(maxCapacityLog2, 10);
    this.slots = new Int32Array(3 << this.capacityLog2).fill(-1);
    this.mask = (1 << this.capacityLog2) - 1;
  }
  private slot(x: number, y: number): number {
    let h = Math.imul(x, 0x9e3779b1) + y;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    let i = (h ^ (h >>> 13)) & this.mask;
    for (;;) {
      const at = 3 * i;
      const k = this.slots[at]!;
      if (k === -1 || (k === x && this.slots[at + 1] === y)) return at;
      i = (i + 1) & this.mask;
    }
  }
  get(x: number, y: number): number {
    const at = this.slot(x, y);
    return this.slots[at] === -1 ? -1 : this.slots[at + 2]!;
  }
  set(x: number, y: number, z: number): void {
    // Half full at most, so probes stay short; past that the table doubles, or at full size starts again.
    if (this.held >= 1 << (this.capacityLog2 - 1)) {
      if (this.capacityLog2 < this.maxCapacityLog2) this.grow();
      else {
        this.slots.fill(-1);
        this.held = 0;
      }
    }
    this.put(x, y, z);
  }
  private put(x: number, y: number, z: number): void {
    const at = this.slot(x, y);
    if (this.slots[at] === -1) this.held++;
    this.slots[at] = x;
    this.slots[at + 1] = y;
    this.slots[at + 2] = z;
  }
  private grow(): void {
    const old = this.slots;
    this.capacityLog2++;
    this.slots = new Int32Array(3 << this.capacityLog2).fill(-1);
    this.mask = (1 << this.capacityLog2) - 1;
    this.held = 0;
    for (let at = 0; at < old.length; at += 3) if (old[at] !== -1) this.put(old[at]!, old[at + 1]!, old[at + 2]!);
  }
}

const products = new PairTable(20);

/** Removes each atom together with one copy of its reciprocal (same gap) from scratch[0..n); the new length. */
function cancelReciprocals(n: number): number {
  let kept = n;
  for (let i = 0; i < n; i++) {
    const a = scratch[i]!;
    if (a < 0 || !atomInverse[a]) continue;
    const partner = reciprocal(a);
    for (let j = 0; j < n; j++)
      if (scratch[j] === partner) {
        scratch[i] = -1;
        scratch[j] = -1;
        kept -= 2;
        break;
      }
  }
  if (kept === n) return n;
  let w = 0;
  for (let i = 0; i < n; i++) if (scratch[i]! >= 0) scratch[w++] = scratch[i]!;
  return w;
}

/** a·b, reciprocals cancelling (x · ∕x = 1 in the same gap); memoised. */
export function monomialProduct(a: Monomial, b: Monomial): Monomial {
  if (a === CONSTANT) return b;
  if (b === CONSTANT) return a;
  const x = a < b ? a : b;
  const y = a < b ? b : a;
  const known = products.get(x, y);
  if (known >= 0) return known;
  const px = chunks[chunkOf[x]!]!;
  const sx = starts[x]!;
  const nx = lengths[x]!;
  const py = chunks[chunkOf[y]!]!;
  const sy = starts[y]!;
  const ny = lengths[y]!;
  ensureScratch(nx + ny);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < nx && j < ny) {
    const p = px[sx + i]!;
    const q = py[sy + j]!;
    if (p <= q) {
      scratch[n++] = p;
      i++;
    } else {
      scratch[n++] = q;
      j++;
    }
  }
  while (i < nx) scratch[n++] = px[sx + i++]!;
  while (j < ny) scratch[n++] = py[sy + j++]!;
  if (hasReciprocal[x] || hasReciprocal[y]) n = cancelReciprocals(n);
  const m = intern(scratch, n);
  products.set(x, y, m);
  return m;
}

/** The monomial with every atom replaced (no cancellation). */
export function mapAtoms(m: Monomial, f: (a: Atom) => Atom): Monomial {
  const n = lengths[m]!;
  if (n === 0) return m;
  const atoms = chunks[chunkOf[m]!]!;
  const s = starts[m]!;
  ensureScratch(n);
  for (let i = 0; i < n; i++) scratch[i] = f(atoms[s + i]!);
  sortScratch(n);
  return intern(scratch, n);
}

const shifted = new PairTable(18);

/** Every tagged atom moved `by` gaps to the right (untagged atoms stay); memoised. */
export function shiftTags(m: Monomial, by: number): Monomial {
  if (by === 0 || m === CONSTANT) return m;
  const known = shifted.get(m, by);
  if (known >= 0) return known;
  const out = mapAtoms(m, (a) => (atomTags[a]! >= 0 ? tagged(atomUntagged[a]!, atomTags[a]! + by) : a));
  shifted.set(m, by, out);
  return out;
}

const tags = new PairTable(16);

/** Every atom tagged with a gap (the tag put in front of each atom's text). */
export function tagAll(m: Monomial, gap: number): Monomial {
  if (m === CONSTANT) return m;
  const known = tags.get(m, gap);
  if (known >= 0) return known;
  const out = mapAtoms(m, (a) => tagged(a, gap));
  tags.set(m, gap, out);
  return out;
}

/** 1/m: every atom replaced by its reciprocal, in its own gap. */
export const monomialInverse = (m: Monomial): Monomial => mapAtoms(m, reciprocal);
