import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileExclusive } from '../util/atomicWrite.js';
import { readSweepManifest, type SweepManifest } from './sweepDirectory.js';
import { type SweepTask, sweepTasks } from './sweepTask.js';

/** The content of `DIR/tasks.json`: which run each task index of a job array runs, frozen at planning. */
export interface SweepTaskList {
  /** Always `sgd-factors-sweep-tasks`. */
  format: 'sgd-factors-sweep-tasks';
  /** Layout version. */
  version: 1;
  /** The hash of the sweep (as in sweep.json) the list belongs to. */
  hash: string;
  /** Run ids by task index (0-based, as Slurm's `--array=0-N` and Kubernetes' completion index count). */
  ids: string[];
}

/** `DIR/tasks.json`. */
export function taskListPath(dir: string): string {
  return join(dir, 'tasks.json');
}

/**
 * Reads `DIR/tasks.json`.
 *
 * @throws Error naming the file when it is missing or malformed.
 */
export function readSweepTaskList(dir: string): SweepTaskList {
  const path = taskListPath(dir);
  if (!existsSync(path))
    throw new Error(`${path} not found: plan the sweep first (sgd-factors sweep plan … --out ${dir})`);
  let value: Partial<SweepTaskList>;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as Partial<SweepTaskList>;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message})`);
  }
  if (
    value?.format !== 'sgd-factors-sweep-tasks' ||
    typeof value.hash !== 'string' ||
    !Array.isArray(value.ids)
  )
    throw new Error(`${path} is not an sgd-factors task list`);
  return value as SweepTaskList;
}

/**
 * Freezes the task list of a sweep directory: writes `DIR/tasks.json` exactly once (temp file + link, so
 * concurrent planners agree), or checks that the one there lists the same runs.
 *
 * @param dir - a sweep directory (opened with `openSweepDirectory`).
 * @param manifest - its manifest.
 * @returns the tasks, in task-index order.
 * @throws Error when the existing list belongs to another sweep or lists other runs.
 */
export function freezeSweepTasks(dir: string, manifest: SweepManifest): SweepTask[] {
  const tasks = sweepTasks(manifest.config, manifest.data, dir);
  const list: SweepTaskList = {
    format: 'sgd-factors-sweep-tasks',
    version: 1,
    hash: manifest.hash,
    ids: tasks.map((t) => t.id),
  };
  if (!createFileExclusive(taskListPath(dir), `${JSON.stringify(list, null, 1)}\n`)) {
    const existing = readSweepTaskList(dir);
    if (existing.hash !== manifest.hash || existing.ids.join('\n') !== list.ids.join('\n'))
      throw new Error(
        `${taskListPath(dir)} lists the tasks of another sweep (hash ${existing.hash}, this one ${manifest.hash}); it is never rewritten`,
      );
  }
  return tasks;
}

/** A planned sweep: its manifest and its tasks in task-index order. */
export interface PlannedSweep {
  /** `sweep.json`. */
  manifest: SweepManifest;
  /** The tasks; `tasks[i]` is task index i. */
  tasks: SweepTask[];
}

/**
 * Reads a planned sweep directory (`sweep.json` and `tasks.json`) and checks that the task list is the
 * one the config gives.
 *
 * @throws Error naming the file when either is missing or they disagree.
 */
export function readPlannedSweep(dir: string): PlannedSweep {
  const manifest = readSweepManifest(dir);
  const list = readSweepTaskList(dir);
  const tasks = sweepTasks(manifest.config, manifest.data, dir);
  if (list.hash !== manifest.hash || list.ids.join('\n') !== tasks.map((t) => t.id).join('\n'))
    throw new Error(
      `${taskListPath(dir)} does not list the runs of ${join(dir, 'sweep.json')} (hash ${manifest.hash})`,
    );
  return { manifest, tasks };
}
