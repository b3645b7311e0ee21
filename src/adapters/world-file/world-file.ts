/**
 * ESRI world files (`.pgw`, `.jgw`, `.wld`, …) and `.prj` files beside an image.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ValidationError } from '../../core/errors.ts';
import type { GeoTransform } from '../../core/geo/types.ts';

const WORLD_FILE_LINES = [
  'A (x pixel size)',
  'D (row rotation)',
  'B (column rotation)',
  'E (y pixel size)',
  'C (x of the upper-left pixel centre)',
  'F (y of the upper-left pixel centre)',
];

/**
 * Parses world-file text: six numbers A, D, B, E, C, F, one per line, where (C, F) is the
 * centre of the upper-left pixel. Returns the GDAL geotransform, whose origin is the pixel's
 * corner: [C − A/2 − B/2, A, B, F − D/2 − E/2, D, E]. Lines after the sixth are ignored.
 * @throws ValidationError naming the file and line for fewer than six numbers, a non-number,
 *   or a zero pixel size.
 */
export function parseWorldFile(text: string, path: string): GeoTransform {
  const lines = text.split(/\r?\n/);
  const values: number[] = [];
  for (let index = 0; index < lines.length && values.length < 6; index += 1) {
    const line = (lines[index] ?? '').trim();
    if (line === '') continue;
    const value = Number(line);
    if (!Number.isFinite(value)) {
      throw new ValidationError(
        `${path} line ${index + 1}: '${line.slice(0, 40)}' is not a number (expected ${WORLD_FILE_LINES[values.length] ?? 'a number'})`,
      );
    }
    if ((values.length === 0 || values.length === 3) && value === 0) {
      throw new ValidationError(
        `${path} line ${index + 1}: ${WORLD_FILE_LINES[values.length] ?? ''} is 0; a world file needs a non-zero pixel size`,
      );
    }
    values.push(value);
  }
  const [a, d, b, e, c, f] = values;
  if (
    a === undefined ||
    d === undefined ||
    b === undefined ||
    e === undefined ||
    c === undefined ||
    f === undefined
  ) {
    throw new ValidationError(
      `${path}: has ${values.length} numbers, expected 6 (A, D, B, E, C, F, one per line)`,
    );
  }
  return [c - a / 2 - b / 2, a, b, f - d / 2 - e / 2, d, e];
}

const WORLD_FILE_SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  '.png': ['.pgw', '.pngw'],
  '.jpg': ['.jgw', '.jpgw'],
  '.jpeg': ['.jgw', '.jpgw', '.jpegw'],
};

async function findBeside(
  imagePath: string,
  candidates: readonly string[],
): Promise<string | undefined> {
  const directory = dirname(imagePath);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return undefined;
  }
  const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
  for (const candidate of candidates) {
    const actual = byLowerCase.get(candidate.toLowerCase());
    if (actual !== undefined) return join(directory, actual);
  }
  return undefined;
}

/**
 * The world file beside an image, matched case-insensitively: `<stem>.pgw`/`.pngw` for PNG,
 * `<stem>.jgw`/`.jpgw`(/`.jpegw`) for JPEG, then `<stem>.wld` and `<name>.wld`.
 */
export async function findWorldFile(imagePath: string): Promise<string | undefined> {
  const name = basename(imagePath);
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  const suffixes = WORLD_FILE_SUFFIXES[extension.toLowerCase()] ?? [];
  return findBeside(imagePath, [...suffixes.map((s) => stem + s), `${stem}.wld`, `${name}.wld`]);
}

/** The `.prj` beside an image (`<stem>.prj` or `<name>.prj`), matched case-insensitively. */
export async function findPrjFile(imagePath: string): Promise<string | undefined> {
  const name = basename(imagePath);
  const stem = name.slice(0, name.length - extname(name).length);
  return findBeside(imagePath, [`${stem}.prj`, `${name}.prj`]);
}
