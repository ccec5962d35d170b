import type { LayersModel } from '@tensorflow/tfjs-layers';
import { weightName } from '../io/weights.js';
import type { ParameterBlock } from './estimators/parameterBlock.js';

/**
 * The blocks of a model's flat parameter vector, one per trainable weight in `model.trainableWeights`
 * order (the layout of every curvature operator over the model), named by {@link weightName}
 * (`<layer>/<weight>`, e.g. `stem_conv/kernel`).
 *
 * @param model - a built tfjs-layers model.
 * @returns consecutive blocks covering [0, number of trainable parameters).
 */
export function parameterBlocks(model: LayersModel): ParameterBlock[] {
  let offset = 0;
  return model.trainableWeights.map((w) => {
    const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    const block = { name: weightName(w), offset, size };
    offset += size;
    return block;
  });
}
