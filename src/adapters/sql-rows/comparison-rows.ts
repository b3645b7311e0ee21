/** The `comparisons` row (one JSON document each) as both SQL stores read and write it. */
import { COMPARISON_SCHEMA_VERSION, type Comparison } from '../../core/change/comparison.ts';
import {
  encodeDocument,
  readStoredDocument,
  type DocumentSchema,
} from '../sqlite/stored-document.ts';

const COMPARISON_SCHEMA: DocumentSchema = {
  kind: 'comparison',
  currentVersion: COMPARISON_SCHEMA_VERSION,
  upgrades: new Map(),
};

export interface ComparisonRow {
  id: string;
  doc: string;
}

export function comparisonFromRow(row: ComparisonRow): Comparison {
  return readStoredDocument(row.doc, row.id, COMPARISON_SCHEMA) as unknown as Comparison;
}

/** Values for `INSERT INTO comparisons (id, image_a, image_b, created_at, doc, schema_version)`. */
export function comparisonToParams(comparison: Comparison): (string | number)[] {
  return [
    comparison.id,
    comparison.imageA,
    comparison.imageB,
    comparison.createdAt,
    encodeDocument(comparison),
    comparison.schemaVersion,
  ];
}
