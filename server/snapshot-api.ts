import * as Y from 'yjs';
import { SEALED_ID } from '../src/protocol/sealed.js';
import { asyncStore, type AsyncRoomStore } from './async-store.js';
import type { Logger } from './log.js';
import { storedUpdate, type RoomStore } from './store.js';
import { fail, json } from './api-response.js';
import { isAppRequest, type ApiRequest, type WorkbookApiDeps } from './workbook-api.js';

const MAX_NAME_LENGTH = 100;
/**
 * A sealed (`e…`) workbook's snapshot name is a label sealed on the device (src/sync/snapshots.ts:
 * sealLabel, name and author together): opaque base64url the hub stores as it is, and a fixed
 * author, so neither the name nor who took it is ever on the hub in plain text.
 */
const MAX_SEALED_LABEL_LENGTH = 2048;
const SEALED_LABEL = /^[A-Za-z0-9_-]+$/;
const SEALED_BY = 'sealed';
const HOUR_MS = 3_600_000;

/**
 * /api/w/<room>/snapshots          GET: list · POST {name, by}: take one now (a sealed workbook's name: its sealed label)
 * /api/w/<room>/snapshots/<id>     GET: the Yjs state (application/octet-stream) · DELETE: a named one
 *
 * Taking one is limited per workbook and per address (MAX_SNAPSHOTS_PER_HOUR[_PER_IP], 429), and
 * the workbook with its snapshots must fit in MAX_DOC_BYTES (413 SNAPSHOTS_FULL): automatic
 * snapshots, oldest first, make way for a named one (the newest automatic one always stays);
 * named ones are only ever deleted by a person with the edit link.
 */
export function createSnapshotRoutes(
  deps: Pick<WorkbookApiDeps, 'store' | 'liveDoc' | 'now' | 'log' | 'maxDocBytes' | 'maxSnapshotsPerHour' | 'maxSnapshotsPerHourPerIp'>,
) {
  const perWorkbook = slidingWindow(deps.maxSnapshotsPerHour ?? Infinity, HOUR_MS, deps.now);
  const perIp = slidingWindow(deps.maxSnapshotsPerHourPerIp ?? Infinity, HOUR_MS, deps.now);
  const maxDocBytes = deps.maxDocBytes ?? Infinity;
  /**
   * Taking a snapshot encodes the whole workbook and waits for the disk: requests that arrive
   * together take turns, one per turn of the event loop, so sync and /healthz are answered in
   * between instead of after all of them.
   */
  let turn: Promise<void> = Promise.resolve();
  const inTurn = <T>(work: () => T): Promise<T> => {
    const mine = turn.then(() => new Promise<void>((res) => setImmediate(res))).then(work);
    turn = mine.then(
      () => undefined,
      () => undefined,
    );
    return mine;
  };

  return async (r: ApiRequest): Promise<void> => {
    const { req, res, room, role, id } = r;
    if (id === undefined) {
      if (req.method === 'GET') {
        const list = await deps.store.listSnapshots(room);
        if (!res.destroyed) json(res, 200, list);
      }
      else if (req.method === 'POST') {
        if (role !== 'edit') fail(res, 403, 'READ_ONLY', 'a view link cannot take snapshots');
        else await create(r);
      } else fail(res, 405, 'METHOD', 'use GET or POST');
      return;
    }
    const n = Number(id);
    const valid = /^[0-9]{1,15}$/.test(id) && Number.isSafeInteger(n) && n > 0;
    if (req.method === 'DELETE') {
      await remove(r, valid ? n : null);
      return;
    }
    if (req.method !== 'GET') {
      fail(res, 405, 'METHOD', 'use GET or DELETE');
      return;
    }
    const data = valid ? await deps.store.loadSnapshot(room, n) : null;
    if (res.destroyed) return;
    if (!data) {
      fail(res, 404, 'UNKNOWN_SNAPSHOT', 'no such snapshot');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length }).end(Buffer.from(data));
  };

  async function remove({ req, res, room, role }: ApiRequest, n: number | null): Promise<void> {
    if (!isAppRequest(req)) {
      fail(res, 403, 'CROSS_SITE', 'send this request from the app');
      return;
    }
    if (role !== 'edit') {
      fail(res, 403, 'READ_ONLY', 'a view link cannot delete snapshots');
      return;
    }
    const info = n === null ? undefined : (await deps.store.listSnapshots(room)).find((s) => s.id === n);
    if (!info) {
      fail(res, 404, 'UNKNOWN_SNAPSHOT', 'no such snapshot');
      return;
    }
    if (info.kind === 'auto') {
      fail(res, 403, 'AUTOMATIC_SNAPSHOT', 'automatic snapshots are kept and rotated by the hub');
      return;
    }
    try {
      await deps.store.deleteSnapshot(room, info.id);
    } catch (err) {
      deps.log.error('could not delete snapshot', { room, error: String(err) });
      fail(res, 507, 'STORAGE_FAILED', 'the hub could not delete the snapshot');
      return;
    }
    deps.log.info('snapshot deleted', { room, id: info.id });
    res.writeHead(204).end();
  }

  async function create({ req, res, room, workbook, ip, body: text }: ApiRequest): Promise<void> {
    let body: { name?: unknown; by?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      fail(res, 400, 'BAD_REQUEST', 'send JSON: {"name": "…", "by": "…"}');
      return;
    }
    // Read and checked first, but nothing is taken or stored without the app's header.
    if (!isAppRequest(req)) {
      fail(res, 403, 'CROSS_SITE', 'send this request from the app');
      return;
    }
    let name: string;
    let by: string;
    if (SEALED_ID.test(workbook)) {
      name = typeof body?.name === 'string' ? body.name : '';
      by = SEALED_BY;
      if (name.length > MAX_SEALED_LABEL_LENGTH || !SEALED_LABEL.test(name)) {
        fail(res, 400, 'BAD_NAME', `a sealed workbook's snapshot needs its sealed label (base64url, up to ${MAX_SEALED_LABEL_LENGTH} characters)`);
        return;
      }
    } else {
      name = typeof body?.name === 'string' ? body.name.replace(/\s+/g, ' ').trim() : '';
      by = typeof body?.by === 'string' ? body.by.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_LENGTH) : '';
      if (!name || name.length > MAX_NAME_LENGTH || !by) {
        fail(res, 400, 'BAD_NAME', `a snapshot needs a name (up to ${MAX_NAME_LENGTH} characters) and who made it`);
        return;
      }
    }
    // Before any work: encoding a big workbook is what an attacker would make the hub do.
    const wait = Math.max(perWorkbook.waitMs(workbook), perIp.waitMs(ip));
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      fail(res, 429, 'RATE_LIMITED', 'too many snapshots in the last hour; try again later');
      return;
    }
    perWorkbook.take(workbook);
    perIp.take(ip);
    await inTurn(async () => {
      // Not loaded here: read from the store once, which also says whether it exists. (On a hosted
      // hub another process may hold it loaded: the store holds everything that was acked.)
      const live = deps.liveDoc(room);
      const data = live ? Y.encodeStateAsUpdate(live) : storedUpdate(await deps.store.load(room));
      if (!data) {
        fail(res, 404, 'UNKNOWN_WORKBOOK', 'the hub holds no such workbook yet');
        return;
      }
      const at = deps.now();
      try {
        // The workbook itself (about one copy of `data`) + its snapshots + this one.
        if (!(await fitSnapshots(deps.store, room, 2 * data.length, maxDocBytes, await newestAuto(deps.store, room)))) {
          fail(res, 413, 'SNAPSHOTS_FULL', 'the workbook and its snapshots would be larger than the hub keeps: delete a snapshot first');
          return;
        }
        const id = await deps.store.saveSnapshot(room, { name, kind: 'named', by, at }, data);
        json(res, 201, { id, name, kind: 'named', by, at, bytes: data.length });
      } catch (err) {
        deps.log.error('could not save snapshot', { room, error: String(err) });
        fail(res, 507, 'STORAGE_FAILED', 'the hub could not store the snapshot (disk full?)');
      }
    });
  }
}

