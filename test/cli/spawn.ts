/** Runs the CLI as a user would (node --import tsx src/cli/main.ts …), asynchronously so that runs overlap. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A guard against a hung child only (a CLI run takes seconds): killed after this long, the run fails with status
 * null instead of blocking its test file — a spawnSync without it cannot be interrupted by any test timeout.
 */
export const HANG_GUARD = { timeout: 300_000, killSignal: 'SIGKILL' } as const;

export interface Run {
  readonly status: number | null;
  /** the signal that ended the run (a crash, or the hang guard's SIGKILL), null where it exited */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function gradproof(...args: string[]): Promise<Run> {
  return gradproofUnder([], ...args);
}

/** The CLI run with node's own flags first (`--max-old-space-size=250`: a run that must fit in a heap). */
export function gradproofUnder(nodeFlags: readonly string[], ...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.GRADPROOF_DEBUG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...HANG_GUARD,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** One run shared by several tests. */
export function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}
