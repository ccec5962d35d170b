import * as tf from '@tensorflow/tfjs-core';
import { piecewiseConstantGradConfig } from './piecewiseConstantGradConfig.js';

/** Zero gradient of `LogicalOr`, which tfjs does not register (see {@link piecewiseConstantGradConfig}). */
export const logicalOrGradConfig: tf.GradConfig = piecewiseConstantGradConfig(tf.LogicalOr, ['a', 'b']);
