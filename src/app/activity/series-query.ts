/**
 * `series SITE [--zone Z] [--metric M]`: each metric over time at a site or its zones, with
 * baselines and anomaly scores for every observed point.
 */
import { NotFoundError } from '../../core/errors.ts';
import type { MetricRegistry } from '../../core/activity/metrics.ts';
import {
  DEFAULT_BASELINE_WINDOW,
  scoreSeries,
  type BaselineWindow,
  type ScoredPoint,
} from '../../core/activity/robust-baseline.ts';
import { assembleSeries, seriesKeysOf, type Series } from '../../core/activity/series.ts';
import type { ObservationRepository, SiteRepository } from '../ports.ts';

export interface SeriesQuery {
  readonly siteId: string;
  /** Only this zone; absent for every zone and the site level. */
  readonly zoneId?: string;
  readonly metric?: string;
  readonly window?: BaselineWindow;
  readonly seasonal?: boolean;
}

export interface ScoredSeries {
  readonly series: Series;
  readonly scored: readonly ScoredPoint[];
}

/**
 * Every series of the site matching the query, each with its scored points.
 * @throws NotFoundError when the site is neither in the catalog nor in any observation.
 */
export async function querySeries(
  deps: {
    readonly observations: ObservationRepository;
    readonly sites: SiteRepository;
    readonly metrics: MetricRegistry;
  },
  query: SeriesQuery,
): Promise<ScoredSeries[]> {
  const observations = await deps.observations.list({
    siteId: query.siteId,
    ...(query.zoneId === undefined ? {} : { zoneId: query.zoneId }),
    ...(query.metric === undefined ? {} : { metric: query.metric }),
  });
  if (observations.length === 0 && (await deps.sites.get(query.siteId)) === undefined) {
    throw new NotFoundError(`site "${query.siteId}" is not in the catalog and has no observations`);
  }
  return seriesKeysOf(observations).map((key) => {
    const series = assembleSeries(observations, key);
    const scored = scoreSeries(series, {
      window: query.window ?? DEFAULT_BASELINE_WINDOW,
      seasonal: query.seasonal ?? false,
      madFloor: deps.metrics.get(key.metric)?.madFloor ?? 1,
    });
    return { series, scored };
  });
}
