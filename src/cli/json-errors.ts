/**
 * `--json` prints exactly one JSON object on stdout, also when the input is bad:
 * `{"errors": [{"file", "line", "col", "message"}]}` (file, line and col null for a usage error).
 */
import type { InputError } from '../derivation/errors.js';
import { errorJson, usageErrorJson } from '../emit/error-json.js';

/** Whether the command line asks for JSON (read from the raw arguments: parsing itself may have failed). */
export function wantsJson(args: readonly string[]): boolean {
  return args.some((a) => a === '--json' || a === '--json=true');
}

/** The one JSON object for a run stopped by an error (an InputError carries its place; others do not). */
export function errorsObject(err: Error): string {
  const located = err as Partial<InputError>;
  const record =
    located.pos && located.problem !== undefined ? errorJson(located as InputError) : usageErrorJson(err.message);
  return `${JSON.stringify({ errors: [record] }, null, 2)}\n`;
}
