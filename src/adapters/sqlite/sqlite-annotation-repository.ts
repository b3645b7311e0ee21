/**
 * Annotations in SQLite (migration 10): one row each, geometry and properties as JSON; a
 * delete only sets `deleted`. Every write runs in one transaction with its audit entry.
 */
import type { Annotation } from '../../core/annotations/annotation.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import { NotFoundError } from '../../core/errors.ts';
import type {
  AnnotationFilter,
  AnnotationRepository,
  NewAnnotation,
} from '../../app/annotations/annotation-ports.ts';
import { appendAuditEntryInTransaction } from './sqlite-audit-log.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { settle } from './settle.ts';
import {
  annotationFromRow as toAnnotation,
  annotationSeqOf as seqOf,
  type AnnotationRow as SqlAnnotationRow,
} from '../sql-rows/annotation-rows.ts';

type AnnotationRow = SqlAnnotationRow<number, number>;

/** {@link AnnotationRepository} over an open {@link SqliteDatabase}. */
export class SqliteAnnotationRepository implements AnnotationRepository {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  create(
    annotation: NewAnnotation,
    audit: (stored: Annotation) => NewAuditEntry,
  ): Promise<Annotation> {
    return settle(() =>
      this.#db.transaction(() => {
        const result = this.#db
          .prepare(
            `INSERT INTO annotations
               (image_id, site_id, geometry, properties, author, created_at, updated_at, deleted)
             VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
          )
          .run(
            annotation.imageId,
            annotation.siteId,
            JSON.stringify(annotation.geometry),
            JSON.stringify(annotation.properties),
            annotation.author,
            annotation.createdAt,
            annotation.createdAt,
          );
        const stored = this.#get(Number(result.lastInsertRowid));
        if (stored === undefined) throw new Error('annotation vanished after insert');
        appendAuditEntryInTransaction(this.#db, audit(stored));
        return stored;
      }),
    );
  }

  update(
    annotation: Annotation,
    audit: (stored: Annotation) => NewAuditEntry,
  ): Promise<Annotation> {
    return settle(() =>
      this.#db.transaction(() => {
        const seq = seqOf(annotation.id);
        const changed =
          seq === undefined
            ? 0
            : this.#db
                .prepare(
                  `UPDATE annotations SET geometry = ?, properties = ?, updated_at = ?, deleted = ?
                   WHERE seq = ?`,
                )
                .run(
                  JSON.stringify(annotation.geometry),
                  JSON.stringify(annotation.properties),
                  annotation.updatedAt,
                  annotation.deleted ? 1 : 0,
                  seq,
                ).changes;
        const stored = seq === undefined || changed === 0 ? undefined : this.#get(seq);
        if (stored === undefined)
          throw new NotFoundError(`annotation "${annotation.id}" not found`);
        appendAuditEntryInTransaction(this.#db, audit(stored));
        return stored;
      }),
    );
  }

  get(id: string): Promise<Annotation | undefined> {
    return settle(() => {
      const seq = seqOf(id);
      return seq === undefined ? undefined : this.#get(seq);
    });
  }

  #get(seq: number): Annotation | undefined {
    const row = this.#db.prepare('SELECT * FROM annotations WHERE seq = ?').get(seq) as
      AnnotationRow | undefined;
    return row === undefined ? undefined : toAnnotation(row);
  }

  list(filter: AnnotationFilter): Promise<Annotation[]> {
    return settle(() => {
      const where = ['deleted = 0'];
      const params: string[] = [];
      if (filter.imageId !== undefined) {
        where.push('image_id = ?');
        params.push(filter.imageId);
      }
      if (filter.siteId !== undefined) {
        where.push('site_id = ?');
        params.push(filter.siteId);
      }
      const rows = this.#db
        .prepare(`SELECT * FROM annotations WHERE ${where.join(' AND ')} ORDER BY seq`)
        .all(...params) as AnnotationRow[];
      return rows.map(toAnnotation);
    });
  }
}
