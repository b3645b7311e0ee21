/** Analysts confirm or reject evidence; each review is written with its audit entry. */
import { z } from 'zod';
import { listReviews, recordReview } from '../../../app/review/review-evidence.ts';
import { REVIEW_TARGET_KINDS, REVIEW_VERDICTS } from '../../../core/review/review.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { pageOf, pageQuery } from '../api-schemas.ts';
import { paginate } from '../pagination.ts';

const reviewSchema = z
  .looseObject({
    id: z.string(),
    targetKind: z.enum(REVIEW_TARGET_KINDS),
    targetId: z.string(),
    verdict: z.enum(REVIEW_VERDICTS),
    reason: z.string(),
    author: z.string(),
    at: z.string(),
  })
  .describe('A review of a detection, an observation or an indicator (core/review/review.ts).');

const reviewBody = z.object({
  targetKind: z.enum(REVIEW_TARGET_KINDS),
  targetId: z
    .string()
    .min(1)
    .max(300)
    .describe('det_…#index, obs_…, or playbook/indicator[@obs_…].'),
  verdict: z.enum(REVIEW_VERDICTS),
  reason: z.string().min(1).max(2000),
  reading: z
    .string()
    .max(40)
    .nullable()
    .optional()
    .describe('Indicator confirmations only: the reading asserted.'),
});

const reviewQuery = pageQuery.extend({
  targetKind: z.enum(REVIEW_TARGET_KINDS).optional(),
  targetId: z.string().max(300).optional(),
});

export const REVIEW_ROUTES: readonly ApiRoute[] = [
  defineRoute({
    method: 'POST',
    url: '/api/reviews',
    operationId: 'createReview',
    summary: 'Confirm or reject evidence, with a reason; the caller is the author.',
    tag: 'reviews',
    access: 'analyst',
    body: reviewBody,
    status: 201,
    response: reviewSchema,
    handler: ({ body, user, services }) =>
      recordReview(services.review, {
        targetKind: body.targetKind,
        targetId: body.targetId,
        verdict: body.verdict,
        reason: body.reason,
        reading: body.reading,
        author: user?.name ?? '',
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/reviews',
    operationId: 'listReviews',
    summary: 'Reviews in the order entered (later reviews of a target supersede earlier ones).',
    tag: 'reviews',
    access: 'viewer',
    query: reviewQuery,
    response: pageOf(reviewSchema),
    handler: async ({ query, services }) => {
      const list = await listReviews(services.review, {
        ...(query.targetKind === undefined ? {} : { targetKind: query.targetKind }),
        ...(query.targetId === undefined ? {} : { targetId: query.targetId }),
      });
      return paginate(list, (r) => r.id, query);
    },
  }),
];
