/**
 * The detect use case end to end on real adapters (SQLite, PNG + world file rasters, the
 * EPSG registry, onnxruntime with the hand-made models of adapters/onnx/testdata): synthetic
 * scenes whose objects, scores and positions are known by construction.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SCENE_ORIGIN,
  SCENE_PIXEL_METERS,
  writeScene,
  writeTinyModelFolder,
  type TinyModelFolder,
} from '../adapters/onnx/testdata/detect-scenes.ts';
import { runCliCaptured } from '../apps/cli/run-cli-for-test.ts';
import { loadConfig } from '../apps/config.ts';
import { openSitewatch, type Sitewatch } from '../apps/wiring.ts';
import { CancelledError, NotFoundError, ValidationError } from '../core/errors.ts';
import { detectImage } from './detect-image.ts';

const RED: [number, number, number] = [255, 0, 0];
/** Square A fills cell (1, 1) of the first tile; square B cell (2, 1) of the tile at (28, 28). */
const SQUARE_A = { col0: 8, row0: 8, width: 8, height: 8, rgb: RED };
const SQUARE_B = { col0: 44, row0: 36, width: 8, height: 8, rgb: RED };

const root = mkdtempSync(join(tmpdir(), 'sitewatch-detect-'));
const home = join(root, 'home');
const scenes = join(root, 'scenes');
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const run = await runCliCaptured(['--home', home, ...args]);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

async function ingest(path: string, extra: string[] = []): Promise<string> {
  const run = await cli(
    'images',
    'ingest',
    path,
    '--acquired-at',
    '2024-05-01',
    ...extra,
    '--json',
  );
  const [image] = run.json<{ id: string }[]>();
  if (image === undefined) throw new Error(`nothing ingested from ${path}`);
  return image.id;
}

/** "minLon,minLat,maxLon,maxLat" of a UTM 31N rectangle given in scene pixels. */
function bboxOfPixels(sw: Sitewatch, col0: number, row0: number, col1: number, row1: number) {
  const toLonLat = sw.crs.toLonLat('EPSG:32631');
  const p = SCENE_PIXEL_METERS;
  const [minLon, minLat] = toLonLat([SCENE_ORIGIN.x + col0 * p, SCENE_ORIGIN.y - row1 * p]);
  const [maxLon, maxLat] = toLonLat([SCENE_ORIGIN.x + col1 * p, SCENE_ORIGIN.y - row0 * p]);
  return `${minLon},${minLat},${maxLon},${maxLat}`;
}

