import { describe, expect, it } from 'vitest';
import { ConflictError, GeometryError, NotFoundError, ValidationError } from '../errors.ts';
import { rectangle } from '../geo/test-shapes.ts';
import type { Site, Zone } from './site.ts';
import { applySiteChange, validateCatalog, validateSite } from './validate-catalog.ts';

function site(id: string, overrides: Partial<Site> = {}): Site {
  return {
    id,
    name: `Site ${id}`,
    kind: 'missile-factory',
    tags: [],
    notes: '',
    geometry: rectangle(125, 39, 125.1, 39.1),
    zones: [],
    links: [],
    ...overrides,
  };
}

function zone(id: string, overrides: Partial<Zone> = {}): Zone {
  return {
    id,
    name: `Zone ${id}`,
    kind: 'pad',
    geometry: rectangle(125.02, 39.02, 125.04, 39.04),
    ...overrides,
  };
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('validateSite', () => {
  it('accepts a site with zones (one sharing the boundary) and links', () => {
    const ok = site('sanumdong', {
      zones: [
        zone('pad'),
        zone('yard', { kind: 'rail', geometry: rectangle(125, 39, 125.01, 39.1) }),
      ],
      links: [{ target: 'sohae', relation: 'ships-to' }],
      attributes: { source: 'CNS' },
    });
    expect(() => {
      validateSite(ok);
    }).not.toThrow();
  });

  it('rejects ids that are not slugs', () => {
    for (const id of ['Sanumdong', '-a', 'a-', '', 'a_b', 'x'.repeat(65)]) {
      expect(() => {
        validateSite(site(id));
      }).toThrow(ValidationError);
    }
    expect(() => {
      validateSite(site('x'.repeat(64)));
    }).not.toThrow();
    expect(
      errorOf(() => {
        validateSite(site('Bad Id'));
      }).message,
    ).toMatch(/site "Bad Id": id must be a slug .* got "Bad Id"/);
  });

  it('rejects empty names and kinds', () => {
    expect(() => {
      validateSite(site('a', { name: ' ' }));
    }).toThrow(/site "a": name must not be empty/);
    expect(() => {
      validateSite(site('a', { kind: '' }));
    }).toThrow(/site "a": kind must not be empty/);
  });

  it('rejects invalid site geometry with a GeometryError naming the site', () => {
    const bowTie = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 2],
          [2, 0],
          [0, 2],
          [0, 0],
        ],
      ],
    } as const;
    const error = errorOf(() => {
      validateSite(site('a', { geometry: bowTie }));
    });
    expect(error).toBeInstanceOf(GeometryError);
    expect(error.message).toMatch(/^site "a": ring 0 self-intersects: edge 0 .* edge 2/);
  });

  it('rejects a zone poking outside its site, naming zone and site', () => {
    const poking = zone('pad', { geometry: rectangle(125.05, 39.05, 125.2, 39.08) });
    const error = errorOf(() => {
      validateSite(site('sohae', { zones: [poking] }));
    });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      'site "sohae" zone "pad": zone "pad" is not inside site "sohae"; a zone must lie within its site\'s geometry',
    );
  });

  it('rejects duplicate and non-slug zone ids and unknown zone kinds', () => {
    expect(() => {
      validateSite(site('a', { zones: [zone('pad'), zone('pad')] }));
    }).toThrow(/zone id "pad" is used twice/);
    expect(() => {
      validateSite(site('a', { zones: [zone('Pad')] }));
    }).toThrow(/site "a": zone id must be a slug/);
    const odd = { ...zone('pad'), kind: 'launchpad' } as unknown as Zone;
    expect(() => {
      validateSite(site('a', { zones: [odd] }));
    }).toThrow(/kind must be one of parking, pad, rail, building, road, other, got "launchpad"/);
  });

  it('rejects self links, empty relations and reserved attribute keys', () => {
    expect(() => {
      validateSite(site('a', { links: [{ target: 'a', relation: 'supplies' }] }));
    }).toThrow(/link 0 .* cannot link to itself/);
    expect(() => {
      validateSite(site('a', { links: [{ target: 'b', relation: '' }] }));
    }).toThrow(/link 0 .*relation must not be empty/);
    expect(() => {
      validateSite(site('a', { attributes: { zones: 1 } }));
    }).toThrow(/reserved key "zones"/);
  });
});

describe('validateCatalog', () => {
  it('accepts linked sites', () => {
    expect(() => {
      validateCatalog([site('a', { links: [{ target: 'b', relation: 'ships-to' }] }), site('b')]);
    }).not.toThrow();
  });

  it('names duplicate ids', () => {
    expect(() => {
      validateCatalog([site('a'), site('b'), site('a')]);
    }).toThrow(/site id "a" is used twice \(sites 0 and 2\)/);
  });

  it('names a link to an unknown site', () => {
    const catalog = [site('a', { links: [{ target: 'zz', relation: 'ships-to' }] })];
    expect(() => {
      validateCatalog(catalog);
    }).toThrow(/site "a": link 0 \("ships-to"\) targets "zz", which is not a site in the catalog/);
  });
});

describe('applySiteChange', () => {
  const linked = [
    site('a', { links: [{ target: 'b', relation: 'ships-to' }] }),
    site('b'),
    site('c'),
  ];

  it('replaces in place and appends new sites', () => {
    const renamed = site('b', { name: 'Renamed' });
    const out = applySiteChange(linked, { upsert: [site('d'), renamed] });
    expect(out.map((s) => s.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(out[1]).toBe(renamed);
    expect(linked[1]?.name).toBe('Site b');
  });

  it('removes sites', () => {
    expect(applySiteChange(linked, { remove: ['c'] }).map((s) => s.id)).toEqual(['a', 'b']);
    expect(applySiteChange(linked, { remove: ['a', 'b'] }).map((s) => s.id)).toEqual(['c']);
  });

  it('refuses to remove an unknown id', () => {
    expect(() => applySiteChange(linked, { remove: ['nope'] })).toThrow(NotFoundError);
  });

  it('refuses to remove a linked site, naming the linking sites', () => {
    const error = errorOf(() => applySiteChange(linked, { remove: ['b'] }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(/cannot remove site "b": "a" links to it/);
    const unlinked = site('a');
    expect(applySiteChange(linked, { remove: ['b'], upsert: [unlinked] }).map((s) => s.id)).toEqual(
      ['a', 'c'],
    );
  });

  it('validates the result and contradictory changes', () => {
    const dangling = site('e', { links: [{ target: 'zz', relation: 'supplies' }] });
    expect(() => applySiteChange(linked, { upsert: [dangling] })).toThrow(/targets "zz"/);
    expect(() => applySiteChange(linked, { upsert: [site('c')], remove: ['c'] })).toThrow(
      /both upserts and removes site "c"/,
    );
    expect(() => applySiteChange(linked, { upsert: [site('e'), site('e')] })).toThrow(
      /upserts site "e" twice/,
    );
  });
});
