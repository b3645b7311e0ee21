/**
 * A real node:http file server for tests: serves files from a folder with Range support, or
 * misbehaves on request (ignores Range, drops the connection mid-body, answers 5xx), and
 * counts requests and body bytes served.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export type ServerMode = 'range' | 'ignore-range' | 'drop-mid-body' | 'fail-5xx';

export interface TestFileServer {
  readonly baseUrl: string;
  /** How it answers; `failuresLeft` > 0 makes the next n requests misbehave, then `range`. */
  mode: ServerMode;
  failuresLeft: number;
  readonly served: { requests: number; bytes: number; ranges: string[] };
  /** Extra request handler tried first (e.g. an S3 PUT); true when it answered. */
  extra?: (request: IncomingMessage, response: ServerResponse, body: Buffer) => boolean;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

/** Starts a server on 127.0.0.1 (random port) serving `root`. */
export async function startTestFileServer(root: string): Promise<TestFileServer> {
  const state: TestFileServer = {
    baseUrl: '',
    mode: 'range',
    failuresLeft: 0,
    served: { requests: 0, bytes: 0, ranges: [] },
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      if (state.extra?.(request, response, body) === true) return;
      handle(state, root, request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no server address');
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
}

function handle(
  state: TestFileServer,
  root: string,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  state.served.requests += 1;
  const path = join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
  if (!path.startsWith(root) || !existsSync(path)) {
    response.writeHead(404).end();
    return;
  }
  const file = readFileSync(path);
  const mode = state.failuresLeft > 0 || state.mode === 'ignore-range' ? state.mode : 'range';
  if (state.failuresLeft > 0) state.failuresLeft -= 1;
  if (mode === 'fail-5xx') {
    response.writeHead(503).end('busy');
    return;
  }
  const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
  if (mode === 'ignore-range' || range === null) {
    state.served.bytes += file.length;
    response.writeHead(200, { 'content-length': file.length }).end(file);
    return;
  }
  const start = Number(range[1]);
  const end = Math.min(Number(range[2]), file.length - 1);
  if (start >= file.length) {
    response.writeHead(416, { 'content-range': `bytes */${file.length}` }).end();
    return;
  }
  state.served.ranges.push(`${start}-${end}`);
  const part = file.subarray(start, end + 1);
  response.writeHead(206, {
    'content-range': `bytes ${start}-${end}/${file.length}`,
    'content-length': part.length,
  });
  if (mode === 'drop-mid-body') {
    const half = part.subarray(0, Math.floor(part.length / 2));
    state.served.bytes += half.length;
    response.write(half, () => response.destroy());
    return;
  }
  state.served.bytes += part.length;
  response.end(part);
}
