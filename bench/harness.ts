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
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, samples };
}
