/**
 * autocannon (shipped without types) behind a small typed function: runs `amount` requests at
 * `connections` concurrency, taking paths from `nextPath` so each request can name its own.
 */
import { createRequire } from 'node:module';

export interface LoadResult {
  readonly requests: { readonly total: number; readonly average: number };
  readonly latency: {
    readonly p50: number;
    readonly p99: number;
    readonly average: number;
  };
  readonly non2xx: number;
  readonly errors: number;
}

interface RequestShape {
  readonly path?: string;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  amount: number;
  timeout: number;
  requests: { setupRequest: (request: RequestShape) => RequestShape }[];
}) => Promise<LoadResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export function runLoad(
  url: string,
  connections: number,
  amount: number,
  nextPath: () => string,
): Promise<LoadResult> {
  return autocannon({
    url,
    connections,
    amount,
    // Seconds: a slow cold tile on a loaded machine is measured, not dropped as an error.
    timeout: 120,
    requests: [{ setupRequest: (request) => ({ ...request, path: nextPath() }) }],
  });
}
