/**
 * A measured quantity: its value, its standard error and what it cost. Exact quantities (computed over
 * every given example) have standard error 0 and no samples.
 */
export interface Estimate {
  /** The value. */
  estimate: number;
  /**
   * Standard error of `estimate` over the estimator's own randomness (probes, sampled mini-batches), for
   * the given examples and parameters: the sample standard deviation of the samples over √samples, or a
   * delta-method combination for ratios. 0 for exact values; NaN when fewer than two samples exist.
   */
  standardError: number;
  /** Number of independent random samples averaged (probes, mini-batches, batch pairs); 0 when exact. */
  samples: number;
  /** Operator products (Hessian–vector products) spent, each a pass over all examples. */
  matvecs: number;
  /** Example gradients the value was computed from (mini-batch members counted with repeats). */
  examples: number;
}

/** An exact value (standard error 0) computed from `examples` example gradients and `matvecs` products. */
export function exactEstimate(value: number, examples: number, matvecs = 0): Estimate {
  return { estimate: value, standardError: 0, samples: 0, matvecs, examples };
}
