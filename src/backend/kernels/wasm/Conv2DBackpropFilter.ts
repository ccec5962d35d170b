import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, type SimdKernelExports, simdKernelsFor } from '../simd/simdKernels.js';
import { cropNegativePadding } from './cropNegativePadding.js';
import { checkOperand, forwardConvInfo } from './forwardConvInfo.js';
import { WasmKernelScope } from './WasmKernelScope.js';

/**
 * x_sᵀ as a `[inChannels, N·Ho·Wo]` tensor: the input pixels a 1×1 unpadded convolution with these
 * strides reads (rows s·h, columns s·w), gathered and transposed in one pass over the heap.
 *
 * @remarks One JS loop, blocked so that each block's input rows stay in L1 while the output is written
 * sequentially; it replaces a StridedSlice (tfjs's wasm kernel is an index-arithmetic loop, ~70× slower)
 * followed by a transpose.
 */
function gatherStridedTransposed(
  scope: WasmKernelScope,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: c,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
  } = info;
  const rows = batchSize * outHeight * outWidth;
  const out = scope.allocate([c, rows]);
  // Views are taken after the allocation above, which may have grown (and detached) the wasm heap.
  const src = scope.backend.typedArrayFromHeap(x) as Float32Array;
  const dst = scope.backend.typedArrayFromHeap(out) as Float32Array;
  const block = 256;
  const offsets = new Int32Array(block);
  let n = 0;
  let h = 0;
  let w = 0;
  for (let start = 0; start < rows; start += block) {
    const count = Math.min(block, rows - start);
    for (let t = 0; t < count; t++) {
      offsets[t] = ((n * inHeight + h * strideHeight) * inWidth + w * strideWidth) * c;
      if (++w === outWidth) {
        w = 0;
        if (++h === outHeight) {
          h = 0;
          n++;
        }
      }
    }
    for (let ch = 0; ch < c; ch++) {
      let d = ch * rows + start;
      for (let t = 0; t < count; t++) dst[d++] = src[offsets[t]! + ch]!;
    }
  }
  return out;
}

/**
 * dW = x_sᵀ·dy for a 1×1 filter without padding: one gather-transpose of the strided input pixels and one
 * XNNPACK matrix product (the wasm BatchMatMul uses XNNPACK only for an untransposed batch-1 product).
 */
function filterGrad1x1(
  scope: WasmKernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
) {
  const { inChannels, outChannels } = info;
  const xsT = gatherStridedTransposed(scope, x, info);
  const rows = xsT.shape[1]!;
  const product = scope.run(
    'BatchMatMul',
    { a: scope.reshape(xsT, [1, inChannels, rows]), b: scope.reshape(dy, [1, rows, outChannels]) },
    { transposeA: false, transposeB: false },
  );
  return scope.reshape(product, [1, 1, inChannels, outChannels]);
}

/**
 * [N, H, W, C] → [C, H, W, N] as two cache-friendlier transposes, [N, HWC] → [HWC, N] then
 * [HW, C, N] → [C, HW, N] (runs of N contiguous floats): about twice as fast as tfjs's 4-D transpose loop,
 * whose innermost index strides across the whole tensor.
 */
function batchToChannels(scope: WasmKernelScope, x: tf.TensorInfo): tf.TensorInfo {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const rowsFirst = scope.run('Transpose', { x: scope.reshape(x, [n, h * w * c]) }, { perm: [1, 0] });
  const channelsFirst = scope.run(
    'Transpose',
    { x: scope.reshape(rowsFirst, [h * w, c, n]) },
    { perm: [1, 0, 2] },
  );
  return scope.reshape(channelsFirst, [c, h, w, n]);
}

/**
 * dW as one dilated XNNPACK convolution: dW[i,j,c,o] = Σ_{n,h,w} x[n, s·h+i−p, s·w+j−p, c]·dy[n,h,w,o] is a
 * stride-1 convolution of xᵀ (batch c, channels n) with the filter dyᵀ (taps h,w; dilation s; in-channels
 * n), whose k×k output is the filter gradient. The three transposes are linear-time; the reduction runs in
 * XNNPACK's convolution micro-kernels at about the forward convolution's speed.
 */
