/**
 * Use cases for analysts' annotations: create on an existing image (and site), edit and
 * soft-delete (the author or an admin), list per image or site. Every write is stored with
 * its audit entry in one transaction.
 */
import type { User } from '../accounts/account-ports.ts';
import {
  annotationAuditEntry,
  parseAnnotationDraft,
  type Annotation,
} from '../../core/annotations/annotation.ts';
import { ForbiddenError } from '../../core/auth/auth-errors.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { Clock, ImageRepository, SiteRepository } from '../ports.ts';
import type { AnnotationFilter, AnnotationRepository } from './annotation-ports.ts';

export interface AnnotationDeps {
  readonly annotations: AnnotationRepository;
  readonly images: Pick<ImageRepository, 'get'>;
  readonly sites: Pick<SiteRepository, 'get'>;
  readonly clock: Clock;
}

export interface AnnotationRequest {
  readonly imageId: string;
  readonly siteId?: string | null | undefined;
  /** Untrusted GeoJSON geometry (lon/lat). */
  readonly geometry: unknown;
  readonly properties: unknown;
}

/**
 * @throws ValidationError/GeometryError naming the bad field; NotFoundError naming the
 *   image or site when it does not exist.
 */
export async function createAnnotation(
  deps: AnnotationDeps,
  request: AnnotationRequest,
  author: Pick<User, 'name' | 'role'>,
): Promise<Annotation> {
  const draft = parseAnnotationDraft(request.geometry, request.properties);
  if ((await deps.images.get(request.imageId)) === undefined) {
    throw new NotFoundError(`imageId: no image "${request.imageId}"`);
  }
  const siteId = request.siteId ?? null;
  if (siteId !== null && (await deps.sites.get(siteId)) === undefined) {
    throw new NotFoundError(`siteId: no site "${siteId}"`);
  }
  return deps.annotations.create(
    {
      ...draft,
      imageId: request.imageId,
      siteId,
      author: author.name,
      createdAt: deps.clock.nowIso(),
    },
    (stored) => annotationAuditEntry('annotation.create', author.name, stored),
  );
}

/** A live annotation the caller may change. */
async function editable(
  deps: AnnotationDeps,
  id: string,
  caller: Pick<User, 'name' | 'role'>,
): Promise<Annotation> {
  const annotation = await deps.annotations.get(id);
  if (annotation === undefined || annotation.deleted) {
    throw new NotFoundError(`annotation "${id}" not found`);
  }
  if (annotation.author !== caller.name && caller.role !== 'admin') {
    throw new ForbiddenError(
      `annotation "${id}" is ${annotation.author}'s; only its author or an admin may change it`,
    );
  }
  return annotation;
}

/**
 * Replaces the geometry and/or properties (re-measuring a measurement).
 * @throws NotFoundError, ForbiddenError (neither author nor admin), ValidationError.
 */
export async function updateAnnotation(
  deps: AnnotationDeps,
  id: string,
  patch: { readonly geometry?: unknown; readonly properties?: unknown },
  caller: Pick<User, 'name' | 'role'>,
): Promise<Annotation> {
  const current = await editable(deps, id, caller);
  const draft = parseAnnotationDraft(
    patch.geometry ?? current.geometry,
    patch.properties ?? current.properties,
  );
  return deps.annotations.update(
    { ...current, ...draft, updatedAt: deps.clock.nowIso() },
    (stored) => annotationAuditEntry('annotation.update', caller.name, stored),
  );
}

/** Soft delete: the annotation stays stored, flagged, and leaves every list. */
export async function deleteAnnotation(
  deps: AnnotationDeps,
  id: string,
  caller: Pick<User, 'name' | 'role'>,
): Promise<Annotation> {
  const current = await editable(deps, id, caller);
  return deps.annotations.update(
    { ...current, deleted: true, updatedAt: deps.clock.nowIso() },
    (stored) => annotationAuditEntry('annotation.delete', caller.name, stored),
  );
}

export function listAnnotations(
  deps: AnnotationDeps,
  filter: AnnotationFilter,
): Promise<Annotation[]> {
  return deps.annotations.list(filter);
}
