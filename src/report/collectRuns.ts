import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { readRunRecords } from '../experiments/resultsLog.js';
import type { SweepConfig } from '../experiments/sweepConfig.js';
import { readSweepManifest, sweepPaths } from '../experiments/sweepDirectory.js';
import { sweepTasks } from '../experiments/sweepTask.js';
import { describeModel } from '../models/modelRegistry.js';
import { recordFromAnyLayout } from '../run/legacyLayout.js';
import { readRunConfig, readRunHistory, readRunResult, runPaths } from '../run/runDirectory.js';
import type { RunRecord } from '../run/runResult.js';
import type { RunWithHistory } from './figures.js';

/** The runs a report covers, from sweep directories and run directories alike. */
export interface CollectedRuns {
  /** Measured runs with their histories, in the order found. */
  runs: RunWithHistory[];
  /** Runs of a sweep's grid (as `sweep/id`) or run directories without a measurement yet. */
  missing: string[];
  /** Lines saying what each input was (for the report's header). */
  sources: string[];
  /** The sweep's config when the report covers exactly one sweep. */
  sweep?: {
    name: string;
    description: string;
    hash: string;
    config: SweepConfig;
    data: unknown;
    total: number;
  };
  /** Problems that did not stop the report (unreadable lines, runs without a history). */
  warnings: string[];
}

/** A sweep's measured runs: `runs/<id>/result.json` of each grid run, else its line of results.jsonl. */
function collectSweep(dir: string, into: CollectedRuns): void {
  const manifest = readSweepManifest(dir);
  const paths = sweepPaths(dir);
  const tasks = sweepTasks(manifest.config, manifest.data, dir);
  const { records, ignoredLines } = readRunRecords(paths.results);
  if (ignoredLines.length)
    into.warnings.push(
      `${paths.results}: skipped unreadable line(s) ${ignoredLines.join(', ')} (a torn write?)`,
    );
  // Lines of the first layout (without hash and spec, `final` in the old history shape) read as today's.
  const logged = new Map(
    records.map((r) => [r.id, recordFromAnyLayout(r as unknown as Record<string, unknown>)]),
  );
  let found = 0;
  for (const task of tasks) {
    let record: RunRecord | undefined;
    try {
      record = readRunResult(task.runDir) ?? logged.get(task.id);
    } catch (error) {
      into.warnings.push((error as Error).message);
      record = logged.get(task.id);
    }
    if (!record) {
      into.missing.push(`${basename(dir)}/${task.id}`);
      continue;
    }
    found += 1;
    const history = readRunHistory(task.runDir);
    if (history.length === 0)
      into.warnings.push(`${task.id}: no history.json, left out of the accuracy figure`);
    into.runs.push({ record, history });
  }
  const c = manifest.config;
  into.sources.push(
    `sweep '${c.name}' (${manifest.hash}) in ${dir}: ${found} of ${tasks.length} runs measured; ${describeModel(c.model)} on ${c.dataset}`,
  );
  into.sweep = {
    name: c.name,
    description: c.description,
    hash: manifest.hash,
    config: c,
    data: manifest.data,
    total: tasks.length,
  };
}

/** One run directory: its `result.json` (written by `measure` or a sweep). */
function collectRun(dir: string, into: CollectedRuns): void {
  const record = readRunResult(dir);
  if (!record) {
    into.missing.push(dir);
    into.warnings.push(`${dir} has no result.json yet: measure it with 'sgd-factors measure ${dir}'`);
    return;
  }
  const config = readRunConfig(dir);
  into.runs.push({ record, history: readRunHistory(dir) });
  into.sources.push(
    `run ${record.id} in ${dir}${config ? `: ${describeModel(config.spec.model)} on ${config.spec.data.name}` : ''}`,
  );
}

/**
 * Gathers the runs of sweep directories (holding `sweep.json`) and run directories (holding
 * `result.json` or `config.json`), in the order given.
 *
 * @param dirs - the directories.
 * @throws Error naming a directory that is neither, or when no run has a measurement.
 */
export function collectRuns(dirs: readonly string[]): CollectedRuns {
  const into: CollectedRuns = { runs: [], missing: [], sources: [], warnings: [] };
  let sweeps = 0;
  for (const given of dirs) {
    const dir = resolve(given);
    if (!existsSync(dir)) throw new Error(`${given} does not exist`);
    if (existsSync(sweepPaths(dir).manifest)) {
      collectSweep(dir, into);
      sweeps += 1;
    } else if (existsSync(runPaths(dir).result) || existsSync(runPaths(dir).config)) collectRun(dir, into);
    else
      throw new Error(
        `${given} is neither a sweep directory (no sweep.json) nor a run directory (no result.json or config.json)`,
      );
  }
  if (sweeps !== 1 || dirs.length !== 1) delete into.sweep;
  const ids = new Set<string>();
  for (const run of into.runs) {
    if (ids.has(run.record.id)) run.record = { ...run.record, id: `${run.record.id}#${ids.size}` };
    ids.add(run.record.id);
  }
  if (into.runs.length === 0)
    throw new Error(
      `no measured run in ${dirs.join(', ')} yet; run 'sgd-factors sweep' or 'sgd-factors measure' first`,
    );
  return into;
}

/** Where a report goes by default: `DIR/report` of the one directory given. */
export function defaultReportDir(dirs: readonly string[]): string | undefined {
  return dirs.length === 1 ? join(resolve(dirs[0] as string), 'report') : undefined;
}
