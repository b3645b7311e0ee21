import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { annotationAuditEntry } from '../../core/annotations/annotation.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { NewAnnotation } from '../../app/annotations/annotation-ports.ts';
import { SqliteAnnotationRepository } from './sqlite-annotation-repository.ts';
import { SqliteAuditLog } from './sqlite-audit-log.ts';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-database.ts';

const LABEL: NewAnnotation = {
  imageId: 'img_a',
  siteId: 'sohae',
  geometry: { type: 'Point', coordinates: [124.7, 39.66] },
  properties: { kind: 'text', text: 'pad' },
  author: 'ana',
  createdAt: '2024-05-01T00:00:00.000Z',
};

describe('SqliteAnnotationRepository', () => {
  let dir: string;
  let db: SqliteDatabase;
  let repo: SqliteAnnotationRepository;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sitewatch-annotations-'));
    db = openSqliteDatabase(join(dir, 'sitewatch.db'));
    repo = new SqliteAnnotationRepository(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores, filters and soft-deletes, with an audit entry per write', async () => {
    const audit =
      (action: 'annotation.create' | 'annotation.delete') =>
      (stored: Parameters<typeof annotationAuditEntry>[2]) =>
        annotationAuditEntry(action, 'ana', stored);
    const first = await repo.create(LABEL, audit('annotation.create'));
    const second = await repo.create({ ...LABEL, imageId: 'img_b' }, audit('annotation.create'));
    expect([first.id, second.id]).toEqual(['ann_1', 'ann_2']);
    expect(first).toMatchObject({ updatedAt: LABEL.createdAt, deleted: false });
    expect((await repo.list({ imageId: 'img_b' })).map((a) => a.id)).toEqual(['ann_2']);
    expect((await repo.list({ siteId: 'sohae' })).map((a) => a.id)).toEqual(['ann_1', 'ann_2']);
    await repo.update({ ...first, deleted: true }, audit('annotation.delete'));
    expect((await repo.list({})).map((a) => a.id)).toEqual(['ann_2']);
    expect((await repo.get('ann_1'))?.deleted).toBe(true);
    const entries = await new SqliteAuditLog(db).list();
    expect(entries.map((e) => [e.action, e.targetId])).toEqual([
      ['annotation.create', 'ann_1'],
      ['annotation.create', 'ann_2'],
      ['annotation.delete', 'ann_1'],
    ]);
  });

  it('writes nothing when the audit entry fails, and refuses unknown ids', async () => {
    await expect(
      repo.create(LABEL, () => {
        throw new Error('audit refused');
      }),
    ).rejects.toThrow('audit refused');
    expect(await repo.list({})).toEqual([]);
    const stored = await repo.create(LABEL, (s) =>
      annotationAuditEntry('annotation.create', 'ana', s),
    );
    await expect(
      repo.update({ ...stored, id: 'ann_99' }, (s) =>
        annotationAuditEntry('annotation.update', 'ana', s),
      ),
    ).rejects.toThrow(NotFoundError);
    expect(await repo.get('not-an-id')).toBeUndefined();
  });
});
