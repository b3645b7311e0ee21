// Generated from docs/openapi.json by scripts/gen-api-client.ts: do not edit.
// Regenerate with `REGEN=1 npx vitest run src/adapters/http/api-client-gen.test.ts`.

/** An alert with each channel’s delivery state. */
export interface Alert {
  alert: {
    id: string;
    ruleId: string;
    severity: string;
    decidedAt: string;
    factAt: string;
    [key: string]: unknown;
  };
  deliveries: Array<{
    channel: string;
    state: string;
    [key: string]: unknown;
  }>;
}

/** An annotation on an image (core/annotations/annotation.ts Annotation). */
export interface Annotation {
  id: string;
  imageId: string;
  siteId: string | null;
  /** lon/lat GeoJSON: box and polygon a Polygon (closed rings), arrow a LineString, text a Point, measurement a LineString or Polygon; at most 10,000 vertices. */
  geometry: {
    type: 'Point' | 'LineString' | 'Polygon';
    coordinates: unknown[];
  };
  properties: {
    kind: 'box' | 'polygon' | 'arrow' | 'text' | 'measurement';
    /** Required for `text` labels. */
    text?: string;
    /** `#rrggbb` or `#rrggbbaa`. */
    color?: string;
    /** Measurements: length of the line, or perimeter of the polygon (metres). */
    length_m?: number;
    /** Polygon measurements: area (square metres). */
    area_m2?: number;
  };
  author: string;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
}

/** A fused assessment with its evidence trail (core/assess/assessment.ts). */
export interface Assessment {
  hypothesis: string;
  prior: number;
  probability: number;
  asOf: string;
  evidence: Array<{
    id: string;
    [key: string]: unknown;
  }>;
  trajectory: Array<{
    at: string;
    probability: number;
    logOdds: number;
  }>;
  [key: string]: unknown;
}

