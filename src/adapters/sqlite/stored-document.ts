/**
 * JSON documents as stored in the `doc` columns: lossless for every JavaScript number
 * (NaN, ±Infinity and -0 are tagged, since plain JSON turns them into null or 0, and a NaN
 * nodata value must not come back as "no nodata"), versioned by `schemaVersion` and
 * upgraded on read.
 */
import { CorruptFileError, UnsupportedError } from '../../core/errors.ts';

const FLOAT_TAG = '$float';
type TaggedFloat = 'NaN' | 'Infinity' | '-Infinity' | '-0';

/** Serialises `value` as JSON, tagging the numbers JSON cannot hold as `{"$float": "NaN"}`. */
export function encodeDocument(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'number') return item;
    if (Number.isNaN(item)) return { [FLOAT_TAG]: 'NaN' };
    if (item === Infinity) return { [FLOAT_TAG]: 'Infinity' };
    if (item === -Infinity) return { [FLOAT_TAG]: '-Infinity' };
    if (Object.is(item, -0)) return { [FLOAT_TAG]: '-0' };
    return item;
  });
}

const TAGGED: Readonly<Record<TaggedFloat, number>> = {
  NaN: NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity,
  '-0': -0,
};

/**
 * Parses what {@link encodeDocument} wrote.
 * @throws SyntaxError when `text` is not JSON (callers name the row).
 */
export function decodeDocument(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    const keys = Object.keys(item);
    if (keys.length !== 1 || keys[0] !== FLOAT_TAG) return item;
    const tag = (item as Record<string, unknown>)[FLOAT_TAG];
    return typeof tag === 'string' && tag in TAGGED ? TAGGED[tag as TaggedFloat] : item;
  });
}

/** A shallow copy of `value` without `key`. */
export function omitKey<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  return Object.fromEntries(Object.entries(value).filter(([name]) => name !== key)) as Omit<T, K>;
}

/** Upgrades a document from version `n` to `n + 1`. */
export type DocumentUpgrade = (doc: Record<string, unknown>) => Record<string, unknown>;

export interface DocumentSchema {
  /** For messages, e.g. `site` or `image`. */
  readonly kind: string;
  readonly currentVersion: number;
  /** Keyed by the version they upgrade from. */
  readonly upgrades: ReadonlyMap<number, DocumentUpgrade>;
}

/**
 * Decodes a stored document, checks its `schemaVersion` and runs the upgrades up to the
 * current version (migrate-on-read).
 * @param id the row id, named in error messages.
 * @throws CorruptFileError when the text is not a JSON object with an integer schemaVersion.
 * @throws UnsupportedError when the version is newer than the code, or no upgrade path exists.
 */
export function readStoredDocument(
  text: string,
  id: string,
  schema: DocumentSchema,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = decodeDocument(text);
  } catch (error) {
    throw new CorruptFileError(`stored ${schema.kind} '${id}' is not valid JSON`, {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CorruptFileError(`stored ${schema.kind} '${id}' is not a JSON object`);
  }
  let doc = parsed as Record<string, unknown>;
  let version = doc.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new CorruptFileError(
      `stored ${schema.kind} '${id}' has schemaVersion ${String(version)}; expected an integer >= 1`,
    );
  }
  if (version > schema.currentVersion) {
    throw new UnsupportedError(
      `stored ${schema.kind} '${id}' has schemaVersion ${version}, newer than this sitewatch ` +
        `reads (${schema.currentVersion})`,
    );
  }
  while (version < schema.currentVersion) {
    const upgrade = schema.upgrades.get(version);
    if (upgrade === undefined) {
      throw new UnsupportedError(
        `no upgrade for stored ${schema.kind} '${id}' from schemaVersion ${version}`,
      );
    }
    version += 1;
    doc = { ...upgrade(doc), schemaVersion: version };
  }
  return doc;
}
