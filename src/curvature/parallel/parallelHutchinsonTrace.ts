import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '../../data/dataset.js';
import {
  checkDatasetArrays,
  copyDatasetArrays,
  type DatasetArrays,
  datasetArrays,
} from '../../data/datasetArrays.js';
import { validateDataset } from '../../data/validateDataset.js';
import { LOSS_NAMES } from '../../train/losses.js';
import { checkInteger, checkOptionKeys, checkSeed, type OptionKeys } from '../../util/options.js';
import { createRng } from '../../util/random.js';
import {
  HUTCHINSON_OPTION_KEYS,
  HUTCHINSON_RENAMED,
  type HutchinsonOptions,
  type HutchinsonResult,
  hutchinsonPlan,
} from '../estimators/hutchinsonTrace.js';
import { checkDistribution, fillProbe } from '../estimators/probes.js';
import { meanAndStandardError } from '../estimators/stochasticEstimate.js';
import { parameterCount } from '../parameterVector.js';
import type {
  FromHessianWorker,
  HessianWorkerData,
  SerializableObjectiveOptions,
  ToHessianWorker,
} from './hessianWorkerProtocol.js';
import { copySnapshot, type ModelSnapshot, snapshotBuffers, snapshotModel } from './modelSnapshot.js';
import { siblingModuleUrl, startModuleWorker } from './moduleWorker.js';

const FN = 'parallelHutchinsonTrace';

/** Options for {@link parallelHutchinsonTrace}: those of `hutchinsonTrace`, the objective's, and the workers. */
export interface ParallelHutchinsonOptions extends HutchinsonOptions, SerializableObjectiveOptions {
  /**
   * Worker threads, each with its own tfjs backend and copy of the model and data; default the number of
   * cores. No more are started than there are probes.
   */
  workers?: number;
  /**
   * The workers' backend. Default: this thread's active backend when it is `wasm` or `cpu` (so the values
   * are bitwise those computed here). Native TensorFlow cannot be loaded by worker threads
   * (tensorflow/tfjs#8388): with it active, say `'wasm'` or `'cpu'` explicitly.
   */
  backend?: 'wasm' | 'cpu';
}

/** Result of {@link parallelHutchinsonTrace}: `hutchinsonTrace`'s, plus how the work was spread. */
export interface ParallelHutchinsonResult extends HutchinsonResult {
  /** Worker threads started. */
  workers: number;
  /**
   * For each worker, seconds from the call until it was ready (model and data copied and sent, backend
   * initialized, model rebuilt): the fixed cost on top of the probes. NaN for a worker that was still
   * setting up when the estimate was complete.
   */
  readySeconds: number[];
  /** For each worker, the probe values it returned (the load balance). */
  probesPerWorker: number[];
}

/** Every key of {@link ParallelHutchinsonOptions}, for {@link checkOptionKeys}. */
const OPTION_KEYS: OptionKeys<ParallelHutchinsonOptions> = {
  ...HUTCHINSON_OPTION_KEYS,
  loss: true,
  outputs: true,
  batchSize: true,
  bnMode: true,
  includeRegularization: true,
  workers: true,
  backend: true,
};

function objectiveOf(options: ParallelHutchinsonOptions): SerializableObjectiveOptions {
  if (options.loss !== undefined && !LOSS_NAMES.includes(options.loss))
    throw new RangeError(
      `${FN}: options.loss must be one of ${LOSS_NAMES.map((n) => `'${n}'`).join(', ')} (a loss function cannot be sent to a worker), got ${typeof options.loss === 'function' ? 'a function' : `'${String(options.loss)}'`}`,
    );
  if (options.batchSize !== undefined) checkInteger(FN, 'batchSize', options.batchSize, 1);
  const objective: SerializableObjectiveOptions = {};
  if (options.loss !== undefined) objective.loss = options.loss;
  if (options.outputs !== undefined) objective.outputs = options.outputs;
  if (options.batchSize !== undefined) objective.batchSize = options.batchSize;
  if (options.bnMode !== undefined) objective.bnMode = options.bnMode;
  if (options.includeRegularization !== undefined)
    objective.includeRegularization = options.includeRegularization;
  return objective;
}

