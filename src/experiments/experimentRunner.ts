import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend/initBackend.js';
import type { Dataset, SplitDataset } from '../data/dataset.js';
import { loadCifar10 } from '../data/loadCifar10.js';
import { syntheticCifar10 } from '../data/syntheticCifar10.js';
import { resnetV1 } from '../models/resnetV1.js';
import { readCheckpointState } from '../train/checkpoint.js';
import type { EpochRecord } from '../train/history.js';
import { stepDecay } from '../train/schedule.js';
import { trainSGD } from '../train/trainSGD.js';
import type { RunContext, Runner } from './executor.js';
import { measureMinimum } from './measureMinimum.js';
import { writeRunHistory } from './runHistory.js';
import type { RunEpoch, RunMeasurement, RunRecord } from './runRecord.js';
import type { RunSpec, SweepTask } from './sweepTask.js';

/** A loaded data set, kept between the tasks of one worker (they share it). */
let cached: { key: string; data: { train: Dataset; validation: Dataset } } | undefined;

function disposeDataset(data: Dataset): void {
  data.images.dispose();
  data.labels.dispose();
}

/** The first `count` examples of a data set, as new tensors. */
function head(data: Dataset, count: number): Dataset {
  return {
    images: tf.slice(data.images, [0, 0, 0, 0], [count, -1, -1, -1]) as tf.Tensor4D,
    labels: tf.slice(data.labels, [0], [count]) as tf.Tensor1D,
    numClasses: data.numClasses,
  };
}

async function loadData(spec: RunSpec): Promise<{ train: Dataset; validation: Dataset }> {
  const key = JSON.stringify([spec.data, spec.trainSize, spec.validationSize]);
  if (cached?.key === key) return cached.data;
  if (cached) {
    disposeDataset(cached.data.train);
    disposeDataset(cached.data.validation);
    cached = undefined;
  }
  const trainLimit = spec.trainSize === 'all' ? undefined : spec.trainSize;
  const testLimit = spec.validationSize === 'all' ? undefined : spec.validationSize;
  let split: SplitDataset;
  if (spec.data.kind === 'cifar10') {
    split = await loadCifar10({
      dir: spec.data.dir,
      ...(trainLimit !== undefined ? { limit: trainLimit } : {}),
      ...(testLimit !== undefined ? { testLimit } : {}),
    });
  } else {
    const full = syntheticCifar10({ n: spec.data.n, testN: spec.data.testN, seed: spec.data.seed });
    const train =
      trainLimit !== undefined && trainLimit < spec.data.n ? head(full.train, trainLimit) : full.train;
    const test =
      testLimit !== undefined && testLimit < spec.data.testN ? head(full.test, testLimit) : full.test;
    if (train !== full.train) disposeDataset(full.train);
    if (test !== full.test) disposeDataset(full.test);
    if (full.validation) disposeDataset(full.validation);
    split = { train, test };
  }
  if (split.validation) disposeDataset(split.validation);
  const data = { train: split.train, validation: split.test };
  cached = { key, data };
  return data;
}

function toRunEpoch(record: EpochRecord): RunEpoch {
  return {
    epoch: record.epoch + 1,
    trainLoss: record.loss,
    trainAccuracy: record.accuracy,
    valLoss: record.valLoss ?? null,
    valAccuracy: record.valAccuracy ?? null,
    learningRate: record.lr,
    seconds: record.seconds,
  };
}

/**
 * Runs one task of a sweep: builds ResNet-(depth) with the run's seed, trains it with trainSGD
 * (checkpointing every epoch into `runDir/checkpoint`, resuming from there if a checkpoint exists),
 * keeps the history in `runDir/history.json`, then measures the minimum with measureMinimum on the first
 * `measurement.examples` training images.
 */
async function runExperiment(task: SweepTask, context: RunContext): Promise<RunRecord> {
  const { spec } = task;
  const data = await loadData(spec);
  const checkpointDir = join(task.runDir, 'checkpoint');
  const fromEpoch = readCheckpointState(checkpointDir)?.epochsCompleted ?? 0;
  const model = resnetV1({ depth: spec.depth, seed: spec.seed, weightDecay: spec.weightDecay });
  try {
    context.report({ type: 'training', fromEpoch });
    const trainingStart = performance.now();
    const result = await trainSGD(model, data.train, {
      lr: spec.learningRate,
      batchSize: spec.batchSize,
      epochs: spec.epochs,
      schedule: stepDecay(spec.schedule),
      loss: spec.loss,
      seed: spec.seed,
      replacement: spec.replacement,
      validationData: data.validation,
      checkpointDir,
      resume: true,
      quiet: true,
      onEpochEnd: (record, history) => {
        writeRunHistory(task.runDir, history.map(toRunEpoch));
        context.report({ type: 'epoch', epochs: spec.epochs, record: toRunEpoch(record) });
      },
    });
    const trainingSeconds = (performance.now() - trainingStart) / 1000;
    const history = result.history.map(toRunEpoch);
    writeRunHistory(task.runDir, history);
    const final = history[history.length - 1];
    if (!final || history.length !== spec.epochs)
      throw new Error(`training of ${task.id} ended after ${history.length} of ${spec.epochs} epochs`);

    context.report({ type: 'measuring' });
    const measured = head(data.train, spec.measurement.examples);
    let measurement: RunMeasurement;
    const measuringStart = performance.now();
    try {
      const m = await measureMinimum(model, measured, {
        loss: spec.loss,
        estimator: spec.measurement.estimator,
        probes: spec.measurement.probes,
        batchSize: spec.measurement.batchSize,
        noise: spec.measurement.noise,
        sigmaHProbes: spec.measurement.sigmaHProbes,
        seed: spec.seed,
      });
      measurement = {
        traceH: m.traceH,
        traceSigma: m.traceSigma,
        traceSigmaH: m.traceSigmaH,
        gradNormSq: m.gradNormSq,
        loss: m.loss,
        magnitudeDifference: m.magnitudeDifference,
        settings: { ...m.settings },
      };
    } finally {
      disposeDataset(measured);
    }
    return {
      id: task.id,
      loss: spec.loss,
      batchSize: spec.batchSize,
      learningRate: spec.learningRate,
      seed: spec.seed,
      finalLearningRate: final.learningRate,
      epochs: spec.epochs,
      final,
      measurement,
      backend: tf.getBackend(),
      seconds: { training: trainingSeconds, measuring: (performance.now() - measuringStart) / 1000 },
    };
  } finally {
    model.dispose();
  }
}

/**
 * The runner a sweep uses by default: ResNet v1 trained with plain SGD (trainSGD), then measured
 * (measureMinimum). Its `setup` chooses the tfjs backend of the worker it runs in.
 */
export const experimentRunner: Runner = {
  async setup() {
    const info = await initBackend({ quiet: true });
    return `backend ${info.backend} (${info.reason || info.package})`;
  },
  run: runExperiment,
};
