/**
 * The `sites` row (one JSON document per site) as both SQL stores read and write it, and the
 * checks on an `upsertMany` input that both run before writing.
 */
import type { Site } from '../../core/catalog/site.ts';
import { CorruptFileError, ValidationError } from '../../core/errors.ts';
import {
  encodeDocument,
  omitKey,
  readStoredDocument,
  type DocumentSchema,
} from '../sqlite/stored-document.ts';

/** Version of the stored site document; bump it and add an upgrade when Site changes shape. */
export const SITE_DOCUMENT_VERSION = 1;

const SITE_SCHEMA: DocumentSchema = {
  kind: 'site',
  currentVersion: SITE_DOCUMENT_VERSION,
  upgrades: new Map(),
};

export interface SiteRow {
  id: string;
  doc: string;
}

/** The `doc` column of `site`. */
export function siteDocument(site: Site): string {
  return encodeDocument({ schemaVersion: SITE_DOCUMENT_VERSION, ...site });
}

export function siteFromRow(row: SiteRow): Site {
  const site = omitKey(readStoredDocument(row.doc, row.id, SITE_SCHEMA), 'schemaVersion');
  if (site.id !== row.id) {
    throw new CorruptFileError(
      `stored site '${row.id}' holds a document for id '${String(site.id)}'`,
    );
  }
  return site as unknown as Site;
}

/** Each site once, and an image index only for sites of the same upsert. */
export function assertUpsertInput(
  sites: readonly Site[],
  imageSites: ReadonlyMap<string, readonly string[]>,
): void {
  const ids = new Set<string>();
  for (const site of sites) {
    if (ids.has(site.id)) {
      throw new ValidationError(`site id '${site.id}' appears twice in one upsert; expected once`);
    }
    ids.add(site.id);
  }
  for (const siteId of imageSites.keys()) {
    if (!ids.has(siteId)) {
      throw new ValidationError(
        `image index given for site '${siteId}', which is not among the sites upserted`,
      );
    }
  }
}
