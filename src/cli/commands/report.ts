import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dataSpecShape } from '../../data/sources/index.js';
import { collectRuns } from '../../report/collectRuns.js';
import type { TraceConvention } from '../../report/traceConvention.js';
import { type ReportFormat, writeReport } from '../../report/writeReport.js';
import { type Command, UsageError } from '../command.js';
import { choiceFlag, integerFlag } from '../flags.js';

/**
 * The convention of `--scale`: per example (as measured), or summed over the training set (the paper's
 * Table 1), whose size is `--examples` or else the runs' own training-set size (all runs must agree).
 */
function conventionFromFlags(
  dirs: string[],
  scale: 'mean' | 'sum',
  examples: number | undefined,
): TraceConvention {
  if (scale === 'mean') {
    if (examples !== undefined) throw new UsageError('--examples applies to --scale sum only');
    return { scale };
  }
  if (examples !== undefined) return { scale, examples };
  const sizes = new Set(
    collectRuns(dirs).runs.map(({ record }) =>
      record.spec ? dataSpecShape(record.spec.data).trainSize : undefined,
    ),
  );
  const [size] = sizes;
  if (sizes.size !== 1 || size === undefined)
    throw new UsageError(
      `--scale sum needs --examples N: the runs ${sizes.has(undefined) ? 'include some without a spec' : `were trained on ${[...sizes].join(', ')} examples`}`,
    );
  return { scale, examples: size };
}

const FORMATS: readonly ReportFormat[] = ['md', 'csv', 'json'];

/** `sgd-factors report`: tables, figures and claims from sweep and run directories. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'Table 1 and Figures 2–4 analogues from a sweep or from run directories',
  usage: `sgd-factors report DIR [DIR …] [--out REPORT_DIR] [--scale mean|sum [--examples N]] [--format md|csv|json] [--quiet]

Each DIR is a sweep directory (made by 'sgd-factors sweep', also of the first layout) or a run directory
(made by 'sgd-factors train' and measured by 'sgd-factors measure'). Writes into DIR/report/ (one DIR) or
--out REPORT_DIR (required for several):
  README.md                 everything below, with the figures embedded
  table1.md, table1.csv     Table 1: BS/LR, BS, LR, Tr(H), tr σ², Tr(H)/tr σ² (mean ± s.e. over seeds)
  figure2-kld.svg, figure3-<loss>.svg   training/validation accuracy per epoch, colored by BS/LR
  figure4-<loss>.svg        magnitude difference against LR (per BS) and against BS (per LR)
  predictions.md/.csv       Eq. (6) vs Eq. (12) (and Eq. (13)) predictions for each run
  claims.md                 the paper's claims tested on the runs, with standard errors and verdicts
  runs.csv, report.json     every run's values
Works on a partial sweep. Prints Table 1 on stdout in the chosen format (default md).

  --scale sum           traces of the loss summed over the N training examples (the paper's Table 1
                        convention, see docs/reproducing-luo-wang-2021.md) instead of the mean (default)
  --examples N          N for --scale sum (default: the runs' training-set size)`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        format: { type: 'string', default: 'md' },
        out: { type: 'string' },
        scale: { type: 'string' },
        examples: { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length === 0)
      throw new UsageError('give a sweep or run directory (or several, with --out)');
    if (positionals.length > 1 && values.out === undefined)
      throw new UsageError(`give --out REPORT_DIR for a report of ${positionals.length} directories`);
    const format = values.format as ReportFormat;
    if (!FORMATS.includes(format))
      throw new UsageError(`--format must be md, csv or json, got '${values.format}'`);
    const dirs = positionals.map((p) => resolve(p));
    const convention = conventionFromFlags(
      dirs,
      choiceFlag('--scale', values.scale, ['mean', 'sum'] as const) ?? 'mean',
      integerFlag('--examples', values.examples, 1),
    );
    const report = writeReport(dirs, {
      convention,
      ...(values.out !== undefined ? { out: resolve(values.out) } : {}),
    });
    if (!values.quiet)
      for (const warning of report.warnings) process.stderr.write(`sgd-factors report: ${warning}\n`);
    process.stdout.write(report.rendered[format]);
    const where = relative(process.cwd(), report.dir) || '.';
    if (!values.quiet)
      process.stderr.write(
        `wrote ${report.files.length} files to ${where}/ (${report.runs.length} run${report.runs.length === 1 ? '' : 's'}${report.missing.length ? `, ${report.missing.length} still missing` : ''}); start with ${where}/README.md\n`,
      );
    return 0;
  },
};
