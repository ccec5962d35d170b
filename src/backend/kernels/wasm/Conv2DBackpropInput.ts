import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { cropNegativePadding } from './cropNegativePadding.js';
import { checkOperand, forwardConvInfo } from './forwardConvInfo.js';
import { WasmKernelScope } from './WasmKernelScope.js';

/**
 * How one spatial axis of dx is computed from dy by a polyphase (sub-pixel) decomposition.
 *
 * @remarks
 * With stride s, filter size k and leading padding p, the forward convolution reads input row
 * h = s·m' + i − p for output row m' and tap i. Writing h + p = s·m + a with phase a ∈ [0, s), the rows of
 * dx in phase a are a stride-1 correlation of dy with the taps i = a + s·t of the filter:
 * dx[s·m + a − p] = Σ_t dy[m − t]·W[a + s·t]. All phases share the window dy[m−T+1 … m] with
 * T = ⌈k/s⌉ taps, so one stride-1 convolution with s² × (in-channels) output channels computes every
 * phase at once, and a depth-to-space interleaves them. Its cost is (s·T/k)² times the forward
 * convolution's (16/9 for 3×3 stride 2), against 4× for zero insertion; for stride 1 it is exactly the
 * forward cost (the classic flipped-filter convolution).
 */
interface PhaseAxis {
  /** Stride s. */
  stride: number;
  /** Taps per phase, ⌈k/s⌉. */
  taps: number;
  /** Phases that receive at least one tap, min(k, s) (always the first ones). */
  active: number;
  /** Signed padding of dy before the stride-1 convolution (negative: cut rows off). */
  dyPadding: readonly [number, number];
  /** First dx row, counted in the interleaved output, and how many rows dx has. */
  cropStart: number;
  size: number;
}

function phaseAxis(inSize: number, filterSize: number, stride: number, padBefore: number, outSize: number) {
  const taps = Math.ceil(filterSize / stride);
  const firstBlock = Math.floor(padBefore / stride);
  const lastBlock = Math.floor((padBefore + inSize - 1) / stride);
  return {
    stride,
    taps,
    active: Math.min(filterSize, stride),
    dyPadding: [taps - 1 - firstBlock, lastBlock - (outSize - 1)] as const,
    cropStart: padBefore - stride * firstBlock,
    size: inSize,
  } satisfies PhaseAxis;
}

/**
 * The filter of the single stride-1 convolution that yields every phase:
 * `[Th, Tw, outChannels, activeH·activeW·inChannels]`, holding W[a + s·(T−1−u), b + s·(T−1−v), c, o] at
 * `[u, v, o, (a·activeW + b)·inChannels + c]` (taps flipped, channels swapped), zero past the filter's edge.
 */
function phaseFilter(w: Float32Array, filterShape: number[], rows: PhaseAxis, cols: PhaseAxis): Float32Array {
  const [kh, kw, inC, outC] = filterShape as [number, number, number, number];
  const outDepth = rows.active * cols.active * inC;
  const out = new Float32Array(rows.taps * cols.taps * outC * outDepth);
  for (let u = 0; u < rows.taps; u++) {
    for (let a = 0; a < rows.active; a++) {
      const i = a + rows.stride * (rows.taps - 1 - u);
      if (i >= kh) continue;
      for (let v = 0; v < cols.taps; v++) {
        for (let b = 0; b < cols.active; b++) {
          const j = b + cols.stride * (cols.taps - 1 - v);
          if (j >= kw) continue;
          const phaseOffset = (a * cols.active + b) * inC;
          for (let c = 0; c < inC; c++) {
            const src = ((i * kw + j) * inC + c) * outC;
            let dst = (u * cols.taps + v) * outC * outDepth + phaseOffset + c;
            for (let o = 0; o < outC; o++, dst += outDepth) out[dst] = w[src + o]!;
          }
        }
      }
    }
  }
  return out;
}

