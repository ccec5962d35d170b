import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type BackendName, initBackend } from '../../backend/initBackend.js';
import { BATCH_NORM_MODES } from '../../curvature/trainingObjective.js';
import { disposeDataset } from '../../data/dataset.js';
import { dataSpecShape, loadData, prepareDataSpec } from '../../data/sources/index.js';
import type { BlockMeasurement } from '../../experiments/blockMeasurements.js';
import {
  BATCH_NORM_STATISTICS,
  type MinimumMeasurement,
  TRACE_ESTIMATORS,
} from '../../experiments/measureMinimum.js';
import { loadWeights } from '../../io/weights.js';
import { buildModel, describeModel } from '../../models/modelRegistry.js';
import type { Estimate } from '../../noise/estimate.js';
import { type MeasureProgress, NOISE_METHODS } from '../../noise/gradientNoise.js';
import { formatMeasurementPlan, planMeasurement } from '../../run/measurementPlan.js';
import { measureRun, runMeasurement, runRecord } from '../../run/measureRun.js';
import { normalizeMeasurementSpec, normalizeTrainingSpec } from '../../run/normalizeSpec.js';
import {
  type RunConfigFile,
  readRunConfig,
  readRunHistory,
  runPaths,
  writeRunConfig,
  writeRunResult,
} from '../../run/runDirectory.js';
import type { RunSpec } from '../../run/runSpec.js';
import { LOSS_NAMES } from '../../train/losses.js';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { createProgress, type Progress } from '../../util/progress.js';
import { type Command, UsageError } from '../command.js';
import {
  DATA_FLAG_OPTIONS,
  type DataFlagValues,
  dataFlagsUsage,
  dataRequestFromFlags,
  hasDataFlags,
} from '../dataFlags.js';
import { asUsageError, choiceFlag, integerFlag } from '../flags.js';
import { hasModelFlags, MODEL_FLAG_OPTIONS, modelFlagsUsage, modelSpecFromFlags } from '../modelFlags.js';

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs >= 1e5 || abs < 1e-3 ? x.toExponential(4) : x.toPrecision(6);
}

/** Columns padded to their widest cell, the first left-aligned and the rest right-aligned. */
function alignedRows(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)];
}

/** The per-block table of `measure --per-layer`: each block's Tr H (± SE), tr σ² and their ratio, and the sums. */
export function formatBlockTable(blocks: readonly BlockMeasurement[]): string {
  const ratio = (h: number, s: number) => (s === 0 ? 'n/a' : formatNumber(h / s));
  const body = blocks.map((b) => [
    b.block,
    b.parameters.toLocaleString('en-US'),
    formatNumber(b.traceH),
    formatNumber(b.traceHStandardError),
    formatNumber(b.traceSigma),
    ratio(b.traceH, b.traceSigma),
  ]);
  const sum = (pick: (b: BlockMeasurement) => number) => blocks.reduce((s, b) => s + pick(b), 0);
  const traceH = sum((b) => b.traceH);
  const traceSigma = sum((b) => b.traceSigma);
  body.push([
    'sum of blocks',
    sum((b) => b.parameters).toLocaleString('en-US'),
    formatNumber(traceH),
    '',
    formatNumber(traceSigma),
    ratio(traceH, traceSigma),
  ]);
  const header = ['block', 'parameters', 'Tr H_bb', 'std. error', 'tr σ²_bb', 'Tr H_bb / tr σ²_bb'];
  return `${alignedRows(header, body).join('\n')}\n`;
}

