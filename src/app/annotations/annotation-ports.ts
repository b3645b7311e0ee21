/** Where annotations are kept; each write is stored with its audit entry in one transaction. */
import type { Annotation, AnnotationDraft } from '../../core/annotations/annotation.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';

export interface NewAnnotation extends AnnotationDraft {
  readonly imageId: string;
  readonly siteId: string | null;
  readonly author: string;
  /** ISO 8601 UTC; also the first `updatedAt`. */
  readonly createdAt: string;
}

export interface AnnotationFilter {
  readonly imageId?: string | undefined;
  readonly siteId?: string | undefined;
}

export interface AnnotationRepository {
  /** Stores a new annotation (numbered `ann_<n>`) and `audit(stored)` together. */
  create(
    annotation: NewAnnotation,
    audit: (stored: Annotation) => NewAuditEntry,
  ): Promise<Annotation>;
  /**
   * Replaces the geometry/properties/deleted flag and `updatedAt` of `annotation.id`, with
   * `audit(stored)`, in one transaction.
   * @throws NotFoundError when no such annotation exists.
   */
  update(annotation: Annotation, audit: (stored: Annotation) => NewAuditEntry): Promise<Annotation>;
  /** Deleted ones too (callers decide). */
  get(id: string): Promise<Annotation | undefined>;
  /** Live (not deleted) annotations, oldest first. */
  list(filter: AnnotationFilter): Promise<Annotation[]>;
}
