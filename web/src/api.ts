/**
 * The workbench's calls to the REST API (same origin, session cookie). Newer calls go through
 * the client generated from docs/openapi.json (api-client.gen.ts), whose types they return;
 * the older hand-written shapes follow src/adapters/http/api-schemas.ts. Errors carry the
 * problem+json `detail` as their message.
 */
import * as generated from './api-client.gen.ts';
import type {
  Annotation,
  Comparison,
  ComparisonChanges,
  DetectionRun as GeneratedDetectionRun,
} from './api-client.gen.ts';

export type { Annotation, Comparison, ComparisonChanges };

/** What a new annotation says: its kind and, for text labels, the text. */
export interface NewAnnotation {
  readonly imageId: string;
  readonly siteId: string | null;
  readonly geometry: Geometry;
  readonly properties: { readonly kind: Annotation['properties']['kind']; readonly text?: string };
}

/** Per zone (`all`: the whole site or image): detections per class, null when not observable. */
export type ZoneCounts = GeneratedDetectionRun['counts'];

export interface Geometry {
  readonly type: string;
  readonly coordinates: unknown;
}

export interface User {
  readonly name: string;
  readonly role: string;
}

export interface Zone {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly geometry: Geometry;
}

export interface Site {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly geometry: Geometry;
  readonly zones: readonly Zone[];
}

export interface Image {
  readonly id: string;
  readonly acquiredAt?: string;
  readonly acquisition?: { readonly acquiredAt: string };
  readonly bands?: readonly { readonly name: string }[];
  readonly footprint: Geometry | null;
  readonly sites: readonly string[];
}

export interface DetectionRun {
  readonly id: string;
  readonly createdAt: string;
  readonly detectionCount: number;
  readonly model: { readonly id: string; readonly version: string };
  readonly counts: ZoneCounts;
}

/** GeoJSON of a run's detections: oriented boxes (lon/lat polygons) with `class` and `score`. */
export interface DetectionsCollection {
  readonly type: 'FeatureCollection';
  readonly runId: string;
  readonly features: readonly {
    /** The detection's index in its run (reviews name it `<run id>#<index>`). */
    readonly id?: number;
    readonly geometry: Geometry | null;
    readonly properties: { readonly class: string; readonly score: number };
  }[];
}

/** One zone-and-metric series of a site with its anomaly scores (GET /api/sites/:id/series). */
export interface ScoredSeries {
  readonly series: {
    readonly key: { readonly zoneId: string | null; readonly metric: string };
    readonly notObservable: readonly { readonly at: string; readonly atMs: number }[];
  };
  readonly scored: readonly {
    readonly at: string;
    readonly atMs: number;
    readonly value: number;
    readonly anomalyScore: number | null;
  }[];
}

/** One piece of evidence of an assessment (core/assess/assessment.ts Evidence). */
export interface Evidence {
  readonly id: string;
  readonly indicator: string;
  readonly site: string;
  readonly observedAt: string | null;
  readonly logLikelihoodRatio: number;
  readonly reason: string;
  readonly overridden: boolean;
  readonly review?: { readonly verdict: string; readonly reason: string } | null;
  readonly sources: readonly { readonly imageId: string | null }[];
}

/** A playbook assessed against the stored observations (POST /api/assessments). */
export interface Assessment {
  readonly hypothesis: string;
  readonly title: string;
  readonly probability: number;
  readonly asOf: string;
  readonly evidence: readonly Evidence[];
  readonly trajectory: readonly { readonly at: string; readonly probability: number }[];
}

/** An alert with each channel's delivery state (GET /api/alerts). */
export type Alert = generated.Alert;

/** A queued, running or finished job (GET /api/jobs). */
export type Job = generated.Job;

interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}

/** An API answer other than 2xx, with the server's explanation. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => ({}))) as { detail?: string };
  if (!response.ok) {
    throw new ApiError(response.status, data.detail ?? `${method} ${path}: ${response.status}`);
  }
  return data as T;
}

/** Every item of a paged list, following `next` cursors. */
async function listAll<T>(path: string, query: Record<string, string>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...query, limit: '500' });
    if (cursor !== null) params.set('cursor', cursor);
    const page: Page<T> = await request<Page<T>>('GET', `${path}?${params.toString()}`);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor !== null);
  return items;
}

