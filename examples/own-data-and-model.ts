// Bring your own data and model: plain arrays through datasetFromArrays, a model family through the
// registry, then train and measure as with the built-in ones.
//
//   npx tsx examples/own-data-and-model.ts                  # 300 examples, 20 matvecs (~15 s)
//   npx tsx examples/own-data-and-model.ts --n 60 --matvecs 8
import { parseArgs } from 'node:util';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  buildModel,
  datasetFromArrays,
  initBackend,
  measureMinimum,
  registerModel,
  trainSGD,
} from 'sgd-factors';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '300' }, matvecs: { type: 'string', default: '20' } },
});

await initBackend();
// Three Gaussian clouds in 20 dimensions.
const n = Number(values.n);
const x = new Float32Array(n * 20);
const y = new Int32Array(n);
for (let i = 0; i < n; i++) {
  y[i] = i % 3;
  for (let j = 0; j < 20; j++)
    x[i * 20 + j] = (j % 3 === y[i] ? 1 : 0) + 0.5 * Math.sin(12.9898 * i + 78.233 * j);
}
const train = datasetFromArrays({ images: x, shape: [n, 20], labels: y, numClasses: 3 });
registerModel({
  name: 'tiny',
  summary: 'one hidden layer',
  normalize: (o) => ({ units: o['units'] ?? 32 }),
  describe: () => 'tiny',
  build: (o, { inputShape, numClasses }) =>
    tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [...inputShape], units: o['units'] as number, activation: 'relu' }),
        tfl.layers.dense({ units: numClasses, activation: 'softmax' }),
      ],
    }),
});
const model = buildModel(
  { name: 'tiny', options: { units: 32 } },
  { inputShape: [20], numClasses: 3, seed: 0 },
);
const { history } = await trainSGD(model, train, {
  lr: 0.1,
  batchSize: 50,
  epochs: 5,
  schedule: (_epoch, lr) => lr,
  quiet: true,
});
const m = await measureMinimum(model, train, { matvecs: Number(values.matvecs) });
console.log(
  `accuracy ${history.at(-1)?.accuracy.toFixed(3)}; Tr H ${m.traceH.estimate.toFixed(3)} ± ${m.traceH.standardError.toFixed(3)}, ` +
    `tr σ² ${m.traceSigma.estimate.toFixed(3)}, Tr H / tr σ² ${m.magnitudeDifference.estimate.toFixed(3)}`,
);
model.dispose();
train.images.dispose();
train.labels.dispose();
