import * as tf from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';
import {
  ExampleFilterGrads,
  exampleFilterGradsAvailable,
} from '../../backend/kernels/wasm/ExampleFilterGrads.js';
import { layerActivation, requiredWeight, trainableRoles, weightByRole } from '../../models/layerWeights.js';
import type { LayerTap } from './layerTap.js';
import {
  biasPerExample,
  kernelPerExample,
  kernelSquaredNorms,
  rowSquaredNorms,
  weightRows,
} from './positionalProducts.js';

/** Where a convolution reads: kernel, strides and padding of a channels-last 2-D convolution. */
interface ConvGeometry {
  kernel: [number, number, number, number];
  strides: [number, number];
  padding: 'same' | 'valid';
}

function pair(value: unknown): [number, number] {
  const a = Array.isArray(value) ? value : [value, value];
  return [Number(a[0]), Number(a[1] ?? a[0])];
}

/** The layer's geometry; throws, naming the layer, for what {@link unfoldPatches} does not cover. */
function convGeometry(layer: layers.Layer, kernel: [number, number, number, number]): ConvGeometry {
  const config = layer.getConfig();
  const dilation = pair(config['dilationRate'] ?? 1);
  if (dilation[0] !== 1 || dilation[1] !== 1) {
    throw new Error(`layer '${layer.name}': dilated convolutions are not supported`);
  }
  if ((config['dataFormat'] ?? 'channelsLast') !== 'channelsLast') {
    throw new Error(`layer '${layer.name}': only channelsLast convolutions are supported`);
  }
  const padding = config['padding'];
  if (padding !== 'same' && padding !== 'valid') {
    throw new Error(`layer '${layer.name}': padding '${String(padding)}' is not supported`);
  }
  return { kernel, strides: pair(config['strides'] ?? 1), padding };
}

/**
 * The patches a convolution reads, [B, P, kh·kw·Cin] with P = H'·W' output positions, ordered (row,
 * column, channel) within a patch as the kernel [kh, kw, Cin, Cout] is: patch·reshape(W, [−1, Cout]) is
 * the convolution's output at that position. Padding as tfjs' 'same' (the extra row or column after).
 */
export function unfoldPatches(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, h, w, cin] = x.shape;
    const [kh, kw] = g.kernel;
    const [sh, sw] = g.strides;
    const outH = g.padding === 'same' ? Math.ceil(h / sh) : Math.ceil((h - kh + 1) / sh);
    const outW = g.padding === 'same' ? Math.ceil(w / sw) : Math.ceil((w - kw + 1) / sw);
    let padded: tf.Tensor4D = x;
    if (g.padding === 'same') {
      const padH = Math.max((outH - 1) * sh + kh - h, 0);
      const padW = Math.max((outW - 1) * sw + kw - w, 0);
      const top = Math.floor(padH / 2);
      const left = Math.floor(padW / 2);
      padded = tf.pad(x, [
        [0, 0],
        [top, padH - top],
        [left, padW - left],
        [0, 0],
      ]) as tf.Tensor4D;
    }
    const slices: tf.Tensor[] = [];
    for (let a = 0; a < kh; a++) {
      for (let c = 0; c < kw; c++) {
        slices.push(
          kh === 1 && kw === 1 && sh === 1 && sw === 1
            ? padded
            : tf.stridedSlice(
                padded,
                [0, a, c, 0],
                [b, a + (outH - 1) * sh + 1, c + (outW - 1) * sw + 1, cin],
                [1, sh, sw, 1],
              ),
        );
      }
    }
    const patches = slices.length === 1 ? slices[0]! : tf.concat(slices, 3);
    return tf.reshape(patches, [b, outH * outW, kh * kw * cin]);
  });
}