/** Interleaves the phase channels of `y` ([N, Mh, Mw, activeH·activeW·C]) into [N, Mh·sh, Mw·sw, C]. */
function interleavePhases(
  scope: WasmKernelScope,
  y: tf.TensorInfo,
  rows: PhaseAxis,
  cols: PhaseAxis,
  inC: number,
) {
  const [n, mh, mw] = y.shape as [number, number, number, number];
  const sh = rows.stride;
  const sw = cols.stride;
  let phases = y;
  if (rows.active < sh || cols.active < sw) {
    // Phases no tap reaches are zero (a 1×1 stride-2 filter touches one input pixel in four).
    phases = scope.run(
      'PadV2',
      { x: scope.reshape(y, [n * mh * mw, rows.active, cols.active, inC]) },
      {
        paddings: [
          [0, 0],
          [0, sh - rows.active],
          [0, sw - cols.active],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
  }
  // Not DepthToSpace: tfjs's wasm DepthToSpace is an index-arithmetic loop ~300× slower than this transpose.
  const moved = scope.run(
    'Transpose',
    { x: scope.reshape(phases, [n * mh, mw, sh, sw * inC]) },
    { perm: [0, 2, 1, 3] },
  );
  return scope.reshape(moved, [n, mh * sh, mw * sw, inC]);
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

function conv2DBackpropInputFast(args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = forwardConvInfo(tf.Conv2DBackpropInput, attrs.inputShape, filter.shape, attrs);
  checkOperand(tf.Conv2DBackpropInput, 'dy', dy, info.outShape);
  checkOperand(tf.Conv2DBackpropInput, 'filter', filter, info.filterShape);
  const backend = args.backend as BackendWasm;
  const rows = phaseAxis(
    info.inHeight,
    info.filterHeight,
    info.strideHeight,
    info.padInfo.top,
    info.outHeight,
  );
  const cols = phaseAxis(info.inWidth, info.filterWidth, info.strideWidth, info.padInfo.left, info.outWidth);
  const scope = new WasmKernelScope(backend);
  try {
    const w = backend.typedArrayFromHeap(filter) as Float32Array;
    const phaseW = scope.fromValues(phaseFilter(w, info.filterShape, rows, cols), [
      rows.taps,
      cols.taps,
      info.outChannels,
      rows.active * cols.active * info.inChannels,
    ]);
    const padded = cropNegativePadding(scope, dy, rows.dyPadding, cols.dyPadding);
    const phases = scope.run('Conv2D', { x: padded.x, filter: phaseW }, {
      strides: [1, 1],
      pad: padded.pad,
      dataFormat: 'NHWC',
      dilations: [1, 1],
    } as unknown as tf.NamedAttrMap);
    let dx =
      rows.stride === 1 && cols.stride === 1
        ? phases
        : interleavePhases(scope, phases, rows, cols, info.inChannels);
    const [n, h, w2, c] = dx.shape as [number, number, number, number];
    if (rows.cropStart !== 0 || cols.cropStart !== 0 || h !== rows.size || w2 !== cols.size) {
      dx = scope.run(
        'Slice',
        { x: dx },
        { begin: [0, rows.cropStart, cols.cropStart, 0], size: [n, rows.size, cols.size, c] },
      );
    }
    return scope.keep(dx);
  } finally {
    scope.dispose();
  }
}

/**
 * Makes the wasm `Conv2DBackpropInput` kernel run on XNNPACK: NHWC float32 inputs go through one
 * stride-1 convolution (polyphase for strides above 1, see {@link PhaseAxis}); anything else (NCHW) is
 * passed to `fallback`, the kernel tfjs registered.
 */
export function conv2DBackpropInputConfig(fallback: tf.KernelConfig | undefined): tf.KernelConfig {
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC' && fallback !== undefined) {
      return fallback.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    }
    return conv2DBackpropInputFast(args);
  };
  return {
    kernelName: tf.Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    // A wasm backend created later still needs the fallback's compiled-function lookup.
    ...(fallback?.setupFunc ? { setupFunc: fallback.setupFunc } : {}),
  };
}
