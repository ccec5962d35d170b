import * as tf from '@tensorflow/tfjs-core';

type Shape4 = [number, number, number, number];

/**
 * Checks the attributes the wasm convolution-gradient kernels rely on (NHWC, rank 4) and returns the
 * forward convolution's geometry, exactly as tfjs computes it.
 */
export function forwardConvInfo(
  kernelName: string,
  xShape: number[],
  filterShape: number[],
  attrs: { strides: number | [number, number]; pad: unknown; dataFormat?: string; dimRoundingMode?: unknown },
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(
      `${kernelName} (wasm): dataFormat '${attrs.dataFormat}' is not supported; the wasm backend's convolutions are NHWC only`,
    );
  }
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(
      `${kernelName} (wasm): expected a rank-4 input and filter, got shapes [${xShape}] and [${filterShape}]`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    1,
    attrs.pad as Parameters<typeof tf.backend_util.computeConv2DInfo>[4],
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

/** Checks that a kernel operand is float32 with the shape the forward geometry implies. */
export function checkOperand(kernelName: string, name: string, t: tf.TensorInfo, shape: number[]): void {
  if (t.dtype !== 'float32') throw new Error(`${kernelName} (wasm): ${name} must be float32, got ${t.dtype}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${kernelName} (wasm): ${name} has shape [${t.shape}], expected [${shape}]`);
  }
}
