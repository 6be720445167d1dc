/**
 * An option's value that starts with a dash. yargs reads `--shard -1/2` as `--shard` with no value followed by the
 * short flags -1, -/ and -2 ("Unknown argument: 1", a review found), and `--size -d=3` likewise; it takes only a
 * plain negative number (`--seed -1`) as a value. Before yargs parses, such a value is attached to its option
 * (`--shard=-1/2`), so the option's own check says what it expects.
 */

/** The options of every command that take a value (type 'string'), in their kebab-case spelling. */
export const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  'beyond',
  'cache-dir',
  'claim',
  'export',
  'fixtures',
  'format',
  'instance',
  'instances',
  'jobs',
  'junit',
  'out',
  'over',
  'readme',
  'repair-checks',
  'repair-edits',
  'repair-screens',
  'search',
  'seed',
  'shard',
  'size',
  'unroll',
  'vary',
  'work-limit',
  'write',
]);

/** What yargs itself takes as a value after an option (yargs-parser's `negative`): left as it is. */
const NEGATIVE_NUMBER = /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/;

/** `--opt -x` → `--opt=-x` for an option that takes a value; everything after `--` is left alone. */
export function attachDashValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    const name = /^--([A-Za-z][A-Za-z0-9-]*)$/.exec(arg)?.[1]?.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (
      name !== undefined &&
      VALUE_OPTIONS.has(name) &&
      next !== undefined &&
      /^-[^-]/.test(next) &&
      !NEGATIVE_NUMBER.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}
