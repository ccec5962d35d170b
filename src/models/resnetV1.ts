import { totalmem } from 'node:os';
import {
  model as functionalModel,
  input as inputLayer,
  type LayersModel,
  layers,
  regularizers,
  type SymbolicTensor,
} from '@tensorflow/tfjs-layers';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createRng } from '../util/random.js';
import { KerasBatchNormalization } from './batchNormalization.js';
import { initializeKernels } from './heNormal.js';

/** Options for {@link resnetV1}. */
export interface ResNetV1Options {
  /** Number of weight layers, 6n + 2 (8, 14, 20, 32, 44, 56, 110, …); n blocks per stack. */
  depth: number;
  /** [height, width, channels] of one input image. Default [32, 32, 3] (CIFAR-10). */
  inputShape?: readonly [number, number, number];
  /** Number of classes, the width of the dense head. Default 10. */
  numClasses?: number;
  /** Filters of the stem and the first stack; doubled in each of the next two stacks. Default 16. */
  numFilters?: number;
  /** L2 factor on every convolution kernel: the loss gains `weightDecay · Σ w²`. Default 1e-4; 0 for none. */
  weightDecay?: number;
  /**
   * Seed of the initialization: two models built with the same options and seed have identical weights,
   * on every backend. Omit for a random initialization.
   */
  seed?: number;
  /** `'softmax'` (default, as in the paper) outputs probabilities; `'linear'` outputs logits. */
  outputActivation?: 'softmax' | 'linear';
}

const OPTION_KEYS: OptionKeys<ResNetV1Options> = {
  depth: true,
  inputShape: true,
  numClasses: true,
  numFilters: true,
  weightDecay: true,
  seed: true,
  outputActivation: true,
};

/**
 * The number of residual blocks per stack of a ResNet v1 of the given depth, n = (depth − 2) / 6.
 *
 * @throws RangeError "depth should be 6n+2" with the value received, for any other depth.
 */
