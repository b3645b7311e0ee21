import { describe, expect, it } from 'vitest';
import { EpsgCrsRegistry } from '../adapters/crs/epsg-crs-registry.ts';
import type { Comparison } from '../core/change/comparison.ts';

import { CancelledError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { ImageRecord } from '../core/imagery/image.ts';
import type { PixelArray, PixelWindow, RasterSource } from '../core/raster/raster.ts';
import { compareImages, type CompareDeps } from './compare-images.ts';
import { inThreadStripWorkspaces } from './compare/in-thread-strips.ts';
import type { RasterFileSpec, ScratchSpace } from './ports.ts';
import { seededRandom } from '../core/random.ts';
import { readMemoryWindow } from '../testing/memory-raster.ts';

const SIZE = 128;
const BANDS = ['red', 'green', 'blue'];
const GEO = [500000, 10, 0, 5400000, 0, -10] as const;
/** B shifted by (dx, dy) lands on A. */
const SHIFT = { dx: 2, dy: -1 };
/** The changed block, in B's pixels: [40, 60) × [40, 60). */
const BLOCK = { col0: 40, row0: 40, side: 20 };

const PAD = 8;
const CANVAS = SIZE + 2 * PAD;

/** Seeded white noise blurred twice by a 3 × 3 box, per band, on a padded canvas. */
function texture(seed: number): (band: number, x: number, y: number) => number {
  const random = seededRandom(seed);
  const blur = (field: Float64Array): Float64Array => {
    const out = new Float64Array(field.length);
    for (let y = 1; y < CANVAS - 1; y += 1) {
      for (let x = 1; x < CANVAS - 1; x += 1) {
        let sum = 0;
        for (let j = -1; j <= 1; j += 1) {
          for (let i = -1; i <= 1; i += 1) sum += field[(y + j) * CANVAS + x + i] ?? 0;
        }
        out[y * CANVAS + x] = sum / 9;
      }
    }
    return out;
  };
  const fields = BANDS.map(() => {
    const noise = Float64Array.from({ length: CANVAS * CANVAS }, () => random() * 30);
    return blur(blur(noise));
  });
  return (band, x, y) =>
    100 + (fields[band]?.[(Math.floor(y) + PAD) * CANVAS + Math.floor(x) + PAD] ?? 0);
}

function renderBands(
  scene: (band: number, x: number, y: number) => number,
  offset: { dx: number; dy: number },
  block: boolean,
): Float32Array[] {
  return BANDS.map((_, band) => {
    const out = new Float32Array(SIZE * SIZE);
    for (let r = 0; r < SIZE; r += 1) {
      for (let c = 0; c < SIZE; c += 1) {
        let v = scene(band, c + 0.5 + offset.dx, r + 0.5 + offset.dy);
        const inBlock =
          c >= BLOCK.col0 &&
          c < BLOCK.col0 + BLOCK.side &&
          r >= BLOCK.row0 &&
          r < BLOCK.row0 + BLOCK.side;
        if (block && inBlock) v += band === 1 ? -12 : 15;
        out[r * SIZE + c] = v;
      }
    }
    return out;
  });
}

function memorySource(bands: Float32Array[], onRead: () => void = () => undefined): RasterSource {
  return {
    description: {
      width: SIZE,
      height: SIZE,
      bandNames: BANDS,
      bandNativeGsdMeters: BANDS.map(() => 10),
      dataType: 'float32',
      nodata: null,
      crs: 'EPSG:32631',
      geoTransform: GEO,
      layout: {
        tiled: false,
        blockWidth: SIZE,
        blockHeight: 1,
        compression: 'none',
        overviewCount: 0,
        cloudOptimized: false,
      },
      tags: {},
    },
    readWindow(window: PixelWindow, options?: { readonly bands?: readonly number[] }) {
      onRead();
      return Promise.resolve(readMemoryWindow(bands, SIZE, window, options?.bands));
    },
    close: () => Promise.resolve(),
  };
}

function record(id: string, bands: Float32Array[], geo = true): ImageRecord {
  const stats = bands.map((band) => {
    const mean = band.reduce((s, v) => s + v, 0) / band.length;
    const variance = band.reduce((s, v) => s + (v - mean) ** 2, 0) / band.length;
    return { min: 0, max: 0, mean, stdDev: Math.sqrt(variance), validCount: band.length };
  });
  const partial = {
    id,
    sha256: id.padEnd(64, '0'),
    format: 'geotiff',
    width: SIZE,
    height: SIZE,
    bands: BANDS.map((name, i) => ({ name, nativeGsdMeters: 10, fileIndex: 0, fileBand: i })),
    dataType: 'float32',
    nodata: null,
    crs: geo ? 'EPSG:32631' : null,
    geoTransform: geo ? GEO : null,
    gsdMeters: geo ? 10 : null,
    acquisition: { sensor: null },
    stats,
    files: [{ role: 'raster', storedPath: `/mem/${id}` }],
  };
  return partial as unknown as ImageRecord;
}

interface Harness {
  readonly deps: CompareDeps;
  /** Scratch folders still present. */
  readonly folders: Set<string>;
  /** Windows read (decoded) per image id. */
  readonly reads: Map<string, number>;
  readonly stored: Comparison[];
  readonly rasters: Map<string, { spec: RasterFileSpec; rows: number; data: number[] }>;
  readonly texts: Map<string, string>;
}

function harness(
  images: readonly { record: ImageRecord; bands: Float32Array[] }[],
  options: { failRasters?: boolean } = {},
): Harness {
  const stored: Comparison[] = [];
  const rasters: Harness['rasters'] = new Map();
  const texts = new Map<string, string>();
  const byId = new Map(images.map((i) => [i.record.id, i]));
  const byPath = new Map(images.map((i) => [`/mem/${i.record.id}`, i]));
  let tick = 0;
  const folders = new Set<string>();
  const reads = new Map<string, number>();
  let folderCount = 0;
  const scratch: ScratchSpace = {
    removeAbandoned: () => Promise.resolve([]),
    createFolder: (parent, prefix) => {
      const path = `${parent ?? '/home/tmp'}/${prefix}${(folderCount += 1)}`;
      folders.add(path);
      return Promise.resolve({
        path,
        move: (from, to) => {
          for (const map of [rasters, texts] as Map<string, unknown>[]) {
            const entry = map.get(from);
            if (entry === undefined) continue;
            map.delete(from);
            map.set(to, entry);
          }
          return Promise.resolve();
        },
        remove: () => {
          folders.delete(path);
          for (const map of [rasters, texts] as Map<string, unknown>[]) {
            for (const key of [...map.keys()]) if (key.startsWith(`${path}/`)) map.delete(key);
          }
          return Promise.resolve();
        },
      });
    },
  };
  const deps: CompareDeps = {
    images: {
      get: (id) => Promise.resolve(byId.get(id)?.record),
      findBySha256: () => Promise.resolve(undefined),
      findByOriginalPath: () => Promise.resolve(undefined),
      list: () => Promise.resolve([]),
      footprintsIntersecting: () => Promise.resolve([]),
      insert: () => Promise.resolve(),
      count: () => Promise.resolve(images.length),
    },
    sites: {
      list: () => Promise.resolve([]),
      get: () => Promise.resolve(undefined),
      upsertMany: () => Promise.resolve(),
      remove: () => Promise.resolve(),
    },
    comparisons: {
      insert: (c) => {
        stored.push(c);
        return Promise.resolve();
      },
      get: (id) => Promise.resolve(stored.find((c) => c.id === id)),
      listForImage: () => Promise.resolve([...stored]),
    },
    opener: {
      open: (input) => {
        const image = 'path' in input ? byPath.get(input.path) : undefined;
        if (image === undefined)
          throw new NotFoundError(`no fake raster for ${JSON.stringify(input)}`);
        return Promise.resolve(
          memorySource(image.bands, () => {
            reads.set(image.record.id, (reads.get(image.record.id) ?? 0) + 1);
          }),
        );
      },
    },
    crs: new EpsgCrsRegistry(),
    limits: { maxPixels: 1e8 },
    clock: { nowIso: () => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, (tick += 5))).toISOString() },
    files: {
      ensureDir: (path) => Promise.resolve(path),
      join: (dir, name) => `${dir}/${name}`,
      writeText: (path, text) => {
        texts.set(path, text);
        return Promise.resolve();
      },
      createRaster: (path, spec) => {
        if (options.failRasters === true) {
          return Promise.reject(new ValidationError(`cannot write ${path}`));
        }
        const entry = { spec, rows: 0, data: [] as number[] };
        return Promise.resolve({
          writeRows: (row0: number, bands: readonly PixelArray[]) => {
            expect(row0).toBe(entry.rows);
            const band = bands[0] ?? new Float32Array(0);
            entry.data.push(...band);
            entry.rows += band.length / spec.width;
            return Promise.resolve();
          },
          finish: () => {
            rasters.set(path, entry);
            return Promise.resolve();
          },
          abort: () => Promise.resolve(),
        });
      },
    },
    sha256Hex: (bytes) =>
      bytes
        .reduce((s, b) => (s * 31 + b) % 1e15, 7)
        .toString(16)
        .padStart(64, '0'),
    softwareVersion: '0.0.0-test',
    strips: inThreadStripWorkspaces,
    scratch,
  };
  return { deps, folders, reads, stored, rasters, texts };
}

