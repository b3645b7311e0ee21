/**
 * Annotations in PostgreSQL (migration 104): one row each, geometry and properties as JSON
 * text; a delete only sets `deleted`. Every write runs in one transaction with its audit entry.
 */
import type { Annotation } from '../../core/annotations/annotation.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import { NotFoundError } from '../../core/errors.ts';
import type {
  AnnotationFilter,
  AnnotationRepository,
  NewAnnotation,
} from '../../app/annotations/annotation-ports.ts';
import { appendPgAuditEntry } from './pg-audit-log.ts';
import type { PostgresDatabase } from './pg-database.ts';
import {
  annotationFromRow as toAnnotation,
  annotationSeqOf as seqOf,
  type AnnotationRow as SqlAnnotationRow,
} from '../sql-rows/annotation-rows.ts';

type AnnotationRow = SqlAnnotationRow<string, boolean>;

/** {@link AnnotationRepository} over a {@link PostgresDatabase}. */
export class PgAnnotationRepository implements AnnotationRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  create(
    annotation: NewAnnotation,
    audit: (stored: Annotation) => NewAuditEntry,
  ): Promise<Annotation> {
    return this.#db.withTransaction(async (client) => {
      const { rows } = await client.query<AnnotationRow>(
        `INSERT INTO annotations
           (image_id, site_id, geometry, properties, author, created_at, updated_at, deleted)
         VALUES ($1, $2, $3, $4, $5, $6, $6, FALSE) RETURNING *`,
        [
          annotation.imageId,
          annotation.siteId,
          JSON.stringify(annotation.geometry),
          JSON.stringify(annotation.properties),
          annotation.author,
          annotation.createdAt,
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('annotation vanished after insert');
      const stored = toAnnotation(row);
      await appendPgAuditEntry(client, audit(stored));
      return stored;
    });
  }

  update(
    annotation: Annotation,
    audit: (stored: Annotation) => NewAuditEntry,
  ): Promise<Annotation> {
    return this.#db.withTransaction(async (client) => {
      const seq = seqOf(annotation.id);
      const { rows } =
        seq === undefined
          ? { rows: [] }
          : await client.query<AnnotationRow>(
              `UPDATE annotations SET geometry = $1, properties = $2, updated_at = $3, deleted = $4
               WHERE seq = $5 RETURNING *`,
              [
                JSON.stringify(annotation.geometry),
                JSON.stringify(annotation.properties),
                annotation.updatedAt,
                annotation.deleted,
                seq,
              ],
            );
      const row = rows[0];
      if (row === undefined) throw new NotFoundError(`annotation "${annotation.id}" not found`);
      const stored = toAnnotation(row);
      await appendPgAuditEntry(client, audit(stored));
      return stored;
    });
  }

  async get(id: string): Promise<Annotation | undefined> {
    const seq = seqOf(id);
    if (seq === undefined) return undefined;
    const { rows } = await this.#db.query<AnnotationRow>(
      'SELECT * FROM annotations WHERE seq = $1',
      [seq],
    );
    const row = rows[0];
    return row === undefined ? undefined : toAnnotation(row);
  }

  async list(filter: AnnotationFilter): Promise<Annotation[]> {
    const where = ['NOT deleted'];
    const params: string[] = [];
    if (filter.imageId !== undefined) {
      params.push(filter.imageId);
      where.push(`image_id = $${params.length}`);
    }
    if (filter.siteId !== undefined) {
      params.push(filter.siteId);
      where.push(`site_id = $${params.length}`);
    }
    const { rows } = await this.#db.query<AnnotationRow>(
      `SELECT * FROM annotations WHERE ${where.join(' AND ')} ORDER BY seq`,
      params,
    );
    return rows.map(toAnnotation);
  }
}
