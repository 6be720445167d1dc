/**
 * Matrix–vector products in WebAssembly SIMD (two doubles per instruction), bit for bit the plain loops of
 * ./linalg.ts: every output entry is the same sequence of IEEE-754 double multiplications and additions in
 * the same order (WebAssembly forbids fusing a multiply and an add, and rounds every operation as
 * JavaScript does), only two independent ones run per instruction. A plain-JS matrix–vector product of
 * d = 64 costs about five times the vectorised one, and these products are most of the numeric work
 * (forward pass, reverse sweeps, ordered products, power iterations).
 *
 * The module is assembled here from its instructions (no text is compiled, no dependency). Its memory is a
 * scratch area: a call copies the matrix and the vector in and the result out, so no array is shared with
 * WebAssembly memory. The one exception is scoped: `withResident` copies matrices that nothing writes during
 * a sweep (an instance's weights) once for the sweep; outside its scope nothing is kept, so a copy can never
 * go stale.
 */

/** The part of the WebAssembly API used here (the project's type libraries do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}

type Kernel = (a: number, x: number, y: number, rows: number, cols: number) => void;

/** Instructions as nested lists of bytes, flattened once when the module is assembled. */
type Code = readonly (number | Code)[];
const flatten = (code: Code): number[] => code.flatMap((c) => (typeof c === 'number' ? [c] : flatten(c)));

// ── a small assembler: just the instructions the two kernels use ─────────────
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const [I32, F64, V128] = [0x7f, 0x7c, 0x7b];
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (n: number) => [0x41, ...sleb(n)];
const [ADD, SUB, MUL, SHL, AND, GE_S] = [[0x6a], [0x6b], [0x6c], [0x74], [0x71], [0x4e]];
/** memory accesses: alignment hint 8 bytes (a hint only: unaligned access is allowed) */
const f64Load = (offset = 0) => [0x2b, 3, ...uleb(offset)];
const f64Store = (offset = 0) => [0x39, 3, ...uleb(offset)];
const [F64_ADD, F64_MUL] = [[0xa0], [0xa2]];
const F64_ZERO = [0x44, ...new Array<number>(8).fill(0)];
const v128Load = (offset = 0) => [0xfd, 0x00, 3, ...uleb(offset)];
const v128Store = (offset = 0) => [0xfd, 0x0b, 3, ...uleb(offset)];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const SPLAT = [0xfd, 0x14];
const lane = (l: number) => [0xfd, 0x21, l];
const [V_ADD, V_MUL] = [
  [0xfd, ...uleb(0xf0)],
  [0xfd, ...uleb(0xf2)],
];
/** `while (!(local >= bound)) { body }` as a block around a loop */
const whileLess = (counter: Code, bound: Code, body: Code): Code => [
  [0x02, 0x40, 0x03, 0x40],
  counter,
  bound,
  GE_S,
  [0x0d, 1],
  ...body,
  [0x0c, 0, 0x0b, 0x0b],
];
/** local[i] += n */
const bump = (i: number, n: number): Code => [get(i), i32(n), ADD, set(i)];

// Parameters of both kernels: a, x, y (byte offsets), rows, cols.
const [A, X, Y, ROWS, COLS] = [0, 1, 2, 3, 4];

/**
 * y = A·x: per row, four accumulators s0..s3 over the columns j ≡ 0..3 (mod 4) — held as two pairs —, the
 * leftover columns added to s0, then (s0 + s1) + (s2 + s3): linalg.ts's matVec. Four rows per pass share the
 * loads of x, and their eight pairs of accumulators are independent chains of additions (one row alone waits
 * on each addition before the next); each row's sums are the same expressions as one row at a time.
 */
