/** Writes the Atom feed of alerts to a file atomically (temp file in the same folder, rename). */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Alert } from '../../core/alerts/alert.ts';
import { renderAtomFeed, type AtomFeedOptions } from '../../core/alerts/atom-feed.ts';

export function writeAtomFeedFile(
  path: string,
  alerts: readonly Alert[],
  options: AtomFeedOptions,
): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temp, renderAtomFeed(alerts, options), 'utf8');
  renameSync(temp, path);
}
