import type { LossName } from '../train/losses.js';
import { toCsv } from './csv.js';
import type { RunWithHistory } from './figures.js';
import type { ChartFigure, ChartPanel, ChartPoint, ChartSeries, LegendEntry } from './svg/lineChart.js';
import { CATEGORICAL_COLORS } from './svg/palette.js';
import { LOSS_TITLES } from './table1.js';

/** One tracked epoch of one run, flattened (a row of `tracked.csv`). */
export interface TrackedPoint {
  /** The run id. */
  id: string;
  /** 1-based epoch after which the curvature was measured (the x of the accuracy figures). */
  epoch: number;
  /** The epoch's learning rate δ. */
  lr: number;
  /** Examples measured over. */
  examples: number;
  /** Tr H (NaN when not tracked). */
  traceH: number;
  /** Its standard error (NaN when not tracked). */
  traceHStandardError: number;
  /** tr σ² (NaN when not tracked). */
  traceSigma: number;
  /** λ_max (NaN when not tracked). */
  topEigenvalue: number;
  /** The edge of stability 2(1 + μ)/δ of the epoch (2/δ for plain SGD, μ the run's momentum). */
  edge: number;
}

/**
 * The largest Hessian eigenvalue below which (heavy-ball) gradient descent with learning rate δ and
 * momentum μ is stable on a quadratic: δλ < 2(1 + μ). Keras' momentum form is heavy ball.
 */
function stabilityEdge(lr: number, momentum: number): number {
  return (2 * (1 + momentum)) / lr;
}

/** The run's momentum from its spec (0 for records without one: plain SGD, the paper's). */
function momentumOf(run: RunWithHistory): number {
  return run.record.spec?.training.momentum ?? 0;
}

/** Every tracked epoch of the runs, in run then epoch order. */
export function trackedPoints(runs: readonly RunWithHistory[]): TrackedPoint[] {
  return runs.flatMap((run) =>
    run.history.flatMap((e) => {
      const c = e.curvature;
      if (c === undefined) return [];
      return [
        {
          id: run.record.id,
          epoch: e.epoch + 1,
          lr: e.lr,
          examples: c.examples,
          traceH: c.traceH?.estimate ?? Number.NaN,
          traceHStandardError: c.traceH?.standardError ?? Number.NaN,
          traceSigma: c.traceSigma?.estimate ?? Number.NaN,
          topEigenvalue: c.topEigenvalue?.value ?? Number.NaN,
          edge: stabilityEdge(e.lr, momentumOf(run)),
        },
      ];
    }),
  );
}

/** `tracked.csv`: one row per tracked epoch, with Tr H / tr σ² and the edge 2(1 + μ)/δ beside the values. */
export function trackedCsv(points: readonly TrackedPoint[]): string {
  const cell = (x: number) => (Number.isFinite(x) ? x : '');
  return toCsv(
    [
      'id',
      'epoch',
      'learning_rate',
      'examples',
      'trace_h',
      'trace_h_se',
      'trace_sigma',
      'trace_h_over_trace_sigma',
      'lambda_max',
      'edge_of_stability',
    ],
    points.map((p) => [
      p.id,
      p.epoch,
      p.lr,
      p.examples,
      cell(p.traceH),
      cell(p.traceHStandardError),
      cell(p.traceSigma),
      cell(p.traceH / p.traceSigma),
      cell(p.topEigenvalue),
      p.edge,
    ]),
  );
}

/** A log axis when every plotted value is positive (2/δ steps by the schedule's factor), else linear. */
function axisFor(series: readonly ChartSeries[]): { type: 'log' } | { type: 'linear' } {
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  return ys.length > 0 && ys.every((y) => y > 0) ? { type: 'log' } : { type: 'linear' };
}

/**
 * The curvature tracked during training (`train --track-every`), one line per run: Tr H (± standard
 * error), tr σ², their ratio, and λ_max with the run's edge-of-stability line 2(1 + μ)/δ (2/δ for plain
 * SGD; dashed, same color, a step per epoch following the schedule). Values per example (the mean-loss objective SGD steps on, whose λ_max the
 * stability threshold 2/δ refers to), whatever the tables' convention.
 *
 * @param loss - the loss of the runs.
 * @param runs - the runs of that loss; those without tracked epochs are left out.
 * @returns the figure, or undefined when no run has tracked curvature.
 */
export function trackedCurvatureFigure(
  loss: LossName,
  runs: readonly RunWithHistory[],
): ChartFigure | undefined {
  const tracked = runs.filter((r) => r.history.some((e) => e.curvature !== undefined));
  if (tracked.length === 0) return undefined;
  const color = (i: number) => CATEGORICAL_COLORS[i % CATEGORICAL_COLORS.length] as string;
  const lines = (pick: (p: TrackedPoint) => ChartPoint): ChartSeries[] =>
    tracked.map((run, i) => ({
      name: run.record.id,
      color: color(i),
      markers: true,
      points: trackedPoints([run]).map(pick),
    }));
  const eigen = lines((p) => ({ x: p.epoch, y: p.topEigenvalue }));
  const edges: ChartSeries[] = tracked.map((run, i) => ({
    name: `${run.record.id}: 2(1+μ)/δ`,
    color: color(i),
    dash: '5 3',
    // A step over each epoch [e, e + 1]: δ holds for the whole epoch, the tracked values sit at its end.
    points: run.history.flatMap((e) => [
      { x: e.epoch, y: stabilityEdge(e.lr, momentumOf(run)) },
      { x: e.epoch + 1, y: stabilityEdge(e.lr, momentumOf(run)) },
    ]),
  }));
  const epochs = { integer: true };
  const panel = (title: string, yLabel: string, series: ChartSeries[], y = {}): ChartPanel => ({
    title,
    xLabel: 'epoch',
    yLabel,
    x: epochs,
    y,
    series,
  });
  const legend: LegendEntry[] = [
    ...tracked.map((run, i) => ({ label: run.record.id, color: color(i) })),
    { label: 'edge of stability 2(1+μ)/δ', color: '#666666', dash: '5 3' },
  ];
  const points = trackedPoints(tracked);
  const any = (pick: (p: TrackedPoint) => number) => points.some((p) => Number.isFinite(pick(p)));
  const panels: ChartPanel[] = [];
  if (any((p) => p.traceH))
    panels.push(
      panel(
        'Tr H (± standard error)',
        'Tr H',
        lines((p) => ({ x: p.epoch, y: p.traceH, error: p.traceHStandardError })),
      ),
    );
  if (any((p) => p.traceSigma))
    panels.push(
      panel(
        'tr σ²',
        'tr σ²',
        lines((p) => ({ x: p.epoch, y: p.traceSigma })),
      ),
    );
  if (any((p) => p.traceH / p.traceSigma))
    panels.push(
      panel(
        'Tr H / tr σ²',
        'Tr H / tr σ²',
        lines((p) => ({ x: p.epoch, y: p.traceH / p.traceSigma })),
      ),
    );
  if (any((p) => p.topEigenvalue))
    panels.push(
      panel('λ_max against 2(1+μ)/δ', 'λ_max', [...eigen, ...edges], axisFor([...eigen, ...edges])),
    );
  return {
    title: `Curvature during training (per example), ${LOSS_TITLES[loss]}`,
    panels,
    columns: 2,
    legend,
    legendTitle: 'Runs',
  };
}
