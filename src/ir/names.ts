/**
 * User names and JavaScript objects. A name such as `constructor` or
 * `toString` read from a plain object finds Object.prototype's property (a
 * function, so an index becomes NaN), and `__proto__` assigned to one is not
 * stored at all (a summation index silently vanished from time indices). So
 * such names are refused where a file declares them (`reservedNameProblem`),
 * and, in depth, records keyed by names have no prototype and are read through
 * their own properties only.
 */

/** Every property of Object.prototype, and `__proto__` (an accessor there). */
const JS_INTERNAL = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

/** Why `name` cannot be declared, or null when it can. */
export function reservedNameProblem(name: string, what: string): string | null {
  return JS_INTERNAL.has(name)
    ? `${what} '${name}' is refused: every JavaScript object has a property of that name (Object.prototype.${name})`
    : null;
}

/** A record keyed by user names: no prototype, so every name is an own key like any other. */
export function nameRecord<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** The value bound to `name`, read as an own property (an inherited `constructor` is no binding). */
export function own<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** A record of bindings as text, the same for records with the same bindings whatever their keys' order (a map key). */
export function bindingsKey(record: Readonly<Record<string, number>>): string {
  return Object.keys(record)
    .sort()
    .map((name) => `${name}=${own(record, name)}`)
    .join(',');
}

/**
 * Records of bindings copied key by key. `{ ...env, [name]: v }` builds the same record, but in V8 (Node 20) an
 * object made by spreading gets a map of its own: adding a key to it builds another map at every call (≈ 2 µs,
 * twenty times this copy), and the records then reach every reader with a different map. Same own keys, in the
 * same order, as the spread; `__proto__` is defined as an own key as the literal does (assigning it would set
 * the prototype instead).
 */
function copyInto(out: Record<string, number>, from: Readonly<Record<string, number>>): void {
  // for…in walks the keys without an array of them all; an inherited key is no binding
  for (const key in from) if (Object.hasOwn(from, key)) put(out, key, from[key]!);
}

function put(out: Record<string, number>, key: string, value: number): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}

/** `{ ...env, [name]: value }`, built key by key (see copyInto). */
export function withBinding(
  env: Readonly<Record<string, number>>,
  name: string,
  value: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  copyInto(out, env);
  put(out, name, value);
  return out;
}

/** `env` without `name` (the same record where it has no such binding), built key by key (see copyInto). */
export function withoutBinding(env: Readonly<Record<string, number>>, name: string): Readonly<Record<string, number>> {
  if (!Object.hasOwn(env, name)) return env;
  const out: Record<string, number> = {};
  for (const key in env) if (key !== name && Object.hasOwn(env, key)) put(out, key, env[key]!);
  return out;
}

/** `{ ...a, ...b }`, built key by key (see copyInto). */
export function mergedBindings(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  copyInto(out, a);
  copyInto(out, b);
  return out;
}
