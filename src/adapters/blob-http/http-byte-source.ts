/**
 * A {@link ByteSource} over an HTTP(S) URL that reads only the byte ranges the TIFF reader asks
 * for (Range requests), so a worker reads a window of a COG without copying the scene. Reads go
 * through a bounded cache of fixed-size blocks; the missing blocks of one call are fetched as
 * runs of adjacent blocks, one request per run. 5xx answers and network failures (including a
 * connection dropped mid-body) are retried with exponential backoff; every answer is checked
 * (206, Content-Range, length) so a short or misplaced body never reaches the decoder.
 */
import {
  CancelledError,
  CorruptFileError,
  NotFoundError,
  SitewatchError,
  UnsupportedError,
  ValidationError,
} from '../../core/errors.ts';
import {
  availableSliceBytes,
  checkExactRead,
  type ByteSlice,
  type ByteSource,
} from '../geotiff/file-byte-source.ts';

/** Adds headers (e.g. an AWS SigV4 Authorization) to one request; called per attempt. */
export type RequestSigner = (request: {
  readonly method: 'GET' | 'HEAD';
  readonly url: URL;
  readonly headers: Record<string, string>;
}) => Record<string, string>;

export interface HttpByteSourceOptions {
  /** Bytes per cached block (and the smallest request); default 64 KiB. */
  readonly blockSizeBytes?: number;
  /** Most bytes of blocks kept, least recently used dropped first; default 16 MiB. */
  readonly cacheBytes?: number;
  /** Retries after the first attempt for 5xx / network errors / short bodies; default 3. */
  readonly retries?: number;
  /** First backoff delay; doubled each retry; default 200 ms. */
  readonly retryDelayMs?: number;
  /** Per-request timeout; default 60 s. */
  readonly timeoutMs?: number;
  readonly signer?: RequestSigner;
  /** Defaults to the global fetch (tests may count requests through it). */
  readonly fetch?: typeof fetch;
}

const DEFAULTS = {
  blockSizeBytes: 64 * 1024,
  cacheBytes: 16 * 2 ** 20,
  retries: 3,
  retryDelayMs: 200,
  timeoutMs: 60_000,
};

/** An answer that may succeed when asked again (5xx, dropped connection, short body). */
class RetryableError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IO', message, options);
  }
}

