import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
/** STATIC_DIR lets a run use its own build (the relay reads the same variable), so two builds never empty each other's dist/. */
export const DIST = process.env.STATIC_DIR ? resolve(process.env.STATIC_DIR) : join(ROOT, 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `extraArgs`: e.g. `--host-resolver-rules=MAP hub.lan 127.0.0.1`, to open the hub by a name (an insecure context). */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  checkPrerequisites();
  return chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extraArgs] });
}

/**
 * A browser with a profile on disk, as a person's browser is: unlike the
 * incognito-like contexts of `launchChromium`, it can install a web app.
 */
export async function launchProfile(userDataDir: string): Promise<BrowserContext> {
  checkPrerequisites();
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: ARGS, viewport: { width: 412, height: 860 } });
}

function checkPrerequisites(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`e2e tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('e2e tests need the built app: run `npm run build` first');
}

const ARGS = [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Pages fulfilled by serveAppFromCache have no network address, so Chromium's Local
      // Network Access check would treat them as public and block their ws:// to loopback.
      '--disable-features=LocalNetworkAccessChecks',
];

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/**
 * Serves the built app to this context from disk, as a browser cache would:
 * lets a test reload the page while the relay is down. WebSockets are not
 * intercepted, so sync still goes to the (absent) relay.
 */
export async function serveAppFromCache(context: BrowserContext, origin: string): Promise<void> {
  await context.route(`${origin}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    let file = join(DIST, path);
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
    return route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  });
}
