import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CorruptFileError,
  NotFoundError,
  TooLargeError,
  UnknownCrsError,
  ValidationError,
} from '../../core/errors.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { parseWorldFile } from './world-file.ts';
import { findPrjFile, findWorldFile, openWorldFileImage } from './world-file-raster-source.ts';

const crs = new EpsgCrsRegistry();
const LIMITS = { maxPixels: 1_000_000 };
const fixture = (name: string): string => join(REPO_ROOT, 'fixtures', 'raster', name);
const temp = mkdtempSync(join(tmpdir(), 'sitewatch-world-file-'));
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

const pattern = (band: number, row: number, col: number, scale = 1): number =>
  (row * 7 + col * 3 + band * 50) * scale;

describe('parseWorldFile', () => {
  it('turns the centre of the upper-left pixel into the corner origin of a GDAL geotransform', () => {
    expect(parseWorldFile('10\n0\n0\n-10\n500005\n4499995\n', 'a.pgw')).toEqual([
      500000, 10, 0, 4500000, 0, -10,
    ]);
  });

  it('keeps rotation terms and shifts by half a pixel along both axes', () => {
    expect(parseWorldFile(' 2\r\n0.5\r\n0.25\r\n-2\r\n100\r\n200\r\n', 'r.wld')).toEqual([
      100 - 1 - 0.125,
      2,
      0.25,
      200 - 0.25 + 1,
      0.5,
      -2,
    ]);
  });

  it('names the file and line of a non-number, a zero pixel size or missing lines', () => {
    expect(() => parseWorldFile('10\n0\nzero\n-10\n1\n2', 'bad.pgw')).toThrow(
      /bad\.pgw line 3: 'zero' is not a number/,
    );
    expect(() => parseWorldFile('10\n0\n0\n0\n1\n2', 'flat.pgw')).toThrow(
      /flat\.pgw line 4: E \(y pixel size\) is 0/,
    );
    expect(() => parseWorldFile('10\n0\n0\n-10\n', 'short.pgw')).toThrow(ValidationError);
    expect(() => parseWorldFile('10\n0\n0\n-10\n', 'short.pgw')).toThrow(
      /has 4 numbers, expected 6/,
    );
  });
});

describe('findWorldFile and findPrjFile', () => {
  it('find the fixtures beside their images', async () => {
    expect(await findWorldFile(fixture('rgb-32618.png'))).toBe(fixture('rgb-32618.pgw'));
    expect(await findWorldFile(fixture('rgb.jpg'))).toBe(fixture('rgb.jgw'));
    expect(await findPrjFile(fixture('rgb-32618.png'))).toBe(fixture('rgb-32618.prj'));
    expect(await findPrjFile(fixture('rgb.jpg'))).toBeUndefined();
  });

  it('match case-insensitively and accept .pngw, .jpgw and .wld', async () => {
    const folder = mkdtempSync(join(temp, 'find-'));
    for (const name of ['IMG.PNG', 'img.PGWX', 'Img.PngW', 'photo.jpeg', 'PHOTO.WLD', 'PHOTO.PRJ'])
      writeFileSync(join(folder, name), '');
    expect(await findWorldFile(join(folder, 'IMG.PNG'))).toBe(join(folder, 'Img.PngW'));
    expect(await findWorldFile(join(folder, 'photo.jpeg'))).toBe(join(folder, 'PHOTO.WLD'));
    expect(await findPrjFile(join(folder, 'photo.jpeg'))).toBe(join(folder, 'PHOTO.PRJ'));
    expect(await findWorldFile(join(folder, 'missing', 'x.png'))).toBeUndefined();
  });
});

