/**
 * `check --repair`: the options of the repair search and how they become a
 * budget (kept apart from main.ts, which every command touches).
 */
import type { Argv } from 'yargs';

export interface RepairArgs {
  readonly repair: boolean;
  readonly 'repair-screens'?: string;
  readonly 'repair-checks'?: string;
  readonly 'repair-edits'?: string;
}

export class RepairUsageError extends Error {}

/** Adds the repair options to a command. */
export function withRepairOptions<T>(y: Argv<T>) {
  return y
    .option('repair', {
      type: 'boolean',
      default: false,
      describe:
        'for each refuted claim, search for the nearest claim that holds (default budget per claim: 1000 candidates screened, 6 checked in full, up to 2 edits)',
    })
    .option('repair-screens', { type: 'string', describe: 'candidates screened per refuted claim (default 1000)' })
    .option('repair-checks', { type: 'string', describe: 'candidates checked in full per refuted claim (default 6)' })
    .option('repair-edits', { type: 'string', describe: 'edits combined at most: 1 or 2 (default 2)' });
}

function count(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new RepairUsageError(`--${flag} takes an integer from ${min} to ${max}, got '${raw}'`);
  return n;
}

/** The check request's `repair` field: false, or the budget's overrides. */
export function repairRequest(argv: RepairArgs): false | { screens?: number; fullChecks?: number; maxEdits?: 1 | 2 } {
  const screens = count('repair-screens', argv['repair-screens'], 0, 100_000);
  const fullChecks = count('repair-checks', argv['repair-checks'], 0, 1000);
  const maxEdits = count('repair-edits', argv['repair-edits'], 1, 2) as 1 | 2 | undefined;
  const any = screens !== undefined || fullChecks !== undefined || maxEdits !== undefined;
  if (!argv.repair) {
    if (any) throw new RepairUsageError('--repair-screens, --repair-checks and --repair-edits need --repair');
    return false;
  }
  return {
    ...(screens !== undefined ? { screens } : {}),
    ...(fullChecks !== undefined ? { fullChecks } : {}),
    ...(maxEdits !== undefined ? { maxEdits } : {}),
  };
}
