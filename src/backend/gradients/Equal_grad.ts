import * as tf from '@tensorflow/tfjs-core';
import { piecewiseConstantGradConfig } from './piecewiseConstantGradConfig.js';

/** Zero gradient of `Equal`, which tfjs does not register (see {@link piecewiseConstantGradConfig}). */
export const equalGradConfig: tf.GradConfig = piecewiseConstantGradConfig(tf.Equal, ['a', 'b']);