async function newestAuto(store: AsyncRoomStore, room: string): Promise<number | undefined> {
  return (await store.listSnapshots(room)).find((s) => s.kind === 'auto')?.id;
}

/**
 * Makes room for `extraBytes` more in `room`'s snapshot budget (`maxBytes`, the workbook's
 * MAX_DOC_BYTES) by deleting automatic snapshots, oldest first, never `keep`; named ones are never
 * touched. Returns whether the room's snapshots plus `extraBytes` now fit.
 */
export async function fitSnapshots(store: AsyncRoomStore, room: string, extraBytes: number, maxBytes: number, keep?: number): Promise<boolean> {
  let used = (await store.snapshotBytes(room)) + extraBytes;
  if (used <= maxBytes) return true;
  const autos = (await store.listSnapshots(room)).filter((s) => s.kind === 'auto' && s.id !== keep).reverse();
  for (const s of autos) {
    if (used <= maxBytes) break;
    await store.deleteSnapshot(room, s.id);
    used -= s.bytes;
  }
  return used <= maxBytes;
}

/**
 * The store as the relay's rooms use it: after each automatic snapshot, older automatic ones make
 * way until the workbook (about one copy of the snapshot) and its snapshots fit in `maxDocBytes`.
 * So automatic snapshots never grow a workbook's disk use past its limit, however long people edit.
 */
export function rotatingAutoSnapshots(store: RoomStore, maxDocBytes: number, log: Logger): RoomStore {
  // A synchronous store answers at once: the rotation is done before the next event, as if inline.
  // (Made on first use: a hosted hub's stand-in throws on any touch, and never saves through here.)
  let asAsync: AsyncRoomStore | null = null;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'saveSnapshot') {
        return (...args: Parameters<RoomStore['saveSnapshot']>): number => {
          const id = target.saveSnapshot(...args);
          const [room, info, data] = args;
          if (info.kind === 'auto') {
            // the snapshot is kept whatever happens here: a failed delete leaves the room over budget until the next one
            fitSnapshots((asAsync ??= asyncStore(target)), room, data.length, maxDocBytes, id).catch((err: unknown) =>
              log.error('could not make room for an automatic snapshot', { room, error: String(err) }),
            );
          }
          return id;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** At most `limit` takes per key in any `windowMs`; keys whose takes have all expired are forgotten. */
function slidingWindow(limit: number, windowMs: number, now: () => number) {
  const takes = new Map<string, number[]>();
  const recent = (key: string): number[] => {
    const t = now();
    const list = (takes.get(key) ?? []).filter((at) => t - at < windowMs);
    if (list.length) takes.set(key, list);
    else takes.delete(key);
    return list;
  };
  return {
    /** 0 when one more may be taken now; else how long until one may. */
    waitMs(key: string): number {
      const list = recent(key);
      if (list.length < limit) return 0;
      return Math.max(1, list[list.length - limit] + windowMs - now());
    },
    take(key: string): void {
      const list = recent(key);
      list.push(now());
      takes.set(key, list);
      // Forget addresses and workbooks seen long ago, so the map does not grow with every one ever seen.
      if (takes.size > 10_000) for (const k of Array.from(takes.keys())) recent(k);
    },
  };
}