function backendOf(options: ParallelHutchinsonOptions): 'wasm' | 'cpu' {
  if (options.backend !== undefined) {
    if (options.backend !== 'wasm' && options.backend !== 'cpu')
      throw new RangeError(
        `${FN}: options.backend must be 'wasm' or 'cpu', got '${String(options.backend)}'`,
      );
    return options.backend;
  }
  const active = tf.getBackend();
  if (active === 'wasm' || active === 'cpu') return active;
  throw new Error(
    `${FN}: the active backend '${active}' cannot run in worker threads (native TensorFlow loads in one thread only, tensorflow/tfjs#8388); pass backend: 'wasm' or 'cpu' (values then differ from this backend's in float32 rounding), or use hutchinsonTrace in this thread`,
  );
}

/**
 * Girard–Hutchinson's estimate of Tr H, H the Hessian of a model's training objective, with the probes
 * shared among worker threads: the same result as
 * `hutchinsonTrace(hessianOperator(model, data, options), options)` in this thread, bit for bit,
 * whatever the number of workers, in about 1/K of the
 * time on K free cores.
 *
 * @remarks
 * Each worker initializes its own tfjs backend (this thread's, wasm or cpu), rebuilds the model from its
 * spec (a LayersModel is described by its topology JSON; pass a {@link ModelSnapshot} with a `resnetV1` or
 * `module` spec otherwise), loads all its weights — trainable and not, so batch-norm moving statistics
 * included — and builds `hessianOperator` on its own copy of the data (buffers are transferred, not
 * cloned). Memory is therefore K times one product's (≈ 1.3 GB for ResNet-20 at chunk 32 on wasm).
 *
 * This thread draws the probes exactly as `hutchinsonTrace` does — one RNG stream from `seed`, probe i
 * being the i-th draw — and hands probe i to the next idle worker, which returns zᵢᵀHzᵢ summed in the same
 * order as `hutchinsonTrace` sums it. The values are collected in probe order, so the estimate, the
 * standard error, the samples and (with `tol`) the stopping point are those of the single-threaded
 * estimator: bitwise equal, since each worker computes the same float32 operations on the same backend.
 * With `tol`, the stopping rule is checked in probe order as values arrive; probes that were already
 * running when it is met are discarded (at most K − 1 wasted products).
 *
 * Workers are terminated when the estimate is complete and when anything fails; the promise settles only
 * after they have exited. An error in a worker rejects with its message (e.g. a weight of the wrong shape,
 * an out-of-memory product).
 *
 * @param model - the model (its current weights are copied), or a snapshot of it.
 * @param data - the examples the objective averages over, as tensors or arrays.
 * @param options - `hutchinsonTrace`'s options, the objective's (loss by name), workers and backend.
 * @returns `hutchinsonTrace`'s result, plus the workers started, when each was ready and how many probes
 *   each computed.
 * @throws RangeError naming the option when an option is invalid; Error with the worker's message when a
 *   worker fails.
 */
