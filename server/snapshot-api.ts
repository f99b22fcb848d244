import type { IncomingMessage } from 'node:http';
import * as Y from 'yjs';
import { SnapshotApiError } from '../src/protocol/snapshots.js';
import { storedUpdate } from './store.js';
import { fail, json } from './api-response.js';
import type { ApiRequest, WorkbookApiDeps } from './workbook-api.js';

const MAX_BODY_BYTES = 4096;
const MAX_NAME_LENGTH = 100;

/**
 * /api/w/<room>/snapshots          GET: list · POST {name, by}: take one now
 * /api/w/<room>/snapshots/<id>     GET: the Yjs state (application/octet-stream)
 */
export function createSnapshotRoutes(deps: Pick<WorkbookApiDeps, 'store' | 'liveDoc' | 'now' | 'log'>) {
  return async ({ req, res, room, role, id }: ApiRequest): Promise<void> => {
    if (id === undefined) {
      if (req.method === 'GET') json(res, 200, deps.store.listSnapshots(room));
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
    const n = Number(id);
    const data = Number.isSafeInteger(n) && n > 0 ? deps.store.loadSnapshot(room, n) : null;
    if (!data) {
      fail(res, 404, 'UNKNOWN_SNAPSHOT', 'no such snapshot');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length }).end(Buffer.from(data));
  };

  async function create(req: IncomingMessage, res: ApiRequest['res'], room: string): Promise<void> {
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
