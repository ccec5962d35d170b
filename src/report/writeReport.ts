import { join } from 'node:path';
import type { SweepConfig } from '../experiments/sweepConfig.js';
import { describeModel } from '../models/modelRegistry.js';
import type { RunRecord } from '../run/runResult.js';
import { LOSS_NAMES } from '../train/losses.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { type ClaimsOptions, type ClaimsReport, claimsMarkdown, evaluateClaims } from './claims.js';
import { collectRuns, defaultReportDir } from './collectRuns.js';
import { toCsv } from './csv.js';
import { accuracyFigure, magnitudeDifferenceFigure } from './figures.js';
import { formatPlain } from './formatNumbers.js';
import { predictionsCsv, predictionsMarkdown, type RunPrediction, runPredictions } from './predictions.js';
import { renderFigure } from './svg/lineChart.js';
import { LOSS_TITLES, type Table1Row, table1Csv, table1Markdown, table1Rows } from './table1.js';
import { measurementInConvention, type TraceConvention } from './traceConvention.js';
import { trackedCsv, trackedCurvatureFigure, trackedPoints } from './trackedCurvature.js';

/** The formats `sgd-factors report --format` can print Table 1 in. */
export type ReportFormat = 'md' | 'csv' | 'json';

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  /** The report directory; default `DIR/report` when one directory is given (required for several). */
  out?: string;
  /** The normalization of the traces in every table (default per example, `{ scale: 'mean' }`). */
  convention?: TraceConvention;
  /** Level and margins of the claim tests. */
  claims?: ClaimsOptions;
}

/** What {@link writeReport} wrote and computed. */
export interface SweepReport {
  /** The report directory, `DIR/report`. */
  dir: string;
  /** Paths of the files written, relative to `dir`. */
  files: string[];
  /** Finished runs of the sweep's grid that the report covers. */
  runs: RunRecord[];
  /** Runs of the grid without a result yet. */
  missing: string[];
  /** Table 1 rows. */
  table1: Table1Row[];
  /** Eq. (6) / Eq. (12) / Eq. (13) per run. */
  predictions: RunPrediction[];
  /** The paper's section-5 claims, tested on the runs. */
  claims: ClaimsReport;
  /** Warnings (unreadable lines of results.jsonl, runs without a history). */
  warnings: string[];
  /** Table 1 in each format, ready to print. */
  rendered: Record<ReportFormat, string>;
}

function describeConfig(config: SweepConfig): string {
  const schedule = config.schedule.boundaries.length
    ? `LR × ${config.schedule.factor} at epochs ${config.schedule.boundaries.join(', ')}`
    : 'constant LR';
  const m = config.measurement;
  return (
    `${describeModel(config.model)} on ${config.dataset}, ${config.trainSize === 'all' ? 'all' : config.trainSize} training examples, ` +
    `${config.epochs} epochs (${schedule}), losses ${config.losses.join(', ')}, BS {${config.batchSizes.join(', ')}} × ` +
    `LR {${config.learningRates.join(', ')}}, seeds {${config.seeds.join(', ')}}; Tr H by ${m.estimator} ` +
    `(${m.probes} Hessian–vector products), tr σ² ${m.noise}, on the first ${m.examples} training images.`
  );
}

function runsCsv(records: readonly RunRecord[]): string {
  return toCsv(
    [
      'id',
      'loss',
      'batch_size',
      'learning_rate',
      'seed',
      'final_learning_rate',
      'epochs',
      'train_accuracy',
      'val_accuracy',
      'trace_h',
      'trace_h_se',
      'trace_sigma',
      'trace_sigma_se',
      'trace_sigma_h',
      'trace_sigma_h_se',
      'grad_norm_sq',
      'grad_norm_sq_se',
      'loss_value',
      'loss_value_se',
      'magnitude_difference',
      'magnitude_difference_se',
      'backend',
      'training_seconds',
      'measuring_seconds',
    ],
    records.map((r) => {
      const m = r.measurement;
      return [
        r.id,
        r.loss,
        r.batchSize,
        r.learningRate,
        r.seed,
        r.finalLearningRate,
        r.epochs,
        r.final.accuracy,
        r.final.valAccuracy ?? '',
        ...[m.traceH, m.traceSigma, m.traceSigmaH, m.gradNormSq, m.loss, m.magnitudeDifference].flatMap(
          (e) => [e.estimate, e.standardError],
        ),
        r.backend,
        r.seconds.training,
        r.seconds.measuring,
      ];
    }),
  );
}

