/** What a brief is built from: gathered by the use case (app/publish/brief.ts), all plain data. */
import type { ScoredPoint } from '../activity/robust-baseline.ts';
import type { Series } from '../activity/series.ts';
import type { Assessment } from '../assess/assessment.ts';
import type { Site } from '../catalog/site.ts';
import type { Comparison } from '../change/comparison.ts';
import type { ImageRecord } from '../imagery/image.ts';
import type { BriefRaster } from './document.ts';

/** A detection run as the brief states it (provenance). */
export interface BriefDetectionRun {
  readonly id: string;
  readonly imageId: string;
  readonly createdAt: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly modelSha256: string | null;
  readonly detectionCount: number;
  /** The run's parameters, stated as `name=value` in the methods section. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface BriefSeries {
  readonly series: Series;
  readonly scored: readonly ScoredPoint[];
}

export type BriefSubject =
  | { readonly kind: 'site'; readonly siteId: string }
  | { readonly kind: 'playbook'; readonly label: string };

export interface BriefInputs {
  readonly subject: BriefSubject;
  /** ISO 8601 UTC: the stated timestamp. */
  readonly generatedAt: string;
  readonly softwareVersion: string;
  /** The subject's sites first, then the linked ones, each once. */
  readonly sites: readonly Site[];
  readonly assessment: Assessment | null;
  /** Stored assessment snapshots of the playbook, oldest first. */
  readonly snapshots: readonly { readonly asOf: string; readonly probability: number }[];
  readonly series: readonly BriefSeries[];
  /** Images over the sites, by acquisition time. */
  readonly images: readonly ImageRecord[];
  readonly comparisons: readonly Comparison[];
  readonly detectionRuns: readonly BriefDetectionRun[];
  /** Thumbnails by image id (evidence images); absent ones are listed without a picture. */
  readonly thumbnails: ReadonlyMap<string, BriefRaster>;
  readonly beforeAfter: { readonly raster: BriefRaster; readonly caption: string } | null;
  /** Caveats found while gathering (e.g. a thumbnail that could not be rendered). */
  readonly caveats: readonly string[];
}

/** |robust z| at or above which a point is marked as an anomaly in the charts. */
export const BRIEF_ANOMALY_SCORE = 3;

/** At most this many series charts; the rest are listed. */
export const BRIEF_MAX_CHARTS = 12;
