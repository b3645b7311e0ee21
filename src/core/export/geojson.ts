/** GeoJSON (RFC 7946) of an export layer. */
import type { ExportLayer } from './export-layer.ts';

/** The layer as a GeoJSON FeatureCollection (RFC 7946, lon/lat). */
export function layerGeoJson(layer: ExportLayer): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    name: layer.name,
    features: layer.features.map((feature) => ({
      type: 'Feature',
      id: feature.id,
      geometry: feature.geometry,
      properties: feature.properties,
    })),
  });
}
