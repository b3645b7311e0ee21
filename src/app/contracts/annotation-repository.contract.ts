/**
 * The behaviour every AnnotationRepository adapter must show (SQLite and PostgreSQL): numbered
 * ids, filters, soft deletes, and each write stored with its audit entry or not at all. Call
 * {@link describeAnnotationRepositoryContract} from the adapter's test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { annotationAuditEntry } from '../../core/annotations/annotation.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { NewAnnotation } from '../annotations/annotation-ports.ts';
import type { AnnotationRepository } from '../annotations/annotation-ports.ts';
import type { AuditLog } from '../review/review-ports.ts';

export interface AnnotationRepositoryFixture {
  readonly annotations: AnnotationRepository;
  readonly audit: AuditLog;
  close(): Promise<void>;
}

const LABEL: NewAnnotation = {
  imageId: 'img_a',
  siteId: 'sohae',
  geometry: { type: 'Point', coordinates: [124.7, 39.66] },
  properties: { kind: 'text', text: 'pad' },
  author: 'ana',
  createdAt: '2024-05-01T00:00:00.000Z',
};

/** The shared AnnotationRepository contract. */
export function describeAnnotationRepositoryContract(
  name: string,
  make: () => Promise<AnnotationRepositoryFixture>,
): void {
  describe(`AnnotationRepository contract: ${name}`, () => {
    let store: AnnotationRepositoryFixture;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores, filters and soft-deletes, with an audit entry per write', async () => {
      const audit =
        (action: 'annotation.create' | 'annotation.delete') =>
        (stored: Parameters<typeof annotationAuditEntry>[2]) =>
          annotationAuditEntry(action, 'ana', stored);
      const first = await store.annotations.create(LABEL, audit('annotation.create'));
      const second = await store.annotations.create(
        { ...LABEL, imageId: 'img_b' },
        audit('annotation.create'),
      );
      expect([first.id, second.id]).toEqual(['ann_1', 'ann_2']);
      expect(first).toMatchObject({ updatedAt: LABEL.createdAt, deleted: false });
      expect((await store.annotations.list({ imageId: 'img_b' })).map((a) => a.id)).toEqual([
        'ann_2',
      ]);
      expect((await store.annotations.list({ siteId: 'sohae' })).map((a) => a.id)).toEqual([
        'ann_1',
        'ann_2',
      ]);
      await store.annotations.update({ ...first, deleted: true }, audit('annotation.delete'));
      expect((await store.annotations.list({})).map((a) => a.id)).toEqual(['ann_2']);
      expect((await store.annotations.get('ann_1'))?.deleted).toBe(true);
      const entries = await store.audit.list();
      expect(entries.map((e) => [e.action, e.targetId])).toEqual([
        ['annotation.create', 'ann_1'],
        ['annotation.create', 'ann_2'],
        ['annotation.delete', 'ann_1'],
      ]);
    });

    it('writes nothing when the audit entry fails, and refuses unknown ids', async () => {
      await expect(
        store.annotations.create(LABEL, () => {
          throw new Error('audit refused');
        }),
      ).rejects.toThrow('audit refused');
      expect(await store.annotations.list({})).toEqual([]);
      const stored = await store.annotations.create(LABEL, (s) =>
        annotationAuditEntry('annotation.create', 'ana', s),
      );
      await expect(
        store.annotations.update({ ...stored, id: 'ann_99' }, (s) =>
          annotationAuditEntry('annotation.update', 'ana', s),
        ),
      ).rejects.toThrow(NotFoundError);
      expect(await store.annotations.get('not-an-id')).toBeUndefined();
    });
  });
}
