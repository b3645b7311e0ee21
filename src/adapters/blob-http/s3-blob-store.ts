/**
 * BlobStore on an S3-compatible object store (AWS S3, MinIO, Ceph RGW, …), so every worker
 * reads the same imagery: `put` uploads a file under a content-addressed key
 * `<prefix>/blobs/<sha256>.<ext>` with one signed PUT (single-part: files up to 5 GB, the
 * S3 limit for one PUT), and rasters are read back by range requests through
 * {@link HttpByteSource}, signed with AWS Signature V4. The PUT carries the sha256 of the file
 * as `x-amz-content-sha256`, so the server refuses a body that changed after hashing and a
 * failed upload never leaves a half-written object.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname } from 'node:path';
import type { BlobStore, StoredBlob } from '../../app/ports.ts';
import {
  CancelledError,
  NotFoundError,
  SitewatchError,
  TooLargeError,
  ValidationError,
} from '../../core/errors.ts';
import type { ByteSource } from '../geotiff/file-byte-source.ts';
import { HttpByteSource, type HttpByteSourceOptions } from './http-byte-source.ts';
import { EMPTY_SHA256, signV4, type S3Credentials } from './sigv4.ts';

/** The largest object one S3 PUT may carry. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

export interface S3Location {
  readonly bucket: string;
  /** Key prefix without leading/trailing slashes; '' for the bucket root. */
  readonly prefix: string;
  readonly region: string;
  /** Base URL of the store: path-style (`<endpoint>/<bucket>/…`) when an endpoint was given. */
  readonly baseUrl: string;
}

/**
 * Parses `s3://bucket/prefix?endpoint=http://host:9000&region=us-east-1`. Without `endpoint`,
 * AWS's virtual-hosted URL `https://<bucket>.s3.<region>.amazonaws.com/` is used.
 * @throws ValidationError naming the bad URL.
 */
export function parseS3BlobUrl(raw: string, source = 'SITEWATCH_BLOB_URL'): S3Location {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new ValidationError(`${source}="${raw}": expected s3://bucket/prefix?endpoint=…`, {
      cause: error,
    });
  }
  const bucket = url.hostname;
  if (url.protocol !== 's3:' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ValidationError(
      `${source}="${raw}": expected s3://bucket/prefix?endpoint=http(s)://host:port&region=…`,
    );
  }
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  const region = url.searchParams.get('region') ?? 'us-east-1';
  const endpoint = url.searchParams.get('endpoint');
  if (endpoint !== null && !/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) {
    throw new ValidationError(
      `${source}="${raw}": endpoint "${endpoint}" must be http(s)://host[:port]`,
    );
  }
  const baseUrl =
    endpoint === null
      ? `https://${bucket}.s3.${region}.amazonaws.com/`
      : `${endpoint.replace(/\/$/, '')}/${bucket}/`;
  return { bucket, prefix, region, baseUrl };
}

export interface S3BlobStoreOptions {
  /** Clock for signatures (tests). */
  readonly now?: () => Date;
  /** Passed to every {@link HttpByteSource} it opens. */
  readonly byteSource?: HttpByteSourceOptions;
  /** Attempts of a PUT on 5xx / network errors; default 3. */
  readonly putAttempts?: number;
}