describe('detectImage on a georeferenced synthetic scene', () => {
  let sw: Sitewatch;
  let imageId: string;
  let model: TinyModelFolder;

  beforeAll(async () => {
    const png = writeScene(scenes, 'two-squares', {
      width: 60,
      height: 60,
      background: [20, 20, 20],
      rects: [SQUARE_A, SQUARE_B],
    });
    imageId = await ingest(png, ['--crs', 'EPSG:32631']);
    model = writeTinyModelFolder(join(root, 'models'), 'tiny-yolo');
    sw = await openSitewatch(loadConfig({}, { home }));
    // A site around square B reaching beyond the image's east edge (the image is 30 m wide),
    // with a zone on B and a zone wholly outside the image.
    await cli(
      'sites',
      'add',
      'east-yard',
      '--name',
      'East yard',
      '--kind',
      'depot',
      '--bbox',
      bboxOfPixels(sw, 40, 32, 120, 48),
    );
    await cli(
      'sites',
      'zone-add',
      'east-yard',
      'b-lot',
      '--kind',
      'parking',
      '--bbox',
      bboxOfPixels(sw, 42, 34, 54, 46),
    );
    await cli(
      'sites',
      'zone-add',
      'east-yard',
      'beyond',
      '--kind',
      'parking',
      '--bbox',
      bboxOfPixels(sw, 80, 34, 110, 46),
    );
  });
  afterAll(async () => {
    await sw.close();
  });

  it('finds both squares with the model by path, in source pixels and lon/lat, and stores the run', async () => {
    const out = join(root, 'out-whole');
    const { run, detections } = await detectImage(sw.detectDeps, {
      imageId,
      model: model.dir,
      gsdMeters: SCENE_PIXEL_METERS,
      outDir: out,
    });
    expect(run.parameters.scale).toBe(1);
    expect(run.tiles).toEqual({ planned: 4, run: 4, skippedNoData: 0 });
    expect(
      detections.map((d) => [d.className, d.score, d.centerCol, d.centerRow, d.widthPx]),
    ).toEqual([
      ['vehicle', 1, 12, 12, 6],
      ['vehicle', 1, 48, 40, 6],
    ]);
    expect(detections[0]!.pixelPolygon).toEqual([
      [9, 9],
      [15, 9],
      [15, 15],
      [9, 15],
    ]);
    // The lon/lat polygon's corners are the pixel corners through the world file and UTM 31N.
    const toLonLat = sw.crs.toLonLat('EPSG:32631');
    const ring = detections[1]!.geometry!.coordinates[0]!;
    expect(ring).toHaveLength(5);
    const expectedCorners = [
      [45, 37],
      [51, 37],
      [51, 43],
      [45, 43],
    ].map(([c, r]) => toLonLat([SCENE_ORIGIN.x + c! * 0.5, SCENE_ORIGIN.y - r! * 0.5]));
    for (const corner of expectedCorners) {
      expect(
        ring.some((p) => Math.abs(p[0] - corner[0]) < 1e-9 && Math.abs(p[1] - corner[1]) < 1e-9),
      ).toBe(true);
    }
    expect(run.counts).toEqual([
      {
        zone: 'all',
        observable: true,
        observableAreaM2: 60 * 60 * 0.25,
        observablePixels: 3600,
        counts: { vehicle: 2, ship: 0 },
      },
    ]);
    expect(run.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await sw.detections.getRun(run.id)).toEqual(run);
    expect(await sw.detections.listDetections(run.id)).toEqual(detections);
    const geojson = JSON.parse(readFileSync(join(out, 'detections.geojson'), 'utf8')) as {
      type: string;
      features: { geometry: unknown; properties: Record<string, unknown> }[];
    };
    expect(geojson.type).toBe('FeatureCollection');
    expect(geojson.features).toHaveLength(2);
    expect(geojson.features[0]!.properties).toMatchObject({
      class: 'vehicle',
      score: 1,
      pixelPolygon: [
        [9, 9],
        [15, 9],
        [15, 15],
        [9, 15],
      ],
      imageId,
      modelId: 'tiny-yolo',
      modelVersion: '0.1.0',
    });
    expect(geojson.features[0]!.geometry).toEqual(detections[0]!.geometry);
  });

  it('over a site: only its tiles, counts per zone with observable areas, a zone outside the image not observable', async () => {
    const { run, detections } = await detectImage(sw.detectDeps, {
      imageId,
      siteId: 'east-yard',
      model: model.dir,
      gsdMeters: SCENE_PIXEL_METERS,
    });
    expect(detections.map((d) => [d.centerCol, d.centerRow, d.zones])).toEqual([
      [48, 40, ['b-lot']],
    ]);
    const byZone = Object.fromEntries(run.counts.map((z) => [z.zone, z]));
    expect(byZone.all!.counts).toEqual({ vehicle: 1, ship: 0 });
    expect(byZone['b-lot']!.counts).toEqual({ vehicle: 1, ship: 0 });
    expect(byZone.beyond).toEqual({
      zone: 'beyond',
      observable: false,
      observableAreaM2: null,
      observablePixels: 0,
      counts: null,
    });
    // Site ∩ image: columns 40–60, rows 32–48 = 320 px of 0.25 m²; b-lot 12 × 12 px = 36 m².
    expect(byZone.all!.observableAreaM2).toBeGreaterThan(80 * 0.8);
    expect(byZone.all!.observableAreaM2).toBeLessThan(80 * 1.2);
    expect(byZone['b-lot']!.observableAreaM2).toBeGreaterThan(36 * 0.6);
    expect(byZone['b-lot']!.observableAreaM2).toBeLessThan(36 * 1.4);
  });

  it('keeps only the requested classes, and refuses a class the model lacks naming its classes', async () => {
    const { detections } = await detectImage(sw.detectDeps, {
      imageId,
      model: model.dir,
      gsdMeters: SCENE_PIXEL_METERS,
      classes: ['ship'],
    });
    expect(detections).toEqual([]);
    await expect(
      detectImage(sw.detectDeps, { imageId, model: model.dir, classes: ['tank'] }),
    ).rejects.toThrow(/tank not among model "tiny-yolo"'s classes \[vehicle, ship\]/);
  });

  it('decodes oriented and CenterNet layouts through the same pipeline', async () => {
    for (const layout of ['yolov8-obb', 'sitewatch-centernet-v1'] as const) {
      const folder = writeTinyModelFolder(join(root, 'models'), `tiny-${layout}`, { layout });
      const { detections } = await detectImage(sw.detectDeps, {
        imageId,
        model: folder.dir,
        gsdMeters: SCENE_PIXEL_METERS,
      });
      expect(
        detections.map((d) => [d.centerCol, d.centerRow, Number(d.angleRad.toFixed(4))]),
        layout,
      ).toEqual([
        [12, 12, 0.3],
        [48, 40, 0.3],
      ]);
    }
  });

  it('resamples to the model GSD: a 1 m model sees the 0.5 m scene at half size', async () => {
    const folder = writeTinyModelFolder(join(root, 'models'), 'tiny-1m', { gsdMeters: 1 });
    const { run, detections } = await detectImage(sw.detectDeps, {
      imageId,
      model: folder.dir,
      gsdMeters: SCENE_PIXEL_METERS,
      minScore: 0.2,
    });
    expect(run.parameters.scale).toBe(2);
    expect(run.parameters.resampling).toBe('average');
    // The 30 × 30 grid is one tile; each square is 4 × 4 grid pixels straddling cells, so
    // it is found (at reduced score) and maps back to source pixels at twice the size.
    expect(run.tiles.planned).toBe(1);
    expect(detections.length).toBeGreaterThan(0);
    for (const d of detections) expect(d.widthPx).toBe(12);
  });

  it('with test-time flips finds the same objects', async () => {
    const { run, detections } = await detectImage(sw.detectDeps, {
      imageId,
      model: model.dir,
      gsdMeters: SCENE_PIXEL_METERS,
      testTimeFlips: true,
    });
    expect(run.parameters.testTimeFlips).toBe(true);
    expect(detections.map((d) => [d.centerCol, d.centerRow])).toEqual([
      [12, 12],
      [48, 40],
    ]);
  });

  it('cancelled after the first batch: CancelledError, nothing stored, no output file', async () => {
    const controller = new AbortController();
    const out = join(root, 'out-cancelled');
    const before = (await sw.detections.listRunsForImage(imageId)).length;
    await expect(
      detectImage(sw.detectDeps, {
        imageId,
        model: model.dir,
        gsdMeters: SCENE_PIXEL_METERS,
        batchSize: 1,
        outDir: out,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'detecting' && p.tilesDone >= 1) controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect((await sw.detections.listRunsForImage(imageId)).length).toBe(before);
    expect(existsSync(join(out, 'detections.geojson'))).toBe(false);
  });

  it('names both band lists when the image lacks a band the model needs', async () => {
    const folder = writeTinyModelFolder(join(root, 'models'), 'tiny-nir', {
      bands: ['nir', 'red', 'green'],
    });
    await expect(detectImage(sw.detectDeps, { imageId, model: folder.dir })).rejects.toThrow(
      /lacks band\(s\) nir .*takes \[nir, red, green\], the image has \[red, green, blue\]/,
    );
  });

  it('unknown image, site or model: NotFoundError; no default model installed: says how to add one', async () => {
    await expect(detectImage(sw.detectDeps, { imageId: 'img_nope' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      detectImage(sw.detectDeps, { imageId, siteId: 'nope', model: 'tophat-baseline' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(detectImage(sw.detectDeps, { imageId, model: 'no-such-model' })).rejects.toThrow(
      /model "no-such-model": no model with this id/,
    );
    const models = await sw.models.list();
    if (!models.some((m) => m.id === 'sitewatch-vehicles')) {
      await expect(detectImage(sw.detectDeps, { imageId })).rejects.toThrow(
        /default model "sitewatch-vehicles" is not installed; add one with "sitewatch models add/,
      );
    }
  });
});

describe('detectImage with the top-hat baseline and pixel-only imagery', () => {
  let sw: Sitewatch;
  let pixelOnlyId: string;
  /** Two bright 4.5 m × 2 m cars and one dark 9 m × 2.5 m truck on noisy grey asphalt, 0.5 m pixels. */
  const cars = [
    { col0: 40, row0: 50, width: 9, height: 4, rgb: [235, 235, 235] as [number, number, number] },
    { col0: 120, row0: 140, width: 4, height: 9, rgb: [230, 225, 220] as [number, number, number] },
    { col0: 150, row0: 40, width: 18, height: 5, rgb: [15, 15, 15] as [number, number, number] },
  ];

  beforeAll(async () => {
    const png = writeScene(scenes, 'cars-pixel-only', {
      width: 200,
      height: 200,
      background: [110, 110, 110],
      noise: 4,
      rects: cars,
      pixelOnly: true,
    });
    pixelOnlyId = await ingest(png);
    sw = await openSitewatch(loadConfig({}, { home }));
  });
  afterAll(async () => {
    await sw.close();
  });

  it('asks for --gsd on a pixel-only image', async () => {
    await expect(
      detectImage(sw.detectDeps, { imageId: pixelOnlyId, model: 'tophat-baseline' }),
    ).rejects.toThrow(ValidationError);
    await expect(
      detectImage(sw.detectDeps, { imageId: pixelOnlyId, model: 'tophat-baseline' }),
    ).rejects.toThrow(/pass --gsd/);
  });

  it('finds the painted vehicles at their centres, with pixel polygons and null geometry', async () => {
    const { run, detections } = await detectImage(sw.detectDeps, {
      imageId: pixelOnlyId,
      model: 'tophat-baseline',
      gsdMeters: 0.5,
    });
    expect(run.model).toEqual({
      id: 'tophat-baseline',
      version: '1.0.0',
      kind: 'tophat',
      sha256: null,
      layout: null,
    });
    const found = detections
      .map(
        (d) =>
          [Math.round(d.centerCol * 2) / 2, Math.round(d.centerRow * 2) / 2, d.className] as const,
      )
      .sort((a, b) => a[0] - b[0]);
    expect(found).toEqual([
      [44.5, 52, 'small-vehicle'],
      [122, 144.5, 'small-vehicle'],
      [159, 42.5, 'large-vehicle'],
    ]);
    for (const d of detections) {
      expect(d.geometry).toBeNull();
      expect(d.pixelPolygon).toHaveLength(4);
    }
    expect(run.counts[0]).toMatchObject({
      zone: 'all',
      observable: true,
      observableAreaM2: 200 * 200 * 0.25,
      counts: { 'small-vehicle': 2, 'large-vehicle': 1 },
    });
  });
});
