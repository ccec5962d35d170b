import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs registered wasm kernels directly (below the engine, so nothing is recorded on a gradient tape or
 * counted as a tensor) and frees every intermediate result when the composite kernel is done.
 *
 * @remarks
 * A composite kernel calls {@link WasmKernelScope.run} for each step, {@link WasmKernelScope.keep}s the
 * result it returns to the engine, and calls {@link WasmKernelScope.dispose} in a `finally` block. Each
 * wasm kernel result holds one reference to its data (a reshape shares the data of its input and adds a
 * reference), so releasing each result once is exactly right.
 */
export class WasmKernelScope {
  private readonly temporaries: tf.TensorInfo[] = [];

  /** @param backend - the wasm backend the kernel was called with. */
  constructor(readonly backend: BackendWasm) {}

  /**
   * Runs the wasm kernel `kernelName` and tracks its result for disposal.
   * @throws Error if no wasm kernel of that name is registered.
   */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (kernel === undefined)
      throw new Error(`WasmKernelScope: no '${kernelName}' kernel on the wasm backend`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) throw new Error(`WasmKernelScope: '${kernelName}' returned several outputs`);
    this.temporaries.push(out);
    return out;
  }

  /** Reshapes without copying (the wasm Reshape kernel shares the data and adds a reference). */
  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** A new float32 tensor holding `values`, tracked for disposal. */
  fromValues(values: Float32Array, shape: number[]): tf.TensorInfo {
    const out = this.backend.makeOutput(shape, 'float32', undefined, values);
    this.temporaries.push(out);
    return out;
  }

  /** A new uninitialized float32 tensor on the wasm heap, tracked for disposal. */
  allocate(shape: number[]): tf.TensorInfo {
    const out = this.backend.makeOutput(shape, 'float32');
    this.temporaries.push(out);
    return out;
  }

  /** Stops tracking `t`: it is the composite kernel's result and now belongs to the engine. */
  keep(t: tf.TensorInfo): tf.TensorInfo {
    const index = this.temporaries.lastIndexOf(t);
    if (index >= 0) this.temporaries.splice(index, 1);
    return t;
  }

  /** Releases every tracked intermediate. */
  dispose(): void {
    for (const t of this.temporaries) this.backend.disposeData(t.dataId);
    this.temporaries.length = 0;
  }
}
