import type { RunRecord } from '../run/runResult.js';
import type { EpochRecord } from '../train/history.js';
import type { LossName } from '../train/losses.js';
import { formatPlain } from './formatNumbers.js';
import type { ChartFigure, ChartSeries, LegendEntry } from './svg/lineChart.js';
import { CATEGORICAL_COLORS, colorsByKey } from './svg/palette.js';
import { batchToRateRatio, LOSS_TITLES, type Table1Row } from './table1.js';

/** A finished run with its per-epoch history. */
export interface RunWithHistory {
  /** The run's results line. */
  record: RunRecord;
  /** Its history (runs/<id>/history.json). */
  history: readonly EpochRecord[];
}

/**
 * The analogue of the paper's Figures 2 and 3 for one loss: training and validation accuracy against epoch,
 * one line per run, colored by BS/LR so that runs with the same ratio share a color (the paper's "blue
 * lines"); the legend lists, per ratio, the (BS, LR) pairs that have it.
 *
 * @param loss - the loss the runs were trained with.
 * @param runs - the runs of that loss.
 * @param figureNumber - 2 for KLD (the paper's Figure 2), 3 otherwise.
 */
export function accuracyFigure(
  loss: LossName,
  runs: readonly RunWithHistory[],
  figureNumber: number,
): ChartFigure {
  const ratioOf = (r: RunRecord) => batchToRateRatio(r.batchSize, r.learningRate);
  const colors = colorsByKey(runs.map((r) => ratioOf(r.record)));
  const sorted = [...runs].sort(
    (a, b) =>
      ratioOf(a.record) - ratioOf(b.record) ||
      a.record.batchSize - b.record.batchSize ||
      a.record.seed - b.record.seed,
  );
  const seriesOf = (pick: (e: EpochRecord) => number | null): ChartSeries[] =>
    sorted.map(({ record, history }) => ({
      name: `${record.id} (BS/LR ${formatPlain(ratioOf(record))})`,
      color: colors.get(ratioOf(record)) ?? (CATEGORICAL_COLORS[0] as string),
      points: history.map((e) => ({ x: e.epoch + 1, y: pick(e) ?? Number.NaN })),
    }));
  const legend: LegendEntry[] = [...colors.entries()].map(([ratio, color]) => {
    const pairs = [
      ...new Set(
        runs
          .filter((r) => ratioOf(r.record) === ratio)
          .sort((a, b) => a.record.batchSize - b.record.batchSize)
          .map((r) => `${r.record.batchSize}/${r.record.learningRate}`),
      ),
    ];
    return { label: `${formatPlain(ratio)} (${pairs.join(', ')})`, color };
  });
  const accuracy = { domain: [0, 1] as [number, number] };
  const epochs = { integer: true };
  return {
    title: `Figure ${figureNumber} analogue: accuracy for varying BS/LR, ${LOSS_TITLES[loss]}`,
    panels: [
      {
        title: 'Training accuracy',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        x: epochs,
        y: accuracy,
        series: seriesOf((e) => e.accuracy),
      },
      {
        title: 'Validation accuracy',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        x: epochs,
        y: accuracy,
        series: seriesOf((e) => e.valAccuracy ?? null),
      },
    ],
    legend,
    legendTitle: 'BS/LR (BS/LR pairs)',
  };
}

/**
 * The analogue of the paper's Figure 4 for one loss: the magnitude difference Tr(H)/tr σ² (mean ± standard
 * error over seeds) against the learning rate, one line per batch size, and against the batch size, one
 * line per learning rate; log-scaled axes at the grid's values.
 *
 * @param loss - the loss.
 * @param rows - the Table 1 rows of that loss.
 */
export function magnitudeDifferenceFigure(loss: LossName, rows: readonly Table1Row[]): ChartFigure {
  const batchSizes = [...new Set(rows.map((r) => r.batchSize))].sort((a, b) => a - b);
  const rates = [...new Set(rows.map((r) => r.learningRate))].sort((a, b) => a - b);
  const point = (r: Table1Row) => ({
    y: r.magnitudeDifference.mean,
    error: r.magnitudeDifference.standardError,
  });
  const byBatch: ChartSeries[] = batchSizes.map((bs, i) => ({
    name: `BS ${bs}`,
    color: CATEGORICAL_COLORS[i % CATEGORICAL_COLORS.length] as string,
    markers: true,
    points: rows
      .filter((r) => r.batchSize === bs)
      .sort((a, b) => a.learningRate - b.learningRate)
      .map((r) => ({ x: r.learningRate, ...point(r) })),
  }));
  const byRate: ChartSeries[] = rates.map((lr, i) => ({
    name: `LR ${lr}`,
    color: CATEGORICAL_COLORS[(batchSizes.length + i) % CATEGORICAL_COLORS.length] as string,
    dash: '5 3',
    markers: true,
    points: rows
      .filter((r) => r.learningRate === lr)
      .sort((a, b) => a.batchSize - b.batchSize)
      .map((r) => ({ x: r.batchSize, ...point(r) })),
  }));
  const logAxis = (ticks: number[]) =>
    ticks.length > 1
      ? { type: 'log' as const, ticks }
      : { ticks, domain: [(ticks[0] ?? 1) * 0.5, (ticks[0] ?? 1) * 1.5] as [number, number] };
  return {
    title: `Figure 4 analogue: magnitude difference Tr(H)/tr σ², ${LOSS_TITLES[loss]}`,
    panels: [
      {
        title: 'Against the learning rate (one line per BS)',
        xLabel: 'learning rate',
        yLabel: 'Tr(H) / tr σ²',
        x: logAxis(rates),
        series: byBatch,
      },
      {
        title: 'Against the batch size (one line per LR)',
        xLabel: 'batch size',
        yLabel: 'Tr(H) / tr σ²',
        x: logAxis(batchSizes),
        series: byRate,
      },
    ],
    legend: [
      ...byBatch.map((s) => ({ label: s.name, color: s.color })),
      ...byRate.map((s) => ({ label: s.name, color: s.color, dash: s.dash as string })),
    ],
    legendTitle: 'Lines',
  };
}