function matVecCode(): number[] {
  // i32 locals: i, j, c4, k0..k3 (row pointers), r4
  const [i, j, c4, r4] = [5, 6, 7, 8];
  const ks = [9, 10, 11, 12];
  // v128 locals: a pair of accumulators per row of a pass (s01, s23), the pair of x loads
  const s01 = [13, 14, 15, 16];
  const s23 = [17, 18, 19, 20];
  const [x01, x23] = [21, 22];
  // f64 local
  const s0 = 23;
  const xAt: Code = [get(X), get(j), i32(3), SHL, ADD];
  const rowStart = (r: number): Code => [get(A), get(i), i32(r), ADD, get(COLS), MUL, i32(3), SHL, ADD];
  /** a row's leftover columns from j = c4 (its pointer k at column c4), its sum stored at Y[i + r] */
  const finish = (r: number, k: number): Code => [
    [get(s01[r]!), lane(0), set(s0)],
    [get(c4), set(j)],
    whileLess(get(j), get(COLS), [
      [get(s0), get(k), f64Load(0), xAt, f64Load(0), F64_MUL, F64_ADD, set(s0)],
      bump(k, 8),
      bump(j, 1),
    ]),
    [get(Y), get(i), i32(r), ADD, i32(3), SHL, ADD],
    [get(s0), get(s01[r]!), lane(1), F64_ADD, get(s23[r]!), lane(0), get(s23[r]!), lane(1), F64_ADD, F64_ADD],
    f64Store(0),
  ];
  const accumulate = (r: number, k: number): Code => [
    [get(s01[r]!), get(k), v128Load(0), get(x01), V_MUL, V_ADD, set(s01[r]!)],
    [get(s23[r]!), get(k), v128Load(16), get(x23), V_MUL, V_ADD, set(s23[r]!)],
    bump(k, 32),
  ];
  const passOf = (rowsInPass: number): Code => [
    ...Array.from({ length: rowsInPass }, (_, r) => [V128_ZERO, set(s01[r]!), V128_ZERO, set(s23[r]!)]),
    ...Array.from({ length: rowsInPass }, (_, r) => [rowStart(r), set(ks[r]!)]),
    [i32(0), set(j)],
    whileLess(get(j), get(c4), [
      [xAt, v128Load(0), set(x01), xAt, v128Load(16), set(x23)],
      ...Array.from({ length: rowsInPass }, (_, r) => accumulate(r, ks[r]!)),
      bump(j, 4),
    ]),
    ...Array.from({ length: rowsInPass }, (_, r) => finish(r, ks[r]!)),
  ];
  const body: Code = [
    [get(COLS), get(COLS), i32(3), AND, SUB, set(c4)],
    [get(ROWS), get(ROWS), i32(3), AND, SUB, set(r4)],
    [i32(0), set(i)],
    whileLess(get(i), get(r4), [passOf(4), bump(i, 4)]),
    whileLess(get(i), get(ROWS), [passOf(1), bump(i, 1)]),
  ];
  // local groups: 8 i32 (5–12), 10 v128 (13–22), 1 f64 (23)
  return [3, 8, I32, 10, V128, 1, F64, ...flatten(body)];
}

/**
 * y = Aᵀ·x: each y[j] is ((0 + a₀ⱼx₀) + a₁ⱼx₁) + … over the rows in order: linalg.ts's matTVec. Sixteen columns
 * at a time are held in eight pairs of accumulators down all the rows (eight independent chains of additions,
 * each column read once per row and y written once); then pairs of columns, then an odd last column, alone.
 */
function matTVecCode(): number[] {
  // i32 locals: i (row), p (byte offset of the block's first column), k (pointer into the block's row), xp
  // (pointer to x[i]), rowBytes, c16 and c2 (byte ends of the 16-column blocks and of the column pairs)
  const [i, p, k, xp, rowBytes, c16, c2] = [5, 6, 7, 8, 9, 10, 11];
  // v128 locals: eight accumulators, the splat x[i]
  const acc = [12, 13, 14, 15, 16, 17, 18, 19];
  const xs = 20;
  // f64 local: the last column's accumulator
  const last = 21;
  /** a block of `pairs` pairs of columns from byte offset p down every row, stored at y */
  const block = (pairs: number): Code => [
    ...Array.from({ length: pairs }, (_, q) => [V128_ZERO, set(acc[q]!)]),
    [get(A), get(p), ADD, set(k)],
    [get(X), set(xp)],
    [i32(0), set(i)],
    whileLess(get(i), get(ROWS), [
      [get(xp), f64Load(0), SPLAT, set(xs)],
      ...Array.from({ length: pairs }, (_, q) => [
        [get(acc[q]!), get(k), v128Load(16 * q), get(xs), V_MUL, V_ADD, set(acc[q]!)],
      ]),
      [get(k), get(rowBytes), ADD, set(k)],
      bump(xp, 8),
      bump(i, 1),
    ]),
    ...Array.from({ length: pairs }, (_, q) => [get(Y), get(p), ADD, get(acc[q]!), v128Store(16 * q)]),
    bump(p, 16 * pairs),
  ];
  const body: Code = [
    [get(COLS), i32(3), SHL, set(rowBytes)],
    [get(COLS), get(COLS), i32(15), AND, SUB, i32(3), SHL, set(c16)],
    [get(COLS), get(COLS), i32(1), AND, SUB, i32(3), SHL, set(c2)],
    [i32(0), set(p)],
    whileLess(get(p), get(c16), block(8)),
    whileLess(get(p), get(c2), block(1)),
    // an odd column count leaves one column: p = c2 = 8·(cols − 1) < 8·cols
    [0x02, 0x40],
    [get(p), get(rowBytes), GE_S, [0x0d, 0]],
    [F64_ZERO, set(last)],
    [get(A), get(p), ADD, set(k)],
    [get(X), set(xp)],
    [i32(0), set(i)],
    whileLess(get(i), get(ROWS), [
      [get(last), get(k), f64Load(0), get(xp), f64Load(0), F64_MUL, F64_ADD, set(last)],
      [get(k), get(rowBytes), ADD, set(k)],
      bump(xp, 8),
      bump(i, 1),
    ]),
    [get(Y), get(p), ADD, get(last), f64Store(0)],
    [0x0b],
  ];
  // local groups: 7 i32 (5–11), 9 v128 (12–20), 1 f64 (21)
  return [3, 7, I32, 9, V128, 1, F64, ...flatten(body)];
}

