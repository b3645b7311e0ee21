/** Submitting a job: the kind and payload are checked here, at the edge, before queueing. */
import { ValidationError } from '../../core/errors.ts';
import type { Job } from '../../core/jobs/job.ts';
import { parseJobKind, parseJobPayload } from '../../core/jobs/job-payloads.ts';
import type { EnqueueOptions, JobQueue } from './job-queue.ts';

/** The most attempts a job may ask for. */
export const MAX_JOB_ATTEMPTS = 20;

/**
 * Validates `kind` and `payload` (zod, per kind) and queues the job.
 * @throws ValidationError naming the bad kind, payload field or attempt count.
 */
export async function enqueueJob(
  queue: JobQueue,
  kind: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<Job> {
  const jobKind = parseJobKind(kind);
  const valid = parseJobPayload(jobKind, payload);
  const { maxAttempts } = options;
  if (
    maxAttempts !== undefined &&
    (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_JOB_ATTEMPTS)
  ) {
    throw new ValidationError(
      `maxAttempts must be a whole number from 1 to ${MAX_JOB_ATTEMPTS}; got ${maxAttempts}`,
    );
  }
  return queue.enqueue(jobKind, valid, options);
}
