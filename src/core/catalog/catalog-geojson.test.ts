import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeometryError, ValidationError } from '../errors.ts';
import { rectangle, rectangleRing } from '../geo/test-shapes.ts';
import type { PolygonalGeometry } from '../geo/types.ts';
import { catalogToFeatureCollection, parseCatalog, parseSiteFeature } from './catalog-geojson.ts';
import { SITE_PROPERTY_KEYS, ZONE_KEYS } from './catalog-keys.ts';
import type { Site, SiteLink, Zone } from './site.ts';
import { SLUG_PATTERN, ZONE_KINDS } from './site.ts';
import { validateCatalog } from './validate-catalog.ts';

function feature(
  id: string,
  properties: Record<string, unknown> = {},
  geometry: unknown = rectangle(125, 39, 125.1, 39.1),
) {
  return {
    type: 'Feature',
    id,
    geometry,
    properties: { name: `Site ${id}`, kind: 'launch-site', ...properties },
  };
}

function collection(...features: unknown[]) {
  return { type: 'FeatureCollection', features };
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('parseCatalog', () => {
  it('reads a minimal feature with defaults', () => {
    expect(parseCatalog(collection(feature('sohae')))).toStrictEqual([
      {
        id: 'sohae',
        name: 'Site sohae',
        kind: 'launch-site',
        tags: [],
        notes: '',
        geometry: rectangle(125, 39, 125.1, 39.1),
        zones: [],
        links: [],
      },
    ]);
  });

  it('takes the id from properties.id and keeps unknown properties as attributes', () => {
    const json = {
      type: 'Feature',
      geometry: rectangle(125, 39, 125.1, 39.1),
      properties: {
        id: 'sohae',
        name: 'Sohae',
        kind: 'launch-site',
        source: { org: 'CNS', year: 2019 },
        zones: [
          {
            id: 'pad',
            name: 'Pad',
            kind: 'pad',
            geometry: rectangle(125.01, 39.01, 125.02, 39.02),
            fill: '#f00',
          },
        ],
      },
    };
    const parsed = parseSiteFeature(json, 'feature 0');
    expect(parsed.id).toBe('sohae');
    expect(parsed.attributes).toStrictEqual({ source: { org: 'CNS', year: 2019 } });
    expect(parsed.zones[0]?.attributes).toStrictEqual({ fill: '#f00' });
  });

  it('rejects what is not a FeatureCollection, saying what it got', () => {
    expect(() => parseCatalog(feature('a'))).toThrow(
      /catalog: expected a GeoJSON FeatureCollection, got an object of type "Feature"/,
    );
    expect(() => parseCatalog([])).toThrow(/got an array of length 0/);
    expect(() => parseCatalog({ type: 'FeatureCollection' })).toThrow(
      /features must be an array, got nothing/,
    );
    expect(() => parseCatalog(collection({ type: 'Point' }))).toThrow(
      /feature 0: expected a GeoJSON Feature, got an object of type "Point"/,
    );
  });

  it('names feature index, id and field path of a bad zone kind', () => {
    const bad = feature('sohae', {
      zones: [
        {
          id: 'yard',
          name: 'Yard',
          kind: 'rail',
          geometry: rectangle(125.01, 39.01, 125.02, 39.02),
        },
        {
          id: 'pad',
          name: 'Pad',
          kind: 'launchpad',
          geometry: rectangle(125.03, 39.03, 125.04, 39.04),
        },
      ],
    });
    const error = errorOf(() =>
      parseCatalog(collection(feature('a'), feature('b'), feature('c'), bad)),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      'feature 3 ("sohae"): properties.zones[1].kind: expected one of parking, pad, rail, building, road, other, got "launchpad"',
    );
  });

  it('names missing and mistyped fields', () => {
    const json = {
      type: 'Feature',
      id: 'a',
      geometry: rectangle(0, 0, 1, 1),
      properties: { kind: 'x', tags: 'big' },
    };
    const message = errorOf(() => parseSiteFeature(json, 'feature 0')).message;
    expect(message).toContain('feature 0 ("a"): properties.name: missing; expected string');
    expect(message).toContain('feature 0 ("a"): properties.tags: expected array, got "big"');
    const link = feature('a', { links: [{ target: 'b', relation: 'x', weight: 2 }] });
    expect(() => parseSiteFeature(link, 'feature 0')).toThrow(
      /properties.links\[0\]: unknown key "weight"/,
    );
  });

  it('checks ids: present, string, matching, slug, unique', () => {
    const noId = {
      type: 'Feature',
      geometry: rectangle(0, 0, 1, 1),
      properties: { name: 'n', kind: 'k' },
    };
    expect(() => parseSiteFeature(noId, 'feature 2')).toThrow(/feature 2: id: missing/);
    expect(() => parseSiteFeature({ ...noId, id: 42 }, 'feature 2')).toThrow(
      /feature 2: id: expected string, got 42/,
    );
    const mismatch = { ...noId, id: 'a', properties: { ...noId.properties, id: 'b' } };
    expect(() => parseSiteFeature(mismatch, 'feature 2')).toThrow(
      /id "a" differs from properties.id "b"/,
    );
    expect(() => parseSiteFeature(feature('Not A Slug'), 'feature 2')).toThrow(
      /feature 2: site "Not A Slug": id must be a slug/,
    );
    expect(() => parseCatalog(collection(feature('a'), feature('a')))).toThrow(
      /feature 1 \("a"\): id: feature 0 has the same id/,
    );
  });

  it('reports geometry problems as GeometryError naming feature, site and zone', () => {
    const bowTie = {
      type: 'Polygon',
      coordinates: [
        [
          [125, 39],
          [125.1, 39.1],
          [125.1, 39],
          [125, 39.1],
          [125, 39],
        ],
      ],
    };
    const zoneBad = feature('x', {
      zones: [{ id: 'pad', name: 'Pad', kind: 'pad', geometry: bowTie }],
    });
    const error = errorOf(() => parseCatalog(collection(zoneBad)));
    expect(error).toBeInstanceOf(GeometryError);
    expect(error.message).toMatch(
      /^feature 0: site "x" zone "pad": ring 0 self-intersects: edge 0 .* crosses edge 2/,
    );
    expect(() => parseCatalog(collection(feature('x', {}, rectangle(0, 0, 200, 1))))).toThrow(
      /feature 0: site "x": ring 0 position 1 has longitude 200/,
    );
  });

  it('rejects a zone outside its site, naming feature, zone and site', () => {
    const outside = feature('x', {
      zones: [
        { id: 'pad', name: 'Pad', kind: 'pad', geometry: rectangle(125.05, 39.05, 125.2, 39.06) },
      ],
    });
    expect(() => parseCatalog(collection(outside))).toThrow(
      /^feature 0: site "x" zone "pad": zone "pad" is not inside site "x"/,
    );
  });

  it('lists every problem of a catalog', () => {
    const error = errorOf(() =>
      parseCatalog(
        collection(
          feature('a', { name: 3 }),
          feature('b'),
          feature('c', {}, rectangle(0, 0, 0, 1)),
        ),
      ),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message.split('\n')).toEqual([
      'catalog has 2 problems:',
      'feature 0 ("a"): properties.name: expected string, got 3',
      'feature 2: site "c": ring 0 has zero area: it has only 2 distinct positions',
    ]);
  });

  it('does not resolve link targets (a file may link to sites stored elsewhere)', () => {
    const sites = parseCatalog(
      collection(feature('a', { links: [{ target: 'elsewhere', relation: 'supplies' }] })),
    );
    expect(sites[0]?.links).toStrictEqual([{ target: 'elsewhere', relation: 'supplies' }]);
  });
});

describe('catalogToFeatureCollection', () => {
  it('writes the id twice, attributes as properties, and refuses reserved attribute keys', () => {
    const site: Site = {
      id: 'a',
      name: 'A',
      kind: 'k',
      tags: ['t'],
      notes: '',
      geometry: rectangle(0, 0, 1, 1),
      zones: [],
      links: [],
      attributes: { colour: 'red' },
    };
    const out = catalogToFeatureCollection([site]);
    expect(out.features[0]?.id).toBe('a');
    expect(out.features[0]?.properties).toMatchObject({ id: 'a', colour: 'red', tags: ['t'] });
    expect(() => catalogToFeatureCollection([{ ...site, attributes: { name: 'x' } }])).toThrow(
      /reserved keys "name"/,
    );
  });
});

// Generated valid catalogs: sites are disjoint grid cells, zones are sub-rectangles.
const slug = fc.stringMatching(SLUG_PATTERN);
const text = fc.string({ maxLength: 12 });
const nonEmptyText = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '');
const attributeValue = fc.oneof(
  text,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
);
function attributes(reserved: readonly string[]) {
  return fc.option(
    fc
      .dictionary(
        text.filter((k) => !reserved.includes(k) && k !== '__proto__'),
        attributeValue,
        { minKeys: 1, maxKeys: 3 },
      )
      .map((d) => Object.fromEntries(Object.entries(d))),
    { nil: undefined },
  );
}

