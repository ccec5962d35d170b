import { symmetricEigen } from '../linalg/symmetricEigen.js';
import { discreteStationaryCovariance } from '../theory/discreteStationaryCovariance.js';
import { expectedGradNormSqFourFactor, expectedLossFourFactor } from '../theory/fourFactor.js';
import { magnitudeDifference } from '../theory/magnitudeDifference.js';
import { stationaryCovariance } from '../theory/stationaryCovariance.js';
import { expectedLossThreeFactor } from '../theory/threeFactor.js';
import { checkOptionKeys, type OptionKeys } from '../util/options.js';
import { createLinearRegression, type LinearRegressionModel } from './linearRegression.js';
import { linearRegressionStationaryCovariance } from './linearRegressionStationaryCovariance.js';
import { createLogisticRegression } from './logisticRegression.js';
import { type BatchMeansEstimate, simulateSgd } from './simulateSgd.js';
import type { SolvableModel } from './solvableModel.js';

/** Options of {@link runFactorsDemo}. */
export interface FactorsDemoOptions {
  /** Seed for the models' parameters and samples and for the SGD streams (default 0). */
  seed?: number;
  /** One (δ, m) pair per model and short runs (a few seconds in all), for tests and smoke checks. */
  quick?: boolean;
  /** Progress: units done out of a total. */
  onProgress?: (done: number, total: number, status: string) => void;
}

const OPTION_KEYS: OptionKeys<FactorsDemoOptions> = {
  seed: true,
  quick: true,
  onProgress: true,
};

/** One (model, δ, m) case of the demo: the factors, the predictions and what SGD did. */
export interface FactorsDemoRow {
  /** Short label used in the table, e.g. `linreg s²=4`. */
  model: string;
  /** The model's full description. */
  description: string;
  /** Number of parameters p. */
  dim: number;
  /** Learning rate δ. */
  lr: number;
  /** Batch size m. */
  batchSize: number;
  /** Tr H at the minimum. */
  traceH: number;
  /** tr σ² at the minimum. */
  traceSigma: number;
  /** tr(σ²H) at the minimum. */
  traceSigmaH: number;
  /** Tr H / tr σ² (Table 1's column). */
  ratio: number;
  /** Eq. (6): δ/(4m) Tr H. */
  eq6: number;
  /** Eq. (12) at the minimum: δ/(4m) tr σ². */
  eq12: number;
  /** Eq. (13) at the minimum: δ/(2m) tr(σ²H). */
  eq13: number;
  /** Discrete-time stationary predictions of E f − f* and E|∇f|², and how they were computed. */
  discrete: { excessLoss: number; gradNormSq: number; method: string };
  /** Simulated stationary values with batch-means standard errors. */
  simulated: {
    /** E f − f*. */
    excessLoss: BatchMeansEstimate;
    /** E|∇f|². */
    gradNormSq: BatchMeansEstimate;
    /** Recorded steps. */
    steps: number;
    /** Discarded steps. */
    burnIn: number;
    /** Batches behind the standard errors. */
    numBatches: number;
    /** Steps per batch. */
    batchLength: number;
  };
  /**
   * Largest |C − Γ(∞)| over entries, relative to max |Γ(∞)|, where C is the simulated covariance of
   * (m/δ)^{1/2}(θ − θ*).
   */
  covarianceRelativeDeviation: number;
}

/** Everything the demo computed. */
export interface FactorsDemoResult {
  /** The seed used. */
  seed: number;
  /** Whether the short quick mode ran. */
  quick: boolean;
  /** One row per (model, δ, m). */
  rows: FactorsDemoRow[];
  /** Wall-clock seconds for the whole run. */
  seconds: number;
}

interface ModelSpec {
  label: string;
  make: (seed: number) => SolvableModel;
  pairs: Array<[number, number]>;
  quickPair: [number, number];
}

const MODELS: ModelSpec[] = [
  {
    label: 'linreg s²=4',
    make: (seed) => createLinearRegression({ dim: 4, noiseVariance: 4, seed }),
    pairs: [
      [0.01, 2],
      [0.05, 4],
      [0.3, 16],
    ],
    quickPair: [0.05, 4],
  },
  {
    label: 'linreg n=200',
    make: (seed) => createLinearRegression({ dim: 4, noiseVariance: 4, sampleSize: 200, seed }),
    pairs: [[0.05, 4]],
    quickPair: [0.05, 4],
  },
  {
    label: 'logreg',
    make: (seed) => createLogisticRegression({ dim: 4, seed }),
    pairs: [
      [0.1, 16],
      [0.5, 8],
      [2, 8],
    ],
    quickPair: [0.5, 8],
  },
  {
    label: 'logreg flip=0.2',
    make: (seed) => createLogisticRegression({ dim: 4, labelFlip: 0.2, signal: 6, seed }),
    pairs: [
      [0.1, 16],
      [0.5, 8],
      [2, 8],
    ],
    quickPair: [0.5, 8],
  },
];

/**
 * The `sgd-factors demo`: for each exactly solvable model and a few (δ, m) pairs, computes Tr H, tr σ²,
 * their ratio, the excess loss predicted by Eq. (6) and Eq. (12) and the squared gradient norm by
 * Eq. (13), and simulates SGD at stationarity to measure both with standard errors. Takes well under
 * a minute on one core (`quick`: a few seconds).
 *
 * @param options - seed, quick mode, progress callback.
 */
