/**
 * Walks a (Big)TIFF's header and IFD chain with our own bounds checks, before geotiff.js sees the
 * file: a cyclic IFD chain, an absurd entry count or a tag whose data lies past the end of the
 * file becomes a CorruptFileError here instead of a hang or a huge allocation inside the library.
 */
import { CorruptFileError } from '../../core/errors.ts';
import type { ByteSource } from './file-byte-source.ts';
import { FIELD_TYPE_SIZES, TAG_NAMES } from './tiff-tags.ts';

/** Real files have a few dozen entries per IFD and a few dozen IFDs (overviews, masks). */
const MAX_IFD_ENTRIES = 4096;
const MAX_IFDS = 1024;
/** Tag values above this size (other than block offset/count arrays) are refused. */
const MAX_VALUE_BYTES = 64 * 1024 * 1024;

export interface TiffEntry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** Absolute file offset of the value bytes (inside the IFD when they fit there). */
  readonly valueOffset: number;
}

export interface TiffIfd {
  readonly offset: number;
  readonly entries: ReadonlyMap<number, TiffEntry>;
}

export interface TiffStructure {
  readonly littleEndian: boolean;
  readonly bigTiff: boolean;
  readonly ifds: readonly TiffIfd[];
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function tagLabel(tag: number): string {
  const name = TAG_NAMES[tag];
  return name === undefined ? `tag ${tag}` : `tag ${tag} (${name})`;
}

class Reader {
  readonly view: DataView;
  constructor(
    bytes: Uint8Array,
    readonly littleEndian: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(at: number): number {
    return this.view.getUint16(at, this.littleEndian);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.littleEndian);
  }
  u64(at: number, what: string, path: string): number {
    const value = this.view.getBigUint64(at, this.littleEndian);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CorruptFileError(`${path}: ${what} ${value} is beyond any file size`);
    }
    return Number(value);
  }
}

async function readHeader(
  source: ByteSource,
): Promise<{ littleEndian: boolean; bigTiff: boolean; first: number }> {
  const { path, sizeBytes } = source;
  if (sizeBytes === 0)
    throw new CorruptFileError(`${path}: the file is empty (0 bytes), not a TIFF`);
  const head = await source.read(0, Math.min(16, sizeBytes));
  const order = String.fromCharCode(head[0] ?? 0, head[1] ?? 0);
  if ((order !== 'II' && order !== 'MM') || head.length < 8) {
    throw new CorruptFileError(
      `${path}: not a TIFF: the first bytes are ${hexBytes(head)} (expected 49 49 2a 00 or 4d 4d 00 2a)`,
    );
  }
  const reader = new Reader(head, order === 'II');
  const magic = reader.u16(2);
  if (magic === 42)
    return { littleEndian: reader.littleEndian, bigTiff: false, first: reader.u32(4) };
  if (magic === 43 && head.length >= 16 && reader.u16(4) === 8) {
    return {
      littleEndian: reader.littleEndian,
      bigTiff: true,
      first: reader.u64(8, 'first IFD offset', path),
    };
  }
  throw new CorruptFileError(
    `${path}: not a TIFF: the first bytes are ${hexBytes(head)} (TIFF magic 42, or 43 for BigTIFF, expected)`,
  );
}

async function readIfd(
  source: ByteSource,
  offset: number,
  index: number,
  format: { littleEndian: boolean; bigTiff: boolean },
): Promise<{ ifd: TiffIfd; next: number }> {
  const { path, sizeBytes } = source;
  const { littleEndian, bigTiff } = format;
  const countSize = bigTiff ? 8 : 2;
  const entrySize = bigTiff ? 20 : 12;
  const pointerSize = bigTiff ? 8 : 4;
  if (offset < 8) {
    throw new CorruptFileError(
      `${path}: IFD ${index} offset ${offset} points into the TIFF header`,
    );
  }
  if (offset + countSize > sizeBytes) {
    throw new CorruptFileError(
      `${path}: truncated: IFD ${index} starts at byte ${offset} but the file has ${sizeBytes} bytes`,
    );
  }
  const countReader = new Reader(await source.read(offset, countSize), littleEndian);
  const count = bigTiff ? countReader.u64(0, `IFD ${index} entry count`, path) : countReader.u16(0);
  const end = offset + countSize + count * entrySize + pointerSize;
  if (count === 0 || count > MAX_IFD_ENTRIES) {
    throw new CorruptFileError(
      `${path}: IFD ${index} at byte ${offset} claims ${count} entries (expected 1..${MAX_IFD_ENTRIES})`,
    );
  }
  if (end > sizeBytes) {
    throw new CorruptFileError(
      `${path}: truncated: IFD ${index} at byte ${offset} ends at byte ${end} but the file has ${sizeBytes} bytes`,
    );
  }
  const reader = new Reader(await source.read(offset, end - offset), littleEndian);
  const entries = new Map<number, TiffEntry>();
  for (let i = 0; i < count; i += 1) {
    const at = countSize + i * entrySize;
    const tag = reader.u16(at);
    const type = reader.u16(at + 2);
    const valueCount = bigTiff
      ? reader.u64(at + 4, `${tagLabel(tag)} count`, path)
      : reader.u32(at + 4);
    const typeSize = FIELD_TYPE_SIZES[type];
    if (typeSize === undefined) {
      throw new CorruptFileError(
        `${path}: IFD ${index}: ${tagLabel(tag)} has unknown field type ${type}`,
      );
    }
    const byteLength = valueCount * typeSize;
    const fieldAt = at + (bigTiff ? 12 : 8);
    const inline = byteLength <= pointerSize;
    const valueOffset = inline
      ? offset + fieldAt
      : bigTiff
        ? reader.u64(fieldAt, `${tagLabel(tag)} value offset`, path)
        : reader.u32(fieldAt);
    if (!inline && valueOffset + byteLength > sizeBytes) {
      throw new CorruptFileError(
        `${path}: truncated: IFD ${index} ${tagLabel(tag)} holds ${valueCount} values at bytes ` +
          `${valueOffset}..${valueOffset + byteLength} but the file has ${sizeBytes} bytes`,
      );
    }
    entries.set(tag, { tag, type, count: valueCount, valueOffset });
  }
  const next = bigTiff
    ? reader.u64(end - offset - 8, 'next IFD offset', path)
    : reader.u32(end - offset - 4);
  return { ifd: { offset, entries }, next };
}

