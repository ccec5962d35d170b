import * as tf from '@tensorflow/tfjs-core';
import { piecewiseConstantGradConfig } from './piecewiseConstantGradConfig.js';

/** Zero gradient of `LessEqual`, which tfjs does not register (see {@link piecewiseConstantGradConfig}). */
export const lessEqualGradConfig: tf.GradConfig = piecewiseConstantGradConfig(tf.LessEqual, ['a', 'b']);
