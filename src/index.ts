/**
 * sgd-factors: train networks with SGD at a chosen learning rate and batch size, measure the loss Hessian
 * and the gradient-noise covariance at the end of training, and test SDE theory against them.
 *
 * @packageDocumentation
 */
export * from './backend/index.js';
export * from './curvature/index.js';
export * from './data/index.js';
export * from './data/sources/index.js';
export * from './experiments/index.js';
export * from './io/index.js';
export * from './linalg/index.js';
export * from './models/index.js';
export * from './noise/index.js';
export * from './report/index.js';
export * from './run/index.js';
export * from './solvable/index.js';
export * from './theory/index.js';
export * from './train/index.js';
export * from './util/index.js';
