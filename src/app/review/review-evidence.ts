/**
 * Use cases for reviews: confirm or reject a detection, an observation or an indicator with
 * a reason (checked to exist first), list reviews and the audit log. Each review is stored
 * with its audit entry in one transaction.
 */
import { reviewAuditEntry, type AuditEntry } from '../../core/review/audit.ts';
import { ReviewIndex } from '../../core/review/review-index.ts';
import {
  parseDetectionTarget,
  parseIndicatorTarget,
  parseReviewRequest,
  type NewReview,
  type Review,
  type ReviewRequest,
} from '../../core/review/review.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { Clock, DetectionRepository, ObservationRepository } from '../ports.ts';
import type { AuditFilter, AuditLog, ReviewFilter, ReviewRepository } from './review-ports.ts';

export interface ReviewDeps {
  readonly reviews: ReviewRepository;
  readonly audit: AuditLog;
  readonly observations: Pick<ObservationRepository, 'get'>;
  readonly detections: Pick<DetectionRepository, 'getRun'>;
  readonly clock: Clock;
}

async function checkObservation(deps: ReviewDeps, id: string, what: string): Promise<void> {
  if ((await deps.observations.get(id)) === undefined) {
    throw new NotFoundError(`${what}: no observation "${id}"`);
  }
}

/**
 * @param knownIndicators the indicator ids of a playbook, when one is given to check against.
 * @throws NotFoundError naming the target when it does not exist.
 */
async function checkTarget(
  deps: ReviewDeps,
  review: NewReview,
  knownIndicators: readonly string[] | undefined,
): Promise<void> {
  const what = `review of ${review.targetKind} "${review.targetId}"`;
  if (review.targetKind === 'observation') {
    await checkObservation(deps, review.targetId, what);
  } else if (review.targetKind === 'detection') {
    const { runId, index } = parseDetectionTarget(review.targetId);
    const run = await deps.detections.getRun(runId);
    if (run === undefined) throw new NotFoundError(`${what}: no detection run "${runId}"`);
    if (index !== null && index >= run.detectionCount) {
      throw new NotFoundError(
        `${what}: run "${runId}" has ${run.detectionCount} detections (#0 to #${run.detectionCount - 1}); no #${index}`,
      );
    }
  } else {
    const target = parseIndicatorTarget(review.targetId);
    if (knownIndicators !== undefined && !knownIndicators.includes(target.indicator)) {
      throw new NotFoundError(
        `${what}: the playbook has no indicator "${target.indicator}" (it has ${knownIndicators.join(', ')})`,
      );
    }
    if (target.observationId !== null) await checkObservation(deps, target.observationId, what);
  }
}

/**
 * Records a review (and its audit entry, in the same transaction).
 * @throws ValidationError for a bad kind, verdict, id form, an empty reason or author.
 * @throws NotFoundError naming the target when it does not exist.
 */
export async function recordReview(
  deps: ReviewDeps,
  request: ReviewRequest,
  options: { knownIndicators?: readonly string[] } = {},
): Promise<Review> {
  const review = parseReviewRequest(request, deps.clock.nowIso());
  await checkTarget(deps, review, options.knownIndicators);
  return deps.reviews.append(review, reviewAuditEntry);
}

/** Every review (history included), in the order entered. */
export function listReviews(
  deps: Pick<ReviewDeps, 'reviews'>,
  filter: ReviewFilter = {},
): Promise<Review[]> {
  return deps.reviews.list(filter);
}

/** The reviews in force, for assessments. */
export async function reviewsInForce(reviews: ReviewRepository): Promise<ReviewIndex> {
  return new ReviewIndex(await reviews.list());
}

/** Audit entries matching the filter, in the order written. */
export function listAuditEntries(
  deps: Pick<ReviewDeps, 'audit'>,
  filter: AuditFilter = {},
): Promise<AuditEntry[]> {
  return deps.audit.list(filter);
}
