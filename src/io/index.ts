export {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsContent,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsTensor,
} from './safetensors.js';
export {
  checkWeightValues,
  type LoadWeightsOptions,
  loadWeights,
  saveWeights,
} from './weights.js';
