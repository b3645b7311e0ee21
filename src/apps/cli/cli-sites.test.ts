import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const catalogPath = join(REPO_ROOT, 'examples/catalog.geojson');
let home: string;
const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);

function writeTemp(name: string, value: unknown): string {
  const path = join(home, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

function catalogWith(mutate: (fc: { features: Record<string, unknown>[] }) => void): unknown {
  const fc = JSON.parse(readFileSync(catalogPath, 'utf8')) as {
    features: Record<string, unknown>[];
  };
  mutate(fc);
  return fc;
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'sitewatch-cli-'));
});

describe('sites import / list / export', () => {
  it('imports the example catalog and round-trips it through export', async () => {
    const imported = await sw('sites', 'import', catalogPath, '--json');
    expect(imported.code).toBe(0);
    expect(imported.json()).toEqual({
      added: ['sanumdong', 'sanumdong-rail-transfer', 'sohae'],
      updated: [],
    });
    const list = (await sw('sites', 'list', '--json')).json<{ id: string }[]>();
    expect(list.map((s) => s.id)).toEqual(['sanumdong', 'sanumdong-rail-transfer', 'sohae']);

    const exported = await sw('sites', 'export');
    const path = writeTemp('exported.geojson', exported.stdout);
    const again = await sw('sites', 'import', path, '--json');
    expect(again.json()).toEqual({
      added: [],
      updated: ['sanumdong', 'sanumdong-rail-transfer', 'sohae'],
    });
    expect((await sw('sites', 'export')).stdout).toBe(exported.stdout);

    const table = await sw('sites', 'list');
    expect(table.stdout).toMatch(/^ID\s+NAME\s+KIND/);
    expect(table.stdout).toContain('sohae');
  });

  const bad: [string, (fc: { features: Record<string, unknown>[] }) => void, RegExp][] = [
    [
      'a self-intersecting polygon',
      (fc) => {
        fc.features[0]!.geometry = {
          type: 'Polygon',
          coordinates: [
            [
              [125.69, 39.07],
              [125.71, 39.09],
              [125.71, 39.07],
              [125.69, 39.09],
              [125.69, 39.07],
            ],
          ],
        };
      },
      /sanumdong.*self-intersect/i,
    ],
    [
      'a zone outside its site',
      (fc) => {
        const props = fc.features[2]!.properties as { zones: { geometry: unknown }[] };
        props.zones[0]!.geometry = {
          type: 'Polygon',
          coordinates: [
            [
              [124.0, 39.0],
              [124.01, 39.0],
              [124.01, 39.01],
              [124.0, 39.01],
              [124.0, 39.0],
            ],
          ],
        };
      },
      /zone "pad".*sohae|sohae.*zone "pad"/,
    ],
    [
      'a link to an unknown site',
      (fc) => {
        const props = fc.features[2]!.properties as { links: unknown[] };
        props.links.push({ target: 'atlantis', relation: 'ships-to' });
      },
      /atlantis/,
    ],
    [
      'duplicate ids',
      (fc) => {
        fc.features[1]!.id = 'sanumdong';
      },
      /sanumdong.*same id|duplicate/i,
    ],
    [
      'coordinates outside lon/lat range',
      (fc) => {
        fc.features[0]!.geometry = {
          type: 'Polygon',
          coordinates: [
            [
              [300, 39],
              [301, 39],
              [301, 40],
              [300, 39],
            ],
          ],
        };
      },
      /300/,
    ],
  ];

  it.each(bad)('rejects %s, naming it, and changes nothing', async (_name, mutate, message) => {
    expect((await sw('sites', 'import', catalogPath)).code).toBe(0);
    const before = (await sw('sites', 'export')).stdout;
    const path = writeTemp('bad.geojson', catalogWith(mutate));
    const result = await sw('sites', 'import', path);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect((await sw('sites', 'export')).stdout).toBe(before);
  });

  it('rejects GeoJSON that is not a FeatureCollection, and malformed JSON', async () => {
    const feature = writeTemp('feature.geojson', {
      type: 'Feature',
      geometry: null,
      properties: {},
    });
    const r1 = await sw('sites', 'import', feature);
    expect(r1.code).toBe(3);
    expect(r1.stderr).toMatch(/FeatureCollection/);
    const broken = writeTemp('broken.geojson', '{"type": "FeatureCollection", "features": [');
    const r2 = await sw('sites', 'import', broken);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/broken\.geojson: not valid JSON/);
    expect((await sw('sites', 'list', '--json')).json()).toEqual([]);
  });
});

describe('sites add / update / zones / links / rm', () => {
  it('edits a catalog as an analyst would', async () => {
    await sw('sites', 'import', catalogPath);
    const add = await sw(
      'sites',
      'add',
      'yard-7',
      '--name',
      'Yard 7',
      '--kind',
      'depot',
      '--bbox',
      '125.60,39.00,125.62,39.01',
      '--tags',
      'rail,new',
    );
    expect(add.code, add.stderr).toBe(0);
    const zone = await sw(
      'sites',
      'zone-add',
      'yard-7',
      'north',
      '--kind',
      'parking',
      '--bbox',
      '125.605,39.005,125.61,39.009',
    );
    expect(zone.code, zone.stderr).toBe(0);
    const outside = await sw(
      'sites',
      'zone-add',
      'yard-7',
      'far',
      '--kind',
      'parking',
      '--bbox',
      '125.0,39.0,125.01,39.01',
    );
    expect(outside.code).toBe(3);
    const badKind = await sw(
      'sites',
      'zone-add',
      'yard-7',
      'x',
      '--kind',
      'launchpad',
      '--bbox',
      '125.605,39.005,125.61,39.009',
    );
    expect(badKind.stderr).toMatch(/launchpad.*parking, pad, rail/);
    expect((await sw('sites', 'link', 'yard-7', 'sohae', '--relation', 'ships-to')).code).toBe(0);
    expect((await sw('sites', 'link', 'yard-7', 'nowhere', '--relation', 'ships-to')).code).toBe(3);
    expect((await sw('sites', 'update', 'yard-7', '--name', 'Depot 7')).code).toBe(0);
    const shown = (await sw('sites', 'show', 'yard-7', '--json')).json<{
      name: string;
      tags: string[];
      zones: { id: string }[];
      links: { target: string }[];
    }>();
    expect(shown).toMatchObject({ name: 'Depot 7', tags: ['rail', 'new'] });
    expect(shown.zones.map((z) => z.id)).toEqual(['north']);
    expect(shown.links.map((l) => l.target)).toEqual(['sohae']);

    const refused = await sw('sites', 'rm', 'sohae');
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/yard-7|sanumdong-rail-transfer/);
    expect((await sw('sites', 'unlink', 'yard-7', 'sohae')).code).toBe(0);
    expect((await sw('sites', 'rm', 'yard-7')).code).toBe(0);
    const missing = await sw('sites', 'show', 'yard-7');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/site "yard-7"/);
    expect(
      (await sw('sites', 'add', 'sohae', '--name', 'x', '--kind', 'y', '--bbox', '1,1,2,2')).code,
    ).toBe(5);
  });

  it('prints help with an example for every command', async () => {
    for (const args of [
      ['sites', 'import'],
      ['sites', 'add'],
      ['images', 'ingest'],
      ['images', 'list'],
    ]) {
      const help = await sw(...args, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Example/);
    }
    const unknown = await sw('sites', 'frobnicate');
    expect(unknown.code).toBe(2);
  });
});
