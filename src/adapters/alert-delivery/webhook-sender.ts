/**
 * Webhook delivery: a JSON POST whose exact body bytes are signed with HMAC-SHA256 under the
 * channel's secret (`X-Sitewatch-Signature: sha256=<hex>`), with the alert id as
 * `Idempotency-Key`, a per-request timeout, and a few quick retries with exponential backoff
 * on 5xx, 408, 429 and network errors before the outbox's own (longer) backoff takes over.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AlertDeliveryError, idempotencyKey, type Alert } from '../../core/alerts/alert.ts';
import type { AlertChannel } from '../../core/alerts/alert-rule.ts';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  formatSignature,
  parseSignature,
  webhookPayload,
} from '../../core/alerts/webhook-payload.ts';

type WebhookChannel = Extract<AlertChannel, { kind: 'webhook' }>;

export interface WebhookSenderOptions {
  /** Looks up a secret by environment variable name (process.env in production). */
  readonly env: (name: string) => string | undefined;
  /** Waits between quick retries; tests pass a recorder that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts per send, the first included. Default 3. */
  readonly attempts?: number;
  /** First quick-retry wait; doubled each time. Default 1000 ms. */
  readonly retryBaseMs?: number;
  readonly fetch?: typeof fetch;
}

/** HMAC-SHA256 of `body` under `secret`, as the header value `sha256=<hex>`. */
export function signWebhookBody(secret: string, body: string): string {
  return formatSignature(createHmac('sha256', secret).update(body, 'utf8').digest('hex'));
}

/** Whether `header` is the valid signature of `body` (constant-time compare). */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | null | undefined,
): boolean {
  const given = parseSignature(header);
  if (given === null) return false;
  const expected = parseSignature(signWebhookBody(secret, body)) ?? '';
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'));
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export class WebhookSender {
  readonly #options: WebhookSenderOptions;

  constructor(options: WebhookSenderOptions) {
    this.#options = options;
  }

  async send(alert: Alert, channel: WebhookChannel): Promise<void> {
    const secret = this.#options.env(channel.secretEnv);
    if (secret === undefined || secret === '') {
      throw new AlertDeliveryError(
        `webhook ${channel.url}: environment variable ${channel.secretEnv} (the signing secret) is not set`,
        true,
      );
    }
    const body = JSON.stringify(webhookPayload(alert));
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'sitewatch-alerts',
      [SIGNATURE_HEADER]: signWebhookBody(secret, body),
      [IDEMPOTENCY_HEADER]: idempotencyKey(alert),
    };
    const attempts = Math.max(1, this.#options.attempts ?? 3);
    const sleep = this.#options.sleep ?? realSleep;
    const doFetch = this.#options.fetch ?? fetch;
    let lastError: AlertDeliveryError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (attempt > 1) await sleep((this.#options.retryBaseMs ?? 1000) * 2 ** (attempt - 2));
      try {
        const response = await doFetch(channel.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(channel.timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok) return;
        const retryable =
          response.status >= 500 || response.status === 408 || response.status === 429;
        lastError = new AlertDeliveryError(
          `webhook ${channel.url} answered HTTP ${response.status}`,
          retryable,
        );
        if (!retryable) throw lastError;
      } catch (error) {
        if (error instanceof AlertDeliveryError && !error.retryable) throw error;
        if (!(error instanceof AlertDeliveryError)) {
          const detail = error instanceof Error ? error.message : String(error);
          lastError = new AlertDeliveryError(`webhook ${channel.url} failed: ${detail}`, true, {
            cause: error,
          });
        }
      }
    }
    throw lastError ?? new AlertDeliveryError(`webhook ${channel.url} failed`, true);
  }
}