/** A readable table of the measurement. */
export function formatMeasurementTable(m: MinimumMeasurement): string {
  const rows: [string, Estimate][] = [
    ['Tr H', m.traceH],
    ['tr σ²', m.traceSigma],
    ['tr(σ²H)', m.traceSigmaH],
    ['|∇f|²', m.gradNormSq],
    ['f (loss)', m.loss],
    ['Tr H / tr σ²', m.magnitudeDifference],
    ['B_simple', m.bSimple],
  ];
  const header = ['quantity', 'estimate', 'std. error', 'samples', 'matvecs', 'examples'];
  const body = rows.map(([name, e]) => [
    name,
    formatNumber(e.estimate),
    e.standardError === 0
      ? 'exact'
      : Number.isNaN(e.standardError) && e.samples === 1
        ? 'n/a (1 probe)'
        : formatNumber(e.standardError),
    String(e.samples),
    String(e.matvecs),
    String(e.examples),
  ]);
  const s = m.settings;
  const lines = alignedRows(header, body);
  if (m.topEigenvalues) {
    lines.push(
      '',
      `top eigenvalues: ${m.topEigenvalues.values.map(formatNumber).join(', ')} (${m.topEigenvalues.matvecs} matvecs${m.topEigenvalues.converged ? '' : ', not converged'})`,
    );
  }
  if (m.perLayer) lines.push('', formatBlockTable(m.perLayer).trimEnd());
  lines.push(
    '',
    `${s.examples} examples, ${s.parameters.toLocaleString('en-US')} trainable parameters, loss ${s.loss}, bn ${s.bnMode}, ` +
      `regularization ${s.includeRegularization ? 'included' : 'excluded'}, Tr H by ${s.estimator} (${s.probes} matvecs), ` +
      `tr σ² by ${s.noise}, seed ${s.seed}, backend ${s.backend}, ${s.seconds.toFixed(1)} s`,
  );
  return `${lines.join('\n')}\n`;
}

const MEASUREMENT_FLAGS = {
  limit: { type: 'string' },
  estimator: { type: 'string' },
  probes: { type: 'string' },
  noise: { type: 'string' },
  'minibatch-size': { type: 'string' },
  minibatches: { type: 'string' },
  'sigma-h-probes': { type: 'string' },
  'top-eigenvalues': { type: 'string' },
  'bn-mode': { type: 'string' },
  'bn-statistics': { type: 'string' },
  'no-regularization': { type: 'boolean' },
  'batch-size': { type: 'string' },
  'per-layer': { type: 'boolean' },
  'no-per-layer': { type: 'boolean' },
} as const;

