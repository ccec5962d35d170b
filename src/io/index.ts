export {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsContent,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsTensor,
} from './safetensors.js';
export {
  assignTensors,
  checkWeightValues,
  type LoadWeightsOptions,
  loadWeights,
  modelTensors,
  saveWeights,
  weightName,
} from './weights.js';
