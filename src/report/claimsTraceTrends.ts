import type { LossName } from '../train/losses.js';
import { type Claim, type ClaimId, type ClaimSettings, untestedClaim } from './claim.js';
import { type ClaimEvidence, claimEvidence, directionVerdict, negligibleVerdict } from './claimVerdict.js';
import { formatPlain } from './formatNumbers.js';
import type { LogTracePoint } from './logTracePoints.js';
import {
  type MeasurementErrorRegression,
  regressWithMeasurementError,
} from './regressionWithMeasurementError.js';

type Response = 'traceH' | 'traceSigma' | 'ratio';

const response: Record<Response, (p: LogTracePoint) => [number, number]> = {
  traceH: (p) => [p.logTraceH, p.logTraceHVariance],
  traceSigma: (p) => [p.logTraceSigma, p.logTraceSigmaVariance],
  ratio: (p) => [p.logTraceH - p.logTraceSigma, p.logTraceHVariance + p.logTraceSigmaVariance],
};

function fit(points: readonly LogTracePoint[], which: Response, rows: (p: LogTracePoint) => number[]) {
  const values = points.map(response[which]);
  return regressWithMeasurementError(
    points.map(rows),
    values.map((v) => v[0]),
    values.map((v) => v[1]),
  );
}

const coefficient = (r: MeasurementErrorRegression, k: number, level: number): ClaimEvidence =>
  claimEvidence(r.coefficients[k]!, r.standardErrors[k]!, r.degreesOfFreedom, level);

/** |β_LR| − |β_BS| of the ratio regression, with the delta-method SE from the coefficients' covariance. */
function lrOverBs(r: MeasurementErrorRegression, level: number): ClaimEvidence {
  const sl = Math.sign(r.coefficients[1]!) || 1;
  const sb = Math.sign(r.coefficients[2]!) || 1;
  const c = r.covariance;
  const variance = c[4]! + c[8]! - 2 * sl * sb * c[5]!;
  return claimEvidence(
    sl * r.coefficients[1]! - sb * r.coefficients[2]!,
    Math.sqrt(Math.max(0, variance)),
    r.degreesOfFreedom,
    level,
  );
}

const SLOPE = 'OLS log-log slope (extra variance between runs by moments, estimator SEs by the delta method)';

/** The six trend claims: id, the paper's words, and the test (given the "about constant" margin). */
function trendClaimTexts(margin: string): [ClaimId, string, string][] {
  return [
    [
      'lr-raises-trace-h',
      'If batch size is held constant, a higher learning rate causes Tr(H) to increase.',
      `${SLOPE} of ln Tr H on ln LR at fixed BS; holds if > 0`,
    ],
    [
      'lr-lowers-trace-sigma',
      'If batch size is held constant, a higher learning rate causes tr[σ²(X(∞))] to decrease.',
      `${SLOPE} of ln tr σ² on ln LR at fixed BS; holds if < 0`,
    ],
    [
      'bs-keeps-trace-sigma',
      'If learning rate is held constant, as batch size increases, tr[σ²(X(∞))] seems to hold constant.',
      `${SLOPE} of ln tr σ² on ln BS at fixed LR; holds if the interval lies within ±${margin}, fails if outside`,
    ],
    [
      'bs-raises-trace-h',
      'If learning rate is held constant, as batch size increases, Tr(H) increases.',
      `${SLOPE} of ln Tr H on ln BS at fixed LR; holds if > 0`,
    ],
    [
      'ratio-grows-as-bs-over-lr-falls',
      'As the BS/LR ratio decreases, the magnitude difference Tr(H)/tr σ² generally increases.',
      `${SLOPE} of ln(Tr H/tr σ²) on ln(BS/LR); holds if < 0`,
    ],
    [
      'lr-moves-ratio-more-than-bs',
      'Changes in learning rate affect the magnitude difference much more strongly than changes in batch size.',
      `|slope on ln LR| − |slope on ln BS| of ln(Tr H/tr σ²) (delta-method SE); holds if > 0`,
    ],
  ];
}

/** The evidence for the six trend claims, in trendClaimTexts' order. */
function trendEvidence(points: readonly LogTracePoint[], level: number): ClaimEvidence[] {
  const both = (p: LogTracePoint) => [1, p.logLearningRate, p.logBatchSize];
  const h = fit(points, 'traceH', both);
  const s = fit(points, 'traceSigma', both);
  const r = fit(points, 'ratio', both);
  const byRatio = fit(points, 'ratio', (p) => [1, p.logBatchSize - p.logLearningRate]);
  return [
    coefficient(h, 1, level),
    coefficient(s, 1, level),
    coefficient(s, 2, level),
    coefficient(h, 2, level),
    coefficient(byRatio, 1, level),
    lrOverBs(r, level),
  ];
}

/**
 * Tests the trends the paper reads off its Table 1 for one loss (section 5.3): regressions of ln Tr H,
 * ln tr σ² and ln(Tr H/tr σ²) on ln LR and ln BS over every run (seeds as separate points), so that "at
 * fixed BS" and "at fixed LR" are the partial slopes of a main-effects model; and of ln(Tr H/tr σ²) on
 * ln(BS/LR). Needs two or more learning rates and batch sizes that vary independently; otherwise every
 * claim is inconclusive, with a note saying why.
 *
 * @param loss - the loss of the runs.
 * @param points - the runs' log traces (see logTracePoints).
 * @param settings - level and `constantSlopeMargin`.
 */
export function traceTrendClaims(
  loss: LossName,
  points: readonly LogTracePoint[],
  settings: ClaimSettings,
): Claim[] {
  const texts = trendClaimTexts(formatPlain(settings.constantSlopeMargin));
  const out = texts.map(([id, statement, test]) => untestedClaim(id, loss, statement, test));
  const lrs = new Set(points.map((p) => p.record.learningRate)).size;
  const bss = new Set(points.map((p) => p.record.batchSize)).size;
  const untestable = (why: string) => {
    for (const c of out) c.notes.push(why);
    return out;
  };
  if (lrs < 2 || bss < 2 || points.length < 4)
    return untestable(
      `needs ≥ 2 learning rates, ≥ 2 batch sizes and ≥ 4 runs; have ${lrs}, ${bss}, ${points.length}`,
    );
  let evidence: ClaimEvidence[];
  try {
    evidence = trendEvidence(points, settings.level);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return untestable(`LR and BS do not vary independently in these runs (${error.message})`);
  }
  const directions: (1 | -1 | 0)[] = [1, -1, 0, 1, -1, 1];
  out.forEach((c, k) => {
    const e = evidence[k] as ClaimEvidence;
    const direction = directions[k] as 1 | -1 | 0;
    c.evidence = e;
    c.verdict =
      direction === 0 ? negligibleVerdict(e, settings.constantSlopeMargin) : directionVerdict(e, direction);
    c.notes.push(`${points.length} runs, ${lrs} learning rates × ${bss} batch sizes`);
  });
  return out;
}
