import {
  model as functionalModel,
  input as inputLayer,
  type LayersModel,
  layers,
  regularizers,
  type SymbolicTensor,
} from '@tensorflow/tfjs-layers';
import { createRng } from '../util/random.js';
import { initializeKernels } from './heNormal.js';

/** The hidden-layer activations {@link mlp} offers. */
export const MLP_ACTIVATIONS = ['relu', 'tanh', 'sigmoid'] as const;

/** A hidden-layer activation of {@link mlp}. */
export type MlpActivation = (typeof MLP_ACTIVATIONS)[number];

/** Options for {@link mlp}. */
export interface MlpOptions {
  /** Shape of one input example, e.g. `[784]` or `[28, 28, 1]` (flattened first). */
  inputShape: readonly number[];
  /** Number of classes, the width of the output layer. */
  numClasses: number;
  /** Units of each hidden layer, in order; `[]` gives multinomial logistic regression. Default `[128]`. */
  hidden?: readonly number[];
  /** Activation of the hidden layers. Default `relu`. */
  activation?: MlpActivation;
  /** L2 factor on every kernel (hidden and output): the loss gains `weightDecay · Σ w²`. Default 0. */
  weightDecay?: number;
  /** Seed of the initialization; equal seeds give identical weights on every backend. */
  seed: number;
  /** `'softmax'` (default) outputs probabilities; `'linear'` outputs logits. */
  outputActivation?: 'softmax' | 'linear';
}

/** The largest number of parameters {@link mlp} builds (a float32 copy is 2 GB): a typo, not a model. */
const MAX_MLP_PARAMETERS = 500_000_000;

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new RangeError(`mlp: ${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/**
 * A fully connected classifier: Flatten (when the input has more than one axis) → Dense(hᵢ, activation)
 * for each hidden width → Dense(numClasses, softmax). Kernels are drawn as Keras' `he_normal` from
 * `createRng(seed)` layer by layer (so a seed gives the same weights on every backend), biases start at 0.
 *
 * @remarks
 * Layer names are stable, `hidden1`, `hidden2`, …, `output`, so they name the weights in safetensors files
 * (`hidden1/kernel`, `output/bias`). It has no batch normalization, so its Hessian and gradient noise do
 * not depend on a batch-norm mode.
 *
 * @param options - input shape, classes, hidden widths, activation, L2 factor, seed.
 * @returns an uncompiled functional model named `mlp`.
 * @throws RangeError naming the option when a width, shape or factor is invalid or the model would exceed
 * 500 million parameters.
 */
export function mlp(options: MlpOptions): LayersModel {
  const inputShape = options.inputShape.map((d, i) => positiveInteger(`inputShape[${i}]`, d));
  if (inputShape.length === 0) throw new RangeError('mlp: inputShape must have at least one axis');
  const numClasses = positiveInteger('numClasses', options.numClasses);
  const hidden = (options.hidden ?? [128]).map((h, i) => positiveInteger(`hidden[${i}]`, h));
  const activation = options.activation ?? 'relu';
  if (!MLP_ACTIVATIONS.includes(activation))
    throw new RangeError(`mlp: activation must be one of ${MLP_ACTIVATIONS.join(', ')}, got '${activation}'`);
  const weightDecay = options.weightDecay ?? 0;
  if (!(weightDecay >= 0) || !Number.isFinite(weightDecay))
    throw new RangeError(`mlp: weightDecay must be a finite number ≥ 0, got ${weightDecay}`);
  const outputActivation = options.outputActivation ?? 'softmax';
  if (outputActivation !== 'softmax' && outputActivation !== 'linear')
    throw new RangeError(`mlp: outputActivation must be 'softmax' or 'linear', got '${outputActivation}'`);
  if (!Number.isFinite(options.seed))
    throw new RangeError(`mlp: seed must be a finite number, got ${options.seed}`);
  const widths = [inputShape.reduce((a, b) => a * b, 1), ...hidden, numClasses];
  let parameters = 0;
  for (let i = 1; i < widths.length; i++)
    parameters += ((widths[i - 1] as number) + 1) * (widths[i] as number);
  if (parameters > MAX_MLP_PARAMETERS)
    throw new RangeError(
      `mlp: ${parameters.toExponential(2)} parameters exceed the bound of ${MAX_MLP_PARAMETERS.toExponential(0)} (hidden: [${hidden.join(', ')}])`,
    );

  const kernelRegularizer = weightDecay > 0 ? regularizers.l2({ l2: weightDecay }) : undefined;
  const input = inputLayer({ shape: inputShape, name: 'input' });
  let x: SymbolicTensor = input;
  if (inputShape.length > 1) x = layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  const dense: ReturnType<typeof layers.dense>[] = [];
  const addDense = (name: string, units: number, act: string) => {
    const layer = layers.dense({
      name,
      units,
      activation: act as 'relu',
      kernelInitializer: 'zeros',
      biasInitializer: 'zeros',
      ...(kernelRegularizer ? { kernelRegularizer } : {}),
    });
    dense.push(layer);
    x = layer.apply(x) as SymbolicTensor;
  };
  for (const [i, units] of hidden.entries()) addDense(`hidden${i + 1}`, units, activation);
  addDense('output', numClasses, outputActivation);
  const model = functionalModel({ inputs: input, outputs: x, name: 'mlp' });

  initializeKernels('mlp', dense, createRng(options.seed));
  return model;
}
