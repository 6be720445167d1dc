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
