/** One row of the paper's Table 1 (KLD loss, ResNet-56, CIFAR-10, means over 5 runs). */
export interface PaperTable1Row {
  /** Batch size. */
  batchSize: number;
  /** Learning rate. */
  learningRate: number;
  /** Tr(H). */
  traceH: number;
  /** tr[σ²(X(∞))]. */
  traceSigma: number;
  /** Tr(H) / tr σ², as printed (one decimal). */
  magnitudeDifference: number;
}

/**
 * Luo & Wang (2021), Table 1, as printed: values of Tr(H) and tr σ² for the 3 × 3 grid under the KLD loss.
 * (The paper's experiment column reads 1, 2, 4, 4, 5, …: a typo for 1, 2, 3, 4, 5, ….)
 */
export const PAPER_TABLE1: readonly PaperTable1Row[] = [
  { batchSize: 100, learningRate: 0.08, traceH: 22398330, traceSigma: 9528207, magnitudeDifference: 2.4 },
  { batchSize: 100, learningRate: 0.2, traceH: 44428697, traceSigma: 5501901, magnitudeDifference: 8.1 },
  { batchSize: 100, learningRate: 0.5, traceH: 45588319, traceSigma: 4575870, magnitudeDifference: 9.9 },
  { batchSize: 200, learningRate: 0.08, traceH: 31897024, traceSigma: 10304980, magnitudeDifference: 3.1 },
  { batchSize: 200, learningRate: 0.2, traceH: 33932327, traceSigma: 4084640, magnitudeDifference: 8.3 },
  { batchSize: 200, learningRate: 0.5, traceH: 41058846, traceSigma: 3486877, magnitudeDifference: 11.8 },
  { batchSize: 500, learningRate: 0.08, traceH: 63343355, traceSigma: 9530501, magnitudeDifference: 6.6 },
  { batchSize: 500, learningRate: 0.2, traceH: 35252033, traceSigma: 4261116, magnitudeDifference: 8.3 },
  { batchSize: 500, learningRate: 0.5, traceH: 54212278, traceSigma: 5380719, magnitudeDifference: 10.1 },
];

/** The paper's row for (batch size, learning rate), if its grid has one. */
export function paperTable1Row(batchSize: number, learningRate: number): PaperTable1Row | undefined {
  return PAPER_TABLE1.find((r) => r.batchSize === batchSize && r.learningRate === learningRate);
}
