/**
 * Seeded fuzz test of ingest: real GeoTIFF bytes, mutated; every outcome must be a clean
 * ingest or a clean SitewatchError with the store (records and blobs) unchanged.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestImage } from '../app/ingest-images.ts';
import { SitewatchError } from '../core/errors.ts';
import { REPO_ROOT, sharedData } from '../testing/shared-data.ts';
import { loadConfig } from './config.ts';
import { openSitewatch, type Sitewatch } from './wiring.ts';

/** mulberry32: small, seeded, deterministic. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(bytes: Buffer, random: () => number): Buffer {
  const out = Buffer.from(bytes);
  const kind = Math.floor(random() * 4);
  const headerSpan = Math.min(out.length, 2048);
  if (kind === 0) {
    for (let i = 0; i < 1 + Math.floor(random() * 8); i++) {
      const at = Math.floor(random() * headerSpan);
      out[at] = Math.floor(random() * 256);
    }
    return out;
  }
  if (kind === 1) return out.subarray(0, Math.floor(random() * out.length));
  if (kind === 2) {
    const at = Math.floor(random() * out.length);
    const length = Math.min(out.length - at, 1 + Math.floor(random() * 512));
    for (let i = 0; i < length; i++) out[at + i] = Math.floor(random() * 256);
    return out;
  }
  const at = Math.floor(random() * (headerSpan - 4));
  out.writeUInt32LE(Math.floor(random() * 0xffffffff), at);
  return out;
}

function blobCount(home: string): number {
  const dir = join(home, 'blobs/sha256');
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).length : 0;
}

const SEED = Number(process.env.SITEWATCH_FUZZ_SEED ?? 20190222);
const CASES = Number(process.env.SITEWATCH_FUZZ_CASES ?? 60);

const sources = [
  join(
    REPO_ROOT,
    'examples/imagery/paris-bercy/2016-11-30/S2A_20161130_T31UDQ_paris-bercy_B02.tif',
  ),
  sharedData('geotiff-rasterio/rgb4.tif'),
].filter((path) => existsSync(path));

describe(`ingest fuzz (seed ${SEED}, ${CASES} cases per source; SITEWATCH_FUZZ_SEED to replay)`, () => {
  let home: string;
  let sw: Sitewatch;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'sitewatch-fuzz-'));
    sw = await openSitewatch(loadConfig({}, { home }));
  });
  afterAll(async () => {
    await sw.close();
  });

  it.each(sources)(
    '%s: clean ingest or clean error, never a half-written record',
    async (source) => {
      const original = readFileSync(source);
      const random = seededRandom(SEED);
      const outcomes = { ingested: 0, rejected: 0 };
      for (let i = 0; i < CASES; i++) {
        const path = join(home, `case-${i}.tif`);
        writeFileSync(path, mutate(original, random));
        const recordsBefore = await sw.images.count();
        const blobsBefore = blobCount(home);
        try {
          const result = await ingestImage(
            sw.ingestDeps,
            { label: path, input: { kind: 'geotiff', path }, files: [{ role: 'raster', path }] },
            { flags: { acquiredAt: '2020-01-01T00:00:00.000Z' } },
          );
          outcomes.ingested++;
          expect(await sw.images.get(result.image.id), `case ${i}`).toBeDefined();
          expect(existsSync(result.image.files[0]!.storedPath), `case ${i}`).toBe(true);
        } catch (error) {
          if (!(error instanceof SitewatchError)) {
            throw new Error(`case ${i} (seed ${SEED}): ${String(error)} is not a SitewatchError`, {
              cause: error,
            });
          }
          outcomes.rejected++;
          expect(error.message, `case ${i}`).toContain(path);
          expect(await sw.images.count(), `case ${i}`).toBe(recordsBefore);
          expect(blobCount(home), `case ${i}`).toBe(blobsBefore);
        }
      }
      expect(outcomes.ingested + outcomes.rejected).toBe(CASES);
      expect(outcomes.rejected).toBeGreaterThan(0);
    },
  );
});
