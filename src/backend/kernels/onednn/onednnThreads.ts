import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/**
 * How many threads the oneDNN convolutions use: `requested` when given; else, on the main thread,
 * `SGD_FACTORS_THREADS` or all cores; inside a worker thread 1, since the parallel sweeps and trace
 * estimators already run one worker per core.
 *
 * @throws RangeError naming `threads` or `SGD_FACTORS_THREADS` when it is not a positive integer.
 */
export function onednnThreads(requested: number | undefined): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) {
      throw new RangeError(`initBackend: options.threads must be a positive integer, got ${requested}`);
    }
    return requested;
  }
  if (!isMainThread) return 1;
  const raw = globalThis.process?.env?.SGD_FACTORS_THREADS;
  if (raw === undefined || raw === '') return availableParallelism();
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`SGD_FACTORS_THREADS must be a positive integer, got '${raw}'`);
  }
  return value;
}
