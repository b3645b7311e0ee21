/**
 * The workbench's calls to the REST API (same origin, session cookie). Shapes follow
 * src/adapters/http/api-schemas.ts; errors carry the problem+json `detail`.
 */

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
}

/** GeoJSON of a run's detections: oriented boxes (lon/lat polygons) with `class` and `score`. */
export interface DetectionsCollection {
  readonly type: 'FeatureCollection';
  readonly runId: string;
  readonly features: readonly {
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
export interface Alert {
  readonly alert: {
    readonly id: string;
    readonly ruleId: string;
    readonly severity: string;
    readonly factAt: string;
  };
  readonly deliveries: readonly { readonly channel: string; readonly state: string }[];
}

/** A queued, running or finished job (GET /api/jobs). */
export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  readonly cancelRequested: boolean;
  readonly progress: {
    readonly stage: string;
    readonly done: number;
    readonly total: number;
  } | null;
  readonly error: string | null;
}

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
    (await request<Page<Alert>>('GET', '/api/alerts?limit=50')).items,
  /** The newest jobs (one page). */
  jobs: async (): Promise<Job[]> => (await request<Page<Job>>('GET', '/api/jobs?limit=50')).items,
  cancelJob: (jobId: string): Promise<Job> =>
    request<Job>('POST', `/api/jobs/${encodeURIComponent(jobId)}/cancel`),
  detections: (runId: string): Promise<DetectionsCollection> =>
    request<DetectionsCollection>(
      'GET',
      `/api/detection-runs/${encodeURIComponent(runId)}/detections`,
    ),
};

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
