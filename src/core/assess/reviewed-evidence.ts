/**
 * How analyst reviews change a piece of evidence (the analyst has the last word):
 *
 * - a rejected observation (or a rejected detection run it came from) is left out of the
 *   readings; when it was the deciding observation, the evidence now rests on the next one
 *   in the window (or on none), is marked overridden and carries the rejection;
 * - a rejected indicator contributes nothing (weight 0, no ratio), marked overridden;
 * - an indicator confirmed with a forced reading (`present`/`absent`) counts as if seen so,
 *   with the decay of the deciding observation (weight 1 when there was none), or, for a
 *   review scoped to a time, with the decay since that time; overridden only when that
 *   differs from what was read;
 * - a confirmation, or a rejected single detection of a run a count came from, is shown
 *   beside the evidence and changes nothing.
 */
import { DAY_MS } from '../activity/series.ts';
import type { IndicatorReviewAt, ReviewIndex } from '../review/review-index.ts';
import type { Review, ReviewTargetKind, ReviewVerdict } from '../review/review.ts';
import type { Evidence } from './assessment.ts';
import { decayWeight } from './fusion.ts';
import type { Indicator } from './playbook.ts';

/** The review shown beside a piece of evidence. */
export interface EvidenceReview {
  readonly verdict: ReviewVerdict;
  readonly reason: string;
  readonly author: string;
  readonly at: string;
  readonly reviewId: string;
  readonly targetKind: ReviewTargetKind;
  readonly targetId: string;
  readonly reading: 'present' | 'absent' | null;
}

function shown(review: Review): EvidenceReview {
  return {
    verdict: review.verdict,
    reason: review.reason,
    author: review.author,
    at: review.at,
    reviewId: review.id,
    targetKind: review.targetKind,
    targetId: review.targetId,
    reading: review.reading,
  };
}

function applyIndicatorReview(
  indicator: Indicator,
  evidence: Evidence,
  { review, fromMs }: IndicatorReviewAt,
  asOfMs: number,
): Evidence {
  const base = { ...evidence, review: shown(review) };
  if (review.verdict === 'reject') {
    return { ...base, weight: 0, likelihoodRatio: null, logLikelihoodRatio: 0, overridden: true };
  }
  if (review.reading === null || review.reading === evidence.observed) return base;
  const likelihoodRatio = indicator.likelihoodRatio[review.reading];
  const ageDays = fromMs === null ? evidence.ageDays : (asOfMs - fromMs) / DAY_MS;
  const weight = ageDays === null ? 1 : decayWeight(ageDays, indicator.halfLifeDays);
  return {
    ...base,
    observed: review.reading,
    weight,
    likelihoodRatio,
    logLikelihoodRatio: weight * Math.log(likelihoodRatio),
    reason: `${review.reading} by ${review.author}'s review (read: ${evidence.reason})`,
    overridden: true,
  };
}

/**
 * The evidence as reviewed.
 * @param evidence computed from the readings without the rejected observations.
 * @param unreviewed computed from all readings; null when no observation was rejected.
 */
export function reviewEvidence(
  indicator: Indicator,
  hypothesis: string,
  evidence: Evidence,
  unreviewed: Evidence | null,
  reviews: ReviewIndex,
  asOfMs: number,
): Evidence {
  let result = evidence;
  const overriddenSource = unreviewed?.sources[0];
  const rejection =
    overriddenSource === undefined ? undefined : reviews.rejectionOf(overriddenSource);
  if (rejection !== undefined) {
    result = { ...result, review: shown(rejection), overridden: true };
  } else {
    const source = evidence.sources[0];
    const remark = source === undefined ? undefined : reviews.remarkOn(source);
    if (remark !== undefined) result = { ...result, review: shown(remark) };
  }
  const deciding = evidence.sources[0]?.observationId ?? null;
  const review = reviews.indicatorReview(hypothesis, indicator, deciding, asOfMs);
  if (review === undefined) return result;
  const applied = applyIndicatorReview(indicator, result, review, asOfMs);
  return { ...applied, overridden: applied.overridden || result.overridden };
}
