import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { markLayeredOver } from '../kernelLayers.js';
import { heapOffset } from '../simd/simdKernels.js';
import type { OnednnAddon } from './onednnAddon.js';
import { onednnGeometry } from './onednnGeometry.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
type Shape4 = [number, number, number, number];

interface Settings {
  addon: OnednnAddon;
  threads: number;
}

let settings: Settings | undefined;
let enabled = true;

/** Hands the loaded addon and its thread count to the kernels; they run oneDNN from now on. */
export function configureOnednnKernels(addon: OnednnAddon, threads: number): void {
  settings = { addon, threads };
}

/**
 * Switches the oneDNN convolutions on or off (on by default; they run once configured); returns the
 * previous setting. Off, the kernels call the wasm kernels they replaced, which the tests use as the oracle.
 */
export function setOnednnKernelsEnabled(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/** The wasm heap as an ArrayBuffer, fetched anew on every call (the memory is replaced when it grows). */
function heapOf(backend: BackendWasm): ArrayBuffer | undefined {
  const memory = (backend.wasm as unknown as { asm?: { memory?: { buffer?: unknown } } }).asm?.memory;
  // A SharedArrayBuffer (the threaded wasm build) is not an ArrayBuffer; the wasm kernels run instead.
  return memory?.buffer instanceof ArrayBuffer ? memory.buffer : undefined;
}

/** Byte offsets of tensors in the heap, and the heap itself, fetched after the output was allocated. */
type NativeCall = (heap: ArrayBuffer, at: (t: tf.TensorInfo) => number, out: tf.TensorInfo) => boolean;

/**
 * Allocates the output and runs `call` on it; undefined (output freed) where oneDNN has no implementation
 * for the geometry or the heap is not an ArrayBuffer. An error from the addon frees the output and throws.
 */
function runNative(backend: BackendWasm, kernel: string, outShape: number[], call: NativeCall) {
  const out = backend.makeOutput(outShape, 'float32');
  let done = false;
  try {
    const heap = heapOf(backend);
    done = heap !== undefined && call(heap, (t) => heapOffset(backend, t, kernel), out);
  } finally {
    if (!done) backend.disposeData(out.dataId);
  }
  return done ? out : undefined;
}

const float32 = (...ts: (tf.TensorInfo | undefined)[]) =>
  ts.every((t) => t === undefined || t.dtype === 'float32');
const nhwc = (dataFormat: string | undefined) => dataFormat === undefined || dataFormat === 'NHWC';

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Pick<tf.Conv2DAttrs, 'strides' | 'pad' | 'dimRoundingMode'>,
  dilations: number | [number, number],
) {
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** `Conv2D` and `FusedConv2D` with an optional per-channel bias and an optional ReLU. */
function forward(args: KernelArgs, s: Settings, bias: tf.TensorInfo | undefined, relu: boolean) {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DAttrs;
  if (!nhwc(attrs.dataFormat) || !float32(x, filter, bias) || x.shape.length !== 4) return undefined;
  if (filter.shape.length !== 4) return undefined;
  const info = convInfo(x.shape, filter.shape, attrs, attrs.dilations ?? 1);
  if (bias !== undefined && tf.util.sizeFromShape(bias.shape) !== info.outChannels) return undefined;
  const geometry = onednnGeometry(info);
  if (geometry === undefined) return undefined;
  return runNative(args.backend as BackendWasm, tf.Conv2D, info.outShape, (heap, at, y) =>
    s.addon.forward(heap, geometry, at(x), at(filter), bias ? at(bias) : -1, at(y), relu, s.threads),
  );
}

function fusedForward(args: KernelArgs, s: Settings) {
  const { bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { activation } = args.attrs as unknown as tf.FusedConv2DAttrs;
  if (preluActivationWeights !== undefined) return undefined;
  if (activation !== 'linear' && activation !== 'relu') return undefined;
  return forward(args, s, bias, activation === 'relu');
}

function backwardData(args: KernelArgs, s: Settings) {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (!nhwc(attrs.dataFormat) || !float32(dy, filter) || attrs.inputShape.length !== 4) return undefined;
  if (filter.shape.length !== 4) return undefined;
  const info = convInfo(attrs.inputShape, filter.shape, attrs, 1);
  // A dy of the wrong shape goes to the wasm kernel, whose error names it.
  if (!tf.util.arraysEqual(dy.shape, info.outShape)) return undefined;
  const geometry = onednnGeometry(info);
  if (geometry === undefined) return undefined;
  return runNative(args.backend as BackendWasm, tf.Conv2DBackpropInput, info.inShape, (heap, at, dx) =>
    s.addon.backwardData(heap, geometry, at(dy), at(filter), at(dx), s.threads),
  );
}

function backwardWeights(args: KernelArgs, s: Settings) {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (!nhwc(attrs.dataFormat) || !float32(x, dy) || x.shape.length !== 4) return undefined;
  if (attrs.filterShape.length !== 4) return undefined;
  const info = convInfo(x.shape, attrs.filterShape, attrs, 1);
  if (!tf.util.arraysEqual(dy.shape, info.outShape)) return undefined;
  const geometry = onednnGeometry(info);
  if (geometry === undefined) return undefined;
  return runNative(args.backend as BackendWasm, tf.Conv2DBackpropFilter, info.filterShape, (heap, at, dw) =>
    s.addon.backwardWeights(heap, geometry, at(x), at(dy), at(dw), s.threads),
  );
}

/**
 * A kernel that runs `native` while the oneDNN kernels are configured and on, and `fallback` (the kernel
 * it replaces, with its setup function) for everything `native` declines: NCHW, other dtypes, empty
 * tensors, other fused activations, geometries oneDNN does not implement.
 */
function replacing(
  fallback: tf.KernelConfig,
  native: (args: KernelArgs, s: Settings) => tf.TensorInfo | undefined,
): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const s = settings;
    const out = enabled && s !== undefined ? native(args, s) : undefined;
    return out ?? (fallback.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo);
  };
  const config: tf.KernelConfig = {
    kernelName: fallback.kernelName,
    backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    // A wasm backend created later still needs the fallback's compiled-function lookup.
    ...(fallback.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
  };
  markLayeredOver(config, fallback);
  return config;
}

/** The wasm kernels that the oneDNN kernels replace and fall back to. */
export interface OnednnFallbacks {
  conv2D: tf.KernelConfig;
  fusedConv2D: tf.KernelConfig;
  conv2DBackpropInput: tf.KernelConfig;
  conv2DBackpropFilter: tf.KernelConfig;
}

/**
 * Kernel configs for the wasm backend running `Conv2D`, `FusedConv2D` (bias, ReLU), `Conv2DBackpropInput`
 * and `Conv2DBackpropFilter` through oneDNN, in place on the wasm heap, with `fallbacks` for the rest.
 */
export function onednnKernelConfigs(fallbacks: OnednnFallbacks): tf.KernelConfig[] {
  return [
    replacing(fallbacks.conv2D, (args, s) => forward(args, s, undefined, false)),
    replacing(fallbacks.fusedConv2D, fusedForward),
    replacing(fallbacks.conv2DBackpropInput, backwardData),
    replacing(fallbacks.conv2DBackpropFilter, backwardWeights),
  ];
}
