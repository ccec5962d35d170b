// `npm run bench:compare` (`npx tsx bench/compare.ts`): our ResNet train step, gradient and HVP on the
// wasm backend (with the oneDNN convolutions when the addon is built; `SGD_FACTORS_ONEDNN=0` for
// without), then PyTorch's reference script on the same shapes, one thread each (--threads), in the same
// run; prints one JSON line per measurement and a table of ratios (ours / PyTorch).
//
// Both sides are timed by wall clock and by process CPU time (user + system), in alternating rounds. On a
// virtual machine whose host is shared, both clocks drift with other tenants' load (a fixed scalar loop
// here varied 2.9× within a minute, and process CPU time drifts with it), so the table leads with the
// minimum over all samples of each side, the least disturbed estimate, then medians of wall and CPU time.
//
// Options: --threads (default 1: PyTorch's threads and ours, i.e. oneDNN's; the rest of our step is
// single-threaded), --depth (default 20), --batch (default 128), --reps (default 3, both sides), --rounds (default
// 2: ours then PyTorch, twice; the table's first ratio uses the minimum over all samples),
// --python (default /usr/bin/python3), --script (default ../shared/reference/pytorch_resnet_bench.py, beside
// the repository, as the developers' checkout and CI have it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchResult, median } from './harness.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    depth: { type: 'string', default: '20' },
    batch: { type: 'string', default: '128' },
    reps: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    python: { type: 'string', default: '/usr/bin/python3' },
    script: {
      type: 'string',
      default: resolve(
        dirname(fileURLToPath(import.meta.url)),
        '../../shared/reference/pytorch_resnet_bench.py',
      ),
    },
  },
  allowPositionals: false,
});

function positiveInt(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`--${name} must be a positive integer, got '${raw}'`);
  return value;
}

const threads = positiveInt('threads', values.threads);
const depth = positiveInt('depth', values.depth);
const batch = positiveInt('batch', values.batch);
const reps = positiveInt('reps', values.reps);
const rounds = positiveInt('rounds', values.rounds);
const python = values.python!;
const script = values.script!;

// The model benchmarks read their settings from the environment when they run.
process.env['MODEL_BENCH_BATCH'] = String(batch);
process.env['MODEL_BENCH_REPEATS'] = String(reps);
process.env['SGD_FACTORS_THREADS'] = String(threads);
const { default: benchmarks } = await import('./model.bench.js');

const emit = (line: unknown): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Samples {
  wallMs: number[];
  cpuMs: number[];
}
const kinds = ['train-step', 'grad', 'hvp'] as const;
type Kind = (typeof kinds)[number];
const emptySamples = (): Map<Kind, Samples> => new Map(kinds.map((k) => [k, { wallMs: [], cpuMs: [] }]));
const ours = emptySamples();
const theirs = emptySamples();

let ourBackend = '?';
async function runOurs(round: number): Promise<void> {
  for (const kind of kinds) {
    const bench = benchmarks.find((b) => b.name === `${kind}/resnet${depth}`);
    if (!bench)
      throw new Error(`bench/compare: no benchmark '${kind}/resnet${depth}' in bench/model.bench.ts`);
    for await (const result of (await bench.run()) as AsyncIterable<BenchResult>) {
      emit({ ...result, round, loadAvg: load() });
      ourBackend = String(result['backend']);
      ours.get(kind)!.wallMs.push(...(result['wallSamples'] as number[]));
      ours.get(kind)!.cpuMs.push(...(result['cpuSamples'] as number[]));
    }
  }
}

// The reference script's own timer is wall-clock; this wrapper imports it as a module and swaps in a
// timer that also records process CPU time and keeps every sample, then runs its main() unchanged.
const wrapper = `
import importlib.util, json, statistics, sys, time
spec = importlib.util.spec_from_file_location('pytorch_resnet_bench', sys.argv[1])
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
samples = []
def median_ms(fn, reps):
    fn()
    wall, proc = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        proc.append((time.process_time() - c) * 1000)
    samples.append(dict(wall=wall, cpu=proc))
    return statistics.median(wall)
bench.median_ms = median_ms
sys.argv = [sys.argv[1]] + sys.argv[2:]
bench.main()
print(json.dumps(samples))
`;

