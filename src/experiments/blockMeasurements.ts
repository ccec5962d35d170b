import type { BlockTracesResult } from '../curvature/estimators/blockTraces.js';

/** One parameter block's share of a measurement (see `measureMinimum`'s `perLayer`). */
export interface BlockMeasurement {
  /** The block: one trainable weight tensor, named `<layer>/<weight>` (e.g. `stage1_block0_conv1/kernel`). */
  block: string;
  /** The layer the weight belongs to (the block's name up to its last `/`). */
  layer: string;
  /** Number of parameters in the block. */
  parameters: number;
  /** tr H_bb, the trace of the Hessian's diagonal block, from the same Hutchinson probes as Tr H. */
  traceH: number;
  /** Its standard error (from the block's own per-probe values; the blocks' errors are correlated). */
  traceHStandardError: number;
  /** tr σ²_bb, exact (unbiased, as tr σ²), from the same per-example gradients as tr σ². */
  traceSigma: number;
}

/** The layer part of a weight name `<layer>/<weight>` (the whole name when it has no `/`). */
function layerOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash > 0 ? name.slice(0, slash) : name;
}

/**
 * Pairs the block traces of H with the exact block traces of σ², block by block.
 *
 * @param traces - {@link blockTraces} of the Hessian over the model's parameter blocks.
 * @param traceSigma - tr σ²_bb of the same blocks, in the same order (`gradientNoise`'s `blockTraceSigma`).
 * @throws RangeError when the two disagree on the number of blocks.
 */
export function blockMeasurements(
  traces: BlockTracesResult,
  traceSigma: ArrayLike<number>,
): BlockMeasurement[] {
  if (traces.blocks.length !== traceSigma.length)
    throw new RangeError(
      `blockMeasurements: ${traces.blocks.length} blocks of Tr H but ${traceSigma.length} of tr σ²`,
    );
  return traces.blocks.map((b, i) => ({
    block: b.name,
    layer: layerOf(b.name),
    parameters: b.size,
    traceH: b.estimate,
    traceHStandardError: b.standardError,
    traceSigma: traceSigma[i]!,
  }));
}
