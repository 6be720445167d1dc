/**
 * A count with its noun in the number it takes: `1 claim`, `3 claims`, `0 claims` (messages said "1 claims" and
 * "counterexample(s)", a review found). Every message that counts writes its count through this.
 */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
