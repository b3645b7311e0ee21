/**
 * One running attempt's hold on its job: renews the lease every `pollMs`, writing the latest
 * progress and learning of cancel requests, and owns the AbortSignal the handler runs under,
 * remembering why it was aborted (a cancel, the runner stopping, or the lease lost to another
 * runner).
 */
import { CancelledError, ConflictError } from '../../core/errors.ts';
import type { Job, JobProgress } from '../../core/jobs/job.ts';
import { addMs, type AbortCause } from '../../core/jobs/job-retry.ts';
import type { Clock } from '../ports.ts';
import type { JobStore } from './job-queue.ts';

export type LeaseAbortCause = Exclude<AbortCause, null> | 'lost';

export interface JobLeaseOptions {
  readonly store: JobStore;
  readonly clock: Clock;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly pollMs: number;
}

export class JobLease {
  readonly #job: Job;
  readonly #options: JobLeaseOptions;
  readonly #controller = new AbortController();
  #cause: LeaseAbortCause | null = null;
  #progress: JobProgress | null = null;
  #progressChanged = false;
  #renewing = false;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(job: Job, options: JobLeaseOptions) {
    this.#job = job;
    this.#options = options;
  }

  /** Aborted when the job must stop; its reason is a CancelledError saying why. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the signal was aborted; null while it was not. */
  get cause(): LeaseAbortCause | null {
    return this.#cause;
  }

  /** Aborts the attempt, once; the first cause is kept. */
  abort(cause: LeaseAbortCause, message: string): void {
    if (this.#cause !== null) return;
    this.#cause = cause;
    this.#controller.abort(new CancelledError(message));
  }

  /** Records progress, written with the next renewal. */
  readonly report = (progress: JobProgress): void => {
    this.#progress = progress;
    this.#progressChanged = true;
  };

  /** Starts renewing every `pollMs`. */
  start(): void {
    this.#timer = setInterval(() => void this.#renew(), this.#options.pollMs);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #renew(): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    const { store, clock, workerId, leaseMs } = this.#options;
    const id = this.#job.id;
    try {
      const sent = this.#progressChanged ? this.#progress : null;
      this.#progressChanged = false;
      const renewal = await store.renew(id, workerId, addMs(clock.nowIso(), leaseMs), sent);
      if (renewal.cancelRequested) this.abort('cancel', `job ${id} cancelled`);
    } catch (error) {
      // A store hiccup is retried at the next tick; a lost lease stops the attempt.
      if (error instanceof ConflictError) this.abort('lost', `job ${id}: its lease was lost`);
    } finally {
      this.#renewing = false;
    }
  }
}
