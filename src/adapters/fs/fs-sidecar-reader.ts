/**
 * Finds acquisition metadata beside an image file: a sitewatch sidecar JSON
 * (`<file>.json` or `<stem>.json`) and a STAC Item (`<file>.stac.json`, `<stem>.stac.json`,
 * or any Item JSON in the folder with an asset whose href is the file). For band files the
 * stem without its band suffix (`T30UWU_20170621T110651` for `..._B02.tif`) is tried too.
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ValidationError } from '../../core/errors.ts';
import type { SidecarMetadata, SidecarReader } from '../../app/ports.ts';

const BAND_SUFFIX = /[_-](B\d{1,2}A?)$/i;

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(`${path}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

function isStacItem(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const r = json as Record<string, unknown>;
  return r.type === 'Feature' && ('stac_version' in r || 'assets' in r);
}

function assetHrefs(json: unknown, folder: string): string[] {
  const assets = (json as { assets?: unknown }).assets;
  if (typeof assets !== 'object' || assets === null) return [];
  return Object.values(assets as Record<string, unknown>)
    .map((a) => (a as { href?: unknown }).href)
    .filter((h): h is string => typeof h === 'string')
    .map((h) => resolve(folder, h.replace(/^file:\/\//, '')));
}

export class FsSidecarReader implements SidecarReader {
  async read(imagePath: string): Promise<SidecarMetadata> {
    const folder = dirname(imagePath);
    const file = basename(imagePath);
    const stem = basename(file, extname(file));
    const stems = [stem, stem.replace(BAND_SUFFIX, '')].filter((s, i, a) => a.indexOf(s) === i);
    let sidecar: SidecarMetadata['sidecar'];
    let stac: SidecarMetadata['stac'];
    const candidates = [
      `${file}.json`,
      `${file}.stac.json`,
      ...stems.flatMap((s) => [`${s}.json`, `${s}.stac.json`]),
    ];
    for (const name of candidates) {
      const path = join(folder, name);
      const json = await readJson(path);
      if (json === undefined) continue;
      if (isStacItem(json)) stac ??= { path, json };
      else sidecar ??= { path, json };
    }
    stac ??= await this.findItemReferencing(folder, resolve(imagePath));
    return { ...(sidecar ? { sidecar } : {}), ...(stac ? { stac } : {}) };
  }

  private async findItemReferencing(
    folder: string,
    target: string,
  ): Promise<SidecarMetadata['stac']> {
    let names: string[];
    try {
      names = (await readdir(folder)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
    } catch {
      return undefined;
    }
    for (const name of names) {
      const path = join(folder, name);
      const json = await readJson(path);
      if (isStacItem(json) && assetHrefs(json, folder).includes(target)) return { path, json };
    }
    return undefined;
  }
}
