import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/shared-data.ts';
import { DEFAULT_MAX_PIXELS, loadConfig, renderConfigDocs } from './config.ts';

describe('loadConfig', () => {
  it('uses defaults, environment, then flags', () => {
    expect(loadConfig({})).toMatchObject({
      home: resolve('.sitewatch'),
      maxPixels: DEFAULT_MAX_PIXELS,
      redisPrefix: 'sitewatch',
      logFormat: 'text',
    });
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(loadConfig({ SITEWATCH_REDIS_URL: 'redis://q:6379/2' }).redisUrl).toBe(
      'redis://q:6379/2',
    );
    expect(() => loadConfig({ SITEWATCH_REDIS_URL: 'q:6379' })).toThrow(
      'SITEWATCH_REDIS_URL="q:6379"',
    );
    expect(() => loadConfig({ SITEWATCH_LOG_FORMAT: 'xml' })).toThrow(
      'SITEWATCH_LOG_FORMAT="xml": expected text or json',
    );
    expect(loadConfig({ SITEWATCH_HOME: '/tmp/a', SITEWATCH_MAX_PIXELS: '100' })).toMatchObject({
      home: '/tmp/a',
      maxPixels: 100,
    });
    expect(loadConfig({ SITEWATCH_HOME: '/tmp/a' }, { home: '/tmp/b' }).home).toBe('/tmp/b');
  });

  it('fails fast naming the variable', () => {
    expect(() => loadConfig({ SITEWATCH_MAX_PIXELS: 'lots' })).toThrow(
      'SITEWATCH_MAX_PIXELS="lots": expected a positive integer',
    );
  });
});

describe('docs/configuration.md', () => {
  it('matches the schema (regenerate with npm run docs:config)', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs/configuration.md'), 'utf8')).toBe(renderConfigDocs());
  });
});
