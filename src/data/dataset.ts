import type * as tf from '@tensorflow/tfjs-core';

/** Labelled images held as tensors: NHWC float32 images and int32 class indices. */
export interface Dataset {
  /** [n, height, width, channels], float32, already preprocessed. */
  images: tf.Tensor4D;
  /** [n], int32 class indices in [0, numClasses). */
  labels: tf.Tensor1D;
  /** Number of classes (10 for CIFAR-10). */
  numClasses: number;
}

/** A training set with an optional validation set and a test set. */
export interface SplitDataset {
  /** The examples to train on. */
  train: Dataset;
  /** Held out from the training files when a validation split is asked for. */
  validation?: Dataset;
  /** Held-out examples (CIFAR-10's test batch), never trained on. */
  test: Dataset;
}
