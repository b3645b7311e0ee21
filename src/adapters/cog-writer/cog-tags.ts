/**
 * The TIFF tags of each IFD of a COG: image structure, tile index, GDAL nodata and metadata,
 * and GeoTIFF georeferencing (OGC GeoTIFF 1.1) on the full-resolution IFD.
 */
import type { RasterDataType } from '../../core/imagery/image.ts';
import type { GeoTransform } from '../../core/geo/types.ts';
import { isFloatType, levelSize, type ResolvedCogSpec } from './cog-spec.ts';
import { PREDICTOR_FLOATING_POINT, PREDICTOR_HORIZONTAL } from './tiff-predictor.ts';
import { TIFF_TYPE, type TiffEntry } from './tiff-ifd.ts';

const TAG = {
  newSubfileType: 254,
  imageWidth: 256,
  imageLength: 257,
  bitsPerSample: 258,
  compression: 259,
  photometric: 262,
  samplesPerPixel: 277,
  planarConfiguration: 284,
  predictor: 317,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileByteCounts: 325,
  extraSamples: 338,
  sampleFormat: 339,
  modelPixelScale: 33550,
  modelTiepoint: 33922,
  modelTransformation: 34264,
  geoKeyDirectory: 34735,
  gdalMetadata: 42112,
  gdalNodata: 42113,
} as const;

const GEO_KEY = {
  modelType: 1024,
  rasterType: 1025,
  geographicType: 2048,
  projectedType: 3072,
} as const;
const MODEL_TYPE_PROJECTED = 1;
const MODEL_TYPE_GEOGRAPHIC = 2;
const RASTER_PIXEL_IS_AREA = 1;

const BYTES_PER_SAMPLE: Record<RasterDataType, number> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
};

/** Bytes per sample of `dataType`. */
export function bytesPerSample(dataType: RasterDataType): number {
  return BYTES_PER_SAMPLE[dataType];
}

function sampleFormat(dataType: RasterDataType): number {
  if (isFloatType(dataType)) return 3;
  return dataType.startsWith('uint') ? 1 : 2;
}

