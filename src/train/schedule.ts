/**
 * Step decay: the learning rate is multiplied by `factor` at each boundary epoch. The paper's schedule
 * is `stepDecay({ boundaries: [60, 100], factor: 0.1 })`: δ for epochs 0–59, δ/10 for 60–99, δ/100 after.
 */
export interface StepDecaySchedule {
  /** Discriminates the schedule kinds (and keeps the schedule serializable to JSON). */
  readonly type: 'stepDecay';
  /** 0-based epochs at which the rate drops, increasing. */
  readonly boundaries: readonly number[];
  /** Multiplier applied at each boundary, in (0, 1] usually. */
  readonly factor: number;
}

/**
 * A learning-rate schedule: a {@link StepDecaySchedule}, or a function of the 0-based epoch (and of the
 * base learning rate given to training) that returns the rate for that whole epoch.
 */
export type LearningRateSchedule = StepDecaySchedule | ((epoch: number, baseLr: number) => number);

/**
 * Creates a step-decay schedule.
 *
 * @param options - boundaries (0-based epochs, increasing non-negative integers) and factor (positive).
 * @returns the schedule (plain data, so it can be written into a run's config.json).
 */
export function stepDecay(options: { boundaries: readonly number[]; factor: number }): StepDecaySchedule {
  const { boundaries, factor } = options;
  if (!(factor > 0) || !Number.isFinite(factor))
    throw new RangeError(`stepDecay: factor must be a positive finite number, got ${factor}`);
  boundaries.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 0)
      throw new RangeError(`stepDecay: boundaries[${i}] must be a non-negative integer, got ${b}`);
    if (i > 0 && b <= (boundaries[i - 1] as number))
      throw new RangeError(`stepDecay: boundaries must increase, got [${boundaries.join(', ')}]`);
  });
  return { type: 'stepDecay', boundaries: [...boundaries], factor };
}

/** The paper's schedule: ×0.1 at epochs 60 and 100. */
export const PAPER_SCHEDULE: StepDecaySchedule = stepDecay({ boundaries: [60, 100], factor: 0.1 });

/**
 * The learning rate for a 0-based epoch.
 *
 * @param schedule - the schedule.
 * @param epoch - 0-based epoch.
 * @param baseLr - the base learning rate δ.
 * @returns the rate; an error if a function schedule returns something that is not a finite number ≥ 0.
 */
export function learningRateAt(schedule: LearningRateSchedule, epoch: number, baseLr: number): number {
  let lr: number;
  if (typeof schedule === 'function') {
    lr = schedule(epoch, baseLr);
  } else if (schedule.type === 'stepDecay') {
    lr = baseLr;
    for (const b of schedule.boundaries) if (epoch >= b) lr *= schedule.factor;
  } else {
    throw new RangeError(
      `learningRateAt: unknown schedule type '${String((schedule as { type?: unknown }).type)}'`,
    );
  }
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)
    throw new RangeError(`learningRateAt: the schedule gave learning rate ${String(lr)} for epoch ${epoch}`);
  return lr;
}
