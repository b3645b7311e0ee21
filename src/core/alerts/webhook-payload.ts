/**
 * The webhook body and the signature header format. The HMAC itself (SHA-256 over the exact
 * body bytes, keyed with the channel's secret) is computed by the delivery adapter; this
 * module fixes the text format so that sender and verifier agree.
 */
import type { Alert } from './alert.ts';

export const SIGNATURE_HEADER = 'X-Sitewatch-Signature';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const WEBHOOK_PAYLOAD_VERSION = 1;

/** The JSON document POSTed to a webhook (stable field order; serialize with JSON.stringify). */
export function webhookPayload(alert: Alert): Record<string, unknown> {
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    id: alert.id,
    rule: alert.ruleId,
    severity: alert.severity,
    title: alert.title,
    summary: alert.summary,
    factAt: alert.factAt,
    decidedAt: alert.decidedAt,
    subject: alert.subject,
  };
}

/** `sha256=<64 lower-case hex>` from the hex digest. */
export function formatSignature(hexDigest: string): string {
  return `sha256=${hexDigest.toLowerCase()}`;
}

/** The hex digest of a `sha256=<hex>` header, or null when the header is not in that form. */
export function parseSignature(header: string | null | undefined): string | null {
  if (header === null || header === undefined) return null;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  return match?.[1]?.toLowerCase() ?? null;
}
