/**
 * Integer affine expressions: the language of time indices and range bounds
 * (`t-1`, `T-k+i`, `2`). Keeping them affine makes shifts, substitution and
 * bound arithmetic exact, which the symbolic engine relies on.
 */
import { nameRecord, own } from './names.js';

export interface Affine {
  readonly c: number;
  /** variable → integer coefficient (a null-prototype record); never holds a zero coefficient */
  readonly terms: Readonly<Record<string, number>>;
}

/** Integer bindings by name; read them with `own` (src/ir/names.ts), never as plain properties. */
export type IntEnv = Readonly<Record<string, number>>;

export function affine(c: number, terms: Readonly<Record<string, number>> = {}): Affine {
  const clean = nameRecord<number>();
  for (const name of Object.keys(terms).sort()) {
    const coef = terms[name]!;
    if (coef !== 0) clean[name] = coef;
  }
  return { c, terms: clean };
}

export const affineVar = (name: string): Affine => affine(0, nameRecord([[name, 1]]));

/** The coefficient of `name` (0 when absent). */
export const coefficient = (a: Affine, name: string): number => own(a.terms, name) ?? 0;

export function affineAdd(a: Affine, b: Affine, sign = 1): Affine {
  // A shift by a constant (t − 1) keeps a's terms, already clean and in order: the common case, built without copies.
  if (termList(b).names.length === 0) return { c: a.c + sign * b.c, terms: a.terms };
  const terms = nameRecord<number>();
  addTerms(terms, a, 1);
  addTerms(terms, b, sign);
  return affine(a.c + sign * b.c, terms);
}

/** terms += factor · a's terms (a null-prototype record). */
function addTerms(terms: Record<string, number>, a: Affine, factor: number): void {
  const { names, coefs } = termList(a);
  for (let i = 0; i < names.length; i++) terms[names[i]!] = (own(terms, names[i]!) ?? 0) + factor * coefs[i]!;
}

/** a with the variable `name` replaced by `value`, in one pass (substitution's hot path). */
export function affineReplace(a: Affine, name: string, value: Affine): Affine {
  const coef = coefficient(a, name);
  if (!coef) return a;
  const terms = nameRecord<number>();
  const { names, coefs } = termList(a);
  for (let i = 0; i < names.length; i++) if (names[i] !== name) terms[names[i]!] = coefs[i]!;
  addTerms(terms, value, coef);
  return affine(a.c + coef * value.c, terms);
}

export function affineScale(a: Affine, factor: number): Affine {
  const terms = nameRecord<number>();
  for (const [name, coef] of Object.entries(a.terms)) terms[name] = coef * factor;
  return affine(a.c * factor, terms);
}

export function affineVars(a: Affine): string[] {
  return Object.keys(a.terms);
}

export function isConstant(a: Affine): boolean {
  return affineVars(a).length === 0;
}

/** An affine's terms as parallel arrays, built once per affine (they are immutable): hot loops read them. */
export interface TermList {
  readonly names: readonly string[];
  readonly coefs: readonly number[];
  /** some name is a product of sizes (`d*m`) */
  readonly products: boolean;
}
const termLists = new WeakMap<Affine, TermList>();

export function termList(a: Affine): TermList {
  let list = termLists.get(a);
  if (!list) {
    const names = Object.keys(a.terms);
    list = { names, coefs: names.map((n) => a.terms[n]!), products: names.some((n) => n.includes('*')) };
    termLists.set(a, list);
  }
  return list;
}

/** Evaluates with every variable bound; throws on an unbound one (a caller bug, not user input). */
export function evalAffine(a: Affine, env: IntEnv): number {
  let value = a.c;
  const { names, coefs, products } = termList(a);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const bound = products && name.includes('*') ? productOf(name, env) : own(env, name);
    if (bound === undefined) throw new Error(`unbound index variable ${name}`);
    value += coefs[i]! * bound;
  }
  return value;
}

/** The value when every variable (no product term) is bound, else undefined. */
export function boundValue(a: Affine, env: IntEnv): number | undefined {
  let value = a.c;
  const { names, coefs } = termList(a);
  for (let i = 0; i < names.length; i++) {
    const bound = own(env, names[i]!);
    if (bound === undefined) return undefined;
    value += coefs[i]! * bound;
  }
  return value;
}

/**
 * The number of entries of a d×m matrix, d·m, is not affine in the sizes;
 * shapes (only shapes) may hold such a product of two sizes as one term
 * named `d*m`, which evaluation multiplies out. Names never contain '*'.
 */
export function affineProduct(a: Affine, b: Affine): Affine {
  if (isConstant(a)) return affineScale(b, a.c);
  if (isConstant(b)) return affineScale(a, b.c);
  const terms = new Map<string, number>();
  const put = (name: string, c: number) => terms.set(name, (terms.get(name) ?? 0) + c);
  for (const [x, cx] of Object.entries(a.terms)) {
    if (b.c) put(x, cx * b.c);
    for (const [y, cy] of Object.entries(b.terms)) {
      // Degree two at most: d·(d + m) = d*d + d*m, but a product of products has no name.
      if (x.includes('*') || y.includes('*'))
        throw new RangeError(
          `the product of ${formatAffine(a)} and ${formatAffine(b)} is not a shape gradproof can write`,
        );
      put([x, y].sort().join('*'), cx * cy);
    }
  }
  if (a.c) for (const [y, cy] of Object.entries(b.terms)) put(y, a.c * cy);
  return affine(a.c * b.c, nameRecord([...terms]));
}

