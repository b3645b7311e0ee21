import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsupportedError, ValidationError } from '../../core/errors.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';

const LATEST = MIGRATIONS.length;
import { openSqliteDatabase } from './sqlite-database.ts';

const fixedNow = () => '2024-05-01T12:00:00.000Z';

describe('openSqliteDatabase', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sitewatch-db-'));
    path = join(dir, 'nested', 'sitewatch.db');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the folder and sets WAL, NORMAL sync, foreign keys and the busy timeout', () => {
    const db = openSqliteDatabase(path);
    try {
      const pragma = (name: string): unknown => db.handle.pragma(name, { simple: true });
      expect(pragma('journal_mode')).toBe('wal');
      expect(pragma('synchronous')).toBe(1);
      expect(pragma('foreign_keys')).toBe(1);
      expect(pragma('busy_timeout')).toBe(5000);
    } finally {
      db.close();
    }
    const full = openSqliteDatabase(path, { synchronous: 'FULL', busyTimeoutMs: 250 });
    expect(full.handle.pragma('synchronous', { simple: true })).toBe(2);
    expect(full.handle.pragma('busy_timeout', { simple: true })).toBe(250);
    full.close();
    full.close();
  });

  it('applies the migrations once, recording version, name and time', () => {
    openSqliteDatabase(path, { nowIso: fixedNow }).close();
    const db = openSqliteDatabase(path, { nowIso: () => '2030-01-01T00:00:00.000Z' });
    const rows = db.handle.prepare('SELECT * FROM schema_migrations ORDER BY version').all();
    db.close();
    expect(rows).toEqual(
      MIGRATIONS.map((migration) => ({
        version: migration.version,
        name: migration.name,
        applied_at: fixedNow(),
      })),
    );
  });

  it('applies only the migrations above the stored version, each in its own transaction', () => {
    openSqliteDatabase(path).close();
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST + 1, name: 'add-notes', sql: 'ALTER TABLE sites ADD COLUMN notes TEXT' },
      {
        version: LATEST + 2,
        name: 'broken',
        sql: 'CREATE TABLE extra (x); SELECT * FROM no_such_table',
      },
    ];
    expect(() => openSqliteDatabase(path, { migrations: broken })).toThrow(
      new RegExp(`migration ${LATEST + 2} 'broken' failed .*no_such_table`),
    );
    const raw = new Database(path);
    const versions = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    const extra = raw.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").all();
    raw.close();
    expect(versions).toEqual(Array.from({ length: LATEST + 1 }, (_, i) => ({ version: i + 1 })));
    expect(extra).toEqual([]);
  });

  it('skips a migration another process applied after this one looked', () => {
    let raced = false;
    // The version is read before `slice` picks the pending migrations: apply them in between.
    const racing = new Proxy([...MIGRATIONS], {
      get(target, property, receiver) {
        if (property === 'slice' && !raced) {
          raced = true;
          openSqliteDatabase(path, { nowIso: fixedNow }).close();
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const db = openSqliteDatabase(path, { migrations: racing, nowIso: () => 'later' });
    const rows = db.handle.prepare('SELECT version, applied_at FROM schema_migrations').all();
    db.close();
    expect(raced).toBe(true);
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, applied_at: fixedNow() })));
  });

  it('refuses a database written by a newer sitewatch, naming both versions', () => {
    const newer: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST + 1, name: 'future', sql: 'CREATE TABLE future (x)' },
    ];
    openSqliteDatabase(path, { migrations: newer }).close();
    const error: unknown = (() => {
      try {
        openSqliteDatabase(path);
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toMatch(
      new RegExp(`schema version ${LATEST + 1}, newer than .* supports \\(${LATEST}\\)`),
    );
  });

  it('refuses a migration list with a gap', () => {
    const gap: Migration[] = [...MIGRATIONS, { version: LATEST + 2, name: 'gap', sql: 'SELECT 1' }];
    expect(() => openSqliteDatabase(path, { migrations: gap })).toThrow(ValidationError);
  });

  it('rolls back a transaction whose function throws, and commits otherwise', () => {
    const db = openSqliteDatabase(path);
    const insert = (id: string) =>
      db
        .prepare('INSERT INTO sites (id, doc, schema_version, updated_at) VALUES (?, ?, 1, ?)')
        .run(id, '{}', fixedNow());
    expect(() =>
      db.transaction(() => {
        insert('kept-not');
        throw new ValidationError('stop');
      }),
    ).toThrow('stop');
    db.transaction(() => insert('kept'));
    const ids = db.handle.prepare('SELECT id FROM sites').all();
    db.close();
    expect(ids).toEqual([{ id: 'kept' }]);
  });

  it('has the schema the repositories rely on, with the R*Tree module', () => {
    const db = openSqliteDatabase(':memory:');
    const names = db.handle
      .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    db.close();
    expect(names).toEqual(
      expect.arrayContaining([
        'sites',
        'images',
        'images_rtree',
        'image_files',
        'image_sites',
        'images_by_acquired_at',
        'image_files_by_original_path',
        'image_sites_by_site',
        'schema_migrations',
      ]),
    );
  });
});
