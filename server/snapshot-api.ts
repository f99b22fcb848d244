import type { IncomingMessage, ServerResponse } from 'node:http';
import * as Y from 'yjs';
import { ROOM_ID_PATTERN } from '../src/protocol/messages.js';
import { parseCredential, roleFor } from '../src/protocol/access.js';
import { CREDENTIAL_HEADER, SNAPSHOT_API_PREFIX, SnapshotApiError, type SnapshotApiErrorCode } from '../src/protocol/snapshots.js';
import type { Logger } from './log.js';
import { storedUpdate, type RoomStore } from './store.js';

const MAX_BODY_BYTES = 4096;
const MAX_NAME_LENGTH = 100;

export interface SnapshotApiDeps {
  store: RoomStore;
  /** the loaded room's live doc, so a snapshot holds what connected people see right now */
  liveDoc(room: string): Y.Doc | null;
  now(): number;
  log: Logger;
}

/**
 * /api/w/<workbook>/snapshots          GET: list · POST {name, by}: take one now
 * /api/w/<workbook>/snapshots/<id>     GET: the Yjs state (application/octet-stream)
 * Returns false for paths it does not own.
 */
export function createSnapshotApi(deps: SnapshotApiDeps) {
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (!url.pathname.startsWith(SNAPSHOT_API_PREFIX)) return false;
    const parts = url.pathname.slice(SNAPSHOT_API_PREFIX.length).split('/');
    const [room, what, id] = parts;
    res.setHeader('Cache-Control', 'no-store');
    if (!ROOM_ID_PATTERN.test(room ?? '') || what !== 'snapshots' || parts.length > 3) {
      fail(res, 404, 'NOT_FOUND', 'no such address');
      return true;
    }
    void (async () => {
      const header = req.headers[CREDENTIAL_HEADER.toLowerCase()];
      const role = await roleFor(room, parseCredential(typeof header === 'string' ? header : ''));
      if (!role) {
        fail(res, 401, 'UNAUTHORIZED', 'this link does not open this workbook');
        return;
      }
      if (id === undefined) {
        if (req.method === 'GET') list(res, room);
        else if (req.method === 'POST') {
          if (role !== 'edit') fail(res, 403, 'READ_ONLY', 'a view link cannot take snapshots');
          else await create(req, res, room);
        } else fail(res, 405, 'METHOD', 'use GET or POST');
        return;
      }
      if (req.method !== 'GET') {
        fail(res, 405, 'METHOD', 'use GET');
        return;
      }
      fetchOne(res, room, id);
    })().catch((err) => {
      deps.log.error('snapshot api failed', { room, error: String(err) });
      fail(res, 500, 'STORAGE_FAILED', 'the hub failed to answer');
    });
    return true;
  };

  function list(res: ServerResponse, room: string): void {
    json(res, 200, deps.store.listSnapshots(room));
  }

  function fetchOne(res: ServerResponse, room: string, rawId: string): void {
    const id = Number(rawId);
    const data = Number.isSafeInteger(id) && id > 0 ? deps.store.loadSnapshot(room, id) : null;
    if (!data) {
      fail(res, 404, 'UNKNOWN_SNAPSHOT', 'no such snapshot');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length }).end(Buffer.from(data));
  }

  async function create(req: IncomingMessage, res: ServerResponse, room: string): Promise<void> {
    let body: { name?: unknown; by?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch (err) {
      if (err instanceof SnapshotApiError) fail(res, 413, err.code, err.message);
      else fail(res, 400, 'BAD_REQUEST', 'send JSON: {"name": "…", "by": "…"}');
      return;
    }
    const name = typeof body?.name === 'string' ? body.name.replace(/\s+/g, ' ').trim() : '';
    const by = typeof body?.by === 'string' ? body.by.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_LENGTH) : '';
    if (!name || name.length > MAX_NAME_LENGTH || !by) {
      fail(res, 400, 'BAD_NAME', `a snapshot needs a name (up to ${MAX_NAME_LENGTH} characters) and who made it`);
      return;
    }
    // Not loaded: read from the store once, which also says whether it exists.
    const live = deps.liveDoc(room);
    const data = live ? Y.encodeStateAsUpdate(live) : storedUpdate(deps.store.load(room));
    if (!data) {
      fail(res, 404, 'UNKNOWN_WORKBOOK', 'the hub holds no such workbook yet');
      return;
    }
    const at = deps.now();
    try {
      const id = deps.store.saveSnapshot(room, { name, kind: 'named', by, at }, data);
      json(res, 201, { id, name, kind: 'named', by, at, bytes: data.length });
    } catch (err) {
      deps.log.error('could not save snapshot', { room, error: String(err) });
      fail(res, 507, 'STORAGE_FAILED', 'the hub could not store the snapshot (disk full?)');
    }
  }
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

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, code: SnapshotApiErrorCode, message: string): void {
  if (!res.headersSent) json(res, status, { error: code, message });
}
