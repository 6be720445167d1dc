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
 * leftover columns added to s0, then (s0 + s1) + (s2 + s3): linalg.ts's matVec.
 */
function matVecCode(): number[] {
  const [i, j, k, c4, s01, s23, s0] = [5, 6, 7, 8, 9, 10, 11];
  const xAt: Code = [get(X), get(j), i32(3), SHL, ADD];
  const body: Code = [
    [get(COLS), get(COLS), i32(3), AND, SUB, set(c4)],
    [i32(0), set(i)],
    whileLess(get(i), get(ROWS), [
      [V128_ZERO, set(s01), V128_ZERO, set(s23)],
      [get(A), get(i), get(COLS), MUL, i32(3), SHL, ADD, set(k)],
      [i32(0), set(j)],
      whileLess(get(j), get(c4), [
        [get(s01), get(k), v128Load(0), xAt, v128Load(0), V_MUL, V_ADD, set(s01)],
        [get(s23), get(k), v128Load(16), xAt, v128Load(16), V_MUL, V_ADD, set(s23)],
        bump(k, 32),
        bump(j, 4),
      ]),
      [get(s01), lane(0), set(s0)],
      whileLess(get(j), get(COLS), [
        [get(s0), get(k), f64Load(0), xAt, f64Load(0), F64_MUL, F64_ADD, set(s0)],
        bump(k, 8),
        bump(j, 1),
      ]),
      [get(Y), get(i), i32(3), SHL, ADD],
      [get(s0), get(s01), lane(1), F64_ADD, get(s23), lane(0), get(s23), lane(1), F64_ADD, F64_ADD],
      f64Store(0),
      bump(i, 1),
    ]),
  ];
  // local groups: 4 i32 (5–8), 2 v128 (9, 10), 1 f64 (11)
  return [3, 4, I32, 2, V128, 1, F64, ...flatten(body)];
}

/**
 * y = Aᵀ·x, row by row: y starts at zero; four rows per pass, each y[j] ← (((y[j] + a₀ⱼx₀) + a₁ⱼx₁) + a₂ⱼx₂)
 * + a₃ⱼx₃; then the leftover rows one at a time: linalg.ts's matTVec. Two columns per instruction, the odd
 * last column alone.
 */
function matTVecCode(): number[] {
  // i32 locals: i, p (byte offset of column j), r4, c2 (byte end of the column pairs), k0..k3 (row starts)
  const [i, p, r4, c2, k0, k1, k2, k3] = [5, 6, 7, 8, 9, 10, 11, 12];
  // v128 locals: x0..x3 splat
  const [x0, x1, x2, x3] = [13, 14, 15, 16];
  const yAt: Code = [get(Y), get(p), ADD];
  const rowStart = (r: number) => [get(A), get(i), i32(r), ADD, get(COLS), MUL, i32(3), SHL, ADD];
  const splatX = (r: number, into: number) => [get(X), get(i), i32(3), SHL, ADD, f64Load(r * 8), SPLAT, set(into)];
  // (y + a·x) for a pair (vector) or the last column (scalar), for the rows k and the splats x
  const pairStep = (ks: number[], xs: number[]): Code => [
    yAt,
    yAt,
    v128Load(0),
    ...ks.map((k, r) => [get(k), get(p), ADD, v128Load(0), get(xs[r]!), V_MUL, V_ADD]),
    v128Store(0),
  ];
  const lastStep = (ks: number[], xs: number[]): Code => [
    yAt,
    yAt,
    f64Load(0),
    ...ks.map((k, r) => [get(k), get(p), ADD, f64Load(0), get(xs[r]!), lane(0), F64_MUL, F64_ADD]),
    f64Store(0),
  ];
  const columns = (ks: number[], xs: number[]): Code => [
    [i32(0), set(p)],
    whileLess(get(p), get(c2), [pairStep(ks, xs), bump(p, 16)]),
    // an odd column count leaves one column: p = c2 = 8·(cols − 1) < 8·cols
    [0x02, 0x40],
    [get(p), get(COLS), i32(3), SHL, GE_S, [0x0d, 0]],
    lastStep(ks, xs),
    [0x0b],
  ];
  const body: Code = [
    // y = 0
    [i32(0), set(p)],
    whileLess(get(p), [get(COLS), i32(3), SHL], [[get(Y), get(p), ADD, F64_ZERO, f64Store(0)], bump(p, 8)]),
    [get(ROWS), get(ROWS), i32(3), AND, SUB, set(r4)],
    [get(COLS), get(COLS), i32(1), AND, SUB, i32(3), SHL, set(c2)],
    [i32(0), set(i)],
    whileLess(get(i), get(r4), [
      [rowStart(0), set(k0), rowStart(1), set(k1), rowStart(2), set(k2), rowStart(3), set(k3)],
      [splatX(0, x0), splatX(1, x1), splatX(2, x2), splatX(3, x3)],
      columns([k0, k1, k2, k3], [x0, x1, x2, x3]),
      bump(i, 4),
    ]),
    whileLess(get(i), get(ROWS), [[rowStart(0), set(k0)], splatX(0, x0), columns([k0], [x0]), bump(i, 1)]),
  ];
  // local groups: 8 i32 (5–12), 4 v128 (13–16)
  return [2, 8, I32, 4, V128, ...flatten(body)];
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
