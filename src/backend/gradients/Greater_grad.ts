import * as tf from '@tensorflow/tfjs-core';
import { piecewiseConstantGradConfig } from './piecewiseConstantGradConfig.js';

/** Zero gradient of `Greater`, which tfjs does not register (see {@link piecewiseConstantGradConfig}). */
export const greaterGradConfig: tf.GradConfig = piecewiseConstantGradConfig(tf.Greater, ['a', 'b']);
