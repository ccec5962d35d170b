import * as tf from '@tensorflow/tfjs-core';
import { piecewiseConstantGradConfig } from './piecewiseConstantGradConfig.js';

/** Zero gradient of `NotEqual`, which tfjs does not register (see {@link piecewiseConstantGradConfig}). */
export const notEqualGradConfig: tf.GradConfig = piecewiseConstantGradConfig(tf.NotEqual, ['a', 'b']);
