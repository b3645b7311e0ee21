import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDetectionRepositoryContract } from '../../app/detect/detection-repository.contract.ts';
import { UnsupportedError } from '../../core/errors.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
import { SqliteDetectionRepository } from './sqlite-detection-repository.ts';

describeDetectionRepositoryContract('SQLite (temp file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-det-repo-'));
  const db = openSqliteDatabase(join(dir, 'sitewatch.db'));
  return Promise.resolve({
    detections: new SqliteDetectionRepository(db),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});

describe('SqliteDetectionRepository beyond the contract', () => {
  it('refuses a run document written by a newer sitewatch', async () => {
    const db = openSqliteDatabase(':memory:');
    db.prepare(
      "INSERT INTO detection_runs (id, image_id, model_id, model_version, created_at, detection_count, doc, schema_version) VALUES ('det_x', 'img', 'm', '1', 't', 0, '{\"schemaVersion\":99}', 99)",
    ).run();
    await expect(new SqliteDetectionRepository(db).getRun('det_x')).rejects.toBeInstanceOf(
      UnsupportedError,
    );
    db.close();
  });
});
