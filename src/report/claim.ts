import type { LossName } from '../train/losses.js';
import type { ClaimEvidence, ClaimVerdict } from './claimVerdict.js';

/** The claims of Luo & Wang (2021, section 5) that `report` tests. */
export type ClaimId =
  | 'curves-follow-bs-over-lr'
  | 'validation-curves-follow-bs-over-lr'
  | 'lr-raises-trace-h'
  | 'lr-lowers-trace-sigma'
  | 'bs-keeps-trace-sigma'
  | 'bs-raises-trace-h'
  | 'ratio-grows-as-bs-over-lr-falls'
  | 'lr-moves-ratio-more-than-bs'
  | 'trace-sigma-below-trace-h'
  | 'relations-agree-under-log-loss';

/** One of the paper's claims, tested on a sweep's runs of one loss. */
export interface Claim {
  /** Which claim. */
  id: ClaimId;
  /** The loss whose runs it was tested on. */
  loss: LossName;
  /** What the paper says, in its words. */
  statement: string;
  /** What was measured and when the claim counts as holding. */
  test: string;
  /** The measured effect with its standard error and interval; null when the runs cannot test the claim. */
  evidence: ClaimEvidence | null;
  /** The verdict at the evidence's level. */
  verdict: ClaimVerdict;
  /** Context: sizes, the cells that decided, why a claim could not be tested. */
  notes: string[];
}

/** Settings of the claim tests (all required; `evaluateClaims` fills in defaults). */
export interface ClaimSettings {
  /** Two-sided confidence level. */
  level: number;
  /** Largest |log-log slope| of tr σ² on BS still "about constant". */
  constantSlopeMargin: number;
  /** Tr H / tr σ² within [1/f, f] counts as the two relations agreeing. */
  agreementFactor: number;
  /** BS/LR ratios at least this factor apart count as "distant". */
  distantRatioFactor: number;
}

/** A claim not yet tested: no evidence, verdict inconclusive, no notes. */
export function untestedClaim(id: ClaimId, loss: LossName, statement: string, test: string): Claim {
  return { id, loss, statement, test, evidence: null, verdict: 'inconclusive', notes: [] };
}
