import type { RunEstimate, RunRecord } from '../run/runResult.js';

/** One run's traces on a log scale, with the delta-method variances of their logarithms. */
export interface LogTracePoint {
  /** The run. */
  record: RunRecord;
  /** ln LR (the initial learning rate). */
  logLearningRate: number;
  /** ln BS. */
  logBatchSize: number;
  /** ln Tr H. */
  logTraceH: number;
  /** Var(ln Tr H) ≈ (SE/Tr H)², 0 when the SE is unknown or the value exact. */
  logTraceHVariance: number;
  /** ln tr σ². */
  logTraceSigma: number;
  /** Var(ln tr σ²). */
  logTraceSigmaVariance: number;
}

/** The runs' points, and why any run had to be left out. */
export interface LogTracePoints {
  /** Runs with positive traces. */
  points: LogTracePoint[];
  /** One line per run left out (a trace ≤ 0 has no logarithm) and per run whose SE is unknown. */
  notes: string[];
}

function relativeVariance(e: RunEstimate): number | null {
  const se = e.standardError as number | null;
  return typeof se === 'number' && Number.isFinite(se) ? (se / e.estimate) ** 2 : null;
}

/**
 * The runs' Tr H and tr σ² as logarithms with delta-method variances (Var ln x ≈ (SE/x)²), for regressions
 * of the traces on ln LR and ln BS. A run with a trace ≤ 0 (possible for a stochastic Tr H estimate of an
 * indefinite Hessian) is left out with a note; an unknown SE counts as 0, also with a note (the regression's
 * extra variance still takes in the run's scatter).
 */
export function logTracePoints(records: readonly RunRecord[]): LogTracePoints {
  const notes: string[] = [];
  const points: LogTracePoint[] = [];
  let unknown = 0;
  for (const record of records) {
    const { traceH, traceSigma } = record.measurement;
    if (!(traceH.estimate > 0) || !(traceSigma.estimate > 0)) {
      notes.push(
        `${record.id} left out: Tr H = ${traceH.estimate}, tr σ² = ${traceSigma.estimate} (need both > 0)`,
      );
      continue;
    }
    const varH = relativeVariance(traceH);
    const varSigma = relativeVariance(traceSigma);
    if (varH === null || varSigma === null) unknown++;
    points.push({
      record,
      logLearningRate: Math.log(record.learningRate),
      logBatchSize: Math.log(record.batchSize),
      logTraceH: Math.log(traceH.estimate),
      logTraceHVariance: varH ?? 0,
      logTraceSigma: Math.log(traceSigma.estimate),
      logTraceSigmaVariance: varSigma ?? 0,
    });
  }
  if (unknown) notes.push(`${unknown} run(s) without an estimator SE (counted as exact)`);
  return { points, notes };
}