export function runFactorsDemo(options: FactorsDemoOptions = {}): FactorsDemoResult {
  checkOptionKeys('runFactorsDemo', options, OPTION_KEYS);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new RangeError(`runFactorsDemo: seed must be an integer, got ${seed}`);
  const quick = options.quick ?? false;
  const start = performance.now();
  const cases = MODELS.flatMap((spec) =>
    (quick ? [spec.quickPair] : spec.pairs).map((pair) => ({ spec, pair })),
  );
  const unit = 1000;
  const total = cases.length * unit;
  const models = new Map<ModelSpec, SolvableModel>();
  const rows: FactorsDemoRow[] = [];
  cases.forEach(({ spec, pair: [lr, batchSize] }, index) => {
    let model = models.get(spec);
    if (!model) {
      model = spec.make(seed);
      models.set(spec, model);
    }
    const p = model.dim;
    const status = `${spec.label} δ=${lr} m=${batchSize}`;
    options.onProgress?.(index * unit, total, status);
    const lambdaMin = symmetricEigen(model.hessian, p, { vectors: false }).values[0]!;
    const tau = 1 / (lr * lambdaMin);
    const sim = simulateSgd(model, {
      lr,
      batchSize,
      seed: seed * 1000 + index,
      ...(quick
        ? { numBatches: 10, batchLength: Math.ceil(6 * tau), burnIn: Math.ceil(6 * tau) }
        : { numBatches: 40, batchLength: Math.ceil(50 * tau), burnIn: Math.ceil(10 * tau) }),
      onProgress: (done, all) =>
        options.onProgress?.(index * unit + Math.floor((unit * done) / all), total, status),
    });
    const H = { data: model.hessian, size: p };
    const S = { data: model.gradientCovariance, size: p };
    const gamma = stationaryCovariance(H, S).data;
    let discrete: FactorsDemoRow['discrete'];
    if (model.name === 'linear-regression') {
      const exact = linearRegressionStationaryCovariance(model as LinearRegressionModel, lr, batchSize);
      discrete = {
        excessLoss: exact.excessLoss,
        gradNormSq: exact.gradNormSq,
        method: 'exact discrete-time stationary covariance (additive and multiplicative noise)',
      };
    } else {
      const sigma = discreteStationaryCovariance(H, S, lr, batchSize).data;
      let loss = 0;
      let grad = 0;
      for (let i = 0; i < p; i++) {
        for (let k = 0; k < p; k++) {
          loss += 0.5 * model.hessian[i * p + k]! * sigma[k * p + i]!;
          for (let j = 0; j < p; j++)
            grad += model.hessian[i * p + k]! * model.hessian[k * p + j]! * sigma[j * p + i]!;
        }
      }
      discrete = {
        excessLoss: loss,
        gradNormSq: grad,
        method: 'Stein equation of linearized SGD (additive noise)',
      };
    }
    let maxGamma = 0;
    let maxDev = 0;
    for (let k = 0; k < p * p; k++) {
      maxGamma = Math.max(maxGamma, Math.abs(gamma[k]!));
      maxDev = Math.max(maxDev, Math.abs(sim.scaledCovariance[k]! - gamma[k]!));
    }
    rows.push({
      model: spec.label,
      description: model.description,
      dim: p,
      lr,
      batchSize,
      traceH: model.traceH,
      traceSigma: model.traceSigma,
      traceSigmaH: model.traceSigmaH,
      ratio: magnitudeDifference(model.traceH, model.traceSigma),
      eq6: expectedLossThreeFactor({ lr, batchSize, traceH: model.traceH }),
      eq12: expectedLossFourFactor({ lossAtFlow: 0, lr, batchSize, traceSigma: model.traceSigma }),
      eq13: expectedGradNormSqFourFactor({
        gradNormSqAtFlow: 0,
        lr,
        batchSize,
        traceSigmaH: model.traceSigmaH,
      }),
      discrete,
      simulated: {
        excessLoss: sim.excessLoss,
        gradNormSq: sim.gradNormSq,
        steps: sim.steps,
        burnIn: sim.burnIn,
        numBatches: sim.numBatches,
        batchLength: sim.batchLength,
      },
      covarianceRelativeDeviation: maxDev / maxGamma,
    });
  });
  return { seed, quick, rows, seconds: (performance.now() - start) / 1000 };
}

function sig(x: number, digits = 3): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e4 ? Number(x.toPrecision(digits)).toString() : x.toExponential(digits - 1);
}

/** `mean ± se` with the mean rounded to the standard error's second significant digit. */
function withError(e: BatchMeansEstimate): string {
  return `${sig(e.mean, 4)} ± ${sig(e.standardError, 2)}`;
}

/** The demo's table as aligned plain text (one row per case). */
export function formatFactorsDemoTable(result: FactorsDemoResult): string {
  const header = [
    'model',
    'δ',
    'm',
    'Tr H',
    'tr σ²',
    'TrH/trσ²',
    'Eq.(6)',
    'Eq.(12)',
    'simulated E f−f*',
    'Eq.(13)',
    'simulated E|∇f|²',
  ];
  const body = result.rows.map((r) => [
    r.model,
    String(r.lr),
    String(r.batchSize),
    sig(r.traceH),
    sig(r.traceSigma),
    sig(r.ratio),
    sig(r.eq6),
    sig(r.eq12),
    withError(r.simulated.excessLoss),
    sig(r.eq13),
    withError(r.simulated.gradNormSq),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((row) => row[j]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
