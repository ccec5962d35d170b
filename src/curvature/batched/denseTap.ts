import * as tf from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';
import { layerActivation, requiredWeight, trainableRoles, weightByRole } from '../../models/layerWeights.js';
import type { LayerTap, RoleTensors } from './layerTap.js';
import { biasPerExample, kernelPerExample, kernelSquaredNorms, weightRows } from './positionalProducts.js';

/**
 * The {@link LayerTap} of a tfjs-layers `Dense` layer: z = x·W + b on the last axis. An input of rank
 * above 2 applies W at every position of the middle axes, and each example's gradient sums over them.
 *
 * @param layer - a built Dense layer.
 * @param indexOf - the index of a variable among the objective's variables.
 */
export function denseTap(layer: layers.Layer, indexOf: (v: tf.Variable) => number): LayerTap {
  const kernel = requiredWeight(layer, 'kernel');
  const bias = weightByRole(layer, 'bias');
  const [k, c] = kernel.shape as [number, number];
  const outShape = layer.outputShape as (number | null)[];
  // Rows of every example: [B, P, K] and [B, P, C], P the positions of the middle axes.
  const rows = (t: tf.Tensor, width: number) => tf.reshape(t, [t.shape[0]!, -1, width]) as tf.Tensor3D;
  const activation = layerActivation(layer);
  return {
    layer,
    weights: trainableRoles(layer, ['kernel', 'bias'], indexOf),
    outputShape: outShape.slice(1).map((d) => d ?? -1),
    preActivation(x) {
      const flat = tf.matMul(tf.reshape(x, [-1, k]), kernel.read());
      const z = bias ? tf.add(flat, bias.read()) : flat;
      return tf.reshape(z, [...x.shape.slice(0, -1), c]);
    },
    activation,
    squaredNormsAndSum(x, delta) {
      const d = rows(delta, c);
      const biasRows = biasPerExample(d);
      const kernelNorms = kernelSquaredNorms(rows(x, k), d);
      const sum = {
        kernel: tf.matMul(tf.reshape(x, [-1, k]), tf.reshape(d, [-1, c]), true, false),
        bias: tf.sum(biasRows, 0),
      };
      const norms = bias
        ? { kernel: kernelNorms, bias: tf.sum(tf.square(biasRows), 1) }
        : { kernel: kernelNorms };
      return { norms, sum };
    },
    perExample(x, delta) {
      const d = rows(delta, c);
      return {
        kernel: kernelPerExample(rows(x, k), d),
        bias: biasPerExample(d),
      };
    },
    weightedSum(x, delta, w) {
      const d = tf.reshape(weightRows(delta, w), [-1, c]);
      return { kernel: tf.matMul(tf.reshape(x, [-1, k]), d, true, false), bias: tf.sum(d, 0) };
    },
    directional(x, delta, v: RoleTensors) {
      const d = rows(delta, c);
      let out = tf.zeros([x.shape[0]!]) as tf.Tensor1D;
      if (v.kernel) out = tf.add(out, tf.sum(tf.mul(tf.matMul(rows(x, k), v.kernel), d), [1, 2]));
      if (v.bias) out = tf.add(out, tf.sum(tf.mul(biasPerExample(d), v.bias), 1));
      return out;
    },
  };
}
