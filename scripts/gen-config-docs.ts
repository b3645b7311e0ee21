import { writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../src/apps/config.ts';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDocs());
