/**
 * Bayesian fusion in log-odds: posterior log-odds = prior log-odds + Σ contributions, each
 * piece of evidence contributing weight × ln(likelihood ratio) (present: LR+, absent: LR−,
 * unobservable: 0), weight = 0.5^(age / half-life). Evidence is counted once per id.
 */

/** ln(p / (1 − p)). */
export function logit(probability: number): number {
  return Math.log(probability / (1 - probability));
}

/** 1 / (1 + e^−x), computed without overflow for large |x|. */
export function sigmoid(logOdds: number): number {
  if (logOdds >= 0) return 1 / (1 + Math.exp(-logOdds));
  const e = Math.exp(logOdds);
  return e / (1 + e);
}

/** 0.5^(ageDays / halfLifeDays); 1 without a half-life or for evidence not older than asOf. */
export function decayWeight(ageDays: number, halfLifeDays: number | null): number {
  if (halfLifeDays === null || ageDays <= 0) return 1;
  return Math.pow(0.5, ageDays / halfLifeDays);
}

/** The part of a piece of evidence that fusion reads. */
export interface FusibleEvidence {
  /** Stable id; a second item with the same id is not counted again. */
  readonly id: string;
  readonly observed: 'present' | 'absent' | 'unobservable';
  /** weight × ln(LR) for present/absent, 0 for unobservable. */
  readonly logLikelihoodRatio: number;
}

export interface Fusion {
  readonly priorLogOdds: number;
  readonly logOdds: number;
  readonly probability: number;
  /** Ids counted, in order of first appearance. */
  readonly countedIds: readonly string[];
}

/** Fuses evidence into a posterior; unobservable items and repeated ids add nothing. */
export function fuseEvidence(prior: number, evidence: readonly FusibleEvidence[]): Fusion {
  const priorLogOdds = logit(prior);
  const seen = new Set<string>();
  let logOdds = priorLogOdds;
  for (const item of evidence) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    if (item.observed !== 'unobservable') logOdds += item.logLikelihoodRatio;
  }
  return { priorLogOdds, logOdds, probability: sigmoid(logOdds), countedIds: [...seen] };
}
