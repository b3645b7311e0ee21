/**
 * The workbench build: `npm run web:build` writes web/dist/, which `sitewatch serve` serves at
 * `/`. `npm run web:dev` serves it with hot reload and forwards /api/ to a running server
 * (SITEWATCH_API, default http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: { '/api': process.env.SITEWATCH_API ?? 'http://127.0.0.1:8080' },
  },
});
