/**
 * How `db copy` moves the analysis tables (SQLite migrations 2, 3, 5–10; PostgreSQL
 * migrations 100–104): column for column, documents as the exact text SQLite holds, 0/1
 * flags as booleans, identities advanced past the copied rows. In foreign-key order.
 */
import type { CopyColumn, CopyTable } from './sqlite-to-postgres.ts';

const text = (...names: string[]): CopyColumn[] =>
  names.map((name): CopyColumn => ({ name, pgType: 'text' }));
const integer = (name: string): CopyColumn => ({ name, pgType: 'integer' });
const bigint = (name: string): CopyColumn => ({ name, pgType: 'bigint' });
const double = (name: string): CopyColumn => ({ name, pgType: 'double precision' });
const flag = (name: string): CopyColumn => ({
  name,
  pgType: 'boolean',
  source: `${name} <> 0`,
  pgHash: `${name}::int`,
});

/** Moves an identity past the copied rows, so new rows do not collide with them. */
const advance = (table: string, column: string): string =>
  `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), coalesce(max(${column}), 0) + 1, false) FROM ${table}`;

export const ANALYSIS_COPY_TABLES: readonly CopyTable[] = [
  {
    table: 'comparisons',
    orderBy: 'id',
    columns: [...text('id', 'image_a', 'image_b', 'created_at', 'doc'), integer('schema_version')],
  },
  {
    table: 'detection_runs',
    orderBy: 'id',
    columns: [
      ...text('id', 'image_id', 'model_id', 'model_version', 'created_at'),
      integer('detection_count'),
      ...text('doc'),
      integer('schema_version'),
    ],
  },
  {
    table: 'detections',
    orderBy: 'run_id, idx',
    columns: [
      ...text('run_id'),
      integer('idx'),
      ...text('class'),
      double('score'),
      double('min_lon'),
      double('min_lat'),
      double('max_lon'),
      double('max_lat'),
      ...text('doc'),
    ],
  },
  {
    table: 'reviews',
    orderBy: 'seq',
    columns: [
      bigint('seq'),
      ...text('target_kind', 'target_id', 'verdict', 'reading', 'reason', 'author', 'at'),
    ],
    after: advance('reviews', 'seq'),
  },
  {
    table: 'audit_log',
    orderBy: 'id',
    columns: [
      bigint('id'),
      ...text('at', 'actor', 'action', 'target_kind', 'target_id', 'reason', 'details'),
    ],
    after: advance('audit_log', 'id'),
  },
  {
    table: 'alert_rules',
    orderBy: 'id',
    columns: text('id', 'doc', 'updated_at'),
  },
  {
    table: 'alerts',
    orderBy: 'id',
    columns: text('id', 'rule_id', 'dedup_key', 'cooldown_key', 'fact_at', 'decided_at', 'doc'),
  },
  {
    table: 'alert_outbox',
    orderBy: 'id',
    columns: [
      bigint('id'),
      ...text('alert_id'),
      integer('channel_index'),
      ...text('channel', 'state'),
      integer('attempts'),
      ...text('next_attempt_at', 'claimed_until', 'delivered_at', 'last_error'),
    ],
    after: advance('alert_outbox', 'id'),
  },
  {
    table: 'assessment_snapshots',
    orderBy: 'id',
    columns: [
      bigint('id'),
      ...text('playbook_id', 'hypothesis', 'as_of'),
      double('probability'),
      double('prior'),
      ...text('playbook_sha256', 'recorded_at'),
    ],
    after: advance('assessment_snapshots', 'id'),
  },
  {
    table: 'watched_playbooks',
    orderBy: 'playbook_id',
    columns: text('playbook_id', 'label', 'doc', 'playbook_sha256', 'site_ids', 'added_at'),
  },
  {
    table: 'users',
    orderBy: 'name',
    columns: text('name', 'role', 'password_hash', 'created_at'),
  },
  {
    table: 'api_tokens',
    orderBy: 'token_sha256',
    columns: text('token_sha256', 'id', 'user_name', 'label', 'created_at'),
  },
  {
    table: 'sessions',
    orderBy: 'session_sha256',
    columns: text('session_sha256', 'user_name', 'created_at', 'expires_at'),
  },
  {
    table: 'login_attempts',
    orderBy: 'id',
    columns: [bigint('id'), ...text('user_name', 'address', 'at'), flag('succeeded')],
    after: advance('login_attempts', 'id'),
  },
  {
    table: 'jobs',
    orderBy: 'seq',
    columns: [
      bigint('seq'),
      ...text('id', 'kind', 'state', 'payload'),
      integer('attempt'),
      integer('max_attempts'),
      ...text(
        'run_after',
        'created_at',
        'updated_at',
        'started_at',
        'finished_at',
        'worker_id',
        'lease_until',
      ),
      flag('cancel_requested'),
      ...text('progress', 'result', 'error'),
      integer('schema_version'),
    ],
    after: advance('jobs', 'seq'),
  },
  {
    table: 'annotations',
    orderBy: 'seq',
    columns: [
      bigint('seq'),
      ...text(
        'image_id',
        'site_id',
        'geometry',
        'properties',
        'author',
        'created_at',
        'updated_at',
      ),
      flag('deleted'),
    ],
    after: advance('annotations', 'seq'),
  },
];
