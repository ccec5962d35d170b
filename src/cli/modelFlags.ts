import { type ModelSpec, modelDefinition, modelNames, normalizeModelSpec } from '../models/modelRegistry.js';
import { UsageError } from './command.js';
import { integerFlag, integerListFlag, numberFlag } from './flags.js';

/** The `parseArgs` options of the model flags that `train` and `measure` share. */
export const MODEL_FLAG_OPTIONS = {
  model: { type: 'string' },
  depth: { type: 'string' },
  width: { type: 'string' },
  hidden: { type: 'string' },
  activation: { type: 'string' },
  'weight-decay': { type: 'string' },
} as const;

/** The values of {@link MODEL_FLAG_OPTIONS} as `parseArgs` returns them. */
export interface ModelFlagValues {
  model?: string | undefined;
  depth?: string | undefined;
  width?: string | undefined;
  hidden?: string | undefined;
  activation?: string | undefined;
  'weight-decay'?: string | undefined;
}

/** Help lines of the shared model flags. */
export function modelFlagsUsage(): string {
  const models = modelNames().map((name) => `${name} (${modelDefinition(name).summary})`);
  return `  --model NAME         ${models.join('; ')} (default resnetV1)
  --depth D            resnetV1: depth 6n+2 (default 20; the paper uses 56)
  --width F            resnetV1: filters of the first stack (default 16)
  --hidden H1,H2       mlp: hidden widths (default 128)
  --activation A       mlp: relu, tanh or sigmoid (default relu)
  --weight-decay λ     L2 factor on the kernels (default: resnetV1 1e-4, mlp 0)`;
}

/** Whether any model flag was given. */
export function hasModelFlags(values: ModelFlagValues): boolean {
  return Object.keys(MODEL_FLAG_OPTIONS).some((k) => values[k as keyof ModelFlagValues] !== undefined);
}

/**
 * The model spec the flags describe; each flag becomes the family's option of the same meaning, and the
 * registry rejects an option its family does not have (e.g. `--hidden` with `resnetV1`).
 *
 * @throws UsageError naming the flag.
 */
export function modelSpecFromFlags(values: ModelFlagValues): ModelSpec {
  const name = values.model ?? 'resnetV1';
  const given: Record<string, unknown> = {
    depth: integerFlag('--depth', values.depth, 1),
    numFilters: integerFlag('--width', values.width, 1),
    hidden: integerListFlag('--hidden', values.hidden, 1),
    activation: values.activation,
    weightDecay: numberFlag('--weight-decay', values['weight-decay'], (x) => x >= 0, 'a number ≥ 0'),
  };
  const flagOf: Record<string, string> = {
    depth: '--depth',
    numFilters: '--width',
    hidden: '--hidden',
    activation: '--activation',
    weightDecay: '--weight-decay',
  };
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) if (value !== undefined) options[key] = value;
  try {
    const known = Object.keys(modelDefinition(name).normalize({}, `--model ${name}`));
    for (const key of Object.keys(options))
      if (!known.includes(key)) throw new UsageError(`${flagOf[key]} does not apply to --model ${name}`);
    return normalizeModelSpec({ name, options }, `--model ${name}`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.replace(/unknown field '(\w+)'/, (_m, k: string) => `${flagOf[k] ?? k} does not apply`));
  }
}
