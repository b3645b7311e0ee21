/**
 * `db copy` from a SQLite home to PostgreSQL: lossless (read back through the repositories
 * of both stores), all or nothing, refusing a non-empty target or rows it cannot carry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defined, makeImageRecord, makeSite } from '../../app/contracts/fixtures.ts';
import { makeObservation } from '../../app/contracts/observation-repository.contract.ts';
import { ConflictError, UnsupportedError } from '../../core/errors.ts';
import { openSqliteStore, type SqliteStore } from '../sqlite/sqlite-store.ts';
import { SqliteObservationRepository } from '../sqlite/sqlite-observation-repository.ts';
import { applyPgMigrations } from './migrations.ts';
import { openPostgresDatabase, type PostgresDatabase } from './pg-database.ts';
import { createEmptyTestDatabase, postgresUnavailableReason } from './pg-test-database.ts';
import { postgresStoreOver } from './postgres-store.ts';
import { CATALOG_COPY_TABLES, copySqliteToPostgres } from './sqlite-to-postgres.ts';

const unavailable = await postgresUnavailableReason();

async function countRows(db: PostgresDatabase): Promise<number> {
  let total = 0;
  for (const { table } of CATALOG_COPY_TABLES) {
    const result = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    total += Number(result.rows[0]?.n);
  }
  return total;
}

describe.skipIf(unavailable !== undefined)(
  `sitewatch db copy SQLite → PostgreSQL${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`,
  () => {
    let dir: string;
    let source: SqliteStore;
    let path: string;
    const targets: { drop(): Promise<void> }[] = [];
    // Creating a database with PostGIS takes seconds: tests reuse each other's targets.
    let filled: PostgresDatabase | undefined;
    let rolledBack: PostgresDatabase | undefined;

    async function emptyTarget(): Promise<PostgresDatabase> {
      const created = await createEmptyTestDatabase();
      const db = await openPostgresDatabase(created.url, { maxConnections: 2 });
      targets.push({
        drop: async () => {
          await db.close();
          await created.drop();
        },
      });
      await applyPgMigrations(db.pool);
      return db;
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sitewatch-copy-'));
      path = join(dir, 'sitewatch.db');
      source = openSqliteStore(path);
      const images = Array.from({ length: 30 }, (_, i) =>
        makeImageRecord({ seed: i + 1, sites: i % 3 === 0 ? ['site-1'] : [] }),
      );
      // Pixel-only imagery, and a NaN nodata that plain JSON would turn into null.
      images.push(makeImageRecord({ seed: 40, footprint: null, crs: null, nodata: NaN }));
      for (const image of images) await source.images.insert(image);
      await source.sites.upsertMany(
        [1, 2, 3].map((seed) => makeSite({ seed })),
        new Map([['site-1', [images[0]?.id ?? '']]]),
      );
      const observations = new SqliteObservationRepository(source.db);
      await observations.insertMany(
        Array.from({ length: 25 }, (_, i) =>
          makeObservation(i + 1, i === 4 ? { value: -0, zoneId: null } : {}),
        ),
      );
    });

    afterAll(async () => {
      await source.close();
      rmSync(dir, { recursive: true, force: true });
      for (const target of targets) await target.drop();
    });

    it('copies every row, hashes matching, and reads back identical records', async () => {
      const target = await emptyTarget();
      filled = target;
      const reports = await copySqliteToPostgres(path, target, { batchRows: 7 });
      // The analysis tables are derived and copied too; this home has no rows in them.
      const nonEmpty = reports.filter((r) => r.rows > 0);
      expect(Object.fromEntries(nonEmpty.map((r) => [r.table, r.rows]))).toEqual({
        sites: 3,
        images: 31,
        image_files: 62,
        image_sites: 1,
        observations: 25,
      });
      const copied = postgresStoreOver(target);
      expect(await copied.sites.list()).toEqual(await source.sites.list());
      expect(await copied.images.list()).toEqual(await source.images.list());
      expect(await copied.images.footprintsIntersecting([124, 39, 125, 40])).toEqual(
        await source.images.footprintsIntersecting([124, 39, 125, 40]),
      );
      const observations = new SqliteObservationRepository(source.db);
      expect(await copied.observations.list()).toEqual(await observations.list());
      const nan = await copied.images.findBySha256(makeImageRecord({ seed: 40 }).sha256);
      expect(nan?.nodata).toBeNaN();
      // The sequence continues after the copied rows.
      await copied.images.insert(makeImageRecord({ seed: 77 }));
      expect(await copied.sites.sitesTouching(makeSite({ seed: 1 }).geometry)).toContain('site-1');
    });

    it('refuses a target that already holds rows, leaving it as it was', async () => {
      const target = defined(filled, 'the target of the first test');
      const before = await countRows(target);
      await expect(copySqliteToPostgres(path, target)).rejects.toThrow(ConflictError);
      await expect(copySqliteToPostgres(path, target)).rejects.toThrow(/sites holds 3 rows/);
      expect(await countRows(target)).toBe(before);
    });

    it('rolls back everything when a row fails late in the copy', async () => {
      const broken = join(dir, 'broken.db');
      source.db.handle.exec(`VACUUM INTO '${broken}'`);
      const copy = openSqliteStore(broken);
      copy.db.handle
        .prepare("UPDATE images SET doc = json_set(doc, '$.footprint', json(?)) WHERE row_id = 20")
        .run('{"type":"Bogus","coordinates":[]}');
      await copy.close();
      const target = await emptyTarget();
      rolledBack = target;
      await expect(copySqliteToPostgres(broken, target, { batchRows: 5 })).rejects.toThrow(
        /Bogus|GeoJSON/i,
      );
      expect(await countRows(target)).toBe(0);
    });

    it('refuses a home holding rows it cannot carry yet, naming the table', async () => {
      const other = join(dir, 'other.db');
      source.db.handle.exec(`VACUUM INTO '${other}'`);
      const copy = openSqliteStore(other);
      copy.db.handle
        .prepare('INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)')
        .run('alice', 'admin', 'scrypt$x', '2024-01-01T00:00:00.000Z');
      await copy.close();
      const target = defined(rolledBack, 'the target left empty by the roll-back test');
      const tables = CATALOG_COPY_TABLES;
      await expect(copySqliteToPostgres(other, target, { tables })).rejects.toThrow(
        UnsupportedError,
      );
      await expect(copySqliteToPostgres(other, target, { tables })).rejects.toThrow(
        /users \(1 rows\)/,
      );
      expect(await countRows(target)).toBe(0);
      // Without an explicit list, tables PostgreSQL holds with the same columns are derived.
      const reports = await copySqliteToPostgres(other, target);
      expect(reports.find((report) => report.table === 'users')?.rows).toBe(1);
      const users = await target.query<{ name: string }>('SELECT name FROM users');
      expect(users.rows).toEqual([{ name: 'alice' }]);
    });
  },
);
