import { describe, expect, it } from 'vitest';
import { CancelledError, ConflictError, NotFoundError, SitewatchError } from '../errors.ts';
import { JOB_STATES, assertTransition, canTransition, isFinalJobState } from './job.ts';
import { JOB_KINDS, parseJobKind, parseJobPayload } from './job-payloads.ts';
import {
  INTERRUPTED_MESSAGE,
  isRetryableJobError,
  outcomeOfFailure,
  outcomeOfInterrupted,
} from './job-retry.ts';

const NOW = '2026-01-01T00:00:00.000Z';
const POLICY = { baseMs: 1000, maxMs: 5000, maxAttempts: 99 };

describe('job states', () => {
  it('allows exactly the documented transitions', () => {
    const allowed = JOB_STATES.flatMap((from) =>
      JOB_STATES.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    );
    expect(allowed).toEqual([
      'queued>running',
      'queued>cancelled',
      'running>queued',
      'running>completed',
      'running>failed',
      'running>cancelled',
    ]);
    expect(JOB_STATES.filter(isFinalJobState)).toEqual(['completed', 'failed', 'cancelled']);
  });

  it('names the job and both states when a transition is refused', () => {
    expect(() => {
      assertTransition('job_1', 'completed', 'running');
    }).toThrow(new ConflictError('job job_1 is completed; it cannot become running'));
  });
});

describe('job payloads', () => {
  it('knows the kinds and names an unknown one', () => {
    expect(JOB_KINDS).toEqual(['compare', 'detect', 'assess']);
    expect(() => parseJobKind('tile')).toThrow(
      'job kind must be one of compare, detect, assess; got "tile"',
    );
  });

  it('accepts a valid payload per kind and fills defaults', () => {
    expect(parseJobPayload('compare', { imageA: 'a', imageB: 'b', method: 'cva' })).toEqual({
      imageA: 'a',
      imageB: 'b',
      method: 'cva',
    });
    expect(parseJobPayload('detect', { imageId: 'img', classes: ['car'] }).classes).toEqual([
      'car',
    ]);
    expect(parseJobPayload('assess', { playbook: {}, asOf: '2019-03-08' })).toEqual({
      playbook: {},
      label: 'playbook',
      asOf: '2019-03-08T00:00:00.000Z',
    });
  });

  it('names every bad field and value', () => {
    expect(() => parseJobPayload('compare', { imageA: 'a', method: 'otb', extra: 1 })).toThrow(
      /payload\.imageB: missing.*payload\.method: expected one of combined, irmad, cva, got "otb".*payload: unknown key "extra"/,
    );
    expect(() => parseJobPayload('detect', 'img')).toThrow(
      'invalid detect job payload: payload: expected object, got "img"',
    );
    expect(() => parseJobPayload('assess', { playbook: {}, asOf: 'soon' })).toThrow(
      /payload\.asOf: "soon" is not a date/,
    );
  });
});

describe('job retries', () => {
  it('retries unexpected errors with exponential backoff until the attempts run out', () => {
    const job = { attempt: 1, maxAttempts: 3 };
    expect(outcomeOfFailure(job, new Error('disk hiccup'), null, NOW, POLICY)).toEqual({
      state: 'queued',
      error: 'disk hiccup',
      runAfter: '2026-01-01T00:00:01.000Z',
      refundAttempt: false,
    });
    expect(
      outcomeOfFailure({ ...job, attempt: 2 }, new Error('x'), null, NOW, POLICY),
    ).toMatchObject({ runAfter: '2026-01-01T00:00:02.000Z' });
    expect(outcomeOfFailure({ ...job, attempt: 3 }, new Error('x'), null, NOW, POLICY)).toEqual({
      state: 'failed',
      error: 'x',
    });
  });

  it('fails at once on bad input, cancels on a cancel, puts back on a shutdown', () => {
    const job = { attempt: 1, maxAttempts: 3 };
    expect(isRetryableJobError(new SitewatchError('IO', 'busy'))).toBe(true);
    expect(outcomeOfFailure(job, new NotFoundError('image "x" not found'), null, NOW)).toEqual({
      state: 'failed',
      error: 'image "x" not found',
    });
    const stop = new CancelledError('stopped');
    expect(outcomeOfFailure(job, stop, 'cancel', NOW)).toEqual({
      state: 'cancelled',
      error: 'stopped',
    });
    expect(outcomeOfFailure(job, stop, 'shutdown', NOW)).toEqual({
      state: 'queued',
      error: 'stopped',
      runAfter: NOW,
      refundAttempt: true,
    });
  });

  it('queues an interrupted job again while attempts remain, else fails it as interrupted', () => {
    expect(outcomeOfInterrupted({ attempt: 1, maxAttempts: 2 }, NOW)).toEqual({
      state: 'queued',
      error: INTERRUPTED_MESSAGE,
      runAfter: NOW,
      refundAttempt: false,
    });
    expect(outcomeOfInterrupted({ attempt: 2, maxAttempts: 2 }, NOW)).toEqual({
      state: 'failed',
      error: 'interrupted by a restart',
    });
  });
});
