/**
 * A progress bar on stderr for long runs (cli-progress). It draws only on an
 * interactive terminal: nothing when stderr is piped or redirected, under CI,
 * with TERM=dumb, or when the caller asks for quiet (--json), so reports on
 * stdout and CI logs stay clean. It starts at the first update, when the
 * total is known, and clears itself when stopped.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** `done` of `total` finished; `item` is shown after the bar */
  update(item: string, done: number, total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly quiet?: boolean;
  /** default process.stderr */
  readonly stream?: NodeJS.WriteStream;
  readonly env?: NodeJS.ProcessEnv;
}

const SILENT: Progress = { update() {}, stop() {} };

export function progressBar(label: string, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const env = opts.env ?? process.env;
  if (opts.quiet || !stream.isTTY || env.CI || env.TERM === 'dumb') return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} {bar} {value}/{total} {item}`,
      hideCursor: true,
      clearOnComplete: true,
      // cli-progress's own SIGINT handler would swallow the first Ctrl-C; leave it off.
      gracefulExit: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(item, done, total) {
      if (!started) bar.start(total, 0, { item });
      started = true;
      bar.setTotal(total);
      bar.update(done, { item });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
