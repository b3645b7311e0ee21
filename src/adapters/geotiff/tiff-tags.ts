/** TIFF / GeoTIFF / GDAL tag numbers and code tables used by the GeoTIFF adapter. */
import type { RasterDataType } from '../../core/imagery/image.ts';

export const TAG = {
  NewSubfileType: 254,
  SubfileType: 255,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  Software: 305,
  DateTime: 306,
  Artist: 315,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  ExtraSamples: 338,
  SampleFormat: 339,
  Copyright: 33432,
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  ModelTransformation: 34264,
  GeoKeyDirectory: 34735,
  GeoDoubleParams: 34736,
  GeoAsciiParams: 34737,
  GdalMetadata: 42112,
  GdalNodata: 42113,
} as const;

export const TAG_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(TAG).map(([name, tag]) => [tag, name]),
);

/** TIFF tags reported in `RasterDescription.tags` under GDAL's names. */
export const TEXT_TAGS: readonly (readonly [number, string])[] = [
  [TAG.DateTime, 'TIFFTAG_DATETIME'],
  [TAG.ImageDescription, 'TIFFTAG_IMAGEDESCRIPTION'],
  [TAG.Software, 'TIFFTAG_SOFTWARE'],
  [TAG.Artist, 'TIFFTAG_ARTIST'],
  [TAG.Copyright, 'TIFFTAG_COPYRIGHT'],
];

/** Byte size of each TIFF field type (TIFF 6.0 and BigTIFF). */
export const FIELD_TYPE_SIZES: Readonly<Record<number, number>> = {
  1: 1, // BYTE
  2: 1, // ASCII
  3: 2, // SHORT
  4: 4, // LONG
  5: 8, // RATIONAL
  6: 1, // SBYTE
  7: 1, // UNDEFINED
  8: 2, // SSHORT
  9: 4, // SLONG
  10: 8, // SRATIONAL
  11: 4, // FLOAT
  12: 8, // DOUBLE
  13: 4, // IFD
  16: 8, // LONG8
  17: 8, // SLONG8
  18: 8, // IFD8
};

/** Compression codes geotiff.js decodes, with the names `RasterLayout.compression` uses. */
export const SUPPORTED_COMPRESSIONS: Readonly<Record<number, string>> = {
  1: 'none',
  5: 'lzw',
  7: 'jpeg',
  8: 'deflate',
  32946: 'deflate',
  32773: 'packbits',
  50000: 'zstd',
};

/** Names of compressions we recognise but cannot decode, for error messages. */
export const UNSUPPORTED_COMPRESSIONS: Readonly<Record<number, string>> = {
  2: 'CCITT RLE',
  3: 'CCITT fax 3',
  4: 'CCITT fax 4',
  6: 'old-style JPEG',
  34712: 'JPEG 2000',
  34887: 'LERC',
  34925: 'LZMA',
  50001: 'WebP',
  50002: 'JPEG XL',
};

export const PHOTOMETRIC = { minIsWhite: 0, minIsBlack: 1, rgb: 2, palette: 3, ycbcr: 6 } as const;

const SAMPLE_FORMAT_NAMES: Readonly<Record<number, string>> = {
  1: 'unsigned integer',
  2: 'signed integer',
  3: 'floating point',
  4: 'untyped',
  5: 'complex integer',
  6: 'complex floating point',
};

/** The raster data type for a TIFF SampleFormat and BitsPerSample, or null when unsupported. */
export function rasterDataTypeFor(
  sampleFormat: number,
  bitsPerSample: number,
): RasterDataType | null {
  const key = `${sampleFormat}:${bitsPerSample}`;
  const table: Readonly<Record<string, RasterDataType>> = {
    '1:8': 'uint8',
    '2:8': 'int8',
    '1:16': 'uint16',
    '2:16': 'int16',
    '1:32': 'uint32',
    '2:32': 'int32',
    '3:32': 'float32',
    '3:64': 'float64',
  };
  return table[key] ?? null;
}

/** e.g. `12-bit unsigned integer`, for error messages. */
export function describeSampleType(sampleFormat: number, bitsPerSample: number): string {
  return `${bitsPerSample}-bit ${SAMPLE_FORMAT_NAMES[sampleFormat] ?? `sample format ${sampleFormat}`}`;
}
