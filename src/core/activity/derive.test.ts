import { describe, expect, it } from 'vitest';
import type { Site } from '../catalog/site.ts';
import { EARTH_RADIUS_METERS } from '../geo/geodesy.ts';
import { rectangle } from '../geo/test-shapes.ts';
import type { PolygonGeometry } from '../geo/types.ts';
import {
  deriveChangeObservations,
  deriveStructureChangeObservations,
  type ComparisonFacts,
} from './derive-change.ts';
import { deriveCountObservations, type ZoneCountInput } from './derive-counts.ts';
import { areaOfM2, type DeriveContext, type ObservationDraft } from './derive-observation.ts';
import { BUILT_IN_METRICS } from './metrics.ts';
import {
  deriveObjectChangeObservations,
  matchObjects,
  type GroundObject,
  type RunSide,
} from './object-change.ts';

/** A 111 m square site on the equator, split into a north and a south zone. */
const site: Site = {
  id: 'yard',
  name: 'Yard',
  kind: 'depot',
  tags: [],
  notes: '',
  geometry: rectangle(0, 0, 0.001, 0.001),
  zones: [
    { id: 'north', name: 'North', kind: 'parking', geometry: rectangle(0, 0.0005, 0.001, 0.001) },
    { id: 'south', name: 'South', kind: 'parking', geometry: rectangle(0, 0, 0.001, 0.0005) },
  ],
  links: [],
};
const context: DeriveContext = {
  site,
  observedAt: '2024-05-10T10:00:00.000Z',
  source: { kind: 'detection', imageId: 'img_b', runId: 'det_b', comparisonId: null },
};
const metresPerDegree = (EARTH_RADIUS_METERS * Math.PI) / 180;

/** A w × h m box centred x m east and y m north of (0, 0), as a detection's lon/lat polygon. */
function boxAt(x: number, y: number, w: number, h: number): PolygonGeometry {
  const corner = (dx: number, dy: number) =>
    [(x + dx) / metresPerDegree, (y + dy) / metresPerDegree] as const;
  const c0 = corner(-w / 2, h / 2);
  return {
    type: 'Polygon',
    coordinates: [[c0, corner(w / 2, h / 2), corner(w / 2, -h / 2), corner(-w / 2, -h / 2), c0]],
  };
}

function object(x: number, y: number, w: number, h: number, className = 'small-vehicle') {
  return {
    className,
    geometry: boxAt(x, y, w, h),
    zones: [y >= 55.6 ? 'north' : 'south'],
  } satisfies GroundObject;
}

function zoneCount(zone: string, share: number, counts: Record<string, number> | null) {
  const areaM2 = areaOfM2(site, zone === 'all' ? null : zone);
  return {
    zone,
    observable: counts !== null,
    observableAreaM2: counts === null ? 0 : share * areaM2,
    observablePixels: 0,
    counts,
  } satisfies ZoneCountInput;
}

function find(drafts: readonly ObservationDraft[], metric: string, zoneId: string | null) {
  const found = drafts.find((d) => d.metric === metric && d.zoneId === zoneId);
  if (found === undefined) throw new Error(`no ${metric} for ${String(zoneId)}`);
  return found;
}

const classes = ['small-vehicle', 'large-vehicle', 'plane'];
const seenZones = [
  zoneCount('all', 0.6, { 'small-vehicle': 3, 'large-vehicle': 1, plane: 0 }),
  zoneCount('north', 1, { 'small-vehicle': 2, 'large-vehicle': 1, plane: 0 }),
  zoneCount('south', 0, null),
];

describe('counts per zone from a detection run', () => {
  const drafts = deriveCountObservations(
    context,
    seenZones,
    classes,
    { gsdMeters: 0.5, cloudCoverPercent: 5 },
    BUILT_IN_METRICS,
  );

  it('sums each metric’s classes per zone and for the site, zero included', () => {
    expect(find(drafts, 'vehicles', null).value).toBe(4);
    expect(find(drafts, 'trucks', null).value).toBe(1);
    expect(find(drafts, 'aircraft', null).value).toBe(0);
    expect(find(drafts, 'vehicles', 'north')).toMatchObject({
      value: 3,
      author: 'sitewatch',
      observedAt: context.observedAt,
      source: context.source,
      observability: { state: 'observed', zoneVisibleShare: 1, gsdMeters: 0.5 },
    });
    expect(drafts.map((d) => d.metric)).not.toContain('ships');
  });

  it('a zone outside the image is not observable with value null, never 0', () => {
    const south = find(drafts, 'vehicles', 'south');
    expect(south.value).toBeNull();
    expect(south.observability.state).toBe('not-observable');
    expect(south.observability.reasons[0]?.rule).toBe('zone-visible-share');
  });

  it('imagery coarser than 1 m makes vehicle counts not observable', () => {
    const coarse = deriveCountObservations(
      context,
      seenZones,
      classes,
      { gsdMeters: 3, cloudCoverPercent: null },
      BUILT_IN_METRICS,
    );
    const north = find(coarse, 'vehicles', 'north');
    expect(north.value).toBeNull();
    expect(north.observability.reasons.map((r) => r.rule)).toEqual(['gsd']);
    expect(north.observability.unchecked).toEqual(['cloud-cover']);
  });

  it('skips zones the site no longer has', () => {
    const gone = deriveCountObservations(
      context,
      [zoneCount('gone', 1, { 'small-vehicle': 1 })],
      classes,
      { gsdMeters: 0.5, cloudCoverPercent: null },
      BUILT_IN_METRICS,
    );
    expect(gone).toEqual([]);
  });
});

