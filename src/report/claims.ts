import { LOSS_NAMES } from '../train/losses.js';
import type { Claim, ClaimSettings } from './claim.js';
import { hasValidationCurves, learningCurveClaim } from './claimsLearningCurves.js';
import { relationsAgreeClaim, traceSigmaBelowTraceHClaim } from './claimsTraceLevels.js';
import { traceTrendClaims } from './claimsTraceTrends.js';
import type { RunWithHistory } from './figures.js';
import { formatPlain, formatSignificant, formatWithError } from './formatNumbers.js';
import { logTracePoints } from './logTracePoints.js';
import { LOSS_TITLES } from './table1.js';

/** Options of {@link evaluateClaims}; each defaults to {@link DEFAULT_CLAIM_SETTINGS}. */
export type ClaimsOptions = Partial<ClaimSettings>;

/**
 * The defaults: two-sided 95% intervals; tr σ² "about constant" in BS when its log-log slope is within
 * ±0.25 (a 5× larger batch changes it by less than 5^0.25 ≈ 1.5×); the relations "agree" when Tr H/tr σ²
 * is within 2× of 1; BS/LR ratios 2× or more apart are "distant" (in the paper's grid 1,000 vs 2,500 is
 * distant, 1,000 vs 1,250 is not).
 */
export const DEFAULT_CLAIM_SETTINGS: Readonly<ClaimSettings> = {
  level: 0.95,
  constantSlopeMargin: 0.25,
  agreementFactor: 2,
  distantRatioFactor: 2,
};

/** The claims tested on a sweep, and the settings they were tested with. */
export interface ClaimsReport {
  /** The settings used. */
  settings: ClaimSettings;
  /** One entry per claim and loss, KLD first. */
  claims: Claim[];
}

function resolveSettings(options: ClaimsOptions): ClaimSettings {
  const s = { ...DEFAULT_CLAIM_SETTINGS, ...options };
  const check = (ok: boolean, name: keyof ClaimSettings, what: string) => {
    if (!ok) throw new RangeError(`evaluateClaims: ${name} must be ${what}, got ${String(s[name])}`);
  };
  check(s.level > 0 && s.level < 1, 'level', 'in (0, 1)');
  check(
    s.constantSlopeMargin > 0 && Number.isFinite(s.constantSlopeMargin),
    'constantSlopeMargin',
    'finite and > 0',
  );
  check(s.agreementFactor > 1 && Number.isFinite(s.agreementFactor), 'agreementFactor', 'finite and > 1');
  check(
    s.distantRatioFactor > 1 && Number.isFinite(s.distantRatioFactor),
    'distantRatioFactor',
    'finite and > 1',
  );
  return s;
}

/**
 * Tests the claims of Luo & Wang (2021, section 5) on a sweep's finished runs: for every loss, that runs
 * with equal BS/LR learn alike and distant ones do not (Figs. 2–3; training accuracy, and validation
 * accuracy where the runs have it); for the KLD loss, the trends of Tr H,
 * tr σ² and Tr H/tr σ² in LR and BS that the paper reads off Table 1, and that tr σ² is below Tr H in every cell;
 * for the other losses (the paper's "log loss"), that the two relations agree (Tr H/tr σ² ≈ 1). Each claim
 * gets the paper's statement, the measured effect ± SE with its interval, and a verdict at the level.
 *
 * @remarks
 * Pure: reads only its arguments. Seeds are separate observations; the standard errors combine the trace
 * estimators' own (delta method) with the scatter between runs (see regressWithMeasurementError).
 *
 * @param runs - finished runs with their per-epoch histories (an empty history leaves a run out of the
 * learning-curve test only).
 * @param options - level and margins (see {@link DEFAULT_CLAIM_SETTINGS}).
 * @throws RangeError naming the option when one is out of range.
 */
export function evaluateClaims(runs: readonly RunWithHistory[], options: ClaimsOptions = {}): ClaimsReport {
  const settings = resolveSettings(options);
  const claims: Claim[] = [];
  for (const loss of LOSS_NAMES) {
    const lossRuns = runs.filter((r) => r.record.loss === loss);
    if (lossRuns.length === 0) continue;
    claims.push(learningCurveClaim(loss, lossRuns, settings, 'training'));
    if (hasValidationCurves(lossRuns))
      claims.push(learningCurveClaim(loss, lossRuns, settings, 'validation'));
    const { points, notes } = logTracePoints(lossRuns.map((r) => r.record));
    const traceClaims =
      loss === 'kld'
        ? [...traceTrendClaims(loss, points, settings), traceSigmaBelowTraceHClaim(loss, points, settings)]
        : [relationsAgreeClaim(loss, points, settings)];
    for (const c of traceClaims) c.notes.push(...notes);
    claims.push(...traceClaims);
  }
  return { settings, claims };
}

const interval = (c: Claim) =>
  c.evidence && Number.isFinite(c.evidence.lower)
    ? `${formatSignificant(c.evidence.lower, 3)} … ${formatSignificant(c.evidence.upper, 3)}`
    : '–';

/** The claims as Markdown: a table (statement, measured effect ± SE, interval, verdict), then each test and its notes. */
export function claimsMarkdown(report: ClaimsReport): string {
  const percent = `${formatPlain(report.settings.level * 100)}%`;
  const lines = [
    `| # | Loss | The paper says | Measured effect ± SE | ${percent} interval | Verdict |`,
    '|---:|---|---|---:|---:|---|',
    ...report.claims.map(
      (c, i) =>
        `| ${i + 1} | ${LOSS_TITLES[c.loss]} | ${c.statement} | ` +
        `${c.evidence ? formatWithError(c.evidence.effect, c.evidence.standardError) : '–'} | ${interval(c)} | ` +
        `**${c.verdict}** |`,
    ),
    '',
    `Verdicts at two-sided ${percent}: *holds* when the interval lies on the paper's side, *does not hold* when ` +
      'it lies on the other side, *inconclusive* otherwise. What each row measures:',
    '',
    ...report.claims.map(
      (c, i) => `${i + 1}. \`${c.id}\`: ${c.test}.${c.notes.length ? ` ${c.notes.join('; ')}.` : ''}`,
    ),
    '',
  ];
  return lines.join('\n');
}
