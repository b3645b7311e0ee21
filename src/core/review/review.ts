/**
 * Analyst reviews: a detection, an observation or an indicator confirmed or rejected, with a
 * reason, by someone, at a time. Reviews are never edited: a later review of the same target
 * supersedes an earlier one (see review-index.ts), and the history is kept.
 *
 * Target ids by kind:
 *   detection     `det_…` (a whole detection run) or `det_…#N` (detection N of the run)
 *   observation   `obs_…`
 *   indicator     `[hypothesis/]indicator[@obs_…|@DATE]`: an indicator of a playbook (of any
 *                 playbook with that indicator id when the hypothesis is left out), at every
 *                 time, or only where it is read from one observation (the evidence id
 *                 `indicator@obs_…`), or only from a time on (`@2019-03-08` or an ISO
 *                 date-time with Z), for the indicator's window, decaying from that time.
 */
import { SLUG_PATTERN } from '../catalog/site.ts';
import { ValidationError } from '../errors.ts';

export const REVIEW_TARGET_KINDS = ['detection', 'observation', 'indicator'] as const;
export type ReviewTargetKind = (typeof REVIEW_TARGET_KINDS)[number];

export const REVIEW_VERDICTS = ['confirm', 'reject'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

/** What an analyst asserts an indicator showed, overriding what was read. */
export type ForcedReading = 'present' | 'absent';

/** A review as entered, before the store gives it an id. */
export interface NewReview {
  readonly targetKind: ReviewTargetKind;
  readonly targetId: string;
  readonly verdict: ReviewVerdict;
  /** Indicator confirmations only: the reading the analyst asserts; null: as read. */
  readonly reading: ForcedReading | null;
  /** Why; never empty. */
  readonly reason: string;
  readonly author: string;
  /** ISO 8601 UTC, when it was entered. */
  readonly at: string;
}

/** One stored review. Immutable. */
export interface Review extends NewReview {
  /** `rev_` + the store's sequence number. */
  readonly id: string;
}

export interface DetectionTarget {
  readonly runId: string;
  /** Position of the detection in its run; null for the whole run. */
  readonly index: number | null;
}

export interface IndicatorTarget {
  readonly hypothesis: string | null;
  readonly indicator: string;
  readonly observationId: string | null;
  /** Milliseconds since the epoch from which the review holds; null: not scoped to a time. */
  readonly fromMs: number | null;
}

const DETECTION_TARGET = /^(det_[0-9a-z]+)(?:#(\d+))?$/;
const OBSERVATION_TARGET = /^obs_[0-9a-z]+$/;
const SLUG = new RegExp(SLUG_PATTERN.source.replace(/^\^|\$$/g, ''));
const INDICATOR_TARGET = new RegExp(
  `^(?:(${SLUG.source})/)?(${SLUG.source})(?:@(obs_[0-9a-z]+)|@(\\d{4}-\\d{2}-\\d{2}(?:T[0-9:.]+Z)?))?$`,
);

/**
 * @throws ValidationError naming the id and the expected forms.
 */
export function parseDetectionTarget(id: string): DetectionTarget {
  const match = DETECTION_TARGET.exec(id);
  if (match === null) {
    throw new ValidationError(
      `detection "${id}": expected a detection run id (det_…) or one detection of it (det_…#N)`,
    );
  }
  return { runId: match[1] ?? '', index: match[2] === undefined ? null : Number(match[2]) };
}

/**
 * @throws ValidationError naming the id and the expected forms.
 */
export function parseIndicatorTarget(id: string): IndicatorTarget {
  const match = INDICATOR_TARGET.exec(id);
  const fromMs = match?.[4] === undefined ? null : Date.parse(match[4]);
  if (match === null || Number.isNaN(fromMs)) {
    throw new ValidationError(
      `indicator "${id}": expected [hypothesis/]indicator[@observation id|@date], e.g. ` +
        'space-launch-preparation/sohae-pad-reassembly or sohae-pad-reassembly@obs_0123456789abcdef',
    );
  }
  return {
    hypothesis: match[1] ?? null,
    indicator: match[2] ?? '',
    observationId: match[3] ?? null,
    fromMs,
  };
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ValidationError(`${what} "${value}": expected one of ${allowed.join(', ')}`);
}

/** A review as typed by someone, unchecked. */
export interface ReviewRequest {
  readonly targetKind: string;
  readonly targetId: string;
  readonly verdict: string;
  readonly reason: string | undefined;
  readonly author: string;
  readonly reading?: string | null | undefined;
}

/**
 * Checks a review request: known kind and verdict, a well-formed target id, a non-empty
 * reason and author, and a forced reading only on an indicator confirmation.
 * @param at ISO 8601 UTC, when it is entered.
 * @throws ValidationError naming the bad value.
 */
export function parseReviewRequest(request: ReviewRequest, at: string): NewReview {
  const targetKind = oneOf(request.targetKind, REVIEW_TARGET_KINDS, 'review target kind');
  const verdict = oneOf(request.verdict, REVIEW_VERDICTS, 'review verdict');
  const targetId = request.targetId.trim();
  if (targetKind === 'detection') parseDetectionTarget(targetId);
  else if (targetKind === 'indicator') parseIndicatorTarget(targetId);
  else if (!OBSERVATION_TARGET.test(targetId)) {
    throw new ValidationError(`observation "${targetId}": expected an observation id (obs_…)`);
  }
  const reason = (request.reason ?? '').trim();
  if (reason === '') {
    throw new ValidationError(
      `review of ${targetKind} "${targetId}": a reason is required (--reason TEXT); got none`,
    );
  }
  const author = request.author.trim();
  if (author === '') {
    throw new ValidationError(`review of ${targetKind} "${targetId}": the author is empty`);
  }
  const readingText = request.reading ?? null;
  const reading =
    readingText === null ? null : oneOf(readingText, ['present', 'absent'] as const, 'reading');
  if (reading !== null && (targetKind !== 'indicator' || verdict !== 'confirm')) {
    throw new ValidationError(
      `reading "${reading}": only an indicator confirmation can force a reading; ` +
        `this is a ${verdict} of a ${targetKind}`,
    );
  }
  return { targetKind, targetId, verdict, reading, reason, author, at };
}
