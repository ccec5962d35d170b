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
  type LoadWeightsOptions,
  loadWeights,
  modelTensors,
  saveWeights,
  weightName,
} from './weights.js';
