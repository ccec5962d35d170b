/**
 * The benchmark harness behind `npm run bench`: each `bench/*.bench.ts` default-exports a list of
 * {@link Benchmark}s; the runner prints one JSON object per measurement line on stdout.
 */
export interface BenchResult {
  /** e.g. `train-step/resnet20/b128`. */
  name: string;
  value: number;
  unit: string;
  [context: string]: unknown;
}

/** One named benchmark; `run` yields one or more results (e.g. one per layer shape). */
export interface Benchmark {
  /** Name or name prefix, matched by `--filter`. */
  name: string;
  run(): AsyncIterable<BenchResult> | Iterable<BenchResult> | Promise<BenchResult[]>;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A benchmark setting from the environment: `fallback` when unset or empty.
 * @throws RangeError naming the variable if it is set to anything but a positive integer.
 */
export function positiveIntFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got '${raw}'`);
  return value;
}

/**
 * Times `fn` after `warmup` calls: the median of `repeats` wall-clock timings, in milliseconds.
 */
export async function timeMedian(
  fn: () => unknown | Promise<unknown>,
  { warmup = 1, repeats = 5 }: { warmup?: number; repeats?: number } = {},
): Promise<{ median: number; min: number; samples: number[] }> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return { median: median(samples), min: Math.min(...samples), samples };
}
