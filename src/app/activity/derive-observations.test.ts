/**
 * Observations derived end to end on real adapters (SQLite in a temporary home, PNG + world
 * file scenes, onnxruntime with the hand-made model of adapters/onnx/testdata) through the
 * CLI: two dates of a yard where one red square stays, one leaves and one arrives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SCENE_ORIGIN,
  SCENE_PIXEL_METERS,
  writeScene,
  writeTinyModelFolder,
  type PaintedRect,
} from '../../adapters/onnx/testdata/detect-scenes.ts';
import { runCliCaptured } from '../../apps/cli/run-cli-for-test.ts';
import { deriveDepsOf } from '../../apps/cli/commands/observe-derive.ts';
import { loadConfig } from '../../apps/config.ts';
import { openSitewatch } from '../../apps/wiring.ts';
import { NotFoundError } from '../../core/errors.ts';
import { deriveObservations } from './derive-observations.ts';

const RED: PaintedRect['rgb'] = [255, 0, 0];
/** Stays on both dates (west zone). */
const STAYS = { col0: 8, row0: 8, width: 8, height: 8, rgb: RED };
/** Only on the first date (east zone). */
const LEAVES = { col0: 44, row0: 36, width: 8, height: 8, rgb: RED };
/** Only on the second date (west zone). */
const ARRIVES = { col0: 8, row0: 36, width: 8, height: 8, rgb: RED };

const root = mkdtempSync(join(tmpdir(), 'sitewatch-derive-'));
const home = join(root, 'home');
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const run = await runCliCaptured(['--home', home, ...args]);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

interface ObservationJson {
  id: string;
  zone: string | null;
  metric: string;
  value: number | null;
  observedAt: string;
  observability: { state: string };
  source: { kind: string; runId: string | null; comparisonId: string | null };
}

interface DerivedJson {
  inserted: string[];
  existing: string[];
  observations: ObservationJson[];
}

function valueOf(list: readonly ObservationJson[], metric: string, zone: string | null) {
  const found = list.filter((o) => o.metric === metric && o.zone === zone);
  expect(found, `${metric} ${String(zone)}`).toHaveLength(1);
  return found[0]?.value;
}