export function resnetBlocksPerStack(depth: number): number {
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new RangeError(
      `resnetV1: depth should be 6n+2 with n ≥ 1 (8, 14, 20, 26, 32, 44, 56, 110, …), got ${depth}`,
    );
  }
  return (depth - 2) / 6;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`resnetV1: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * The number of weights (trainable and not) and of layers of a ResNet v1, computed from its options
 * without building it: what {@link resnetV1} checks against the machine's memory before building.
 *
 * @param options - depth, and numFilters, numClasses, inputShape as for {@link resnetV1}.
 * @returns weights (all of them, batch-norm moving statistics included) and layers.
 * @throws RangeError for a depth that is not 6n + 2.
 */
export function resnetV1Size(
  options: Pick<ResNetV1Options, 'depth' | 'numFilters' | 'numClasses' | 'inputShape'>,
): { weights: number; layers: number } {
  const n = resnetBlocksPerStack(options.depth);
  const f0 = options.numFilters ?? 16;
  const classes = options.numClasses ?? 10;
  const channels = options.inputShape?.[2] ?? 3;
  const conv = (kernel: number, inputs: number, outputs: number) =>
    kernel * kernel * inputs * outputs + outputs;
  const bn = (units: number) => 4 * units; // gamma, beta, moving mean and variance
  let weights = conv(3, channels, f0) + bn(f0);
  let previous = f0;
  for (let stack = 0; stack < 3; stack++) {
    const f = f0 * 2 ** stack;
    const first = conv(3, previous, f) + conv(3, f, f) + 2 * bn(f) + (stack > 0 ? conv(1, previous, f) : 0);
    weights += first + (n - 1) * (2 * conv(3, f, f) + 2 * bn(f));
    previous = f;
  }
  weights += previous * classes + classes;
  // input, stem (conv, bn, relu); 7 layers per block and a 1×1 shortcut in two blocks; pool, flatten, dense.
  const layers = 4 + 21 * n + 2 + 3;
  return { weights, layers };
}

/**
 * Bytes it takes to build and train a network of this size, roughly: each weight four times in float32
 * (value, gradient, momentum, and one more in the Hessian's double backward pass), and per layer the
 * tfjs-layers objects and symbolic tensors (64 KiB is generous).
 */
function trainingBytes(size: { weights: number; layers: number }): number {
  return 16 * size.weights + 65_536 * size.layers;
}

/** Output size of a 'same' convolution with this stride. */
function sameSize(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

/** Keras' `resnet_layer` arguments (conv_first = True, the only form resnet_v1 uses). */
interface ResnetLayerArgs {
  filters: number;
  /** Default 3. */
  kernelSize?: number;
  /** Default 1. */
  strides?: number;
  /** ReLU after the (normalized) convolution; default true. */
  activation?: boolean;
  /** Batch normalization after the convolution; default true. */
  batchNormalization?: boolean;
  /** Names of the conv, bn and relu layers (bn and relu only where those layers exist). */
  names: { conv: string; bn?: string; relu?: string };
}

/**
 * ResNet v1 for CIFAR-10 exactly as in Keras' `cifar10_resnet.py` (`resnet_v1`) and the paper's Figure 1:
 * a stem `resnet_layer` with `numFilters` filters, three stacks of n = (depth − 2)/6 residual blocks with
 * `numFilters`, 2·`numFilters` and 4·`numFilters` filters, and a head AveragePooling2D → Flatten →
 * Dense(numClasses, softmax, he_normal).
 *
 * @remarks
 * `resnet_layer` is Conv2D(3×3, padding 'same', he_normal kernel with L2 `weightDecay`, with bias) →
 * BatchNormalization (momentum 0.99, ε = 1e-3, see {@link KerasBatchNormalization}) → ReLU. A block is
 * conv-bn-relu → conv-bn, added to the shortcut, then ReLU. The first block of stacks 2 and 3 uses
 * stride 2 and a 1×1 stride-2 projection shortcut (a convolution only: no BN, no activation, with the
 * same initializer and L2 as the others). The dense head has no regularizer, as in Keras.
 *
 * The pooling window is the final feature-map size: 8 for 32×32 inputs (Keras' fixed `pool_size=8`),
 * i.e. global average pooling for other input sizes.
 *
 * Initialization: kernels as Keras' `he_normal` (truncated normal, variance 2/fan_in, see
 * {@link heNormalValues}) drawn from `createRng(seed)` layer by layer in construction order; biases and
 * BN β zero, BN γ one, moving mean 0, moving variance 1.
 *
 * Layer names are stable (they name the weights in safetensors files, e.g. `stack2_block1_conv1/kernel`):
 * `input`; `stem_conv`, `stem_bn`, `stem_relu`; for stack s ∈ 1..3 and block b ∈ 1..n the prefix
 * `stack{s}_block{b}_` followed by `conv1`, `bn1`, `relu1`, `conv2`, `bn2`, `shortcut` (first block of
 * stacks 2 and 3 only), `add`, `relu`; then `avg_pool`, `flatten`, `dense`. Weights are `<layer>/kernel`
 * and `<layer>/bias` for convolutions and the dense layer; `<layer>/gamma`, `<layer>/beta`,
 * `<layer>/moving_mean`, `<layer>/moving_variance` for batch normalization.
 *
 * Parameter counts for 10 classes and 16 filters: ResNet-20 274,442 (273,066 trainable, 1,376 not),
 * ResNet-32 470,218, ResNet-56 861,770 (857,706 trainable).
 *
 * @param options - depth and the optional settings.
 * @returns an uncompiled functional model, named `resnet<depth>_v1`.
 * @throws RangeError for a depth that is not 6n + 2, or for other invalid options.
 */
export function resnetV1(options: ResNetV1Options): LayersModel {
  checkOptionKeys('resnetV1', options, OPTION_KEYS);
  const depth = options.depth;
  const blocks = resnetBlocksPerStack(depth);
  const inputShape = options.inputShape ?? [32, 32, 3];
  if (inputShape.length !== 3)
    throw new RangeError(`resnetV1: inputShape must be [height, width, channels], got [${inputShape}]`);
  for (const [i, d] of inputShape.entries()) positiveInteger(`inputShape[${i}]`, d);
  const numClasses = positiveInteger('numClasses', options.numClasses ?? 10);
  const numFilters = positiveInteger('numFilters', options.numFilters ?? 16);
  const weightDecay = options.weightDecay ?? 1e-4;
  if (!(weightDecay >= 0) || !Number.isFinite(weightDecay))
    throw new RangeError(`resnetV1: weightDecay must be a finite number ≥ 0, got ${weightDecay}`);
  const outputActivation = options.outputActivation ?? 'softmax';
  if (outputActivation !== 'softmax' && outputActivation !== 'linear')
    throw new RangeError(
      `resnetV1: outputActivation must be 'softmax' or 'linear', got '${outputActivation}'`,
    );
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  if (!Number.isFinite(seed)) throw new RangeError(`resnetV1: seed must be a finite number, got ${seed}`);

  const size = resnetV1Size({ depth, numFilters, numClasses, inputShape });
  const memory = totalmem();
  if (trainingBytes(size) > memory) {
    const gb = (bytes: number) => `${(bytes / 1e9).toPrecision(3)} GB`;
    throw new RangeError(
      `resnetV1: depth ${depth} with numFilters ${numFilters} means ${size.weights.toExponential(2)} weights in ${size.layers.toExponential(2)} layers, about ${gb(trainingBytes(size))} to build and train, more than this machine's ${gb(memory)} of memory; choose a smaller options.depth or options.numFilters`,
    );
  }
  const [height, width] = inputShape;
  const finalHeight = sameSize(sameSize(height, 2), 2);
  const finalWidth = sameSize(sameSize(width, 2), 2);

  const kernelRegularizer = weightDecay > 0 ? regularizers.l2({ l2: weightDecay }) : undefined;
  // Kernels start at zero and are overwritten below from our own generator: this keeps the weights
  // independent of tfjs' random ops and of the backend.
  const weighted: { layer: ReturnType<typeof layers.conv2d> | ReturnType<typeof layers.dense> }[] = [];

  const resnetLayer = (x: SymbolicTensor, args: ResnetLayerArgs): SymbolicTensor => {
    const conv = layers.conv2d({
      name: args.names.conv,
      filters: args.filters,
      kernelSize: args.kernelSize ?? 3,
      strides: args.strides ?? 1,
      padding: 'same',
      useBias: true,
      kernelInitializer: 'zeros',
      biasInitializer: 'zeros',
      ...(kernelRegularizer ? { kernelRegularizer } : {}),
    });
    weighted.push({ layer: conv });
    let y = conv.apply(x) as SymbolicTensor;
    if (args.batchNormalization ?? true) {
      y = new KerasBatchNormalization({ name: args.names.bn! }).apply(y) as SymbolicTensor;
    }
    if (args.activation ?? true) {
      y = layers.activation({ name: args.names.relu!, activation: 'relu' }).apply(y) as SymbolicTensor;
    }
    return y;
  };

  const input = inputLayer({ shape: [...inputShape], name: 'input' });
  let x = resnetLayer(input, {
    filters: numFilters,
    names: { conv: 'stem_conv', bn: 'stem_bn', relu: 'stem_relu' },
  });
  let filters = numFilters;
  for (let stack = 1; stack <= 3; stack++) {
    for (let block = 1; block <= blocks; block++) {
      const prefix = `stack${stack}_block${block}_`;
      const downsample = stack > 1 && block === 1;
      const strides = downsample ? 2 : 1;
      let y = resnetLayer(x, {
        filters,
        strides,
        names: { conv: `${prefix}conv1`, bn: `${prefix}bn1`, relu: `${prefix}relu1` },
      });
      y = resnetLayer(y, {
        filters,
        activation: false,
        names: { conv: `${prefix}conv2`, bn: `${prefix}bn2` },
      });
      if (downsample) {
        x = resnetLayer(x, {
          filters,
          kernelSize: 1,
          strides,
          activation: false,
          batchNormalization: false,
          names: { conv: `${prefix}shortcut` },
        });
      }
      x = layers.add({ name: `${prefix}add` }).apply([x, y]) as SymbolicTensor;
      x = layers.activation({ name: `${prefix}relu`, activation: 'relu' }).apply(x) as SymbolicTensor;
    }
    filters *= 2;
  }
  x = layers
    .averagePooling2d({
      name: 'avg_pool',
      poolSize: [finalHeight, finalWidth],
      strides: [finalHeight, finalWidth],
    })
    .apply(x) as SymbolicTensor;
  x = layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  const dense = layers.dense({
    name: 'dense',
    units: numClasses,
    activation: outputActivation,
    kernelInitializer: 'zeros',
    biasInitializer: 'zeros',
  });
  weighted.push({ layer: dense });
  const output = dense.apply(x) as SymbolicTensor;
  const model = functionalModel({ inputs: input, outputs: output, name: `resnet${depth}_v1` });

  initializeKernels(
    'resnetV1',
    weighted.map((w) => w.layer),
    createRng(seed),
  );
  return model;
}
