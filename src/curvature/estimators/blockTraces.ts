import { createRng } from '../../util/random.js';
import type { LinearOperator } from '../linearOperator.js';
import { applyOperator } from './applyOperator.js';
import { checkBlocks, type ParameterBlock } from './parameterBlock.js';
import { checkDistribution, fillProbe, type ProbeDistribution } from './probes.js';
import {
  meanAndStandardError,
  type ProgressCallback,
  type StochasticEstimate,
} from './stochasticEstimate.js';
import { checkInteger, checkOperator, checkSeed } from './validateOptions.js';

/** Options for {@link blockTraces}. */
export interface BlockTracesOptions {
  /** Number of probes (= matvecs); default 100, at least 2 (for standard errors). */
  probes?: number;
  /** Probe distribution; default `'rademacher'`. */
  distribution?: ProbeDistribution;
  /** Seed of the probe stream; default 0 (the same seed gives the same probes as {@link hutchinsonTrace}). */
  seed?: number;
  /** Progress in probes: (done, probes). */
  onProgress?: ProgressCallback;
}

/** One block's trace estimate. */
export interface BlockTrace extends StochasticEstimate {
  /** The block's name. */
  name: string;
  /** Its number of coordinates. */
  size: number;
}

/** Result of {@link blockTraces}. */
export interface BlockTracesResult {
  /** tr(A) from the same probes: its samples are the sums of the blocks' samples, probe by probe. */
  total: StochasticEstimate;
  /** tr(A_bb) per block, in the order given. */
  blocks: BlockTrace[];
}

/**
 * Traces of the diagonal blocks A_bb of an operator (per layer or per weight tensor of a network) and the
 * total trace, all from the same Hutchinson probes: with qᵇ = Σ_{i∈b} vᵢ(Av)ᵢ, tr(A_bb) ≈ mean qᵇ and
 * tr(A) ≈ mean Σ_b qᵇ, so the block estimates sum to the total exactly (up to rounding).
 *
 * @remarks
 * Each block estimate is unbiased with standard error from its own per-probe values; with Rademacher
 * probes (A symmetric) a block's per-probe variance is 2‖A_bb‖_F² − 2Σ_{i∈b}a_ii² + ‖A_{b,rest}‖_F²: the
 * rest of the block's rows adds noise, so small blocks of a large operator need many probes. The
 * errors of different blocks are correlated (the same probes), so the total's standard error is not the
 * root sum of squares of the blocks'.
 *
 * Cost: one matvec per probe, as {@link hutchinsonTrace} (whose estimate `total` equals for the same
 * seed, distribution and probe count, up to rounding).
 *
 * @param op - the operator.
 * @param blocks - consecutive blocks covering [0, dim) (e.g. `parameterBlocks(model)`).
 * @param options - probes, distribution, seed, onProgress.
 * @throws RangeError naming the option or block when an argument is invalid.
 */
export async function blockTraces(
  op: LinearOperator,
  blocks: readonly ParameterBlock[],
  options: BlockTracesOptions = {},
): Promise<BlockTracesResult> {
  const fn = 'blockTraces';
  const n = checkOperator(fn, op);
  checkBlocks(fn, blocks, n);
  const probes = checkInteger(fn, 'probes', options.probes ?? 100, 2);
  const distribution = checkDistribution(fn, options.distribution);
  const rng = createRng(checkSeed(fn, options.seed));
  const probe = new Float64Array(n);
  const samples = blocks.map(() => new Float64Array(probes));
  const totals = new Float64Array(probes);
  for (let k = 0; k < probes; k++) {
    fillProbe(probe, rng, distribution);
    const av = await applyOperator(fn, op, probe);
    let total = 0;
    blocks.forEach((block, b) => {
      let q = 0;
      for (let i = block.offset; i < block.offset + block.size; i++) q += probe[i]! * av[i]!;
      samples[b]![k] = q;
      total += q;
    });
    totals[k] = total;
    options.onProgress?.({ stage: 'blockTraces', done: k + 1, total: probes });
  }
  const estimate = (values: Float64Array): StochasticEstimate => {
    const { mean, standardError } = meanAndStandardError(values);
    return { estimate: mean, standardError, matvecs: probes, probeValues: values };
  };
  return {
    total: estimate(totals),
    blocks: blocks.map((block, b) => ({ name: block.name, size: block.size, ...estimate(samples[b]!) })),
  };
}
