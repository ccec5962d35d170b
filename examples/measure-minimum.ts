// Trains a small ResNet v1 briefly with plain SGD on synthetic images, then measures the minimum it
// reached: Tr H, tr σ², tr(σ²H), |∇f|², f and Tr H / tr σ² (the paper's "magnitude difference"), each
// with its standard error, plus the largest Hessian eigenvalue.
//
//   npx tsx examples/measure-minimum.ts                  # ResNet-8 (8 filters) on 256 16×16 images, ~15 s
//   npx tsx examples/measure-minimum.ts --size 32 --filters 16 --n 1000 --limit 500 --matvecs 50 --noise perExample
//
// See docs/measuring.md for what each number means and what it costs.
import { parseArgs } from 'node:util';
import {
  initBackend,
  measureMinimum,
  type NoiseMethod,
  resnetV1,
  syntheticCifar10,
  type TraceEstimatorName,
  tf,
  trainSGD,
} from 'sgd-factors';

const { values } = parseArgs({
  options: {
    depth: { type: 'string', default: '8' },
    filters: { type: 'string', default: '8' },
    size: { type: 'string', default: '16' },
    n: { type: 'string', default: '256' },
    epochs: { type: 'string', default: '2' },
    lr: { type: 'string', default: '0.05' },
    'batch-size': { type: 'string', default: '32' },
    limit: { type: 'string', default: '64' },
    estimator: { type: 'string', default: 'hutchpp' },
    matvecs: { type: 'string', default: '12' },
    noise: { type: 'string', default: 'minibatch' },
    seed: { type: 'string', default: '0' },
  },
});
const depth = Number(values.depth);
const size = Number(values.size);
const limit = Number(values.limit);

const backend = await initBackend();
const data = syntheticCifar10({ n: Number(values.n), seed: 0, height: size, width: size });
const model = resnetV1({ depth, seed: 1, numFilters: Number(values.filters), inputShape: [size, size, 3] });
const result = await trainSGD(model, data, {
  lr: Number(values.lr),
  batchSize: Number(values['batch-size']),
  epochs: Number(values.epochs),
  loss: 'kld',
  schedule: (_epoch, baseLr) => baseLr,
  seed: 1,
  quiet: true,
});
const last = result.history.at(-1);
console.log(
  `ResNet-${depth} on ${backend.backend}: ${result.history.length} epochs, train loss ${last?.loss.toFixed(4)}, accuracy ${last?.accuracy.toFixed(3)}`,
);

// The first `limit` training images: the objective f is the mean loss over them plus the L2 penalty.
const measured = {
  images: tf.slice(data.train.images, [0, 0, 0, 0], [limit, -1, -1, -1]),
  labels: tf.slice(data.train.labels, [0], [limit]),
  numClasses: data.train.numClasses,
};
const m = await measureMinimum(model, measured, {
  loss: 'kld',
  estimator: values.estimator as TraceEstimatorName,
  matvecs: Number(values.matvecs),
  noise: values.noise as NoiseMethod,
  minibatchSize: 8,
  minibatches: 16,
  sigmaHProbes: 4,
  topEigenvalues: 1,
  eigenMatvecs: 12,
  seed: Number(values.seed),
});
const show = (name: string, e: { estimate: number; standardError: number }) =>
  console.log(
    `${name.padEnd(14)} ${e.estimate.toPrecision(5).padStart(12)} ± ${e.standardError.toPrecision(3)}`,
  );
show('Tr H', m.traceH);
show('tr σ²', m.traceSigma);
show('tr(σ²H)', m.traceSigmaH);
show('|∇f|²', m.gradNormSq);
show('f', m.loss);
show('Tr H / tr σ²', m.magnitudeDifference);
console.log(`λ_max          ${m.topEigenvalues?.values[0]?.toPrecision(5).padStart(12)}`);
console.log(
  `(${m.settings.examples} examples, ${m.settings.parameters} parameters, ${m.traceH.matvecs + m.traceSigmaH.matvecs + (m.topEigenvalues?.matvecs ?? 0)} Hessian-vector products, ${m.settings.seconds.toFixed(1)} s)`,
);

tf.dispose([measured.images, measured.labels]);
for (const d of [data.train, data.test]) tf.dispose([d.images, d.labels]);
model.dispose();
