/**
 * Compiles a standalone .tex string with pdflatex in a fresh temp dir:
 * non-interactive, halting at the first error, no shell escape, a time limit,
 * rerun while LaTeX asks for it (cross-references). Returns the PDF or an
 * excerpt of the log around the error.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether pdflatex is on this machine (CI installs it; elsewhere the compile tests skip). */
export const hasPdflatex = (() => {
  try {
    execFileSync('pdflatex', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface LatexOptions {
  pdflatex?: string;
  /** per pdflatex run (default 60 s); a runaway macro is killed */
  timeoutMs?: number;
  /** at most this many runs while the log says to rerun (default 3) */
  maxRuns?: number;
}

export type LatexResult =
  | { ok: true; pdf: Buffer; runs: number; ms: number; warnings: string[]; log: string }
  | { ok: false; error: string; logExcerpt: string; runs: number; ms: number };

const RERUN = /Rerun to get|Label\(s\) may have changed/;

/** The error lines of a TeX log (`file:line: message` with -file-line-error, or `! message`) with a little context. */
export function logExcerpt(log: string, maxLines = 30): string {
  const lines = log.split(/\r?\n/);
  const at = lines.findIndex((l) => /^(\.\/|\/)?[^:\s]+:\d+: /.test(l) || l.startsWith('! '));
  if (at < 0) return lines.slice(-maxLines).join('\n');
  return lines
    .slice(at, at + maxLines)
    .join('\n')
    .trimEnd();
}

/** LaTeX warnings worth surfacing (undefined references, overfull boxes are left out). */
function warningsOf(log: string): string[] {
  return log.split(/\r?\n/).filter((l) => /^(LaTeX|Package \w+) Warning:/.test(l));
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; timedOut: boolean; out: string }> {
  // openout_any/openin_any=p: TeX may not write or read absolute paths, ../ or dot files.
  const env = { ...process.env, openout_any: 'p', openin_any: 'p' };
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => {
        if (!err) return resolve({ code: 0, timedOut: false, out: stdout });
        if (err.code === 'ENOENT') return resolve({ code: null, timedOut: false, out: `${cmd}: not found` });
        resolve({ code: typeof err.code === 'number' ? err.code : null, timedOut: err.killed === true, out: stdout });
      },
    );
    child.stdin?.end(); // never wait on the terminal
  });
}

export async function compileLatex(tex: string, opts: LatexOptions = {}): Promise<LatexResult> {
  const cmd = opts.pdflatex ?? 'pdflatex';
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxRuns = opts.maxRuns ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'gradproof-latex-'));
  const t0 = performance.now();
  try {
    await writeFile(join(dir, 'doc.tex'), tex);
    const args = ['-interaction=nonstopmode', '-halt-on-error', '-file-line-error', '-no-shell-escape', 'doc.tex'];
    for (let runs = 1; ; runs++) {
      const r = await run(cmd, args, dir, timeoutMs);
      const log = await readFile(join(dir, 'doc.log'), 'utf8').catch(() => r.out);
      const ms = performance.now() - t0;
      if (r.timedOut)
        return { ok: false, error: `pdflatex killed after ${timeoutMs} ms`, logExcerpt: logExcerpt(log), runs, ms };
      if (r.code !== 0)
        return {
          ok: false,
          error: r.code === null ? `could not run ${cmd}` : `pdflatex exited with ${r.code}`,
          logExcerpt: logExcerpt(log),
          runs,
          ms,
        };
      if (runs < maxRuns && RERUN.test(log)) continue;
      return { ok: true, pdf: await readFile(join(dir, 'doc.pdf')), runs, ms, warnings: warningsOf(log), log };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