export const api = {
  currentUser: async (): Promise<User | undefined> => {
    try {
      return (await request<{ user: User }>('GET', '/api/session')).user;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return undefined;
      throw error;
    }
  },
  login: async (name: string, password: string): Promise<User> =>
    (await request<{ user: User }>('POST', '/api/session', { name, password })).user,
  logout: (): Promise<void> => request<undefined>('DELETE', '/api/session'),
  sites: (search: string): Promise<Site[]> =>
    listAll<Site>('/api/sites', search === '' ? {} : { q: search }),
  images: (siteId: string): Promise<Image[]> => listAll<Image>('/api/images', { site: siteId }),
  /** The image's detection runs, newest first. */
  detectionRuns: (imageId: string): Promise<DetectionRun[]> =>
    listAll<DetectionRun>(`/api/images/${encodeURIComponent(imageId)}/detection-runs`, {}),
  series: async (siteId: string): Promise<ScoredSeries[]> =>
    (
      await request<{ items: ScoredSeries[] }>(
        'GET',
        `/api/sites/${encodeURIComponent(siteId)}/series`,
      )
    ).items,
  /** Assesses the playbook as of `asOf` (ISO 8601; the server's now when empty). */
  assess: (playbook: unknown, asOf: string): Promise<Assessment> =>
    request<Assessment>(
      'POST',
      '/api/assessments',
      asOf === '' ? { playbook } : { playbook, asOf },
    ),
  /** Confirms or rejects an indicator of a playbook: `<playbook id>/<indicator>`. */
  reviewIndicator: (targetId: string, verdict: 'confirm' | 'reject', reason: string) =>
    request<unknown>('POST', '/api/reviews', {
      targetKind: 'indicator',
      targetId,
      verdict,
      reason,
    }),
  /** The newest alerts (one page). */
  alerts: async (): Promise<Alert[]> =>
    (await generated.listAlerts({ query: { limit: 50 } })).items,
  /** The newest jobs (one page). */
  jobs: async (): Promise<Job[]> => (await generated.listJobs({ query: { limit: 50 } })).items,
  cancelJob: (jobId: string): Promise<Job> => generated.cancelJob({ path: { id: jobId } }),
  detections: (runId: string): Promise<DetectionsCollection> =>
    request<DetectionsCollection>(
      'GET',
      `/api/detection-runs/${encodeURIComponent(runId)}/detections`,
    ),
  /** The verdict in force per detection of a run (the newest review of each), by index. */
  detectionVerdicts: async (runId: string): Promise<Map<number, 'confirm' | 'reject'>> => {
    const reviews: { targetId: string; verdict: 'confirm' | 'reject'; at: string }[] = [];
    let cursor: string | undefined;
    do {
      const query: { targetKind: 'detection'; limit: number; cursor?: string } = {
        targetKind: 'detection',
        limit: 500,
      };
      if (cursor !== undefined) query.cursor = cursor;
      const page = await generated.listReviews({ query });
      reviews.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
    const verdicts = new Map<number, 'confirm' | 'reject'>();
    for (const review of reviews.sort((x, y) => x.at.localeCompare(y.at))) {
      const [run, index] = review.targetId.split('#');
      if (run === runId && index !== undefined) verdicts.set(Number(index), review.verdict);
    }
    return verdicts;
  },
  /** Confirms or rejects one detection of a run: `<run id>#<index>`. */
  reviewDetection: (targetId: string, verdict: 'confirm' | 'reject', reason: string) =>
    generated.createReview({ body: { targetKind: 'detection', targetId, verdict, reason } }),
  /** The live annotations drawn on an image, oldest first. */
  annotations: async (imageId: string): Promise<Annotation[]> => {
    const items: Annotation[] = [];
    let cursor: string | undefined;
    do {
      const query: { imageId: string; limit: number; cursor?: string } = { imageId, limit: 500 };
      if (cursor !== undefined) query.cursor = cursor;
      const page = await generated.listAnnotations({ query });
      items.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
    return items;
  },
  createAnnotation: (annotation: NewAnnotation): Promise<Annotation> =>
    generated.createAnnotation({ body: annotation }),
  deleteAnnotation: (id: string): Promise<void> => generated.deleteAnnotation({ path: { id } }),
  /** The newest comparison of exactly A → B, or undefined when there is none. */
  comparisonOf: async (imageA: string, imageB: string): Promise<Comparison | undefined> => {
    let cursor: string | undefined;
    do {
      const query: { limit: number; cursor?: string } = { limit: 500 };
      if (cursor !== undefined) query.cursor = cursor;
      const page = await generated.listImageComparisons({ path: { id: imageB }, query });
      const found = page.items.find((c) => c.imageA === imageA && c.imageB === imageB);
      if (found !== undefined) return found;
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
    return undefined;
  },
  changes: (comparisonId: string): Promise<ComparisonChanges> =>
    generated.getComparisonChanges({ path: { id: comparisonId } }),
};

/** Where a site layer downloads from: what `sitewatch export --site` writes. */
export function siteExportUrl(siteId: string, what: string, format: string): string {
  const query = new URLSearchParams({ what, format });
  return `/api/sites/${encodeURIComponent(siteId)}/export?${query.toString()}`;
}

/** An annotated figure of the site on an image (PNG), as `sitewatch figure` draws it. */
export function siteFigureUrl(siteId: string, imageId: string): string {
  return `/api/sites/${encodeURIComponent(siteId)}/figure?image=${encodeURIComponent(imageId)}`;
}

/** The site's brief (PDF), as `sitewatch report --site` writes it. */
export function siteBriefUrl(siteId: string): string {
  return `/api/sites/${encodeURIComponent(siteId)}/brief`;
}

/** Where a comparison raster downloads from: what `sitewatch export --comparison` writes. */
export function comparisonExportUrl(comparisonId: string, what: string): string {
  return `/api/comparisons/${encodeURIComponent(comparisonId)}/export?what=${encodeURIComponent(what)}`;
}

/** The acquisition time of an image, ISO 8601. */
export function acquiredAtOf(image: Image): string {
  return image.acquiredAt ?? image.acquisition?.acquiredAt ?? '';
}

const TRUE_COLOUR = ['B04', 'B03', 'B02'];

/** The XYZ tile URL template of an image: true colour for Sentinel-2 style band sets. */
export function tileUrlOf(image: Image): string {
  const names = new Set((image.bands ?? []).map((band) => band.name));
  const bands = TRUE_COLOUR.every((name) => names.has(name))
    ? `?bands=${TRUE_COLOUR.join(',')}`
    : '';
  return `/api/images/${encodeURIComponent(image.id)}/tiles/{z}/{x}/{y}.png${bands}`;
}
