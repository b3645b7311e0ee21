#!/usr/bin/env node
// Entry shim: runs the TypeScript CLI through tsx, so `npx sitewatch` works right after
// `npm ci` with no build step to remember (docs/adr/0002-run-typescript-with-tsx.md).
import { register } from 'tsx/esm/api';

register();
await import('../src/apps/cli/main.ts');
