/** The {@link AlertSender} that dispatches on the channel kind. */
import type { Alert } from '../../core/alerts/alert.ts';
import type { AlertChannel } from '../../core/alerts/alert-rule.ts';
import type { AlertSender } from '../../app/ports.ts';
import { SmtpSender } from './smtp-sender.ts';
import { WebhookSender } from './webhook-sender.ts';

export class ChannelAlertSender implements AlertSender {
  readonly #webhook: WebhookSender;
  readonly #smtp: SmtpSender;

  constructor(webhook: WebhookSender, smtp: SmtpSender) {
    this.#webhook = webhook;
    this.#smtp = smtp;
  }

  send(alert: Alert, channel: AlertChannel): Promise<void> {
    return channel.kind === 'webhook'
      ? this.#webhook.send(alert, channel)
      : this.#smtp.send(alert, channel);
  }
}