/** GDAL_NODATA text: what GDAL prints and parses (`nan`, `inf`, shortest round-trip decimal). */
export function formatNodata(nodata: number): string {
  if (Number.isNaN(nodata)) return 'nan';
  if (nodata === Number.POSITIVE_INFINITY) return 'inf';
  if (nodata === Number.NEGATIVE_INFINITY) return '-inf';
  return String(nodata);
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/** Named entities only: GDAL's XML parser does not decode numeric character references. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => XML_ENTITIES[c] ?? c);
}

/**
 * An item value as GDAL writes it: escaped twice (GDAL escapes the value, then its XML writer
 * escapes the text again) and unescaped twice when GDAL reads it.
 */
function escapeItemValue(text: string): string {
  return escapeXml(escapeXml(text));
}

/** GDAL_METADATA XML (dataset items, band descriptions), or null when there is nothing to say. */
export function gdalMetadataXml(spec: ResolvedCogSpec): string | null {
  const items = Object.entries(spec.metadata).map(
    ([key, value]) => `  <Item name="${escapeXml(key)}">${escapeItemValue(value)}</Item>`,
  );
  (spec.bandDescriptions ?? []).forEach((name, band) => {
    items.push(
      `  <Item name="DESCRIPTION" sample="${band}" role="description">${escapeItemValue(name)}</Item>`,
    );
  });
  return items.length === 0 ? null : `<GDALMetadata>\n${items.join('\n')}\n</GDALMetadata>\n`;
}

function transformEntries(t: GeoTransform): TiffEntry[] {
  if (t[2] === 0 && t[4] === 0 && t[5] < 0) {
    return [
      { tag: TAG.modelPixelScale, type: TIFF_TYPE.double, values: [t[1], -t[5], 0] },
      { tag: TAG.modelTiepoint, type: TIFF_TYPE.double, values: [0, 0, 0, t[0], t[3], 0] },
    ];
  }
  const matrix = [t[1], t[2], 0, t[0], t[4], t[5], 0, t[3], 0, 0, 0, 0, 0, 0, 0, 1];
  return [{ tag: TAG.modelTransformation, type: TIFF_TYPE.double, values: matrix }];
}

function geoKeyEntry(epsg: number, geographic: boolean): TiffEntry {
  const keys = [
    [GEO_KEY.modelType, geographic ? MODEL_TYPE_GEOGRAPHIC : MODEL_TYPE_PROJECTED],
    [GEO_KEY.rasterType, RASTER_PIXEL_IS_AREA],
    [geographic ? GEO_KEY.geographicType : GEO_KEY.projectedType, epsg],
  ] as const;
  const values = [1, 1, 0, keys.length, ...keys.flatMap(([key, value]) => [key, 0, 1, value])];
  return { tag: TAG.geoKeyDirectory, type: TIFF_TYPE.short, values };
}

/** Where a level's tiles are in the final file. */
export interface LevelTiles {
  /** Absolute file offset of each tile's bytes, in TIFF tile order. */
  readonly offsets: ArrayLike<number>;
  readonly sizes: ArrayLike<number>;
}

const short = (tag: number, values: ArrayLike<number>): TiffEntry => ({
  tag,
  type: TIFF_TYPE.short,
  values,
});
const long = (tag: number, values: ArrayLike<number>): TiffEntry => ({
  tag,
  type: TIFF_TYPE.long,
  values,
});

/** Tags describing the samples: bits, format, photometric, planar layout, predictor, extras. */
function sampleEntries(spec: ResolvedCogSpec): TiffEntry[] {
  const samples = spec.bandCount;
  const perSample = (value: number): number[] => new Array<number>(samples).fill(value);
  const rgb = spec.photometric === 'rgb';
  const entries = [
    short(TAG.bitsPerSample, perSample(8 * bytesPerSample(spec.dataType))),
    short(TAG.compression, [spec.compression === 'deflate' ? 8 : 1]),
    short(TAG.photometric, [rgb ? 2 : 1]),
    short(TAG.samplesPerPixel, [samples]),
    short(TAG.planarConfiguration, [spec.interleave === 'pixel' ? 1 : 2]),
    short(TAG.sampleFormat, perSample(sampleFormat(spec.dataType))),
  ];
  if (spec.predictor) {
    const float = isFloatType(spec.dataType);
    entries.push(short(TAG.predictor, [float ? PREDICTOR_FLOATING_POINT : PREDICTOR_HORIZONTAL]));
  }
  const extra = samples - (rgb ? 3 : 1);
  if (extra > 0) entries.push(short(TAG.extraSamples, new Array<number>(extra).fill(0)));
  return entries;
}

/**
 * The sorted entries of the IFD of `level` (0 = full resolution, with georeferencing and
 * metadata; overviews carry NewSubfileType 1).
 */
export function levelEntries(
  spec: ResolvedCogSpec,
  level: number,
  tiles: LevelTiles,
  bigTiff: boolean,
): TiffEntry[] {
  const size = levelSize(spec, level);
  const entries = [
    long(TAG.imageWidth, [size.width]),
    long(TAG.imageLength, [size.height]),
    short(TAG.tileWidth, [spec.tileSize]),
    short(TAG.tileLength, [spec.tileSize]),
    {
      tag: TAG.tileOffsets,
      type: bigTiff ? TIFF_TYPE.long8 : TIFF_TYPE.long,
      values: tiles.offsets,
    },
    long(TAG.tileByteCounts, tiles.sizes),
    ...sampleEntries(spec),
  ];
  if (level > 0) entries.push(long(TAG.newSubfileType, [1]));
  if (level === 0) entries.push(...fullResolutionEntries(spec));
  if (spec.nodata !== null) {
    entries.push({ tag: TAG.gdalNodata, type: TIFF_TYPE.ascii, values: formatNodata(spec.nodata) });
  }
  return entries.sort((a, b) => a.tag - b.tag);
}

/** Georeferencing and GDAL metadata, on the full-resolution IFD only. */
function fullResolutionEntries(spec: ResolvedCogSpec): TiffEntry[] {
  const entries = spec.geoTransform ? transformEntries(spec.geoTransform) : [];
  if (spec.epsg !== null) entries.push(geoKeyEntry(spec.epsg, spec.crsIsGeographic));
  const xml = gdalMetadataXml(spec);
  if (xml !== null) entries.push({ tag: TAG.gdalMetadata, type: TIFF_TYPE.ascii, values: xml });
  return entries;
}
