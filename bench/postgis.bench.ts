/**
 * PostGIS spatial queries at catalog scale (issue 8 item 1). Measures, in one run on one
 * machine, against a fresh database on the local PostgreSQL (SITEWATCH_TEST_PG_URL):
 *  - bulk load of BENCH_SITES sites (default 10,000) and BENCH_IMAGES image footprints
 *    (default 1,000,000; seeded random, 70 % tasked near a site, 30 % anywhere), multi-row
 *    INSERT … unnest in batches, GiST indexes built after the load;
 *  - "images of this site in this date range" (PgImageRepository.imagesCoveringSite, the
 *    repository call end to end) and "sites this footprint touches"
 *    (PgSiteRepository.sitesTouching): p50 / p99 over BENCH_QUERIES queries each;
 *  - the peer: the same site query with index scans switched off (what the database does
 *    without the GiST index), on a few queries.
 * Writes bench/results/postgis.json (or BENCH_RESULT) with the command and machine.
 * Run: npm run bench:postgis
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { imagesCoveringSiteQuery } from '../src/adapters/postgres/pg-image-repository.ts';
import { createTestDatabase } from '../src/adapters/postgres/pg-test-database.ts';
import { postgresStoreOver } from '../src/adapters/postgres/postgres-store.ts';
import { seededRandom } from '../src/core/random.ts';
import { machineInfo, median } from './machine.ts';

const SITES = Number(process.env['BENCH_SITES'] ?? 10_000);
const IMAGES = Number(process.env['BENCH_IMAGES'] ?? 1_000_000);
const QUERIES = Number(process.env['BENCH_QUERIES'] ?? 1000);
const PEER_QUERIES = Number(process.env['BENCH_PEER_QUERIES'] ?? 5);
const SEED = 20_261_128;
const BATCH = 10_000;
/** The area sites and scenes fall in: lon 100–140°E, lat 20–50°N. */
const AREA = { minLon: 100, minLat: 20, width: 40, height: 30 };
const FIVE_YEARS_MS = 5 * 365 * 86_400_000;
const START_MS = Date.UTC(2019, 0, 1);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? NaN) * 100) / 100;
}

const ring = (minLon: number, minLat: number, maxLon: number, maxLat: number): number[][] => [
  [minLon, minLat],
  [maxLon, minLat],
  [maxLon, maxLat],
  [minLon, maxLat],
  [minLon, minLat],
];
const wkt = (points: number[][]): string =>
  `POLYGON((${points.map(([x, y]) => `${x} ${y}`).join(',')}))`;

/** A scene footprint: a 10–20 km quadrilateral, slightly skewed like an off-nadir strip. */
function scene(next: () => number, centerLon: number, centerLat: number): number[][] {
  const half = 0.05 + next() * 0.05;
  const skew = (next() - 0.5) * 0.02;
  const points = [
    [centerLon - half + skew, centerLat - half],
    [centerLon + half + skew, centerLat - half],
    [centerLon + half - skew, centerLat + half],
    [centerLon - half - skew, centerLat + half],
  ];
  return [...points, points[0] ?? [0, 0]];
}

const progress = (text: string): void => {
  process.stderr.write(`[postgis] ${text}\n`);
};

