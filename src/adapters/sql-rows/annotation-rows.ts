/**
 * The `annotations` row as both SQL stores read it (SQLite migration 10, PostgreSQL migration
 * 104) and its mapping to the domain; `seq` and `deleted` have the dialect's types.
 */
import type { Annotation } from '../../core/annotations/annotation.ts';
import { storedFlag } from './job-rows.ts';

export interface AnnotationRow<Seq extends number | string, Flag extends number | boolean> {
  seq: Seq;
  image_id: string;
  site_id: string | null;
  geometry: string;
  properties: string;
  author: string;
  created_at: string;
  updated_at: string;
  deleted: Flag;
}

export function annotationFromRow(
  row: AnnotationRow<number | string, number | boolean>,
): Annotation {
  return {
    id: `ann_${row.seq}`,
    imageId: row.image_id,
    siteId: row.site_id,
    geometry: JSON.parse(row.geometry) as Annotation['geometry'],
    properties: JSON.parse(row.properties) as Annotation['properties'],
    author: row.author,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deleted: storedFlag(row.deleted),
  };
}

/** The row number of `ann_<n>`, or undefined for any other text. */
export function annotationSeqOf(id: string): number | undefined {
  const match = /^ann_([1-9]\d{0,15})$/.exec(id);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
