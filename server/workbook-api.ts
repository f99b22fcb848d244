import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as Y from 'yjs';
import { baseWorkbookId } from '../src/protocol/messages.js';
import { parseCredential, roleFor, type Role } from '../src/protocol/access.js';
import { APP_REQUEST_HEADER, APP_REQUEST_VALUE, CREDENTIAL_HEADER, SNAPSHOT_API_PREFIX } from '../src/protocol/snapshots.js';
import { fail } from './api-response.js';
import type { Logger } from './log.js';
import { createRetainedRoutes } from './retained-api.js';
import { createSnapshotRoutes } from './snapshot-api.js';
import type { RoomStore } from './store.js';

export interface WorkbookApiDeps {
  store: RoomStore;
  /** the loaded room's live doc, so a snapshot holds what connected people see right now */
  liveDoc(room: string): Y.Doc | null;
  now(): number;
  log: Logger;
  /** one `state?at=` answer may read at most this much stored history, bytes (413 past it) */
  maxStateInputBytes: number;
  /** a workbook and its saved snapshots together, bytes (MAX_DOC_BYTES); absent: no limit */
  maxDocBytes?: number;
  /** snapshots taken per workbook, and per address, in any hour; absent: no limit */
  maxSnapshotsPerHour?: number;
  maxSnapshotsPerHourPerIp?: number;
}

/**
 * Whether a request that changes something came from the app: it carries APP_REQUEST_HEADER,
 * which a form on another site cannot send (and a cross-site fetch cannot without a CORS
 * preflight, which the hub never grants).
 */
export function isAppRequest(req: IncomingMessage): boolean {
  return req.headers[APP_REQUEST_HEADER.toLowerCase()] === APP_REQUEST_VALUE;
}

/** One request to /api/w/<room>/<what>[/<id>], its link already checked against the room's workbook. */
export interface ApiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** as in the path: a workbook id or its journal's (`<id>.h`) */
  room: string;
  /** the workbook the room belongs to (its own id for a journal's) */
  workbook: string;
  /** the remote address, for limits per address */
  ip: string;
  role: Role;
  /** what follows `<what>/` in the path, if anything */
  id: string | undefined;
}

export type Route = (r: ApiRequest) => Promise<void> | void;

/**
 * /api/w/<room>/snapshots[/<id>]   saved copies (server/snapshot-api.ts)
 * /api/w/<room>/state|timeline     the retained log (server/retained-api.ts)
 * The credential (X-Workbook-Key) is checked against the room's workbook, so the same link opens
 * a workbook and its journal. Returns false for paths it does not own.
 */
export function createWorkbookApi(deps: WorkbookApiDeps) {
  const snapshots = createSnapshotRoutes(deps);
  const retained = createRetainedRoutes(deps);
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (!url.pathname.startsWith(SNAPSHOT_API_PREFIX)) return false;
    const parts = url.pathname.slice(SNAPSHOT_API_PREFIX.length).split('/');
    const [room, what, id] = parts;
    res.setHeader('Cache-Control', 'no-store');
    const workbook = baseWorkbookId(room ?? '');
    const route: Route | undefined =
      what === 'snapshots' && parts.length <= 3 ? snapshots : parts.length === 2 && (what === 'state' || what === 'timeline') ? retained[what] : undefined;
    if (!workbook || !route) {
      fail(res, 404, 'NOT_FOUND', 'no such address');
      return true;
    }
    void (async () => {
      const header = req.headers[CREDENTIAL_HEADER.toLowerCase()];
      const role = await roleFor(workbook, parseCredential(typeof header === 'string' ? header : ''));
      if (!role) {
        fail(res, 401, 'UNAUTHORIZED', 'this link does not open this workbook');
        return;
      }
      await route({ req, res, url, room, workbook, role, id, ip: req.socket.remoteAddress ?? 'unknown' });
    })().catch((err) => {
      deps.log.error('workbook api failed', { room, what, error: String(err) });
      fail(res, 500, 'STORAGE_FAILED', 'the hub failed to answer');
    });
    return true;
  };
}
