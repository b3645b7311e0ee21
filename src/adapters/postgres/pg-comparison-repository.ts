/** Stored image comparisons in PostgreSQL: one JSON document per comparison (migration 100). */
import type { Comparison } from '../../core/change/comparison.ts';
import { ConflictError } from '../../core/errors.ts';
import type { ComparisonRepository } from '../../app/ports.ts';
import { isUniqueViolation, mapPgError, type PostgresDatabase } from './pg-database.ts';
import {
  comparisonFromRow as toComparison,
  comparisonToParams,
  type ComparisonRow,
} from '../sql-rows/comparison-rows.ts';

/** {@link ComparisonRepository} over a {@link PostgresDatabase}. */
export class PgComparisonRepository implements ComparisonRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  /** @throws ConflictError when a comparison with the same id is stored. */
  async insert(comparison: Comparison): Promise<void> {
    const sql =
      'INSERT INTO comparisons (id, image_a, image_b, created_at, doc, schema_version) VALUES ($1, $2, $3, $4, $5, $6)';
    try {
      await this.#db.pool.query(sql, comparisonToParams(comparison));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(`comparison ${comparison.id} is already stored`, { cause: error });
      }
      throw mapPgError(error, sql);
    }
  }

  async get(id: string): Promise<Comparison | undefined> {
    const { rows } = await this.#db.query<ComparisonRow>(
      'SELECT id, doc FROM comparisons WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row === undefined ? undefined : toComparison(row);
  }

  /** Comparisons naming the image as A or B, newest first (then by id). */
  async listForImage(imageId: string): Promise<Comparison[]> {
    const { rows } = await this.#db.query<ComparisonRow>(
      'SELECT id, doc FROM comparisons WHERE image_a = $1 OR image_b = $1 ORDER BY created_at DESC, id',
      [imageId],
    );
    return rows.map(toComparison);
  }
}
