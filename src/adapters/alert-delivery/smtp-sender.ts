/** E-mail delivery over SMTP with nodemailer; the alert id makes the Message-ID stable. */
import nodemailer from 'nodemailer';
import { AlertDeliveryError, idempotencyKey, type Alert } from '../../core/alerts/alert.ts';
import type { AlertChannel } from '../../core/alerts/alert-rule.ts';

type EmailChannel = Extract<AlertChannel, { kind: 'email' }>;

export interface SmtpSenderOptions {
  readonly env: (name: string) => string | undefined;
  /** Connection, greeting and socket timeouts (ms). Default 15000. */
  readonly timeoutMs?: number;
  /** Accept self-signed certificates (tests only). */
  readonly allowSelfSigned?: boolean;
}

/** The plain-text body of an alert e-mail. */
export function emailText(alert: Alert): string {
  return [
    alert.summary,
    '',
    `Severity: ${alert.severity}`,
    `Rule: ${alert.ruleId}`,
    `Fact time: ${alert.factAt}`,
    `Decided: ${alert.decidedAt}`,
    `Alert id: ${alert.id}`,
    '',
    JSON.stringify(alert.subject, null, 2),
    '',
  ].join('\n');
}

export class SmtpSender {
  readonly #options: SmtpSenderOptions;

  constructor(options: SmtpSenderOptions) {
    this.#options = options;
  }

  async send(alert: Alert, channel: EmailChannel): Promise<void> {
    const { smtp } = channel;
    const user = smtp.userEnv === undefined ? undefined : this.#options.env(smtp.userEnv);
    const pass = smtp.passwordEnv === undefined ? undefined : this.#options.env(smtp.passwordEnv);
    const timeoutMs = this.#options.timeoutMs ?? 15_000;
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(user === undefined ? {} : { auth: { user, pass: pass ?? '' } }),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      ...(this.#options.allowSelfSigned === true ? { tls: { rejectUnauthorized: false } } : {}),
    });
    try {
      await transport.sendMail({
        from: channel.from,
        to: channel.to,
        subject: `[sitewatch ${alert.severity}] ${alert.title}`,
        text: emailText(alert),
        messageId: `<${idempotencyKey(alert)}@sitewatch.alerts>`,
        headers: { 'X-Sitewatch-Alert-Id': alert.id },
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      const code = (error as { responseCode?: number }).responseCode;
      // 5xx SMTP replies are permanent (bad recipient, refused); everything else is retried.
      const retryable = !(typeof code === 'number' && code >= 500 && code < 600);
      throw new AlertDeliveryError(
        `e-mail via ${smtp.host}:${smtp.port} failed: ${detail}`,
        retryable,
        { cause: error },
      );
    } finally {
      transport.close();
    }
  }
}
