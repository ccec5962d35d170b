import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BackendName, initBackend } from '../../backend/initBackend.js';
import { disposeDataset } from '../../data/dataset.js';
import { dataSpecShape, loadData, prepareDataSpec } from '../../data/sources/index.js';
import { describeModel } from '../../models/modelRegistry.js';
import { normalizeMeasurementSpec, normalizeTrainingSpec } from '../../run/normalizeSpec.js';
import { runPaths } from '../../run/runDirectory.js';
import type { RunSpec } from '../../run/runSpec.js';
import { trainRun } from '../../run/trainRun.js';
import { LOSS_NAMES } from '../../train/losses.js';
import { normalizeTracking, TRACKED_QUANTITIES, type TrackedQuantity } from '../../train/trackCurvature.js';
import { type Command, UsageError } from '../command.js';
import { DATA_FLAG_OPTIONS, dataFlagsUsage, dataRequestFromFlags } from '../dataFlags.js';
import {
  asUsageError,
  checkOutputDirectory,
  choiceFlag,
  integerFlag,
  integerListFlag,
  numberFlag,
} from '../flags.js';
import { withResumeHint } from '../interrupt.js';
import { MODEL_FLAG_OPTIONS, modelFlagsUsage, modelSpecFromFlags } from '../modelFlags.js';

const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const TRACK_FLAGS = ['track', 'track-examples', 'track-probes'] as const;