/** Read through a function so TypeScript does not keep an earlier narrowing across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function isHttpUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/** True for paths {@link HttpByteSource} opens. */
export function isRemoteRasterPath(path: string): boolean {
  return isHttpUrl(path);
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(new CancelledError('cancelled while waiting to retry'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Parses `bytes start-end/total` (total may be `*`). */
function parseContentRange(
  header: string | null,
): { start: number; end: number; total: number | null } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (match === null) return null;
  return {
    start: Number(match[1]),
    end: Number(match[2]),
    total: match[3] === '*' ? null : Number(match[3]),
  };
}

/** Random-access reads of one HTTP(S) object; `close()` is idempotent. */
export class HttpByteSource implements ByteSource {
  readonly path: string;
  readonly sizeBytes: number;
  readonly #url: URL;
  readonly #options: typeof DEFAULTS & HttpByteSourceOptions;
  readonly #blocks = new Map<number, Uint8Array>();
  readonly #inFlight = new Map<number, Promise<Map<number, Uint8Array>>>();
  #cachedBytes = 0;
  #closed = false;
  /** Requests sent and body bytes received (for tests and metrics). */
  readonly stats = { requests: 0, bytesReceived: 0 };

  private constructor(
    url: URL,
    sizeBytes: number,
    options: typeof DEFAULTS & HttpByteSourceOptions,
    firstBlock: Uint8Array | null,
  ) {
    this.#url = url;
    this.path = url.href;
    this.sizeBytes = sizeBytes;
    this.#options = options;
    if (firstBlock !== null) this.#remember(0, firstBlock);
  }

  /**
   * Opens `url` by asking for its first block (learning the size from Content-Range).
   * @throws NotFoundError on 404/410; UnsupportedError (naming the URL and status) when the
   *   server does not answer Range requests with 206; SitewatchError('IO') after the retries.
   */
  static async open(
    url: string,
    options: HttpByteSourceOptions = {},
    signal?: AbortSignal,
  ): Promise<HttpByteSource> {
    if (!isHttpUrl(url)) throw new UnsupportedError(`not an http(s) URL: ${url}`);
    const merged = { ...DEFAULTS, ...options };
    for (const [name, value] of Object.entries({
      blockSizeBytes: merged.blockSizeBytes,
      retries: merged.retries + 1,
    })) {
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new ValidationError(`HttpByteSource ${name}=${value}: expected a positive integer`);
      }
    }
    const parsed = new URL(url);
    const probe = new HttpByteSource(parsed, Number.MAX_SAFE_INTEGER, merged, null);
    const first = await probe.#request(0, merged.blockSizeBytes, signal, true);
    const block = first.bytes;
    return new HttpByteSource(parsed, first.total, merged, block.length > 0 ? block : null);
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    checkExactRead(this.path, this.sizeBytes, 'object', offset, length);
    const buffer = new Uint8Array(length);
    const blocks = await this.#ensure([{ offset, length }], signal);
    this.#copyInto(blocks, buffer, offset, length);
    return buffer;
  }

  async fetch(slices: readonly ByteSlice[], signal?: AbortSignal): Promise<ArrayBuffer[]> {
    const clamped: ByteSlice[] = [];
    for (const { offset, length } of slices) {
      const available = availableSliceBytes(this.path, this.sizeBytes, 'object', offset, length);
      clamped.push({ offset, length: available });
    }
    const blocks = await this.#ensure(clamped, signal);
    return slices.map(({ length }, i) => {
      const buffer = new Uint8Array(length);
      const part = clamped[i];
      if (part !== undefined) this.#copyInto(blocks, buffer, part.offset, part.length);
      return buffer.buffer;
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#blocks.clear();
    this.#cachedBytes = 0;
    return Promise.resolve();
  }

  /**
   * Fetches every missing block under `slices`, one request per run of adjacent blocks, and
   * returns all the blocks they cover (held here, so a cache smaller than one call still works).
   */
  async #ensure(
    slices: readonly ByteSlice[],
    signal: AbortSignal | undefined,
  ): Promise<Map<number, Uint8Array>> {
    if (this.#closed) throw new SitewatchError('IO', `${this.path} is closed`);
    if (signal?.aborted === true) throw new CancelledError(`reading ${this.path} was cancelled`);
    const size = this.#options.blockSizeBytes;
    const needed = new Set<number>();
    for (const { offset, length } of slices) {
      if (length === 0) continue;
      const last = Math.floor((offset + length - 1) / size);
      for (let block = Math.floor(offset / size); block <= last; block += 1) needed.add(block);
    }
    const held = new Map<number, Uint8Array>();
    const waits: Promise<void>[] = [];
    const missing: number[] = [];
    for (const block of [...needed].sort((a, b) => a - b)) {
      const cached = this.#blocks.get(block);
      const pending = this.#inFlight.get(block);
      if (cached !== undefined) held.set(block, this.#touch(block, cached));
      else if (pending !== undefined)
        waits.push(
          pending.then((map) => {
            copyMap(map, held);
          }),
        );
      else missing.push(block);
    }
    for (const [first, last] of runsOf(missing)) {
      waits.push(
        this.#fetchRun(first, last, signal).then((map) => {
          copyMap(map, held);
        }),
      );
    }
    await Promise.all(waits);
    return held;
  }

  #touch(block: number, bytes: Uint8Array): Uint8Array {
    this.#blocks.delete(block);
    this.#blocks.set(block, bytes);
    return bytes;
  }

  #fetchRun(
    first: number,
    last: number,
    signal: AbortSignal | undefined,
  ): Promise<Map<number, Uint8Array>> {
    const size = this.#options.blockSizeBytes;
    const start = first * size;
    const length = Math.min((last + 1) * size, this.sizeBytes) - start;
    const promise = this.#request(start, length, signal, false).then(({ bytes }) => {
      const map = new Map<number, Uint8Array>();
      for (let block = first; block <= last; block += 1) {
        const from = (block - first) * size;
        const part = bytes.subarray(from, Math.min(from + size, bytes.length));
        map.set(block, part);
        this.#remember(block, part);
      }
      return map;
    });
    const settled = promise.finally(() => {
      for (let block = first; block <= last; block += 1) this.#inFlight.delete(block);
    });
    for (let block = first; block <= last; block += 1) this.#inFlight.set(block, settled);
    return settled;
  }

  #remember(block: number, bytes: Uint8Array): void {
    const old = this.#blocks.get(block);
    if (old !== undefined) this.#cachedBytes -= old.length;
    this.#blocks.delete(block);
    this.#blocks.set(block, bytes);
    this.#cachedBytes += bytes.length;
    for (const [key, value] of this.#blocks) {
      if (this.#cachedBytes <= this.#options.cacheBytes || this.#blocks.size <= 1) break;
      this.#blocks.delete(key);
      this.#cachedBytes -= value.length;
    }
  }

  #copyInto(
    blocks: ReadonlyMap<number, Uint8Array>,
    target: Uint8Array,
    offset: number,
    length: number,
  ): void {
    const size = this.#options.blockSizeBytes;
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const block = Math.floor(position / size);
      const bytes = blocks.get(block);
      if (bytes === undefined) {
        throw new SitewatchError('IO', `${this.path}: block ${block} was not fetched`);
      }
      const from = position - block * size;
      const count = Math.min(length - done, bytes.length - from);
      if (count <= 0) {
        throw new CorruptFileError(`${this.path}: no bytes at ${position} (short block ${block})`);
      }
      target.set(bytes.subarray(from, from + count), done);
      done += count;
    }
  }

  /** One Range request with retries; `probing` accepts a shorter body at the end (size unknown). */
  async #request(
    start: number,
    length: number,
    signal: AbortSignal | undefined,
    probing: boolean,
  ): Promise<{ bytes: Uint8Array; total: number }> {
    const { retries, retryDelayMs } = this.#options;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.#attempt(start, length, signal, probing);
      } catch (error) {
        if (!(error instanceof RetryableError) || attempt >= retries) {
          if (error instanceof RetryableError) {
            throw new SitewatchError(
              'IO',
              `${error.message} (gave up after ${attempt + 1} attempts)`,
              { cause: error.cause ?? error },
            );
          }
          throw error;
        }
        await delay(retryDelayMs * 2 ** attempt, signal);
      }
    }
  }

  async #attempt(
    start: number,
    length: number,
    signal: AbortSignal | undefined,
    probing: boolean,
  ): Promise<{ bytes: Uint8Array; total: number }> {
    if (signal?.aborted === true) throw new CancelledError(`reading ${this.path} was cancelled`);
    const range = `bytes=${start}-${start + Math.max(length, 1) - 1}`;
    const headers: Record<string, string> = { range };
    const signed = this.#options.signer?.({ method: 'GET', url: this.#url, headers }) ?? headers;
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    const fetchImpl = this.#options.fetch ?? fetch;
    const what = `GET ${this.path} (${range})`;
    this.stats.requests += 1;
    let response: Response;
    try {
      response = await fetchImpl(this.#url, { headers: signed, signal: combined });
    } catch (error) {
      if (isAborted(signal)) {
        throw new CancelledError(`reading ${this.path} was cancelled`, { cause: error });
      }
      throw new RetryableError(`${what} failed: ${(error as Error).message}`, { cause: error });
    }
    if (response.status === 416 && probing) {
      await response.body?.cancel();
      const unsatisfied = /\*\/(\d+)/.exec(response.headers.get('content-range') ?? '');
      if (unsatisfied?.[1] === '0') return { bytes: new Uint8Array(0), total: 0 };
    }
    if (response.status !== 206) {
      await response.body?.cancel();
      const status = `${response.status} ${response.statusText}`.trim();
      if (response.status === 404 || response.status === 410) {
        throw new NotFoundError(`raster not found: ${this.path} (HTTP ${status})`);
      }
      if (response.status >= 500) throw new RetryableError(`${what}: HTTP ${status}`);
      if (response.status === 200) {
        throw new UnsupportedError(
          `${this.path}: the server answered a Range request with HTTP ${status} instead of 206 Partial Content; it does not support range reads, so the image cannot be read in windows (copy it locally first)`,
        );
      }
      throw new SitewatchError('IO', `${what}: HTTP ${status}`);
    }
    const contentRange = parseContentRange(response.headers.get('content-range'));
    if (contentRange === null || contentRange.start !== start) {
      await response.body?.cancel();
      throw new CorruptFileError(
        `${what}: unexpected Content-Range '${response.headers.get('content-range') ?? ''}'`,
      );
    }
    const total = contentRange.total ?? (probing ? contentRange.end + 1 : this.sizeBytes);
    if (!probing && total !== this.sizeBytes) {
      await response.body?.cancel();
      throw new CorruptFileError(
        `${this.path} changed while being read: it had ${this.sizeBytes} bytes, now ${total}`,
      );
    }
    const expected = Math.min(length, total - start);
    let body: Uint8Array;
    try {
      body = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (isAborted(signal)) {
        throw new CancelledError(`reading ${this.path} was cancelled`, { cause: error });
      }
      throw new RetryableError(
        `${what}: the connection failed mid-body: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    this.stats.bytesReceived += body.length;
    if (body.length !== expected || contentRange.end - contentRange.start + 1 !== expected) {
      throw new RetryableError(
        `${what}: short or mismatched response: got ${body.length} bytes (Content-Range ${contentRange.start}-${contentRange.end}), expected ${expected}`,
      );
    }
    return { bytes: body, total };
  }
}

function copyMap(from: ReadonlyMap<number, Uint8Array>, to: Map<number, Uint8Array>): void {
  for (const [key, value] of from) to.set(key, value);
}

/** Sorted block indexes → [first, last] runs of adjacent ones. */
function runsOf(sorted: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const block of sorted) {
    const run = runs[runs.length - 1];
    if (run !== undefined && run[1] === block - 1) run[1] = block;
    else runs.push([block, block]);
  }
  return runs;
}
