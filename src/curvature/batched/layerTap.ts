import type * as tf from '@tensorflow/tfjs-core';
import type { layers } from '@tensorflow/tfjs-layers';

/** The role a trainable weight plays in its layer. */
export type WeightRole = 'kernel' | 'bias' | 'gamma' | 'beta';

/** Tensors keyed by the role of the weight they belong to. */
export type RoleTensors = Partial<Record<WeightRole, tf.Tensor>>;

/**
 * The per-example gradient algebra of one layer with trainable weights, from the two tensors a batched
 * pass captures: the layer's input x (batch first) and δ, the gradient of Σᵢ ℓᵢ with respect to the
 * layer's output before its activation. With each example's loss depending on that example alone
 * (inference-mode batch normalization), example i's weight gradient is a function of xᵢ and δᵢ only.
 *
 * All methods create tensors the caller owns (run them inside `tf.tidy`).
 */
export interface LayerTap {
  /** The layer. */
  readonly layer: layers.Layer;
  /** The trainable weights of the layer: their role and their index in the objective's variables. */
  readonly weights: readonly { role: WeightRole; index: number }[];
  /** The output shape of one example (without the batch axis), before the activation. */
  readonly outputShape: readonly number[];
  /** The layer's output before its activation, from its input. */
  preActivation(x: tf.Tensor): tf.Tensor;
  /** The layer's activation (identity for layers without one). */
  activation(z: tf.Tensor): tf.Tensor;
  /**
   * ‖∇ℓᵢ‖² of each of this layer's trainable weights, one value per example ([B] per role), and Σᵢ ∇ℓᵢ
   * per role (from the same per-example products where the layer forms them). Kept per weight so that
   * tr σ² splits into the parameter blocks' shares without another pass.
   */
  squaredNormsAndSum(x: tf.Tensor, delta: tf.Tensor): { norms: RoleTensors; sum: RoleTensors };
  /** Every example's gradient, per role, each shaped [B, ...weight shape]. */
  perExample(x: tf.Tensor, delta: tf.Tensor): RoleTensors;
  /** Σᵢ wᵢ·∇ℓᵢ per role, each shaped like the weight (`w` of shape [B]). */
  weightedSum(x: tf.Tensor, delta: tf.Tensor, w: tf.Tensor1D): RoleTensors;
  /** ∇ℓᵢ · v over this layer's weights, one value per example ([B]); `v` holds a tensor per role. */
  directional(x: tf.Tensor, delta: tf.Tensor, v: RoleTensors): tf.Tensor1D;
}
