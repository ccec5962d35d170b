import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable, layers, type Shape } from '@tensorflow/tfjs-layers';
import { inferenceBatchNorm } from '../backend/kernels/wasm/inferenceBatchNorm.js';
import { trainingBatchNorm } from '../backend/kernels/wasm/trainingBatchNorm.js';

/**
 * Whether normalization may take the fused paths ({@link trainingBatchNorm}, {@link inferenceBatchNorm}):
 * on the wasm backend, and only while at most one gradient tape records — their hand-written gradients
 * are exact to first order, and a second tape (a Hessian–vector product) must differentiate the plain ops.
 */
function useFusedBatchNorm(): boolean {
  return tf.getBackend() === 'wasm' && tf.engine().state.gradientDepth <= 1;
}

/** Options for {@link KerasBatchNormalization}. */
export interface KerasBatchNormalizationArgs {
  /** Layer name (its weights are named `<name>/gamma`, …). Default: a unique tfjs name. */
  name?: string;
  /** Whether gamma and beta are trained. Default true. */
  trainable?: boolean;
  /** Weight of the old value in the moving averages (Keras' `momentum`). Default 0.99. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-3 (Keras' default). */
  epsilon?: number;
}

/**
 * Batch normalization over the last axis that updates its moving statistics exactly as Keras'
 * `BatchNormalization` does on 4-D inputs (its fused kernel).
 *
 * @remarks
 * In training mode (`model.apply(x, { training: true })`) the input is normalized with the batch mean and
 * the biased batch variance, and the moving statistics become
 * `moving ← momentum · moving + (1 − momentum) · batch`, where the batch variance used for the moving
 * variance carries Bessel's correction N/(N−1) (N = elements per channel), as TensorFlow's fused batch
 * norm does. tfjs-layers' own `BatchNormalization` uses the biased variance there, hence this layer.
 *
 * In inference mode it computes `x · s + (β − μ · s)` with `s = γ / √(σ² + ε)` from the moving statistics,
 * using only elementwise ops, so second derivatives through it need no special kernels.
 *
 * Weights, in this order: `gamma` and `beta` (trainable), `moving_mean` and `moving_variance` (not
 * trainable), each of length C (channels). Serialized under the class name `SgdFactorsBatchNormalization`.
 */
export class KerasBatchNormalization extends layers.Layer {
  /** The class name under which tfjs serialization knows this layer. */
  static className = 'SgdFactorsBatchNormalization';
  /** Weight of the old value in the moving averages. */
  readonly momentum: number;
  /** Added to the variance before the square root. */
  readonly epsilon: number;
  private gamma?: LayerVariable;
  private beta?: LayerVariable;
  private movingMean?: LayerVariable;
  private movingVariance?: LayerVariable;

  /** @param args - momentum, epsilon and the usual layer arguments (name, …). */
  constructor(args: KerasBatchNormalizationArgs = {}) {
    super({
      ...(args.name !== undefined ? { name: args.name } : {}),
      ...(args.trainable !== undefined ? { trainable: args.trainable } : {}),
    });
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    if (!(this.momentum >= 0 && this.momentum <= 1))
      throw new RangeError(`KerasBatchNormalization: momentum must be in [0, 1], got ${this.momentum}`);
    if (!(this.epsilon > 0))
      throw new RangeError(`KerasBatchNormalization: epsilon must be positive, got ${this.epsilon}`);
    this.supportsMasking = true;
  }

  /** Creates the four weights for an input whose last dimension is the channel count. */
  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const channels = shape[shape.length - 1];
    if (typeof channels !== 'number')
      throw new Error(`KerasBatchNormalization '${this.name}': the channel dimension must be known`);
    this.gamma = this.addWeight('gamma', [channels], 'float32', initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', initializers.zeros());
    this.movingMean = this.addWeight(
      'moving_mean',
      [channels],
      'float32',
      initializers.zeros(),
      undefined,
      false,
    );
    this.movingVariance = this.addWeight(
      'moving_variance',
      [channels],
      'float32',
      initializers.ones(),
      undefined,
      false,
    );
    this.built = true;
  }

  /** Normalizes; in training mode also updates the moving statistics (see the class remarks). */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined) throw new Error(`KerasBatchNormalization '${this.name}': no input`);
    const gamma = this.gamma!.read();
    const beta = this.beta!.read();
    const movingMean = this.movingMean!;
    const movingVariance = this.movingVariance!;
    if (kwargs['training'] !== true) {
      if (useFusedBatchNorm())
        return inferenceBatchNorm(
          x,
          gamma as tf.Tensor1D,
          beta as tf.Tensor1D,
          movingMean.read() as tf.Tensor1D,
          movingVariance.read() as tf.Tensor1D,
          this.epsilon,
        );
      return tf.tidy(() => {
        const scale = tf.mul(gamma, tf.rsqrt(tf.add(movingVariance.read(), this.epsilon)));
        const shift = tf.sub(beta, tf.mul(movingMean.read(), scale));
        return tf.add(tf.mul(x, scale), shift);
      });
    }
    if (useFusedBatchNorm()) {
      const { y, mean, variance } = trainingBatchNorm(
        x,
        gamma as tf.Tensor1D,
        beta as tf.Tensor1D,
        this.epsilon,
      );
      try {
        this.updateMovingStatistics(x, mean, variance);
      } finally {
        tf.dispose([mean, variance]);
      }
      return y;
    }
    return tf.tidy(() => {
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, this.epsilon)));
      const y = tf.add(tf.mul(tf.sub(x, mean), scale), beta);
      this.updateMovingStatistics(x, mean, variance);
      return y;
    });
  }

  /** `moving ← momentum · moving + (1 − momentum) · batch`, with Bessel's correction on the variance. */
  private updateMovingStatistics(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): void {
    const movingMean = this.movingMean!;
    const movingVariance = this.movingVariance!;
    const count = x.size / (x.shape[x.rank - 1] as number);
    const bessel = count > 1 ? count / (count - 1) : 1;
    const m = this.momentum;
    // The moving statistics are state, not on the path to the output, so a gradient tape ignores them.
    tf.tidy(() => {
      movingMean.write(tf.add(tf.mul(movingMean.read(), m), tf.mul(mean, 1 - m)));
      movingVariance.write(tf.add(tf.mul(movingVariance.read(), m), tf.mul(variance, bessel * (1 - m))));
    });
  }

  /** The layer's configuration (momentum, epsilon and the base layer's fields). */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(KerasBatchNormalization);
