/**
 * The remote CLI's connection to a running `sitewatch serve`: the generated typed client's
 * options (base URL, bearer token, a fetch that remembers the last response's headers) and
 * the mapping of its failures to the CLI's typed errors, so each prints as one line and
 * exits with the local CLI's status (format.ts EXIT_CODES).
 */
import type { Command } from 'commander';
import {
  ConflictError,
  NotFoundError,
  SitewatchError,
  TooLargeError,
  UnsupportedError,
  ValidationError,
} from '../../../core/errors.ts';
import { ApiError, type ApiClientOptions } from '../../../../web/src/api-client.gen.ts';

export interface RemoteOptions {
  readonly server?: string;
  readonly token?: string;
}

/** A connection: the client options plus the headers of the last response. */
export interface Remote {
  readonly url: string;
  readonly client: ApiClientOptions;
  /** Headers of the most recent response (e.g. `x-sitewatch-feature-count`). */
  lastHeaders(): Headers | undefined;
}

/**
 * The server URL given with --server or SITEWATCH_SERVER, without a trailing slash.
 * @throws ValidationError naming the value when it is missing or not an http(s) URL
 */
export function serverUrl(text: string | undefined): string {
  if (text === undefined || text.trim() === '') {
    throw new ValidationError('remote: give the server with --server URL (or SITEWATCH_SERVER)');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new ValidationError(`--server must be an http(s) URL; got "${text}"`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`--server must be an http(s) URL; got "${text}"`);
  }
  return url.href.replace(/\/+$/, '');
}

/** The connection the `remote` command's options (and SITEWATCH_SERVER / SITEWATCH_TOKEN) name. */
export function remoteOf(command: Command, env: NodeJS.ProcessEnv = process.env): Remote {
  const options = command.optsWithGlobals<RemoteOptions>();
  const url = serverUrl(options.server ?? env.SITEWATCH_SERVER);
  const token = options.token ?? env.SITEWATCH_TOKEN;
  let last: Headers | undefined;
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    last = response.headers;
    return response;
  };
  return {
    url,
    client: {
      baseUrl: url,
      fetch: recordingFetch,
      ...(token === undefined || token === ''
        ? {}
        : { headers: { authorization: `Bearer ${token}` } }),
    },
    lastHeaders: () => last,
  };
}

/** A failure talking to the server that has no closer local error code. */
export class RemoteError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IO', message, options);
  }
}

/** The server's problem+json as one line: status, title, detail and each bad field. */
export function problemLine(error: ApiError): string {
  const problem = error.problem;
  const detail = problem === undefined ? error.message : `${problem.title}: ${problem.detail}`;
  // Each bad field the detail does not already name.
  const fields = (problem?.invalidParams ?? [])
    .map((p) => `${p.name}: ${p.reason}`)
    .filter((line) => !detail.includes(line));
  return `${error.status} ${detail}${fields.length === 0 ? '' : ` (${fields.join('; ')})`}`;
}

/** Maps a failed call to the CLI's typed error (one line; exit status as the local CLI). */
export function remoteErrorOf(remote: Remote, error: unknown): unknown {
  if (error instanceof ApiError) {
    const line = `server ${remote.url}: ${problemLine(error)}`;
    if (error.status === 401) {
      const why =
        remote.client.headers === undefined
          ? 'no API token: give --token T or set SITEWATCH_TOKEN'
          : 'the API token was refused (unknown or revoked)';
      return new ValidationError(`server ${remote.url}: 401 ${why}`, { cause: error });
    }
    if (error.status === 403) return new ValidationError(line, { cause: error });
    if (error.status === 404) return new NotFoundError(line, { cause: error });
    if (error.status === 409) return new ConflictError(line, { cause: error });
    if (error.status === 413) return new TooLargeError(line, { cause: error });
    if (error.status === 415) return new UnsupportedError(line, { cause: error });
    if (error.status >= 400 && error.status < 500)
      return new ValidationError(line, { cause: error });
    return new RemoteError(line, { cause: error });
  }
  if (error instanceof TypeError) {
    const cause: unknown = error.cause;
    const code =
      cause instanceof Error && 'code' in cause && typeof cause.code === 'string'
        ? cause.code
        : cause instanceof Error
          ? cause.message
          : error.message;
    return new RemoteError(`cannot reach the server at ${remote.url} (${code})`, { cause: error });
  }
  return error;
}

/** Runs one or more client calls, mapping their failures (see remoteErrorOf). */
export async function callRemote<T>(
  remote: Remote,
  fn: (client: ApiClientOptions) => Promise<T>,
): Promise<T> {
  try {
    return await fn(remote.client);
  } catch (error) {
    throw remoteErrorOf(remote, error);
  }
}
