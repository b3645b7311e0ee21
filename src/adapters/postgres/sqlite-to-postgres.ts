/**
 * `sitewatch db copy`: moves the rows of an embedded SQLite home into an empty, migrated
 * PostgreSQL database in one transaction, in batches, and checks before committing that
 * every table holds as many rows with the same content hash on both sides. Documents are
 * copied as the exact text SQLite holds, so nothing is re-encoded on the way.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  ConflictError,
  CorruptFileError,
  SitewatchError,
  UnsupportedError,
} from '../../core/errors.ts';
import type { PgClient, PostgresDatabase } from './pg-database.ts';
import { ANALYSIS_COPY_TABLES } from './pg-analysis-copy-tables.ts';

/** How one column travels: its PostgreSQL array type for unnest, and how both sides hash it. */
export interface CopyColumn {
  /** The column in PostgreSQL (and, unless `source` says otherwise, in SQLite). */
  readonly name: string;
  /** Element type of the unnest array (`text`, `bigint`, `double precision`, `boolean`, …). */
  readonly pgType: string;
  /** SQLite expression producing the value; default the column of the same name. */
  readonly source?: string;
  /** SQL around `$value` turning the unnested value into the stored one (e.g. a geometry). */
  readonly insert?: string;
  /**
   * PostgreSQL expression read back for the hash; default the column. `null` leaves the
   * column out of the hash (derived values such as geometries, checked by `check`).
   */
  readonly pgHash?: string | null;
  /** Hash the value as JSON with sorted keys (json/jsonb columns, which reorder keys). */
  readonly json?: boolean;
}

/** One table to copy. */
export interface CopyTable {
  readonly table: string;
  /** Key columns: the order rows are read, written and hashed in on both sides. */
  readonly orderBy: string;
  /** The same order in PostgreSQL when it needs spelling out (collations); default orderBy. */
  readonly pgOrderBy?: string;
  readonly columns: readonly CopyColumn[];
  /** SQL run in PostgreSQL after the rows are in (e.g. advancing a sequence). */
  readonly after?: string;
}

const TIMESTAMP_TEXT = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const GEOMETRY = 'ST_SetSRID(ST_GeomFromGeoJSON($value), 4326)';

/** The catalog tables (migration 1 on both sides). Further areas append their own lists. */
export const CATALOG_COPY_TABLES: readonly CopyTable[] = [
  {
    table: 'sites',
    orderBy: 'id',
    columns: [
      { name: 'id', pgType: 'text' },
      { name: 'doc', pgType: 'text' },
      { name: 'schema_version', pgType: 'integer' },
      { name: 'updated_at', pgType: 'text' },
      {
        name: 'geom',
        pgType: 'text',
        source: "json_extract(doc, '$.geometry')",
        insert: GEOMETRY,
        pgHash: null,
      },
    ],
  },
  {
    table: 'images',
    orderBy: 'id',
    columns: [
      { name: 'seq', pgType: 'bigint', source: 'row_id' },
      { name: 'id', pgType: 'text' },
      { name: 'sha256', pgType: 'text' },
      { name: 'acquired_at', pgType: 'timestamptz', pgHash: TIMESTAMP_TEXT('acquired_at') },
      { name: 'min_lon', pgType: 'double precision' },
      { name: 'min_lat', pgType: 'double precision' },
      { name: 'max_lon', pgType: 'double precision' },
      { name: 'max_lat', pgType: 'double precision' },
      {
        name: 'footprint',
        pgType: 'text',
        source: "json_extract(doc, '$.footprint')",
        insert: GEOMETRY,
        pgHash: null,
      },
      { name: 'doc', pgType: 'text' },
      { name: 'schema_version', pgType: 'integer' },
      { name: 'ingested_at', pgType: 'timestamptz', pgHash: TIMESTAMP_TEXT('ingested_at') },
    ],
    after:
      "SELECT setval(pg_get_serial_sequence('images', 'seq'), coalesce(max(seq), 0) + 1, false) FROM images",
  },
  {
    table: 'image_files',
    orderBy: 'image_id, idx',
    columns: [
      { name: 'image_id', pgType: 'text' },
      { name: 'idx', pgType: 'integer' },
      { name: 'role', pgType: 'text' },
      { name: 'sha256', pgType: 'text' },
      { name: 'size_bytes', pgType: 'bigint' },
      { name: 'original_path', pgType: 'text' },
      { name: 'stored_path', pgType: 'text' },
      { name: 'linked', pgType: 'boolean', source: 'linked <> 0', pgHash: 'linked::int' },
    ],
  },
  {
    table: 'image_sites',
    orderBy: 'image_id, site_id',
    columns: [
      { name: 'image_id', pgType: 'text' },
      { name: 'site_id', pgType: 'text' },
    ],
  },
  {
    table: 'observations',
    orderBy: 'id',
    columns: [
      'id',
      'site_id',
      'zone_id',
      'metric',
      'observed_at',
      'state',
      'image_id',
      'entered_at',
      'doc',
    ]
      .map((name): CopyColumn => ({ name, pgType: 'text' }))
      .concat([{ name: 'schema_version', pgType: 'integer' }]),
  },
];

