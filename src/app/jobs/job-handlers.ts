/**
 * The handlers a runner looks up by job kind. Each calls its use case with the job's signal
 * (a cancel or a shutdown aborts it) and progress reporter, and returns a JSON summary that the
 * queue keeps as the job's result; the full records stay in their own stores.
 */
import type { Comparison } from '../../core/change/comparison.ts';
import type { Job, JobProgress } from '../../core/jobs/job.ts';
import type { JobKind, JobPayloads } from '../../core/jobs/job-payloads.ts';
import { assessFromPlaybook, type AssessDeps } from '../assess/assess-playbook.ts';
import { compareImages, DEFAULT_CHANGE_METHOD, type CompareDeps } from '../compare-images.ts';
import {
  DEFAULT_MIN_SCORE,
  DEFAULT_MODEL_ID,
  detectImage,
  type DetectDeps,
} from '../detect-image.ts';
import type { DetectionRun } from '../detect/detection-run.ts';

/** What a handler gets besides its payload. */
export interface JobContext {
  readonly job: Job;
  /** Aborted when the job is cancelled or its runner stops; the use case then stores nothing. */
  readonly signal: AbortSignal;
  /** Records where the job is (written to the store with the next lease renewal). */
  readonly progress: (progress: JobProgress) => void;
}

/** Runs one attempt; resolves with the JSON result, or throws (retried per the policy). */
export type JobHandler<K extends JobKind> = (
  payload: JobPayloads[K],
  context: JobContext,
) => Promise<unknown>;

/** Handlers by kind; a runner claims only the kinds it has a handler for. */
export type JobHandlers = { readonly [K in JobKind]?: JobHandler<K> };

export interface JobHandlerDeps {
  readonly compare: CompareDeps;
  readonly detect: DetectDeps;
  readonly assess: AssessDeps;
}

/** The JSON result of a compare job. */
function compareSummary(comparison: Comparison) {
  return {
    comparisonId: comparison.id,
    imageA: comparison.imageA,
    imageB: comparison.imageB,
    method: comparison.parameters.method,
    reliable: comparison.registration.reliable,
    changedFraction: comparison.changedFraction,
    polygonCount: comparison.polygonCount,
    outputs: comparison.outputs,
  };
}

/** The JSON result of a detect job. */
function detectSummary(run: DetectionRun) {
  return {
    runId: run.id,
    imageId: run.imageId,
    model: run.model,
    detectionCount: run.detectionCount,
    counts: run.counts,
    outputs: run.outputs,
  };
}

/**
 * On a retry, the comparison an earlier attempt stored before its runner died (between the
 * insert and recording the job's end): same pair, method, site and threshold, created since
 * the job was submitted. Adopting it keeps a restart from storing the comparison twice.
 */
async function storedComparison(
  deps: CompareDeps,
  payload: JobPayloads['compare'],
  job: Job,
): Promise<Comparison | undefined> {
  if (job.attempt <= 1) return undefined;
  const found = await deps.comparisons.listForImage(payload.imageA);
  return found.find(
    (c) =>
      c.imageB === payload.imageB &&
      c.createdAt >= job.createdAt &&
      c.parameters.method === (payload.method ?? DEFAULT_CHANGE_METHOD) &&
      c.parameters.siteId === (payload.siteId ?? null) &&
      c.parameters.thresholdOverride === (payload.threshold ?? null) &&
      (c.outputs === null) === (payload.outDir === undefined),
  );
}

/** As {@link storedComparison}, for a detection run: same image, model id, site and score floor. */
async function storedRun(
  deps: DetectDeps,
  payload: JobPayloads['detect'],
  job: Job,
): Promise<DetectionRun | undefined> {
  if (job.attempt <= 1) return undefined;
  const found = await deps.detections.listRunsForImage(payload.imageId);
  return found.find(
    (run) =>
      run.createdAt >= job.createdAt &&
      run.model.id === (payload.model ?? DEFAULT_MODEL_ID) &&
      run.parameters.siteId === (payload.siteId ?? null) &&
      run.parameters.minScore === (payload.minScore ?? DEFAULT_MIN_SCORE) &&
      (run.outputs === null) === (payload.outDir === undefined),
  );
}

/** Handlers for `compare`, `detect` and `assess` over the use cases. */
export function createJobHandlers(deps: JobHandlerDeps): Required<JobHandlers> {
  return {
    compare: async (payload, { job, signal, progress }) => {
      const earlier = await storedComparison(deps.compare, payload, job);
      if (earlier !== undefined) return compareSummary(earlier);
      const { comparison } = await compareImages(deps.compare, {
        ...payload,
        signal,
        onProgress: (event) => {
          progress({ stage: event.stage, done: event.done, total: event.total });
        },
      });
      return compareSummary(comparison);
    },
    detect: async (payload, { job, signal, progress }) => {
      const earlier = await storedRun(deps.detect, payload, job);
      if (earlier !== undefined) return detectSummary(earlier);
      const { run } = await detectImage(deps.detect, {
        ...payload,
        signal,
        onProgress: (event) => {
          progress({ stage: event.stage, done: event.tilesDone, total: event.tilesTotal });
        },
      });
      return detectSummary(run);
    },
    assess: async (payload, { signal, progress }) => {
      progress({ stage: 'assessing', done: 0, total: 1 });
      signal.throwIfAborted();
      return assessFromPlaybook(deps.assess, payload.playbook, payload.label, payload.asOf);
    },
  };
}