export async function parallelHutchinsonTrace(
  model: LayersModel | ModelSnapshot,
  data: Dataset | DatasetArrays,
  options: ParallelHutchinsonOptions = {},
): Promise<ParallelHutchinsonResult> {
  const started = performance.now();
  checkOptionKeys(FN, options, OPTION_KEYS, HUTCHINSON_RENAMED);
  const distribution = checkDistribution(FN, options.distribution);
  const seed = checkSeed(FN, options.seed);
  const { adaptive, tol, minMatvecs: minProbes, maxMatvecs: maxProbes } = hutchinsonPlan(FN, options);
  const objective = objectiveOf(options);
  const workers = checkInteger(FN, 'workers', options.workers ?? availableParallelism(), 1);
  const backend = backendOf(options);

  const isModel = model instanceof LayersModel;
  if (!('shape' in data))
    validateDataset(data, { caller: FN, argument: 'data' }, isModel ? model : undefined);
  const snapshot = isModel ? await snapshotModel(model) : model;
  const expectedDim = isModel ? parameterCount(model) : undefined;
  const arrays = 'shape' in data ? data : await datasetArrays(data);
  checkDatasetArrays(arrays, FN);
  const count = Math.min(workers, maxProbes);
  const entry = siblingModuleUrl(import.meta.url, 'hessianWorker');
  const alsoImports = snapshot.spec.kind === 'module' ? [snapshot.spec.url] : [];

  return new Promise<ParallelHutchinsonResult>((resolve, reject) => {
    const pool: Worker[] = [];
    const rng = createRng(seed);
    const values = new Float64Array(maxProbes);
    const have = new Uint8Array(maxProbes);
    let dim = expectedDim;
    let nextIndex = 0;
    const readySeconds = new Array<number>(count).fill(Number.NaN);
    const probesPerWorker = new Array<number>(count).fill(0);
    // Welford's running mean over the values received in probe order (the prefix 0..prefix-1).
    let prefix = 0;
    let mean = 0;
    let m2 = 0;
    let total: number | undefined;
    let converged = !adaptive;
    let settled = false;

    const shutDown = async (): Promise<void> => {
      await Promise.allSettled(pool.map((w) => w.terminate()));
    };
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      void shutDown().then(() => reject(error));
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      const samples = values.slice(0, total);
      const stats = meanAndStandardError(samples);
      const result: ParallelHutchinsonResult = {
        estimate: stats.mean,
        standardError: stats.standardError,
        matvecs: samples.length,
        probeValues: samples,
        converged,
        workers: count,
        readySeconds,
        probesPerWorker,
      };
      void shutDown().then(() => resolve(result));
    };
    const dispatch = (worker: Worker): void => {
      if (settled || total !== undefined || nextIndex >= maxProbes) return;
      // Drawn in index order from one stream, exactly as hutchinsonTrace draws them.
      const vector = fillProbe(new Float64Array(dim!), rng, distribution);
      const message: ToHessianWorker = { type: 'probe', index: nextIndex++, vector };
      worker.postMessage(message, [vector.buffer as ArrayBuffer]);
    };
    const record = (index: number, value: number): void => {
      values[index] = value;
      have[index] = 1;
      while (total === undefined && prefix < maxProbes && have[prefix]) {
        const q = values[prefix]!;
        const k = ++prefix;
        const delta = q - mean;
        mean += delta / k;
        m2 += delta * (q - mean);
        options.onProgress?.({ stage: FN, done: k, total: maxProbes });
        if (adaptive && k >= minProbes && Math.sqrt(m2 / (k - 1) / k) <= tol * Math.abs(mean)) {
          converged = true;
          total = k;
        }
      }
      if (total === undefined && prefix === maxProbes) total = maxProbes;
      if (total !== undefined) finish();
    };

    for (let slot = 0; slot < count; slot++) {
      const ownData = copyDatasetArrays(arrays);
      const ownModel = copySnapshot(snapshot);
      const workerData: HessianWorkerData = { slot, backend, model: ownModel, data: ownData, objective };
      let worker: Worker;
      try {
        worker = startModuleWorker(entry, {
          workerData,
          transferList: [
            ownData.images.buffer as ArrayBuffer,
            ownData.labels.buffer as ArrayBuffer,
            ...snapshotBuffers(ownModel),
          ],
          alsoImports,
          caller: FN,
        });
      } catch (error) {
        fail(error as Error);
        return;
      }
      pool.push(worker);
      let lastError: Error | undefined;
      worker.on('message', (message: FromHessianWorker) => {
        if (settled) return;
        switch (message.type) {
          case 'ready':
            if (dim !== undefined && message.dim !== dim) {
              fail(
                new Error(
                  `${FN}: worker ${slot} rebuilt a model with ${message.dim} trainable parameters, expected ${dim}`,
                ),
              );
              return;
            }
            dim = message.dim;
            readySeconds[slot] = (performance.now() - started) / 1000;
            dispatch(worker);
            break;
          case 'value':
            probesPerWorker[slot]!++;
            try {
              record(message.index, message.value);
              dispatch(worker);
            } catch (error) {
              // e.g. onProgress threw: fail the call rather than leave an uncaught error in this thread.
              fail(error instanceof Error ? error : new Error(String(error)));
            }
            break;
          case 'failed':
            fail(
              new Error(
                `${FN}: worker ${slot} failed ${message.index === null ? 'to set up' : `on probe ${message.index}`}: ${message.error}`,
              ),
            );
            break;
        }
      });
      worker.on('error', (error) => {
        lastError = error;
      });
      worker.on('exit', (code) => {
        fail(
          new Error(
            `${FN}: worker ${slot} exited unexpectedly (code ${code})${lastError ? `: ${lastError.message}` : ''}`,
          ),
        );
      });
    }
  });
}
