/**
 * Assembles the final COG from the per-level tile spools, in GDAL's COG layout:
 * header, GDAL's "ghost" structural metadata, every IFD (full resolution first, then each
 * overview), then the tile data from the smallest overview to full resolution. BigTIFF is
 * chosen only when the classic layout would pass 4 GiB, which is known exactly here because
 * every tile is already compressed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { SitewatchError, describeError } from '../../core/errors.ts';
import type { ResolvedCogSpec } from './cog-spec.ts';
import { levelEntries } from './cog-tags.ts';
import {
  encodeHeader,
  encodeIfd,
  headerByteLength,
  ifdByteLength,
  type TiffEntry,
} from './tiff-ifd.ts';
import type { TileSpool } from './tile-spool.ts';

/**
 * GDAL's structural metadata, as its COG driver writes it. GDAL (3.6) reports
 * `LAYOUT=COG` only when all of BLOCK_ORDER, BLOCK_LEADER and BLOCK_TRAILER are declared, so the
 * spools frame every tile with its size before and its last 4 bytes after. The trailing space
 * pads the text to GDAL's length.
 */
const GHOST_ITEMS =
  'LAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\nBLOCK_LEADER=SIZE_AS_UINT4\n' +
  'BLOCK_TRAILER=LAST_4_BYTES_REPEATED\nKNOWN_INCOMPATIBLE_EDITION=NO\n ';

/** The ghost block: `GDAL_STRUCTURAL_METADATA_SIZE=nnnnnn bytes\n` then the items. */
export function ghostMetadata(): Buffer {
  const size = String(GHOST_ITEMS.length).padStart(6, '0');
  return Buffer.from(`GDAL_STRUCTURAL_METADATA_SIZE=${size} bytes\n${GHOST_ITEMS}`, 'latin1');
}

const COPY_CHUNK_BYTES = 8 * 2 ** 20;
const CLASSIC_LIMIT_BYTES = 2 ** 32 - 1;

interface Layout {
  readonly bigTiff: boolean;
  /** IFD offsets, level order. */
  readonly ifdOffsets: readonly number[];
  /** IFD entries, level order, with absolute tile offsets. */
  readonly entries: readonly (readonly TiffEntry[])[];
  /** Bytes before the tile data: header, ghost, IFDs. */
  readonly headBytes: number;
  readonly totalBytes: number;
}

function planLayout(spec: ResolvedCogSpec, spools: readonly TileSpool[], bigTiff: boolean): Layout {
  const ifdOffsets: number[] = [];
  let position = headerByteLength(bigTiff) + ghostMetadata().byteLength;
  position += position % 2;
  spools.forEach((spool, level) => {
    ifdOffsets.push(position);
    const entries = levelEntries(spec, level, spool, bigTiff);
    position += ifdByteLength(entries, bigTiff);
  });
  const headBytes = position;
  // Tile data goes from the smallest overview to full resolution.
  const dataStart = new Array<number>(spools.length).fill(0);
  for (const [level, spool] of [...spools.entries()].reverse()) {
    dataStart[level] = position;
    position += spool.byteLength;
  }
  const entries = spools.map((spool, level) => {
    const start = dataStart[level] ?? 0;
    const offsets = Array.from(spool.offsets, (o) => o + start);
    return levelEntries(spec, level, { offsets, sizes: spool.sizes }, bigTiff);
  });
  return { bigTiff, ifdOffsets, entries, headBytes, totalBytes: position };
}

function encodeHead(layout: Layout): Buffer {
  const head = Buffer.alloc(layout.headBytes);
  encodeHeader(layout.bigTiff, layout.ifdOffsets[0] ?? 0).copy(head, 0);
  ghostMetadata().copy(head, headerByteLength(layout.bigTiff));
  layout.entries.forEach((entries, level) => {
    const at = layout.ifdOffsets[level] ?? 0;
    const next = layout.ifdOffsets[level + 1] ?? 0;
    encodeIfd(entries, layout.bigTiff, at, next, head, 0);
  });
  return head;
}

async function writeAll(out: FileHandle, bytes: Uint8Array, length: number): Promise<void> {
  let written = 0;
  while (written < length) {
    const { bytesWritten } = await out.write(bytes, written, length - written);
    written += bytesWritten;
  }
}

async function appendSpool(out: FileHandle, spool: TileSpool, buffer: Buffer): Promise<void> {
  const input = await open(spool.path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.byteLength, null);
      if (bytesRead === 0) break;
      await writeAll(out, buffer, bytesRead);
    }
  } finally {
    await input.close();
  }
}

/**
 * Writes the COG to `outPath` (which must not exist) from complete, closed spools (level order)
 * and fsyncs it. Returns the file size in bytes.
 * @throws SitewatchError with code IO when writing fails.
 */
export async function assembleCog(
  spec: ResolvedCogSpec,
  spools: readonly TileSpool[],
  outPath: string,
): Promise<number> {
  let layout = planLayout(spec, spools, spec.bigTiff === 'always');
  if (!layout.bigTiff && layout.totalBytes > CLASSIC_LIMIT_BYTES)
    layout = planLayout(spec, spools, true);
  const head = encodeHead(layout);
  try {
    const out = await open(outPath, 'wx');
    try {
      await writeAll(out, head, head.byteLength);
      const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
      for (const spool of [...spools].reverse()) await appendSpool(out, spool, buffer);
      await out.sync();
    } finally {
      await out.close();
    }
  } catch (error) {
    throw new SitewatchError('IO', `cannot write ${outPath}: ${describeError(error)}`, {
      cause: error,
    });
  }
  return layout.totalBytes;
}
