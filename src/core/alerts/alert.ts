/** A recorded alert and what delivery needs to know about it. */
import type { AlertCandidate } from './alert-decision.ts';
import type { AlertChannel } from './alert-rule.ts';

export interface Alert extends AlertCandidate {
  /** `alt_` + 16 hex of the sha256 of the dedup key: stable, so also the idempotency key. */
  readonly id: string;
  /** ISO 8601 UTC when it was decided (wall clock). */
  readonly decidedAt: string;
}

/** One delivery of one alert to one channel, as held in the outbox. */
export interface OutboxItem {
  readonly outboxId: number;
  readonly alert: Alert;
  readonly channel: AlertChannel;
  /** Attempts made before this one. */
  readonly attempts: number;
}

export type OutboxState = 'pending' | 'delivered' | 'failed';

/** The key a receiver uses to drop duplicates: the same for retries and replays. */
export function idempotencyKey(alert: Pick<Alert, 'id'>): string {
  return alert.id;
}

/** Exponential backoff: base · 2^(attempt-1), capped; no jitter so that tests are exact. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  /** After this many failed attempts the delivery is marked failed for good. */
  readonly maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 8 };

/**
 * The wait after failed attempt number `attempt` (1-based), or null when no attempt is left.
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number): number | null {
  if (attempt >= policy.maxAttempts) return null;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
}

/** A failed delivery attempt; `retryable` false (e.g. HTTP 400) stops the retries. */
export class AlertDeliveryError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlertDeliveryError';
    this.retryable = retryable;
  }
}
