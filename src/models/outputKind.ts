import type { LayersModel } from '@tensorflow/tfjs-layers';

/** What a classifier outputs: class probabilities (after a softmax) or unnormalized logits. */
export type OutputKind = 'probabilities' | 'logits';

/**
 * Tells whether a model outputs probabilities or logits from the activation of its output layer:
 * `softmax` → probabilities, `linear` → logits (a Dense or Activation layer, or a Softmax layer).
 *
 * @param model - a single-output classifier.
 * @returns `'probabilities'` or `'logits'`.
 * @throws Error when the output layer's activation is neither (say which kind with an explicit option).
 */
export function modelOutputKind(model: LayersModel): OutputKind {
  const output = model.outputs[0];
  if (model.outputs.length !== 1 || output === undefined)
    throw new Error(`modelOutputKind: expected a model with one output, got ${model.outputs.length}`);
  const layer = output.sourceLayer;
  if (layer.getClassName() === 'Softmax') return 'probabilities';
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  if (activation === 'softmax') return 'probabilities';
  if (activation === 'linear' || activation === undefined) {
    if (activation === undefined && layer.getClassName() !== 'Dense')
      throw new Error(
        `modelOutputKind: cannot tell what output layer '${layer.name}' (${layer.getClassName()}) produces; say 'probabilities' or 'logits' explicitly`,
      );
    return 'logits';
  }
  throw new Error(
    `modelOutputKind: output layer '${layer.name}' has activation '${String(activation)}', neither softmax nor linear; say 'probabilities' or 'logits' explicitly`,
  );
}
