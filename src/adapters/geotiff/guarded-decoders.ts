/**
 * Replaces two geotiff.js block decoders with bounded ones, so that one corrupt block cannot
 * make the process allocate or loop without end:
 * - JPEG: geotiff.js trusts the frame size in each block's SOF header; a block claiming
 *   65535 × 65535 pixels allocates gigabytes and decodes for minutes. We check the SOF against
 *   the block size first.
 * - DEFLATE: pako inflates without an output limit; node:zlib's `maxOutputLength` caps the
 *   output at the block's size.
 * - LZW: geotiff.js's decoder can build a cyclic dictionary from corrupt codes and grow an array
 *   until V8 aborts the process; ours ({@link decodeTiffLzw}) cannot, and stops at the block size.
 * - PackBits: ours writes into a block-sized buffer instead of an unbounded array.
 * - ZSTD: geotiff.js calls zstddec without an output size, so frames without a declared content
 *   size go through its streaming decoder, which loops forever on some corrupt data. We check
 *   the frame structure ({@link checkZstdFrames}) and decode in one shot into a buffer of the
 *   block's size (zstddec, geotiff.js's own ZSTD library).
 * geotiff.js keeps its decoders in a process-wide registry; only this adapter uses geotiff.js.
 */
import { constants, inflateSync } from 'node:zlib';
import { BaseDecoder, addDecoder, getDecoder, type ImageFileDirectory } from 'geotiff';
import { ZSTDDecoder } from 'zstddec';
import { decodeTiffLzw } from './tiff-lzw.ts';
import { decodePackBits } from './tiff-packbits.ts';
import { checkZstdFrames } from './zstd-frames.ts';

type DecoderParameters = ConstructorParameters<typeof BaseDecoder>[0];
type DecoderClass = typeof BaseDecoder;

const LZW = 5;
const JPEG = 7;
const PACKBITS = 32773;
const ZSTD = 50000;
const DEFLATE = [8, 32946];
const MAX_BLOCK_BYTES = 2 ** 31 - 1;
/** SOFn markers that carry a frame size (C4 DHT, C8 JPG and CC DAC are not frames). */
const SOF_MARKERS = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
]);

function bitsOf(parameters: DecoderParameters): number[] {
  const { bitsPerSample } = parameters;
  return typeof bitsPerSample === 'number' ? [bitsPerSample] : Array.from(bitsPerSample);
}

/** Bytes of one decoded block: tile (or strip) pixels × bytes per pixel of the stored samples. */
export function expectedBlockBytes(parameters: DecoderParameters): number {
  const bits = bitsOf(parameters);
  const bitsPerPixel =
    parameters.planarConfiguration === 2 ? (bits[0] ?? 8) : bits.reduce((a, b) => a + b, 0);
  const bytes = Math.ceil((parameters.tileWidth * bitsPerPixel) / 8) * parameters.tileHeight;
  return Number.isFinite(bytes) && bytes > 0 ? Math.min(bytes, MAX_BLOCK_BYTES) : MAX_BLOCK_BYTES;
}

/**
 * Finds the frame size in a JPEG stream's SOF header.
 * @throws Error when the stream has no SOF before its first scan.
 */
export function readJpegFrameSize(bytes: Uint8Array): { width: number; height: number } {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new Error(`JPEG block: expected a marker at byte ${at}`);
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0);
    if (SOF_MARKERS.has(marker) && at + 9 <= bytes.length) {
      const height = ((bytes[at + 5] ?? 0) << 8) | (bytes[at + 6] ?? 0);
      const width = ((bytes[at + 7] ?? 0) << 8) | (bytes[at + 8] ?? 0);
      return { width, height };
    }
    if (marker === 0xda || marker === 0xd9 || length < 2) break;
    at += 2 + length;
  }
  throw new Error('JPEG block: no frame header (SOF) before the image data');
}

function guardedJpeg(Original: DecoderClass): DecoderClass {
  return class GuardedJpegDecoder extends Original {
    override decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> | ArrayBufferLike {
      const { width, height } = readJpegFrameSize(new Uint8Array(buffer));
      const { tileWidth, tileHeight } = this.parameters;
      if (width < 1 || height < 1 || width > tileWidth || height > tileHeight) {
        throw new Error(
          `JPEG block claims ${width} × ${height} pixels but the block is ${tileWidth} × ${tileHeight}`,
        );
      }
      return super.decodeBlock(buffer);
    }
  };
}

const zstd = new ZSTDDecoder();

class BoundedZstdDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const input = new Uint8Array(buffer);
    const maxBytes = expectedBlockBytes(this.parameters);
    checkZstdFrames(input, maxBytes);
    const output = zstd.decode(input, maxBytes);
    if (output.length === 0) throw new Error('ZSTD block: corrupt data (nothing decoded)');
    return output.slice().buffer;
  }
}

class BoundedPackBitsDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    return decodePackBits(new Uint8Array(buffer), expectedBlockBytes(this.parameters)).slice()
      .buffer;
  }
}

class BoundedDeflateDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const output = inflateSync(new Uint8Array(buffer), {
      maxOutputLength: expectedBlockBytes(this.parameters),
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    return output.buffer.slice(output.byteOffset, output.byteOffset + output.byteLength);
  }
}

class BoundedLzwDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    return decodeTiffLzw(new Uint8Array(buffer), expectedBlockBytes(this.parameters)).slice()
      .buffer;
  }
}

/** geotiff.js's default decoder parameters, plus the JPEG tables (as its JPEG entry does). */
async function jpegParameters(directory: ImageFileDirectory): Promise<DecoderParameters> {
  const tiled = !directory.hasTag('StripOffsets');
  const load = async (name: Parameters<ImageFileDirectory['loadValue']>[0]): Promise<unknown> =>
    directory.loadValue(name);
  const tileWidth = Number(await load(tiled ? 'TileWidth' : 'ImageWidth'));
  const tileHeight = Number(
    tiled
      ? await load('TileLength')
      : ((await load('RowsPerStrip')) ?? (await load('ImageLength'))),
  );
  const parameters = {
    tileWidth,
    tileHeight,
    planarConfiguration: Number((await load('PlanarConfiguration')) ?? 1),
    bitsPerSample: (await load('BitsPerSample')) as DecoderParameters['bitsPerSample'],
    predictor: Number((await load('Predictor')) ?? 1) || 1,
    JPEGTables: await load('JPEGTables'),
  };
  return parameters;
}

let installed: Promise<void> | undefined;

/** Installs the bounded decoders once per process; later calls return the same promise. */
export function installGuardedDecoders(): Promise<void> {
  installed ??= (async () => {
    const probeParameters = {
      tileWidth: 1,
      tileHeight: 1,
      planarConfiguration: 1,
      bitsPerSample: [8],
      predictor: 1,
    };
    const jpeg = guardedJpeg((await getDecoder(JPEG, probeParameters)).constructor as DecoderClass);
    await zstd.init();
    addDecoder(JPEG, () => Promise.resolve(jpeg), jpegParameters, false);
    addDecoder(ZSTD, () => Promise.resolve(BoundedZstdDecoder), undefined, false);
    addDecoder(PACKBITS, () => Promise.resolve(BoundedPackBitsDecoder), undefined, false);
    addDecoder(DEFLATE, () => Promise.resolve(BoundedDeflateDecoder), undefined, false);
    addDecoder(LZW, () => Promise.resolve(BoundedLzwDecoder), undefined, false);
  })();
  return installed;
}
