import { checkOptionKeys, type OptionKeys } from './options.js';
/**
 * A progress report of a long library call, the one event type every `onProgress` option receives
 * (estimators, `gradientNoise`, `measureMinimum`, `parallelHutchinsonTrace`).
 */
export interface ProgressEvent {
  /**
   * The phase: `measureMinimum` and `gradientNoise` report `'gradient'`, `'traceSigma'`, `'traceSigmaH'`,
   * `'traceH'` and `'topEigenvalues'` (and for models with batch normalization `'bnStatistics'`,
   * `'bnAccuracy'`); an estimator called directly reports its own name (e.g. `'hutchinsonTrace'`).
   */
  stage: string;
  /** Units done in this phase (matvecs, examples or mini-batches). */
  done: number;
  /**
   * Units planned in this phase: an upper bound when the work can stop early (an adaptive tolerance, a
   * converged Lanczos run).
   */
  total: number;
  /**
   * What `done` and `total` count: `'passes'` over the data (the gradient), `'examples'`, `'batches'`
   * (sampled mini-batches or batch pairs) or `'matvecs'` (Hessian–vector products); absent when the
   * stage says it (an estimator counts matvecs).
   */
  unit?: ProgressUnit;
}

/** What a {@link ProgressEvent} counts. */
export type ProgressUnit = 'passes' | 'examples' | 'batches' | 'matvecs';

/** The `onProgress` option of long library calls: called after each unit of work. */
export type ProgressListener = (event: ProgressEvent) => void;

/** Reports the progress of a long job: a redrawn bar on a TTY, plain lines otherwise. */
export interface Progress {
  /** Sets the number of finished units (0…total) and an optional short status text. */
  update(done: number, status?: string): void;
  /** Prints a line above the bar (or as a plain line). */
  log(line: string): void;
  /** Ends the bar. */
  done(status?: string): void;
}

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** Label in front of the bar. */
  label: string;
  /** Total number of units. */
  total: number;
  /** Where to draw; default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Draw nothing at all. */
  silent?: boolean;
  /** On a non-TTY, print a plain line at most this often (ms); default 5000. */
  plainIntervalMs?: number;
}

const OPTION_KEYS: OptionKeys<ProgressOptions> = {
  label: true,
  total: true,
  stream: true,
  silent: true,
  plainIntervalMs: true,
};

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Creates a progress reporter with an ETA. On a TTY it redraws one line; otherwise (CI, pipes, files) it
 * prints a plain line now and then, so logs stay readable.
 */
export function createProgress(options: ProgressOptions): Progress {
  checkOptionKeys('createProgress', options, OPTION_KEYS);
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY) && !options.silent;
  const start = Date.now();
  const interval = options.plainIntervalMs ?? 5000;
  let lastPlain = 0;
  let lastDone = 0;
  const render = (done: number, status: string | undefined): string => {
    const total = Math.max(options.total, 1);
    const fraction = Math.min(done / total, 1);
    const elapsed = (Date.now() - start) / 1000;
    const eta = done > 0 ? (elapsed * (total - done)) / done : Number.NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    return `${options.label} ${bar}${done}/${options.total} ${(fraction * 100).toFixed(0)}% elapsed ${formatSeconds(elapsed)} eta ${formatSeconds(eta)}${status ? ` ${status}` : ''}`;
  };
  return {
    update(done, status) {
      lastDone = done;
      if (options.silent) return;
      if (tty) {
        stream.write(`\r\x1b[2K${render(done, status)}`);
      } else if (Date.now() - lastPlain >= interval || done >= options.total) {
        lastPlain = Date.now();
        stream.write(`${render(done, status)}\n`);
      }
    },
    log(line) {
      if (options.silent) return;
      stream.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
    done(status) {
      if (options.silent) return;
      if (tty) stream.write(`\r\x1b[2K${render(Math.max(lastDone, options.total), status)}\n`);
      else stream.write(`${render(Math.max(lastDone, options.total), status)}\n`);
    },
  };
}