/** The measurement settings the flags change, as spec fields (absent flags leave the run's or the default). */
function measurementOverrides(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const text = (k: string) => values[k] as string | undefined;
  const out: Record<string, unknown> = {
    examples: integerFlag('--limit', text('limit'), 2),
    estimator: choiceFlag('--estimator', text('estimator'), TRACE_ESTIMATORS),
    probes: integerFlag('--probes', text('probes'), 1),
    noise: choiceFlag('--noise', text('noise'), NOISE_METHODS),
    minibatchSize: integerFlag('--minibatch-size', text('minibatch-size'), 1),
    minibatches: integerFlag('--minibatches', text('minibatches'), 1),
    sigmaHProbes: integerFlag('--sigma-h-probes', text('sigma-h-probes'), 1),
    topEigenvalues: integerFlag('--top-eigenvalues', text('top-eigenvalues'), 0),
    bnMode: choiceFlag('--bn-mode', text('bn-mode'), BATCH_NORM_MODES),
    bnStatistics: choiceFlag('--bn-statistics', text('bn-statistics'), BATCH_NORM_STATISTICS),
    includeRegularization: values['no-regularization'] ? false : undefined,
    batchSize: integerFlag('--batch-size', text('batch-size'), 1),
    perLayer: values['per-layer'] ? true : values['no-per-layer'] ? false : undefined,
  };
  if (values['per-layer'] && values['no-per-layer'])
    throw new UsageError('give --per-layer or --no-per-layer, not both');
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

/** Where the weights and the spec come from: a run directory, or bare weights described by flags. */
interface MeasureTarget {
  /** The run directory, when measuring one (its result.json is written). */
  runDir: string | undefined;
  /** The weights file. */
  weights: string;
  /** The spec (measurement settings already overridden by the flags). */
  spec: RunSpec;
}

/**
 * The config.json of the run the weights belong to. Beside bare `--weights` given with data flags, a
 * config.json of an older layout is passed over (its weights are measured as bare weights, as the flags
 * say); without data flags the error says how to measure them.
 */
function runConfigFor(runDir: string, bareWeightsWithDataFlags: boolean): RunConfigFile | undefined {
  try {
    return readRunConfig(runDir);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (bareWeightsWithDataFlags) {
      process.stderr.write(`sgd-factors measure: ${message}; measuring the weights as the flags say\n`);
      return undefined;
    }
    throw new UsageError(
      `${message}; to measure its weights anyway, give --weights with the data and model flags (--dataset, --model …)`,
    );
  }
}
async function resolveTarget(
  positional: string | undefined,
  values: DataFlagValues & Record<string, string | boolean | undefined>,
  quiet: boolean,
): Promise<MeasureTarget> {
  const weightsFlag = values['weights'] as string | undefined;
  if (positional !== undefined && weightsFlag !== undefined)
    throw new UsageError('give only one of a run directory and --weights FILE');
  const given = positional ?? weightsFlag;
  if (given === undefined)
    throw new UsageError('give a run directory (made by sgd-factors train) or --weights FILE');
  if (!existsSync(given))
    throw new UsageError(
      `${positional !== undefined ? 'run directory' : '--weights'} ${given} does not exist`,
    );
  const isDir = statSync(given).isDirectory();
  if (weightsFlag !== undefined && isDir)
    throw new UsageError(`--weights ${given} is a directory; give the .safetensors file`);
  const runDir = isDir
    ? resolve(given)
    : existsSync(join(dirname(resolve(given)), 'config.json'))
      ? dirname(resolve(given))
      : undefined;
  const weights = isDir ? runPaths(given).weights : resolve(given);
  if (!existsSync(weights))
    throw new UsageError(`${given} has no ${basename(weights)}: has its training finished?`);
  const overrides = measurementOverrides(values);
  const config = runDir ? runConfigFor(runDir, weightsFlag !== undefined && hasDataFlags(values)) : undefined;
  if (config) {
    if (hasModelFlags(values as Record<string, string | undefined>))
      throw new UsageError(`${runDir}/config.json says the model; model flags apply to bare --weights only`);
    const data =
      values.data !== undefined ? { ...config.spec.data, dir: resolve(values.data) } : config.spec.data;
    const measurement = asUsageError('measurement', () =>
      normalizeMeasurementSpec({ ...config.spec.measurement, ...overrides }, 'measurement'),
    );
    return { runDir, weights, spec: { ...config.spec, data, measurement } };
  }
  if (!hasDataFlags(values))
    throw new UsageError(`no config.json beside ${weights}: give the data flags (--dataset, --data …)`);
  const request = dataRequestFromFlags(values, { trainSize: null, testSize: 1 });
  const data = await asUsageError('data', () => prepareDataSpec({ ...request, quiet }, 'measure'));
  const shape = dataSpecShape(data);
  const measurement = asUsageError('measurement', () =>
    normalizeMeasurementSpec({ examples: Math.min(1000, shape.trainSize), ...overrides }, 'measurement'),
  );
  return {
    runDir: undefined,
    weights,
    spec: {
      data: { ...data, trainSize: Math.min(shape.trainSize, measurement.examples) },
      model: modelSpecFromFlags(values as Record<string, string | undefined>),
      training: normalizeTrainingSpec(
        {
          loss: choiceFlag('--loss', values['loss'] as string | undefined, LOSS_NAMES) ?? 'kld',
          learningRate: 1,
          batchSize: 1,
          epochs: 0,
        },
        'measure',
      ),
      measurement,
    },
  };
}

/** One bar (or plain lines off a TTY) per stage: gradient, traceSigma, traceSigmaH, traceH, …. */
function progressDisplay(quiet: boolean): (p: MeasureProgress) => void {
  let progress: Progress | undefined;
  let stage = '';
  return (p) => {
    if (quiet) return;
    if (p.stage !== stage) {
      progress?.done();
      stage = p.stage;
      progress = createProgress({ label: p.stage, total: p.total });
    }
    if (p.done >= p.total) {
      progress?.done();
      progress = undefined;
    } else progress?.update(p.done);
  };
}

/** `sgd-factors measure`: the curvature and gradient noise of a trained run (or of bare weights). */
export const measureCommand: Command = {
  name: 'measure',
  summary: 'measure Tr H, tr σ², tr(σ²H), |∇f|² and the loss of a trained run, with standard errors',
  usage: `sgd-factors measure RUN_DIR [options]
       sgd-factors measure --weights FILE.safetensors <data flags> <model flags> [options]

Measures, over the first --limit training examples (preprocessed exactly as for training), the trace of
the loss Hessian Tr H, the trace of the per-example gradient covariance tr σ², tr(σ²H), |∇f|², the loss f,
Tr H / tr σ² and B_simple = tr σ²/|∇f|², each with its standard error. For a run directory the data,
model, loss and seed are the run's (config.json) and the result goes into RUN_DIR/result.json; bare
weights need the data and model flags, and the result goes to --out FILE (and stdout).

Measurement (defaults: the run's settings, else these):
  --limit N              measure over the first N training examples (default 1000, or all if fewer)
  --estimator E          Tr H estimator: ${TRACE_ESTIMATORS.join(', ')} (default hutchinson)
  --probes P             Hessian-vector products for Tr H (default 10)
  --noise M              tr σ² method: ${NOISE_METHODS.join(', ')} (default perExample: exact)
  --minibatch-size m     mini-batch size of the minibatch/twoBatch methods (default 32)
  --minibatches K        mini-batches (or pairs) of the minibatch/twoBatch methods (default 32)
  --sigma-h-probes K     random vectors for tr(σ²H) (default 10; at least 1)
  --top-eigenvalues K    also the K largest Hessian eigenvalues by Lanczos (default 0)
  --bn-mode M            inference (default, as PyHessian) or train (batch statistics per --batch-size chunk)
  --bn-statistics S      inference mode's statistics: recompute (default: exact over the measured examples)
                         or moving (the averages training left; stale after short training)
  --no-regularization    leave the L2 penalty out of the objective (default: included, as SGD minimized it)
  --per-layer            also Tr H and tr σ² per parameter block (one per trainable weight tensor), from the
                         same probes and per-example gradients as the totals (no extra cost; needs
                         --estimator hutchinson, --probes ≥ 2, --noise perExample and one worker; kept in
                         config.json for the next measure of the run, --no-per-layer drops it)
  --batch-size B         examples per forward/backward chunk (default 64; a ResNet-20 HVP needs ~1.3 GB at
                         32 and ~3.4 GB at 128, near the wasm backend's 4 GiB heap)

Bare weights only:
${dataFlagsUsage()}
${modelFlagsUsage()}
  --loss L               ${LOSS_NAMES.join(', ')} (default kld)

Other:
  --weights FILE         weights to measure (default RUN_DIR/weights.safetensors)
  --data DIR             with a run directory: where the run's data files are now, if they moved
  --out FILE             also write the result as JSON to FILE (bare weights)
  --workers K            share Tr H's probes (hutchinson) among K worker threads (same result; wasm or cpu)
  --backend B            tensorflow, wasm or cpu (default: the fastest available)
  --dry-run              print the planned cost (passes, Hessian products, examples) and an estimate of the
                         time from one timed chunk; measures nothing and writes nothing
  --json                 print the result as one JSON line
  --quiet                no progress output`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        ...DATA_FLAG_OPTIONS,
        ...MODEL_FLAG_OPTIONS,
        ...MEASUREMENT_FLAGS,
        weights: { type: 'string' },
        loss: { type: 'string' },
        out: { type: 'string' },
        workers: { type: 'string' },
        backend: { type: 'string' },
        json: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 1) throw new UsageError(`give one run directory, got ${positionals.length}`);
    const quiet = values.quiet;
    if (values.out !== undefined && existsSync(values.out) && statSync(values.out).isDirectory())
      throw new UsageError(`--out ${values.out} is a directory; give a file name`);
    const workers = integerFlag('--workers', values.workers, 1) ?? 1;
    const backendName = choiceFlag<BackendName>('--backend', values.backend, ['tensorflow', 'wasm', 'cpu']);
    if (workers > 1 && backendName === 'tensorflow')
      throw new UsageError(
        '--workers > 1 needs the wasm or cpu backend (tfjs-node loads in one thread only)',
      );
    await initBackend({ quiet, ...(backendName ? { backend: backendName } : {}) });
    const target = await resolveTarget(positionals[0], values, quiet);
    const { spec } = target;
    if (workers > 1 && spec.measurement.perLayer)
      throw new UsageError(
        `--workers ${workers} cannot split the per-layer traces; drop --workers or --per-layer`,
      );
    if (workers > 1 && spec.measurement.estimator !== 'hutchinson')
      throw new UsageError(
        `--workers ${workers} applies to --estimator hutchinson only, got ${spec.measurement.estimator}`,
      );
    const available = dataSpecShape(spec.data).trainSize;
    if (spec.measurement.examples > available)
      throw new UsageError(
        `--limit ${spec.measurement.examples} exceeds the ${available} training examples of the run's data`,
      );
    const data = await loadData({ ...spec.data, trainSize: spec.measurement.examples, testSize: 1 });
    let model: LayersModel | undefined;
    try {
      const shape = dataSpecShape(spec.data);
      model = buildModel(spec.model, { inputShape: shape.inputShape, numClasses: shape.numClasses, seed: 0 });
      await loadWeights(model, target.weights);
      if (values['dry-run']) {
        const plan = await planMeasurement(model, data.train, spec, true);
        process.stdout.write(values.json ? `${JSON.stringify(plan)}\n` : formatMeasurementPlan(plan));
        return 0;
      }
      if (!quiet)
        process.stderr.write(
          `sgd-factors measure: ${describeModel(spec.model)} over ${spec.measurement.examples} ${spec.data.name} examples, ` +
            `Tr H by ${spec.measurement.estimator} (${spec.measurement.probes} products), tr σ² ${spec.measurement.noise}\n`,
        );
      const started = performance.now();
      const measurement: MinimumMeasurement = await measureRun(model, data.train, spec, {
        workers,
        onProgress: progressDisplay(quiet),
      });
      const measuring = (performance.now() - started) / 1000;
      if (measurement.batchNorm?.warning && !quiet)
        process.stderr.write(`sgd-factors measure: ${measurement.batchNorm.warning}\n`);
      if (target.runDir) {
        const history = readRunHistory(target.runDir);
        const id = readRunConfig(target.runDir)?.id ?? basename(target.runDir);
        writeRunConfig(target.runDir, id, spec);
        const training = history.reduce((s, e) => s + e.seconds, 0);
        writeRunResult(
          target.runDir,
          runRecord(id, spec, history, runMeasurement(measurement), { training, measuring }),
        );
      }
      const result = { ...measurement, settings: { ...measurement.settings, weights: target.weights } };
      if (values.out !== undefined) writeFileAtomic(values.out, `${JSON.stringify(result, null, 2)}\n`);
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : formatMeasurementTable(measurement));
      if (target.runDir && !quiet) process.stderr.write(`result in ${runPaths(target.runDir).result}\n`);
      return 0;
    } finally {
      model?.dispose();
      disposeDataset(data.train, data.validation, data.test);
    }
  },
};
