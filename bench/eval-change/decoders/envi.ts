/**
 * A small ENVI raw-raster reader (Landsat Taizhou): parses the text `.hdr` and splits the raw
 * samples into bands. Data types 1 (uint8), 2 (int16), 4 (float32), 12 (uint16); BSQ, BIL or
 * BIP interleave; either byte order.
 */
import { CorruptFileError, UnsupportedError } from '../../../src/core/errors.ts';

/** The fields of an ENVI header that the reader needs. */
export interface EnviHeader {
  readonly samples: number;
  readonly lines: number;
  readonly bands: number;
  readonly dataType: number;
  readonly interleave: 'bsq' | 'bil' | 'bip';
  readonly byteOrder: 0 | 1;
  readonly headerOffset: number;
  readonly bandNames: readonly string[];
  /** `map info` pixel size in map units (metres for UTM), or null when absent. */
  readonly pixelSizeMapUnits: number | null;
}

const BYTES_PER_SAMPLE: Readonly<Record<number, number>> = { 1: 1, 2: 2, 4: 4, 12: 2 };

/** key → raw value; braces `{…}` may span lines. Keys are lower-case, spaces collapsed. */
function headerFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  const pattern = /^\s*([^=\n]+?)\s*=\s*(\{[^}]*\}|[^\n]*)/gm;
  for (const match of text.matchAll(pattern)) {
    const key = (match[1] ?? '').toLowerCase().replace(/\s+/g, ' ');
    fields.set(key, (match[2] ?? '').trim());
  }
  return fields;
}

function integerField(fields: Map<string, string>, key: string, fallback: number | null): number {
  const raw = fields.get(key);
  if (raw === undefined) {
    if (fallback !== null) return fallback;
    throw new CorruptFileError(`ENVI header: missing "${key}"`);
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new CorruptFileError(`ENVI header: "${key}" = ${raw}; expected an integer ≥ 0`);
  }
  return value;
}

function listField(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .replace(/^\{|\}$/g, '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Parses an ENVI header.
 * @throws CorruptFileError when it does not start with "ENVI" or a needed field is missing or bad.
 * @throws UnsupportedError for data types or interleaves the reader does not handle.
 */
export function parseEnviHeader(text: string): EnviHeader {
  if (!text.trimStart().startsWith('ENVI')) {
    throw new CorruptFileError('ENVI header: the text does not start with "ENVI"');
  }
  const fields = headerFields(text);
  const dataType = integerField(fields, 'data type', null);
  if (BYTES_PER_SAMPLE[dataType] === undefined) {
    throw new UnsupportedError(`ENVI header: data type ${dataType}; expected 1, 2, 4 or 12`);
  }
  const interleave = (fields.get('interleave') ?? 'bsq').toLowerCase();
  if (interleave !== 'bsq' && interleave !== 'bil' && interleave !== 'bip') {
    throw new UnsupportedError(`ENVI header: interleave "${interleave}"; expected bsq, bil or bip`);
  }
  const byteOrder = integerField(fields, 'byte order', 0);
  if (byteOrder !== 0 && byteOrder !== 1) {
    throw new CorruptFileError(`ENVI header: byte order ${byteOrder}; expected 0 or 1`);
  }
  const mapInfo = listField(fields.get('map info'));
  const pixelSize = Number(mapInfo[5]);
  return {
    samples: integerField(fields, 'samples', null),
    lines: integerField(fields, 'lines', null),
    bands: integerField(fields, 'bands', null),
    dataType,
    interleave,
    byteOrder,
    headerOffset: integerField(fields, 'header offset', 0),
    bandNames: listField(fields.get('band names')),
    pixelSizeMapUnits: Number.isFinite(pixelSize) && pixelSize > 0 ? pixelSize : null,
  };
}

function sampleReader(view: DataView, header: EnviHeader): (byteIndex: number) => number {
  const little = header.byteOrder === 0;
  switch (header.dataType) {
    case 1:
      return (i) => view.getUint8(i);
    case 2:
      return (i) => view.getInt16(i, little);
    case 4:
      return (i) => view.getFloat32(i, little);
    default:
      return (i) => view.getUint16(i, little);
  }
}

/**
 * Splits ENVI raw data into float32 bands (row-major, one array per band).
 * @throws CorruptFileError when the data is shorter than the header says.
 */
export function decodeEnvi(header: EnviHeader, data: Uint8Array): Float32Array[] {
  const { samples, lines, bands, interleave, headerOffset } = header;
  const bytesPerSample = BYTES_PER_SAMPLE[header.dataType] ?? 1;
  const pixelCount = samples * lines;
  const needed = headerOffset + pixelCount * bands * bytesPerSample;
  if (data.length < needed) {
    throw new CorruptFileError(
      `ENVI data: ${data.length} bytes; the header needs ${needed} (${samples}×${lines}×${bands})`,
    );
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = sampleReader(view, header);
  const out = Array.from({ length: bands }, () => new Float32Array(pixelCount));
  for (let b = 0; b < bands; b++) {
    const band = out[b]!;
    for (let y = 0; y < lines; y++) {
      for (let x = 0; x < samples; x++) {
        const index =
          interleave === 'bsq'
            ? b * pixelCount + y * samples + x
            : interleave === 'bil'
              ? (y * bands + b) * samples + x
              : (y * samples + x) * bands + b;
        band[y * samples + x] = read(headerOffset + index * bytesPerSample);
      }
    }
  }
  return out;
}
