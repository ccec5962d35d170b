export { csvField, toCsv } from './csv.js';
export { accuracyFigure, magnitudeDifferenceFigure, type RunWithHistory } from './figures.js';
export { formatPlain, formatSignificant, formatWithError } from './formatNumbers.js';
export { type MeanWithError, meanOverSeeds, ratioOfMeans } from './meanWithError.js';
export { PAPER_TABLE1, type PaperTable1Row, paperTable1Row } from './paperTable1.js';
export { predictionsCsv, predictionsMarkdown, type RunPrediction, runPredictions } from './predictions.js';
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
export { escapeXml, svgNumber } from './svg/xml.js';
export {
  batchToRateRatio,
  LOSS_TITLES,
  type Table1Row,
  table1Csv,
  table1Markdown,
  table1Rows,
} from './table1.js';
export { type ReportFormat, type SweepReport, writeReport } from './writeReport.js';
