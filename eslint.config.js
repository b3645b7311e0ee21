// Lint rules, including the dependency rule of docs/ARCHITECTURE.md:
// core imports nothing outside core; app imports core only; adapters import core and app;
// apps (entry points) may import anything.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'worker_threads'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.sitewatch/**',
      'coverage/**',
      'bin/**',
      'eslint.config.js',
      'web/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/app/**', '**/adapters/**', '**/apps/**'],
              message: 'core is the pure centre: it may import only core (docs/ARCHITECTURE.md).',
            },
            { group: nodeBuiltins, message: 'core does no I/O: no node built-ins.' },
            {
              group: ['better-sqlite3', 'geotiff', 'commander', 'proj4', 'epsg-index'],
              message: 'core must not depend on an adapter technology.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'core reads no environment: take values as arguments.' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'core has no clock: take the time as an argument.',
        },
        { object: 'Math', property: 'random', message: 'core randomness must be seeded.' },
      ],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    ignores: ['src/app/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**', '**/apps/**'],
              message: 'app holds use cases and ports: it may import only core and app.',
            },
            { group: nodeBuiltins, message: 'app reaches the world only through ports.' },
            {
              group: ['better-sqlite3', 'geotiff', 'commander', 'proj4', 'epsg-index'],
              message: 'app must not depend on an adapter technology.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    ignores: ['src/adapters/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/apps/**'], message: 'adapters must not import entry points.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
