/**
 * sgd-factors: train networks with SGD at a chosen learning rate and batch size, measure the loss Hessian
 * and the gradient-noise covariance at the end of training, and test SDE theory against them.
 *
 * @packageDocumentation
 */
export * from './backend/index.js';
export * from './curvature/index.js';
export type { Dataset, SplitDataset } from './data/dataset.js';
export * from './util/index.js';
