import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScene, writeTinyModelFolder } from '../../adapters/onnx/testdata/detect-scenes.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

interface DetectJson {
  id: string;
  detections: number;
  counts: Record<string, Record<string, number> | null>;
  observableAreaM2: Record<string, number | null>;
  outputs: { detections: string } | null;
}

interface ModelJson {
  id: string;
  kind: string;
  origin: string;
  classes: string[];
  sha256: string | null;
}

const root = mkdtempSync(join(tmpdir(), 'sitewatch-cli-detect-'));
const home = join(root, 'home');
const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function storedRuns(): number {
  const db = new Database(join(home, 'sitewatch.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM detection_runs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function installedModels(): string[] {
  const dir = join(home, 'models');
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('sitewatch models and detect', () => {
  let imageId: string;

  beforeAll(async () => {
    const png = writeScene(join(root, 'scenes'), 'squares', {
      width: 60,
      height: 60,
      background: [20, 20, 20],
      rects: [{ col0: 8, row0: 8, width: 8, height: 8, rgb: [255, 0, 0] }],
    });
    const run = await sw(
      'images',
      'ingest',
      png,
      '--crs',
      'EPSG:32631',
      '--acquired-at',
      '2024-05-01',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    imageId = run.json<{ id: string }[]>()[0]!.id;
  });

  it('models list always offers the built-in baseline', async () => {
    const run = await sw('models', 'list', '--json');
    expect(run.code, run.stderr).toBe(0);
    const models = run.json<ModelJson[]>();
    expect(models[0]).toMatchObject({ id: 'tophat-baseline', kind: 'tophat', origin: 'built-in' });
  });

  it('models add checks the model, installs it, and lists it; adding it again is a conflict', async () => {
    const folder = writeTinyModelFolder(join(root, 'src-models'), 'tiny-ok');
    const run = await sw(
      'models',
      'add',
      folder.modelPath,
      '--descriptor',
      folder.descriptorPath,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const added = run.json<ModelJson>();
    expect(added).toMatchObject({
      id: 'tiny-ok',
      kind: 'onnx',
      origin: 'installed',
      classes: ['vehicle', 'ship'],
    });
    expect(readFileSync(join(home, 'models', 'tiny-ok', 'model.onnx'))).toEqual(
      readFileSync(folder.modelPath),
    );
    const list = (await sw('models', 'list', '--json')).json<ModelJson[]>();
    expect(list.map((m) => m.id)).toContain('tiny-ok');
    const again = await sw(
      'models',
      'add',
      folder.modelPath,
      '--descriptor',
      folder.descriptorPath,
    );
    expect(again.code).toBe(5);
  });

  it('models add refuses bad models with exit 3 and copies nothing', async () => {
    const before = installedModels();
    const parent = join(root, 'bad-models');
    const cases: [string, string, RegExp][] = [];
    const rank3 = writeTinyModelFolder(parent, 'bad-rank', { inputRank3: true });
    cases.push([rank3.modelPath, rank3.descriptorPath, /rank 4.*rank 3/]);
    // The descriptor names 3 classes; the model outputs 4 + 2 rows.
    const width = writeTinyModelFolder(parent, 'bad-width', {
      classes: ['a', 'b', 'c'],
      modelClasses: 2,
    });
    cases.push([
      width.modelPath,
      width.descriptorPath,
      /has 3 classes so yolov8-detect expects \[B, 7, N\]; the model outputs \[\?, 6, 16\]/,
    ]);
    const invalid = writeTinyModelFolder(parent, 'bad-descriptor');
    writeFileSync(
      invalid.descriptorPath,
      JSON.stringify({ ...invalid.descriptor, gsdMeters: -1, layout: 'ssd' }),
    );
    cases.push([
      invalid.modelPath,
      invalid.descriptorPath,
      /invalid model descriptor: .*gsdMeters.*layout|invalid model descriptor: .*layout.*gsdMeters/,
    ]);
    const notJson = join(parent, 'not-json.json');
    writeFileSync(notJson, '{ nope');
    cases.push([rank3.modelPath, notJson, /not valid JSON/]);
    const garbage = join(parent, 'garbage.onnx');
    writeFileSync(garbage, 'not onnx');
    cases.push([
      garbage,
      invalid.descriptorPath.replace('bad-descriptor', 'bad-rank'),
      /not a loadable ONNX model/,
    ]);
    for (const [modelPath, descriptorPath, message] of cases) {
      const run = await sw('models', 'add', modelPath, '--descriptor', descriptorPath);
      expect(run.code, `${modelPath} ${descriptorPath}: ${run.stderr}`).toBe(3);
      expect(run.stderr).toMatch(message);
    }
    const lonely = join(root, 'lonely');
    writeTinyModelFolder(lonely, 'x');
    rmSync(join(lonely, 'x', 'descriptor.json'));
    const missing = await sw('models', 'add', join(lonely, 'x', 'model.onnx'));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(
      /no descriptor given and none beside it; pass --descriptor FILE/,
    );
    expect(installedModels()).toEqual(before);
  });

  it('detect --json prints the contract and writes detections.geojson; the run is stored', async () => {
    const out = join(root, 'out');
    const run = await sw(
      'detect',
      imageId,
      '--model',
      'tiny-ok',
      '--gsd',
      '0.5',
      '--out',
      out,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<DetectJson>();
    expect(result.detections).toBe(1);
    expect(result.counts).toEqual({ all: { vehicle: 1, ship: 0 } });
    expect(result.observableAreaM2.all).toBe(900);
    expect(result.outputs).toEqual({ detections: join(out, 'detections.geojson') });
    const geojson = JSON.parse(readFileSync(join(out, 'detections.geojson'), 'utf8')) as {
      features: { properties: { class: string; score: number; pixelPolygon: number[][] } }[];
    };
    expect(geojson.features.map((f) => [f.properties.class, f.properties.score])).toEqual([
      ['vehicle', 1],
    ]);
    expect(storedRuns()).toBe(1);
    const list = await sw('detections', 'list', '--image', imageId, '--json');
    expect(list.json<{ id: string }[]>().map((r) => r.id)).toEqual([result.id]);
    const shown = await sw('detections', 'show', result.id, '--json');
    expect(shown.json<{ items: unknown[] }>().items).toHaveLength(1);
    const table = await sw('detect', imageId, '--model', 'tophat-baseline', '--gsd', '0.5');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/zone\s+observable\s+small-vehicle\s+large-vehicle/);
  });

  it('bad inputs: unknown image or model exit 4, bad options exit 3, nothing stored', async () => {
    const before = storedRuns();
    const unknownImage = await sw('detect', 'img_0000000000000000', '--model', 'tophat-baseline');
    expect(unknownImage.code).toBe(4);
    const unknownModel = await sw('detect', imageId, '--model', 'no-such-model');
    expect(unknownModel.code).toBe(4);
    expect(unknownModel.stderr).toMatch(/model "no-such-model"/);
    const badScore = await sw('detect', imageId, '--model', 'tophat-baseline', '--min-score', '2');
    expect(badScore.code).toBe(3);
    const badGsd = await sw('detect', imageId, '--model', 'tophat-baseline', '--gsd', 'abc');
    expect(badGsd.code).toBe(3);
    const badClass = await sw('detect', imageId, '--model', 'tiny-ok', '--classes', 'tank');
    expect(badClass.code).toBe(3);
    const unknownSite = await sw('detect', imageId, '--model', 'tophat-baseline', '--site', 'nope');
    expect(unknownSite.code).toBe(4);
    expect(storedRuns()).toBe(before);
  });
});
