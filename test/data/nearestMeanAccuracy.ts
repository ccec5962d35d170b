import type { Dataset } from '../../src/data/dataset.js';

/** Accuracy on `test` of the nearest class mean of `train` (an independent, closed-form learner). */
export function nearestMeanAccuracy(train: Dataset, test: Dataset): number {
  const [n = 0, ...rest] = train.images.shape;
  const d = rest.reduce((a, b) => a * b, 1);
  const k = train.numClasses;
  const x = train.images.dataSync();
  const y = train.labels.dataSync();
  const means = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const label = y[i] as number;
    counts[label] = (counts[label] as number) + 1;
    for (let j = 0; j < d; j++)
      means[label * d + j] = (means[label * d + j] as number) + (x[i * d + j] as number);
  }
  for (let a = 0; a < k; a++)
    for (let j = 0; j < d; j++) means[a * d + j] = (means[a * d + j] as number) / (counts[a] as number);
  const tx = test.images.dataSync();
  const ty = test.labels.dataSync();
  const m = test.images.shape[0];
  let correct = 0;
  for (let i = 0; i < m; i++) {
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += ((tx[i * d + j] as number) - (means[a * d + j] as number)) ** 2;
      if (s < bestDistance) {
        bestDistance = s;
        best = a;
      }
    }
    if (best === ty[i]) correct++;
  }
  return correct / m;
}
