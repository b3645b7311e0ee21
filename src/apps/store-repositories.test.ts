/**
 * openSitewatch over PostgreSQL: SITEWATCH_DATABASE_URL switches the repositories, the
 * migrations run on open, and the catalog works end to end. Skips without PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeImageRecord, makeSite } from '../app/contracts/fixtures.ts';
import {
  createEmptyTestDatabase,
  postgresUnavailableReason,
} from '../adapters/postgres/pg-test-database.ts';
import { loadConfig } from './config.ts';
import { notYetOnPostgres } from './store-repositories.ts';
import { openSitewatch } from './wiring.ts';

const unavailable = await postgresUnavailableReason();

describe('the store behind openSitewatch', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('refuses a SITEWATCH_DATABASE_URL that is not postgres://, naming it', () => {
    expect(() => loadConfig({ SITEWATCH_DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(
      /SITEWATCH_DATABASE_URL="mysql:\/\/u:\*\*\*@h\/db"/,
    );
  });

  it('names what a stand-in repository is for when used', () => {
    const standIn: { list(): Promise<unknown> } = notYetOnPostgres('widgets');
    expect(() => standIn.list()).toThrow(/not yet available on PostgreSQL: widgets \(list\)/);
  });

  it.skipIf(unavailable !== undefined)(
    `opens a home on PostgreSQL, migrating it${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`,
    async () => {
      const database = await createEmptyTestDatabase();
      cleanups.push(() => database.drop());
      const home = mkdtempSync(join(tmpdir(), 'sitewatch-pg-home-'));
      cleanups.push(() => {
        rmSync(home, { recursive: true, force: true });
        return Promise.resolve();
      });
      const config = loadConfig({ SITEWATCH_HOME: home, SITEWATCH_DATABASE_URL: database.url });
      const sw = await openSitewatch(config);
      try {
        await sw.images.insert(makeImageRecord({ seed: 1 }));
        await sw.sites.upsertMany([makeSite({ seed: 1 })], new Map());
        expect((await sw.sites.list()).map((site) => site.id)).toEqual(['site-1']);
        expect(await sw.images.count()).toBe(1);
      } finally {
        await sw.close();
      }
      // A second open finds the schema current and the rows still there.
      const again = await openSitewatch(config);
      try {
        expect(await again.images.count()).toBe(1);
      } finally {
        await again.close();
      }
    },
  );
});
