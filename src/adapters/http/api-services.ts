/** What the API's routes reach: use-case dependencies, wired by src/apps/server. */
import type { AccountDeps } from '../../app/accounts/accounts.ts';
import type { MetricRegistry } from '../../core/activity/metrics.ts';
import type {
  AlertRepository,
  ComparisonRepository,
  DetectionRepository,
  ImageRepository,
  ObservationRepository,
  SiteRepository,
} from '../../app/ports.ts';
import type { ReviewDeps } from '../../app/review/review-evidence.ts';

/** One write as the audit log would record it. */
export interface AuditEntry {
  readonly atIso: string;
  readonly actor: string;
  readonly role: string;
  readonly method: string;
  /** The route pattern, e.g. `/api/assessments`. */
  readonly route: string;
  readonly status: number;
}

/**
 * Where writes are recorded. No audit-log port exists yet; when one does, the server wiring
 * passes an adapter of it here.
 */
export type AuditSink = (entry: AuditEntry) => Promise<void>;

export interface ApiServices {
  readonly accounts: AccountDeps;
  readonly sites: SiteRepository;
  readonly images: ImageRepository;
  readonly comparisons: ComparisonRepository;
  readonly detections: DetectionRepository;
  readonly observations: ObservationRepository;
  readonly metrics: MetricRegistry;
  /** Analysts' reviews (applied to assessments) and the audit log they are written to. */
  readonly review: ReviewDeps;
  readonly alerts: AlertRepository;
  /** Reported by GET /api/health. */
  readonly softwareVersion: string;
  readonly audit?: AuditSink | undefined;
}
