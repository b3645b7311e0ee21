import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, SitewatchError, ValidationError } from '../../core/errors.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { openGeoTiff } from '../geotiff/geotiff-raster-source.ts';
import { FileRasterOpener } from '../raster-opener.ts';
import { startTestFileServer, type TestFileServer } from './http-test-server.ts';
import { parseS3BlobUrl, S3BlobStore } from './s3-blob-store.ts';
import { signV4 } from './sigv4.ts';

const CREDENTIALS = { accessKeyId: 'TESTKEY', secretAccessKey: 'test/secret+key' };
const FIXTURE = join(
  import.meta.dirname,
  '../../../fixtures/raster/rgb-uint8-deflate-tiled-32618.tif',
);
const crs = new EpsgCrsRegistry();

let root: string;
let server: TestFileServer;
const seen: { method: string; path: string; status: number }[] = [];

/**
 * A tiny path-style S3: checks each request's SigV4 Authorization by signing it again (with
 * the date and headers it names) and, for PUT, that the body matches x-amz-content-sha256.
 * GETs that pass fall through to the Range-capable file server.
 */
function s3(request: IncomingMessage, response: ServerResponse, body: Buffer): boolean {
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? ''}`);
  const answer = (status: number, text = ''): true => {
    seen.push({ method: request.method ?? '', path: url.pathname, status });
    response.writeHead(status).end(text);
    return true;
  };
  const authorization = request.headers.authorization ?? '';
  const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    if (['host', 'x-amz-date', 'x-amz-content-sha256'].includes(name)) continue;
    headers[name] = String(request.headers[name] ?? '');
  }
  const date = String(request.headers['x-amz-date'] ?? '');
  const payload = String(request.headers['x-amz-content-sha256'] ?? '');
  const when = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
  );
  const expected = Number.isNaN(when.getTime())
    ? undefined
    : signV4(
        { method: request.method ?? '', url, headers, payloadSha256: payload },
        CREDENTIALS,
        'us-east-1',
        when,
      )['authorization'];
  if (expected !== authorization) return answer(403, 'SignatureDoesNotMatch');
  const path = join(root, decodeURIComponent(url.pathname));
  if (request.method === 'PUT') {
    if (createHash('sha256').update(body).digest('hex') !== payload) {
      return answer(400, 'XAmzContentSHA256Mismatch');
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
    return answer(200);
  }
  if (request.method === 'HEAD') {
    if (!existsSync(path)) return answer(404);
    seen.push({ method: 'HEAD', path: url.pathname, status: 200 });
    response.writeHead(200, { 'content-length': readFileSync(path).length }).end();
    return true;
  }
  seen.push({ method: request.method ?? '', path: url.pathname, status: 0 });
  return false;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sitewatch-s3-'));
  server = await startTestFileServer(root);
  server.extra = s3;
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

function store(secret = CREDENTIALS.secretAccessKey): S3BlobStore {
  return new S3BlobStore(
    parseS3BlobUrl(`s3://imagery/site-a?endpoint=${server.baseUrl}&region=us-east-1`),
    { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: secret },
    { byteSource: { retryDelayMs: 1 }, putAttempts: 1 },
  );
}

describe('parseS3BlobUrl', () => {
  it('reads bucket, prefix, endpoint and region', () => {
    expect(
      parseS3BlobUrl('s3://my-bucket/a/b/?endpoint=http://minio:9000&region=eu-west-1'),
    ).toEqual({
      bucket: 'my-bucket',
      prefix: 'a/b',
      region: 'eu-west-1',
      baseUrl: 'http://minio:9000/my-bucket/',
    });
    expect(parseS3BlobUrl('s3://my-bucket').baseUrl).toBe(
      'https://my-bucket.s3.us-east-1.amazonaws.com/',
    );
  });

  it.each(['http://x/y', 's3://', 'not a url', 's3://b/p?endpoint=ftp://h'])(
    'refuses %s naming it',
    (raw) => {
      expect(() => parseS3BlobUrl(raw)).toThrow(ValidationError);
      expect(() => parseS3BlobUrl(raw)).toThrow(raw);
    },
  );
});

describe('S3BlobStore', () => {
  it('uploads once under blobs/<sha256>.tif and reads windows back by signed range requests', async () => {
    const bytes = readFileSync(FIXTURE);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const blobs = store();
    seen.length = 0;
    const blob = await blobs.put(FIXTURE);
    expect(blob).toEqual({
      sha256,
      sizeBytes: bytes.length,
      path: `${server.baseUrl}/imagery/site-a/blobs/${sha256}.tif`,
    });
    expect(readFileSync(join(root, 'imagery/site-a/blobs', `${sha256}.tif`)).equals(bytes)).toBe(
      true,
    );
    expect(seen.map((s) => `${s.method} ${s.status}`)).toEqual(['HEAD 404', 'PUT 200']);
    // Idempotent: the second put only asks HEAD.
    seen.length = 0;
    expect(await blobs.put(FIXTURE)).toEqual(blob);
    expect(seen.map((s) => s.method)).toEqual(['HEAD']);

    const opener = new FileRasterOpener(crs, { openRemote: (url) => blobs.openByteSource(url) });
    const remote = await opener.open({ kind: 'geotiff', path: blob.path }, { maxPixels: 1e7 });
    const local = await openGeoTiff(FIXTURE, { maxPixels: 1e7 }, crs);
    const window = { col0: 3, row0: 5, width: 40, height: 30 };
    expect(await remote.readWindow(window)).toEqual(await local.readWindow(window));
    await remote.close();
    await local.close();
  });

  it('hashes without uploading', async () => {
    seen.length = 0;
    const blob = await store().hash(FIXTURE);
    expect(blob.path).toBe(FIXTURE);
    expect(seen).toEqual([]);
  });

  it('fails with the URL and status when the signature is refused', async () => {
    const bad = store('wrong-secret');
    const error = await bad.put(FIXTURE).catch((e: unknown) => e);
    // HEAD with a bad signature reads as "absent" (403), then the PUT is refused.
    expect(error).toBeInstanceOf(SitewatchError);
    expect((error as Error).message).toMatch(
      /PUT http:\/\/127\.0\.0\.1:\d+\/imagery\/site-a\/blobs\/.*HTTP 403/,
    );
  });

  it('refuses a missing source file with NotFoundError', async () => {
    await expect(store().put(join(root, 'nope.tif'))).rejects.toThrow(NotFoundError);
  });
});
