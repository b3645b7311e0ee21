/**
 * Checks the frame structure of a Zstandard block (RFC 8878) before it is decoded: magic
 * numbers, reserved bits, block headers up to the last block, and that the declared content
 * sizes (where frames declare one) fit the block.
 */

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

function readUint(bytes: Uint8Array, at: number, size: number): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i -= 1) value = value * 256 + (bytes[at + i] ?? 0);
  return value;
}

/** Reads one frame's header and blocks; returns [declared content size or 0, offset after the frame]. */
function readFrame(bytes: Uint8Array, start: number): [number, number] {
  let at = start + 4;
  const descriptor = bytes[at] ?? 0;
  at += 1;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  if ((descriptor & 0x08) !== 0) throw new Error('ZSTD block: reserved bit set in a frame header');
  if (singleSegment === 0) at += 1;
  at += [0, 1, 2, 4][descriptor & 3] ?? 0;
  const fcsSize = fcsFlag === 0 ? singleSegment : ([0, 2, 4, 8][fcsFlag] ?? 0);
  if (at + fcsSize > bytes.length) throw new Error('ZSTD block: truncated frame header');
  const contentSize = fcsSize === 0 ? 0 : readUint(bytes, at, fcsSize) + (fcsSize === 2 ? 256 : 0);
  at += fcsSize;
  for (let last = 0; last === 0;) {
    if (at + 3 > bytes.length) throw new Error('ZSTD block: truncated block header');
    const header = readUint(bytes, at, 3);
    last = header & 1;
    const type = (header >> 1) & 3;
    if (type === 3) throw new Error('ZSTD block: reserved block type');
    at += 3 + (type === 1 ? 1 : header >> 3);
  }
  if ((descriptor & 0x04) !== 0) at += 4;
  if (at > bytes.length) throw new Error('ZSTD block: truncated frame');
  return [contentSize, at];
}

/**
 * @param maxBytes the block's decoded size.
 * @throws Error when a frame is malformed or the declared content sizes exceed `maxBytes`.
 */
export function checkZstdFrames(bytes: Uint8Array, maxBytes: number): void {
  let at = 0;
  let total = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw new Error('ZSTD block: trailing bytes after the last frame');
    const magic = readUint(bytes, at, 4);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at += 8 + readUint(bytes, at + 4, 4);
      continue;
    }
    if (magic !== FRAME_MAGIC)
      throw new Error(`ZSTD block: bad frame magic 0x${magic.toString(16)}`);
    const [size, next] = readFrame(bytes, at);
    total += size;
    if (total > maxBytes)
      throw new Error(`ZSTD block declares ${total} bytes, more than its ${maxBytes}`);
    at = next;
  }
  if (at === 0) throw new Error('ZSTD block: empty');
}
