import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ReportFormat, writeReport } from '../../report/writeReport.js';
import { type Command, UsageError } from '../command.js';

const FORMATS: readonly ReportFormat[] = ['md', 'csv', 'json'];

export const reportCommand: Command = {
  name: 'report',
  summary: 'Table 1 and Figures 2–4 analogues from a sweep or from run directories',
  usage: `sgd-factors report DIR [DIR …] [--out REPORT_DIR] [--format md|csv|json]

Each DIR is a sweep directory (made by 'sgd-factors sweep', also of the first layout) or a run directory
(made by 'sgd-factors train' and measured by 'sgd-factors measure'). Writes into DIR/report/ (one DIR) or
--out REPORT_DIR (required for several):
  README.md                 everything below, with the figures embedded
  table1.md, table1.csv     Table 1: BS/LR, BS, LR, Tr(H), tr σ², Tr(H)/tr σ² (mean ± s.e. over seeds)
  figure2-kld.svg, figure3-<loss>.svg   training/validation accuracy per epoch, colored by BS/LR
  figure4-<loss>.svg        magnitude difference against LR (per BS) and against BS (per LR)
  predictions.md/.csv       Eq. (6) vs Eq. (12) (and Eq. (13)) predictions for each run
  runs.csv, report.json     every run's values
Works on a partial sweep. Prints Table 1 on stdout in the chosen format (default md).`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { format: { type: 'string', default: 'md' }, out: { type: 'string' } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length === 0) throw new UsageError('give a sweep or run directory (or several, with --out)');
    if (positionals.length > 1 && values.out === undefined)
      throw new UsageError(`give --out REPORT_DIR for a report of ${positionals.length} directories`);
    const format = values.format as ReportFormat;
    if (!FORMATS.includes(format))
      throw new UsageError(`--format must be md, csv or json, got '${values.format}'`);
    const report = writeReport(
      positionals.map((p) => resolve(p)),
      values.out !== undefined ? { out: resolve(values.out) } : {},
    );
    for (const warning of report.warnings) process.stderr.write(`sgd-factors report: ${warning}\n`);
    process.stdout.write(report.rendered[format]);
    const where = relative(process.cwd(), report.dir) || '.';
    process.stderr.write(
      `wrote ${report.files.length} files to ${where}/ (${report.runs.length} runs${report.missing.length ? `, ${report.missing.length} still missing` : ''}); start with ${where}/README.md\n`,
    );
    return 0;
  },
};
