import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DataSpec, dataIdentity } from '../data/sources/index.js';
import { dataSpecFromFirstLayout } from '../run/legacyLayout.js';
import { specDifferences } from '../run/runDirectory.js';
import { canonicalJson } from '../run/runSpec.js';
import { createFileExclusive, writeFileAtomic } from '../util/atomicWrite.js';
import { readJsonFile } from '../util/readJsonFile.js';
import { type SweepConfig, sweepConfigHash, validateSweepConfig } from './sweepConfig.js';

/** The content of `DIR/sweep.json`: what a sweep directory holds results of. */
export interface SweepManifest {
  /** Always `sgd-factors-sweep`. */
  format: 'sgd-factors-sweep';
  /** Layout version of the directory (2: runs are run directories of the one layout). */
  version: 2;
  /** {@link sweepConfigHash} of the config and the data identity. */
  hash: string;
  /** The normalized config. */
  config: SweepConfig;
  /** The data every run uses (its `dir` is where the files were when the sweep was created). */
  data: DataSpec;
  /** ISO time of creation. */
  createdAt: string;
}

/** The files of a sweep directory. */
export interface SweepPaths {
  /** The directory. */
  dir: string;
  /** `DIR/sweep.json`. */
  manifest: string;
  /** `DIR/results.jsonl`. */
  results: string;
  /** `DIR/runs`. */
  runs: string;
  /** `DIR/report`. */
  report: string;
}

/** The paths of the files in sweep directory `dir`. */
export function sweepPaths(dir: string): SweepPaths {
  return {
    dir,
    manifest: join(dir, 'sweep.json'),
    results: join(dir, 'results.jsonl'),
    runs: join(dir, 'runs'),
    report: join(dir, 'report'),
  };
}

/**
 * Reads and checks `DIR/sweep.json`, of this layout or the first one (whose config named a ResNet depth
 * and whose data was `{ kind, … }`), converted to today's types.
 *
 * @throws Error naming the file if it is missing or not a sweep manifest.
 */
export function readSweepManifest(dir: string): SweepManifest {
  const path = sweepPaths(dir).manifest;
  if (!existsSync(path)) throw new Error(`${path} not found: '${dir}' is not a sweep directory`);
  const value = readJsonFile(path);
  const manifest = value as Partial<SweepManifest> & { dataSource?: Record<string, unknown> };
  if (manifest?.format !== 'sgd-factors-sweep' || typeof manifest.hash !== 'string')
    throw new Error(`${path} is not an sgd-factors sweep manifest`);
  const config = validateSweepConfig(manifest.config, path);
  if (manifest.version === 2) return { ...(manifest as SweepManifest), config };
  return {
    format: 'sgd-factors-sweep',
    version: 2,
    hash: manifest.hash,
    config,
    data: dataSpecFromFirstLayout(manifest.dataSource ?? {}, config, path),
    createdAt: manifest.createdAt ?? '',
  };
}

function refuseDifferentSweep(
  dir: string,
  existing: SweepManifest,
  config: SweepConfig,
  data: DataSpec,
  hash: string,
): never {
  const strip = (c: SweepConfig, d: DataSpec) => ({ ...c, name: '', description: '', data: dataIdentity(d) });
  const differences = specDifferences(strip(existing.config, existing.data), strip(config, data));
  throw new Error(
    `'${dir}' holds results of a different sweep (config hash ${existing.hash}, '${existing.config.name}'; ` +
      `this one is ${hash}, '${config.name}'): ${differences.join('; ') || 'the configs differ'}. ` +
      'Refusing to mix or overwrite results: choose another --out directory.',
  );
}

/** Whether `name` is something a sweep directory being created by another process may already hold. */
function isSweepEntry(name: string): boolean {
  return (
    name === 'sweep.json' ||
    name === 'tasks.json' ||
    name === 'runs' ||
    /^\.(sweep|tasks)\.json\..*\.tmp$/.test(name)
  );
}

/**
 * Prepares a sweep directory: creates it with its `sweep.json` when it is new or empty, accepts it when its
 * `sweep.json` describes the same sweep (same hash), and refuses anything else, so that results of
 * different sweeps are never mixed or overwritten.
 *
 * @remarks
 * Race-free, also between machines sharing the directory over NFS: `sweep.json` is written whole to a
 * temporary file and hard-linked into place, so of any number of processes opening a new directory at
 * the same moment exactly one creates it and the others read its complete manifest.
 *
 * @param dir - the output directory.
 * @param config - the normalized config.
 * @param data - the data every run uses.
 * @returns the manifest on disk (the existing one when resuming).
 * @throws Error naming the differing fields when `dir` holds a different sweep, or when `dir` is not
 * empty and holds no `sweep.json`.
 */
export function openSweepDirectory(dir: string, config: SweepConfig, data: DataSpec): SweepManifest {
  const paths = sweepPaths(dir);
  const hash = sweepConfigHash(config, { data: dataIdentity(data) });
  if (
    !existsSync(paths.manifest) &&
    existsSync(dir) &&
    !readdirSync(dir).every(isSweepEntry) &&
    !existsSync(paths.manifest)
  )
    throw new Error(
      `'${dir}' is not empty and has no sweep.json, so it is not a sweep directory; choose an empty or new --out directory`,
    );
  const manifest: SweepManifest = {
    format: 'sgd-factors-sweep',
    version: 2,
    hash,
    config,
    data,
    createdAt: new Date().toISOString(),
  };
  if (!createFileExclusive(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`)) {
    const existing = readSweepManifest(dir);
    if (existing.hash !== hash) refuseDifferentSweep(dir, existing, config, data, hash);
    mkdirSync(paths.runs, { recursive: true });
    if (canonicalJson(existing.config) === canonicalJson(config)) return existing;
    // Same trainings, other measurement settings (or name): the manifest says what is measured now.
    const updated: SweepManifest = { ...existing, config, data: { ...existing.data, dir: data.dir } };
    writeFileAtomic(paths.manifest, `${JSON.stringify(updated, null, 2)}\n`);
    return updated;
  }
  mkdirSync(paths.runs, { recursive: true });
  return manifest;
}
