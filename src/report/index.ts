export type { Claim, ClaimId, ClaimSettings } from './claim.js';
export {
  type ClaimsOptions,
  type ClaimsReport,
  claimsMarkdown,
  DEFAULT_CLAIM_SETTINGS,
  evaluateClaims,
} from './claims.js';
export {
  type ClaimEvidence,
  type ClaimVerdict,
  claimEvidence,
  directionVerdict,
  negligibleVerdict,
} from './claimVerdict.js';
export { csvField, toCsv } from './csv.js';
export { meanCurve, rmsCurveDistance } from './curveDistance.js';
export { accuracyFigure, magnitudeDifferenceFigure, type RunWithHistory } from './figures.js';
export { formatPlain, formatSignificant, formatWithError } from './formatNumbers.js';
export { type JackknifeEstimate, jackknife } from './jackknife.js';
export { type LogTracePoint, type LogTracePoints, logTracePoints } from './logTracePoints.js';
export { type MeanWithError, meanOverSeeds, ratioOfMeans } from './meanWithError.js';
export { PAPER_TABLE1, type PaperTable1Row, paperTable1Row } from './paperTable1.js';
export { predictionsCsv, predictionsMarkdown, type RunPrediction, runPredictions } from './predictions.js';
export {
  type MeasurementErrorRegression,
  regressWithMeasurementError,
} from './regressionWithMeasurementError.js';
export { normalCdf, studentTCdf, studentTCritical } from './studentT.js';
export {
  type ChartFigure,
  type ChartPanel,
  type ChartPoint,
  type ChartSeries,
  type LegendEntry,
  renderFigure,
  renderPanel,
} from './svg/lineChart.js';
export { CATEGORICAL_COLORS, colorsByKey } from './svg/palette.js';
export {
  formatTick,
  logTicks,
  makeScale,
  niceLinearTicks,
  type Scale,
  type ScaleOptions,
} from './svg/ticks.js';
export {
  batchToRateRatio,
  LOSS_TITLES,
  type Table1Row,
  table1Csv,
  table1Markdown,
  table1Rows,
} from './table1.js';
export {
  conventionFactor,
  measurementInConvention,
  type ScaledQuantity,
  SUM_CONVENTION_POWERS,
  type TraceConvention,
  type TraceScale,
} from './traceConvention.js';
export {
  type TrackedPoint,
  trackedCsv,
  trackedCurvatureFigure,
  trackedPoints,
} from './trackedCurvature.js';
export { type ReportFormat, type SweepReport, type WriteReportOptions, writeReport } from './writeReport.js';
