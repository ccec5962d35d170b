import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../data/dataset.js';
import { KerasBatchNormalization } from './batchNormalization.js';
import { requiredWeight } from './layerWeights.js';
import { withReplacedLayerCalls } from './replaceLayerCalls.js';

/** Options for {@link recomputeBatchNormStatistics}. */
export interface RecomputeBatchNormOptions {
  /** Examples per forward pass (a positive integer; default 128): the batches whose statistics the layers upstream of each batch-norm layer normalize with. */
  batchSize?: number;
  /** Called after each batch with the number of examples done. */
  onExamples?: (done: number) => void;
}

/** What {@link recomputeBatchNormStatistics} did. */
export interface RecomputedBatchNorm {
  /** Names of the batch-normalization layers whose moving statistics were replaced, in call order. */
  layers: string[];
  /** Number of examples the statistics are taken over. */
  examples: number;
}

/** Per-channel count, mean and Σ(x − mean)², merged over batches in float64 (Chan et al.). */
class ChannelMoments {
  count = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  constructor(readonly channels: number) {
    this.mean = new Float64Array(channels);
    this.m2 = new Float64Array(channels);
  }

  /** Adds the rows of x [rows, channels] (two passes over the batch, then Chan's merge). */
  add(x: Float32Array): void {
    const c = this.channels;
    const rows = x.length / c;
    const mean = new Float64Array(c);
    const m2 = new Float64Array(c);
    for (let r = 0; r < rows; r++) for (let k = 0; k < c; k++) mean[k]! += x[r * c + k]!;
    for (let k = 0; k < c; k++) mean[k]! /= rows;
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < c; k++) {
        const d = x[r * c + k]! - mean[k]!;
        m2[k]! += d * d;
      }
    }
    const total = this.count + rows;
    for (let k = 0; k < c; k++) {
      const delta = mean[k]! - this.mean[k]!;
      this.mean[k]! += (delta * rows) / total;
      this.m2[k]! += m2[k]! + (delta * delta * this.count * rows) / total;
    }
    this.count = total;
  }
}

/**
 * Replaces the moving mean and variance of every {@link KerasBatchNormalization} layer of `model` by the
 * exact per-channel mean and variance of its input over `data` — the "bn_update" of stochastic weight
 * averaging (Izmailov et al., 2018) — so that inference-mode evaluation describes the network at its
 * current weights rather than an exponential average over the last training steps.
 *
 * @remarks
 * One pass over the data in training mode (as bn_update runs it): each batch-norm layer's input is read
 * back and accumulated per channel in float64 (Chan's merge of per-batch two-pass moments), so the result
 * is exact over all examples and positions, with no momentum. The variance stored is the population
 * variance Σ(x − μ)²/N over the N values of a channel (N = examples × positions): with all the data in one
 * batch, inference mode then reproduces the training-mode forward pass exactly. Layers upstream of a
 * batch-norm layer normalize with the statistics of their batch during the pass, so with several batches
 * the deeper layers' statistics depend slightly on `batchSize` (as bn_update's do).
 *
 * Only the moving statistics change; if anything fails, every layer's statistics are restored.
 *
 * @param model - a built model; its KerasBatchNormalization layers are updated in place.
 * @param data - the examples (normally the training set, or the part of it being measured).
 * @param options - batch size.
 * @throws RangeError for an invalid batch size, Error when the model has tfjs-layers' own
 * BatchNormalization (whose semantics differ) or no examples.
 */
export async function recomputeBatchNormStatistics(
  model: LayersModel,
  data: Dataset,
  options: RecomputeBatchNormOptions = {},
): Promise<RecomputedBatchNorm> {
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(
      `recomputeBatchNormStatistics: options.batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  const n = data.images.shape[0];
  if (!(n > 0)) throw new RangeError('recomputeBatchNormStatistics: data has no examples');
  const foreign = model.layers.find((l) => l.getClassName() === 'BatchNormalization');
  if (foreign) {
    throw new Error(
      `recomputeBatchNormStatistics: layer '${foreign.name}' is tfjs-layers' BatchNormalization; only KerasBatchNormalization is supported`,
    );
  }
  const bnLayers = model.layers.filter(
    (l): l is KerasBatchNormalization => l instanceof KerasBatchNormalization,
  );
  const moments = bnLayers.map((l) => new ChannelMoments(requiredWeight(l, 'moving_mean').shape[0]!));
  const state = bnLayers.flatMap((l) => [
    requiredWeight(l, 'moving_mean'),
    requiredWeight(l, 'moving_variance'),
  ]);
  const saved = state.map((w) => tf.clone(w.read()));
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const inputs = captureInputs(model, bnLayers, data, start, size);
      try {
        for (let i = 0; i < inputs.length; i++) moments[i]!.add((await inputs[i]!.data()) as Float32Array);
      } finally {
        tf.dispose(inputs);
      }
      options.onExamples?.(start + size);
    }
    bnLayers.forEach((layer, i) => {
      const m = moments[i]!;
      tf.tidy(() => {
        requiredWeight(layer, 'moving_mean').write(tf.tensor1d(Float32Array.from(m.mean)));
        requiredWeight(layer, 'moving_variance').write(
          tf.tensor1d(Float32Array.from(m.m2, (v) => v / m.count)),
        );
      });
    });
  } catch (error) {
    state.forEach((w, i) => {
      w.write(saved[i]!);
    });
    throw error;
  } finally {
    tf.dispose(saved);
  }
  return { layers: bnLayers.map((l) => l.name), examples: n };
}

/** One training-mode forward pass over examples [start, start + size), returning each layer's input. */
function captureInputs(
  model: LayersModel,
  bnLayers: readonly KerasBatchNormalization[],
  data: Dataset,
  start: number,
  size: number,
): tf.Tensor[] {
  const captured: (tf.Tensor | undefined)[] = bnLayers.map(() => undefined);
  try {
    withReplacedLayerCalls(
      bnLayers,
      (layer, original, i) => (inputs, kwargs) => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        if (captured[i] !== undefined)
          throw new Error(`recomputeBatchNormStatistics: layer '${layer.name}' is shared`);
        captured[i] = tf.keep(tf.clone(x));
        return original(inputs, kwargs);
      },
      () =>
        tf.tidy(() => {
          const rest = data.images.shape.slice(1);
          const images = tf.slice(data.images, [start, 0, 0, 0], [size, ...rest]);
          model.apply(images, { training: true });
        }),
    );
    return captured.map((x, i) => {
      if (x === undefined)
        throw new Error(`recomputeBatchNormStatistics: layer '${bnLayers[i]!.name}' was not called`);
      return x;
    });
  } catch (error) {
    tf.dispose(captured.filter((x): x is tf.Tensor => x !== undefined));
    throw error;
  }
}
