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
import type { AnnotationDeps } from '../../app/annotations/annotations.ts';
import type { RunOutputReader } from '../../app/activity/derive-observations.ts';

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
  /** Analysts' annotations (each write audited in its transaction). */
  readonly annotations: AnnotationDeps;
  /** Reads files a run wrote (a comparison's changes.geojson). */
  readonly runOutputs: RunOutputReader;
  /** Reported by GET /api/health. */
  readonly softwareVersion: string;
  /** Dependency checks of GET /api/health (store, queue): each resolves when healthy. */
  readonly healthChecks?: Readonly<Record<string, () => Promise<void>>>;
}
