/**
 * The analyst's last word: of the reviews of one target, the latest (by `at`, then by the
 * order given, which is the order stored) is in force; earlier ones are history.
 */
import { DAY_MS } from '../activity/series.ts';
import {
  parseDetectionTarget,
  parseIndicatorTarget,
  type Review,
  type ReviewTargetKind,
} from './review.ts';

function targetKey(kind: ReviewTargetKind, id: string): string {
  return `${kind}:${id}`;
}

/** The review in force per target, in the order the reviews were given. */
export function latestReviews(reviews: readonly Review[]): Review[] {
  const latest = new Map<string, Review>();
  for (const review of reviews) {
    const key = targetKey(review.targetKind, review.targetId);
    const previous = latest.get(key);
    if (previous === undefined || Date.parse(review.at) >= Date.parse(previous.at)) {
      latest.delete(key);
      latest.set(key, review);
    }
  }
  return [...latest.values()];
}

/** What an observation rests on, for finding the reviews that bear on it. */
export interface ReviewedSource {
  readonly observationId: string;
  readonly runId: string | null;
}

/** An indicator review that holds from a time on. */
interface TimedReview {
  readonly review: Review;
  readonly fromMs: number;
}

/** The indicator review in force at a time, and from when it holds (null: at every time). */
export interface IndicatorReviewAt {
  readonly review: Review;
  readonly fromMs: number | null;
}

/** Reviews in force, looked up by what they bear on. */
export class ReviewIndex {
  readonly #byTarget = new Map<string, Review>();
  /** Reviews of single detections, per run id. */
  readonly #detectionsByRun = new Map<string, Review[]>();
  /** Time-scoped indicator reviews per `[hypothesis/]indicator`, by time. */
  readonly #timed = new Map<string, TimedReview[]>();
  readonly #rejectsEvidence: boolean;

  /** @param reviews every review, in the order stored (latest per target wins). */
  constructor(reviews: readonly Review[] = []) {
    let rejects = false;
    for (const review of latestReviews(reviews)) {
      this.#byTarget.set(targetKey(review.targetKind, review.targetId), review);
      if (review.targetKind === 'indicator') {
        const target = parseIndicatorTarget(review.targetId);
        if (target.fromMs !== null) {
          const key = `${target.hypothesis === null ? '' : `${target.hypothesis}/`}${target.indicator}`;
          const list = this.#timed.get(key) ?? [];
          list.push({ review, fromMs: target.fromMs });
          this.#timed.set(
            key,
            list.sort((a, b) => a.fromMs - b.fromMs),
          );
        }
      }
      if (review.targetKind === 'detection') {
        const { runId, index } = parseDetectionTarget(review.targetId);
        if (index !== null) {
          const list = this.#detectionsByRun.get(runId) ?? [];
          list.push(review);
          this.#detectionsByRun.set(runId, list);
          continue;
        }
      }
      if (review.verdict === 'reject' && review.targetKind !== 'indicator') rejects = true;
    }
    this.#rejectsEvidence = rejects;
  }

  /** No review in force at all. */
  get isEmpty(): boolean {
    return this.#byTarget.size === 0;
  }

  /** Whether some observation or whole detection run is rejected (so readings must be redone). */
  get rejectsObservations(): boolean {
    return this.#rejectsEvidence;
  }

  /**
   * The rejection that takes an observation out of fusion: of the observation itself, or of
   * the whole detection run it was derived from.
   */
  rejectionOf(source: ReviewedSource): Review | undefined {
    const own = this.#byTarget.get(targetKey('observation', source.observationId));
    if (own?.verdict === 'reject') return own;
    if (source.runId === null) return undefined;
    const run = this.#byTarget.get(targetKey('detection', source.runId));
    return run?.verdict === 'reject' ? run : undefined;
  }

  /**
   * The review that bears on an observation without overriding it: a confirmation of it or
   * of its run, else a review of one of its run's detections (a rejected detection marks
   * the evidence; the count it went into is kept).
   */
  remarkOn(source: ReviewedSource): Review | undefined {
    const own = this.#byTarget.get(targetKey('observation', source.observationId));
    if (own !== undefined) return own;
    if (source.runId === null) return undefined;
    const run = this.#byTarget.get(targetKey('detection', source.runId));
    if (run !== undefined) return run;
    const detections = this.#detectionsByRun.get(source.runId) ?? [];
    return detections.find((r) => r.verdict === 'reject') ?? detections[0];
  }

  /**
   * The review of an indicator in force at `asOfMs`, as read from an observation (null:
   * nothing in the window), the most specific first: scoped to the observation
   * (`[hypothesis/]indicator@obs`), then to a time (the latest `@DATE` in (asOf − window,
   * asOf]), then unscoped; a review naming the hypothesis before one that does not.
   */
  indicatorReview(
    hypothesis: string,
    indicator: { readonly id: string; readonly windowDays: number },
    observationId: string | null,
    asOfMs: number,
  ): IndicatorReviewAt | undefined {
    const prefixes = [`${hypothesis}/`, ''];
    const byId = (suffix: string) => {
      for (const prefix of prefixes) {
        const review = this.#byTarget.get(
          targetKey('indicator', `${prefix}${indicator.id}${suffix}`),
        );
        if (review !== undefined) return { review, fromMs: null };
      }
      return undefined;
    };
    const scoped = observationId === null ? undefined : byId(`@${observationId}`);
    if (scoped !== undefined) return scoped;
    const windowStartMs = asOfMs - indicator.windowDays * DAY_MS;
    for (const prefix of prefixes) {
      const timed = (this.#timed.get(`${prefix}${indicator.id}`) ?? []).filter(
        (t) => t.fromMs <= asOfMs && t.fromMs > windowStartMs,
      );
      const latest = timed[timed.length - 1];
      if (latest !== undefined) return latest;
    }
    return byId('');
  }
}

/** A review index that holds nothing. */
export const NO_REVIEWS = new ReviewIndex();
