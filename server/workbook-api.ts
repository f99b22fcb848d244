import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as Y from 'yjs';
import { baseWorkbookId } from '../src/protocol/messages.js';
import { CHALLENGE_ID, LEGACY_KEY_ID, parseCredential, roleFor, type Role } from '../src/protocol/access.js';
import { NONCE_PATH, PROOF_HEADER, apiProofMessage, checkProof, decodeProofHeader } from '../src/protocol/challenge.js';
import { APP_REQUEST_HEADER, APP_REQUEST_VALUE, CREDENTIAL_HEADER, SNAPSHOT_API_PREFIX, SnapshotApiError } from '../src/protocol/snapshots.js';
import { fail, json } from './api-response.js';
import type { Logger } from './log.js';
import { ApiNonces, nodeVerify } from './proofs.js';
import { createRetainedRoutes } from './retained-api.js';
import { createSnapshotRoutes } from './snapshot-api.js';
import type { AsyncRoomStore } from './async-store.js';

export interface WorkbookApiDeps {
  /** SQLite (through asyncStore) or Postgres on a hosted hub */
  store: AsyncRoomStore;
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
  /** open (unkeyed) workbooks take changes from anyone (OPEN_WORKBOOKS_WRITABLE); otherwise they are read-only */
  openWorkbooksWritable?: boolean;
}

/** The largest request body the API reads (a snapshot's name and author). */
export const MAX_BODY_BYTES = 4096;

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
  /** the request's body, read (at most MAX_BODY_BYTES) before its proof was checked, since a signed request signs it */
  body: string;
}

export type Route = (r: ApiRequest) => Promise<void> | void;

/**
 * /api/w/<room>/snapshots[/<id>]   saved copies (server/snapshot-api.ts)
 * /api/w/<room>/state|timeline     the retained log (server/retained-api.ts)
 * /api/w/<room>/nonce              a nonce to sign a request with (src/protocol/challenge.ts)
 * A signed (`s…`) or sealed (`e…`) workbook's requests carry X-Workbook-Proof, a signature over the request and a
 * nonce this hub made, checked against the room's workbook, so the same link opens a workbook and
 * its journal and no key crosses the wire; a legacy (`k…`) one's carry the key (X-Workbook-Key).
 * Returns false for paths it does not own.
 */
export function createWorkbookApi(deps: WorkbookApiDeps) {
  const snapshots = createSnapshotRoutes(deps);
  const retained = createRetainedRoutes(deps);
  const nonces = new ApiNonces(deps.now);

  /** The role this request's proof or key gives, or null. Synchronous from check to spend, so a nonce is used once. */
  const roleOf = async (req: IncomingMessage, url: URL, room: string, workbook: string, body: string): Promise<Role | null> => {
    if (CHALLENGE_ID.test(workbook)) {
      const header = req.headers[PROOF_HEADER.toLowerCase()];
      const signed = typeof header === 'string' ? decodeProofHeader(header) : null;
      if (!signed || !nonces.valid(room, signed.nonce)) return null;
      const bodyHash = createHash('sha256').update(body, 'utf8').digest('base64url');
      const message = apiProofMessage(signed.nonce, req.method ?? 'GET', url.pathname + url.search, signed.proof.role, bodyHash);
      const role = checkProof(workbook, signed.proof, message, nodeVerify);
      if (role) nonces.spend(signed.nonce);
      return role;
    }
    if (LEGACY_KEY_ID.test(workbook)) {
      const header = req.headers[CREDENTIAL_HEADER.toLowerCase()];
      return roleFor(workbook, parseCredential(typeof header === 'string' ? header : ''));
    }
    return deps.openWorkbooksWritable ? 'edit' : 'view';
  };

  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (!url.pathname.startsWith(SNAPSHOT_API_PREFIX)) return false;
    const parts = url.pathname.slice(SNAPSHOT_API_PREFIX.length).split('/');
    const [room, what, id] = parts;
    res.setHeader('Cache-Control', 'no-store');
    const workbook = baseWorkbookId(room ?? '');
    if (!workbook) {
      fail(res, 404, 'NOT_FOUND', 'no such address');
      return true;
    }
    void (async () => {
      // Snapshots, retained history, nonces: nothing of a retired workbook is served, and nothing is taken.
      if ((await deps.store.retiredAt(room)) !== null) {
        fail(res, 410, 'RETIRED', 'this workbook has moved: ask your coordinator for the new link');
        return;
      }
      if (what === NONCE_PATH && parts.length === 2) {
        if (req.method === 'GET') json(res, 200, { nonce: nonces.issue(room) });
        else fail(res, 405, 'METHOD', 'use GET');
        return;
      }
      const route: Route | undefined =
        what === 'snapshots' && parts.length <= 3 ? snapshots : parts.length === 2 && (what === 'state' || what === 'timeline') ? retained[what] : undefined;
      if (!route) {
        fail(res, 404, 'NOT_FOUND', 'no such address');
        return;
      }
      let body = '';
      if (req.method === 'POST') {
        try {
          body = await readBody(req);
        } catch (err) {
          if (err instanceof SnapshotApiError) fail(res, 413, err.code, err.message);
          else throw err;
          return;
        }
      }
      const role = await roleOf(req, url, room, workbook, body);
      if (!role) {
        fail(res, 401, 'UNAUTHORIZED', 'this link does not open this workbook');
        return;
      }
      await route({ req, res, url, room, workbook, role, id, body, ip: req.socket.remoteAddress ?? 'unknown' });
    })().catch((err) => {
      deps.log.error('workbook api failed', { room, what, error: String(err) });
      fail(res, 500, 'STORAGE_FAILED', 'the hub failed to answer');
    });
    return true;
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Answer, then drain what is left so the client reads the 413 rather than a reset.
        req.removeAllListeners('data');
        req.resume();
        reject(new SnapshotApiError('TOO_LARGE', 'request too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