/** What `copySqliteToPostgres` copies by default: the catalog and the analysis tables. */
const DEFAULT_COPY_TABLES: readonly CopyTable[] = [...CATALOG_COPY_TABLES, ...ANALYSIS_COPY_TABLES];

/** SQLite tables that are indexes or bookkeeping, never copied as rows. */
const NOT_DATA = /^(sqlite_.*|schema_migrations|images_rtree(_.*)?)$/;

export interface CopyTableReport {
  readonly table: string;
  readonly rows: number;
  /** sha256 over the table's rows in key order, equal on both sides. */
  readonly sha256: string;
}

export interface CopyOptions {
  readonly tables?: readonly CopyTable[];
  /** Rows per INSERT. Default 1000. */
  readonly batchRows?: number;
  /** Called after each batch, for progress output. */
  readonly onProgress?: (table: string, copied: number, total: number) => void;
}

/**
 * Copies every table of `tables` from the SQLite database at `sqlitePath` (opened read-only)
 * into `target`, which must be migrated and empty, in one transaction.
 * @throws UnsupportedError when the source holds rows in a table no copier knows (they would
 *   be lost) or its schema is not the one this sitewatch writes.
 * @throws ConflictError naming the table when the target already holds rows.
 * @throws CorruptFileError naming the table when counts or hashes differ after the copy
 *   (rolled back: the target is left empty).
 */
export async function copySqliteToPostgres(
  sqlitePath: string,
  target: PostgresDatabase,
  options: CopyOptions = {},
): Promise<CopyTableReport[]> {
  const explicit = options.tables ?? DEFAULT_COPY_TABLES;
  const source = openSource(sqlitePath);
  try {
    const tables =
      options.tables === undefined
        ? [...explicit, ...(await deriveCopyTables(source, target, explicit))]
        : explicit;
    assertNothingLeftBehind(source, tables, sqlitePath);
    return await target.withTransaction(async (client) => {
      await assertTargetEmpty(client, tables, target.displayUrl);
      const reports: CopyTableReport[] = [];
      for (const table of tables) {
        await copyTable(source, client, table, options);
        reports.push(await verifyTable(source, client, table));
      }
      return reports;
    });
  } finally {
    source.close();
  }
}

function openSource(path: string): Database.Database {
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new SitewatchError(
      'IO',
      `cannot open SQLite database ${path} read-only: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}

function assertNothingLeftBehind(
  source: Database.Database,
  tables: readonly CopyTable[],
  path: string,
): void {
  const known = new Set(tables.map((table) => table.table));
  const names = source
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  const uncopied: string[] = [];
  for (const name of names) {
    if (known.has(name) || NOT_DATA.test(name)) continue;
    const rows = source.prepare(`SELECT count(*) FROM "${name}"`).pluck().get() as number;
    if (rows > 0) uncopied.push(`${name} (${rows} rows)`);
  }
  if (uncopied.length > 0) {
    throw new UnsupportedError(
      `${path} holds rows that cannot be copied to PostgreSQL yet: ${uncopied.join(', ')}; ` +
        'nothing was copied',
    );
  }
  for (const table of tables) {
    if (!names.includes(table.table)) {
      throw new UnsupportedError(
        `${path} has no table '${table.table}'; open it once with this sitewatch to migrate it`,
      );
    }
  }
}

async function assertTargetEmpty(
  client: PgClient,
  tables: readonly CopyTable[],
  where: string,
): Promise<void> {
  for (const table of tables) {
    const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table.table}`);
    const rows = Number(result.rows[0]?.n ?? 0);
    if (rows > 0) {
      throw new ConflictError(
        `target ${where} is not empty: table ${table.table} holds ${rows} rows; ` +
          'copy into a freshly created database',
      );
    }
  }
}

