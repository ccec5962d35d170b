import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochRecord } from '../train/history.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { readJsonFile } from '../util/readJsonFile.js';
import { historyFromAnyLayout, recordFromAnyLayout } from './legacyLayout.js';
import type { RunRecord } from './runResult.js';
import { canonicalJson, type RunSpec, trainingHash } from './runSpec.js';

/**
 * The files of a run directory, whichever command made it (`train`, `measure`, or a sweep's
 * `DIR/runs/<id>/`):
 *
 * - `config.json` — the normalized {@link RunSpec} and its training hash ({@link RunConfigFile});
 * - `checkpoint/` — the last epoch's weights and optimizer state, written atomically after every epoch;
 * - `history.json` — `{ epochs: EpochRecord[] }`, one entry per finished epoch;
 * - `weights.safetensors` — the trained weights, once training has finished;
 * - `result.json` — the end-of-training measurement ({@link RunRecord}), once measured.
 */
export interface RunPaths {
  /** The directory. */
  dir: string;
  /** `config.json`. */
  config: string;
  /** `checkpoint/`. */
  checkpoint: string;
  /** `history.json`. */
  history: string;
  /** `weights.safetensors`. */
  weights: string;
  /** `result.json`. */
  result: string;
}

/** The paths of the files of run directory `dir`. */
export function runPaths(dir: string): RunPaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    checkpoint: join(dir, 'checkpoint'),
    history: join(dir, 'history.json'),
    weights: join(dir, 'weights.safetensors'),
    result: join(dir, 'result.json'),
  };
}

/** The content of a run's `config.json`. */
export interface RunConfigFile {
  /** Identifies the file. */
  format: 'sgd-factors-run';
  /** Layout version (2: one layout for every command). */
  version: 2;
  /** The run id. */
  id: string;
  /** {@link trainingHash} of the spec: a run directory holds one training, however often measured. */
  trainingHash: string;
  /** The normalized spec. */
  spec: RunSpec;
}

/**
 * Reads a run's `config.json`.
 *
 * @returns the file, or undefined when the directory has none.
 * @throws Error naming the file when it is unreadable or not a run configuration.
 */
export function readRunConfig(dir: string): RunConfigFile | undefined {
  const path = runPaths(dir).config;
  if (!existsSync(path)) return undefined;
  const value = readJsonFile(path) as Partial<RunConfigFile> | null;
  if (value?.format !== 'sgd-factors-run' || value.version !== 2 || typeof value.spec !== 'object')
    throw new Error(
      `${path} is not an sgd-factors run configuration (format 'sgd-factors-run', version 2); a run of an older version cannot be resumed, only reported`,
    );
  return value as RunConfigFile;
}

/** The fields in which two specs differ, as `path: before → now` lines (empty when equal). */
export function specDifferences(before: unknown, now: unknown, path = ''): string[] {
  if (canonicalJson(before) === canonicalJson(now)) return [];
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(before) || !isObject(now))
    return [`${path || '(spec)'}: ${JSON.stringify(before)} before, ${JSON.stringify(now)} now`];
  const a = before as Record<string, unknown>;
  const b = now as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) =>
    specDifferences(a[k], b[k], path ? `${path}.${k}` : k),
  );
}

/**
 * Writes a run's `config.json`, or checks that the one there describes the same training.
 *
 * @remarks
 * A directory holds one training: a spec whose data, model or training settings differ from the stored
 * one is refused, naming the differences. Only the measurement (measure again with other settings) and
 * the number of epochs (resume for longer) may change; the stored spec becomes the one given.
 *
 * @throws Error naming the directory and the differing fields.
 */
export function writeRunConfig(dir: string, id: string, spec: RunSpec): RunConfigFile {
  const existing = readRunConfig(dir);
  const hash = trainingHash(spec);
  if (existing && existing.trainingHash !== hash) {
    const comparable = (s: RunSpec) => ({
      data: { ...s.data, dir: null },
      model: s.model,
      training: { ...s.training, epochs: null },
    });
    const differences = specDifferences(comparable(existing.spec), comparable(spec));
    throw new Error(
      `${dir} holds a different run (${differences.join('; ') || 'its hash differs'}); choose another directory`,
    );
  }
  const file: RunConfigFile = { format: 'sgd-factors-run', version: 2, id, trainingHash: hash, spec };
  writeFileAtomic(runPaths(dir).config, `${JSON.stringify(file, null, 2)}\n`);
  return file;
}

/** Writes a run's history (atomically), as training does after every epoch. */
export function writeRunHistory(dir: string, epochs: readonly EpochRecord[]): void {
  writeFileAtomic(runPaths(dir).history, `${JSON.stringify({ epochs }, null, 1)}\n`);
}

/**
 * Reads a run's history, in today's layout or the first one's; an empty list when the run has none yet.
 *
 * @throws Error naming the file when it exists but is not a history.
 */
export function readRunHistory(dir: string): EpochRecord[] {
  const path = runPaths(dir).history;
  if (!existsSync(path)) return [];
  return historyFromAnyLayout(readJsonFile(path), path);
}

/** Writes a run's `result.json` (temp file, fsync, rename). */
export function writeRunResult(dir: string, record: RunRecord): void {
  writeFileAtomic(runPaths(dir).result, `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Reads a run's `result.json` (either layout).
 *
 * @returns the record, or undefined when the run has not been measured.
 * @throws Error naming the file when it is unreadable or not a result.
 */
export function readRunResult(dir: string): RunRecord | undefined {
  const path = runPaths(dir).result;
  if (!existsSync(path)) return undefined;
  const value = readJsonFile(path);
  if (typeof value !== 'object' || value === null || typeof (value as RunRecord).id !== 'string')
    throw new Error(`${path} is not a run result`);
  return recordFromAnyLayout(value as Record<string, unknown>);
}
