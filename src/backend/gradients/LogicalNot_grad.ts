import * as tf from '@tensorflow/tfjs-core';
import { piecewiseConstantGradConfig } from './piecewiseConstantGradConfig.js';

/** Zero gradient of `LogicalNot`, which tfjs does not register (see {@link piecewiseConstantGradConfig}). */
export const logicalNotGradConfig: tf.GradConfig = piecewiseConstantGradConfig(tf.LogicalNot, ['x']);