const HOW_TO_READ = `## How to read this report

- **Claims**: each claim of the paper's section 5, the effect that tests it (± standard error, from the
  scatter between runs and the trace estimators' own errors), its confidence interval and the verdict.

- **Table 1**: for each batch size and learning rate, Tr(H) (the Hessian trace, which Eq. (6) of
  Jastrzębski et al. uses) and tr σ² (the trace of the per-example gradient covariance, which Eq. (12) of
  Wang uses) at the end of training, averaged over seeds. If the three-factor relation held, σ² = H and the
  magnitude difference would be 1; the paper finds 2–12 for the KLD loss, growing with the learning rate.
- **Figures 2/3**: runs whose BS/LR ratio is equal share a color; if the ratio is what shapes SGD's
  dynamics, same-colored curves should nearly coincide while other colors drift apart.
- **Figure 4**: the magnitude difference against LR (one line per BS) and against BS (one line per LR); the
  paper sees it grow with LR and change little with BS.
- **Eq. (6) vs Eq. (12)**: each run's predicted excess loss under the two relations; their ratio is the
  run's magnitude difference.
- **Curvature during training** (runs trained with \`--track-every\`): Tr H, tr σ², their ratio and the
  largest Hessian eigenvalue λ_max per example, over a fixed subset of the training set, against epoch;
  the dashed line is each run's 2/δ (its learning rate δ following the schedule; 2(1 + μ)/δ with
  momentum μ). Full-batch gradient descent is stable on a quadratic only while λ_max < 2/δ; λ_max rising to 2/δ and hovering there is the
  edge of stability (Cohen et al. 2021); SGD usually stays below it. \`tracked.csv\` holds the values.
- \`table1.csv\`, \`predictions.csv\` and \`runs.csv\` hold the same numbers at full precision;
  \`report.json\` holds everything.
`;

/**
 * Writes a report of sweep directories and run directories (any mix): Table 1 (Markdown and CSV), the
 * Figure 2/3 analogues (accuracy against epoch, one SVG per loss), the Figure 4 analogue (magnitude
 * difference against LR and BS, one SVG per loss), Eq. (6) vs Eq. (12) predictions per run (Markdown and
 * CSV), every run's values (runs.csv), the paper's claims tested on the runs (claims.md), a README.md tying
 * them together, and report.json.
 *
 * @remarks
 * Works on a partial sweep (the missing runs are listed) and on sweep directories of the first layout
 * (results.jsonl only). Unreadable lines of results.jsonl (a torn last line) are skipped with a warning.
 * Figures are SVG rendered in plain Node (no browser).
 *
 * @param dirs - a sweep or run directory, or several.
 * @param options - where the report goes, the traces' convention (per example or summed over the
 * training set) and the claim tests' level and margins.
 * @returns what was written, and Table 1 rendered in each format.
 * @throws Error when a directory is neither kind, when none holds a measured run, or when several are given
 * without `out`.
 */
