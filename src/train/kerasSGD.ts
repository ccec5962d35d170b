import * as tf from '@tensorflow/tfjs-core';
import type { SafetensorsTensor } from '../io/safetensors.js';

/** A trainable variable with the stable name its optimizer state is saved under. */
export interface NamedVariable {
  /** Stable name (the layer path, e.g. `stem_conv/kernel`). */
  name: string;
  /** The variable updated in place. */
  variable: tf.Variable;
}

/**
 * Stochastic gradient descent with Keras' (and the paper's) update rule and its momentum buffers.
 *
 * @remarks
 * With momentum μ = 0 the update is plain SGD, w ← w − δ·g (no buffers). With μ > 0 it is Keras' form
 * v ← μ·v − δ·g, w ← w + v, which differs from the form v ← μ·v + g, w ← w − δ·v of tfjs'
 * `MomentumOptimizer` whenever δ changes between steps. The buffers start at zero.
 */
export class KerasSGD {
  private readonly velocity = new Map<string, tf.Variable>();

  /** Momentum μ in [0, 1); 0 is plain SGD. */
  readonly momentum: number;

  /** @param momentum - μ in [0, 1). */
  constructor(momentum: number) {
    this.momentum = momentum;
    if (!(momentum >= 0 && momentum < 1))
      throw new RangeError(`KerasSGD: momentum must be in [0, 1), got ${momentum}`);
  }

  /**
   * Applies one update to each variable from its gradient.
   *
   * @param variables - the trained variables.
   * @param grads - gradients by variable (tfjs) name, as `tf.variableGrads` returns them.
   * @param lr - the learning rate δ of this step.
   */
  apply(variables: readonly NamedVariable[], grads: Record<string, tf.Tensor>, lr: number): void {
    tf.tidy(() => {
      for (const { name, variable } of variables) {
        const g = grads[variable.name];
        if (g === undefined) throw new Error(`KerasSGD: no gradient for '${name}'`);
        if (this.momentum === 0) {
          variable.assign(tf.sub(variable, tf.mul(g, lr)));
          continue;
        }
        let v = this.velocity.get(name);
        if (v === undefined) {
          v = tf.variable(tf.zerosLike(variable), false, undefined, 'float32');
          this.velocity.set(name, v);
        }
        const next = tf.sub(tf.mul(v, this.momentum), tf.mul(g, lr));
        v.assign(next);
        variable.assign(tf.add(variable, next));
      }
    });
  }

  /** The momentum buffers by weight name, copied out (empty when μ = 0 or before the first step). */
  async state(): Promise<Map<string, SafetensorsTensor>> {
    const out = new Map<string, SafetensorsTensor>();
    for (const [name, v] of this.velocity)
      out.set(name, { dtype: 'F32', shape: [...v.shape], data: (await v.data()) as Float32Array });
    return out;
  }

  /**
   * Replaces the momentum buffers (e.g. from a checkpoint). Buffers for weights absent from `state`
   * start again at zero.
   *
   * @param state - buffers by weight name; each must match its variable's shape.
   * @param variables - the trained variables, to check names and shapes against.
   */
  load(state: Map<string, SafetensorsTensor>, variables: readonly NamedVariable[]): void {
    const known = new Map(variables.map((v) => [v.name, v.variable] as const));
    for (const [name, t] of state) {
      const variable = known.get(name);
      if (!variable)
        throw new Error(`KerasSGD.load: a momentum buffer for '${name}', which is not a trained weight`);
      if (t.dtype !== 'F32' || t.shape.join(',') !== variable.shape.join(','))
        throw new Error(
          `KerasSGD.load: buffer '${name}' is ${t.dtype} [${t.shape}], the weight is F32 [${variable.shape}]`,
        );
    }
    this.dispose();
    for (const [name, t] of state) {
      const value = tf.tensor(t.data as Float32Array, t.shape, 'float32');
      this.velocity.set(name, tf.variable(value, false));
      value.dispose();
    }
  }

  /** Frees the momentum buffers. */
  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
