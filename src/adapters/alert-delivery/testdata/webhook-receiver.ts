/**
 * A real HTTP receiver for webhook tests: verifies the signature, answers scripted statuses,
 * and accepts each idempotency key once (later copies are acknowledged and dropped).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../webhook-sender.ts';

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly signatureValid: boolean;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Payloads accepted, one per distinct idempotency key. */
  readonly accepted: Map<string, unknown>;
  /** Statuses to answer before accepting (consumed in order). */
  readonly script: number[];
  /** Called for each request before answering; may hold the answer back (crash tests). */
  onRequest?: (request: ReceivedRequest) => Promise<void> | void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const accepted = new Map<string, unknown>();
  const script: number[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    requests,
    accepted,
    script,
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = req.headers['x-sitewatch-signature'];
      const request: ReceivedRequest = {
        headers: req.headers,
        body,
        signatureValid: verifyWebhookSignature(
          secret,
          body,
          typeof signature === 'string' ? signature : undefined,
        ),
      };
      requests.push(request);
      void Promise.resolve(receiver.onRequest?.(request)).then(() => {
        const status = script.shift();
        if (status !== undefined) {
          res.writeHead(status).end();
          return;
        }
        if (!request.signatureValid) {
          res.writeHead(401).end();
          return;
        }
        const key = String(req.headers['idempotency-key']);
        if (!accepted.has(key)) accepted.set(key, JSON.parse(body));
        res.writeHead(200).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
}
