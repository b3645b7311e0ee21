/**
 * The inset locator map: the image footprint (context), the site polygon and the figure's
 * extent on a small square, in an equirectangular projection scaled by cos(latitude) so that
 * shapes keep their proportions at the site's latitude.
 */
import { bboxOfPositions } from '../geo/bbox.ts';
import type { Bbox, Position } from '../geo/types.ts';
import type { InsetMap } from './figure-svg.ts';

export interface InsetInput {
  readonly sizePx: number;
  /** lon/lat rings: the image footprint(s). */
  readonly context: readonly (readonly Position[])[];
  /** lon/lat rings of the site. */
  readonly site: readonly (readonly Position[])[];
  /** lon/lat ring of the figure's extent. */
  readonly extent: readonly Position[];
}

function formatLatLon([lon, lat]: Position): string {
  const la = `${Math.abs(lat).toFixed(2)} ${lat >= 0 ? 'N' : 'S'}`;
  const lo = `${Math.abs(lon).toFixed(2)} ${lon >= 0 ? 'E' : 'W'}`;
  return `${la}, ${lo}`;
}

/** The inset (see the file comment). */
export function buildInset(input: InsetInput): InsetMap {
  const all = [...input.context.flat(), ...input.site.flat(), ...input.extent];
  const [minLon, minLat, maxLon, maxLat]: Bbox = bboxOfPositions(all);
  const midLat = (minLat + maxLat) / 2;
  const cos = Math.max(0.05, Math.cos((midLat * Math.PI) / 180));
  const spanX = (maxLon - minLon) * cos;
  const spanY = maxLat - minLat;
  const span = Math.max(spanX, spanY, 1e-6) * 1.15;
  const s = input.sizePx;
  const cx = ((minLon + maxLon) / 2) * cos;
  const cy = (minLat + maxLat) / 2;
  const project = ([lon, lat]: Position): Position => [
    s / 2 + ((lon * cos - cx) / span) * s,
    s / 2 - ((lat - cy) / span) * s,
  ];
  const centre: Position = [(minLon + maxLon) / 2, (minLat + maxLat) / 2];
  return {
    sizePx: s,
    context: input.context.map((r) => r.map(project)),
    site: input.site.map((r) => r.map(project)),
    extent: input.extent.map(project),
    label: formatLatLon(centre),
  };
}