const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
const skipTorch =
  probe.status !== 0
    ? `'${python} -c "import torch"' failed (${(probe.stderr || String(probe.error ?? '')).trim().split('\n').pop()}); install python3-torch`
    : existsSync(script)
      ? undefined
      : `${script} does not exist`;
if (skipTorch !== undefined) process.stderr.write(`bench/compare: skipping PyTorch: ${skipTorch}\n`);

function runTorch(round: number): void {
  const run = spawnSync(
    python,
    [
      '-c',
      wrapper,
      script,
      '--depth',
      String(depth),
      '--batch',
      String(batch),
      '--threads',
      String(threads),
      '--reps',
      String(reps),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (run.status !== 0) throw new Error(`bench/compare: the PyTorch script failed:\n${run.stderr}`);
  const [main, timed] = run.stdout.trim().split('\n').slice(-2);
  const info = JSON.parse(main!) as Record<string, number>;
  const perKind = JSON.parse(timed!) as { wall: number[]; cpu: number[] }[];
  for (const [i, kind] of kinds.entries()) {
    const s = perKind[i]!;
    theirs.get(kind)!.wallMs.push(...s.wall);
    theirs.get(kind)!.cpuMs.push(...s.cpu);
    emit({
      name: `pytorch/${kind}/resnet${depth}/b${batch}`,
      value: Math.round(median(s.wall)),
      unit: 'ms',
      cpuMs: Math.round(median(s.cpu)),
      wallSamples: s.wall.map(Math.round),
      torch: info['torch'],
      threads: info['threads'],
      batch,
      repeats: reps,
      round,
      loadAvg: load(),
    });
  }
}

// Alternating rounds put both sides under the same conditions on a machine whose speed drifts with
// other tenants' load; the minimum over all samples is the least disturbed estimate of each.
for (let round = 1; round <= rounds; round++) {
  await runOurs(round);
  if (skipTorch === undefined) runTorch(round);
}

const pad = (s: string, n: number): string => s.padEnd(n);
const lines = [
  `ResNet-${depth}, batch ${batch}, ${threads} thread(s), ours on ${ourBackend}, ${rounds} alternating round(s) of ${reps} repetitions; load average at the end ${load()} on ${(
    await import('node:os')
  ).availableParallelism()} cores`,
  `${pad('', 12)}${pad('ours min', 10)}${pad('torch min', 11)}${pad('ratio', 8)}${pad('ours median', 13)}${pad('torch median', 14)}${pad('ratio', 8)}${pad('ours CPU', 10)}${pad('torch CPU', 11)}ratio`,
];
for (const kind of kinds) {
  const a = ours.get(kind)!;
  const b = theirs.get(kind)!;
  const ms = (t: number | undefined): string => (t === undefined ? '—' : `${Math.round(t)} ms`);
  const ratio = (x: number | undefined, y: number | undefined): string =>
    x === undefined || y === undefined ? '—' : `${(x / y).toFixed(2)}×`;
  const stat = (values: number[], f: (v: number[]) => number) => (values.length ? f(values) : undefined);
  const min = (v: number[]) => Math.min(...v);
  const cells: [number | undefined, number | undefined][] = [
    [stat(a.wallMs, min), stat(b.wallMs, min)],
    [stat(a.wallMs, median), stat(b.wallMs, median)],
    [stat(a.cpuMs, median), stat(b.cpuMs, median)],
  ];
  const widths = [
    [10, 11],
    [13, 14],
    [10, 11],
  ] as const;
  lines.push(
    pad(kind, 12) +
      cells
        .map(
          ([x, y], i) =>
            pad(ms(x), widths[i]![0]) +
            pad(ms(y), widths[i]![1]) +
            (i < 2 ? pad(ratio(x, y), 8) : ratio(x, y)),
        )
        .join(''),
  );
}
process.stderr.write(`${lines.join('\n')}\n`);