/**
 * Reads the header and every IFD of the chain, checking each against the file size.
 * @throws CorruptFileError for an empty file, wrong magic bytes (naming them), a cyclic or
 *   overlong IFD chain, absurd entry counts, unknown field types or data past the end of the file.
 */
export async function readTiffStructure(source: ByteSource): Promise<TiffStructure> {
  const header = await readHeader(source);
  const ifds: TiffIfd[] = [];
  const visited = new Set<number>();
  let offset = header.first;
  while (offset !== 0) {
    if (visited.has(offset)) {
      throw new CorruptFileError(`${source.path}: the IFD chain loops back to byte ${offset}`);
    }
    if (ifds.length >= MAX_IFDS) {
      throw new CorruptFileError(`${source.path}: more than ${MAX_IFDS} IFDs in the chain`);
    }
    visited.add(offset);
    const { ifd, next } = await readIfd(source, offset, ifds.length, header);
    ifds.push(ifd);
    offset = next;
  }
  if (ifds.length === 0)
    throw new CorruptFileError(`${source.path}: the TIFF has no image (first IFD offset 0)`);
  return { littleEndian: header.littleEndian, bigTiff: header.bigTiff, ifds };
}

/**
 * Reads an entry's values: numbers (RATIONALs as quotients, 64-bit integers as numbers) or, for
 * ASCII, the text up to the first NUL.
 * @throws CorruptFileError when the value is larger than any sane tag or not a safe integer.
 */
export async function readEntryValues(
  source: ByteSource,
  structure: TiffStructure,
  entry: TiffEntry,
): Promise<number[] | string> {
  const typeSize = FIELD_TYPE_SIZES[entry.type] ?? 1;
  const byteLength = entry.count * typeSize;
  if (byteLength > MAX_VALUE_BYTES) {
    throw new CorruptFileError(
      `${source.path}: ${tagLabel(entry.tag)} holds ${byteLength} bytes, more than any sane tag`,
    );
  }
  const bytes = await source.read(entry.valueOffset, byteLength);
  if (entry.type === 2) {
    const text = new TextDecoder('utf-8').decode(bytes);
    const nul = text.indexOf('\0');
    return nul >= 0 ? text.slice(0, nul) : text;
  }
  const reader = new Reader(bytes, structure.littleEndian);
  const values: number[] = new Array<number>(entry.count);
  for (let i = 0; i < entry.count; i += 1)
    values[i] = readOne(reader, entry.type, i * typeSize, source.path);
  return values;
}

function readOne(reader: Reader, type: number, at: number, path: string): number {
  const { view, littleEndian } = reader;
  switch (type) {
    case 3:
      return view.getUint16(at, littleEndian);
    case 4:
    case 13:
      return view.getUint32(at, littleEndian);
    case 5:
      return view.getUint32(at, littleEndian) / view.getUint32(at + 4, littleEndian);
    case 6:
      return view.getInt8(at);
    case 8:
      return view.getInt16(at, littleEndian);
    case 9:
      return view.getInt32(at, littleEndian);
    case 10:
      return view.getInt32(at, littleEndian) / view.getInt32(at + 4, littleEndian);
    case 11:
      return view.getFloat32(at, littleEndian);
    case 12:
      return view.getFloat64(at, littleEndian);
    case 16:
    case 18:
      return reader.u64(at, 'a 64-bit value', path);
    case 17:
      return Number(view.getBigInt64(at, littleEndian));
    default:
      return view.getUint8(at);
  }
}
