/**
 * Seeded mutation fuzzing of the GeoTIFF reader: every mutated file must either read fully or
 * fail with a SitewatchError, within a time bound, without pixel buffers beyond the limit.
 * Override the seed with SITEWATCH_FUZZ_SEED=<n> to explore; failures print the seed and case.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SitewatchError } from '../../core/errors.ts';
import { tileWindows } from '../../core/raster/raster.ts';
import { REPO_ROOT, describeShared, sharedData } from '../../testing/shared-data.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { openGeoTiff } from './geotiff-raster-source.ts';
import { seededRandom } from '../../core/random.ts';

const SEED = Number(process.env.SITEWATCH_FUZZ_SEED ?? 20240607);
const CASE_TIME_LIMIT_MS = 5000;
const crs = new EpsgCrsRegistry();
const temp = mkdtempSync(join(tmpdir(), 'sitewatch-fuzz-'));
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

interface IfdLayout {
  readonly start: number;
  readonly end: number;
  readonly entrySize: number;
  readonly entries: number;
  /** Offset of the count and value fields inside an entry. */
  readonly countAt: number;
  readonly valueAt: number;
  readonly littleEndian: boolean;
}

/** Where the first IFD lies in a classic or BigTIFF file of either byte order. */
function firstIfd(bytes: Uint8Array): IfdLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = bytes[0] === 0x49;
  const big = view.getUint16(2, littleEndian) === 43;
  const start = big ? Number(view.getBigUint64(8, littleEndian)) : view.getUint32(4, littleEndian);
  const entries = big
    ? Number(view.getBigUint64(start, littleEndian))
    : view.getUint16(start, littleEndian);
  const entrySize = big ? 20 : 12;
  const head = big ? 8 : 2;
  return {
    start: start + head,
    end: start + head + entries * entrySize + (big ? 8 : 4),
    entrySize,
    entries,
    countAt: 4,
    valueAt: big ? 12 : 8,
    littleEndian,
  };
}

type Mutation = (bytes: Uint8Array, random: () => number) => { bytes: Uint8Array; label: string };

const pick = (random: () => number, below: number): number => Math.floor(random() * below);

const MUTATIONS: readonly Mutation[] = [
  (bytes, random) => {
    const copy = Uint8Array.from(bytes);
    const ifd = firstIfd(bytes);
    const [start, end] = random() < 0.3 ? [0, 16] : [ifd.start, ifd.end];
    const flips = 1 + pick(random, 4);
    for (let i = 0; i < flips; i += 1) {
      const at = start + pick(random, end - start);
      copy[at] = (copy[at] ?? 0) ^ (1 << pick(random, 8));
    }
    return { bytes: copy, label: `flip ${flips} bits in [${start}, ${end})` };
  },
  (bytes, random) => {
    const at = pick(random, bytes.length);
    return { bytes: bytes.slice(0, at), label: `truncate at ${at}` };
  },
  (bytes, random) => {
    const copy = Uint8Array.from(bytes);
    const length = 1 + pick(random, 64);
    const at = pick(random, Math.max(1, copy.length - length));
    for (let i = 0; i < length; i += 1) copy[at + i] = pick(random, 256);
    return { bytes: copy, label: `random run of ${length} at ${at}` };
  },
  (bytes, random) => {
    const copy = Uint8Array.from(bytes);
    const ifd = firstIfd(bytes);
    const a = ifd.start + pick(random, ifd.entries) * ifd.entrySize + ifd.valueAt;
    const b = ifd.start + pick(random, ifd.entries) * ifd.entrySize + ifd.valueAt;
    const word = copy.slice(a, a + 4);
    copy.copyWithin(a, b, b + 4);
    copy.set(word, b);
    return { bytes: copy, label: `swap value/offset fields at ${a} and ${b}` };
  },
  (bytes, random) => {
    const copy = Uint8Array.from(bytes);
    const ifd = firstIfd(bytes);
    const at =
      ifd.start +
      pick(random, ifd.entries) * ifd.entrySize +
      (random() < 0.5 ? ifd.countAt : ifd.valueAt);
    const view = new DataView(copy.buffer);
    const value =
      [0, 1, 0xffff, 0x7fffffff, 0xffffffff, pick(random, 2 ** 32)][pick(random, 6)] ?? 0;
    view.setUint32(at, value, ifd.littleEndian);
    return { bytes: copy, label: `set count/offset word at ${at} to ${value}` };
  },
];

