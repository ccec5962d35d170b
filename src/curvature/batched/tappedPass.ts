import * as tf from '@tensorflow/tfjs-core';
import { withReplacedLayerCalls } from '../../models/replaceLayerCalls.js';
import type { TrainingObjective } from '../trainingObjective.js';
import type { LayerTap } from './layerTap.js';

/**
 * One forward and one backward pass of Σᵢ ℓᵢ over a batch (inference mode) that captures, for every
 * tapped layer, its input x and δ = ∂(Σᵢ ℓᵢ)/∂z, z the layer's output before its activation; then
 * `use(inputs, deltas)` inside `tf.tidy`.
 *
 * @remarks
 * Each tapped layer's `call` is replaced ({@link withReplacedLayerCalls}) for the duration of the pass by one that computes
 * activation(z + probe) with a zero probe tensor; δ is the gradient with respect to the probe, which
 * tfjs computes without any weight gradient (the backward pass stops at the first tapped layer). Since
 * every example's loss depends on that example only, row i of δ is ∂ℓᵢ/∂zᵢ. The layers' own `call`
 * methods are restored, and the captured inputs disposed, on every path.
 *
 * @param objective - supplies the model and the loss.
 * @param taps - the layers to capture ({@link layerTaps}).
 * @param images - a batch of inputs.
 * @param labels - their labels.
 * @param use - receives one input and one δ per tap, in tap order; may return tensors (kept by the tidy).
 */
export function withTappedPass<T extends tf.TensorContainer>(
  objective: TrainingObjective,
  taps: readonly LayerTap[],
  images: tf.Tensor,
  labels: tf.Tensor1D,
  use: (inputs: tf.Tensor[], deltas: tf.Tensor[]) => T,
): T {
  if (objective.bnMode !== 'inference') {
    throw new Error(
      "withTappedPass: per-example quantities need bnMode 'inference' (batch statistics couple the examples)",
    );
  }
  const b = images.shape[0];
  const captured: (tf.Tensor | undefined)[] = taps.map(() => undefined);
  let probes: tf.Tensor[] = [];
  const tapped = (tap: LayerTap, i: number) => (inputs: tf.Tensor | tf.Tensor[]) => {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (captured[i] !== undefined) {
      throw new Error(`withTappedPass: layer '${tap.layer.name}' was called twice in one forward pass`);
    }
    captured[i] = tf.keep(tf.clone(x));
    return tap.activation(tf.add(tap.preActivation(x), probes[i]!));
  };
  try {
    return withReplacedLayerCalls(
      taps.map((t) => t.layer),
      (_, __, i) => tapped(taps[i]!, i),
      () =>
        tf.tidy(() => {
          const zeros = taps.map((t) => tf.zeros([b, ...t.outputShape]));
          const deltas = tf.grads((...p: tf.Tensor[]) => {
            probes = p;
            return tf.sum(objective.batchLosses(images, labels, false)) as tf.Scalar;
          })(zeros);
          const inputs = captured.map((x, i) => {
            if (x === undefined)
              throw new Error(`withTappedPass: layer '${taps[i]!.layer.name}' was not called`);
            return x;
          });
          return use(inputs, deltas);
        }),
    );
  } finally {
    probes = [];
    tf.dispose(captured.filter((x): x is tf.Tensor => x !== undefined));
  }
}
