/**
 * The workbench's build (web/ → web/dist/), made on demand by `sitewatch serve` so that a
 * fresh checkout serves the workbench without a separate build step: when web/dist is
 * missing or older than its sources, and vite (a development dependency) is installed.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workbench sources (Vite root). */
export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, name)));
  return newest;
}

/** Whether `webDir` (the build) is missing or older than the sources under web/. */
export function workbenchBuildIsStale(webDir: string, webRoot: string = WEB_ROOT): boolean {
  const built = join(webDir, 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['index.html', 'src', 'vite.config.ts']
    .map((name) => join(webRoot, name))
    .filter((path) => existsSync(path));
  const newestSourceMs = Math.max(...sources.map(newestMtimeMs));
  return newestSourceMs > statSync(built).mtimeMs;
}

export type WorkbenchBuild = 'up-to-date' | 'built' | 'unavailable';

/**
 * Builds the workbench into web/dist when it is missing or stale.
 * @returns `unavailable` when the sources or vite are not installed (a production install
 *   without development dependencies): the server then serves its placeholder page.
 */
export async function ensureWorkbenchBuilt(
  webDir: string,
  log: (line: string) => void,
  webRoot: string = WEB_ROOT,
): Promise<WorkbenchBuild> {
  if (!existsSync(join(webRoot, 'vite.config.ts'))) return 'unavailable';
  if (!workbenchBuildIsStale(webDir, webRoot)) return 'up-to-date';
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    log('the workbench is not built and vite is not installed: serving the placeholder page');
    return 'unavailable';
  }
  log('building the workbench (web/ → web/dist/)…');
  // Built beside the target and renamed into place, so that a server (or a test) started at
  // the same time never serves half a build; the loser of a race keeps the winner's build.
  const target = webDir.replace(/[/\\]+$/, '');
  const scratch = `${target}.build-${process.pid}-${Date.now()}`;
  try {
    await vite.build({
      configFile: join(webRoot, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: scratch, emptyOutDir: true },
    });
    if (!workbenchBuildIsStale(target, webRoot)) return 'up-to-date'; // built meanwhile
    rmSync(target, { recursive: true, force: true });
    try {
      renameSync(scratch, target);
    } catch (error) {
      if (workbenchBuildIsStale(target, webRoot)) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return 'built';
}