async function copyTable(
  source: Database.Database,
  client: PgClient,
  table: CopyTable,
  options: CopyOptions,
): Promise<void> {
  const batchRows = options.batchRows ?? 1000;
  const total = source.prepare(`SELECT count(*) FROM ${table.table}`).pluck().get() as number;
  const select = `SELECT ${table.columns.map((c) => c.source ?? c.name).join(', ')}
    FROM ${table.table} ORDER BY ${table.orderBy}`;
  const names = table.columns.map((c) => c.name);
  const arrays = table.columns.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ');
  const values = table.columns
    .map((c) =>
      c.insert === undefined ? `u.${c.name}` : c.insert.replace('$value', `u.${c.name}`),
    )
    .join(', ');
  const insert = `INSERT INTO ${table.table} (${names.join(', ')}) OVERRIDING SYSTEM VALUE
    SELECT ${values} FROM unnest(${arrays}) AS u(${names.join(', ')})`;
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const columns = names.map((_, i) => batch.map((row) => row[i]));
    await client.query(insert, columns);
    copied += batch.length;
    batch = [];
    options.onProgress?.(table.table, copied, total);
  };
  for (const row of source.prepare(select).raw().iterate() as IterableIterator<unknown[]>) {
    batch.push(row.map((value) => (typeof value === 'bigint' ? value.toString() : value)));
    if (batch.length >= batchRows) await flush();
  }
  await flush();
  if (table.after !== undefined) await client.query(table.after);
}

