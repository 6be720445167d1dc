/** The command line that replays a counterexample, quoted for a POSIX shell. */
import type { Counterexample } from '../check/result.js';

const quote = (arg: string): string => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function replayCommand(cx: Counterexample): string {
  return ['gradproof', 'check', ...cx.replay].map(quote).join(' ');
}
