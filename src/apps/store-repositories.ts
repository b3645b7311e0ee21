/**
 * The repositories of one store, built over the embedded SQLite database of the data home
 * or, when SITEWATCH_DATABASE_URL names one, over PostgreSQL + PostGIS. `openSitewatch`
 * takes either; nothing above this file knows which.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountRepository } from '../app/accounts/account-ports.ts';
import type { AssessmentHistoryStore, ObservationAlertStore } from '../app/alerts/fact-stores.ts';
import type { AnnotationRepository } from '../app/annotations/annotation-ports.ts';
import type { JobStore } from '../app/jobs/job-queue.ts';
import type {
  AlertRepository,
  ComparisonRepository,
  DetectionRepository,
  ImageRepository,
  ObservationRepository,
  SiteRepository,
} from '../app/ports.ts';
import type { AuditLog, ReviewRepository } from '../app/review/review-ports.ts';
import { UnsupportedError } from '../core/errors.ts';
import { openPostgresStore } from '../adapters/postgres/postgres-store.ts';
import { SqliteAccountRepository } from '../adapters/sqlite/sqlite-account-repository.ts';
import { SqliteAlertRepository } from '../adapters/sqlite/sqlite-alert-repository.ts';
import { SqliteAnnotationRepository } from '../adapters/sqlite/sqlite-annotation-repository.ts';
import { SqliteAssessmentHistory } from '../adapters/sqlite/sqlite-assessment-history.ts';
import { SqliteAuditLog } from '../adapters/sqlite/sqlite-audit-log.ts';
import { SqliteComparisonRepository } from '../adapters/sqlite/sqlite-comparison-repository.ts';
import { openSqliteDatabase } from '../adapters/sqlite/sqlite-database.ts';
import { SqliteDetectionRepository } from '../adapters/sqlite/sqlite-detection-repository.ts';
import { SqliteImageRepository } from '../adapters/sqlite/sqlite-image-repository.ts';
import { SqliteJobStore } from '../adapters/sqlite/sqlite-job-store.ts';
import { SqliteObservationRepository } from '../adapters/sqlite/sqlite-observation-repository.ts';
import { SqliteReviewRepository } from '../adapters/sqlite/sqlite-review-repository.ts';
import { SqliteSiteRepository } from '../adapters/sqlite/sqlite-site-repository.ts';

export interface StoreRepositories {
  /** `sqlite` (the data home's sitewatch.db) or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  readonly sites: SiteRepository;
  readonly images: ImageRepository;
  readonly comparisons: ComparisonRepository;
  readonly detections: DetectionRepository;
  readonly observations: ObservationRepository;
  /** Observations written with the alerts they cause, in one transaction. */
  readonly observationAlerts: ObservationAlertStore;
  readonly alerts: AlertRepository;
  readonly history: AssessmentHistoryStore;
  readonly reviews: ReviewRepository;
  readonly audit: AuditLog;
  readonly accounts: AccountRepository;
  readonly jobs: JobStore;
  readonly annotations: AnnotationRepository;
  close(): Promise<void>;
}

/** The embedded store: `<home>/sitewatch.db`, created if needed. */
export function openSqliteRepositories(home: string): StoreRepositories {
  mkdirSync(home, { recursive: true });
  const db = openSqliteDatabase(join(home, 'sitewatch.db'));
  // Observations, alerts and assessment snapshots share the connection: a fact and its
  // alerts commit in one transaction.
  const observations = new SqliteObservationRepository(db);
  return {
    kind: 'sqlite',
    sites: new SqliteSiteRepository(db),
    images: new SqliteImageRepository(db),
    comparisons: new SqliteComparisonRepository(db),
    detections: new SqliteDetectionRepository(db),
    observations,
    observationAlerts: observations,
    alerts: new SqliteAlertRepository(db),
    history: new SqliteAssessmentHistory(db),
    reviews: new SqliteReviewRepository(db),
    audit: new SqliteAuditLog(db),
    accounts: new SqliteAccountRepository(db),
    jobs: new SqliteJobStore(db),
    annotations: new SqliteAnnotationRepository(db),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}

/**
 * A stand-in for a repository the PostgreSQL adapter does not have yet: any use throws
 * UnsupportedError naming it, so the rest of sitewatch works on PostgreSQL meanwhile.
 */
export function notYetOnPostgres(what: string): never {
  return new Proxy(
    {},
    {
      get(_target, property) {
        // Not a thenable: `await` on the stand-in itself must not call it.
        if (property === 'then' || typeof property === 'symbol') return undefined;
        return () => {
          throw new UnsupportedError(
            `not yet available on PostgreSQL: ${what} (${property}); ` +
              'unset SITEWATCH_DATABASE_URL to use the embedded SQLite store',
          );
        };
      },
    },
  ) as never;
}

/**
 * The PostgreSQL + PostGIS store at `url`, migrated on open.
 * @throws SitewatchError `IO` when the server cannot be reached or a migration fails.
 */
export async function openPostgresRepositories(url: string): Promise<StoreRepositories> {
  const store = await openPostgresStore(url);
  return {
    kind: 'postgres',
    sites: store.sites,
    images: store.images,
    comparisons: store.comparisons,
    detections: store.detections,
    observations: store.observations,
    observationAlerts: store.observationAlerts,
    alerts: store.alerts,
    history: store.history,
    reviews: store.reviews,
    audit: store.audit,
    accounts: store.accounts,
    jobs: store.jobs,
    annotations: store.annotations,
    close: () => store.close(),
  };
}

/** PostgreSQL when `databaseUrl` is set, else the data home's SQLite database. */
export function openStoreRepositories(config: {
  readonly home: string;
  readonly databaseUrl?: string | undefined;
}): Promise<StoreRepositories> {
  return config.databaseUrl === undefined
    ? Promise.resolve(openSqliteRepositories(config.home))
    : openPostgresRepositories(config.databaseUrl);
}
