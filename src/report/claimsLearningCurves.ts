import type { LossName } from '../train/losses.js';
import type { Claim, ClaimSettings } from './claim.js';
import { claimEvidence, directionVerdict } from './claimVerdict.js';
import { meanCurve, rmsCurveDistance } from './curveDistance.js';
import type { RunWithHistory } from './figures.js';
import { formatPlain, formatSignificant } from './formatNumbers.js';
import { jackknife } from './jackknife.js';
import { batchToRateRatio } from './table1.js';

/** A (BS, LR) cell's seed-averaged training-accuracy curve, and its seeds' own curves. */
interface CellCurve {
  label: string;
  ratio: number;
  curve: number[];
  seedCurves: number[][];
}

/** Which accuracy curve of the paper's Figures 2 and 3 a learning-curve claim compares. */
export type AccuracyCurve = 'training' | 'validation';

/** A run's accuracy curve, or null when its history lacks one (no epochs, or no validation accuracy). */
function accuracyCurve(run: RunWithHistory, curve: AccuracyCurve): number[] | null {
  const values = run.history.map((e) => (curve === 'training' ? e.accuracy : (e.valAccuracy ?? Number.NaN)));
  return values.length > 0 && values.every(Number.isFinite) ? values : null;
}

function cellCurves(runs: readonly { run: RunWithHistory; curve: number[] }[]): CellCurve[] {
  const cells = new Map<string, { run: RunWithHistory; curve: number[] }[]>();
  for (const r of runs) {
    const key = `${r.run.record.batchSize}/${r.run.record.learningRate}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  return [...cells.entries()].map(([label, cellRuns]) => {
    const seedCurves = cellRuns.map((r) => r.curve);
    const first = cellRuns[0]!.run.record;
    return {
      label,
      ratio: batchToRateRatio(first.batchSize, first.learningRate),
      curve: meanCurve(seedCurves),
      seedCurves,
    };
  });
}

/** The mean distance between seeds of one cell, over cells with two or more seeds (NaN if none). */
/** Whether any of the runs has a complete validation-accuracy curve. */
export function hasValidationCurves(runs: readonly RunWithHistory[]): boolean {
  return runs.some((run) => accuracyCurve(run, 'validation') !== null);
}

function seedFloor(cells: readonly CellCurve[]): number {
  const distances = cells.flatMap((c) =>
    c.seedCurves.flatMap((a, i) => c.seedCurves.slice(i + 1).map((b) => rmsCurveDistance(a, b))),
  );
  return distances.length ? distances.reduce((s, d) => s + d, 0) / distances.length : Number.NaN;
}

/**
 * Tests "runs with equal BS/LR learn alike and runs with distant BS/LR do not" (the paper's Figures 2 and 3)
 * on one loss's runs: the effect is the mean root-mean-square distance between the accuracy curves
 * (seed-averaged per cell) of cell pairs whose BS/LR differ by at least `distantRatioFactor`, minus that of
 * pairs with equal BS/LR; the claim holds when it is positive at the level, its standard error the jackknife's
 * over cells (pairs sharing a cell are not independent).
 *
 * @param loss - the loss the runs were trained with.
 * @param runs - that loss's runs with their histories (runs without the curve are left out, with a note).
 * @param settings - level and `distantRatioFactor`.
 * @param curve - training accuracy (claim `curves-follow-bs-over-lr`) or validation accuracy
 * (`validation-curves-follow-bs-over-lr`).
 */
export function learningCurveClaim(
  loss: LossName,
  runs: readonly RunWithHistory[],
  settings: ClaimSettings,
  curve: AccuracyCurve,
): Claim {
  const figure = loss === 'kld' ? 'Figure 2' : 'Figure 3';
  const claim: Claim = {
    id: curve === 'training' ? 'curves-follow-bs-over-lr' : 'validation-curves-follow-bs-over-lr',
    loss,
    statement:
      `Runs whose BS/LR is the same learn alike (their accuracy curves very closely match), while runs with ` +
      `BS/LR far from theirs learn noticeably differently (${figure}; here the ${curve}-accuracy curves).`,
    test:
      `mean RMS distance between seed-averaged ${curve}-accuracy curves of cells whose BS/LR differ ≥ ` +
      `${formatPlain(settings.distantRatioFactor)}×, minus that of cells with equal BS/LR (jackknife SE over ` +
      'cells); holds if > 0 at the level',
    evidence: null,
    verdict: 'inconclusive',
    notes: [],
  };
  const withCurve = runs.flatMap((run) => {
    const values = accuracyCurve(run, curve);
    return values ? [{ run, curve: values }] : [];
  });
  if (withCurve.length < runs.length)
    claim.notes.push(`${runs.length - withCurve.length} run(s) without a ${curve}-accuracy history left out`);
  const cells = cellCurves(withCurve);
  const distance = cells.map((a) => cells.map((b) => rmsCurveDistance(a.curve, b.curve)));
  const kind = (i: number, j: number): 'equal' | 'distant' | 'other' => {
    const [a, b] = [(cells[i] as CellCurve).ratio, (cells[j] as CellCurve).ratio];
    if (a === b) return 'equal';
    return Math.max(a, b) / Math.min(a, b) >= settings.distantRatioFactor ? 'distant' : 'other';
  };
  const meanDistance = (kept: readonly number[], wanted: 'equal' | 'distant'): number => {
    const ds = kept.flatMap((i, x) =>
      kept.slice(x + 1).flatMap((j) => (kind(i, j) === wanted ? [distance[i]![j]!] : [])),
    );
    return ds.length ? ds.reduce((s, d) => s + d, 0) / ds.length : Number.NaN;
  };
  const contrast = (kept: readonly number[]) => meanDistance(kept, 'distant') - meanDistance(kept, 'equal');
  const all = cells.map((_, i) => i);
  const [equal, distant] = [meanDistance(all, 'equal'), meanDistance(all, 'distant')];
  if (cells.length < 3 || !Number.isFinite(equal) || !Number.isFinite(distant)) {
    claim.notes.push(
      `needs cells with equal BS/LR and cells with distant BS/LR; the runs' ${cells.length} cell(s) ` +
        `(${cells.map((c) => c.label).join(', ')}) do not have both`,
    );
    return claim;
  }
  const jk = jackknife(all, contrast);
  claim.evidence = claimEvidence(jk.estimate, jk.standardError, jk.degreesOfFreedom, settings.level);
  claim.verdict = directionVerdict(claim.evidence, 1);
  if (!Number.isFinite(jk.standardError))
    claim.notes.push('no jackknife SE: leaving out some cell removes every equal-BS/LR pair');
  const floor = seedFloor(cells);
  claim.notes.push(
    `RMS accuracy distance: equal BS/LR ${formatSignificant(equal, 3)}, distant ${formatSignificant(distant, 3)}` +
      (Number.isFinite(floor) ? `, between seeds of one cell ${formatSignificant(floor, 3)}` : ''),
  );
  return claim;
}