async function hashFile(
  path: string,
  signal: AbortSignal | undefined,
): Promise<{ sha256: string; sizeBytes: number }> {
  let size: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new ValidationError(`not a regular file: ${path}`);
    size = stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`image file not found: ${path}`, { cause: error });
    }
    throw error;
  }
  const hash = createHash('sha256');
  let read = 0;
  const stream = createReadStream(path, signal === undefined ? {} : { signal });
  try {
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      read += (chunk as Buffer).length;
    }
  } catch (error) {
    if (signal?.aborted === true) throw new CancelledError(`hashing ${path} was cancelled`);
    throw new SitewatchError('IO', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (read !== size) throw new SitewatchError('IO', `${path} changed size while being hashed`);
  return { sha256: hash.digest('hex'), sizeBytes: size };
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export class S3BlobStore implements BlobStore {
  readonly #now: () => Date;

  constructor(
    readonly location: S3Location,
    private readonly credentials: S3Credentials,
    private readonly options: S3BlobStoreOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
  }

  /** The object key of a blob: `<prefix>/blobs/<sha256>[.<ext>]`. */
  keyOf(sha256: string, sourcePath: string): string {
    const ext = extname(sourcePath).toLowerCase();
    const suffix = /^\.[a-z0-9]{1,8}$/.test(ext) ? ext : '';
    const key = `blobs/${sha256}${suffix}`;
    return this.location.prefix === '' ? key : `${this.location.prefix}/${key}`;
  }

  urlOf(key: string): string {
    return `${this.location.baseUrl}${encodeKey(key)}`;
  }

  /** True for URLs of this store's bucket (signed when read). */
  owns(url: string): boolean {
    return url.startsWith(this.location.baseUrl);
  }

  hash(
    sourcePath: string,
    options: { readonly signal?: AbortSignal | undefined } = {},
  ): Promise<StoredBlob> {
    return hashFile(sourcePath, options.signal).then((h) => ({ ...h, path: sourcePath }));
  }

  /**
   * Uploads `sourcePath` unless an object of the same key and size is already there; returns
   * the object's URL as `path` (read back with {@link openByteSource}).
   * @throws TooLargeError above 5 GB; SitewatchError('IO') naming the key and HTTP status.
   */
  async put(
    sourcePath: string,
    options: { readonly signal?: AbortSignal | undefined } = {},
  ): Promise<StoredBlob> {
    const { sha256, sizeBytes } = await hashFile(sourcePath, options.signal);
    if (sizeBytes > MAX_SINGLE_PUT_BYTES) {
      throw new TooLargeError(
        `${sourcePath}: ${sizeBytes} bytes is above the 5 GB single-PUT limit of the S3 blob store`,
      );
    }
    const url = this.urlOf(this.keyOf(sha256, sourcePath));
    const existing = await this.#head(url, options.signal);
    if (existing !== sizeBytes) {
      await this.#upload(url, sourcePath, sha256, sizeBytes, options.signal);
    }
    return { sha256, sizeBytes, path: url };
  }

  /** A range source for `url`, signed when it is in this store's bucket. */
  openByteSource(url: string, signal?: AbortSignal): Promise<ByteSource> {
    const signer = this.owns(url)
      ? (request: { method: 'GET' | 'HEAD'; url: URL; headers: Record<string, string> }) =>
          signV4(
            { ...request, payloadSha256: EMPTY_SHA256 },
            this.credentials,
            this.location.region,
            this.#now(),
          )
      : undefined;
    return HttpByteSource.open(
      url,
      { ...this.options.byteSource, ...(signer === undefined ? {} : { signer }) },
      signal,
    );
  }

  /** Size of the object at `url`, or undefined when it is absent. */
  async #head(url: string, signal: AbortSignal | undefined): Promise<number | undefined> {
    const parsed = new URL(url);
    const headers = signV4(
      { method: 'HEAD', url: parsed, headers: {}, payloadSha256: EMPTY_SHA256 },
      this.credentials,
      this.location.region,
      this.#now(),
    );
    let response: Response;
    try {
      response = await fetch(parsed, {
        method: 'HEAD',
        headers,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      throw new SitewatchError('IO', `HEAD ${url} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    // S3 answers 403 for a missing key when the credentials may not list the bucket.
    if (response.status === 404 || response.status === 403) return undefined;
    if (!response.ok) throw new SitewatchError('IO', `HEAD ${url}: HTTP ${response.status}`);
    const length = Number(response.headers.get('content-length'));
    return Number.isSafeInteger(length) ? length : undefined;
  }

  async #upload(
    url: string,
    sourcePath: string,
    sha256: string,
    sizeBytes: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const attempts = this.options.putAttempts ?? 3;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#putOnce(url, sourcePath, sha256, sizeBytes, signal);
      if (outcome.ok) return;
      if (!outcome.retryable || attempt >= attempts) {
        throw new SitewatchError(
          'IO',
          `PUT ${url} (from ${sourcePath}) failed after ${attempt} attempt(s): ${outcome.message}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
    }
  }

  #putOnce(
    url: string,
    sourcePath: string,
    sha256: string,
    sizeBytes: number,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true } | { ok: false; retryable: boolean; message: string }> {
    const parsed = new URL(url);
    const headers = signV4(
      {
        method: 'PUT',
        url: parsed,
        headers: {
          'content-length': String(sizeBytes),
          'content-type': 'application/octet-stream',
        },
        payloadSha256: sha256,
      },
      this.credentials,
      this.location.region,
      this.#now(),
    );
    const send = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        parsed,
        { method: 'PUT', headers, ...(signal === undefined ? {} : { signal }) },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => {
            if (chunks.length < 16) chunks.push(chunk);
          });
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              resolve({ ok: true });
              return;
            }
            const text = Buffer.concat(chunks).toString('utf8').slice(0, 300);
            resolve({ ok: false, retryable: status >= 500, message: `HTTP ${status} ${text}` });
          });
          response.on('error', (error) => {
            resolve({ ok: false, retryable: true, message: error.message });
          });
        },
      );
      request.on('error', (error) => {
        if (signal?.aborted === true) {
          reject(new CancelledError(`uploading ${sourcePath} was cancelled`, { cause: error }));
          return;
        }
        resolve({ ok: false, retryable: true, message: error.message });
      });
      createReadStream(sourcePath).pipe(request);
    });
  }
}
