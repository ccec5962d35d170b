import * as tf from '@tensorflow/tfjs-core';
import { piecewiseConstantGradConfig } from './piecewiseConstantGradConfig.js';

/** Zero gradient of `LogicalAnd`, which tfjs does not register (see {@link piecewiseConstantGradConfig}). */
export const logicalAndGradConfig: tf.GradConfig = piecewiseConstantGradConfig(tf.LogicalAnd, ['a', 'b']);