describe('openWorldFileImage', () => {
  it('reads an RGB PNG with its world file and .prj CRS', async () => {
    const prj = readFileSync(fixture('rgb-32618.prj'), 'utf8');
    const source = await openWorldFileImage(
      {
        path: fixture('rgb-32618.png'),
        format: 'png',
        worldFilePath: fixture('rgb-32618.pgw'),
        crs: crs.fromWkt(prj),
      },
      LIMITS,
      crs,
    );
    expect(source.description).toMatchObject({
      width: 32,
      height: 24,
      bandNames: ['red', 'green', 'blue'],
      dataType: 'uint8',
      nodata: null,
      crs: 'EPSG:32618',
      geoTransform: [500000, 10, 0, 4500000, 0, -10],
    });
    const [green, red] = await source.readWindow(
      { col0: 5, row0: 3, width: 4, height: 2 },
      { bands: [1, 0] },
    );
    expect(green).toBeInstanceOf(Uint8Array);
    expect(Array.from(red ?? [])).toEqual(
      [3, 4].flatMap((r) => [5, 6, 7, 8].map((c) => pattern(0, r, c) % 256)),
    );
    expect(Array.from(green ?? [])).toEqual(
      [3, 4].flatMap((r) => [5, 6, 7, 8].map((c) => pattern(1, r, c) % 256)),
    );
    await source.close();
  });

  it('reads a 16-bit grey PNG as one uint16 band', async () => {
    const source = await openWorldFileImage(
      {
        path: fixture('gray16.png'),
        format: 'png',
        worldFilePath: fixture('gray16.pgw'),
        crs: 'EPSG:27700',
      },
      LIMITS,
      crs,
    );
    expect(source.description).toMatchObject({
      bandNames: ['gray'],
      dataType: 'uint16',
      geoTransform: [530000, 2, 0, 180000, 0, -2],
    });
    const [gray] = await source.readWindow({ col0: 0, row0: 0, width: 16, height: 12 });
    expect(gray).toBeInstanceOf(Uint16Array);
    expect(gray?.[11 * 16 + 15]).toBe(pattern(0, 11, 15, 1000) % 65536);
    expect(gray?.[16 + 2]).toBe(pattern(0, 1, 2, 1000));
    await source.close();
  });

  it('reads a JPEG with a .jgw close to the values it was encoded from', async () => {
    const source = await openWorldFileImage(
      {
        path: fixture('rgb.jpg'),
        format: 'jpeg',
        worldFilePath: fixture('rgb.jgw'),
        crs: 'epsg:3857',
      },
      LIMITS,
      crs,
    );
    expect(source.description).toMatchObject({
      crs: 'EPSG:3857',
      geoTransform: [14321853, 0.5, 0, 4533021, 0, -0.5],
      layout: { compression: 'jpeg' },
    });
    const arrays = await source.readWindow({ col0: 0, row0: 0, width: 32, height: 24 });
    const expected = [
      (r: number) => r * 4,
      (_: number, c: number) => c * 4,
      (r: number, c: number) => (r + c) * 2,
    ];
    arrays.forEach((array, band) => {
      let error = 0;
      array.forEach(
        (v, i) => (error += Math.abs(v - (expected[band]?.(Math.floor(i / 32), i % 32) ?? 0))),
      );
      expect(error / array.length).toBeLessThan(2);
    });
    await source.close();
  });

  it('is pixel-only without a world file, and refuses a world file without a CRS', async () => {
    const plain = await openWorldFileImage(
      { path: fixture('rgb-32618.png'), format: 'png', crs: 'EPSG:32618' },
      LIMITS,
      crs,
    );
    expect(plain.description.crs).toBeNull();
    expect(plain.description.geoTransform).toBeNull();
    await expect(
      openWorldFileImage(
        { path: fixture('rgb-32618.png'), format: 'png', worldFilePath: fixture('rgb-32618.pgw') },
        LIMITS,
        crs,
      ),
    ).rejects.toThrow(UnknownCrsError);
    await expect(
      openWorldFileImage(
        {
          path: fixture('rgb-32618.png'),
          format: 'png',
          worldFilePath: fixture('rgb-32618.pgw'),
          crs: 'EPSG:99999',
        },
        LIMITS,
        crs,
      ),
    ).rejects.toThrow(/EPSG:99999/);
  });

  it('rejects the zero-pixel-size world file, naming it and the line', async () => {
    const input = {
      path: fixture('zero-pixel-size.png'),
      format: 'png',
      worldFilePath: fixture('zero-pixel-size.pgw'),
      crs: 'EPSG:32618',
    } as const;
    await expect(openWorldFileImage(input, LIMITS, crs)).rejects.toThrow(
      /zero-pixel-size\.pgw line 1/,
    );
  });

  it('checks the pixel limit from the header, before decoding', async () => {
    await expect(
      openWorldFileImage(
        { path: fixture('rgb-32618.png'), format: 'png' },
        { maxPixels: 100 },
        crs,
      ),
    ).rejects.toThrow(TooLargeError);
    await expect(
      openWorldFileImage({ path: fixture('rgb.jpg'), format: 'jpeg' }, { maxPixels: 100 }, crs),
    ).rejects.toThrow(/32 × 24.*100/);
  });

  it('reports corrupt, truncated and missing images as typed errors', async () => {
    await expect(
      openWorldFileImage({ path: fixture('rgb.jpg'), format: 'png' }, LIMITS, crs),
    ).rejects.toThrow(/not a PNG: the first bytes are ff d8/);
    await expect(
      openWorldFileImage({ path: fixture('rgb-32618.png'), format: 'jpeg' }, LIMITS, crs),
    ).rejects.toThrow(CorruptFileError);
    await expect(
      openWorldFileImage({ path: join(temp, 'absent.png'), format: 'png' }, LIMITS, crs),
    ).rejects.toThrow(NotFoundError);
    for (const [name, format] of [
      ['rgb-32618.png', 'png'],
      ['rgb.jpg', 'jpeg'],
    ] as const) {
      const bytes = readFileSync(fixture(name));
      const path = join(temp, `truncated-${name}`);
      writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
      const source = await openWorldFileImage({ path, format }, LIMITS, crs);
      await expect(source.readWindow({ col0: 0, row0: 0, width: 8, height: 8 })).rejects.toThrow(
        CorruptFileError,
      );
      await source.close();
    }
  });

  it('validates windows and bands', async () => {
    const source = await openWorldFileImage(
      { path: fixture('gray16.png'), format: 'png' },
      LIMITS,
      crs,
    );
    await expect(source.readWindow({ col0: 10, row0: 0, width: 7, height: 1 })).rejects.toThrow(
      ValidationError,
    );
    await expect(
      source.readWindow({ col0: 0, row0: 0, width: 1, height: 1 }, { bands: [1] }),
    ).rejects.toThrow(/band index 1/);
    await source.close();
  });
});