interface Outcome {
  readonly kind: 'read' | 'typed-error' | 'other-error' | 'timeout' | 'oversized';
  readonly detail: string;
}

async function readEverything(path: string, maxPixels: number): Promise<Outcome> {
  let source;
  try {
    source = await openGeoTiff(path, { maxPixels }, crs);
  } catch (error) {
    return error instanceof SitewatchError
      ? { kind: 'typed-error', detail: error.code }
      : { kind: 'other-error', detail: String(error) };
  }
  try {
    const { width, height, layout } = source.description;
    for (const window of tileWindows(
      width,
      height,
      Math.max(layout.blockWidth, 64),
      Math.max(layout.blockHeight, 64),
    )) {
      const arrays = await source.readWindow(window);
      if (arrays.some((a) => a.length > maxPixels || a.length !== window.width * window.height)) {
        return { kind: 'oversized', detail: `window ${JSON.stringify(window)}` };
      }
    }
    return { kind: 'read', detail: '' };
  } catch (error) {
    return error instanceof SitewatchError
      ? { kind: 'typed-error', detail: error.code }
      : {
          kind: 'other-error',
          detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        };
  } finally {
    await source.close();
  }
}

async function withinTimeLimit(work: Promise<Outcome>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      resolve({ kind: 'timeout', detail: `over ${CASE_TIME_LIMIT_MS} ms` });
    }, CASE_TIME_LIMIT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function fuzz(
  name: string,
  original: Uint8Array,
  cases: number,
  maxPixels: number,
): Promise<Map<string, number>> {
  const random = seededRandom(SEED ^ original.length);
  const tally = new Map<string, number>();
  for (let i = 0; i < cases; i += 1) {
    const mutation = MUTATIONS[i % MUTATIONS.length];
    if (mutation === undefined) continue;
    const { bytes, label } = mutation(original, random);
    const path = join(temp, `${name}-${i}.tif`);
    writeFileSync(path, bytes);
    const outcome = await withinTimeLimit(readEverything(path, maxPixels));
    const where = `seed ${SEED}, ${name} case ${i} (${label})`;
    expect(['read', 'typed-error'], `${where}: ${outcome.kind} ${outcome.detail}`).toContain(
      outcome.kind,
    );
    tally.set(
      outcome.kind === 'read' ? 'read' : outcome.detail,
      (tally.get(outcome.kind === 'read' ? 'read' : outcome.detail) ?? 0) + 1,
    );
    rmSync(path);
  }
  return tally;
}

describe('GeoTIFF fuzzing (synthetic fixtures)', () => {
  it('200 mutations of a DEFLATE-tiled fixture each read or fail with a SitewatchError', async () => {
    const original = readFileSync(
      join(REPO_ROOT, 'fixtures', 'raster', 'rgb-uint8-deflate-tiled-32618.tif'),
    );
    const tally = await fuzz('deflate', original, 200, 1_000_000);
    // The mutations must exercise both paths, or the test proves little.
    expect(tally.get('read') ?? 0).toBeGreaterThan(10);
    expect(tally.get('CORRUPT_FILE') ?? 0).toBeGreaterThan(10);
  });

  it.each([
    'uint16-4band-lzw-striped-4326.tif',
    'cog-jpeg-3857.tif',
    'float32-zstd-27700.tif',
    'int16-packbits-nodata-3857.tif',
  ])('50 mutations of %s (LZW, JPEG, ZSTD BigTIFF, big-endian PackBits)', async (name) => {
    const original = readFileSync(join(REPO_ROOT, 'fixtures', 'raster', name));
    const tally = await fuzz(name, original, 50, 1_000_000);
    expect(tally.get('CORRUPT_FILE') ?? 0).toBeGreaterThan(0);
  });
});

describeShared('GeoTIFF fuzzing (RGB.byte.tif)', () => {
  it('60 mutations of a real striped GeoTIFF each read or fail with a SitewatchError', async () => {
    const original = readFileSync(sharedData('geotiff-rasterio', 'RGB.byte.tif'));
    const tally = await fuzz('rgb-byte', original, 60, 1_000_000);
    expect(tally.get('read') ?? 0).toBeGreaterThan(0);
  });
});
