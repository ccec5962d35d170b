import { type DataSpec, prepareDataSpec } from '../data/sources/index.js';
import { type SweepConfig, validateSweepConfig } from '../experiments/sweepConfig.js';
import { SWEEP_PRESET_NAMES, sweepPreset } from '../experiments/sweepPresets.js';
import { readJsonFile } from '../util/readJsonFile.js';
import { UsageError } from './command.js';
import { DATA_FLAG_OPTIONS, type DataFlagValues, dataRequestFromFlags } from './dataFlags.js';
import { asUsageError } from './flags.js';

/** The `parseArgs` options that choose a sweep: `--preset`/`--config` and the data flags. */
export const SWEEP_CONFIG_OPTIONS = {
  preset: { type: 'string' },
  config: { type: 'string' },
  ...DATA_FLAG_OPTIONS,
} as const;

/** The values of {@link SWEEP_CONFIG_OPTIONS} as `parseArgs` returns them. */
export interface SweepConfigFlagValues extends DataFlagValues {
  preset?: string | undefined;
  config?: string | undefined;
}

/** A sweep chosen on the command line. */
export interface ChosenSweep {
  /** The normalized config (its dataset the one the data flags chose). */
  config: SweepConfig;
  /** Whether the preset is meant for a GPU or many CPU-days. */
  heavy: boolean;
  /** The data, located (and downloaded) once, before any worker starts. */
  data: DataSpec;
}

/**
 * The sweep that `--preset NAME` or `--config FILE.json` and the data flags describe.
 *
 * @param command - the command's name, for messages.
 * @throws UsageError for missing, contradicting or unknown flags; Error for an unreadable config file.
 */
export async function sweepFromFlags(
  values: SweepConfigFlagValues,
  quiet: boolean,
  command: string,
): Promise<ChosenSweep> {
  if ((values.preset === undefined) === (values.config === undefined))
    throw new UsageError('give exactly one of --preset NAME or --config FILE.json');
  let config: SweepConfig;
  let heavy = false;
  if (values.preset !== undefined) {
    if (!SWEEP_PRESET_NAMES.includes(values.preset))
      throw new UsageError(
        `unknown preset '${values.preset}'; known presets: ${SWEEP_PRESET_NAMES.join(', ')}`,
      );
    const preset = sweepPreset(values.preset);
    config = preset.config;
    heavy = preset.heavy;
  } else {
    const file = values.config as string;
    // readJsonFile names the file in every error, also for JSON nested absurdly deep.
    config = validateSweepConfig(readJsonFile(file), file);
  }
  const size = (x: number | 'all') => (x === 'all' ? null : x);
  const request = dataRequestFromFlags(
    { ...values, dataset: values.dataset ?? (values.synthetic === undefined ? config.dataset : undefined) },
    { trainSize: size(config.trainSize), testSize: size(config.validationSize) },
  );
  if (request.name !== config.dataset) config = { ...config, dataset: request.name };
  const data = await asUsageError('data', () => prepareDataSpec({ ...request, quiet }, command));
  return { config, heavy, data };
}