/** The value as hashed: null stays null, booleans are 0/1, everything else its text. */
function hashValue(value: unknown, column: CopyColumn | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (column?.json === true) {
    return canonicalJson(typeof value === 'string' ? (JSON.parse(value) as unknown) : value);
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** JSON with object keys sorted, so jsonb's key order does not count as a difference. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    const entries = Object.entries(item as Record<string, unknown>);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

async function verifyTable(
  source: Database.Database,
  client: PgClient,
  table: CopyTable,
): Promise<CopyTableReport> {
  const hashed = table.columns.filter((c) => c.pgHash !== null);
  const sourceSql = `SELECT ${hashed.map((c) => (c.source ?? c.name).replace(' <> 0', '')).join(', ')}
    FROM ${table.table} ORDER BY ${table.orderBy}`;
  const sourceHash = createHash('sha256');
  let sourceRows = 0;
  for (const row of source.prepare(sourceSql).raw().iterate() as IterableIterator<unknown[]>) {
    sourceHash.update(`${JSON.stringify(row.map((value, i) => hashValue(value, hashed[i])))}\n`);
    sourceRows += 1;
  }
  const targetSql = `SELECT ${hashed.map((c) => c.pgHash ?? c.name).join(', ')}
    FROM ${table.table} ORDER BY ${table.pgOrderBy ?? table.orderBy}`;
  const result = await client.query({ text: targetSql, rowMode: 'array' });
  const targetHash = createHash('sha256');
  for (const row of result.rows as unknown[][]) {
    targetHash.update(`${JSON.stringify(row.map((value, i) => hashValue(value, hashed[i])))}\n`);
  }
  const sourceDigest = sourceHash.digest('hex');
  const targetDigest = targetHash.digest('hex');
  if (result.rows.length !== sourceRows || sourceDigest !== targetDigest) {
    throw new CorruptFileError(
      `copy of table ${table.table} does not match: SQLite ${sourceRows} rows sha256 ${sourceDigest}, ` +
        `PostgreSQL ${result.rows.length} rows sha256 ${targetDigest}; rolled back`,
    );
  }
  const geometry = table.columns.filter((c) => c.pgHash === null);
  for (const column of geometry) {
    const expected = source
      .prepare(
        `SELECT count(*) FROM ${table.table} WHERE ${column.source ?? column.name} IS NOT NULL`,
      )
      .pluck()
      .get() as number;
    const stored = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table.table} WHERE ${column.name} IS NOT NULL`,
    );
    if (Number(stored.rows[0]?.n) !== expected) {
      throw new CorruptFileError(
        `copy of ${table.table}.${column.name}: ${expected} values in SQLite, ` +
          `${stored.rows[0]?.n ?? 0} in PostgreSQL; rolled back`,
      );
    }
  }
  return { table: table.table, rows: sourceRows, sha256: sourceDigest };
}

interface PgColumnInfo {
  column_name: string;
  udt_name: string;
  column_default: string | null;
  is_identity: string;
}

/** PostgreSQL array element types for the column types a derived copy supports. */
const PG_TYPES: Readonly<Record<string, string>> = {
  text: 'text',
  varchar: 'text',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  numeric: 'numeric',
  bool: 'boolean',
  timestamptz: 'timestamptz',
  timestamp: 'timestamp',
  json: 'json',
  jsonb: 'jsonb',
};

/**
 * Copy descriptors for the SQLite data tables `explicit` does not cover and PostgreSQL holds
 * under the same name with every SQLite column (and types a copy can carry). Tables that do
 * not fit are left out, so `copySqliteToPostgres` refuses them when they hold rows. Ordered
 * so that a table comes after the tables its foreign keys reference.
 */
export async function deriveCopyTables(
  source: Database.Database,
  target: PostgresDatabase,
  explicit: readonly CopyTable[],
): Promise<CopyTable[]> {
  const known = new Set(explicit.map((table) => table.table));
  const names = (
    source
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[]
  ).filter((name) => !known.has(name) && !NOT_DATA.test(name) && /^[a-z_][a-z0-9_]*$/.test(name));
  const derived = new Map<string, { table: CopyTable; references: string[] }>();
  for (const name of names) {
    const columns = await target.query<PgColumnInfo>(
      `SELECT column_name, udt_name, column_default, is_identity FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [name],
    );
    if (columns.rows.length === 0) continue;
    const pgColumns = new Map(columns.rows.map((row) => [row.column_name, row]));
    const sqliteColumns = (
      source.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]
    ).map((column) => column.name);
    const copyColumns: CopyColumn[] = [];
    let fits = true;
    for (const column of sqliteColumns) {
      const pg = pgColumns.get(column);
      const pgType = pg === undefined ? undefined : PG_TYPES[pg.udt_name];
      if (pgType === undefined) {
        fits = false;
        break;
      }
      copyColumns.push({
        name: column,
        pgType,
        ...(pgType === 'boolean' ? { pgHash: `${column}::int` } : {}),
        ...(pgType === 'timestamptz' ? { pgHash: TIMESTAMP_TEXT(column) } : {}),
        ...(pgType === 'json' || pgType === 'jsonb' ? { json: true } : {}),
      });
    }
    if (!fits) continue;
    const key = await target.query<{ name: string; udt: string }>(
      `SELECT a.attname AS name, t.typname AS udt
       FROM pg_index AS i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
       JOIN pg_type AS t ON t.oid = a.atttypid
       WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY k.n`,
      [name],
    );
    const keyColumns =
      key.rows.length > 0 ? key.rows : sqliteColumns.map((n) => ({ name: n, udt: 'text' }));
    const textual = (udt: string): boolean => udt === 'text' || udt === 'varchar';
    const references = await target.query<{ name: string }>(
      `SELECT DISTINCT confrelid::regclass::text AS name FROM pg_constraint
       WHERE conrelid = $1::regclass AND contype = 'f' AND confrelid <> conrelid`,
      [name],
    );
    const sequences = copyColumns
      .filter((column) => {
        const info = pgColumns.get(column.name);
        return info?.is_identity === 'YES' || info?.column_default?.startsWith('nextval(') === true;
      })
      .map(
        (column) =>
          `SELECT setval(pg_get_serial_sequence('${name}', '${column.name}'), ` +
          `coalesce(max(${column.name}), 0) + 1, false) FROM ${name}`,
      );
    derived.set(name, {
      table: {
        table: name,
        orderBy: keyColumns.map((column) => column.name).join(', '),
        pgOrderBy: keyColumns
          .map((column) => (textual(column.udt) ? `${column.name} COLLATE "C"` : column.name))
          .join(', '),
        columns: copyColumns,
        ...(sequences.length === 0 ? {} : { after: sequences.join('; ') }),
      },
      references: references.rows.map((row) => row.name),
    });
  }
  const ordered: CopyTable[] = [];
  const placed = new Set<string>(known);
  while (derived.size > 0) {
    const ready = [...derived.entries()].filter(([, entry]) =>
      entry.references.every((name) => placed.has(name) || !derived.has(name)),
    );
    const batch = ready.length > 0 ? ready : [...derived.entries()].slice(0, 1);
    for (const [name, entry] of batch) {
      ordered.push(entry.table);
      placed.add(name);
      derived.delete(name);
    }
  }
  return ordered;
}
