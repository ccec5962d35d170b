import type { RunRecord } from '../run/runResult.js';
import { LOSS_NAMES, type LossName } from '../train/losses.js';
import { toCsv } from './csv.js';
import { formatPlain, formatWithError } from './formatNumbers.js';
import { type MeanWithError, meanOverSeeds, ratioOfMeans } from './meanWithError.js';
import { paperTable1Row } from './paperTable1.js';

/** One row of the Table 1 analogue: a (loss, batch size, learning rate) cell, averaged over its seeds. */
export interface Table1Row {
  /** 1-based row number within the loss's table, in the paper's order. */
  experiment: number;
  /** The loss. */
  loss: LossName;
  /** BS/LR. */
  ratio: number;
  /** Batch size. */
  batchSize: number;
  /** Learning rate (initial). */
  learningRate: number;
  /** Seeds of the finished runs averaged. */
  seeds: number[];
  /** Tr(H). */
  traceH: MeanWithError;
  /** tr σ². */
  traceSigma: MeanWithError;
  /** Tr(H) / tr σ² (ratio of the means). */
  magnitudeDifference: MeanWithError;
  /** Final validation accuracy. */
  valAccuracy: MeanWithError;
}

/** Loss names as the paper and the reports write them. */
export const LOSS_TITLES: Record<LossName, string> = {
  kld: 'KLD loss',
  crossEntropy: 'log (cross-entropy) loss',
  squaredError: 'squared-error ("gradient log") loss',
};

/** BS/LR rounded to 6 significant digits, so that 100/0.08 and 1250 compare equal. */
export function batchToRateRatio(batchSize: number, learningRate: number): number {
  return Number((batchSize / learningRate).toPrecision(6));
}

/**
 * Groups finished runs into the rows of a Table 1 analogue: one row per loss × batch size × learning rate,
 * ordered as the paper's (loss, then batch size ascending, then learning rate ascending), with each
 * quantity's mean ± standard error over seeds (see {@link meanOverSeeds}); the magnitude difference is the
 * ratio of the mean traces, as in the paper (see {@link ratioOfMeans}).
 *
 * @param records - finished runs (results.jsonl).
 */
export function table1Rows(records: readonly RunRecord[]): Table1Row[] {
  const cells = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = `${r.loss}|${r.batchSize}|${r.learningRate}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  const groups = [...cells.values()].map((runs) => [...runs].sort((a, b) => a.seed - b.seed));
  groups.sort((a, b) => {
    const x = a[0] as RunRecord;
    const y = b[0] as RunRecord;
    return (
      LOSS_NAMES.indexOf(x.loss) - LOSS_NAMES.indexOf(y.loss) ||
      x.batchSize - y.batchSize ||
      x.learningRate - y.learningRate
    );
  });
  const counters = new Map<LossName, number>();
  return groups.map((runs) => {
    const first = runs[0] as RunRecord;
    const experiment = (counters.get(first.loss) ?? 0) + 1;
    counters.set(first.loss, experiment);
    const traceH = runs.map((r) => r.measurement.traceH);
    const traceSigma = runs.map((r) => r.measurement.traceSigma);
    return {
      experiment,
      loss: first.loss,
      ratio: batchToRateRatio(first.batchSize, first.learningRate),
      batchSize: first.batchSize,
      learningRate: first.learningRate,
      seeds: runs.map((r) => r.seed),
      traceH: meanOverSeeds(traceH),
      traceSigma: meanOverSeeds(traceSigma),
      magnitudeDifference: ratioOfMeans(traceH, traceSigma),
      valAccuracy: meanOverSeeds(
        runs.map((r) => ({ estimate: r.final.valAccuracy ?? Number.NaN, standardError: 0 })),
      ),
    };
  });
}

/**
 * Table 1 as Markdown: one table per loss, with the columns of the paper (Experiment, BS/LR, BS, LR, Tr(H),
 * tr σ², magnitude difference) as mean ± standard error, then the number of seeds, the final validation
 * accuracy, and, for the KLD loss on the paper's grid, the paper's own magnitude difference.
 */
export function table1Markdown(rows: readonly Table1Row[]): string {
  const out: string[] = [];
  for (const loss of LOSS_NAMES) {
    const lossRows = rows.filter((r) => r.loss === loss);
    if (lossRows.length === 0) continue;
    const withPaper = loss === 'kld' && lossRows.some((r) => paperTable1Row(r.batchSize, r.learningRate));
    out.push(`### Table 1 analogue: ${LOSS_TITLES[loss]}`, '');
    out.push(
      `| Experiment | BS/LR | BS | LR | Tr(H) | tr σ² | Magnitude difference Tr(H)/tr σ² | Seeds | Val. accuracy |${withPaper ? ' Paper’s magnitude difference |' : ''}`,
      `|---:|---:|---:|---:|---:|---:|---:|---:|---:|${withPaper ? '---:|' : ''}`,
    );
    for (const r of lossRows) {
      const paper = withPaper ? paperTable1Row(r.batchSize, r.learningRate) : undefined;
      out.push(
        `| ${r.experiment} | ${formatPlain(r.ratio)} | ${r.batchSize} | ${r.learningRate} | ` +
          `${formatWithError(r.traceH.mean, r.traceH.standardError)} | ` +
          `${formatWithError(r.traceSigma.mean, r.traceSigma.standardError)} | ` +
          `${formatWithError(r.magnitudeDifference.mean, r.magnitudeDifference.standardError)} | ${r.seeds.length} | ` +
          `${formatWithError(r.valAccuracy.mean, r.valAccuracy.standardError)} |` +
          (withPaper ? ` ${paper ? paper.magnitudeDifference : '–'} |` : ''),
      );
    }
    out.push('');
  }
  out.push(
    'Values are mean ± standard error over seeds (sample standard deviation / √seeds; with one seed, the ' +
      'trace estimator’s own standard error). The magnitude difference is the ratio of the mean traces, as in ' +
      'the paper, with a delta-method standard error.',
    '',
  );
  return out.join('\n');
}

/** Table 1 as CSV (all losses, a `loss` column, full precision). */
export function table1Csv(rows: readonly Table1Row[]): string {
  const header = [
    'loss',
    'experiment',
    'bs_over_lr',
    'batch_size',
    'learning_rate',
    'seeds',
    'trace_h',
    'trace_h_se',
    'trace_sigma',
    'trace_sigma_se',
    'magnitude_difference',
    'magnitude_difference_se',
    'val_accuracy',
    'val_accuracy_se',
  ];
  return toCsv(
    header,
    rows.map((r) => [
      r.loss,
      r.experiment,
      r.ratio,
      r.batchSize,
      r.learningRate,
      r.seeds.length,
      r.traceH.mean,
      r.traceH.standardError,
      r.traceSigma.mean,
      r.traceSigma.standardError,
      r.magnitudeDifference.mean,
      r.magnitudeDifference.standardError,
      r.valAccuracy.mean,
      r.valAccuracy.standardError,
    ]),
  );
}
