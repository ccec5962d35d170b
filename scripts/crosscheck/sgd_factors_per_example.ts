// The library's side of the PyTorch cross-check (see README.md here): on a trained run, over its first N
// training examples, with the batch-norm statistics recomputed over those N examples, the per-example
// squared gradient norms from the batched pass (exampleGradientNorms) and f, |∇f|², tr σ² from the public
// gradientNoise. Prints one JSON object on stdout.
//
// Usage: npx tsx scripts/crosscheck/sgd_factors_per_example.ts RUN_DIR [--examples 256] [--bn-batch N]
//        [--batch-size 32] [--backend wasm|cpu|tensorflow]
import { parseArgs } from 'node:util';
import { activeBackendLabel, type BackendName, initBackend } from '../../src/backend/initBackend.js';
import { exampleGradientNorms } from '../../src/curvature/batchedExampleGradients.js';
import { forEachExampleGradient } from '../../src/curvature/exampleGradients.js';
import { type TrainingObjective, trainingObjective } from '../../src/curvature/trainingObjective.js';
import { disposeDataset } from '../../src/data/dataset.js';
import { dataSpecShape, loadData } from '../../src/data/sources/index.js';
import { loadWeights } from '../../src/io/weights.js';
import { requiredWeight } from '../../src/models/layerWeights.js';
import { buildModel } from '../../src/models/modelRegistry.js';
import { recomputeBatchNormStatistics } from '../../src/models/recomputeBatchNormStatistics.js';
import { gradientNoise } from '../../src/noise/gradientNoise.js';
import { readRunConfig, runPaths } from '../../src/run/runDirectory.js';

/** A whole number ≥ min from a flag, or an error naming the flag. */
function integerFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new RangeError(`${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** ‖gᵢ‖² and tr σ² by the library's own per-example loop (one batch-of-one backward pass each). */
async function loopNorms(
  objective: TrainingObjective,
): Promise<{ squaredNorms: Float64Array; traceSigma: number }> {
  const n = objective.n;
  const squaredNorms = new Float64Array(n);
  const sum = new Float64Array(objective.dim);
  await forEachExampleGradient(objective, (i, g) => {
    let s = 0;
    for (let q = 0; q < g.length; q++) {
      s += g[q]! * g[q]!;
      sum[q]! += g[q]!;
    }
    squaredNorms[i] = s;
  });
  let meanSq = 0;
  for (const x of sum) meanSq += (x / n) ** 2;
  const total = squaredNorms.reduce((a, x) => a + x, 0);
  return { squaredNorms, traceSigma: (total - n * meanSq) / (n - 1) };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      examples: { type: 'string', default: '256' },
      'bn-batch': { type: 'string' },
      'batch-size': { type: 'string', default: '32' },
      backend: { type: 'string' },
      path: { type: 'string', default: 'batched' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new Error('give one run directory');
  const dir = positionals[0]!;
  const n = integerFlag('--examples', values.examples, 2)!;
  const bnBatch = integerFlag('--bn-batch', values['bn-batch'], 1) ?? n;
  const batchSize = integerFlag('--batch-size', values['batch-size'], 1)!;
  const backend = values.backend as BackendName | undefined;
  if (values.path !== 'batched' && values.path !== 'loop')
    throw new RangeError(`--path must be 'batched' or 'loop', got '${values.path}'`);
  const config = readRunConfig(dir);
  if (config === undefined) throw new Error(`${dir} has no config.json`);
  const { spec } = config;
  await initBackend({ quiet: true, ...(backend !== undefined ? { backend } : {}) });

  const shape = dataSpecShape(spec.data);
  if (n > shape.trainSize)
    throw new RangeError(`--examples ${n} exceeds the run's ${shape.trainSize} training examples`);
  const data = await loadData({ ...spec.data, trainSize: n, testSize: 1 });
  try {
    const model = buildModel(spec.model, {
      inputShape: shape.inputShape,
      numClasses: shape.numClasses,
      seed: 0,
    });
    await loadWeights(model, runPaths(dir).weights);
    const started = performance.now();
    const bn = await recomputeBatchNormStatistics(model, data.train, { batchSize: bnBatch });
    // The statistics used, so that the reference can be run on exactly these (pytorch_per_example.py
    // --bn-statistics) and a difference in the recomputation be told from one in the gradients.
    const bnStatistics: Record<string, { mean: number[]; variance: number[] }> = {};
    for (const name of bn.layers) {
      const layer = model.getLayer(name);
      bnStatistics[name] = {
        mean: Array.from(requiredWeight(layer, 'moving_mean').read().dataSync()),
        variance: Array.from(requiredWeight(layer, 'moving_variance').read().dataSync()),
      };
    }
    const objectiveOptions = {
      loss: spec.training.loss,
      batchSize,
      bnMode: 'inference' as const,
      includeRegularization: spec.measurement.includeRegularization,
    };
    const objective = trainingObjective(model, data.train, objectiveOptions);
    // f and |∇f|² come from gradientNoise's full gradient whichever path computes the per-example norms.
    const noise = await gradientNoise(model, data.train, { ...objectiveOptions, sigmaHProbes: 0 });
    const { squaredNorms, traceSigma } =
      values.path === 'loop'
        ? await loopNorms(objective)
        : { ...(await exampleGradientNorms(objective)), traceSigma: noise.traceSigma.estimate };
    process.stdout.write(
      `${JSON.stringify({
        source: 'sgd-factors',
        backend: activeBackendLabel(),
        run: config.id,
        loss: spec.training.loss,
        examples: n,
        bnBatch,
        bnLayers: bn.layers.length,
        includeRegularization: objective.includeRegularization,
        perExamplePath: values.path === 'loop' ? 'loop' : noise.perExamplePath,
        seconds: (performance.now() - started) / 1000,
        values: {
          loss: noise.loss.estimate,
          gradNormSq: noise.gradNormSq.estimate,
          traceSigma,
          sumSquaredNorms: squaredNorms.reduce((s, x) => s + x, 0),
          squaredNorms: Array.from(squaredNorms),
          parameters: objective.dim,
        },
        bnStatistics,
      })}\n`,
    );
    model.dispose();
  } finally {
    disposeDataset(data.train, data.test);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `sgd_factors_per_example: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
