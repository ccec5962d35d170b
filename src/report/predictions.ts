import type { RunEstimate, RunRecord } from '../run/runResult.js';
import { expectedGradNormSqFourFactor, expectedLossFourFactor } from '../theory/fourFactor.js';
import { expectedLossThreeFactor } from '../theory/threeFactor.js';
import { LOSS_NAMES } from '../train/losses.js';
import { toCsv } from './csv.js';
import { formatPlain, formatSignificant, formatWithError } from './formatNumbers.js';

/** What Eq. (6), Eq. (12) and Eq. (13) predict for one run, next to what was measured. */
export interface RunPrediction {
  /** Run id. */
  id: string;
  /** Loss. */
  loss: RunRecord['loss'];
  /** Batch size m. */
  batchSize: number;
  /** Initial learning rate. */
  learningRate: number;
  /** Seed. */
  seed: number;
  /** δ: the learning rate of the last epoch, the one the stationary regime at the end is governed by. */
  delta: number;
  /** The loss f measured at the end of training. */
  observedLoss: RunEstimate;
  /** Eq. (6), three factors (Jastrzębski et al.): δ/(4m)·Tr H. */
  threeFactor: RunEstimate;
  /** Eq. (12), four factors (Wang), with f(X(∞)) = 0 as Eq. (6) assumes: δ/(4m)·tr σ². */
  fourFactor: RunEstimate;
  /** The measured |∇f|² at the end of training. */
  observedGradNormSq: RunEstimate;
  /** Eq. (13) with |∇f(X(∞))|² = 0: δ/(2m)·tr(σ²H). */
  fourFactorGradNormSq: RunEstimate;
}

/**
 * An estimate scaled by a known constant (its standard error scales alike; an unknown one, stored as null,
 * stays unknown).
 */
function scaled(e: RunEstimate, value: number): RunEstimate {
  const factor = e.estimate !== 0 ? value / e.estimate : 0;
  const standardError = typeof e.standardError === 'number' ? e.standardError : Number.NaN;
  return { estimate: value, standardError: Math.abs(factor) * standardError };
}

/**
 * The predictions of Eq. (6) and Eq. (12) (and Eq. (13) for |∇f|²) for each run, from its measured traces,
 * batch size and final learning rate, ordered like Table 1 (loss, batch size, learning rate, seed).
 *
 * @remarks
 * Both loss relations predict the expected loss above the gradient-flow loss f(X(∞)); it is unknown, so
 * the predictions take it as 0 (Eq. (6)'s own assumption of a minimum at zero loss) and the observed loss
 * is an upper bound to compare with. Their ratio is the run's magnitude difference Tr H / tr σ².
 *
 * @param records - finished runs.
 */
export function runPredictions(records: readonly RunRecord[]): RunPrediction[] {
  const sorted = [...records].sort(
    (a, b) =>
      LOSS_NAMES.indexOf(a.loss) - LOSS_NAMES.indexOf(b.loss) ||
      a.batchSize - b.batchSize ||
      a.learningRate - b.learningRate ||
      a.seed - b.seed,
  );
  return sorted.map((r) => {
    const m = r.measurement;
    const delta = r.finalLearningRate;
    const lr = delta;
    const batchSize = r.batchSize;
    return {
      id: r.id,
      loss: r.loss,
      batchSize,
      learningRate: r.learningRate,
      seed: r.seed,
      delta,
      observedLoss: m.loss,
      threeFactor: scaled(m.traceH, expectedLossThreeFactor({ lr, batchSize, traceH: m.traceH.estimate })),
      fourFactor: scaled(
        m.traceSigma,
        expectedLossFourFactor({
          lossAtFlow: 0,
          lr,
          batchSize,
          traceSigma: Math.max(0, m.traceSigma.estimate),
        }),
      ),
      observedGradNormSq: m.gradNormSq,
      fourFactorGradNormSq: scaled(
        m.traceSigmaH,
        expectedGradNormSqFourFactor({
          gradNormSqAtFlow: 0,
          lr,
          batchSize,
          traceSigmaH: m.traceSigmaH.estimate,
        }),
      ),
    };
  });
}

const e = (x: RunEstimate) => formatWithError(x.estimate, x.standardError);

/** The predictions as a Markdown table, one row per run. */
export function predictionsMarkdown(predictions: readonly RunPrediction[]): string {
  const lines = [
    '| Run | m | δ (final) | Observed loss f | Eq. (6) δ/(4m)·Tr H | Eq. (12) δ/(4m)·tr σ² | Eq. (6) / Eq. (12) | Observed \\|∇f\\|² | Eq. (13) δ/(2m)·tr(σ²H) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...predictions.map(
      (p) =>
        `| ${p.id} | ${p.batchSize} | ${formatPlain(p.delta)} | ${e(p.observedLoss)} | ${e(p.threeFactor)} | ` +
        `${e(p.fourFactor)} | ${formatSignificant(p.threeFactor.estimate / p.fourFactor.estimate, 3)} | ` +
        `${e(p.observedGradNormSq)} | ${e(p.fourFactorGradNormSq)} |`,
    ),
    '',
    'δ is the learning rate of the last epoch (after the schedule’s decays) and m the batch size. Both loss ' +
      'relations predict the expected loss above the gradient-flow loss f(X(∞)), taken here as 0 (Eq. (6)’s ' +
      'assumption of a minimum at zero loss), so the observed loss bounds them from above when the relations ' +
      'hold. ± values are the trace estimators’ standard errors.',
    '',
  ];
  return lines.join('\n');
}

/** The predictions as CSV, full precision. */
export function predictionsCsv(predictions: readonly RunPrediction[]): string {
  return toCsv(
    [
      'id',
      'loss',
      'batch_size',
      'learning_rate',
      'seed',
      'delta_final',
      'observed_loss',
      'observed_loss_se',
      'eq6_three_factor',
      'eq6_three_factor_se',
      'eq12_four_factor',
      'eq12_four_factor_se',
      'observed_grad_norm_sq',
      'observed_grad_norm_sq_se',
      'eq13_four_factor_grad_norm_sq',
      'eq13_four_factor_grad_norm_sq_se',
    ],
    predictions.map((p) => [
      p.id,
      p.loss,
      p.batchSize,
      p.learningRate,
      p.seed,
      p.delta,
      p.observedLoss.estimate,
      p.observedLoss.standardError,
      p.threeFactor.estimate,
      p.threeFactor.standardError,
      p.fourFactor.estimate,
      p.fourFactor.standardError,
      p.observedGradNormSq.estimate,
      p.observedGradNormSq.standardError,
      p.fourFactorGradNormSq.estimate,
      p.fourFactorGradNormSq.standardError,
    ]),
  );
}
