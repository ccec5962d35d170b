import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients at all; tfjs-layers' bundle registers tfjs-core's full
// set as a side effect. Importing it here makes gradient registration independent of the caller's imports.
import '@tensorflow/tfjs-layers';
import { avgPoolGradGradConfig } from './AvgPoolGrad_grad.js';
import { conv2DBackpropFilterGradConfig } from './Conv2DBackpropFilter_grad.js';
import { equalGradConfig } from './Equal_grad.js';
import { expGradConfig } from './Exp_grad.js';
import { greaterGradConfig } from './Greater_grad.js';
import { lessGradConfig } from './Less_grad.js';
import { lessEqualGradConfig } from './LessEqual_grad.js';
import { logicalAndGradConfig } from './LogicalAnd_grad.js';
import { logicalNotGradConfig } from './LogicalNot_grad.js';
import { logicalOrGradConfig } from './LogicalOr_grad.js';
import { notEqualGradConfig } from './NotEqual_grad.js';
import { reluGradConfig } from './Relu_grad.js';
import { reluBackpropGradConfig } from './ReluBackprop_grad.js';
import { sigmoidGradConfig } from './Sigmoid_grad.js';
import { softmaxGradConfig } from './Softmax_grad.js';
import { tanhGradConfig } from './Tanh_grad.js';

/**
 * The gradients this library adds to (or replaces in) tfjs so that double backprop through a ResNet is
 * possible and exact:
 * - missing second-order gradients: `Conv2DBackpropFilter`, `AvgPoolGrad`;
 * - missing zero gradients of piecewise-constant kernels that masks in first-order gradients are built
 *   with (clipByValue: LessEqual, LogicalAnd; max: Equal) and their siblings;
 * - replacements for gradients that read a saved output, which tfjs disconnects from the tape, silently
 *   dropping second-order terms: `Softmax`, `Exp`, `Sigmoid`, `Tanh`.
 * The rest of the path (Conv2D, Conv2DBackpropInput, FusedConv2D and _FusedMatMul through their custom
 * gradients, FusedBatchNorm, Relu/Step, Add, Mean/Sum, Reshape, MatMul, Log, ClipByValue, Rsqrt, Select)
 * already has tfjs gradients that are themselves differentiable.
 */
const SECOND_ORDER_GRADIENTS: readonly tf.GradConfig[] = [
  conv2DBackpropFilterGradConfig,
  avgPoolGradGradConfig,
  equalGradConfig,
  notEqualGradConfig,
  greaterGradConfig,
  lessGradConfig,
  lessEqualGradConfig,
  logicalAndGradConfig,
  logicalOrGradConfig,
  logicalNotGradConfig,
  softmaxGradConfig,
  expGradConfig,
  sigmoidGradConfig,
  tanhGradConfig,
  // Not a correction: the ReLU gradient as one fused kernel on wasm, and that kernel's own gradient.
  reluGradConfig,
  reluBackpropGradConfig,
];

/**
 * Registers, on every backend (tfjs gradients are backend-independent), the gradients that tfjs lacks and
 * that a ResNet's double backward pass reaches, after making sure tfjs-core's own gradients are
 * registered. Idempotent.
 *
 * @remarks
 * Adds the gradients of `Conv2DBackpropFilter` and `AvgPoolGrad`, without which exact Hessian-vector
 * products (∇(∇L·v)) of a convolutional network fail with "gradient function not found". Called by
 * {@link initBackend} and, on entry, by every library function that differentiates (through
 * {@link ensureSecondOrderGradients}), so calling it yourself is only needed for your own double
 * backward passes on a backend set up by hand.
 */
export function registerSecondOrderGradients(): void {
  if (tf.getGradient('Sum') === undefined) {
    throw new Error(
      'registerSecondOrderGradients: tfjs-core gradients are missing after importing tfjs-layers',
    );
  }
  for (const config of SECOND_ORDER_GRADIENTS) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}
