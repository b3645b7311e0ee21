/**
 * Encodes little-endian TIFF headers and image file directories (IFDs), classic (TIFF 6.0) or
 * BigTIFF. An IFD is written as its entry table followed by the values too long to sit inside
 * their entry, each starting on an even offset.
 */

/** TIFF field types used by the writer. */
export const TIFF_TYPE = { byte: 1, ascii: 2, short: 3, long: 4, double: 12, long8: 16 } as const;
export type TiffType = (typeof TIFF_TYPE)[keyof typeof TIFF_TYPE];

const TYPE_BYTES: Record<TiffType, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 12: 8, 16: 8 };

export interface TiffEntry {
  readonly tag: number;
  readonly type: TiffType;
  /** Numbers, or text for ASCII (encoded UTF-8 and NUL-terminated). */
  readonly values: ArrayLike<number> | string;
}

/** Header bytes: 8 classic, 16 BigTIFF. */
export function headerByteLength(bigTiff: boolean): number {
  return bigTiff ? 16 : 8;
}

/** The header pointing at the first IFD. */
export function encodeHeader(bigTiff: boolean, firstIfdOffset: number): Buffer {
  const header = Buffer.alloc(headerByteLength(bigTiff));
  header.write('II', 0, 'latin1');
  if (bigTiff) {
    header.writeUInt16LE(43, 2);
    header.writeUInt16LE(8, 4);
    header.writeUInt16LE(0, 6);
    header.writeBigUInt64LE(BigInt(firstIfdOffset), 8);
  } else {
    header.writeUInt16LE(42, 2);
    header.writeUInt32LE(firstIfdOffset, 4);
  }
  return header;
}

function valueBytes(entry: TiffEntry): Buffer | null {
  return typeof entry.values === 'string' ? Buffer.from(`${entry.values}\0`, 'utf8') : null;
}

function countOf(entry: TiffEntry, text: Buffer | null): number {
  return text ? text.byteLength : entry.values.length;
}

function entryTableBytes(count: number, bigTiff: boolean): number {
  return bigTiff ? 8 + count * 20 + 8 : 2 + count * 12 + 4;
}

/** Bytes of the IFD and its out-of-line values; always even. */
export function ifdByteLength(entries: readonly TiffEntry[], bigTiff: boolean): number {
  const inline = bigTiff ? 8 : 4;
  let total = entryTableBytes(entries.length, bigTiff);
  for (const entry of entries) {
    const size = countOf(entry, valueBytes(entry)) * TYPE_BYTES[entry.type];
    if (size > inline) total += size + (size % 2);
  }
  return total;
}

function writeValues(target: Buffer, at: number, entry: TiffEntry, text: Buffer | null): void {
  if (text) {
    text.copy(target, at);
    return;
  }
  const values = entry.values as ArrayLike<number>;
  const size = TYPE_BYTES[entry.type];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    const p = at + i * size;
    switch (entry.type) {
      case TIFF_TYPE.byte:
        target.writeUInt8(v, p);
        break;
      case TIFF_TYPE.short:
        target.writeUInt16LE(v, p);
        break;
      case TIFF_TYPE.long:
        target.writeUInt32LE(v, p);
        break;
      case TIFF_TYPE.double:
        target.writeDoubleLE(v, p);
        break;
      default:
        target.writeBigUInt64LE(BigInt(v), p);
    }
  }
}

/**
 * Writes one IFD at file offset `ifdOffset`, i.e. into `target` at `ifdOffset - targetOffset`.
 * Entries must be sorted by tag. Returns the IFD's length in bytes.
 */
export function encodeIfd(
  entries: readonly TiffEntry[],
  bigTiff: boolean,
  ifdOffset: number,
  nextIfdOffset: number,
  target: Buffer,
  targetOffset: number,
): number {
  const inline = bigTiff ? 8 : 4;
  const base = ifdOffset - targetOffset;
  let p = base;
  let extra = base + entryTableBytes(entries.length, bigTiff);
  if (bigTiff) target.writeBigUInt64LE(BigInt(entries.length), p);
  else target.writeUInt16LE(entries.length, p);
  p += bigTiff ? 8 : 2;
  for (const entry of entries) {
    const text = valueBytes(entry);
    const count = countOf(entry, text);
    const size = count * TYPE_BYTES[entry.type];
    target.writeUInt16LE(entry.tag, p);
    target.writeUInt16LE(entry.type, p + 2);
    if (bigTiff) target.writeBigUInt64LE(BigInt(count), p + 4);
    else target.writeUInt32LE(count, p + 4);
    const slot = p + (bigTiff ? 12 : 8);
    if (size <= inline) {
      writeValues(target, slot, entry, text);
    } else {
      const at = extra + targetOffset;
      if (bigTiff) target.writeBigUInt64LE(BigInt(at), slot);
      else target.writeUInt32LE(at, slot);
      writeValues(target, extra, entry, text);
      extra += size + (size % 2);
    }
    p += bigTiff ? 20 : 12;
  }
  if (bigTiff) target.writeBigUInt64LE(BigInt(nextIfdOffset), p);
  else target.writeUInt32LE(nextIfdOffset, p);
  return extra - base;
}
