/**
 * One call that opens a PostgreSQL + PostGIS database, applies the migrations (under an
 * advisory lock, so concurrent starters do not race) and builds the repositories over it.
 * Repositories of further areas are added here beside the catalog ones.
 */
import { applyPgMigrations, type PgMigration } from './migrations.ts';
import {
  openPostgresDatabase,
  type OpenPostgresOptions,
  type PostgresDatabase,
} from './pg-database.ts';
import { PgAccountRepository } from './pg-account-repository.ts';
import { PgObservationAlertStore } from './pg-alert-observation-store.ts';
import { PgAlertRepository } from './pg-alert-repository.ts';
import { PgAnnotationRepository } from './pg-annotation-repository.ts';
import { PgAssessmentHistory } from './pg-assessment-history.ts';
import { PgAuditLog } from './pg-audit-log.ts';
import { PgComparisonRepository } from './pg-comparison-repository.ts';
import { PgDetectionRepository } from './pg-detection-repository.ts';
import { PgImageRepository } from './pg-image-repository.ts';
import { PgJobStore } from './pg-job-store.ts';
import { PgObservationRepository } from './pg-observation-repository.ts';
import { PgReviewRepository } from './pg-review-repository.ts';
import { PgSiteRepository } from './pg-site-repository.ts';

export interface PostgresStore {
  readonly db: PostgresDatabase;
  readonly sites: PgSiteRepository;
  readonly images: PgImageRepository;
  readonly observations: PgObservationRepository;
  readonly comparisons: PgComparisonRepository;
  readonly detections: PgDetectionRepository;
  /** Observations written with their alerts and audit entry in one transaction. */
  readonly observationAlerts: PgObservationAlertStore;
  readonly alerts: PgAlertRepository;
  readonly history: PgAssessmentHistory;
  readonly reviews: PgReviewRepository;
  readonly audit: PgAuditLog;
  readonly accounts: PgAccountRepository;
  readonly jobs: PgJobStore;
  readonly annotations: PgAnnotationRepository;
  /** Closes every pooled connection. */
  close(): Promise<void>;
}

export interface OpenPostgresStoreOptions extends OpenPostgresOptions {
  /** Apply pending migrations on open (default true). */
  readonly migrate?: boolean;
  /** Migrations to apply; the production list unless a test passes its own. */
  readonly migrations?: readonly PgMigration[];
  /** ISO 8601 UTC clock for the sites' `updated_at`. */
  readonly nowIso?: () => string;
}

/**
 * Opens the database at `url` with its repositories.
 * @throws ValidationError when `url` is not a postgres:// URL.
 * @throws SitewatchError `IO` when the server cannot be reached or a migration fails.
 * @throws UnsupportedError when the database was migrated by a newer sitewatch.
 */
export async function openPostgresStore(
  url: string,
  options: OpenPostgresStoreOptions = {},
): Promise<PostgresStore> {
  const db = await openPostgresDatabase(url, options);
  try {
    if (options.migrate !== false) {
      await applyPgMigrations(db.pool, {
        displayUrl: db.displayUrl,
        ...(options.migrations === undefined ? {} : { migrations: options.migrations }),
      });
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  return postgresStoreOver(db, options);
}

/** The repositories over an already open (and migrated) database. */
export function postgresStoreOver(
  db: PostgresDatabase,
  options: Pick<OpenPostgresStoreOptions, 'nowIso'> = {},
): PostgresStore {
  const siteOptions = options.nowIso === undefined ? {} : { nowIso: options.nowIso };
  return {
    db,
    sites: new PgSiteRepository(db, siteOptions),
    images: new PgImageRepository(db),
    observations: new PgObservationRepository(db),
    comparisons: new PgComparisonRepository(db),
    detections: new PgDetectionRepository(db),
    observationAlerts: new PgObservationAlertStore(db),
    alerts: new PgAlertRepository(db),
    history: new PgAssessmentHistory(db),
    reviews: new PgReviewRepository(db),
    audit: new PgAuditLog(db),
    accounts: new PgAccountRepository(db),
    jobs: new PgJobStore(db),
    annotations: new PgAnnotationRepository(db),
    close: () => db.close(),
  };
}
