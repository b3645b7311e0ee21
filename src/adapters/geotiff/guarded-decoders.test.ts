import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptFileError } from '../../core/errors.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { openGeoTiff } from './geotiff-raster-source.ts';
import { FileByteSource } from './file-byte-source.ts';
import { expectedBlockBytes, readJpegFrameSize } from './guarded-decoders.ts';
import { IfdValues } from './tiff-image-info.ts';
import { readTiffStructure } from './tiff-structure.ts';
import { decodePackBits } from './tiff-packbits.ts';
import { checkZstdFrames } from './zstd-frames.ts';

const fixture = (name: string): string => join(REPO_ROOT, 'fixtures', 'raster', name);
const temp = mkdtempSync(join(tmpdir(), 'sitewatch-decoders-'));
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

describe('readJpegFrameSize', () => {
  it('reads the frame size of a JPEG file', () => {
    expect(readJpegFrameSize(readFileSync(fixture('rgb.jpg')))).toEqual({ width: 32, height: 24 });
  });

  it('throws when no SOF precedes the scan', () => {
    expect(() => readJpegFrameSize(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02]))).toThrow(
      /no frame header/,
    );
    expect(() => readJpegFrameSize(Uint8Array.from([0xff, 0xd8, 0x12, 0x34, 0x00, 0x02]))).toThrow(
      /expected a marker/,
    );
  });
});

describe('expectedBlockBytes', () => {
  it('counts pixel-interleaved and band-separate blocks', () => {
    expect(
      expectedBlockBytes({
        tileWidth: 16,
        tileHeight: 8,
        planarConfiguration: 1,
        bitsPerSample: [8, 8, 8],
        predictor: 1,
      }),
    ).toBe(384);
    expect(
      expectedBlockBytes({
        tileWidth: 16,
        tileHeight: 8,
        planarConfiguration: 2,
        bitsPerSample: [16, 16],
        predictor: 1,
      }),
    ).toBe(256);
  });
});

describe('bounded decoders inside openGeoTiff', () => {
  it('refuses a JPEG tile whose header claims 65535 × 65535 pixels, quickly', async () => {
    const bytes = Uint8Array.from(readFileSync(fixture('cog-jpeg-3857.tif')));
    // SOF0 of a 16 × 16 tile: FF C0, length 17, precision 8, height 16, width 16.
    const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10]);
    const at = Buffer.from(bytes).indexOf(sof);
    expect(at).toBeGreaterThan(0);
    bytes.set([0xff, 0xff, 0xff, 0xff], at + 5);
    const path = join(temp, 'jpeg-bomb.tif');
    writeFileSync(path, bytes);
    const source = await openGeoTiff(path, { maxPixels: 1_000_000 }, new EpsgCrsRegistry());
    const started = performance.now();
    const error: unknown = await source
      .readWindow({ col0: 0, row0: 0, width: 64, height: 64 })
      .catch((e: unknown) => e);
    await source.close();
    expect(error).toBeInstanceOf(CorruptFileError);
    expect((error as Error).message).toMatch(/claims 65535 × 65535 pixels/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

/** The compressed bytes of the first tile or strip of a fixture. */
async function firstBlock(name: string): Promise<Uint8Array> {
  const source = await FileByteSource.open(fixture(name));
  try {
    const structure = await readTiffStructure(source);
    const values = new IfdValues(source, structure, structure.ifds[0]!);
    const offset = (await values.numbers(324)) ?? (await values.numbers(273));
    const count = (await values.numbers(325)) ?? (await values.numbers(279));
    return await source.read(offset![0]!, count![0]!);
  } finally {
    await source.close();
  }
}

describe('checkZstdFrames', () => {
  it('accepts a GDAL-written ZSTD tile and rejects damaged ones', async () => {
    const tile = await firstBlock('float32-zstd-27700.tif');
    expect(() => {
      checkZstdFrames(tile, 16 * 16 * 4);
    }).not.toThrow();
    const badMagic = Uint8Array.from(tile);
    badMagic[0] = 0;
    expect(() => {
      checkZstdFrames(badMagic, 1024);
    }).toThrow(/bad frame magic/);
    expect(() => {
      checkZstdFrames(tile.subarray(0, 7), 1024);
    }).toThrow(/truncated/);
    expect(() => {
      checkZstdFrames(new Uint8Array(0), 1024);
    }).toThrow(/empty/);
  });

  it('rejects frames that declare more content than the block holds', () => {
    // Magic, descriptor 0x20 (single segment, 1-byte content size) declaring 200 bytes, one RLE block.
    const frame = Uint8Array.from([
      0x28,
      0xb5,
      0x2f,
      0xfd,
      0x20,
      200,
      0x03 | ((200 << 3) & 0xff),
      200 >> 5,
      0,
      7,
    ]);
    expect(() => {
      checkZstdFrames(frame, 100);
    }).toThrow(/declares 200 bytes, more than its 100/);
  });
});

describe('decodePackBits', () => {
  it('decodes literal and repeated runs (TIFF 6.0 example) and refuses overflow', () => {
    const input = Uint8Array.from([
      0xfe, 0xaa, 0x02, 0x80, 0x00, 0x2a, 0xfd, 0xaa, 0x03, 0x80, 0x00, 0x2a, 0x22, 0xf7, 0xaa,
    ]);
    const expected = [
      0xaa,
      0xaa,
      0xaa,
      0x80,
      0x00,
      0x2a,
      0xaa,
      0xaa,
      0xaa,
      0xaa,
      0x80,
      0x00,
      0x2a,
      0x22,
      ...new Array<number>(10).fill(0xaa),
    ];
    expect(Array.from(decodePackBits(input, 24))).toEqual(expected);
    expect(() => decodePackBits(input, 23)).toThrow(/more than its 23 bytes/);
  });
});
