import type { LayersModel } from '@tensorflow/tfjs-layers';
import { batchedUnsupportedReason } from '../curvature/batched/layerTaps.js';
import { hessianOperator } from '../curvature/hessianOperator.js';
import { type Dataset, disposeDataset, exampleCount, sliceExamples } from '../data/dataset.js';
import { KerasBatchNormalization } from '../models/batchNormalization.js';
import type { RunSpec } from './runSpec.js';

/** What a measurement will cost, before it runs ({@link planMeasurement}). */
export interface MeasurementPlan {
  /** Examples measured over. */
  examples: number;
  /** Examples per forward/backward pass, and the number of such chunks per pass over the examples. */
  chunk: { size: number; count: number };
  /** Full gradient passes over the examples: f and ∇f, plus tr σ²'s batched pass (≈ 2 gradients). */
  gradientPasses: number;
  /** Batch-of-one backward passes of tr σ² when the model cannot take the batched path (else 0). */
  perExamplePasses: number;
  /** Hessian–vector products, each a double-backward pass over the examples: Tr H, tr(σ²H), Lanczos. */
  matvecs: number;
  /** Forward passes over the examples for batch normalization (recomputing statistics, the accuracy check). */
  forwardPasses: number;
  /** Why tr σ² cannot take the batched path, when it cannot. */
  perExampleReason?: string;
  /** Seconds measured on one chunk and the estimate of the whole measurement, when timed. */
  seconds?: { gradientChunk: number; matvecChunk: number; estimate: number };
}

/**
 * The cost of measuring `model` as `spec.measurement` says, in passes and Hessian–vector products, and,
 * with `time`, an estimate of the wall-clock time from one timed gradient and one timed product on the
 * first chunk, each after a warm-up call (so it reflects this machine and its present load). Used by `sgd-factors measure --dry-run`.
 *
 * @param model - the trained network.
 * @param train - the run's training data; the first `measurement.examples` are measured.
 * @param spec - the run spec.
 * @param time - whether to time one chunk (a few seconds) for the estimate.
 */
export async function planMeasurement(
  model: LayersModel,
  train: Dataset,
  spec: RunSpec,
  time: boolean,
): Promise<MeasurementPlan> {
  const m = spec.measurement;
  const examples = Math.min(m.examples, exampleCount(train));
  const size = Math.min(m.batchSize, examples);
  const count = Math.ceil(examples / size);
  const chunkData = sliceExamples(train, 0, size);
  try {
    const options = {
      loss: spec.training.loss,
      batchSize: size,
      bnMode: m.bnMode,
      includeRegularization: m.includeRegularization,
    };
    const op = hessianOperator(model, chunkData, options);
    const batchedReason = m.noise === 'perExample' ? batchedUnsupportedReason(op.objective) : undefined;
    const noisePasses =
      m.noise === 'perExample' ? (batchedReason ? 0 : 2) : (m.minibatches * m.minibatchSize) / examples;
    const hasBatchNorm = model.layers.some((l) => l instanceof KerasBatchNormalization);
    const plan: MeasurementPlan = {
      examples,
      chunk: { size, count },
      gradientPasses: 1 + (m.bnMode === 'train' ? 1 : 0) + noisePasses,
      perExamplePasses: batchedReason ? examples : 0,
      matvecs:
        m.probes + m.sigmaHProbes + (m.topEigenvalues > 0 ? Math.max(30, 2 * m.topEigenvalues + 20) : 0),
      forwardPasses: hasBatchNorm ? (m.bnStatistics === 'recompute' ? 1 : 0) + 2 : 0,
      ...(batchedReason ? { perExampleReason: batchedReason } : {}),
    };
    if (!time) return plan;
    // Each is timed on its second call: the first pays one-off costs (kernel set-up, compilation).
    const timed = async (work: () => Promise<unknown>) => {
      await work();
      const started = performance.now();
      await work();
      return (performance.now() - started) / 1000;
    };
    const gradientChunk = await timed(() => op.lossAndGradient());
    const probe = new Float64Array(op.dim).fill(1e-3);
    const matvecChunk = await timed(() => op.matvec(probe));
    // A batch-of-one pass costs about a chunk's gradient divided by the chunk size, and a forward pass
    // about a third of a gradient.
    const estimate =
      count * gradientChunk * (plan.gradientPasses + plan.forwardPasses / 3) +
      (plan.perExamplePasses * gradientChunk) / size +
      count * matvecChunk * plan.matvecs;
    return { ...plan, seconds: { gradientChunk, matvecChunk, estimate } };
  } finally {
    disposeDataset(chunkData);
  }
}

/** The plan as lines for the command line. */
export function formatMeasurementPlan(plan: MeasurementPlan): string {
  const lines = [
    `examples            ${plan.examples} (${plan.chunk.count} chunk${plan.chunk.count === 1 ? '' : 's'} of ${plan.chunk.size})`,
    `gradient passes     ${Number(plan.gradientPasses.toFixed(2))} (f and ∇f, tr σ²)`,
    `Hessian products    ${plan.matvecs} (Tr H, tr(σ²H), Lanczos), each a double-backward pass`,
    `forward passes      ${plan.forwardPasses} (batch-norm statistics and accuracy check)`,
  ];
  if (plan.perExamplePasses > 0)
    lines.push(
      `per-example passes  ${plan.perExamplePasses} (tr σ² one example at a time: ${plan.perExampleReason})`,
    );
  if (plan.seconds)
    lines.push(
      `timed on one chunk  gradient ${plan.seconds.gradientChunk.toFixed(2)} s, Hessian product ${plan.seconds.matvecChunk.toFixed(2)} s`,
      `estimate            ${Math.round(plan.seconds.estimate)} s for the whole measurement on this machine now`,
    );
  return `${lines.join('\n')}\n`;
}
