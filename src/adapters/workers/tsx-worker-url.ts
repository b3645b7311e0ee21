/**
 * The URL to start a worker_threads Worker on a TypeScript entry: a data: URL module that
 * registers tsx in the new thread (as bin/sitewatch.js does in the main one, docs/adr/0002)
 * and then imports the entry.
 */
export function tsxWorkerUrl(entry: URL): URL {
  const tsx = import.meta.resolve('tsx/esm/api');
  const code =
    `import { register } from ${JSON.stringify(tsx)};\n` +
    `register();\n` +
    `await import(${JSON.stringify(entry.href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