describe('observe derive from detection runs and a comparison', () => {
  const images: string[] = [];
  let modelDir = '';

  beforeAll(async () => {
    const scenes = join(root, 'scenes');
    const days = [
      { name: 'day1', at: '2024-05-01T10:00:00Z', rects: [STAYS, LEAVES] },
      { name: 'day2', at: '2024-05-10T10:00:00Z', rects: [STAYS, ARRIVES] },
    ];
    for (const day of days) {
      const png = writeScene(scenes, day.name, {
        width: 60,
        height: 60,
        background: [20, 20, 20],
        rects: day.rects,
        noise: 4,
      });
      const run = await cli(
        'images',
        'ingest',
        png,
        '--crs',
        'EPSG:32631',
        '--acquired-at',
        day.at,
        '--json',
      );
      images.push(run.json<{ id: string }[]>()[0]?.id ?? '');
    }
    modelDir = writeTinyModelFolder(join(root, 'models'), 'tiny-yolo').dir;
    // The yard reaches 20 m east of the 30 m wide images; zone "beyond" lies wholly outside.
    const sw = await openSitewatch(loadConfig({}, { home }));
    const toLonLat = sw.crs.toLonLat('EPSG:32631');
    await sw.close();
    /** Columns in scene pixels; the site spans the image's rows, zones 1 m less each side. */
    const bbox = (col0: number, col1: number, insetMeters = 1) => {
      const [west, south] = toLonLat([
        SCENE_ORIGIN.x + col0 * SCENE_PIXEL_METERS,
        SCENE_ORIGIN.y - 30 + insetMeters,
      ]);
      const [east, north] = toLonLat([
        SCENE_ORIGIN.x + col1 * SCENE_PIXEL_METERS,
        SCENE_ORIGIN.y - insetMeters,
      ]);
      return [west, south, east, north].join(',');
    };
    await cli(
      'sites',
      'add',
      'yard',
      '--name',
      'Yard',
      '--kind',
      'depot',
      '--bbox',
      bbox(0, 100, 0),
    );
    for (const [zone, col0, col1] of [
      ['west', 1, 29],
      ['east', 31, 59],
      ['beyond', 70, 95],
    ] as const) {
      await cli('sites', 'zone-add', 'yard', zone, '--kind', 'parking', '--bbox', bbox(col0, col1));
    }
  });

  it('detect --site stores counts per zone; a zone outside the image is not observable', async () => {
    const run = await cli(
      'detect',
      images[0]!,
      '--site',
      'yard',
      '--model',
      modelDir,
      '--gsd',
      '0.5',
      '--json',
    );
    const { observations } = run.json<{ observations: DerivedJson }>();
    const list = observations.observations;
    expect(observations.inserted).toHaveLength(list.length);
    expect(valueOf(list, 'vehicles', null)).toBe(1 + 1);
    expect(valueOf(list, 'vehicles', 'west')).toBe(1);
    expect(valueOf(list, 'vehicles', 'east')).toBe(1);
    expect(valueOf(list, 'ships', 'east')).toBe(0);
    expect(valueOf(list, 'vehicles', 'beyond')).toBeNull();
    expect(list.find((o) => o.zone === 'beyond')?.observability.state).toBe('not-observable');
    expect(list.every((o) => o.observedAt === '2024-05-01T10:00:00.000Z')).toBe(true);
    expect(list.some((o) => o.metric === 'objects-appeared')).toBe(false);
  });

  it('the second date adds object-level change against the first run', async () => {
    const run = await cli(
      'detect',
      images[1]!,
      '--site',
      'yard',
      '--model',
      modelDir,
      '--gsd',
      '0.5',
      '--json',
    );
    const list = run.json<{ observations: DerivedJson }>().observations.observations;
    expect(valueOf(list, 'vehicles', 'west')).toBe(2);
    expect(valueOf(list, 'vehicles', 'east')).toBe(0);
    expect(valueOf(list, 'objects-appeared', null)).toBe(1);
    expect(valueOf(list, 'objects-appeared', 'west')).toBe(1);
    expect(valueOf(list, 'objects-disappeared', 'east')).toBe(1);
    expect(valueOf(list, 'objects-disappeared', 'west')).toBe(0);
    expect(valueOf(list, 'structures-appeared', null)).toBe(0);
    expect(valueOf(list, 'objects-appeared', 'beyond')).toBeNull();
  });

  it('compare --site stores changed area and fraction per zone', async () => {
    const out = join(root, 'change');
    const run = await cli(
      'compare',
      images[0]!,
      images[1]!,
      '--site',
      'yard',
      // Both scenes share one noise pattern, which leaves IR-MAD nothing to weigh.
      '--method',
      'cva',
      '--normalise',
      'none',
      '--min-area',
      '1',
      '--out',
      out,
      '--json',
    );
    const result = run.json<{
      id: string;
      zones: { zoneId: string; changedPixels: number; validPixels: number }[];
      grid: { gsdMeters: number };
      observations: DerivedJson;
    }>();
    const list = result.observations.observations;
    const west = result.zones.find((z) => z.zoneId === 'west');
    expect(west?.validPixels).toBeGreaterThan(0);
    expect(west?.changedPixels).toBeGreaterThan(0);
    expect(list.find((o) => o.zone === 'west')?.observability.state).toBe('observed');
    expect(valueOf(list, 'changed-fraction', 'west')).toBeCloseTo(
      west!.changedPixels / west!.validPixels,
      9,
    );
    expect(valueOf(list, 'changed-area-m2', 'west')).toBeCloseTo(
      west!.changedPixels * result.grid.gsdMeters ** 2,
      1,
    );
    expect(valueOf(list, 'changed-fraction', 'beyond')).toBeNull();
    expect(valueOf(list, 'structure-changes', 'east')).toBe(0);
    expect(list.every((o) => o.source.comparisonId === result.id)).toBe(true);
  });

  it('deriving again stores nothing new; observe list shows what was stored', async () => {
    const again = await cli('observe', 'derive', '--all', '--json');
    const derived = again.json<DerivedJson & { runs: string[]; comparisons: string[] }>();
    expect(derived.runs).toHaveLength(2);
    expect(derived.comparisons).toHaveLength(1);
    expect(derived.inserted).toEqual([]);
    expect(derived.existing).toHaveLength(derived.observations.length);
    const listed = await cli('observe', 'list', '--site', 'yard', '--json');
    expect(
      listed
        .json<ObservationJson[]>()
        .map((o) => o.id)
        .sort(),
    ).toEqual(derived.existing.slice().sort());
    const table = await cli('observe', 'derive', '--image', images[1]!);
    expect(table.stdout).toMatch(/0 added, \d+ already held/);
    expect(table.stdout).toMatch(/yard\/beyond\s+vehicles\s+not observable/);
  });

  it('refuses a missing target and unknown ids', async () => {
    const none = await runCliCaptured(['--home', home, 'observe', 'derive']);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/exactly one of --run, --comparison, --image or --all; got none/);
    const sw = await openSitewatch(loadConfig({}, { home }));
    try {
      await expect(
        deriveObservations(deriveDepsOf(sw), { kind: 'run', runId: 'det_0000000000000000' }),
      ).rejects.toThrow(NotFoundError);
    } finally {
      await sw.close();
    }
  });
});
