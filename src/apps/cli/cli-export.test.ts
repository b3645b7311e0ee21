/**
 * `sitewatch export` on a home set up by the real use cases (demo: catalog, two Sentinel-2
 * dates, a comparison with outputs; a top-hat detection run; two annotations), each file
 * opened by the tools people use: ogrinfo (layer, feature count, EPSG:4326), gdalinfo (COG
 * layout, geotransform), and the STAC documents validated against the STAC 1.0.0 JSON schemas
 * (item, collection and the GeoJSON schemas they use), shipped in testdata/stac-schemas and
 * loaded by their `$id`, so nothing is fetched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { createAnnotation } from '../../app/annotations/annotations.ts';
import { loadConfig } from '../config.ts';
import { openSitewatch } from '../wiring.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const SITE = 'paris-bercy-rail';
const hasOgr = spawnSync('ogrinfo', ['--version']).status === 0;
const hasGdal = spawnSync('gdalinfo', ['--version']).status === 0;
const ogrNote = hasOgr ? '' : ' (skipped: ogrinfo is not installed; apt-get install gdal-bin)';
const gdalNote = hasGdal ? '' : ' (skipped: gdalinfo is not installed; apt-get install gdal-bin)';

let home = '';
let out = '';
let comparisonId = '';

async function sw(...args: string[]) {
  return runCliCaptured(['--home', home, ...args]);
}

function ogrSummary(path: string): string {
  const result = spawnSync('ogrinfo', ['-so', '-al', path], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'sitewatch-export-'));
  out = mkdtempSync(join(tmpdir(), 'sitewatch-export-out-'));
  expect((await sw('demo')).code).toBe(0);
  const images = (await sw('images', 'list', '--json')).json<{ id: string }[]>();
  const imageId = images[0]!.id;
  const detect = await sw(
    'detect',
    imageId,
    '--site',
    SITE,
    '--model',
    'tophat-baseline',
    '--gsd',
    '0.5',
    '--out',
    join(out, 'detect'),
  );
  expect(detect.code, detect.stderr).toBe(0);
  const opened = await openSitewatch(loadConfig({}, { home }));
  try {
    const analyst = { name: 'ana', role: 'analyst' as const };
    await createAnnotation(
      opened.annotationDeps,
      {
        imageId,
        siteId: SITE,
        geometry: { type: 'Point', coordinates: [2.38, 48.835] },
        properties: { kind: 'text', text: 'Trains, "new" sidings, 3 tracks' },
      },
      analyst,
    );
    await createAnnotation(
      opened.annotationDeps,
      {
        imageId,
        siteId: SITE,
        geometry: {
          type: 'LineString',
          coordinates: [
            [2.378, 48.833],
            [2.381, 48.836],
          ],
        },
        properties: { kind: 'arrow' },
      },
      analyst,
    );
    const [comparison] = await opened.comparisons.listForImage(imageId);
    comparisonId = comparison!.id;
  } finally {
    await opened.close();
  }
}, 300_000);

afterAll(() => {
  for (const dir of [home, out]) if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('sitewatch export (vector layers)', () => {
  const layers = [
    ['sites', 1],
    ['changes', -1],
    ['detections', -1],
    ['observations', -1],
    ['annotations', 2],
  ] as const;

  it.each(layers)(`%s as GeoPackage, GeoJSON, KML and CSV${ogrNote}`, async (what, count) => {
    for (const format of ['gpkg', 'geojson', 'kml', 'csv']) {
      const path = join(out, `${what}.${format}`);
      const run = await sw(
        'export',
        '--site',
        SITE,
        '--what',
        what,
        '--format',
        format,
        '--out',
        path,
        '--json',
      );
      expect(run.code, run.stderr).toBe(0);
      const result = run.json<{ featureCount: number; layer: string }>();
      expect(result.layer).toBe(`paris_bercy_rail_${what}`);
      if (count >= 0) expect(result.featureCount).toBe(count);
      else expect(result.featureCount).toBeGreaterThan(0);
      if (!hasOgr || format === 'csv') continue;
      const summary = ogrSummary(path);
      expect(summary, `${what}.${format}`).toContain(`Layer name: ${result.layer}`);
      expect(summary).toContain(`Feature Count: ${result.featureCount}`);
      expect(summary).toMatch(/ID\["EPSG",4326\]/);
    }
    expect(readdirSync(out).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('writes CSV that GDAL reads back with its WKT geometry and quoted text', () => {
    const path = join(out, 'annotations.csv');
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('"Trains, ""new"" sidings, 3 tracks"');
    expect(text.split('\r\n')[0]).toMatch(/,wkt$/);
    if (!hasOgr) return;
    const result = spawnSync('ogrinfo', ['-al', '-oo', 'GEOM_POSSIBLE_NAMES=wkt', path], {
      encoding: 'utf8',
    });
    expect(result.stdout).toContain('Feature Count: 2');
    expect(result.stdout).toContain('POINT (2.38 48.835)');
    expect(result.stdout).toContain('text (String) = Trains, "new" sidings, 3 tracks');
  });

  it('fails with one line naming an unknown site, and writes nothing', async () => {
    const path = join(out, 'nope.gpkg');
    const run = await sw(
      'export',
      '--site',
      'nope',
      '--what',
      'sites',
      '--format',
      'gpkg',
      '--out',
      path,
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toBe('sitewatch: site "nope" not found\n');
    expect(existsSync(path)).toBe(false);
  });

  it('refuses an unknown format or layer naming the value', async () => {
    const badFormat = await sw(
      'export',
      '--site',
      SITE,
      '--what',
      'sites',
      '--format',
      'shp',
      '--out',
      'x',
    );
    expect(badFormat.code).toBe(3);
    expect(badFormat.stderr).toMatch(/--format must be one of .*; got "shp"/);
    const badWhat = await sw(
      'export',
      '--site',
      SITE,
      '--what',
      'roads',
      '--format',
      'kml',
      '--out',
      'x',
    );
    expect(badWhat.stderr).toMatch(/--what must be one of .*; got "roads"/);
  });

  it('leaves no file when the GeoPackage cannot be written', async () => {
    const path = join(out, 'missing-folder', 'sites.gpkg');
    const run = await sw(
      'export',
      '--site',
      SITE,
      '--what',
      'sites',
      '--format',
      'gpkg',
      '--out',
      path,
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(out, 'missing-folder'))).toBe(false);
  });
});

describe('sitewatch export --format cog', () => {
  it.each(['change-mask', 'change-magnitude'])(
    `%s is a COG on the comparison grid${gdalNote}`,
    async (what) => {
      const path = join(out, `${what}.tif`);
      const run = await sw(
        'export',
        '--comparison',
        comparisonId,
        '--what',
        what,
        '--format',
        'cog',
        '--out',
        path,
      );
      expect(run.code, run.stderr).toBe(0);
      if (!hasGdal) return;
      const info = spawnSync('gdalinfo', ['-json', path], { encoding: 'utf8' });
      const parsed = JSON.parse(info.stdout) as {
        geoTransform: number[];
        metadata: Record<string, Record<string, string>>;
      };
      expect(parsed.metadata.IMAGE_STRUCTURE?.LAYOUT).toBe('COG');
      const opened = await openSitewatch(loadConfig({}, { home }));
      const comparison = await opened.comparisons.get(comparisonId);
      await opened.close();
      parsed.geoTransform.forEach((value, i) => {
        expect(value).toBeCloseTo(comparison!.grid.geoTransform![i]!, 6);
      });
    },
  );

  it('names an unknown comparison', async () => {
    const run = await sw(
      'export',
      '--comparison',
      'cmp_0000000000000000',
      '--what',
      'change-mask',
      '--format',
      'cog',
      '--out',
      join(out, 'x.tif'),
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toBe('sitewatch: comparison "cmp_0000000000000000" not found\n');
  });
});

const STAC_SCHEMAS = join(import.meta.dirname, 'testdata/stac-schemas');
const ITEM_SCHEMA_ID = 'https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json';
const COLLECTION_SCHEMA_ID =
  'https://schemas.stacspec.org/v1.0.0/collection-spec/json-schema/collection.json';
/** Absolute IRIs (RFC 3987): a scheme, then no whitespace. ajv-formats has URIs only. */
const IRI = /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]*$/i;
/** IRI references: absolute or relative, without whitespace or the characters IRIs exclude. */
const IRI_REFERENCE = /^[^\s<>"{}|\\^`]*$/;

/**
 * ajv with every shipped schema registered under its `$id` (the STAC schemas reference one
 * another and the GeoJSON schemas by https URL; those resolve to the local files here).
 */
function stacValidators(): { item: ValidateFunction; collection: ValidateFunction } {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // ajv-formats is CommonJS: its plugin is the module's `default` export.
  addFormats.default(ajv);
  ajv.addFormat('iri', IRI);
  ajv.addFormat('iri-reference', IRI_REFERENCE);
  for (const file of readdirSync(STAC_SCHEMAS).filter((f) => f.endsWith('.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(join(STAC_SCHEMAS, file), 'utf8')) as object);
  }
  const get = (id: string): ValidateFunction => {
    const validate = ajv.getSchema(id);
    if (validate === undefined) throw new Error(`schema ${id} is not among ${STAC_SCHEMAS}`);
    return validate;
  };
  return { item: get(ITEM_SCHEMA_ID), collection: get(COLLECTION_SCHEMA_ID) };
}

/** Validates `document` or fails naming the file and every schema error. */
function expectValid(validate: ValidateFunction, document: unknown, file: string): void {
  const valid = validate(document);
  expect(valid, `${file}: ${JSON.stringify(validate.errors, null, 2)}`).toBe(true);
}

const link = z.object({ rel: z.string(), href: z.string().min(1) });
/** What this test reads from the documents after they pass the STAC schemas. */
const stacItemFields = z.object({
  collection: z.string(),
  stac_extensions: z.array(z.string()),
  links: z.array(link),
  assets: z.record(z.string(), z.object({ href: z.string() })),
});
const stacCollectionFields = z.object({ id: z.string(), links: z.array(link) });

describe('sitewatch export --format stac', () => {
  it('writes a Collection and Items that validate against the STAC 1.0.0 JSON schemas', async () => {
    const validators = stacValidators();
    const dir = join(out, 'stac');
    const run = await sw('export', '--site', SITE, '--format', 'stac', '--out', dir, '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<{ itemCount: number }>().itemCount).toBe(2);
    const collectionJson: unknown = JSON.parse(readFileSync(join(dir, 'collection.json'), 'utf8'));
    expectValid(validators.collection, collectionJson, 'collection.json');
    const collection = stacCollectionFields.parse(collectionJson);
    const itemLinks = collection.links.filter((l) => l.rel === 'item');
    expect(itemLinks).toHaveLength(2);
    for (const itemLink of itemLinks) {
      const itemJson: unknown = JSON.parse(readFileSync(join(dir, itemLink.href), 'utf8'));
      expectValid(validators.item, itemJson, itemLink.href);
      const item = stacItemFields.parse(itemJson);
      // No extension is declared, so there is no extension schema to validate against.
      expect(item.stac_extensions).toEqual([]);
      expect(item.collection).toBe(collection.id);
      const sources = item.links.filter((l) => l.rel === 'derived_from');
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) expect(existsSync(source.href), source.href).toBe(true);
      for (const a of Object.values(item.assets)) expect(existsSync(a.href), a.href).toBe(true);
    }
  });

  it('the shipped schemas reject what STAC 1.0.0 forbids (the validator is not a no-op)', () => {
    const validators = stacValidators();
    const item = {
      type: 'Feature',
      stac_version: '1.0.0',
      stac_extensions: [],
      id: 'x',
      collection: 'c',
      geometry: { type: 'Point', coordinates: [2.3, 48.8] },
      bbox: [2.3, 48.8, 2.3, 48.8],
      properties: { datetime: '2024-05-01T00:00:00Z' },
      links: [{ rel: 'collection', href: '../collection.json' }],
      assets: { data: { href: 'data.tif' } },
    };
    expectValid(validators.item, item, 'a minimal item');
    const broken: Record<string, unknown>[] = [
      { ...item, stac_version: '1.1.0' },
      { ...item, properties: { datetime: '2024-05-01T00:00:00+02:00' } },
      { ...item, bbox: [1, 2, 3] },
      { ...item, collection: undefined },
      { ...item, assets: { data: { title: 'no href' } } },
      { ...item, geometry: { type: 'Polygon', coordinates: [[[0, 0]]] } },
    ];
    for (const document of broken)
      expect(validators.item(document), JSON.stringify(document)).toBe(false);
  });
});