export function writeReport(dirs: string | readonly string[], options: WriteReportOptions = {}): SweepReport {
  const inputs = typeof dirs === 'string' ? [dirs] : dirs;
  const reportDir = options.out ?? defaultReportDir(inputs);
  if (reportDir === undefined)
    throw new Error('give an output directory (--out) for a report of several directories');
  const collected = collectRuns(inputs);
  const { warnings, missing } = collected;
  const convention = options.convention ?? { scale: 'mean' };
  const withHistory = collected.runs.map(({ record, history }) => ({
    record: { ...record, measurement: measurementInConvention(record.measurement, convention) },
    history,
  }));
  const runs = withHistory.map((r) => r.record);
  const total = collected.sweep?.total ?? runs.length + missing.length;
  const table1 = table1Rows(runs);
  const predictions = runPredictions(runs);
  const claims = evaluateClaims(withHistory, options.claims);

  const files = new Map<string, string>();
  const figureLinks: string[] = [];
  for (const loss of LOSS_NAMES) {
    const lossRuns = withHistory.filter((r) => r.record.loss === loss);
    if (lossRuns.length === 0) continue;
    const number = loss === 'kld' ? 2 : 3;
    const accuracyFile = `figure${number}-${loss}.svg`;
    files.set(accuracyFile, renderFigure(accuracyFigure(loss, lossRuns, number)));
    const magnitudeFile = `figure4-${loss}.svg`;
    files.set(
      magnitudeFile,
      renderFigure(
        magnitudeDifferenceFigure(
          loss,
          table1.filter((r) => r.loss === loss),
        ),
      ),
    );
    figureLinks.push(
      `### ${LOSS_TITLES[loss]}`,
      '',
      `![Figure ${number} analogue, ${LOSS_TITLES[loss]}](${accuracyFile})`,
      '',
      `![Figure 4 analogue, ${LOSS_TITLES[loss]}](${magnitudeFile})`,
      '',
    );
    const curvature = trackedCurvatureFigure(loss, lossRuns);
    if (curvature) {
      const curvatureFile = `curvature-${loss}.svg`;
      files.set(curvatureFile, renderFigure(curvature));
      figureLinks.push(`![Curvature during training, ${LOSS_TITLES[loss]}](${curvatureFile})`, '');
    }
  }
  const tracked = trackedPoints(withHistory);
  if (tracked.length > 0) files.set('tracked.csv', trackedCsv(tracked));
  const markdown = table1Markdown(table1);
  const csv = table1Csv(table1);
  const json = {
    sweep: collected.sweep ?? null,
    sources: collected.sources,
    finished: runs.length,
    total,
    missing,
    table1,
    convention,
    predictions,
    claims,
    runs,
  };
  files.set('table1.md', markdown);
  files.set('table1.csv', csv);
  files.set('predictions.md', predictionsMarkdown(predictions));
  files.set('predictions.csv', predictionsCsv(predictions));
  files.set('runs.csv', runsCsv(runs));
  files.set('claims.md', claimsMarkdown(claims));
  files.set('report.json', `${JSON.stringify(json, null, 1)}\n`);
  files.set(
    'README.md',
    [
      collected.sweep ? `# Sweep '${collected.sweep.name}' (${collected.sweep.hash})` : '# Runs',
      '',
      ...(collected.sweep
        ? [collected.sweep.description, '', describeConfig(collected.sweep.config), '']
        : []),
      ...collected.sources.map((line) => `- ${line}`),
      '',
      `Finished runs: ${runs.length} of ${total}.${missing.length ? ` Missing: ${missing.join(', ')}.` : ''}`,
      '',
      '## Table 1 analogue',
      '',
      convention.scale === 'sum'
        ? `Tr(H), tr σ² and the predictions are summed over ${formatPlain(convention.examples)} examples (the loss Σⱼ ℓⱼ), ` +
          'not averaged as measured; Tr(H)/tr σ² is the same either way.\n'
        : '',
      markdown,
      '## The paper’s claims',
      '',
      claimsMarkdown(claims),
      '## Figures 2–4 analogues',
      '',
      ...figureLinks,
      '## Eq. (6) vs Eq. (12), per run',
      '',
      predictionsMarkdown(predictions),
      HOW_TO_READ,
    ].join('\n'),
  );
  for (const [name, content] of files) writeFileAtomic(join(reportDir, name), content);
  return {
    dir: reportDir,
    files: [...files.keys()],
    runs,
    missing,
    table1,
    predictions,
    claims,
    warnings,
    rendered: { md: markdown, csv, json: `${JSON.stringify(table1, null, 1)}\n` },
  };
}
