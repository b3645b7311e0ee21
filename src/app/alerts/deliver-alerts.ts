/**
 * Delivering the outbox: claim due rows (with a lease, so a crashed deliverer's rows come
 * back), send each, and mark it delivered or schedule the next attempt with exponential
 * backoff. Delivery is at least once; the idempotency key (the alert id) lets a receiver
 * drop the duplicate a crash between sending and marking can cause.
 */
import {
  AlertDeliveryError,
  DEFAULT_BACKOFF,
  backoffDelayMs,
  type Alert,
  type BackoffPolicy,
} from '../../core/alerts/alert.ts';
import type { AlertChannel } from '../../core/alerts/alert-rule.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { AlertRepository, AlertSender, Clock } from '../ports.ts';

export interface DeliverAlertsDeps {
  readonly alerts: AlertRepository;
  readonly sender: AlertSender;
  readonly clock: Clock;
  readonly backoff?: BackoffPolicy;
  /** How long a claim holds (ms); longer than the slowest channel's timeout. Default 5 min. */
  readonly leaseMs?: number;
}

export interface DeliveryReport {
  readonly delivered: number;
  /** Failed attempts that will be retried. */
  readonly retrying: number;
  /** Failed for good (out of attempts, or not retryable). */
  readonly failed: number;
  readonly errors: readonly {
    readonly alertId: string;
    readonly channel: string;
    readonly error: string;
  }[];
}

const addMs = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/**
 * Runs one pass over the due outbox rows (at most `limit`). When `signal` aborts, the delivery
 * in flight finishes and is marked, and the claims on the rows not yet attempted are released
 * (they are due again at once, for the next deliverer).
 */
export async function deliverDueAlerts(
  deps: DeliverAlertsDeps,
  limit = 100,
  signal?: AbortSignal,
): Promise<DeliveryReport> {
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const now = deps.clock.nowIso();
  const items = await deps.alerts.claimDue(now, addMs(now, deps.leaseMs ?? 300_000), limit);
  let delivered = 0;
  let retrying = 0;
  let failed = 0;
  const errors: { alertId: string; channel: string; error: string }[] = [];
  for (const [index, item] of items.entries()) {
    if (signal?.aborted === true) {
      await deps.alerts.releaseClaims(items.slice(index).map((i) => i.outboxId));
      break;
    }
    try {
      await deps.sender.send(item.alert, item.channel);
      await deps.alerts.markDelivered(item.outboxId, deps.clock.nowIso());
      delivered += 1;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryable = !(error instanceof AlertDeliveryError) || error.retryable;
      const delayMs = retryable ? backoffDelayMs(backoff, item.attempts + 1) : null;
      const next = delayMs === null ? null : addMs(deps.clock.nowIso(), delayMs);
      await deps.alerts.markAttemptFailed(item.outboxId, message, next);
      if (next === null) failed += 1;
      else retrying += 1;
      errors.push({ alertId: item.alert.id, channel: item.channel.kind, error: message });
    }
  }
  return { delivered, retrying, failed, errors };
}

export interface DelivererOptions {
  /** Stops the loop: the pass in progress ends after its current delivery (see above). */
  readonly signal: AbortSignal;
  /** Pause between passes that found nothing more to do (ms). Default 10 s. */
  readonly intervalMs?: number;
  /** Deliveries per pass. Default 100. */
  readonly limit?: number;
  /** Called after each pass that claimed something. */
  readonly onReport?: (report: DeliveryReport) => void;
}

const isEmpty = (r: DeliveryReport): boolean => r.delivered + r.retrying + r.failed === 0;

/**
 * The background deliverer: passes over the due outbox until `signal` aborts, pausing
 * `intervalMs` when a pass had less than a full batch. For the CLI (`alerts deliver --watch`)
 * and, later, `serve`.
 * @returns the totals over every pass.
 */
export async function runDeliverer(
  deps: DeliverAlertsDeps,
  options: DelivererOptions,
): Promise<DeliveryReport> {
  const limit = options.limit ?? 100;
  const intervalMs = options.intervalMs ?? 10_000;
  const total = {
    delivered: 0,
    retrying: 0,
    failed: 0,
    errors: [] as DeliveryReport['errors'][number][],
  };
  while (!options.signal.aborted) {
    const report = await deliverDueAlerts(deps, limit, options.signal);
    total.delivered += report.delivered;
    total.retrying += report.retrying;
    total.failed += report.failed;
    total.errors.push(...report.errors);
    if (!isEmpty(report)) options.onReport?.(report);
    const attempted = report.delivered + report.retrying + report.failed;
    if (attempted < limit) await pause(intervalMs, options.signal);
  }
  return total;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolvePause) => {
    if (signal.aborted) {
      resolvePause();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolvePause();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Replays an alert: every channel's outbox row becomes pending and due now, then one pass
 * delivers it. The idempotency key is unchanged, so a receiver that already has it drops it.
 * @throws NotFoundError naming the alert id.
 */
export async function replayAlert(
  deps: DeliverAlertsDeps,
  alertId: string,
): Promise<DeliveryReport> {
  const found = await deps.alerts.getAlert(alertId);
  if (found === undefined) throw new NotFoundError(`no alert with id "${alertId}"`);
  await deps.alerts.requeue(alertId, deps.clock.nowIso());
  return deliverDueAlerts(deps);
}

/**
 * Sends a test alert for a rule through each of its channels now (nothing is stored). The
 * alert id is `alt_test_<rule>_<time>` so that receivers see a fresh idempotency key.
 * @throws NotFoundError naming the rule id; rethrows the first channel's failure after
 *   trying every channel.
 */
export async function sendTestAlert(
  deps: Pick<DeliverAlertsDeps, 'alerts' | 'sender' | 'clock'>,
  ruleId: string,
): Promise<{ readonly channel: AlertChannel['kind']; readonly error: string | null }[]> {
  const rule = await deps.alerts.getRule(ruleId);
  if (rule === undefined) throw new NotFoundError(`no alert rule with id "${ruleId}"`);
  const now = deps.clock.nowIso();
  const alert: Alert = {
    id: `alt_test_${rule.id}_${now.replace(/[^0-9]/g, '')}`,
    ruleId: rule.id,
    severity: rule.severity,
    dedupKey: `${rule.id}|test|${now}`,
    cooldownKey: `${rule.id}|test`,
    cooldownMinutes: 0,
    factAt: now,
    decidedAt: now,
    title: `Test alert for rule ${rule.id}`,
    summary: `This is a test of the channels of alert rule "${rule.id}" sent at ${now}.`,
    subject: {
      kind: 'anomaly',
      series: 'test',
      observationId: 'test',
      anomalyScore: 0,
    },
  };
  const results: { channel: AlertChannel['kind']; error: string | null }[] = [];
  for (const channel of rule.channels) {
    try {
      await deps.sender.send(alert, channel);
      results.push({ channel: channel.kind, error: null });
    } catch (error) {
      results.push({
        channel: channel.kind,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return results;
}
