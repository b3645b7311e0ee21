import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { latestReviews, ReviewIndex } from './review-index.ts';
import {
  parseDetectionTarget,
  parseIndicatorTarget,
  parseReviewRequest,
  type Review,
} from './review.ts';

const AT = '2026-11-27T12:00:00.000Z';

function review(n: number, overrides: Partial<Review> = {}): Review {
  return {
    id: `rev_${n}`,
    targetKind: 'observation',
    targetId: 'obs_00000000000000aa',
    verdict: 'reject',
    reading: null,
    reason: `reason ${n}`,
    author: 'kim',
    at: new Date(Date.parse(AT) + n * 1000).toISOString(),
    ...overrides,
  };
}

describe('parseReviewRequest', () => {
  const base = {
    targetKind: 'observation',
    targetId: 'obs_00000000000000aa',
    verdict: 'reject',
    reason: ' parked rail cars counted as trucks ',
    author: 'kim',
  };

  it('keeps a well-formed review, trimming the reason', () => {
    expect(parseReviewRequest(base, AT)).toEqual({
      ...base,
      reason: 'parked rail cars counted as trucks',
      reading: null,
      at: AT,
    });
  });

  it.each([
    [{ reason: '  ' }, 'a reason is required (--reason TEXT); got none'],
    [{ reason: undefined }, 'a reason is required'],
    [
      { targetKind: 'image' },
      'review target kind "image": expected one of detection, observation, indicator',
    ],
    [{ verdict: 'maybe' }, 'review verdict "maybe": expected one of confirm, reject'],
    [{ targetId: 'img_1' }, 'observation "img_1": expected an observation id (obs_…)'],
    [
      { targetKind: 'detection', targetId: 'det_1#x' },
      'detection "det_1#x": expected a detection run id',
    ],
    [
      { targetKind: 'indicator', targetId: 'Bad Name' },
      'indicator "Bad Name": expected [hypothesis/]indicator',
    ],
    [
      { reading: 'present' },
      'reading "present": only an indicator confirmation can force a reading',
    ],
    [
      { targetKind: 'indicator', targetId: 'crane', verdict: 'confirm', reading: 'maybe' },
      'reading "maybe": expected one of present, absent',
    ],
    [{ author: ' ' }, 'the author is empty'],
  ])('refuses %j, naming the bad value', (overrides, message) => {
    expect(() => parseReviewRequest({ ...base, ...overrides }, AT)).toThrow(ValidationError);
    expect(() => parseReviewRequest({ ...base, ...overrides }, AT)).toThrow(message);
  });

  it('parses detection and indicator target ids', () => {
    expect(parseDetectionTarget('det_0123456789abcdef')).toEqual({
      runId: 'det_0123456789abcdef',
      index: null,
    });
    expect(parseDetectionTarget('det_0123456789abcdef#12')).toEqual({
      runId: 'det_0123456789abcdef',
      index: 12,
    });
    expect(parseIndicatorTarget('crane')).toEqual({
      hypothesis: null,
      indicator: 'crane',
      observationId: null,
      fromMs: null,
    });
    expect(parseIndicatorTarget('space-launch/crane@obs_00000000000000aa')).toEqual({
      hypothesis: 'space-launch',
      indicator: 'crane',
      observationId: 'obs_00000000000000aa',
      fromMs: null,
    });
  });
});

describe('the review in force', () => {
  it('is the latest per target; earlier ones stay in the history', () => {
    const history = [
      review(1),
      review(2, { targetId: 'obs_00000000000000bb' }),
      review(3, { verdict: 'confirm' }),
    ];
    expect(latestReviews(history).map((r) => r.id)).toEqual(['rev_2', 'rev_3']);
    const index = new ReviewIndex(history);
    expect(index.rejectionOf({ observationId: 'obs_00000000000000aa', runId: null })).toBe(
      undefined,
    );
    expect(index.remarkOn({ observationId: 'obs_00000000000000aa', runId: null })?.id).toBe(
      'rev_3',
    );
    expect(index.rejectionOf({ observationId: 'obs_00000000000000bb', runId: null })?.id).toBe(
      'rev_2',
    );
  });

  it('rejects the observations of a rejected run; a rejected single detection only marks them', () => {
    const index = new ReviewIndex([
      review(1, { targetKind: 'detection', targetId: 'det_aa' }),
      review(2, { targetKind: 'detection', targetId: 'det_bb#3' }),
    ]);
    expect(index.rejectsObservations).toBe(true);
    expect(index.rejectionOf({ observationId: 'obs_1', runId: 'det_aa' })?.id).toBe('rev_1');
    expect(index.rejectionOf({ observationId: 'obs_2', runId: 'det_bb' })).toBe(undefined);
    expect(index.remarkOn({ observationId: 'obs_2', runId: 'det_bb' })?.id).toBe('rev_2');
    expect(
      new ReviewIndex([review(2, { targetKind: 'detection', targetId: 'det_bb#3' })])
        .rejectsObservations,
    ).toBe(false);
  });

  it('finds the most specific indicator review', () => {
    const indicator = (n: number, targetId: string) =>
      review(n, { targetKind: 'indicator', targetId, verdict: 'confirm' });
    const index = new ReviewIndex([
      indicator(1, 'crane'),
      indicator(2, 'h/crane'),
      indicator(3, 'crane@obs_1'),
      indicator(4, 'other/crane@obs_2'),
    ]);
    const at = (observationId: string | null, hypothesis = 'h') =>
      index.indicatorReview(hypothesis, { id: 'crane', windowDays: 10 }, observationId, 0)?.review
        .id;
    expect(at('obs_1')).toBe('rev_3');
    expect(at('obs_2')).toBe('rev_2');
    expect(at('obs_2', 'other')).toBe('rev_4');
    expect(at(null, 'other')).toBe('rev_1');
    expect(index.indicatorReview('h', { id: 'surge', windowDays: 10 }, 'obs_1', 0)).toBe(undefined);
  });

  it('holds a time-scoped indicator review from its time, for the window', () => {
    const index = new ReviewIndex([
      review(1, { targetKind: 'indicator', targetId: 'crane', verdict: 'confirm' }),
      review(2, { targetKind: 'indicator', targetId: 'crane@2019-03-08', verdict: 'reject' }),
    ]);
    const crane = { id: 'crane', windowDays: 10 };
    const at = (iso: string) => index.indicatorReview('h', crane, null, Date.parse(iso));
    expect(at('2019-03-07T00:00:00Z')?.review.id).toBe('rev_1');
    expect(at('2019-03-10T00:00:00Z')?.review.id).toBe('rev_2');
    expect(at('2019-03-10T00:00:00Z')?.fromMs).toBe(Date.parse('2019-03-08'));
    expect(at('2019-03-18T00:00:00Z')?.review.id).toBe('rev_1');
    expect(parseIndicatorTarget('h/crane@2019-03-08T02:10:00Z').fromMs).toBe(
      Date.parse('2019-03-08T02:10:00Z'),
    );
    expect(() => parseIndicatorTarget('crane@2019-13-45')).toThrow(ValidationError);
  });
});