const scene = texture(42);
const bandsA = renderBands(scene, { dx: 0, dy: 0 }, false);
const bandsB = renderBands(scene, SHIFT, true);
const pair = [
  { record: record('img_a', bandsA), bands: bandsA },
  { record: record('img_b', bandsB), bands: bandsB },
];

describe('compareImages', () => {
  it.each(['combined', 'irmad', 'cva'] as const)(
    'recovers the shift and maps the injected block (%s), storing once after the outputs',
    async (method) => {
      const h = harness(pair);
      const { comparison, polygons } = await compareImages(h.deps, {
        imageA: 'img_a',
        imageB: 'img_b',
        method,
        outDir: '/out',
      });
      expect(Math.abs(comparison.registration.dx - SHIFT.dx)).toBeLessThan(0.1);
      expect(Math.abs(comparison.registration.dy - SHIFT.dy)).toBeLessThan(0.1);
      expect(comparison.registration.reliable).toBe(true);
      expect(comparison.registration.applied).toBe(true);
      const block = BLOCK.side * BLOCK.side;
      expect(comparison.changedPixels).toBeGreaterThan(block * 0.8);
      expect(comparison.changedPixels).toBeLessThan(block * 1.3);
      expect(polygons).toHaveLength(1);
      const area = polygons[0]?.areaM2 ?? 0;
      expect(area).toBeGreaterThan(block * 100 * 0.8);
      expect(area).toBeLessThan(block * 100 * 1.3);

      const mask = h.rasters.get('/out/change-mask.tif');
      expect(mask?.spec).toMatchObject({ dataType: 'uint8', nodata: 255, crs: 'EPSG:32631' });
      expect(mask?.rows).toBe(SIZE);
      // The block lies at B's pixels + (dx, dy) on A's grid: its centre is changed.
      const centre = (BLOCK.row0 + SHIFT.dy + 10) * SIZE + BLOCK.col0 + SHIFT.dx + 10;
      expect(mask?.data[centre]).toBe(1);
      expect(mask?.data[5 * SIZE + 5]).toBe(0);
      // A's pixel p shows B's p − (dx, dy): its first 2 columns and last row have no data.
      expect(mask?.data[10 * SIZE]).toBe(255);
      expect(mask?.data[(SIZE - 1) * SIZE + 10]).toBe(255);
      expect(comparison.validPixels).toBe((SIZE - 2) * (SIZE - 1));
      expect(h.rasters.get('/out/change-magnitude.tif')?.spec.dataType).toBe('float32');
      const changes = JSON.parse(h.texts.get('/out/changes.geojson') ?? '{}') as {
        features: unknown[];
      };
      expect(changes.features).toHaveLength(1);
      expect(h.stored).toEqual([comparison]);
      expect(h.folders.size).toBe(0);
      // One strip: each image decoded once for all passes, B re-warped after the shift.
      expect(Object.fromEntries(h.reads)).toEqual({ img_a: 1, img_b: 1 });
      // combined: the rule's 20 m² (1 pixel at 10 m); the others: 4 pixels.
      expect(comparison.parameters.minMappingUnitM2).toBe(method === 'combined' ? 20 : 400);
      expect(comparison.outputs?.changeMask).toBe('/out/change-mask.tif');
    },
  );

  it('defaults to combined: B as read, the rule recorded, magnitude ≥ 1 inside the block', async () => {
    const h = harness(pair);
    const { comparison, normalisation } = await compareImages(h.deps, {
      imageA: 'img_a',
      imageB: 'img_b',
      outDir: '/out',
    });
    const { parameters } = comparison;
    expect(parameters.method).toBe('combined');
    expect(normalisation.method).toBe('none');
    expect(parameters.threshold).toBe(1);
    expect(parameters.thresholdOverride).toBeNull();
    expect(parameters.irmadIterations).toBe(5);
    // 4 m at 10 m per pixel: no neighbourhood.
    expect(parameters.combined).toMatchObject({
      neighbourhoodRadiusMeters: 4,
      neighbourhoodRadiusPx: 0,
      cvaMeanSquareThreshold: 1.25,
      irmadRobustProbability: 0.99,
    });
    expect(parameters.combined?.chiSquareThreshold).toBeGreaterThan(0);
    expect(parameters.minMappingUnitPixels).toBe(1);
    const magnitude = h.rasters.get('/out/change-magnitude.tif')?.data ?? [];
    const centre = (BLOCK.row0 + SHIFT.dy + 10) * SIZE + BLOCK.col0 + SHIFT.dx + 10;
    expect(magnitude[centre]).toBeGreaterThanOrEqual(1);
    expect(magnitude[5 * SIZE + 5]).toBeLessThan(1);
    expect(Number.isNaN(magnitude[10 * SIZE])).toBe(true);
  });

  it('finds no change with combined comparing an image with a copy of itself', async () => {
    const h = harness([
      { record: record('img_a', bandsA), bands: bandsA },
      { record: record('img_c', bandsA), bands: bandsA },
    ]);
    const { comparison, polygons } = await compareImages(h.deps, {
      imageA: 'img_a',
      imageB: 'img_c',
      method: 'combined',
    });
    expect(comparison.changedPixels).toBe(0);
    expect(polygons).toEqual([]);
    expect(comparison.validPixels).toBe(SIZE * SIZE);
    // Identical images: Z holds only rounding noise, so the IR-MAD branch is off.
    expect(comparison.parameters.combined?.chiSquareThreshold).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses a threshold or a normalisation with combined, storing nothing', async () => {
    const h = harness(pair);
    await expect(
      compareImages(h.deps, { imageA: 'img_a', imageB: 'img_b', threshold: 2 }),
    ).rejects.toThrow(/threshold \(2\) does not apply to the combined method/);
    await expect(
      compareImages(h.deps, {
        imageA: 'img_a',
        imageB: 'img_b',
        method: 'combined',
        normalise: 'histogram',
      }),
    ).rejects.toThrow(/normalise histogram does not apply to the combined method/);
    await expect(
      compareImages(h.deps, { imageA: 'img_a', imageB: 'img_b', method: 'magic' as never }),
    ).rejects.toThrow(/method must be one of combined, irmad, cva; got magic/);
    expect(h.stored).toEqual([]);
  });

  it('honours a threshold override (above every magnitude: no change)', async () => {
    const h = harness(pair);
    const { comparison } = await compareImages(h.deps, {
      imageA: 'img_a',
      imageB: 'img_b',
      method: 'cva',
      threshold: 1e9,
    });
    expect(comparison.changedFraction).toBe(0);
    expect(comparison.parameters.thresholdOverride).toBe(1e9);
  });

  it('stops with a CancelledError when the signal aborts, storing nothing', async () => {
    const h = harness(pair);
    const controller = new AbortController();
    controller.abort();
    await expect(
      compareImages(h.deps, {
        imageA: 'img_a',
        imageB: 'img_b',
        method: 'irmad',
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(h.stored).toEqual([]);
  });

  it.each([
    ['IR-MAD pass 2/5', 'irmad'],
    ['CVA magnitude', 'cva'],
    ['writing outputs', 'cva'],
  ] as const)(
    'cancels mid-run (at %s), leaving no output, no scratch folder and nothing stored',
    async (stage, method) => {
      const h = harness(pair);
      const controller = new AbortController();
      const stages: string[] = [];
      const run = compareImages(h.deps, {
        imageA: 'img_a',
        imageB: 'img_b',
        method,
        outDir: '/out',
        signal: controller.signal,
        onProgress: (event) => {
          stages.push(event.stage);
          if (event.stage === stage) controller.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      expect(stages).toContain(stage);
      expect(h.stored).toEqual([]);
      expect(h.folders.size).toBe(0);
      expect([...h.rasters.keys(), ...h.texts.keys()]).toEqual([]);
    },
  );

  it('records the normalisation: IR-MAD invariant pixels by default, and refuses an unknown one', async () => {
    const h = harness(pair);
    const { comparison, normalisation } = await compareImages(h.deps, {
      imageA: 'img_a',
      imageB: 'img_b',
      method: 'cva',
    });
    expect(normalisation.method).toBe('irmad');
    expect(normalisation.pixelCount).toBeGreaterThan(100);
    expect(normalisation.bands.map((b) => b.name)).toEqual(BANDS);
    for (const band of normalisation.bands) expect(band.gain).toBeCloseTo(1, 1);
    expect(comparison.parameters.normalisation).toEqual(normalisation);
    expect(h.folders.size).toBe(0);
    await expect(
      compareImages(h.deps, {
        imageA: 'img_a',
        imageB: 'img_b',
        method: 'cva',
        normalise: 'magic' as never,
      }),
    ).rejects.toThrow(/normalise must be one of irmad, histogram, none; got magic/);
  });

  it('stores nothing when writing an output fails', async () => {
    const h = harness(pair, { failRasters: true });
    await expect(
      compareImages(h.deps, { imageA: 'img_a', imageB: 'img_b', method: 'cva', outDir: '/out' }),
    ).rejects.toThrow(/cannot write/);
    expect(h.stored).toEqual([]);
  });

  it('refuses an unknown site or image, and a mapping unit for pixel-only images', async () => {
    const h = harness(pair);
    await expect(
      compareImages(h.deps, { imageA: 'img_a', imageB: 'img_b', method: 'cva', siteId: 'nope' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      compareImages(h.deps, { imageA: 'img_a', imageB: 'img_zz', method: 'cva' }),
    ).rejects.toThrow(/img_zz/);
    const plain = harness([
      { record: record('img_p', bandsA, false), bands: bandsA },
      { record: record('img_q', bandsB, false), bands: bandsB },
    ]);
    await expect(
      compareImages(plain.deps, {
        imageA: 'img_p',
        imageB: 'img_q',
        method: 'cva',
        minMappingUnitM2: 100,
      }),
    ).rejects.toThrow(/img_p and img_q have no GSD/);
    expect([...h.stored, ...plain.stored]).toEqual([]);
  });

  it('compares pixel-only images with combined: no neighbourhood, 4-pixel mapping unit', async () => {
    const h = harness([
      { record: record('img_p', bandsA, false), bands: bandsA },
      { record: record('img_q', bandsB, false), bands: bandsB },
    ]);
    const { comparison, polygons } = await compareImages(h.deps, {
      imageA: 'img_p',
      imageB: 'img_q',
    });
    expect(comparison.parameters.combined).toMatchObject({
      neighbourhoodRadiusMeters: 0,
      neighbourhoodRadiusPx: 0,
    });
    expect(comparison.parameters.minMappingUnitM2).toBeNull();
    expect(comparison.parameters.minMappingUnitPixels).toBe(4);
    expect(polygons).toHaveLength(1);
    expect(polygons[0]?.geometry).toBeNull();
  });

  it('compares pixel-only images on the reference grid with pixel polygons', async () => {
    const h = harness([
      { record: record('img_p', bandsA, false), bands: bandsA },
      { record: record('img_q', bandsB, false), bands: bandsB },
    ]);
    const { comparison, polygons } = await compareImages(h.deps, {
      imageA: 'img_p',
      imageB: 'img_q',
      method: 'irmad',
    });
    expect(Math.abs(comparison.registration.dx - SHIFT.dx)).toBeLessThan(0.1);
    expect(comparison.registration.residualMedianM).toBeNull();
    expect(polygons).toHaveLength(1);
    expect(polygons[0]?.geometry).toBeNull();
    expect(polygons[0]?.pixelPolygon?.length).toBe(1);
  });
});
