// Shared pieces of the sweep tests: a tiny config for the toy runner and a way to compare results
// without their wall-clock fields.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSpec } from '../../src/data/sources/index.js';
import { syntheticDataSource } from '../../src/data/sources/index.js';
import type { SweepConfigInput } from '../../src/experiments/sweepConfig.js';
import type { RunRecord } from '../../src/run/runResult.js';

export const toyConfig: SweepConfigInput = {
  name: 'toy',
  dataset: 'synthetic',
  depth: 8,
  trainSize: 64,
  validationSize: 32,
  epochs: 3,
  schedule: { boundaries: [2], factor: 0.1 },
  batchSizes: [8, 16],
  learningRates: [0.05, 0.1],
  seeds: [0, 1],
  measurement: { estimator: 'hutchinson', examples: 64, probes: 1, batchSize: 64 },
};

export const toyData: DataSpec = {
  name: 'synthetic',
  dir: null,
  trainSize: 64,
  testSize: 32,
  params: syntheticDataSource.normalize({ n: 64, testN: 32, seed: 3 }, 'toyData'),
};

export const toyRunnerPath = new URL('./fixtures/toyRunner.ts', import.meta.url).pathname;

/** A record without the fields that depend on timing. */
export function timeless(record: RunRecord): unknown {
  const { seconds: _seconds, final, measurement, ...rest } = record;
  const { seconds: _epochSeconds, trainSeconds: _trainSeconds, ...finalRest } = final;
  const { seconds: _measureSeconds, ...settings } = measurement.settings;
  return { ...rest, final: finalRest, measurement: { ...measurement, settings } };
}

/** The records of DIR/results.jsonl, without timing, sorted by id. */
export function resultsOf(dir: string): unknown[] {
  return readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RunRecord)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map(timeless);
}
