/**
 * Ports for writing a fact together with the alerts it causes, in one store transaction:
 * observations (anomaly rules) and assessment snapshots (probability rules). The decision is
 * made by the use case (a synchronous callback, so that it runs inside the transaction); the
 * store inserts the fact, calls it, and records the candidates with their outbox rows.
 */
import type { AlertCandidate } from '../../core/alerts/alert-decision.ts';
import type { Observation } from '../../core/activity/observation.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import type { ObservationFilter, RecordedAlerts } from '../ports.ts';

/** What storing a batch of observations did. */
export interface StoredObservations {
  /** Ids newly stored, in input order. */
  readonly inserted: readonly string[];
  /** Ids that were stored already, in input order. */
  readonly existing: readonly string[];
  readonly alerts: RecordedAlerts;
}

/**
 * Decides the alerts of the observations just inserted. `read` lists stored observations
 * (the new ones included) inside the same transaction; it may only ask for the series
 * (siteId, zoneId, metric, all three given) of the inserted observations, narrowed by
 * since/until at will: a store that cannot read synchronously (PostgreSQL) loads those
 * series before calling `decide`, and throws for any other read.
 */
export type DecideObservationAlerts = (
  inserted: readonly Observation[],
  read: (filter: ObservationFilter) => readonly Observation[],
) => readonly AlertCandidate[];

export interface ObservationAlertStore {
  /**
   * In one transaction: inserts the observations not stored yet, calls `decide` with the
   * inserted ones (not called when none is new), and records its candidates with one outbox
   * row per channel, and the audit entry `audit` makes of the inserted ids (when any is new
   * and it returns one). A throw anywhere rolls back the observations too.
   */
  insertWithAlerts(
    observations: readonly Observation[],
    decide: DecideObservationAlerts,
    decidedAtIso: string,
    audit?: (inserted: readonly string[]) => NewAuditEntry | null,
  ): Promise<StoredObservations>;
}

/** One stored probability of a playbook's hypothesis at a time. */
export interface AssessmentSnapshot {
  /** The playbook's id: its hypothesis slug. */
  readonly playbookId: string;
  readonly hypothesis: string;
  /** ISO 8601 UTC the probability is as of. */
  readonly asOf: string;
  readonly probability: number;
  readonly prior: number;
  /** sha256 (hex) of the playbook as stored (canonical JSON). */
  readonly playbookSha256: string;
  /** ISO 8601 UTC when it was computed. */
  readonly recordedAt: string;
}

/** A playbook registered for automatic re-assessment after new observations. */
export interface WatchedPlaybook {
  readonly playbookId: string;
  /** Where it was read from, for messages. */
  readonly label: string;
  /** The playbook as parsed from its YAML or JSON file. */
  readonly json: unknown;
  readonly playbookSha256: string;
  /** Site ids its indicators are bound to. */
  readonly siteIds: readonly string[];
}

/**
 * Decides the alerts of a snapshot about to be stored, from the snapshots stored before it
 * of the same playbook and hypothesis (any order), read inside the same transaction.
 */
export type DecideAssessmentAlerts = (
  earlier: readonly AssessmentSnapshot[],
) => readonly AlertCandidate[];

export interface AssessmentHistoryStore {
  /**
   * In one transaction: reads the earlier snapshots, calls `decide`, stores the snapshot (one
   * per playbook, hypothesis, version and as-of time: a recomputation replaces it) and records
   * the candidates with their outbox rows.
   */
  recordWithAlerts(
    snapshot: AssessmentSnapshot,
    decide: DecideAssessmentAlerts,
    decidedAtIso: string,
  ): Promise<RecordedAlerts>;
  /** Snapshots by as-of time, oldest first; all playbooks when `playbookId` is absent. */
  listSnapshots(playbookId?: string): Promise<AssessmentSnapshot[]>;
  /** Adds or replaces (by playbook id) a watched playbook. */
  watch(playbook: WatchedPlaybook, nowIso: string): Promise<void>;
  /** @returns whether it was watched. */
  unwatch(playbookId: string): Promise<boolean>;
  listWatched(): Promise<WatchedPlaybook[]>;
}
