/** `--size NAME=INTEGER`, repeated: the sizes a command fixes. */
import { UsageError } from './output.js';

/**
 * NAME=INTEGER pairs into a Map (user names are never object keys), each INTEGER in 1..max; a name given twice is
 * refused (`--size T=3 --size T=4` took the last without a word, a review found).
 */
export function parseSizePairs(raw: readonly string[] | undefined, max: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of raw ?? []) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)=(\d+)$/.exec(item);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > max)
      throw new UsageError(`--size takes NAME=INTEGER with 1 ≤ INTEGER ≤ ${max}, got '${item}'`);
    if (out.has(m[1]!)) throw new UsageError(`--size ${m[1]} is given twice ('${m[1]}=${out.get(m[1]!)}', '${item}')`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}
