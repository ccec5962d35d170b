// Forward, input-gradient (dgrad) and filter-gradient (wgrad) convolution kernels on the wasm backend,
// for every convolution shape of a CIFAR ResNet-20 at batch 128. Run with
// `npx tsx bench/run.ts --filter conv` (CONV_BENCH_REPEATS and CONV_BENCH_BATCH override the defaults).
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/initBackend.js';
import { createRng } from '../src/util/random.js';
import { type Benchmark, type BenchResult, median, positiveIntFromEnv, timeMedian } from './harness.js';

/** One convolution layer of ResNet-20: input size, channels in and out, filter size, stride. */
interface ConvLayer {
  size: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
}

const RESNET20_LAYERS: ConvLayer[] = [
  { size: 32, inChannels: 3, outChannels: 16, kernel: 3, stride: 1 },
  { size: 32, inChannels: 16, outChannels: 16, kernel: 3, stride: 1 },
  { size: 32, inChannels: 16, outChannels: 32, kernel: 3, stride: 2 },
  { size: 32, inChannels: 16, outChannels: 32, kernel: 1, stride: 2 },
  { size: 16, inChannels: 32, outChannels: 32, kernel: 3, stride: 1 },
  { size: 16, inChannels: 32, outChannels: 64, kernel: 3, stride: 2 },
  { size: 16, inChannels: 32, outChannels: 64, kernel: 1, stride: 2 },
  { size: 8, inChannels: 64, outChannels: 64, kernel: 3, stride: 1 },
];

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return tf.tensor(values, shape);
}

async function* convBenchmarks(): AsyncIterable<BenchResult> {
  const batch = positiveIntFromEnv('CONV_BENCH_BATCH', 128);
  const repeats = positiveIntFromEnv('CONV_BENCH_REPEATS', 5);
  const info = await initBackend({ backend: 'wasm', quiet: true });
  const context = { backend: info.backend, threads: info.threads ?? 1, batch };
  for (const layer of RESNET20_LAYERS) {
    const { size, inChannels, outChannels, kernel, stride } = layer;
    const xShape: [number, number, number, number] = [batch, size, size, inChannels];
    const filterShape: [number, number, number, number] = [kernel, kernel, inChannels, outChannels];
    const convInfo = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, 'same');
    const x = randomTensor(xShape, 1);
    const filter = randomTensor(filterShape, 2);
    const dy = randomTensor(convInfo.outShape, 3);
    const flops =
      2 * batch * convInfo.outHeight * convInfo.outWidth * kernel * kernel * inChannels * outChannels;
    const shapeName = `${size}x${size}x${inChannels}-${outChannels}-k${kernel}-s${stride}/b${batch}`;
    const common = { strides: stride, pad: 'same', dataFormat: 'NHWC' } as const;
    const kernels: [string, () => tf.Tensor][] = [
      [
        'fwd',
        () =>
          tf.engine().runKernel('Conv2D', { x, filter }, {
            ...common,
            dilations: 1,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ],
      [
        'dgrad',
        () =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, {
            ...common,
            inputShape: xShape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ],
      [
        'wgrad',
        () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
            ...common,
            filterShape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ],
    ];
    let forwardMs = Number.NaN;
    let forwardCpuMs = Number.NaN;
    for (const [kind, run] of kernels) {
      // wasm kernels are synchronous: the output exists when runKernel returns.
      const cpuSamples: number[] = [];
      const timing = await timeMedian(
        () => {
          const before = process.cpuUsage();
          run().dispose();
          const used = process.cpuUsage(before);
          cpuSamples.push((used.user + used.system) / 1000);
        },
        { warmup: 2, repeats },
      );
      // Median CPU time per call (warm-up excluded): less sensitive than wall time to other processes
      // sharing the cores.
      const cpuMs = median(cpuSamples.slice(2));
      if (kind === 'fwd') {
        forwardMs = timing.median;
        forwardCpuMs = cpuMs;
      }
      yield {
        name: `conv/${kind}/${shapeName}`,
        value: Number(timing.median.toFixed(2)),
        unit: 'ms',
        gflops: Number((flops / timing.median / 1e6).toFixed(2)),
        ratioToForward: Number((timing.median / forwardMs).toFixed(2)),
        minMs: Number(timing.min.toFixed(2)),
        cpuMs: Number(cpuMs.toFixed(2)),
        cpuRatioToForward: Number((cpuMs / forwardCpuMs).toFixed(2)),
        cpuGflops: Number((flops / cpuMs / 1e6).toFixed(2)),
        ...context,
      };
    }
    tf.dispose([x, filter, dy]);
  }
}

const benchmarks: Benchmark[] = [{ name: 'conv', run: convBenchmarks }];
export default benchmarks;
