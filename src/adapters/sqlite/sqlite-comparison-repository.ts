/** Stored image comparisons in SQLite: one JSON document per comparison (migration 2). */
import type { Comparison } from '../../core/change/comparison.ts';
import { ConflictError } from '../../core/errors.ts';
import type { ComparisonRepository } from '../../app/ports.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { isSqliteConstraint } from './sqlite-errors.ts';
import { settle } from './settle.ts';
import {
  comparisonFromRow as toComparison,
  comparisonToParams,
  type ComparisonRow,
} from '../sql-rows/comparison-rows.ts';

/** {@link ComparisonRepository} over an open {@link SqliteDatabase}. */
export class SqliteComparisonRepository implements ComparisonRepository {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** @throws ConflictError when a comparison with the same id is stored. */
  insert(comparison: Comparison): Promise<void> {
    return settle(() => {
      try {
        this.#db.transaction(() => {
          this.#db
            .prepare(
              'INSERT INTO comparisons (id, image_a, image_b, created_at, doc, schema_version) VALUES (?, ?, ?, ?, ?, ?)',
            )
            .run(...comparisonToParams(comparison));
        });
      } catch (error) {
        if (isSqliteConstraint(error, 'PRIMARYKEY')) {
          throw new ConflictError(`comparison ${comparison.id} is already stored`, {
            cause: error,
          });
        }
        throw error;
      }
    });
  }

  get(id: string): Promise<Comparison | undefined> {
    return settle(() => {
      const row = this.#db.prepare('SELECT id, doc FROM comparisons WHERE id = ?').get(id) as
        ComparisonRow | undefined;
      return row === undefined ? undefined : toComparison(row);
    });
  }

  /** Comparisons naming the image as A or B, newest first (then by id). */
  listForImage(imageId: string): Promise<Comparison[]> {
    return settle(() => {
      const rows = this.#db
        .prepare(
          'SELECT id, doc FROM comparisons WHERE image_a = ? OR image_b = ? ORDER BY created_at DESC, id',
        )
        .all(imageId, imageId) as ComparisonRow[];
      return rows.map(toComparison);
    });
  }
}