/** The run's `tracking` from --track-every and its companions, or undefined without --track-every. */
function trackingFromFlags(
  values: Partial<Record<'track-every' | (typeof TRACK_FLAGS)[number], string>>,
  trainSize: number,
): RunSpec['tracking'] {
  const every = integerFlag('--track-every', values['track-every'], 1);
  if (every === undefined) {
    const stray = TRACK_FLAGS.find((f) => values[f] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --track-every K`);
    return undefined;
  }
  const quantities = values.track
    ?.split(',')
    .map((q) => choiceFlag<TrackedQuantity>('--track', q.trim(), TRACKED_QUANTITIES) as TrackedQuantity);
  const examples = integerFlag('--track-examples', values['track-examples'], 2);
  if (examples !== undefined && examples > trainSize)
    throw new UsageError(`--track-examples ${examples} exceeds the ${trainSize} training examples`);
  const probes = integerFlag('--track-probes', values['track-probes'], 2);
  return asUsageError('tracking', () =>
    normalizeTracking(
      {
        every,
        ...(quantities ? { quantities } : {}),
        ...(examples !== undefined ? { examples } : {}),
        ...(probes !== undefined ? { probes } : {}),
      },
      trainSize,
    ),
  );
}

/** `sgd-factors train`: trains a registered model into a resumable run directory. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train a network with plain SGD at a chosen learning rate and batch size (resumable)',
  usage: `sgd-factors train [--dataset NAME] (--data DIR | --download | --synthetic N) --out DIR [options]

Trains a registered model (ResNet v1 of Keras' cifar10_resnet.py, the paper's Figure 1, by default) with
mini-batch SGD and the paper's step schedule (δ, then δ/10 from epoch 60, δ/100 from epoch 100),
checkpointing after every epoch. DIR becomes a run directory: config.json (the run's spec and hash),
checkpoint/, history.json (per-epoch loss, accuracy, validation, learning rate, seconds) and, at the end,
weights.safetensors. Measure it with 'sgd-factors measure DIR', report it with 'sgd-factors report DIR'.

Data:
${dataFlagsUsage()}
  --limit N            train on the first N training examples only
  --test-limit N       validate on the first N test examples only

Model:
${modelFlagsUsage()}

Training:
  --lr δ               base learning rate (default 0.1)
  --batch-size m       mini-batch size (default 128)
  --epochs E           epochs (default 125)
  --loss L             ${LOSS_NAMES.join(', ')} (default kld)
  --momentum μ         Keras-style momentum in [0, 1) (default 0: plain SGD, as in the paper)
  --lr-drops E1,E2     epochs at which the rate is multiplied by --lr-factor (default 60,100; '' for none)
  --lr-factor F        the multiplier (default 0.1)
  --seed S             seed of the initialization, batch order and augmentation (default 0)
  --replacement        draw each mini-batch with replacement instead of shuffling per epoch
  --augment            pad-4-and-crop plus horizontal flips, as in the Keras example (default off)

Curvature during training (stored in history.json, plotted by 'sgd-factors report'; training is the same
as without it):
  --track-every K      measure after every K-th epoch and after the last
  --track LIST         what: traceH,traceSigma,topEigenvalue (default all)
  --track-examples N   over the first N training examples (default 256, or all if fewer)
  --track-probes P     Hutchinson probes of Tr H (default 10; λ_max takes up to 20 Lanczos products)

Output:
  --out DIR            run directory (e.g. runs/NAME); must not hold a run unless --resume
  --resume             continue the run in DIR from its last checkpoint
  --backend B          tensorflow, wasm or cpu (default: the fastest available)
  --quiet              no progress output`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        ...DATA_FLAG_OPTIONS,
        ...MODEL_FLAG_OPTIONS,
        limit: { type: 'string' },
        'test-limit': { type: 'string' },
        lr: { type: 'string' },
        'batch-size': { type: 'string' },
        epochs: { type: 'string' },
        loss: { type: 'string' },
        momentum: { type: 'string' },
        'lr-drops': { type: 'string' },
        'lr-factor': { type: 'string' },
        seed: { type: 'string' },
        'track-every': { type: 'string' },
        track: { type: 'string' },
        'track-examples': { type: 'string' },
        'track-probes': { type: 'string' },
        replacement: { type: 'boolean', default: false },
        augment: { type: 'boolean', default: false },
        out: { type: 'string' },
        resume: { type: 'boolean', default: false },
        backend: { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    const out = values.out;
    if (!out) throw new UsageError('--out DIR is required');
    checkOutputDirectory('--out', out);
    const epochs = integerFlag('--epochs', values.epochs, 0) ?? 125;
    const training = asUsageError('training', () =>
      normalizeTrainingSpec(
        {
          loss: choiceFlag('--loss', values.loss, LOSS_NAMES) ?? 'kld',
          learningRate: numberFlag('--lr', values.lr, (x) => x > 0, 'a positive number') ?? 0.1,
          batchSize: integerFlag('--batch-size', values['batch-size'], 1) ?? 128,
          epochs,
          momentum: numberFlag('--momentum', values.momentum, (x) => x >= 0 && x < 1, 'in [0, 1)') ?? 0,
          seed: integerFlag('--seed', values.seed, 0) ?? 0,
          schedule: {
            boundaries:
              integerListFlag('--lr-drops', values['lr-drops'], 1) ?? [60, 100].filter((e) => e < epochs),
            factor:
              numberFlag('--lr-factor', values['lr-factor'], (x) => x > 0 && x <= 1, 'in (0, 1]') ?? 0.1,
          },
          replacement: values.replacement,
          augment: values.augment ? { padCrop: 4, flip: true } : null,
        },
        '--lr-drops/--lr-factor',
      ),
    );
    const model = modelSpecFromFlags(values);
    const request = dataRequestFromFlags(values, {
      trainSize: integerFlag('--limit', values.limit, 1) ?? null,
      testSize: integerFlag('--test-limit', values['test-limit'], 1) ?? null,
    });
    const backendName = choiceFlag('--backend', values.backend, BACKENDS);
    const backend = await initBackend({
      quiet: values.quiet,
      ...(backendName ? { backend: backendName } : {}),
    });
    const data = await asUsageError('data', () =>
      prepareDataSpec({ ...request, quiet: values.quiet }, 'train'),
    );
    const shape = dataSpecShape(data);
    if (training.batchSize > shape.trainSize)
      throw new UsageError(
        `--batch-size ${training.batchSize} exceeds the ${shape.trainSize} training examples`,
      );
    const tracking = trackingFromFlags(values, shape.trainSize);
    const spec: RunSpec = {
      data,
      model,
      training,
      measurement: normalizeMeasurementSpec({ examples: Math.min(1000, shape.trainSize) }, 'measurement'),
      ...(tracking ? { tracking } : {}),
    };
    const loaded = await loadData(data);
    const log = (line: string) => {
      if (!values.quiet) process.stderr.write(`${line}\n`);
    };
    try {
      log(
        `sgd-factors train: ${describeModel(model)} on ${shape.trainSize} ${data.name} examples, backend ${backend.backend}, ` +
          `δ=${training.learningRate}, m=${training.batchSize}, ${training.loss}, ${epochs} epoch${epochs === 1 ? '' : 's'}`,
      );
      const trained = await withResumeHint(
        `every finished epoch is checkpointed in ${out}; continue with the same command and --resume`,
        () =>
          trainRun(resolve(out), basename(resolve(out)), spec, {
            data: loaded,
            resume: values.resume,
            quiet: values.quiet,
          }),
      );
      trained.model.dispose();
      const last = trained.history[trained.history.length - 1];
      log(
        last
          ? `done: ${trained.history.length} epoch${trained.history.length === 1 ? '' : 's'}, train acc ${last.accuracy.toFixed(4)}${last.valAccuracy !== undefined ? `, val acc ${last.valAccuracy.toFixed(4)}` : ''}; run directory ${out} (measure it with: sgd-factors measure ${out})`
          : `done: no epochs to train; weights in ${runPaths(out).weights}`,
      );
      return 0;
    } finally {
      disposeDataset(loaded.train, loaded.validation, loaded.test);
    }
  },
};
