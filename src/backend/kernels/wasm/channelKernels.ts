import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type SimdKernelExports, simdKernelsFor } from '../simd/simdKernels.js';

/**
 * Kernel names of the per-channel batch-norm passes (wasm/batch_norm.c). They exist on the wasm backend
 * only, have no gradients of their own, and are meant for the inside of a `customGrad` (see
 * trainingBatchNorm.ts), which supplies the gradient.
 */
export const ChannelMoments = 'SgdFactorsChannelMoments';
/** See {@link ChannelMoments}. x·a + b with a, b per channel (last axis). */
export const ChannelAffine = 'SgdFactorsChannelAffine';
/** See {@link ChannelMoments}. [Σ dy, Σ dy·(x − mean)] per channel. */
export const ChannelGradSums = 'SgdFactorsChannelGradSums';
/** See {@link ChannelMoments}. k·dy + a·(x − mean) + b with k, a, b, mean per channel. */
export const ChannelGradDx = 'SgdFactorsChannelGradDx';

/** The SIMD exports, the [rows, channels] view of a channels-last tensor, and checks of the operands. */
function prepare(
  name: string,
  backend: BackendWasm,
  main: tf.TensorInfo,
  others: Record<string, tf.TensorInfo>,
  perChannel: Record<string, tf.TensorInfo>,
): { simd: SimdKernelExports; rows: number; channels: number } {
  const simd = simdKernelsFor(backend);
  if (simd === undefined) throw new Error(`${name}: the wasm SIMD kernels are not available`);
  const channels = main.shape[main.shape.length - 1] ?? 1;
  const size = tf.util.sizeFromShape(main.shape);
  for (const [k, t] of Object.entries({ main, ...others, ...perChannel })) {
    if (t.dtype !== 'float32') throw new Error(`${name}: ${k} must be float32, got ${t.dtype}`);
  }
  for (const [k, t] of Object.entries(others)) {
    if (!tf.util.arraysEqual(t.shape, main.shape))
      throw new Error(`${name}: ${k} has shape [${t.shape}], expected [${main.shape}]`);
  }
  for (const [k, t] of Object.entries(perChannel)) {
    if (tf.util.sizeFromShape(t.shape) !== channels)
      throw new Error(`${name}: ${k} has shape [${t.shape}], expected ${channels} channels`);
  }
  return { simd, rows: channels === 0 ? 0 : size / channels, channels };
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend };

const channelMomentsConfig: tf.KernelConfig = {
  kernelName: ChannelMoments,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend: b }: KernelArgs) => {
    const backend = b as BackendWasm;
    const x = inputs['x'] as tf.TensorInfo;
    const { simd, rows, channels } = prepare(ChannelMoments, backend, x, {}, {});
    const mean = backend.makeOutput([channels], 'float32');
    const variance = backend.makeOutput([channels], 'float32');
    const partial = backend.makeOutput([3 * channels], 'float32');
    try {
      const o = (t: tf.TensorInfo) => heapOffset(backend, t, 'channel kernel');
      simd.channel_moments(o(x), o(mean), o(variance), o(partial), rows, channels);
    } finally {
      backend.disposeData(partial.dataId);
    }
    return [mean, variance];
  }) as unknown as tf.KernelFunc,
};

const channelAffineConfig: tf.KernelConfig = {
  kernelName: ChannelAffine,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend: b }: KernelArgs) => {
    const backend = b as BackendWasm;
    const { x, a, b: shift } = inputs as Record<'x' | 'a' | 'b', tf.TensorInfo>;
    const { simd, rows, channels } = prepare(ChannelAffine, backend, x, {}, { a, b: shift });
    const out = backend.makeOutput([...x.shape], 'float32');
    const o = (t: tf.TensorInfo) => heapOffset(backend, t, 'channel kernel');
    simd.channel_affine(o(x), o(a), o(shift), o(out), rows, channels);
    return out;
  }) as unknown as tf.KernelFunc,
};

const channelGradSumsConfig: tf.KernelConfig = {
  kernelName: ChannelGradSums,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend: b }: KernelArgs) => {
    const backend = b as BackendWasm;
    const { dy, x, mean } = inputs as Record<'dy' | 'x' | 'mean', tf.TensorInfo>;
    const { simd, rows, channels } = prepare(ChannelGradSums, backend, dy, { x }, { mean });
    const sumDy = backend.makeOutput([channels], 'float32');
    const sumDyCentred = backend.makeOutput([channels], 'float32');
    const partial = backend.makeOutput([channels], 'float32');
    const partial2 = backend.makeOutput([channels], 'float32');
    try {
      const o = (t: tf.TensorInfo) => heapOffset(backend, t, 'channel kernel');
      simd.channel_grad_sums(
        o(dy),
        o(x),
        o(mean),
        o(sumDy),
        o(sumDyCentred),
        o(partial),
        o(partial2),
        rows,
        channels,
      );
    } finally {
      backend.disposeData(partial.dataId);
      backend.disposeData(partial2.dataId);
    }
    return [sumDy, sumDyCentred];
  }) as unknown as tf.KernelFunc,
};

const channelGradDxConfig: tf.KernelConfig = {
  kernelName: ChannelGradDx,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend: b }: KernelArgs) => {
    const backend = b as BackendWasm;
    const {
      dy,
      x,
      mean,
      k,
      a,
      b: shift,
    } = inputs as Record<'dy' | 'x' | 'mean' | 'k' | 'a' | 'b', tf.TensorInfo>;
    const { simd, rows, channels } = prepare(ChannelGradDx, backend, dy, { x }, { mean, k, a, b: shift });
    const dx = backend.makeOutput([...dy.shape], 'float32');
    const o = (t: tf.TensorInfo) => heapOffset(backend, t, 'channel kernel');
    simd.channel_grad_dx(o(dy), o(x), o(mean), o(k), o(a), o(shift), o(dx), rows, channels);
    return dx;
  }) as unknown as tf.KernelFunc,
};

/** The wasm configs of the four per-channel kernels, for {@link registerWasmKernels}. */
export const channelKernelConfigs: readonly tf.KernelConfig[] = [
  channelMomentsConfig,
  channelAffineConfig,
  channelGradSumsConfig,
  channelGradDxConfig,
];

/**
 * Whether the per-channel SIMD kernels can run now: the active backend is wasm, they are registered, and
 * the SIMD module is available (not switched off by `SGD_FACTORS_SIMD_KERNELS=0`).
 */
export function channelKernelsAvailable(): boolean {
  if (tf.getBackend() !== 'wasm' || tf.getKernel(ChannelMoments, 'wasm') === undefined) return false;
  return simdKernelsFor(tf.backend() as BackendWasm) !== undefined;
}