describe('object-level change between two runs', () => {
  const carA = object(10, 10, 2, 4.5);
  const carB = object(40, 10, 2, 4.5);
  const shed = object(60, 80, 10, 10, 'large-vehicle');
  const previous = [carA, carB, shed];
  // A moved 1 m; C is new; B and the shed are gone; a new 12 m × 12 m structure stands north.
  const current = [object(10.8, 10.3, 2, 4.5), object(80, 20, 2, 4.5), object(20, 80, 12, 12)];

  it('matches by rotated IoU one to one, leaving what appeared and disappeared', () => {
    const change = matchObjects(previous, current);
    expect(change.matches.map((m) => [m.previous, m.current])).toEqual([[0, 0]]);
    expect(change.matches[0]?.distanceMeters).toBeCloseTo(Math.hypot(0.8, 0.3), 3);
    expect(change.appeared).toEqual([1, 2]);
    expect(change.disappeared).toEqual([1, 2]);
  });

  it('matches by centre distance without overlap, and each object once', () => {
    const beside = matchObjects([object(10, 10, 2, 4.5)], [object(12.5, 10, 2, 4.5)]);
    expect(beside.matches).toHaveLength(1);
    expect(beside.matches[0]?.iou).toBe(0);
    const far = matchObjects([object(10, 10, 2, 4.5)], [object(13.5, 10, 2, 4.5)]);
    expect(far.matches).toHaveLength(0);
    const two = matchObjects(
      [object(10, 10, 2, 4.5)],
      [object(10.5, 10, 2, 4.5), object(10, 10, 2, 4.5)],
    );
    expect(two.matches.map((m) => m.current)).toEqual([1]);
    expect(two.appeared).toEqual([0]);
  });

  const side = (objects: GroundObject[], zones = seenZones.slice(0, 2)): RunSide => ({
    objects,
    zones: [...zones, zoneCount('south', 1, { 'small-vehicle': 0 })],
    facts: { gsdMeters: 0.5, cloudCoverPercent: null },
  });

  it('counts appeared and disappeared objects per zone, vehicle- and structure-sized', () => {
    const drafts = deriveObjectChangeObservations(
      context,
      side(previous),
      side(current),
      'run det_a',
      BUILT_IN_METRICS,
    );
    const value = (metric: string, zone: string | null) => find(drafts, metric, zone).value;
    expect(value('objects-appeared', null)).toBe(1);
    expect(value('objects-appeared', 'south')).toBe(1);
    expect(value('objects-appeared', 'north')).toBe(0);
    expect(value('objects-disappeared', 'south')).toBe(1);
    expect(value('structures-appeared', 'north')).toBe(1);
    expect(value('structures-disappeared', null)).toBe(1);
    expect(find(drafts, 'objects-appeared', null).note).toMatch(/since run det_a/);
  });

  it('a zone not seen on the earlier date is not observable, with the earlier reason', () => {
    const before: RunSide = { ...side(previous), zones: seenZones };
    const drafts = deriveObjectChangeObservations(
      context,
      before,
      side(current),
      'run det_a',
      BUILT_IN_METRICS,
    );
    const south = find(drafts, 'objects-appeared', 'south');
    expect(south.value).toBeNull();
    expect(south.observability.reasons[0]?.message).toMatch(/^run det_a: only 0\.0% of the zone/);
  });
});

describe('changed area and fraction from a comparison', () => {
  const facts: ComparisonFacts = { gridGsdMeters: 0.5, gsdMeters: 0.5, cloudCoverPercent: 0 };
  const zones = [
    { zoneId: 'north', validPixels: 24000, changedPixels: 400, changedFraction: 400 / 24000 },
    { zoneId: 'south', validPixels: 1000, changedPixels: 10, changedFraction: 0.01 },
    { zoneId: 'gone', validPixels: 10, changedPixels: 1, changedFraction: 0.1 },
  ];
  const comparisonContext: DeriveContext = {
    ...context,
    source: { kind: 'comparison', imageId: 'img_b', runId: null, comparisonId: 'cmp_1' },
  };

  it('gives area in m² from the grid pixel size and the fraction over valid pixels', () => {
    const drafts = deriveChangeObservations(comparisonContext, zones, facts, BUILT_IN_METRICS);
    expect(find(drafts, 'changed-area-m2', 'north').value).toBe(100);
    expect(find(drafts, 'changed-fraction', 'north').value).toBeCloseTo(1 / 60, 9);
    expect(find(drafts, 'changed-fraction', 'north').observability.zoneVisibleShare).toBeCloseTo(
      6000 / areaOfM2(site, 'north'),
      6,
    );
    const south = find(drafts, 'changed-fraction', 'south');
    expect([south.value, south.observability.state]).toEqual([null, 'not-observable']);
    expect(drafts.some((d) => d.zoneId === 'gone' || d.zoneId === null)).toBe(false);
  });

  it('counts structure-sized change polygons that no detection explains', () => {
    const polygons = [
      { geometry: boxAt(30, 80, 10, 10), areaM2: 100 },
      { geometry: boxAt(80, 80, 10, 10), areaM2: 100 },
      { geometry: boxAt(50, 70, 5, 5), areaM2: 25 },
    ];
    const drafts = deriveStructureChangeObservations(
      comparisonContext,
      zones.slice(0, 1),
      facts,
      polygons,
      [object(80, 80, 2, 4.5)],
      BUILT_IN_METRICS,
    );
    expect(drafts.map((d) => [d.zoneId, d.metric, d.value])).toEqual([
      ['north', 'structure-changes', 1],
    ]);
  });
});
