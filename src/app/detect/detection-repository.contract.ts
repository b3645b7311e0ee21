/**
 * The behaviour every DetectionRepository adapter must show (SQLite today, PostgreSQL later).
 * Call {@link describeDetectionRepositoryContract} from the adapter's test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../core/errors.ts';
import type { DetectionRepository } from '../ports.ts';
import { makeDetectionRun, makeStoredDetection } from './detection-fixtures.ts';

export interface DetectionRepositoryFixture {
  readonly detections: DetectionRepository;
  close(): Promise<void>;
}

export function describeDetectionRepositoryContract(
  name: string,
  make: () => Promise<DetectionRepositoryFixture>,
): void {
  describe(`DetectionRepository contract: ${name}`, () => {
    let store: DetectionRepositoryFixture;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it('starts empty', async () => {
      expect(await store.detections.listRunsForImage('img_a')).toEqual([]);
      expect(await store.detections.getRun('det_missing')).toBeUndefined();
      expect(await store.detections.listDetections('det_missing')).toEqual([]);
    });

    it('stores a run with its detections and reads both back whole, in order', async () => {
      const { run, detections } = makeDetectionRun(1, 'img_a', 5, '2026-01-01T00:00:00.000Z');
      await store.detections.insert(run, detections);
      expect(await store.detections.getRun(run.id)).toEqual(run);
      expect(await store.detections.listDetections(run.id)).toEqual(detections);
    });

    it('keeps pixel-only detections (null geometry) and runs without detections', async () => {
      const { run } = makeDetectionRun(2, 'img_p', 0, '2026-01-01T00:00:00.000Z');
      const pixelOnly = [makeStoredDetection(2, 0, false), makeStoredDetection(2, 1, false)];
      await store.detections.insert(run, pixelOnly);
      expect(await store.detections.listDetections(run.id)).toEqual(pixelOnly);
      const empty = makeDetectionRun(3, 'img_p', 0, '2026-01-02T00:00:00.000Z');
      await store.detections.insert(empty.run, []);
      expect(await store.detections.listDetections(empty.run.id)).toEqual([]);
    });

    it('lists the runs on an image newest first, and only that image', async () => {
      const older = makeDetectionRun(4, 'img_a', 1, '2026-01-01T00:00:00.000Z');
      const newer = makeDetectionRun(5, 'img_a', 2, '2026-01-03T00:00:00.000Z');
      const other = makeDetectionRun(6, 'img_b', 1, '2026-01-02T00:00:00.000Z');
      for (const r of [older, newer, other]) await store.detections.insert(r.run, r.detections);
      expect((await store.detections.listRunsForImage('img_a')).map((r) => r.id)).toEqual([
        newer.run.id,
        older.run.id,
      ]);
      expect((await store.detections.listRunsForImage('img_b')).map((r) => r.id)).toEqual([
        other.run.id,
      ]);
    });

    it('refuses a duplicate run id with a ConflictError and keeps the first whole', async () => {
      const first = makeDetectionRun(7, 'img_a', 3, '2026-01-01T00:00:00.000Z');
      await store.detections.insert(first.run, first.detections);
      const again = makeDetectionRun(7, 'img_a', 6, '2026-01-05T00:00:00.000Z');
      await expect(store.detections.insert(again.run, again.detections)).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await store.detections.getRun(first.run.id)).toEqual(first.run);
      expect(await store.detections.listDetections(first.run.id)).toEqual(first.detections);
    });

    it('stores nothing of a run whose detections cannot all be stored', async () => {
      const { run, detections } = makeDetectionRun(8, 'img_a', 3, '2026-01-01T00:00:00.000Z');
      // Two detections with the same index: the second insert fails inside the transaction.
      const first = detections[0];
      if (first === undefined) throw new Error('the fixture run has detections');
      const clash = [...detections, { ...first, score: 0.1 }];
      await expect(store.detections.insert(run, clash)).rejects.toThrow();
      expect(await store.detections.getRun(run.id)).toBeUndefined();
      expect(await store.detections.listDetections(run.id)).toEqual([]);
    });
  });
}
