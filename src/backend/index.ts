export { ensureSecondOrderGradients } from './ensureSecondOrderGradients.js';
export { registerSecondOrderGradients } from './gradients/registerSecondOrderGradients.js';
export {
  activeBackend,
  type BackendInfo,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from './initBackend.js';
export type { OnednnStatus } from './kernels/registerOnednnKernels.js';
export { registerWasmKernels } from './kernels/registerWasmKernels.js';