/** A stored comparison of two images (core/change/comparison.ts Comparison). */
export interface Comparison {
  id: string;
  imageA: string;
  imageB: string;
  createdAt: string;
  changedFraction: number;
  polygonCount: number;
  /** Co-registration of B onto A in reference pixels (core/change/comparison.ts). */
  registration: {
    dx: number;
    dy: number;
    residualMedianPx: number | null;
    residualP90Px: number | null;
    /** Of the global shift, 0–1. */
    confidence: number;
    /** confidence ≥ 0.5; when false the shift is not applied. */
    reliable: boolean;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Change polygons of a comparison with its registration report. */
export interface ComparisonChanges {
  type: 'FeatureCollection';
  comparisonId: string;
  /** Co-registration of B onto A in reference pixels (core/change/comparison.ts). */
  registration: {
    dx: number;
    dy: number;
    residualMedianPx: number | null;
    residualP90Px: number | null;
    /** Of the global shift, 0–1. */
    confidence: number;
    /** confidence ≥ 0.5; when false the shift is not applied. */
    reliable: boolean;
    [key: string]: unknown;
  };
  features: Array<{
    type: 'Feature';
    /** lon/lat Polygon or MultiPolygon; null for images without georeferencing. */
    geometry: {
      type: string;
      coordinates: unknown;
      [key: string]: unknown;
    } | null;
    properties: {
      areaM2: number | null;
      meanMagnitude: number;
      zone: string | null;
      pixelCount: number;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

/** A new API token: send it as `Authorization: Bearer <token>`. */
export interface CreatedToken {
  /** Shown once; only its sha256 is stored. */
  token: string;
  id: string;
  userName: string;
  label: string;
  createdAt: string;
}

/** A detection run (app/detect/detection-run.ts DetectionRun). */
export interface DetectionRun {
  id: string;
  imageId: string;
  createdAt: string;
  detectionCount: number;
  model: {
    id: string;
    version: string;
    [key: string]: unknown;
  };
  counts: Array<{
    /** Zone id, or `all` for the whole site or image. */
    zone: string;
    observable: boolean;
    /** Detections per class; null when the zone was not observable. */
    counts: {
      [key: string]: number;
    } | null;
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

/** The detections of a run as GeoJSON (app/detect/detections-geojson.ts). */
export interface DetectionsFeatureCollection {
  type: 'FeatureCollection';
  runId: string;
  imageId: string;
  features: Array<{
    type: 'Feature';
    geometry: {
      type: string;
      coordinates: unknown;
      [key: string]: unknown;
    } | null;
    properties: {
      class: string;
      score: number;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

/** An ingested image (core/imagery/image.ts ImageRecord). */
export interface Image {
  id: string;
  sha256: string;
  width: number;
  height: number;
  acquiredAt: string;
  crs: string | null;
  gsdMeters: number | null;
  footprint: {
    type: string;
    coordinates: unknown;
    [key: string]: unknown;
  } | null;
  sites: string[];
  [key: string]: unknown;
}

/** A queued, running or finished job (core/jobs/job.ts Job). */
export interface Job {
  id: string;
  kind: 'compare' | 'detect' | 'assess';
  state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  payload: unknown;
  attempt: number;
  maxAttempts: number;
  createdAt: string;
  updatedAt: string;
  cancelRequested: boolean;
  progress: {
    stage: string;
    done: number;
    total: number;
    [key: string]: unknown;
  } | null;
  result: unknown;
  error: string | null;
  [key: string]: unknown;
}

/** An observation (core/activity/observation.ts Observation). */
export interface Observation {
  id: string;
  siteId: string;
  zoneId: string | null;
  metric: string;
  value: unknown;
  observedAt: string;
  observability: {
    state: 'observed' | 'not-observable';
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** RFC 9457 problem details (application/problem+json). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Each bad field (`query.since`, `body.password`, …) and what was expected. */
  invalidParams?: Array<{
    name: string;
    reason: string;
  }>;
}

/** A series with baselines and anomaly scores (app/activity/series-query.ts). */
export interface ScoredSeries {
  series: {
    key: {
      metric: string;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  scored: Array<{
    anomalyScore: number | null;
    reason: string | null;
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

export interface Session {
  user: User;
  expiresAt: string | null;
}

/** A watched facility with its zones and links (core/catalog/site.ts Site). */
export interface Site {
  id: string;
  name: string;
  kind: string;
  tags: string[];
  notes: string;
  /** GeoJSON geometry, lon/lat (EPSG:4326). */
  geometry: {
    type: string;
    coordinates: unknown;
    [key: string]: unknown;
  };
  zones: Array<{
    id: string;
    name: string;
    kind: string;
    /** GeoJSON geometry, lon/lat (EPSG:4326). */
    geometry: {
      type: string;
      coordinates: unknown;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  }>;
  links: Array<{
    target: string;
    relation: string;
    note?: string;
  }>;
  [key: string]: unknown;
}

export interface User {
  name: string;
  role: 'viewer' | 'analyst' | 'admin';
  createdAt: string;
}

/** A failed request: the server's problem+json (RFC 9457), with each bad field. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  constructor(status: number, problem: Problem | undefined, fallback: string) {
    super(problem?.detail ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

export interface ApiClientOptions {
  /** Default: same origin. */
  readonly baseUrl?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
}

type QueryValue = string | number | boolean | undefined;

async function call(
  method: string,
  path: string,
  query: Readonly<Record<string, QueryValue>> | undefined,
  body: unknown,
  answer: 'json' | 'blob' | 'none',
  options: ApiClientOptions,
): Promise<unknown> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) search.set(name, String(value));
  }
  const text = search.toString();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await (options.fetch ?? fetch)(
    `${options.baseUrl ?? ''}${path}${text === '' ? '' : `?${text}`}`,
    {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  if (!response.ok) {
    const problem = response.headers.get('content-type')?.includes('json')
      ? ((await response.json()) as Problem)
      : undefined;
    throw new ApiError(response.status, problem, `${method} ${path}: HTTP ${response.status}`);
  }
  if (answer === 'none') return undefined;
  return answer === 'blob' ? response.blob() : response.json();
}

/** GET /api/alerts: Alerts, newest first, with each channel’s delivery state. */
export async function listAlerts(
  input: { query?: { limit?: number; cursor?: string; rule?: string; since?: string } } = {},
  options: ApiClientOptions = {},
): Promise<{
  items: Alert[];
  next: string | null;
}> {
  return (await call('GET', '/api/alerts', input.query, undefined, 'json', options)) as {
    items: Alert[];
    next: string | null;
  };
}

/** GET /api/annotations: Live (not deleted) annotations, oldest first, by image and/or site. */
export async function listAnnotations(
  input: { query?: { limit?: number; cursor?: string; imageId?: string; siteId?: string } } = {},
  options: ApiClientOptions = {},
): Promise<{
  items: Annotation[];
  next: string | null;
}> {
  return (await call('GET', '/api/annotations', input.query, undefined, 'json', options)) as {
    items: Annotation[];
    next: string | null;
  };
}

/** POST /api/annotations: Save a drawing on an image; the caller is the author. A malformed geometry answers 400 naming the field. */
export async function createAnnotation(
  input: {
    body: {
      imageId: string;
      siteId?: string | null;
      geometry: unknown;
      properties: unknown;
    };
  },
  options: ApiClientOptions = {},
): Promise<Annotation> {
  return (await call(
    'POST',
    '/api/annotations',
    undefined,
    input.body,
    'json',
    options,
  )) as Annotation;
}

/** DELETE /api/annotations/{id}: Delete an annotation (soft: kept and audited, gone from lists; author or admin). */
export async function deleteAnnotation(
  input: { path: { id: string } },
  options: ApiClientOptions = {},
): Promise<void> {
  await call(
    'DELETE',
    `/api/annotations/${encodeURIComponent(input.path.id)}`,
    undefined,
    undefined,
    'none',
    options,
  );
}

/** PATCH /api/annotations/{id}: Replace an annotation’s geometry and/or properties (its author or an admin). */
export async function updateAnnotation(
  input: {
    path: { id: string };
    body: {
      geometry?: unknown;
      properties?: unknown;
    };
  },
  options: ApiClientOptions = {},
): Promise<Annotation> {
  return (await call(
    'PATCH',
    `/api/annotations/${encodeURIComponent(input.path.id)}`,
    undefined,
    input.body,
    'json',
    options,
  )) as Annotation;
}

/** POST /api/assessments: Assess a playbook (given in the body) against the stored observations. */
export async function assess(
  input: {
    body: {
      playbook: unknown;
      asOf?: string;
    };
  },
  options: ApiClientOptions = {},
): Promise<Assessment> {
  return (await call(
    'POST',
    '/api/assessments',
    undefined,
    input.body,
    'json',
    options,
  )) as Assessment;
}

/** GET /api/comparisons/{id}: One comparison with its registration report and zone changes. */
export async function getComparison(
  input: { path: { id: string } },
  options: ApiClientOptions = {},
): Promise<Comparison> {
  return (await call(
    'GET',
    `/api/comparisons/${encodeURIComponent(input.path.id)}`,
    undefined,
    undefined,
    'json',
    options,
  )) as Comparison;
}

/** GET /api/comparisons/{id}/changes: The comparison’s change polygons (lon/lat GeoJSON, from the changes.geojson of its output folder) with its registration report; 404 when it was compared without an output folder or the file is gone. */
export async function getComparisonChanges(
  input: { path: { id: string } },
  options: ApiClientOptions = {},
): Promise<ComparisonChanges> {
  return (await call(
    'GET',
    `/api/comparisons/${encodeURIComponent(input.path.id)}/changes`,
    undefined,
    undefined,
    'json',
    options,
  )) as ComparisonChanges;
}

/** GET /api/comparisons/{id}/export: A comparison’s change mask or magnitude as a Cloud-Optimized GeoTIFF: the file `sitewatch export --comparison ID --what … --format cog` writes, as a download; 404 when it was compared without an output folder. */
export async function exportComparison(
  input: { path: { id: string }; query: { what: 'change-mask' | 'change-magnitude' } },
  options: ApiClientOptions = {},
): Promise<Blob> {
  return (await call(
    'GET',
    `/api/comparisons/${encodeURIComponent(input.path.id)}/export`,
    input.query,
    undefined,
    'blob',
    options,
  )) as Blob;
}

/** GET /api/detection-runs/{id}/detections: The detections of a run as a GeoJSON FeatureCollection. */
export async function getRunDetections(
  input: { path: { id: string } },
  options: ApiClientOptions = {},
): Promise<Blob> {
  return (await call(
    'GET',
    `/api/detection-runs/${encodeURIComponent(input.path.id)}/detections`,
    undefined,
    undefined,
    'blob',
    options,
  )) as Blob;
}

/** GET /api/health: Health: 200 when the server answers and its store and queue do, else 503 naming the failed check (no authentication). */
export async function getHealth(options: ApiClientOptions = {}): Promise<{
  status: 'ok';
  version: string;
  checks?: {
    [key: string]: 'ok';
  };
}> {
  return (await call('GET', '/api/health', undefined, undefined, 'json', options)) as {
    status: 'ok';
    version: string;
    checks?: {
      [key: string]: 'ok';
    };
  };
}

/** GET /api/images: Images by acquisition time, filtered by site and date. */
export async function listImages(
  input: {
    query?: { limit?: number; cursor?: string; since?: string; until?: string; site?: string };
  } = {},
  options: ApiClientOptions = {},
): Promise<{
  items: Image[];
  next: string | null;
}> {
  return (await call('GET', '/api/images', input.query, undefined, 'json', options)) as {
    items: Image[];
    next: string | null;
  };
}

/** GET /api/images/{id}: One image record. */
export async function getImage(
  input: { path: { id: string } },
  options: ApiClientOptions = {},
): Promise<Image> {
  return (await call(
    'GET',
    `/api/images/${encodeURIComponent(input.path.id)}`,
    undefined,
    undefined,
    'json',
    options,
  )) as Image;
}

/** GET /api/images/{id}/comparisons: Comparisons involving the image (as A or B), newest first. */
export async function listImageComparisons(
  input: { path: { id: string }; query?: { limit?: number; cursor?: string } },
  options: ApiClientOptions = {},
): Promise<{
  items: Comparison[];
  next: string | null;
}> {
  return (await call(
    'GET',
    `/api/images/${encodeURIComponent(input.path.id)}/comparisons`,
    input.query,
    undefined,
    'json',
    options,
  )) as {
    items: Comparison[];
    next: string | null;
  };
}

/** GET /api/images/{id}/detection-runs: Detection runs on the image, newest first, with counts per zone. */
export async function listImageDetectionRuns(
  input: { path: { id: string }; query?: { limit?: number; cursor?: string } },
  options: ApiClientOptions = {},
): Promise<{
  items: DetectionRun[];
  next: string | null;
}> {
  return (await call(
    'GET',
    `/api/images/${encodeURIComponent(input.path.id)}/detection-runs`,
    input.query,
    undefined,
    'json',
    options,
  )) as {
    items: DetectionRun[];
    next: string | null;
  };
}

/** GET /api/images/{id}/pixel-tiles/{z}/{x}/{file}: A pixel-space tile (images without georeferencing; zoom 0 is the whole image); `file` is `<y>.png`. */
export async function getPixelTile(
  input: {
    path: { id: string; z: string; x: string; file: string };
    query?: { bands?: string; stretch?: string };
  },
  options: ApiClientOptions = {},
): Promise<Blob> {
  return (await call(
    'GET',
    `/api/images/${encodeURIComponent(input.path.id)}/pixel-tiles/${encodeURIComponent(input.path.z)}/${encodeURIComponent(input.path.x)}/${encodeURIComponent(input.path.file)}`,
    input.query,
    undefined,
    'blob',
    options,
  )) as Blob;
}

/** GET /api/images/{id}/tiles/{z}/{x}/{file}: A Web-Mercator XYZ tile of a georeferenced image; `file` is `<y>.png` or `<y>.webp`. Strong ETag, 304 on If-None-Match, `Cache-Control: private, max-age=3600`. */
export async function getTile(
  input: {
    path: { id: string; z: string; x: string; file: string };
    query?: { bands?: string; stretch?: string };
  },
  options: ApiClientOptions = {},
): Promise<Blob> {
  return (await call(
    'GET',
    `/api/images/${encodeURIComponent(input.path.id)}/tiles/${encodeURIComponent(input.path.z)}/${encodeURIComponent(input.path.x)}/${encodeURIComponent(input.path.file)}`,
    input.query,
    undefined,
    'blob',
    options,
  )) as Blob;
}

/** GET /api/jobs: Jobs, newest first, by state and kind. */
export async function listJobs(
  input: {
    query?: {
      limit?: number;
      cursor?: string;
      state?: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
      kind?: 'compare' | 'detect' | 'assess';
    };
  } = {},
  options: ApiClientOptions = {},
): Promise<{
  items: Job[];
  next: string | null;
}> {
  return (await call('GET', '/api/jobs', input.query, undefined, 'json', options)) as {
    items: Job[];
    next: string | null;
  };
}

/** POST /api/jobs: Queue a compare, detect or assess job; answers 202 with the job and a Location. */
export async function createJob(
  input: {
    body: {
      kind: 'compare' | 'detect' | 'assess';
      payload: unknown;
      maxAttempts?: number;
    };
  },
  options: ApiClientOptions = {},
): Promise<Job> {
  return (await call('POST', '/api/jobs', undefined, input.body, 'json', options)) as Job;
}

/** GET /api/jobs/{id}: One job: state, progress, result or error. */
export async function getJob(
  input: { path: { id: string } },
  options: ApiClientOptions = {},
): Promise<Job> {
  return (await call(
    'GET',
    `/api/jobs/${encodeURIComponent(input.path.id)}`,
    undefined,
    undefined,
    'json',
    options,
  )) as Job;
}

/** POST /api/jobs/{id}/cancel: Cancel a job: a queued one at once, a running one at its next checkpoint. */
export async function cancelJob(
  input: { path: { id: string } },
  options: ApiClientOptions = {},
): Promise<Job> {
  return (await call(
    'POST',
    `/api/jobs/${encodeURIComponent(input.path.id)}/cancel`,
    undefined,
    undefined,
    'json',
    options,
  )) as Job;
}

/** GET /api/observations: Observations by time, filtered by site, zone, metric and date. */
export async function listObservations(
  input: {
    query?: {
      limit?: number;
      cursor?: string;
      since?: string;
      until?: string;
      site?: string;
      zone?: string;
      metric?: string;
    };
  } = {},
  options: ApiClientOptions = {},
): Promise<{
  items: Observation[];
  next: string | null;
}> {
  return (await call('GET', '/api/observations', input.query, undefined, 'json', options)) as {
    items: Observation[];
    next: string | null;
  };
}

/** GET /api/openapi.json: This OpenAPI 3.1 document (no authentication). */
export async function getOpenApi(options: ApiClientOptions = {}): Promise<{
  openapi: string;
  [key: string]: unknown;
}> {
  return (await call('GET', '/api/openapi.json', undefined, undefined, 'json', options)) as {
    openapi: string;
    [key: string]: unknown;
  };
}

/** GET /api/reviews: Reviews in the order entered (later reviews of a target supersede earlier ones). */
export async function listReviews(
  input: {
    query?: {
      limit?: number;
      cursor?: string;
      targetKind?: 'detection' | 'observation' | 'indicator';
      targetId?: string;
    };
  } = {},
  options: ApiClientOptions = {},
): Promise<{
  items: Array<{
    id: string;
    targetKind: 'detection' | 'observation' | 'indicator';
    targetId: string;
    verdict: 'confirm' | 'reject';
    reason: string;
    author: string;
    at: string;
    [key: string]: unknown;
  }>;
  next: string | null;
}> {
  return (await call('GET', '/api/reviews', input.query, undefined, 'json', options)) as {
    items: Array<{
      id: string;
      targetKind: 'detection' | 'observation' | 'indicator';
      targetId: string;
      verdict: 'confirm' | 'reject';
      reason: string;
      author: string;
      at: string;
      [key: string]: unknown;
    }>;
    next: string | null;
  };
}

/** POST /api/reviews: Confirm or reject evidence, with a reason; the caller is the author. */
export async function createReview(
  input: {
    body: {
      targetKind: 'detection' | 'observation' | 'indicator';
      targetId: string;
      verdict: 'confirm' | 'reject';
      reason: string;
      reading?: string | null;
    };
  },
  options: ApiClientOptions = {},
): Promise<{
  id: string;
  targetKind: 'detection' | 'observation' | 'indicator';
  targetId: string;
  verdict: 'confirm' | 'reject';
  reason: string;
  author: string;
  at: string;
  [key: string]: unknown;
}> {
  return (await call('POST', '/api/reviews', undefined, input.body, 'json', options)) as {
    id: string;
    targetKind: 'detection' | 'observation' | 'indicator';
    targetId: string;
    verdict: 'confirm' | 'reject';
    reason: string;
    author: string;
    at: string;
    [key: string]: unknown;
  };
}

/** DELETE /api/session: Log out: ends the session and clears its cookie. */
export async function logout(options: ApiClientOptions = {}): Promise<void> {
  await call('DELETE', '/api/session', undefined, undefined, 'none', options);
}

/** GET /api/session: Who is calling (session cookie or API token). */
export async function getSession(options: ApiClientOptions = {}): Promise<Session> {
  return (await call('GET', '/api/session', undefined, undefined, 'json', options)) as Session;
}

/** POST /api/session: Log in: sets the HttpOnly, SameSite=Strict session cookie (Secure over https). Wrong credentials or a malformed body answer 401; 5 failures per user name and address in 15 min answer 429 with Retry-After. */
export async function login(
  input: {
    body: {
      name: string;
      password: string;
    };
  },
  options: ApiClientOptions = {},
): Promise<Session> {
  return (await call('POST', '/api/session', undefined, input.body, 'json', options)) as Session;
}

/** GET /api/sites: Sites by id, with zones and links. */
export async function listSites(
  input: { query?: { limit?: number; cursor?: string; q?: string; tag?: string } } = {},
  options: ApiClientOptions = {},
): Promise<{
  items: Site[];
  next: string | null;
}> {
  return (await call('GET', '/api/sites', input.query, undefined, 'json', options)) as {
    items: Site[];
    next: string | null;
  };
}

/** GET /api/sites/{id}: One site with its zones and links. */
export async function getSite(
  input: { path: { id: string } },
  options: ApiClientOptions = {},
): Promise<Site> {
  return (await call(
    'GET',
    `/api/sites/${encodeURIComponent(input.path.id)}`,
    undefined,
    undefined,
    'json',
    options,
  )) as Site;
}

/** GET /api/sites/{id}/brief: A brief on the site and its linked sites (PDF), as of now: the file `sitewatch report --site ID --format pdf` writes, as a download. */
export async function getSiteBrief(
  input: { path: { id: string } },
  options: ApiClientOptions = {},
): Promise<Blob> {
  return (await call(
    'GET',
    `/api/sites/${encodeURIComponent(input.path.id)}/brief`,
    undefined,
    undefined,
    'blob',
    options,
  )) as Blob;
}

/** GET /api/sites/{id}/export: One layer of a site (`what`) as GeoJSON, GeoPackage, KML or CSV in lon/lat: the file `sitewatch export --site ID --what … --format …` writes, as a download; `X-Sitewatch-Feature-Count` gives its feature count. */
export async function exportSite(
  input: {
    path: { id: string };
    query: {
      what: 'detections' | 'changes' | 'annotations' | 'observations' | 'sites';
      format?: 'geojson' | 'gpkg' | 'kml' | 'csv';
    };
  },
  options: ApiClientOptions = {},
): Promise<Blob> {
  return (await call(
    'GET',
    `/api/sites/${encodeURIComponent(input.path.id)}/export`,
    input.query,
    undefined,
    'blob',
    options,
  )) as Blob;
}

/** GET /api/sites/{id}/figure: An annotated figure of the site on one image (PNG): the file `sitewatch figure --site ID --image IMG --format png` writes, as a download. */
export async function getSiteFigure(
  input: { path: { id: string }; query: { image: string; size?: string; with?: string } },
  options: ApiClientOptions = {},
): Promise<Blob> {
  return (await call(
    'GET',
    `/api/sites/${encodeURIComponent(input.path.id)}/figure`,
    input.query,
    undefined,
    'blob',
    options,
  )) as Blob;
}

/** GET /api/sites/{id}/series: Each metric over time at the site and its zones, with baselines and anomaly scores. */
export async function getSiteSeries(
  input: {
    path: { id: string };
    query?: { zone?: string; metric?: string; seasonal?: 'true' | 'false' };
  },
  options: ApiClientOptions = {},
): Promise<{
  items: ScoredSeries[];
}> {
  return (await call(
    'GET',
    `/api/sites/${encodeURIComponent(input.path.id)}/series`,
    input.query,
    undefined,
    'json',
    options,
  )) as {
    items: ScoredSeries[];
  };
}

/** POST /api/tokens: Create an API token for yourself (admins: for anyone); it is shown only in this answer. */
export async function createToken(
  input: {
    body: {
      user?: string;
      label?: string;
    };
  },
  options: ApiClientOptions = {},
): Promise<CreatedToken> {
  return (await call(
    'POST',
    '/api/tokens',
    undefined,
    input.body,
    'json',
    options,
  )) as CreatedToken;
}

/** GET /api/users: Accounts, by name. */
export async function listUsers(
  input: { query?: { limit?: number; cursor?: string } } = {},
  options: ApiClientOptions = {},
): Promise<{
  items: User[];
  next: string | null;
}> {
  return (await call('GET', '/api/users', input.query, undefined, 'json', options)) as {
    items: User[];
    next: string | null;
  };
}

/** POST /api/users: Add a local account (password policy: 10–1024 characters). */
export async function createUser(
  input: {
    body: {
      name: string;
      role: 'viewer' | 'analyst' | 'admin';
      password: string;
    };
  },
  options: ApiClientOptions = {},
): Promise<User> {
  return (await call('POST', '/api/users', undefined, input.body, 'json', options)) as User;
}