function moduleBytes(): Uint8Array {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const name = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
  const fn = (code: number[]) => [...uleb(code.length + 1), ...code, 0x0b];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0]])),
    ...section(3, vec([[0], [0]])),
    ...section(5, vec([[0, ...uleb(1)]])),
    ...section(
      7,
      vec([
        [...name('memory'), 2, 0],
        [...name('matVec'), 0, 0],
        [...name('matTVec'), 0, 1],
      ]),
    ),
    ...section(10, vec([fn(matVecCode()), fn(matTVecCode())])),
  ]);
}

interface Simd {
  readonly memory: WasmMemory;
  readonly matVec: Kernel;
  readonly matTVec: Kernel;
  heap: Float64Array;
}

function instantiate(): Simd | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return null;
  try {
    const { exports } = new api.Instance(new api.Module(moduleBytes()));
    const memory = exports.memory as WasmMemory;
    return {
      memory,
      matVec: exports.matVec as Kernel,
      matTVec: exports.matTVec as Kernel,
      heap: new Float64Array(memory.buffer),
    };
  } catch {
    // No SIMD in this engine: the plain loops serve.
    return null;
  }
}

const simd = instantiate();

/** Whether the vectorised kernels are in use (false only where the engine lacks WebAssembly SIMD). */
export const simdActive = simd !== null;

/** Below this many matrix entries the copies cost more than the vector instructions save. */
const MIN_ENTRIES = 64;

/** Does the vectorised product serve an r×c matrix here? */
export const simdServes = (rows: number, cols: number): boolean => simd !== null && rows * cols >= MIN_ENTRIES;

/**
 * Matrices copied in once for a scope (see `withResident`), at the start of memory; the scratch area of
 * one-off calls starts after them (offsets in doubles).
 */
const resident: { readonly array: Float64Array; readonly at: number }[] = [];
let scratchBase = 0;

/** Grows memory to hold `doubles` doubles. */
function reserve(s: Simd, doubles: number): void {
  // `heap` views the whole memory (renewed here, where alone it grows): its length is the memory's, read without
  // a call to the memory's `buffer` getter at every product
  if (doubles <= s.heap.length) return;
  const needed = doubles * 8;
  if (needed > s.memory.buffer.byteLength) {
    s.memory.grow(Math.ceil((needed - s.memory.buffer.byteLength) / 65536));
    s.heap = new Float64Array(s.memory.buffer);
  }
}

/** 16-byte aligned starts: offsets in doubles kept even */
const even = (n: number) => n + (n & 1);

/**
 * Runs `fn` with `matrices` copied into WebAssembly memory once, instead of at every product that reads
 * them (an instance's weights, read at every step of a sweep). Only for arrays nothing writes while `fn`
 * runs: a product reads the copy, matched by identity. Scopes nest.
 */
export function withResident<T>(matrices: readonly Float64Array[], fn: () => T): T {
  const s = simd;
  if (!s) return fn();
  const [count, base] = [resident.length, scratchBase];
  for (const array of matrices) addResident(s, array);
  scopes++;
  try {
    return fn();
  } finally {
    scopes--;
    resident.length = count;
    scratchBase = base;
  }
}

/** open `withResident` scopes */
let scopes = 0;
/** `keepResident` adds none past this many resident matrices: a product scans them all for its matrix. */
const MAX_RESIDENT = 16;

function addResident(s: Simd, array: Float64Array): void {
  if (array.length < MIN_ENTRIES || resident.some((r) => r.array === array)) return;
  reserve(s, scratchBase + array.length);
  s.heap.set(array, scratchBase);
  resident.push({ array, at: scratchBase });
  scratchBase = even(scratchBase + array.length);
}

/**
 * Makes `matrix` resident until the innermost open `withResident` scope ends (nothing outside a scope): for a
 * matrix computed inside one and read by many products after (a claim's memoised Wᵀ, applied at every lag).
 * The same promise as `withResident`: nothing writes it while the scope lasts.
 */
export function keepResident(matrix: Float64Array): void {
  if (simd && scopes > 0 && resident.length < MAX_RESIDENT) addResident(simd, matrix);
}

/** y = A·x or Aᵀ·x (`transposed`). Caller checks `simdServes` and the lengths. */
export function simdMatVec(
  transposed: boolean,
  rows: number,
  cols: number,
  a: Float64Array,
  x: Float64Array,
  y: Float64Array,
): Float64Array {
  const s = simd!;
  // input and output lengths (two locals, not a pair: an array per product was most of what a product allocated)
  const n = transposed ? rows : cols;
  const m = transposed ? cols : rows;
  let aAt = -1;
  for (let r = 0; r < resident.length; r++) if (resident[r]!.array === a) aAt = resident[r]!.at;
  const xAt = aAt < 0 ? scratchBase + even(rows * cols) : scratchBase;
  const yAt = xAt + even(n);
  reserve(s, yAt + m);
  const heap = s.heap;
  if (aAt < 0) {
    aAt = scratchBase;
    heap.set(a, aAt);
  }
  heap.set(x, xAt);
  (transposed ? s.matTVec : s.matVec)(aAt * 8, xAt * 8, yAt * 8, rows, cols);
  for (let i = 0; i < m; i++) y[i] = heap[yAt + i] as number;
  return y;
}
