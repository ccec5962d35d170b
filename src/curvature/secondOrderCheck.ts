import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ResolvedLoss } from '../train/losses.js';

/** Ops whose second derivatives tfjs 4.22 gets wrong unless a corrected gradient is registered. */
export type SecondOrderOp = 'Softmax' | 'logSoftmax' | 'Tanh' | 'Sigmoid';

const exp = (x: tf.Tensor) => tf.add(tf.expm1(x), 1);

/**
 * Each op, and the same function built from ops whose second derivatives tfjs computes correctly
 * (Expm1's gradient recomputes e^x from its saved input).
 */
const REFERENCES: Record<SecondOrderOp, [(z: tf.Tensor) => tf.Tensor, (z: tf.Tensor) => tf.Tensor]> = {
  Softmax: [(z) => tf.softmax(z), (z) => tf.div(exp(z), tf.sum(exp(z)))],
  logSoftmax: [(z) => tf.logSoftmax(z), (z) => tf.sub(z, tf.log(tf.sum(exp(z))))],
  Tanh: [(z) => tf.tanh(z), (z) => tf.div(tf.expm1(tf.mul(z, 2)), tf.add(exp(tf.mul(z, 2)), 1))],
  Sigmoid: [(z) => tf.sigmoid(z), (z) => tf.div(1, tf.add(exp(tf.neg(z)), 1))],
};

/**
 * Whether tfjs, with the gradients registered now, differentiates `op` twice correctly: compares a
 * Hessian–vector product through it with the same product through a reference built from safe ops.
 *
 * @remarks
 * tfjs 4.22 records the clone of an op's saved *output* on the gradient tape before the op itself; a
 * second backward pass then visits them out of order and drops the terms through that output (Exp,
 * Softmax, Tanh, Sigmoid, Elu, and custom-gradient ops such as logSoftmax). Registering gradients that
 * recompute the output from the saved input fixes it; this probe tells whether that has been done.
 *
 * @param op - the op to probe.
 */
export function secondOrderCorrect(op: SecondOrderOp): boolean {
  const [f, reference] = REFERENCES[op];
  return tf.tidy(() => {
    const z = tf.tensor1d([0.3, -0.2, 0.5]);
    const c = tf.tensor1d([1, -2, 0.5]);
    const v = tf.tensor1d([0.7, 0.1, -0.4]);
    const hvp = (g: (x: tf.Tensor) => tf.Tensor) =>
      tf
        .grad((x: tf.Tensor) => tf.sum(tf.mul(tf.grad((y: tf.Tensor) => tf.sum(tf.mul(c, g(y))))(x), v)))(z)
        .dataSync();
    const want = hvp(reference);
    let got: ArrayLike<number>;
    try {
      got = hvp(f);
    } catch {
      return false; // the path from z was lost entirely
    }
    let err = 0;
    let scale = 1e-12;
    for (let i = 0; i < want.length; i++) {
      err = Math.max(err, Math.abs(got[i]! - want[i]!));
      scale = Math.max(scale, Math.abs(want[i]!));
    }
    return err <= 1e-4 * scale;
  });
}

/**
 * The probed ops a model and loss go through, from the layers' activations and the loss's use of softmax
 * (a custom loss function is not inspected).
 */
export function secondOrderOpsOf(model: LayersModel, loss: ResolvedLoss): SecondOrderOp[] {
  const ops = new Set<SecondOrderOp>();
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const activation = (layer.getConfig() as { activation?: unknown }).activation;
    if (className === 'Softmax' || activation === 'softmax') ops.add('Softmax');
    if (activation === 'tanh') ops.add('Tanh');
    if (activation === 'sigmoid') ops.add('Sigmoid');
  }
  // On logits, 'kld' and 'squaredError' apply tf.softmax first; 'crossEntropy' is z − logSumExp(z), which
  // needs no probed op.
  if (loss.outputs === 'logits' && (loss.name === 'kld' || loss.name === 'squaredError')) ops.add('Softmax');
  return [...ops];
}

const warned = new Set<SecondOrderOp>();

/**
 * Warns once per op (`process.emitWarning`, code `SGD_FACTORS_SECOND_ORDER`) when the objective goes
 * through an op whose second derivatives the current tfjs registration gets wrong, since every
 * Hessian–vector product would then be silently wrong.
 *
 * @param model - the model.
 * @param loss - the resolved loss.
 * @returns the defective ops found (empty when all is well).
 */
export function warnIfSecondOrderDefective(model: LayersModel, loss: ResolvedLoss): SecondOrderOp[] {
  const defective = secondOrderOpsOf(model, loss).filter((op) => !secondOrderCorrect(op));
  for (const op of defective) {
    if (warned.has(op)) continue;
    warned.add(op);
    process.emitWarning(
      `Hessian-vector products go through ${op}, whose second derivatives this tfjs build gets wrong (the ` +
        'saved output is recorded on the gradient tape before the op); register a gradient that recomputes ' +
        'it from the saved input (see registerSecondOrderGradients). Curvature results are wrong until then.',
      { code: 'SGD_FACTORS_SECOND_ORDER' },
    );
  }
  return defective;
}
