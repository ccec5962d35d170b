import type { LossName } from '../train/losses.js';
import { type Claim, type ClaimSettings, untestedClaim } from './claim.js';
import { type ClaimEvidence, claimEvidence, negligibleVerdict } from './claimVerdict.js';
import { formatPlain, formatSignificant } from './formatNumbers.js';
import type { LogTracePoint } from './logTracePoints.js';
import { regressWithMeasurementError } from './regressionWithMeasurementError.js';

/** ln(Tr H/tr σ²) of a (BS, LR) cell: the mean over its seeds, with the seeds' SE (one seed: the estimators'). */
function cellLogRatios(points: readonly LogTracePoint[]) {
  const cells = new Map<string, LogTracePoint[]>();
  for (const p of points) {
    const key = `${p.record.batchSize}/${p.record.learningRate}`;
    cells.set(key, [...(cells.get(key) ?? []), p]);
  }
  return [...cells.entries()].map(([label, ps]) => {
    const values = ps.map((p) => p.logTraceH - p.logTraceSigma);
    const k = values.length;
    const mean = values.reduce((s, v) => s + v, 0) / k;
    if (k === 1) {
      const p = ps[0] as LogTracePoint;
      return {
        label,
        mean,
        standardError: Math.sqrt(p.logTraceHVariance + p.logTraceSigmaVariance),
        df: Infinity,
      };
    }
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (k - 1);
    return { label, mean, standardError: Math.sqrt(variance / k), df: k - 1 };
  });
}

/**
 * Tests "in all cases tr σ² is magnitudes smaller than Tr H" on one loss's runs, as Tr H/tr σ² > 1 in every
 * (BS, LR) cell: holds when every cell's interval for ln(Tr H/tr σ²) lies above 0 (an intersection–union
 * test, valid at the level without correction); does not hold when some cell's Bonferroni interval lies
 * below 0. The evidence shown is the cell with the lowest interval.
 */
export function traceSigmaBelowTraceHClaim(
  loss: LossName,
  points: readonly LogTracePoint[],
  settings: ClaimSettings,
): Claim {
  const claim = untestedClaim(
    'trace-sigma-below-trace-h',
    loss,
    'In all cases, tr[σ²(X(∞))] is magnitudes smaller than Tr(H).',
    'ln(Tr H/tr σ²) per (BS, LR) cell (mean over seeds, SE between seeds; one seed: estimator SE); holds if every cell is > 0, fails if one is < 0 (Bonferroni)',
  );
  const cells = cellLogRatios(points);
  if (cells.length === 0) {
    claim.notes.push('no run with both traces > 0');
    return claim;
  }
  const bonferroni = 1 - (1 - settings.level) / cells.length;
  const intervals = cells.map((c) => ({
    cell: c,
    at: claimEvidence(c.mean, c.standardError, c.df, settings.level),
  }));
  const weakest = intervals.reduce((a, b) => (b.at.lower < a.at.lower || Number.isNaN(b.at.lower) ? b : a));
  const below = cells.filter((c) => claimEvidence(c.mean, c.standardError, c.df, bonferroni).upper < 0);
  claim.evidence = weakest.at;
  if (intervals.every((i) => i.at.lower > 0)) claim.verdict = 'holds';
  else if (below.length > 0) claim.verdict = 'does not hold';
  claim.notes.push(
    `lowest cell ${weakest.cell.label}: Tr H/tr σ² = ${formatSignificant(Math.exp(weakest.cell.mean), 3)}; ` +
      `${intervals.filter((i) => i.at.lower > 0).length} of ${cells.length} cells significantly > 1` +
      (below.length ? `; significantly < 1: ${below.map((c) => c.label).join(', ')}` : ''),
  );
  return claim;
}

/**
 * Tests "under the log loss the two relations generally agree": Eq. (6) and Eq. (12) differ by the factor
 * Tr H/tr σ², so they agree when it is near 1. The effect is the mean of ln(Tr H/tr σ²) over the loss's
 * runs (intercept-only regression: extra variance by moments, estimator SEs by the delta method); the claim
 * holds when its interval lies within ±ln(agreementFactor), and does not hold when it lies outside.
 */
export function relationsAgreeClaim(
  loss: LossName,
  points: readonly LogTracePoint[],
  settings: ClaimSettings,
): Claim {
  const factor = settings.agreementFactor;
  const claim = untestedClaim(
    'relations-agree-under-log-loss',
    loss,
    'Under the log loss, Equations (12) and (6) seem to generally agree.',
    `mean ln(Tr H/tr σ²) over the runs; holds if the interval lies within ±ln ${formatPlain(factor)} (ratio within ${formatPlain(factor)}× of 1), fails if outside`,
  );
  if (points.length < 2) {
    claim.notes.push(`needs ≥ 2 runs with both traces > 0; have ${points.length}`);
    return claim;
  }
  const fit = regressWithMeasurementError(
    points.map(() => [1]),
    points.map((p) => p.logTraceH - p.logTraceSigma),
    points.map((p) => p.logTraceHVariance + p.logTraceSigmaVariance),
  );
  const evidence: ClaimEvidence = claimEvidence(
    fit.coefficients[0]!,
    fit.standardErrors[0]!,
    fit.degreesOfFreedom,
    settings.level,
  );
  claim.evidence = evidence;
  claim.verdict = negligibleVerdict(evidence, Math.log(factor));
  claim.notes.push(
    `geometric mean Tr H/tr σ² = ${formatSignificant(Math.exp(evidence.effect), 3)} over ${points.length} runs`,
  );
  return claim;
}
