import * as tf from '@tensorflow/tfjs-core';
import { piecewiseConstantGradConfig } from './piecewiseConstantGradConfig.js';

/** Zero gradient of `Less`, which tfjs does not register (see {@link piecewiseConstantGradConfig}). */
export const lessGradConfig: tf.GradConfig = piecewiseConstantGradConfig(tf.Less, ['a', 'b']);
