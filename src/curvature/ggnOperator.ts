import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset.js';
import type { LinearOperator } from './linearOperator.js';
import { accumulateTensors, assertFlatVector, unflattenToTensors } from './parameterVector.js';
import { warnIfSecondOrderDefective } from './secondOrderCheck.js';
import {
  dotTensors,
  type ExampleRange,
  explainingOutOfMemory,
  type ObjectiveOptions,
  type TrainingObjective,
  trainingObjective,
} from './trainingObjective.js';

/** Options for {@link ggnOperator}: the loss (`'kld'` or `'crossEntropy'`), output kind and chunk size. */
export type GgnOptions = Pick<ObjectiveOptions, 'loss' | 'outputs' | 'batchSize'>;

/** The generalized Gauss–Newton matrix (= the Fisher information) of a softmax classifier as an operator. */
export interface GgnOperator extends LinearOperator {
  /** The objective (model, data, loss) whose GGN this is. */
  readonly objective: TrainingObjective;
  /** Number of products computed so far. */
  readonly matvecCount: number;
  /** G·v for a flat vector v of length `dim`. */
  matvec(v: Float64Array): Promise<Float64Array>;
}

/**
 * The generalized Gauss–Newton matrix G = (1/n)·Σᵢ Jᵢᵀ(diag pᵢ − pᵢpᵢᵀ)Jᵢ of a softmax classifier trained
 * with cross-entropy or KL divergence, where Jᵢ = ∂zᵢ/∂θ is the Jacobian of example i's logits and
 * pᵢ = softmax(zᵢ): the Hessian with the network linearized at θ, positive semi-definite by construction.
 *
 * @remarks
 * **G is also the Fisher information** F = (1/n)·Σᵢ E_{y∼pᵢ}[∇log pᵢ(y)∇log pᵢ(y)ᵀ] of the model's
 * categorical likelihood, because diag p − ppᵀ is both the Hessian of −log softmax(z)_y in z and the
 * covariance of ∇_z log p(y) = e_y − p under y ∼ p (tested against the Fisher computed from that
 * definition). Neither depends on the labels. It is not the empirical Fisher, which uses the observed
 * labels ({@link empiricalFisherOperator}).
 *
 * A product is exact, with no per-example Jacobian formed: per chunk, u = J v is the gradient in u of the
 * linear function u ↦ ∇θ(u·z)·v (the double-backward trick for a Jacobian–vector product), then
 * w = (diag p − ppᵀ)u row by row, then one backward pass of Σᵢ wᵢ·zᵢ/n gives Jᵀw. For a model whose output
 * layer is a softmax (outputs probabilities p), the same matrix is Jₚᵀ diag(1/p) Jₚ with Jₚ = ∂p/∂θ, since
 * (diag p − ppᵀ)diag(1/p)(diag p − ppᵀ) = diag p − ppᵀ; classes with p = 0 contribute nothing. Cost:
 * three forward passes, a double backward and a backward pass per chunk, about as much as a σ² product
 * (three backward passes over the data).
 *
 * Batch normalization runs in inference mode (each example's outputs depend on that example only), and
 * the regularization penalty is left out: G is the curvature of the data loss (add 2λ on L2-regularized
 * weights for the penalty's exact Hessian).
 *
 * @param model - a built tfjs-layers classifier (logits or softmax outputs).
 * @param data - the examples.
 * @param options - loss `'kld'` (default) or `'crossEntropy'`, outputs, batchSize (default 32).
 * @throws RangeError when the loss is not `'kld'` or `'crossEntropy'` (the GGN of other losses is not
 *   this matrix).
 */
export function ggnOperator(model: LayersModel, data: Dataset, options: GgnOptions = {}): GgnOperator {
  const fn = 'ggnOperator';
  const loss = options.loss ?? 'kld';
  if (loss !== 'kld' && loss !== 'crossEntropy') {
    throw new RangeError(
      `${fn}: options.loss must be 'kld' or 'crossEntropy' (softmax outputs), got ${typeof loss === 'function' ? 'a custom function' : `'${String(loss)}'`}`,
    );
  }
  const objective = trainingObjective(
    model,
    data,
    { ...options, loss, bnMode: 'inference', includeRegularization: false },
    fn,
  );
  // The Jacobian–vector product differentiates a backward pass through the model.
  warnIfSecondOrderDefective(model, objective.loss);
  let matvecCount = 0;
  return {
    dim: objective.dim,
    objective,
    get matvecCount() {
      return matvecCount;
    },
    async matvec(v) {
      assertFlatVector(`${fn}.matvec`, v, objective.dim);
      const vs = unflattenToTensors(v, objective.shapes);
      try {
        const out = new Float64Array(objective.dim);
        for (const range of objective.chunks) {
          const product = explainingOutOfMemory(objective, fn, () => chunkProduct(objective, range, vs));
          try {
            await accumulateTensors(out, product);
          } finally {
            tf.dispose(product);
          }
        }
        matvecCount++;
        return out;
      } finally {
        tf.dispose(vs);
      }
    },
  };
}

/** Jᵀ M J v / n over one chunk, as one tensor per trainable weight. */
function chunkProduct(
  objective: TrainingObjective,
  range: ExampleRange,
  vs: readonly tf.Tensor[],
): tf.Tensor[] {
  return tf.tidy(() => {
    const { images } = objective.slice(range);
    const outputs = (): tf.Tensor2D => objective.model.apply(images, { training: false }) as tf.Tensor2D;
    const z = outputs();
    // J v: the gradient in u of ∇θ(Σ u ⊙ z)·v, which is linear in u (so u's value does not matter).
    const jv = tf.grad((u: tf.Tensor) => {
      const { grads } = objective.gradients(() => tf.sum(tf.mul(u, outputs())) as tf.Scalar);
      return dotTensors(grads, vs);
    })(tf.onesLike(z));
    let w: tf.Tensor;
    if (objective.loss.outputs === 'logits') {
      const p = tf.softmax(z);
      w = tf.mul(p, tf.sub(jv, tf.sum(tf.mul(p, jv), -1, true)));
    } else {
      w = tf.divNoNan(jv, z);
    }
    const weights = tf.div(w, objective.n);
    return objective.gradients(() => tf.sum(tf.mul(weights, outputs())) as tf.Scalar).grads;
  });
}