function filterGradDilated(
  scope: WasmKernelScope,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
) {
  const { inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } =
    info;
  const { top, left } = info.padInfo;
  // Rows of the (virtually) padded input that the gradient reads: from −top to s·(Ho−1)+kh−1−top.
  const rows = [top, strideHeight * (outHeight - 1) + filterHeight - 1 - top - (inHeight - 1)] as const;
  const cols = [left, strideWidth * (outWidth - 1) + filterWidth - 1 - left - (inWidth - 1)] as const;
  const padded = cropNegativePadding(scope, x, rows, cols);
  const xT = batchToChannels(scope, padded.x);
  const dyT = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const grad = scope.run('Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: padded.pad,
    dataFormat: 'NHWC',
    dilations: [strideHeight, strideWidth],
    dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);
  const [c, kh, kw] = grad.shape;
  if (kh !== filterHeight || kw !== filterWidth || c !== info.inChannels) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): internal shape error, got [${grad.shape}] for filter [${info.filterShape}]`,
    );
  }
  return scope.run('Transpose', { x: grad }, { perm: [1, 2, 0, 3] });
}

/** The operands of the SIMD filter-gradient kernel, staged as it needs them (see {@link stageFilterGradOperands}). */
export interface StagedFilterGradOperands {
  /** x zero-padded in space and to `cp` channels: [n, hp, wp, cp]. */
  xp: tf.TensorInfo;
  /** dy zero-padded to `op` channels: [n, ho, wo, op]. */
  dyp: tf.TensorInfo;
  /** Padded height and width of `xp`. */
  hp: number;
  wp: number;
  /** Input channels rounded up to a multiple of 4, output channels to a multiple of 8. */
  cp: number;
  op: number;
}

/**
 * Stages x and dy for wasm/conv2d_filter_grad.c, which reads them in NHWC order in place: x zero-padded
 * in space and to a multiple of 4 channels, and dy to a multiple of 8 channels where it is not one
 * already, so that the kernel's 4×8 tiles need no bounds checks. Staged copies are tracked by `scope`.
 */
export function stageFilterGradOperands(
  scope: WasmKernelScope,
  simd: SimdKernelExports,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  kernel: string,
): StagedFilterGradOperands {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo } = info;
  const { outChannels: o, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  const offset = (t: tf.TensorInfo) => heapOffset(scope.backend, t, kernel);
  const cp = Math.ceil(c / 4) * 4;
  const op = Math.ceil(o / 8) * 8;
  // The padded input must hold every tap (sh·(ho−1)+kh rows) and every input row; rows beyond what the
  // taps read are copied but never used.
  const hp = Math.max(sh * (ho - 1) + kh, top + h);
  const wp = Math.max(sw * (wo - 1) + kw, left + w);
  let xp = x;
  if (cp !== c || hp !== h || wp !== w || top !== 0 || left !== 0) {
    xp = scope.allocate([n, hp, wp, cp]);
    simd.pad_nhwc(offset(x), offset(xp), n, h, w, c, hp, wp, cp, top, left);
  }
  let dyp = dy;
  if (op !== o) {
    dyp = scope.allocate([n, ho, wo, op]);
    simd.pad_columns(offset(dy), offset(dyp), n * ho * wo, o, op);
  }
  return { xp, dyp, hp, wp, cp, op };
}

/** dW by this library's SIMD kernel (wasm/conv2d_filter_grad.c) on the staged operands. */
function filterGradSimd(
  scope: WasmKernelScope,
  simd: SimdKernelExports,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize: n, inChannels: c, outHeight: ho, outWidth: wo, outChannels: o } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const offset = (t: tf.TensorInfo) => heapOffset(scope.backend, t, tf.Conv2DBackpropFilter);
  const { xp, dyp, hp, wp, cp, op } = stageFilterGradOperands(
    scope,
    simd,
    x,
    dy,
    info,
    tf.Conv2DBackpropFilter,
  );
  const out = scope.allocate([kh, kw, c, o]);
  const padded = cp === c && op === o ? out : scope.allocate([kh, kw, cp, op]);
  simd.conv2d_filter_grad(offset(xp), offset(dyp), offset(padded), n, hp, wp, cp, ho, wo, op, kh, kw, sh, sw);
  if (padded !== out) {
    simd.crop_filter(offset(padded), offset(out), kh * kw, cp, op, c, o);
  }
  return out;
}

function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = forwardConvInfo(tf.Conv2DBackpropFilter, x.shape, attrs.filterShape, attrs);
  checkOperand(tf.Conv2DBackpropFilter, 'x', x, info.inShape);
  checkOperand(tf.Conv2DBackpropFilter, 'dy', dy, info.outShape);
  const scope = new WasmKernelScope(args.backend as BackendWasm);
  try {
    const simd = simdKernelsFor(scope.backend);
    if (simd !== undefined) return scope.keep(filterGradSimd(scope, simd, x, dy, info));
    const { top, bottom, left, right } = info.padInfo;
    const unpadded1x1 =
      info.filterHeight === 1 &&
      info.filterWidth === 1 &&
      top === 0 &&
      bottom === 0 &&
      left === 0 &&
      right === 0;
    const out = unpadded1x1 ? filterGrad1x1(scope, x, dy, info) : filterGradDilated(scope, x, dy, info);
    return scope.keep(out);
  } finally {
    scope.dispose();
  }
}

/**
 * The wasm backend's missing `Conv2DBackpropFilter` kernel (tfjs issue 8474): this library's SIMD kernel
 * where the runtime has WebAssembly SIMD, else a composition of XNNPACK convolutions and matrix products.
 * NHWC, float32, any stride and padding ('same', 'valid', explicit).
 */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