const test = await createTestDatabase();
try {
  const { db } = test;
  const store = postgresStoreOver(db);
  const next = seededRandom(SEED);

  // ---- sites ----
  const siteCenters: [number, number][] = [];
  let started = performance.now();
  for (let start = 0; start < SITES; start += BATCH) {
    const ids: string[] = [];
    const docs: string[] = [];
    const shapes: string[] = [];
    for (let i = start; i < Math.min(SITES, start + BATCH); i += 1) {
      const lon = AREA.minLon + next() * AREA.width;
      const lat = AREA.minLat + next() * AREA.height;
      const size = 0.01 + next() * 0.02;
      siteCenters.push([lon, lat]);
      const id = `site-${i}`;
      const points = ring(lon - size / 2, lat - size / 2, lon + size / 2, lat + size / 2);
      ids.push(id);
      shapes.push(wkt(points));
      docs.push(
        JSON.stringify({
          schemaVersion: 1,
          id,
          name: `Site ${i}`,
          kind: 'bench',
          tags: [],
          notes: '',
          geometry: { type: 'Polygon', coordinates: [points] },
          zones: [],
          links: [],
        }),
      );
    }
    await db.query(
      `INSERT INTO sites (id, doc, schema_version, geom, updated_at)
       SELECT u.id, u.doc, 1, ST_GeomFromText(u.shape, 4326), '2026-01-01T00:00:00.000Z'
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, doc, shape)`,
      [ids, docs, shapes],
    );
  }
  const siteLoadMs = performance.now() - started;
  progress(`${SITES} sites in ${Math.round(siteLoadMs)} ms`);

  // ---- images: indexes dropped for the load, rebuilt after ----
  await db.query('DROP INDEX images_footprint');
  await db.query('DROP INDEX images_by_acquired_at');
  started = performance.now();
  for (let start = 0; start < IMAGES; start += BATCH) {
    const count = Math.min(IMAGES, start + BATCH) - start;
    const ids: string[] = [];
    const shas: string[] = [];
    const times: string[] = [];
    const bounds: number[][] = [[], [], [], []];
    const shapes: string[] = [];
    for (let i = start; i < start + count; i += 1) {
      let lon: number;
      let lat: number;
      if (next() < 0.7) {
        const [siteLon, siteLat] = siteCenters[Math.floor(next() * SITES)] ?? [0, 0];
        lon = siteLon + (next() - 0.5) * 0.1;
        lat = siteLat + (next() - 0.5) * 0.1;
      } else {
        lon = AREA.minLon + next() * AREA.width;
        lat = AREA.minLat + next() * AREA.height;
      }
      const points = scene(next, lon, lat);
      const sha = i.toString(16).padStart(16, '0').padEnd(64, '0');
      ids.push(`img_${sha.slice(0, 16)}`);
      shas.push(sha);
      times.push(new Date(START_MS + Math.floor(next() * FIVE_YEARS_MS)).toISOString());
      const xs = points.map((p) => p[0] ?? 0);
      const ys = points.map((p) => p[1] ?? 0);
      bounds[0]?.push(Math.min(...xs));
      bounds[1]?.push(Math.min(...ys));
      bounds[2]?.push(Math.max(...xs));
      bounds[3]?.push(Math.max(...ys));
      shapes.push(wkt(points));
    }
    await db.query(
      `INSERT INTO images (id, sha256, acquired_at, min_lon, min_lat, max_lon, max_lat, footprint,
         doc, schema_version, ingested_at)
       SELECT u.id, u.sha, u.at, u.x0, u.y0, u.x1, u.y1, ST_GeomFromText(u.shape, 4326),
         '{"schemaVersion":1,"id":"' || u.id || '"}', 1, '2026-01-01T00:00:00Z'
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::float8[],
         $6::float8[], $7::float8[], $8::text[]) AS u(id, sha, at, x0, y0, x1, y1, shape)`,
      [ids, shas, times, ...bounds, shapes],
    );
    if ((start / BATCH) % 10 === 9) progress(`${start + count} images loaded`);
  }
  const imageLoadMs = performance.now() - started;
  started = performance.now();
  await db.query('CREATE INDEX images_footprint ON images USING gist (footprint)');
  await db.query('CREATE INDEX images_by_acquired_at ON images (acquired_at, id)');
  const indexMs = performance.now() - started;
  await db.query('VACUUM ANALYZE images');
  await db.query('VACUUM ANALYZE sites');
  progress(`${IMAGES} images in ${Math.round(imageLoadMs)} ms, indexes ${Math.round(indexMs)} ms`);

  // ---- queries ----
  const queryNext = seededRandom(SEED + 1);
  const siteQueries = Array.from({ length: QUERIES }, () => {
    const from = START_MS + Math.floor(queryNext() * (FIVE_YEARS_MS - 365 * 86_400_000));
    return {
      siteId: `site-${Math.floor(queryNext() * SITES)}`,
      since: new Date(from).toISOString(),
      until: new Date(from + 365 * 86_400_000).toISOString(),
    };
  });
  // Warm-up: the first queries pay for reading index pages into the cache.
  for (const q of siteQueries.slice(0, 20)) await store.images.imagesCoveringSite(q.siteId, q);
  const siteMs: number[] = [];
  const siteHits: number[] = [];
  for (const q of siteQueries) {
    const t0 = performance.now();
    const found = await store.images.imagesCoveringSite(q.siteId, q);
    siteMs.push(performance.now() - t0);
    siteHits.push(found.length);
  }
  progress(`site queries: p50 ${percentile(siteMs, 50)} ms, p99 ${percentile(siteMs, 99)} ms`);

  const touchMs: number[] = [];
  const touchHits: number[] = [];
  for (let i = 0; i < QUERIES; i += 1) {
    const points = scene(
      queryNext,
      AREA.minLon + queryNext() * AREA.width,
      AREA.minLat + queryNext() * AREA.height,
    );
    const t0 = performance.now();
    const found = await store.sites.sitesTouching({
      type: 'Polygon',
      coordinates: [points] as [number, number][][],
    });
    touchMs.push(performance.now() - t0);
    touchHits.push(found.length);
  }
  progress(`touch queries: p50 ${percentile(touchMs, 50)} ms, p99 ${percentile(touchMs, 99)} ms`);

  // The database's own execution time for the same queries (EXPLAIN ANALYZE), apart from
  // the client's round trip and scheduling, which dominate on a loaded machine.
  const serverMs: number[] = [];
  for (const q of siteQueries.slice(0, Math.min(QUERIES, 300))) {
    const explained = imagesCoveringSiteQuery(q.siteId, q);
    const analysed = await db.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${explained.sql}`,
      explained.params,
    );
    serverMs.push(analysed.rows[0]?.['QUERY PLAN'][0]['Execution Time'] ?? NaN);
  }
  progress(`server-side: p50 ${percentile(serverMs, 50)} ms, p99 ${percentile(serverMs, 99)} ms`);

  // ---- peer: the same site query without index scans ----
  const peerMs: number[] = [];
  for (const q of siteQueries.slice(0, PEER_QUERIES)) {
    const { sql, params } = imagesCoveringSiteQuery(q.siteId, q);
    const ms = await db.withTransaction(async (client) => {
      await client.query('SET LOCAL enable_indexscan = off');
      await client.query('SET LOCAL enable_bitmapscan = off');
      const t0 = performance.now();
      await client.query(sql, params);
      return performance.now() - t0;
    });
    peerMs.push(ms);
  }
  const { sql, params } = imagesCoveringSiteQuery(
    siteQueries[0]?.siteId ?? 'site-0',
    siteQueries[0] ?? {},
  );
  const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
  const sizes = await db.query<{ images: string; footprint_index: string }>(
    `SELECT pg_size_pretty(pg_total_relation_size('images')) AS images,
       pg_size_pretty(pg_relation_size('images_footprint')) AS footprint_index`,
  );

  const result = {
    benchmark: 'postgis',
    command: `BENCH_SITES=${SITES} BENCH_IMAGES=${IMAGES} BENCH_QUERIES=${QUERIES} npm run bench:postgis`,
    machine: { ...machineInfo(), loadAverage1m: loadavg()[0] },
    postgres: (await db.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v,
    postgis: (await db.query<{ v: string }>('SELECT postgis_lib_version() AS v')).rows[0]?.v,
    seed: SEED,
    sites: SITES,
    images: IMAGES,
    load: {
      sitesMs: Math.round(siteLoadMs),
      imagesMs: Math.round(imageLoadMs),
      imagesPerSecond: Math.round(IMAGES / (imageLoadMs / 1000)),
      indexBuildMs: Math.round(indexMs),
      sizes: sizes.rows[0],
    },
    imagesOfSiteInDateRange: {
      queries: QUERIES,
      p50Ms: percentile(siteMs, 50),
      p99Ms: percentile(siteMs, 99),
      maxMs: percentile(siteMs, 100),
      medianImagesFound: median(siteHits),
      maxImagesFound: Math.max(...siteHits),
      p99Under50Ms: percentile(siteMs, 99) < 50,
      serverExecution: {
        queries: serverMs.length,
        p50Ms: percentile(serverMs, 50),
        p99Ms: percentile(serverMs, 99),
      },
      plan: plan.rows.map((row) => row['QUERY PLAN']),
    },
    sitesTouchingFootprint: {
      queries: QUERIES,
      p50Ms: percentile(touchMs, 50),
      p99Ms: percentile(touchMs, 99),
      maxMs: percentile(touchMs, 100),
      medianSitesFound: median(touchHits),
      maxSitesFound: Math.max(...touchHits),
    },
    peerWithoutIndexScans: {
      queries: peerMs.length,
      medianMs: Math.round(median(peerMs)),
      speedupOfIndexAtMedian: Math.round((median(peerMs) / median(siteMs)) * 10) / 10,
    },
  };
  console.log(JSON.stringify(result, null, 2));
  const out = resolve(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    process.env['BENCH_RESULT'] ?? join(out, 'postgis.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );
} finally {
  await test.drop();
}
