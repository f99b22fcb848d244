import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { misdirectedText } from './network.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface HttpDeps {
  staticDir: string;
  /** whether a request's Host header names this hub (server/network.ts createHostCheck); absent: every name */
  hostAllowed?: (host: string | undefined) => boolean;
  health: () => Record<string, unknown>;
  /** what the share dialog needs to make links phones on the LAN can open */
  hubInfo?: () => { version: string; lanUrls: string[] };
  /** handles the API paths it owns (returns true), before static files */
  api?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
}

/**
 * The app's Content-Security-Policy. Scripts, workers and connections only from the hub itself
 * (the service worker and the import worker are files of the app; nothing is inline). `'self'`
 * covers ws:/wss: to the same host and port in current browsers (CSP 3); the hub's own ws:// and
 * wss:// origin is named too, for browsers from before that rule (the Host it is built from has
 * been checked against the hub's names). Styles: the grid places and sizes its rows and cells with
 * `style` attributes and index.html carries one <style>, so inline styles are allowed — scripts
 * never are. Lit's styles are constructed stylesheets (adoptedStyleSheets).
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const own = host && /^[A-Za-z0-9.:[\]_-]+$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "worker-src 'self'",
    `connect-src 'self'${own}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Serves /healthz and the built app; unknown paths get index.html so deep links load the app. */
export function createRequestHandler(deps: HttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The workbook key lives in the URL fragment; never leak the page URL to other sites.
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (deps.hostAllowed && !deps.hostAllowed(req.headers.host)) {
      // DNS rebinding: the attacker's name, resolved to this computer. Nothing is served to it.
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(misdirectedText(req.headers.host));
      return;
    }
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.headers.host));
    // For browsers without CSP's frame-ancestors: no page may frame the app (clickjacking).
    res.setHeader('X-Frame-Options', 'DENY');
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    if (deps.api?.(req, res, url)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/api/hub' && deps.hubInfo) {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(deps.hubInfo()));
      return;
    }
    if (url.pathname === '/healthz') {
      const body = JSON.stringify(deps.health());
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    serveStatic(deps.staticDir, url.pathname, req, res);
  };
}

function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400).end('bad path');
    return;
  }
  const candidate = normalize(join(root, decoded));
  if (candidate !== root && !candidate.startsWith(root + sep)) {
    res.writeHead(404).end('not found');
    return;
  }
  let file = candidate;
  let stat = statOrNull(file);
  if (stat?.isDirectory()) {
    file = join(file, 'index.html');
    stat = statOrNull(file);
  }
  if (!stat || !stat.isFile()) {
    // Asset requests that miss are real 404s; anything else is an app route.
    if (extname(decoded) !== '') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    file = join(root, 'index.html');
    stat = statOrNull(file);
    if (!stat) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The app is not built yet: run `npm run build` (npm start does it for you).');
      return;
    }
  }
  const hashed = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
