// A TypeScript consumer of the installed package, type-checked (not run) by installedPackage.test.ts with
// `moduleResolution` node16 and bundler: the root with its tf namespace, types from the root, and several
// subpaths. The @ts-expect-error lines fail the check if the declarations were missing or `any`.
import {
  type Dataset,
  type HessianOperatorOptions,
  hutchinsonTrace,
  type LinearOperator,
  type MinimumMeasurement,
  measureMinimum,
  type StochasticEstimate,
  solveLyapunov,
  tf,
} from 'sgd-factors';
import { matrixOperator } from 'sgd-factors/curvature';
import type { SweepConfig } from 'sgd-factors/experiments';
import { loadWeights } from 'sgd-factors/io';
import { symmetricEigen } from 'sgd-factors/linalg';
import { table1Rows } from 'sgd-factors/report';
import { simulateSgd } from 'sgd-factors/solvable';
import { stationaryCovariance } from 'sgd-factors/theory';

const op: LinearOperator = matrixOperator([
  [2, 1],
  [1, 2],
]);
const estimate: Promise<StochasticEstimate> = hutchinsonTrace(op, { matvecs: 4, seed: 0 });
const options: HessianOperatorOptions = { loss: 'kld', includeRegularization: false };
const x: number[][] = solveLyapunov([[1]], [[2]]);
const eigenvalues: Float64Array = symmetricEigen([[1]]).values;
const tensor: tf.Tensor1D = tf.tensor1d([1, 2, 3]);
const measure: (model: Parameters<typeof measureMinimum>[0], data: Dataset) => Promise<MinimumMeasurement> = (
  model,
  data,
) => measureMinimum(model, data, { matvecs: 10 });
type Preset = SweepConfig['name'];

// @ts-expect-error — a misspelt option name is a type error.
hutchinsonTrace(op, { matvecz: 4 });
// @ts-expect-error — solveLyapunov takes matrices, not a number.
solveLyapunov(1, [[2]]);

export type { Preset };
export {
  eigenvalues,
  estimate,
  loadWeights,
  measure,
  options,
  simulateSgd,
  stationaryCovariance,
  table1Rows,
  tensor,
  x,
};
