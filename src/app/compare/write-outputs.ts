/**
 * The files of a comparison in its output folder: change-mask.tif (uint8: 1 change, 0 no
 * change, 255 where either image has no data), change-magnitude.tif (float32, NaN nodata),
 * changes.geojson (change polygons) and registration.json.
 */
import type { ComparisonOutputs, RegistrationResult } from '../../core/change/comparison.ts';
import type { Grid } from '../../core/grid/grid.ts';
import type { PixelArray } from '../../core/raster/raster.ts';
import type { OutputFiles, RasterFileSpec } from '../ports.ts';
import type { ChangeField } from './change-field.ts';
import type { ChangePolygon } from './change-map.ts';
import { stripRows, throwIfCancelled } from './comparison-pair.ts';

/** Mask value where either image has no data. */
export const MASK_NODATA = 255;

async function writeRaster(
  files: OutputFiles,
  path: string,
  spec: RasterFileSpec,
  stripOf: (offset: number, count: number) => PixelArray,
  signal: AbortSignal | undefined,
): Promise<void> {
  const writer = await files.createRaster(path, spec);
  try {
    for (const { row0, height } of stripRows(spec.height)) {
      throwIfCancelled(signal);
      await writer.writeRows(row0, [stripOf(row0 * spec.width, height * spec.width)]);
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** The GeoJSON FeatureCollection of the change polygons. */
export function changesGeoJson(polygons: readonly ChangePolygon[]) {
  return {
    type: 'FeatureCollection',
    features: polygons.map((polygon, i) => ({
      type: 'Feature',
      id: i + 1,
      geometry: polygon.geometry,
      properties: {
        areaM2: polygon.areaM2,
        meanMagnitude: polygon.meanMagnitude,
        zone: polygon.zone,
        pixelCount: polygon.pixelCount,
        ...(polygon.pixelPolygon !== null ? { pixelPolygon: polygon.pixelPolygon } : {}),
      },
    })),
  };
}

/**
 * Writes the four outputs into `dir` (created if needed); returns their absolute paths.
 * @throws CancelledError when `signal` aborts (between raster strips); the writers' errors.
 */
export async function writeComparisonOutputs(
  files: OutputFiles,
  dir: string,
  content: {
    readonly grid: Grid;
    readonly field: ChangeField;
    readonly mask: Uint8Array;
    readonly polygons: readonly ChangePolygon[];
    readonly registration: RegistrationResult;
    readonly imageA: string;
    readonly imageB: string;
  },
  signal?: AbortSignal,
): Promise<ComparisonOutputs> {
  const folder = await files.ensureDir(dir);
  const outputs: ComparisonOutputs = {
    changeMask: files.join(folder, 'change-mask.tif'),
    changeMagnitude: files.join(folder, 'change-magnitude.tif'),
    changes: files.join(folder, 'changes.geojson'),
    registration: files.join(folder, 'registration.json'),
  };
  const { grid, field, mask } = content;
  const base = {
    width: grid.width,
    height: grid.height,
    bandCount: 1,
    crs: grid.geoTransform === null ? null : grid.crs,
    geoTransform: grid.geoTransform,
  };
  await writeRaster(
    files,
    outputs.changeMask,
    { ...base, dataType: 'uint8', nodata: MASK_NODATA, overviewResampling: 'nearest' },
    (offset, count) => {
      const strip = mask.slice(offset, offset + count);
      for (let p = 0; p < count; p += 1) {
        if (field.valid[offset + p] !== 1) strip[p] = MASK_NODATA;
      }
      return strip;
    },
    signal,
  );
  await writeRaster(
    files,
    outputs.changeMagnitude,
    { ...base, dataType: 'float32', nodata: Number.NaN, overviewResampling: 'average' },
    (offset, count) => field.magnitude.subarray(offset, offset + count),
    signal,
  );
  await files.writeText(outputs.changes, JSON.stringify(changesGeoJson(content.polygons)));
  await files.writeText(
    outputs.registration,
    JSON.stringify(
      { imageA: content.imageA, imageB: content.imageB, ...content.registration },
      null,
      2,
    ),
  );
  return outputs;
}
