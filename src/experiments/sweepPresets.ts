import { type SweepConfig, type SweepConfigInput, validateSweepConfig } from './sweepConfig.js';

/** A named, ready-made sweep. */
export interface SweepPreset {
  /** The normalized config. */
  config: SweepConfig;
  /**
   * Whether the preset is meant for a GPU (tfjs-node-gpu) or many CPU-days; `sweep` says so when it
   * starts, with an estimate measured from the first epoch.
   */
  heavy: boolean;
}

const PAPER_GRID = { batchSizes: [100, 200, 500], learningRates: [0.08, 0.2, 0.5] };

function table1(loss: 'kld' | 'crossEntropy'): SweepConfigInput {
  return {
    name: loss === 'kld' ? 'table1' : 'table1-logloss',
    description:
      `Luo & Wang (2021), ${loss === 'kld' ? 'Table 1 and Figure 2' : 'Figure 3'}: ResNet-56 on all of ` +
      `CIFAR-10, 125 epochs, LR ÷10 at epochs 60 and 100, BS {100, 200, 500} × LR {0.08, 0.2, 0.5}, 5 seeds, ` +
      `${loss === 'kld' ? 'KLD' : 'log (cross-entropy)'} loss.`,
    depth: 56,
    weightDecay: 1e-4,
    trainSize: 'all',
    validationSize: 'all',
    epochs: 125,
    schedule: { boundaries: [60, 100], factor: 0.1 },
    losses: [loss],
    ...PAPER_GRID,
    seeds: [0, 1, 2, 3, 4],
    measurement: {
      estimator: 'hutchinson',
      probes: 50,
      examples: 10000,
      // Chunks of the measurement: in inference mode the values do not depend on them, the memory does
      // (a ResNet-56 Hessian product holds about 2.8× a ResNet-20's: ≈ 7–8 GB at 100 examples).
      batchSize: 100,
      noise: 'perExample',
      sigmaHProbes: 10,
    },
  };
}

const PRESET_INPUTS: Record<string, { input: SweepConfigInput; heavy: boolean }> = {
  table1: { input: table1('kld'), heavy: true },
  'table1-logloss': { input: table1('crossEntropy'), heavy: true },
  cpu: {
    input: {
      name: 'cpu',
      description:
        'A CPU-sized analogue of Table 1: ResNet-20, the first 10,000 CIFAR-10 training images, 15 epochs ' +
        '(LR ÷10 at epochs 7 and 12, the paper’s 60/125 and 100/125 scaled), the same 3×3 grid, 2 seeds, KLD loss.',
      depth: 20,
      weightDecay: 1e-4,
      trainSize: 10000,
      validationSize: 2000,
      epochs: 15,
      schedule: { boundaries: [7, 12], factor: 0.1 },
      losses: ['kld'],
      ...PAPER_GRID,
      seeds: [0, 1],
      measurement: {
        estimator: 'hutchinson',
        probes: 10,
        examples: 1000,
        // 250 ran out of the wasm heap (4 GiB) at the first Hessian product, after the training; a
        // ResNet-20 product at 100 peaks at 2.5 GB (measured with `measure --dry-run`).
        batchSize: 100,
        noise: 'perExample',
        sigmaHProbes: 5,
      },
    },
    heavy: false,
  },
  'fashion-mnist': {
    input: {
      name: 'fashion-mnist',
      description:
        'Table 1 on real images, sized for 2 CPU cores: ResNet-20 on the first 5,000 Fashion-MNIST training ' +
        'images (28×28×1), 10 epochs (LR ÷10 at epochs 5 and 8, the paper’s 60/125 and 100/125 scaled), ' +
        'BS {100, 200, 500} × LR {0.08, 0.2, 0.5}, KLD and log loss, 2 seeds; measured on 500 images.',
      dataset: 'fashion-mnist',
      model: { name: 'resnetV1', options: { depth: 20, weightDecay: 1e-4 } },
      trainSize: 5000,
      validationSize: 1000,
      epochs: 10,
      schedule: { boundaries: [5, 8], factor: 0.1 },
      losses: ['kld', 'crossEntropy'],
      ...PAPER_GRID,
      seeds: [0, 1],
      measurement: {
        estimator: 'hutchinson',
        probes: 10,
        examples: 500,
        batchSize: 100,
        noise: 'perExample',
        sigmaHProbes: 5,
      },
    },
    heavy: false,
  },
  smoke: {
    input: {
      name: 'smoke',
      dataset: 'synthetic',
      description:
        'A smoke test of the whole pipeline: ResNet-8, 2,000 synthetic images, 2 epochs (LR ÷10 after the ' +
        'first), BS {100, 200} × LR {0.08, 0.2}, 1 seed, KLD loss.',
      depth: 8,
      weightDecay: 1e-4,
      trainSize: 2000,
      validationSize: 200,
      epochs: 2,
      schedule: { boundaries: [1], factor: 0.1 },
      losses: ['kld'],
      batchSizes: [100, 200],
      learningRates: [0.08, 0.2],
      seeds: [0],
      measurement: {
        estimator: 'hutchinson',
        probes: 2,
        examples: 100,
        batchSize: 100,
        noise: 'perExample',
        sigmaHProbes: 2,
      },
    },
    heavy: false,
  },
};

/** Names of the built-in presets, for `sgd-factors sweep --preset NAME`. */
export const SWEEP_PRESET_NAMES: readonly string[] = Object.keys(PRESET_INPUTS);

/**
 * A built-in sweep preset.
 *
 * @remarks
 * - `table1`, `table1-logloss`: the paper's setting (ResNet-56, all of CIFAR-10, 125 epochs, LR ÷10 at
 *   epochs 60 and 100, BS {100, 200, 500} × LR {0.08, 0.2, 0.5}, 5 seeds) with the KLD or the log loss.
 *   Meant for a GPU or many CPU-days.
 * - `cpu`: ResNet-20 on 10,000 images for 15 epochs, the same grid, 2 seeds; a few hours on a CPU.
 * - `smoke`: ResNet-8 on 2,000 synthetic images for 2 epochs, a 2×2 grid, 1 seed; minutes.
 *
 * @param name - one of {@link SWEEP_PRESET_NAMES}.
 * @throws RangeError for an unknown name, listing the known ones.
 */
export function sweepPreset(name: string): SweepPreset {
  const entry = PRESET_INPUTS[name];
  if (!entry)
    throw new RangeError(
      `sweepPreset: unknown preset '${name}'; known presets: ${SWEEP_PRESET_NAMES.join(', ')}`,
    );
  return {
    config: validateSweepConfig(entry.input, `preset '${name}'`),
    heavy: entry.heavy,
  };
}
