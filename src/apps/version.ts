/** sitewatch's version, from package.json; recorded in provenance and printed by `--version`. */
import { readFileSync } from 'node:fs';

export const SOFTWARE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
