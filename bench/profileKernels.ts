// Per-kernel CPU profile of a ResNet train step, gradient and HVP on the wasm backend (with the oneDNN
// convolutions when the addon is built; SGD_FACTORS_THREADS=1 for one thread, SGD_FACTORS_ONEDNN=0 without):
// `npx tsx bench/profileKernels.ts [train-step|grad|hvp ...]` (default all three; --depth, --batch).
//
// Every kernel registered for the backend is wrapped with a timer; time spent in kernels that a kernel
// runs itself (ours compose tfjs' kernels) is attributed to the inner kernel only ("self" time). What is
// left of the whole call is engine, tape, layers and JavaScript overhead.

import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/initBackend.js';
import { hessianOperator } from '../src/curvature/hessianOperator.js';
import { resnetV1 } from '../src/models/resnetV1.js';
import { trainSGD } from '../src/train/trainSGD.js';
import { createRng } from '../src/util/random.js';
import { gradient, syntheticData } from './model.bench.js';

const { values, positionals } = parseArgs({
  options: { depth: { type: 'string', default: '20' }, batch: { type: 'string', default: '128' } },
  allowPositionals: true,
});
const depth = Number(values.depth);
const batch = Number(values.batch);
const which = positionals.length > 0 ? positionals : ['train-step', 'grad', 'hvp'];

const info = await initBackend({ backend: 'wasm', quiet: true });
interface Stat {
  calls: number;
  selfMs: number;
}
const stats = new Map<string, Stat>();
const stack: { name: string; start: number; inner: number }[] = [];
for (const config of tf.getKernelsForBackend(info.backend)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const frame = { name: config.kernelName, start: performance.now(), inner: 0 };
      stack.push(frame);
      try {
        return inner(args);
      } finally {
        stack.pop();
        const total = performance.now() - frame.start;
        const parent = stack[stack.length - 1];
        if (parent) parent.inner += total;
        const s = stats.get(frame.name) ?? { calls: 0, selfMs: 0 };
        s.calls++;
        s.selfMs += total - frame.inner;
        stats.set(frame.name, s);
      }
    },
  });
}

const model = resnetV1({ depth, seed: 1 });
const data = syntheticData(batch, 2);
const rng = createRng(3);

const tasks: Record<string, () => Promise<unknown>> = {
  'train-step': () =>
    trainSGD(model, data, {
      lr: 0.01,
      momentum: 0.9,
      batchSize: batch,
      epochs: 1,
      schedule: (_e, lr) => lr,
      quiet: true,
    }),
  grad: async () => gradient(model, data),
  hvp: async () => {
    const h = hessianOperator(model, data, { batchSize: batch, loss: 'kld' });
    const v = new Float64Array(h.dim);
    for (let i = 0; i < v.length; i++) v[i] = rng.sign();
    await h.matvec(v);
  },
};

for (const name of which) {
  const task = tasks[name];
  if (!task) throw new Error(`profileKernels: unknown task '${name}' (train-step, grad, hvp)`);
  await task(); // warm-up
  stats.clear();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await task();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000;
  const rows = [...stats.entries()].sort((a, b) => b[1].selfMs - a[1].selfMs);
  const kernelMs = rows.reduce((acc, [, s]) => acc + s.selfMs, 0);
  console.log(
    `\n## ${name}/resnet${depth}/b${batch}: wall ${wall.toFixed(0)} ms, CPU ${cpu.toFixed(0)} ms, in kernels ${kernelMs.toFixed(0)} ms (wall), outside ${(wall - kernelMs).toFixed(0)} ms`,
  );
  console.log('| kernel | calls | self ms | share of wall |\n|---|---:|---:|---:|');
  for (const [kernel, s] of rows.slice(0, 25))
    console.log(
      `| ${kernel} | ${s.calls} | ${s.selfMs.toFixed(1)} | ${((100 * s.selfMs) / wall).toFixed(1)}% |`,
    );
}
