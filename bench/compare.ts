// `npm run bench:compare` (`npx tsx bench/compare.ts`): our ResNet train step, gradient and HVP on the
// wasm backend, then PyTorch's reference script on the same shapes, one thread each, in the same run;
// prints one JSON line per measurement and a table of ratios (ours / PyTorch).
//
// Both sides are timed by wall clock and by process CPU time (user + system). On a machine whose cores
// other processes share, CPU time is the fairer comparison; the table shows both.
//
// Options: --depth (default 20), --batch (default 128), --reps (default 3, both sides),
// --python (default /usr/bin/python3), --script (default ../shared/reference/pytorch_resnet_bench.py, beside
// the repository, as the developers' checkout and CI have it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchResult } from './harness.js';

const { values } = parseArgs({
  options: {
    depth: { type: 'string', default: '20' },
    batch: { type: 'string', default: '128' },
    reps: { type: 'string', default: '3' },
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

const depth = positiveInt('depth', values.depth);
const batch = positiveInt('batch', values.batch);
const reps = positiveInt('reps', values.reps);
const python = values.python!;
const script = values.script!;

// The model benchmarks read their settings from the environment when they run.
process.env['MODEL_BENCH_BATCH'] = String(batch);
process.env['MODEL_BENCH_REPEATS'] = String(reps);
const { default: benchmarks } = await import('./model.bench.js');

const emit = (line: unknown): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Timing {
  wallMs: number;
  cpuMs: number;
}
const ours = new Map<string, Timing>();
for (const kind of ['train-step', 'grad', 'hvp'] as const) {
  const bench = benchmarks.find((b) => b.name === `${kind}/resnet${depth}`);
  if (!bench) throw new Error(`bench/compare: no benchmark '${kind}/resnet${depth}' in bench/model.bench.ts`);
  for await (const result of (await bench.run()) as AsyncIterable<BenchResult>) {
    emit({ ...result, loadAvg: load() });
    ours.set(kind, { wallMs: result.value, cpuMs: result['cpuMs'] as number });
  }
}

// The reference script's own timer is wall-clock; this wrapper imports it as a module and swaps in a
// timer that also records process CPU time, then runs its main() unchanged.
const wrapper = `
import importlib.util, json, statistics, sys, time
spec = importlib.util.spec_from_file_location('pytorch_resnet_bench', sys.argv[1])
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
cpu = []
def median_ms(fn, reps):
    fn()
    wall, proc = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        proc.append((time.process_time() - c) * 1000)
    cpu.append(statistics.median(proc))
    return statistics.median(wall)
bench.median_ms = median_ms
sys.argv = [sys.argv[1]] + sys.argv[2:]
bench.main()
print(json.dumps(dict(train_step_cpu_ms=cpu[0], grad_cpu_ms=cpu[1], hvp_cpu_ms=cpu[2])))
`;

const theirs = new Map<string, Timing>();
const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
if (probe.status !== 0 || !existsSync(script)) {
  const why =
    probe.status !== 0
      ? `'${python} -c "import torch"' failed (${(probe.stderr || String(probe.error ?? '')).trim().split('\n').pop()}); install python3-torch`
      : `${script} does not exist`;
  process.stderr.write(`bench/compare: skipping PyTorch: ${why}\n`);
} else {
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
      '1',
      '--reps',
      String(reps),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (run.status !== 0) throw new Error(`bench/compare: the PyTorch script failed:\n${run.stderr}`);
  const [main, cpu] = run.stdout
    .trim()
    .split('\n')
    .slice(-2)
    .map((line) => JSON.parse(line) as Record<string, number>);
  const name = (kind: string): string => `pytorch/${kind}/resnet${depth}/b${batch}`;
  for (const [kind, key] of [
    ['train-step', 'train_step'],
    ['grad', 'grad'],
    ['hvp', 'hvp'],
  ] as const) {
    const timing = { wallMs: main![`${key}_ms`]!, cpuMs: cpu![`${key}_cpu_ms`]! };
    theirs.set(kind, timing);
    emit({
      name: name(kind),
      value: Math.round(timing.wallMs),
      unit: 'ms',
      cpuMs: Math.round(timing.cpuMs),
      torch: main!['torch'],
      threads: main!['threads'],
      batch,
      repeats: reps,
      loadAvg: load(),
    });
  }
}

const pad = (s: string, n: number): string => s.padEnd(n);
const lines = [
  `ResNet-${depth}, batch ${batch}, one thread; load average at the end ${load()} on ${(
    await import('node:os')
  ).availableParallelism()} cores`,
  `${pad('', 12)}${pad('ours wall', 11)}${pad('torch wall', 12)}${pad('ratio', 8)}${pad('ours CPU', 10)}${pad('torch CPU', 11)}ratio`,
];
for (const kind of ['train-step', 'grad', 'hvp']) {
  const a = ours.get(kind);
  const b = theirs.get(kind);
  const ms = (t: number | undefined): string => (t === undefined ? '—' : `${Math.round(t)} ms`);
  const ratio = (x: number | undefined, y: number | undefined): string =>
    x === undefined || y === undefined ? '—' : `${(x / y).toFixed(2)}×`;
  lines.push(
    `${pad(kind, 12)}${pad(ms(a?.wallMs), 11)}${pad(ms(b?.wallMs), 12)}${pad(ratio(a?.wallMs, b?.wallMs), 8)}${pad(
      ms(a?.cpuMs),
      10,
    )}${pad(ms(b?.cpuMs), 11)}${ratio(a?.cpuMs, b?.cpuMs)}`,
  );
}
process.stderr.write(`${lines.join('\n')}\n`);