/**
 * The {@link LayerTap} of a tfjs-layers `Conv2D` layer (channels last, no dilation, 'same' or 'valid'
 * padding): example i's kernel gradient is Σₚ patchᵢ,ₚ ⊗ δᵢ,ₚ over output positions p, its bias
 * gradient Σₚ δᵢ,ₚ. Sums over examples go through the backend's `Conv2DBackpropFilter` (this library's
 * SIMD kernel on wasm), directional derivatives through one forward convolution with the direction.
 *
 * @param layer - a built Conv2D layer.
 * @param indexOf - the index of a variable among the objective's variables.
 */
export function conv2dTap(layer: layers.Layer, indexOf: (v: tf.Variable) => number): LayerTap {
  const kernel = requiredWeight(layer, 'kernel');
  const bias = weightByRole(layer, 'bias');
  const shape = kernel.shape as [number, number, number, number];
  const geometry = convGeometry(layer, shape);
  const c = shape[3];
  const outShape = layer.outputShape as (number | null)[];
  const activation = layerActivation(layer);
  const conv = (x: tf.Tensor, filter: tf.Tensor) =>
    tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, geometry.strides, geometry.padding);
  const rows = (delta: tf.Tensor) => tf.reshape(delta, [delta.shape[0]!, -1, c]) as tf.Tensor3D;
  const attrs = { strides: geometry.strides, pad: geometry.padding, dataFormat: 'NHWC', filterShape: shape };
  const filterGrads = (x: tf.Tensor, dy: tf.Tensor, kernelName: string) =>
    tf.engine().runKernel(kernelName, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  // Every example's kernel gradient [B, kh, kw, Cin, Cout]: on wasm the SIMD filter-gradient kernel once
  // per example; elsewhere (or without SIMD) the unfolded patches' batched product, exact but slower.
  const kernelGradients = (x: tf.Tensor, delta: tf.Tensor) =>
    exampleFilterGradsAvailable()
      ? filterGrads(x, delta, ExampleFilterGrads)
      : tf.reshape(kernelPerExample(unfoldPatches(x as tf.Tensor4D, geometry), rows(delta)), [
          x.shape[0]!,
          ...shape,
        ]);
  return {
    layer,
    weights: trainableRoles(layer, ['kernel', 'bias'], indexOf),
    outputShape: outShape.slice(1).map((d) => d ?? -1),
    preActivation(x) {
      const z = conv(x, kernel.read());
      return bias ? tf.add(z, bias.read()) : z;
    },
    activation,
    squaredNormsAndSum(x, delta) {
      const d = rows(delta);
      const biasRows = biasPerExample(d);
      let norms: tf.Tensor1D;
      let kernelSum: tf.Tensor;
      if (exampleFilterGradsAvailable()) {
        const g = filterGrads(x, delta, ExampleFilterGrads);
        norms = rowSquaredNorms(g);
        kernelSum = tf.sum(g, 0);
      } else {
        norms = kernelSquaredNorms(unfoldPatches(x as tf.Tensor4D, geometry), d);
        kernelSum = filterGrads(x, delta, tf.Conv2DBackpropFilter);
      }
      const sum = { kernel: kernelSum, bias: tf.sum(biasRows, 0) };
      return {
        norms: bias ? { kernel: norms, bias: tf.sum(tf.square(biasRows), 1) } : { kernel: norms },
        sum,
      };
    },
    perExample(x, delta) {
      return { kernel: kernelGradients(x, delta), bias: biasPerExample(rows(delta)) };
    },
    weightedSum(x, delta, w) {
      const dy = weightRows(delta, w);
      const attrs = {
        strides: geometry.strides,
        pad: geometry.padding,
        dataFormat: 'NHWC',
        filterShape: shape,
      };
      const filter = tf
        .engine()
        .runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      return { kernel: filter, bias: tf.sum(dy, [0, 1, 2]) };
    },
    directional(x, delta, v) {
      let out = tf.zeros([x.shape[0]!]) as tf.Tensor1D;
      if (v.kernel) out = tf.add(out, tf.sum(tf.mul(conv(x, v.kernel), delta), [1, 2, 3]));
      if (v.bias) out = tf.add(out, tf.sum(tf.mul(biasPerExample(rows(delta)), v.bias), 1));
      return out;
    },
  };
}
