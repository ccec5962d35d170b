import { describeBackend, initBackend } from '../backend/initBackend.js';
import type { SplitDataset } from '../data/dataset.js';
import { disposeDataset } from '../data/dataset.js';
import { type DataSpec, dataIdentity, loadData } from '../data/sources/index.js';
import { measureRun, runMeasurement, runRecord } from '../run/measureRun.js';
import { runPaths } from '../run/runDirectory.js';
import type { RunRecord } from '../run/runResult.js';
import { canonicalJson } from '../run/runSpec.js';
import { trainRun } from '../run/trainRun.js';
import { readCheckpointState } from '../train/checkpoint.js';
import type { RunContext, Runner } from './executor.js';
import type { SweepTask } from './sweepTask.js';

/** The data of the last task, kept between the tasks of one worker (a sweep's runs share it). */
let cached: { key: string; data: SplitDataset } | undefined;

async function dataFor(spec: DataSpec): Promise<SplitDataset> {
  const key = canonicalJson({ ...dataIdentity(spec), dir: spec.dir });
  if (cached?.key === key) return cached.data;
  if (cached) disposeDataset(cached.data.train, cached.data.validation, cached.data.test);
  cached = undefined;
  const data = await loadData(spec);
  cached = { key, data };
  return data;
}

/**
 * Runs one task of a sweep exactly as `sgd-factors train` and `sgd-factors measure` run one run: trains
 * it into its run directory with {@link trainRun} (resuming from its checkpoint), measures it with
 * {@link measureRun}, and returns the record the sweep writes as the run's `result.json`.
 */
async function runExperiment(task: SweepTask, context: RunContext): Promise<RunRecord> {
  const data = await dataFor(task.spec.data);
  const fromEpoch = readCheckpointState(runPaths(task.runDir).checkpoint)?.epochsCompleted ?? 0;
  context.report({ type: 'training', fromEpoch });
  const trained = await trainRun(task.runDir, task.id, task.spec, {
    data,
    resume: true,
    quiet: true,
    onEpochEnd: (record) => context.report({ type: 'epoch', epochs: task.spec.training.epochs, record }),
  });
  try {
    context.report({ type: 'measuring' });
    const started = performance.now();
    const measurement = await measureRun(trained.model, data.train, task.spec);
    return runRecord(task.id, task.spec, trained.history, runMeasurement(measurement), {
      training: trained.seconds,
      measuring: (performance.now() - started) / 1000,
    });
  } finally {
    trained.model.dispose();
  }
}

/**
 * The runner a sweep uses by default: the registered model trained with plain SGD ({@link trainRun}),
 * then measured ({@link measureRun}). Its `setup` chooses the tfjs backend of the worker it runs in.
 */
export const experimentRunner: Runner = {
  async setup() {
    const info = await initBackend({ quiet: true });
    return `backend ${describeBackend(info)}`;
  },
  run: runExperiment,
};
