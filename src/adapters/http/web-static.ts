/**
 * The workbench at `/`: the built web app (`web/dist/`) when present, with the single-page
 * fallback to its index.html; until it is built, a minimal page with a login form.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { problemOf, sendProblem } from './problem.ts';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The placeholder's login script, served as a file: the CSP allows no inline script. */
export const PLACEHOLDER_SCRIPT_NAME = 'placeholder-login.js';

const PLACEHOLDER_SCRIPT = `const form = document.getElementById('login');
const status = document.getElementById('status');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form));
  const response = await fetch('/api/session', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data),
  });
  const body = await response.json();
  status.textContent = response.ok ? 'Logged in as ' + body.user.name + ' (' + body.user.role + ')' : body.detail;
});
`;

/** Shown at `/` while web/dist is not built. */
export const PLACEHOLDER_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>sitewatch</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>sitewatch</h1>
<p>The workbench is being built. The REST API is served under <a href="/api/openapi.json">/api/</a>.</p>
<form id="login">
  <label>User <input name="name" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>
<p id="status" role="status"></p>
<script type="module" src="/${PLACEHOLDER_SCRIPT_NAME}"></script>
</body>
</html>
`;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function sendFile(reply: FastifyReply, path: string): Promise<FastifyReply> {
  const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  return reply.type(type).send(await readFile(path));
}

/**
 * Serves `webDir` (an absolute path) at `/`, or the placeholder page when it holds no
 * index.html. Paths outside `webDir` are never read.
 */
export function installWebStatic(app: FastifyInstance, webDir: string): void {
  const root = resolve(webDir);
  app.get('/*', { config: { access: 'public' } }, async (request, reply) => {
    if (request.url.startsWith('/api/')) {
      return sendProblem(reply, problemOf(404, `no API route ${request.method} ${request.url}`));
    }
    const index = join(root, 'index.html');
    if (!(await isFile(index))) {
      if (request.url === `/${PLACEHOLDER_SCRIPT_NAME}`) {
        return reply.type('text/javascript; charset=utf-8').send(PLACEHOLDER_SCRIPT);
      }
      return reply.type('text/html; charset=utf-8').send(PLACEHOLDER_HTML);
    }
    const pathname = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    const target = normalize(join(root, pathname));
    if (target !== root && !target.startsWith(root + sep)) {
      return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    }
    if (await isFile(target)) return sendFile(reply, target);
    // Client-side routes (no file extension) get the app; a missing asset is a 404.
    if (extname(pathname) === '') return sendFile(reply, index);
    return reply.code(404).type('text/plain; charset=utf-8').send('not found');
  });
}
