import { readRunResult } from '../run/runDirectory.js';
import type { RunRecord } from '../run/runResult.js';
import { runSpecHash } from '../run/runSpec.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { readRunRecords } from './resultsLog.js';
import { readSweepManifest, sweepPaths } from './sweepDirectory.js';
import { type SweepTask, sweepTasks } from './sweepTask.js';

/** The result of one task, if it has a valid one. */
export function finishedRecord(task: SweepTask): RunRecord | undefined {
  let record: RunRecord | undefined;
  try {
    record = readRunResult(task.runDir);
  } catch {
    return undefined; // unreadable: the run is measured again
  }
  if (record?.id !== task.id || record.hash !== runSpecHash(task.spec)) return undefined;
  return record;
}

/** What {@link collectSweepResults} wrote. */
export interface CollectedResults {
  /** The sweep directory. */
  dir: string;
  /** The records written to results.jsonl, in task order. */
  records: RunRecord[];
  /** Ids of grid runs without a result yet. */
  missing: string[];
}

/**
 * Rewrites `DIR/results.jsonl` from the runs' own `runs/<id>/result.json` files, in task order
 * (temp file, fsync, rename): results.jsonl is an index derived from the per-run results, which are the
 * record. A run without a result.json keeps its line of the existing results.jsonl (sweeps of the first
 * layout); a result whose hash is not the run's spec's is left out.
 *
 * @remarks
 * Meant to be run by one process (`sgd-factors sweep collect DIR` once a job array is done; a `sweep`
 * process after each of its runs). Two collectors at once cannot tear the file, only leave the older
 * snapshot in place; collecting again fixes it.
 *
 * @param dir - a sweep directory.
 */
export function collectSweepResults(dir: string): CollectedResults {
  const manifest = readSweepManifest(dir);
  const paths = sweepPaths(dir);
  const previous = new Map(readRunRecords(paths.results).records.map((r) => [r.id, r]));
  const records: RunRecord[] = [];
  const missing: string[] = [];
  for (const task of sweepTasks(manifest.config, manifest.data, dir)) {
    const record = finishedRecord(task) ?? previous.get(task.id);
    if (record) records.push(record);
    else missing.push(task.id);
  }
  writeFileAtomic(paths.results, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return { dir, records, missing };
}
