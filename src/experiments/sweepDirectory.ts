import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { canonicalJson, type SweepConfig, sweepConfigHash, validateSweepConfig } from './sweepConfig.js';
import { dataIdentity, type SweepDataSource } from './sweepTask.js';

/** The content of `DIR/sweep.json`: what a sweep directory holds results of. */
export interface SweepManifest {
  /** Always `sgd-factors-sweep`. */
  format: 'sgd-factors-sweep';
  /** Layout version of the directory. */
  version: 1;
  /** {@link sweepConfigHash} of the config and the data identity. */
  hash: string;
  /** The normalized config. */
  config: SweepConfig;
  /** The data identity (see {@link dataIdentity}). */
  data: Record<string, unknown>;
  /** Where the images came from when the sweep was created (informational). */
  dataSource: SweepDataSource;
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
 * Reads and checks `DIR/sweep.json`.
 *
 * @throws Error naming the file if it is missing or not a sweep manifest.
 */
export function readSweepManifest(dir: string): SweepManifest {
  const path = sweepPaths(dir).manifest;
  if (!existsSync(path)) throw new Error(`${path} not found: '${dir}' is not a sweep directory`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message})`);
  }
  const manifest = value as Partial<SweepManifest>;
  if (manifest?.format !== 'sgd-factors-sweep' || typeof manifest.hash !== 'string')
    throw new Error(`${path} is not an sgd-factors sweep manifest`);
  return { ...(manifest as SweepManifest), config: validateSweepConfig(manifest.config, path) };
}

function describeDifferences(a: Record<string, unknown>, b: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'name' || key === 'description') continue;
    const x = a[key];
    const y = b[key];
    if (canonicalJson(x) === canonicalJson(y)) continue;
    const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (isObject(x) && isObject(y))
      out.push(
        ...describeDifferences(
          x as Record<string, unknown>,
          y as Record<string, unknown>,
          `${prefix}${key}.`,
        ),
      );
    else
      out.push(
        `${prefix}${key}: ${JSON.stringify(x) ?? 'absent'} there, ${JSON.stringify(y) ?? 'absent'} now`,
      );
  }
  return out;
}

/**
 * Prepares a sweep directory: creates it with its `sweep.json` when it is new or empty, accepts it when its
 * `sweep.json` describes the same sweep (same hash), and refuses anything else, so that results of
 * different sweeps are never mixed or overwritten.
 *
 * @param dir - the output directory.
 * @param config - the normalized config.
 * @param data - the data source.
 * @returns the manifest on disk (the existing one when resuming).
 * @throws Error naming the differing fields when `dir` holds a different sweep, or when `dir` is not
 * empty and holds no `sweep.json`.
 */
export function openSweepDirectory(dir: string, config: SweepConfig, data: SweepDataSource): SweepManifest {
  const paths = sweepPaths(dir);
  const identity = dataIdentity(data);
  const hash = sweepConfigHash(config, { data: identity });
  if (existsSync(paths.manifest)) {
    const existing = readSweepManifest(dir);
    if (existing.hash !== hash) {
      const differences = describeDifferences({ ...existing.config, data: existing.data }, {
        ...config,
        data: identity,
      } as unknown as Record<string, unknown>);
      throw new Error(
        `'${dir}' holds results of a different sweep (config hash ${existing.hash}, '${existing.config.name}'; ` +
          `this one is ${hash}, '${config.name}'): ${differences.join('; ') || 'the configs differ'}. ` +
          'Refusing to mix or overwrite results: choose another --out directory.',
      );
    }
    return existing;
  }
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new Error(
      `'${dir}' is not empty and has no sweep.json, so it is not a sweep directory; choose an empty or new --out directory`,
    );
  mkdirSync(paths.runs, { recursive: true });
  const manifest: SweepManifest = {
    format: 'sgd-factors-sweep',
    version: 1,
    hash,
    config,
    data: identity,
    dataSource: data,
    createdAt: new Date().toISOString(),
  };
  writeFileAtomic(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