function productOf(name: string, env: IntEnv): number | undefined {
  let value = 1;
  for (const part of name.split('*')) {
    const bound = own(env, part);
    if (bound === undefined) return undefined;
    value *= bound;
  }
  return value;
}

/** Substitutes bound variables, leaving the others symbolic. */
export function substituteAffine(a: Affine, env: IntEnv): Affine {
  // Hot (content keys, printing at a binding): nothing to substitute, nothing to build.
  let touched = false;
  for (const name in a.terms)
    if (Object.hasOwn(env, name)) {
      touched = true;
      break;
    }
  if (!touched) return a;
  let c = a.c;
  const terms = nameRecord<number>();
  for (const [name, coef] of Object.entries(a.terms)) {
    const bound = own(env, name);
    if (bound === undefined) terms[name] = coef;
    else c += coef * bound;
  }
  return affine(c, terms);
}

/** The values an integer variable ranges over. */
export interface Interval {
  readonly min: number;
  readonly max: number;
}

/** The extremes of `a` as each variable ranges over its interval (±Infinity for a variable without one). */
export function affineBounds(a: Affine, ranges: ReadonlyMap<string, Interval>): Interval {
  let [min, max] = [a.c, a.c];
  for (const [name, coef] of Object.entries(a.terms)) {
    const r = name.includes('*') ? productRange(name, ranges) : (ranges.get(name) ?? { min: -Infinity, max: Infinity });
    const [lo, hi] = coef > 0 ? [coef * r.min, coef * r.max] : [coef * r.max, coef * r.min];
    min += lo;
    max += hi;
  }
  return { min, max };
}

/** The range of a product term `d*m` (see affineProduct): the extremes of its parts' corner products. */
function productRange(name: string, ranges: ReadonlyMap<string, Interval>): Interval {
  return name.split('*').reduce(
    (acc: Interval, part) => {
      const r = ranges.get(part) ?? { min: -Infinity, max: Infinity };
      const corners = [acc.min * r.min, acc.min * r.max, acc.max * r.min, acc.max * r.max].map((x) =>
        Number.isNaN(x) ? 0 : x,
      );
      return { min: Math.min(...corners), max: Math.max(...corners) };
    },
    { min: 1, max: 1 },
  );
}

export function affineEquals(a: Affine, b: Affine): boolean {
  return formatAffine(a) === formatAffine(b);
}

/**
 * Terms in reading order: a leading added variable (T if present, else t,
 * else the first), then subtracted terms, then added ones — `T-k+i`, `t-i+1`.
 */
export function orderedTerms(a: Affine): [string, number][] {
  return inReadingOrder(Object.entries(a.terms));
}

function inReadingOrder(vars: [string, number][]): [string, number][] {
  const positive = vars.filter(([, c]) => c > 0);
  const lead = positive.find(([n]) => n === 'T') ?? positive.find(([n]) => n === 't') ?? positive[0];
  const rest = vars.filter((v) => v !== lead);
  return [...(lead ? [lead] : []), ...rest.filter(([, c]) => c < 0), ...rest.filter(([, c]) => c > 0)];
}

/**
 * formatAffine(substituteAffine(a, env)) without building the substituted
 * form when every variable is bound (the common case: one number).
 */
export function formatAffineAt(a: Affine, env: IntEnv): string {
  const value = boundValue(a, env);
  return value === undefined ? formatPartlyBound(a, env) : String(value);
}

/** formatAffine(substituteAffine(a, env)) with some variable unbound, without building the substituted form. */
function formatPartlyBound(a: Affine, env: IntEnv): string {
  let c = a.c;
  let substituted = false;
  const rest: [string, number][] = [];
  for (const name in a.terms) {
    const coef = a.terms[name]!;
    const bound = own(env, name);
    if (bound === undefined) rest.push([name, coef]);
    else {
      c += coef * bound;
      substituted = true;
    }
  }
  // Nothing bound: the form as it is (printed once); a substituted form is rebuilt by affine(), names
  // sorted and zero coefficients dropped.
  if (!substituted) return formatAffine(a);
  return formatTerms(
    rest.filter(([, k]) => k !== 0).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
    c,
  );
}

/** `T-k+i`, `t-1`, `3`: terms in reading order, constant last. */
export function formatAffine(a: Affine): string {
  // Affine forms are immutable and printed again and again (content keys, path positions).
  let text = formatted.get(a);
  if (text === undefined) {
    text = formatTerms(Object.entries(a.terms), a.c);
    formatted.set(a, text);
  }
  return text;
}

const formatted = new WeakMap<Affine, string>();

function formatTerms(terms: [string, number][], c: number): string {
  let out = '';
  for (const [name, coef] of inReadingOrder(terms)) {
    const magnitude = Math.abs(coef) === 1 ? name : `${Math.abs(coef)}*${name}`;
    out += coef < 0 ? `-${magnitude}` : out === '' ? magnitude : `+${magnitude}`;
  }
  if (c !== 0 || out === '') out += c < 0 ? `${c}` : out === '' ? `${c}` : `+${c}`;
  return out;
}