function cell(index: number): [number, number] {
  return [-170 + (index % 300), -80 + Math.floor(index / 300)];
}

const zoneArbitrary = (x: number, y: number, index: number) =>
  fc
    .record({
      id: slug,
      name: nonEmptyText,
      kind: fc.constantFrom(...ZONE_KINDS),
      notes: fc.option(text, { nil: undefined }),
      attributes: attributes(ZONE_KEYS),
    })
    .map((z): Zone => ({
      id: z.id,
      name: z.name,
      kind: z.kind,
      geometry: rectangle(x + 0.1 * index, y, x + 0.1 * index + 0.05, y + 0.5),
      ...(z.notes === undefined ? {} : { notes: z.notes }),
      ...(z.attributes === undefined ? {} : { attributes: z.attributes }),
    }));

const catalogArbitrary = fc.uniqueArray(slug, { minLength: 1, maxLength: 5 }).chain((ids) =>
  fc.tuple(
    ...ids.map((id, i) => {
      const [x, y] = cell(i * 7);
      const holed = fc
        .boolean()
        .map((h): PolygonalGeometry =>
          h
            ? rectangle(x, y, x + 0.9, y + 0.9, [rectangleRing(x + 0.6, y + 0.6, x + 0.8, y + 0.8)])
            : rectangle(x, y, x + 0.9, y + 0.9),
        );
      const others = ids.filter((other) => other !== id);
      const link: fc.Arbitrary<SiteLink> =
        others.length === 0
          ? fc.constant({ target: 'never', relation: 'x' })
          : fc
              .record({
                target: fc.constantFrom(...others),
                relation: nonEmptyText,
                note: fc.option(text, { nil: undefined }),
              })
              .map((l) => ({
                target: l.target,
                relation: l.relation,
                ...(l.note === undefined ? {} : { note: l.note }),
              }));
      return fc
        .record({
          name: nonEmptyText,
          kind: nonEmptyText,
          tags: fc.array(text, { maxLength: 3 }),
          notes: text,
          geometry: holed,
          zones: fc
            .uniqueArray(fc.nat(4), { maxLength: 3 })
            .chain((slots) => fc.tuple(...slots.map((s) => zoneArbitrary(x, y, s)))),
          links: others.length === 0 ? fc.constant([]) : fc.array(link, { maxLength: 2 }),
          attributes: attributes(SITE_PROPERTY_KEYS),
        })
        .map(({ attributes: extra, zones, ...rest }): Site => ({
          id,
          ...rest,
          zones: zones.filter((z, k) => zones.findIndex((other) => other.id === z.id) === k),
          ...(extra === undefined ? {} : { attributes: extra }),
        }));
    }),
  ),
);

describe('catalog round trip', () => {
  it('generated catalogs are valid', () => {
    fc.assert(
      fc.property(catalogArbitrary, (sites) => {
        validateCatalog(sites);
      }),
      { seed: 42, numRuns: 50 },
    );
  });

  it('parseCatalog(catalogToFeatureCollection(sites)) gives the sites back, through JSON text', () => {
    fc.assert(
      fc.property(catalogArbitrary, (sites) => {
        const text = JSON.stringify(catalogToFeatureCollection(sites));
        expect(parseCatalog(JSON.parse(text))).toStrictEqual(sites);
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});
