import pg from 'pg';
import * as Y from 'yjs';
import { baseWorkbookId, historyRoom } from '../src/protocol/messages.js';
import type { SnapshotInfo } from '../src/protocol/snapshots.js';
import { StoreError, type AsyncRoomStore } from './async-store.js';
import { migrate, ROOM_LOCK_CLASS } from './pg-schema.js';
import { RetiredError, type PruneLimits, type RetainedBase, type RetainedSummary, type RetainedUpdate, type StoredRoom, type StoreOptions } from './store.js';

export interface PostgresStoreOptions extends StoreOptions {
  /** connections this process keeps open (each append holds one for its transaction) */
  maxConnections?: number;
  /** how long a call waits for a connection before it is refused as STORE_UNAVAILABLE */
  connectTimeoutMs?: number;
}

/** One stored update with both its numbers: `seq` (the store's, as RoomStore's) and `roomSeq` (1, 2, 3 … per workbook). */
export interface SequencedUpdate {
  seq: number;
  roomSeq: number;
  data: Uint8Array;
}

/**
 * int8 (bigint) as a JS number: every number this store keeps (sequences, times in ms, byte
 * counts) stays far below 2^53. Passed per pool, so pg's process-wide parsers are left alone.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Errors that mean the database was not reached (or went away mid-call): nothing was committed. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

function coded(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  const unavailable =
    (typeof code === 'string' && (UNREACHABLE.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
  return new StoreError(unavailable ? 'STORE_UNAVAILABLE' : 'STORE_FAILED', message, { cause: err });
}

/** The workbook a room is retired under: its base id, or the name itself when it is not one the relay serves. */
function retiredKey(room: string): string {
  return baseWorkbookId(room) ?? room;
}

/** Stamps strictly increase per room (see store.ts): across processes too, since the last one is in the room's row. */
function stamp(now: number, last: number | null): number {
  return last === null ? now : Math.max(now, last + 1);
}

/** Postgres bigint bounds are wider than a JS time; infinite bounds are clamped to what a time can be. */
function sqlTime(t: number): number {
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.trunc(t)));
}

/** A garbage-collecting fold of the base and the oldest retained updates: the same result as store.ts's. */
function fold(base: RetainedBase | null, updates: readonly RetainedUpdate[]): RetainedBase {
  const last = updates[updates.length - 1];
  const parts = updates.map((u) => u.data);
  if (base) parts.unshift(base.data);
  const doc = new Y.Doc({ gc: true });
  try {
    Y.applyUpdate(doc, Y.mergeUpdates(parts));
    return { data: Y.encodeStateAsUpdate(doc), throughAt: last.at, throughSeq: last.seq };
  } finally {
    doc.destroy();
  }
}

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b);

type Tx = pg.PoolClient;

/**
 * The hosted hub's store (issue 19): PostgreSQL, shared by any number of hub processes.
 *
 * - An append resolves only after its transaction committed with `synchronous_commit=on` (set on
 *   every connection and checked at open), so a resolved append survives the database's power cut.
 * - Each append locks its room's row: updates of one room get their numbers (`seq`, and `roomSeq`,
 *   1, 2, 3 … per room) in the order they commit, whichever process sends them. Rooms of one batch
 *   are locked in name order, so two batches never wait on each other in a circle.
 * - Compaction and pruning take the room's advisory lock (try, never wait): when another process is
 *   folding the room, this one skips (it would do the same work); and they lock the room's row, so
 *   no append of the room is between numbering and commit while they fold.
 * - A database that cannot be reached refuses each call with StoreError STORE_UNAVAILABLE; nothing
 *   of a refused append is stored, and the store works again once the database is back.
 */
export class PostgresStore implements AsyncRoomStore {
  private readonly pool: pg.Pool;
  private readonly now: () => number;
  /** retirement is forever, so a workbook found retired need never be asked about again */
  private readonly retired = new Map<string, number>();

  private constructor(pool: pg.Pool, now: () => number) {
    this.pool = pool;
    this.now = now;
  }

  /** Connects, applies the schema's missing steps, and checks every connection commits synchronously. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      // on for each session, whatever the server's default: an ack waits for the WAL flush
      options: '-c synchronous_commit=on',
      types,
    });
    // An idle connection dropped by a restarting server is not this process's failure: the pool
    // replaces it, and the next call that cannot connect says STORE_UNAVAILABLE.
    pool.on('error', () => {});
    // The pool listens for a connection's errors only while it is idle: one lost while checked
    // out between two queries of a transaction (a server shutting down) would throw from an
    // EventEmitter and end the process. The transaction's next query fails instead, as STORE_UNAVAILABLE.
    pool.on('connect', (client) => client.on('error', () => {}));
    const store = new PostgresStore(pool, options.now ?? Date.now);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
        const sync = await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
        if (sync.rows[0]?.synchronous_commit !== 'on') throw new StoreError('STORE_FAILED', `synchronous_commit is ${sync.rows[0]?.synchronous_commit}, not on`);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw coded(err);
    }
    return store;
  }

  /** A setting as this store's connections see it (`SHOW`): tests check synchronous_commit with it. */
  async sessionSetting(name: string): Promise<string> {
    if (!/^[a-z_]+$/.test(name)) throw new StoreError('STORE_FAILED', `not a setting name: ${name}`);
    return this.read(async (c) => String(Object.values((await c.query(`SHOW ${name}`)).rows[0] ?? {})[0]));
  }

  private async tx<T>(fn: (c: Tx) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    let client: Tx;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw coded(err);
    }
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw coded(err);
    } finally {
      // a connection whose rollback failed is not handed out again
      client.release(broken);
    }
  }

  /** Reads in one snapshot of the database, so a fold committed meanwhile is seen whole or not at all. */
  private read<T>(fn: (c: Tx) => Promise<T>): Promise<T> {
    return this.tx(fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  /** Creates the room's row if need be and locks it until the transaction ends. */
  private async lockRoom(c: Tx, room: string): Promise<{ id: number; lastRoomSeq: number; lastAt: number | null }> {
    const r = await c.query<{ id: number; last_room_seq: number; last_at: number | null }>({
      // named: prepared once per connection, as the other statements every append runs (planning them each time was most of an append's time)
      name: 'ms-lock-room',
      text: 'INSERT INTO rooms (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, last_room_seq, last_at',
      values: [room],
    });
    const row = r.rows[0];
    return { id: row.id, lastRoomSeq: row.last_room_seq, lastAt: row.last_at };
  }

  private async isRetired(c: Tx, room: string): Promise<boolean> {
    const key = retiredKey(room);
    if (this.retired.has(key)) return true;
    const r = await c.query<{ at: number }>({ name: 'ms-retired', text: 'SELECT at FROM retired WHERE workbook = $1', values: [key] });
    if (r.rows.length) this.retired.set(key, r.rows[0].at);
    return r.rows.length > 0;
  }

  async load(room: string): Promise<StoredRoom> {
    const { stored } = await this.loadSequenced(room);
    return stored;
  }

  /** The room as load gives it, with the roomSeq of its newest update (0: none), read together. */
  async loadSequenced(room: string): Promise<{ stored: StoredRoom; roomSeq: number }> {
    return this.read(async (c) => {
      const head = await c.query<{ id: number; last_room_seq: number }>('SELECT id, last_room_seq FROM rooms WHERE name = $1', [room]);
      if (!head.rows.length) return { stored: { snapshot: null, updates: [] }, roomSeq: 0 };
      const id = head.rows[0].id;
      const snap = await c.query<{ data: Buffer }>('SELECT data FROM snapshots WHERE room = $1', [id]);
      const ups = await c.query<{ seq: number; data: Buffer }>('SELECT seq, data FROM updates WHERE room = $1 ORDER BY seq', [id]);
      return {
        stored: { snapshot: snap.rows.length ? bytes(snap.rows[0].data) : null, updates: ups.rows.map((u) => ({ seq: u.seq, data: bytes(u.data) })) },
        roomSeq: head.rows[0].last_room_seq,
      };
    });
  }

  /**
   * The room's updates after `roomSeq`, in order — what a process that missed some (a gap in the
   * bus's sequence, a Redis restart) needs to catch up. Null when some of them were folded into the
   * snapshot meanwhile: then it loads the room again instead.
   */
  async updatesAfter(room: string, roomSeq: number): Promise<SequencedUpdate[] | null> {
    return this.read(async (c) => {
      const head = await c.query<{ id: number; last_room_seq: number }>('SELECT id, last_room_seq FROM rooms WHERE name = $1', [room]);
      if (!head.rows.length) return roomSeq === 0 ? [] : null;
      const r = await c.query<{ seq: number; room_seq: number; data: Buffer }>(
        'SELECT seq, room_seq, data FROM updates WHERE room = $1 AND room_seq > $2 ORDER BY room_seq',
        [head.rows[0].id, roomSeq],
      );
      const rows = r.rows.map((u) => ({ seq: u.seq, roomSeq: u.room_seq, data: bytes(u.data) }));
      const expected = head.rows[0].last_room_seq - roomSeq;
      return rows.length === Math.max(0, expected) ? rows : null;
    });
  }

  async append(room: string, update: Uint8Array): Promise<number> {
    return (await this.appendMany([{ room, update }]))[0];
  }

  async appendMany(entries: readonly { room: string; update: Uint8Array }[]): Promise<number[]> {
    return (await this.appendSequenced(entries)).map((e) => e.seq);
  }

  /**
   * appendMany with each update's roomSeq as well (what the bus publishes); seq and roomSeq are 0
   * for an update of a retired workbook, which is dropped.
   */
  async appendSequenced(entries: readonly { room: string; update: Uint8Array }[]): Promise<{ seq: number; roomSeq: number }[]> {
    if (!entries.length) return [];
    const now = this.now();
    return this.tx(async (c) => {
      const rooms = new Map<string, { id: number; lastRoomSeq: number; lastAt: number | null } | null>();
      for (const name of [...new Set(entries.map((e) => e.room))].sort()) {
        // checked before the row is made (a retired workbook gets no new row) and after it is locked
        // (retire locks it too, so a retirement committed while this waited is seen)
        if (await this.isRetired(c, name)) rooms.set(name, null);
        else {
          const row = await this.lockRoom(c, name);
          rooms.set(name, (await this.isRetired(c, name)) ? null : row);
        }
      }
      const out: { seq: number; roomSeq: number }[] = [];
      for (const e of entries) {
        const row = rooms.get(e.room);
        if (!row) {
          out.push({ seq: 0, roomSeq: 0 });
          continue;
        }
        const at = stamp(now, row.lastAt);
        const roomSeq = row.lastRoomSeq + 1;
        const r = await c.query<{ seq: number }>({
          name: 'ms-append',
          text: `WITH s AS (SELECT nextval('update_seq') AS seq),
                u AS (INSERT INTO updates (seq, room, room_seq, data) SELECT seq, $1, $2, $3 FROM s),
                k AS (INSERT INTO retained (seq, room, at, data) SELECT seq, $1, $4, $3 FROM s)
           SELECT seq FROM s`,
          values: [row.id, roomSeq, e.update, at],
        });
        row.lastAt = at;
        row.lastRoomSeq = roomSeq;
        out.push({ seq: r.rows[0].seq, roomSeq });
      }
      for (const row of rooms.values()) {
        if (row) await c.query({ name: 'ms-room-head', text: 'UPDATE rooms SET last_room_seq = $2, last_at = $3 WHERE id = $1', values: [row.id, row.lastRoomSeq, row.lastAt] });
      }
      return out;
    });
  }

  /** Locks the room's row and tries its advisory lock; false: another process is folding it now. */
  private async foldLock(c: Tx, room: string): Promise<{ id: number } | null> {
    const lock = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${ROOM_LOCK_CLASS}, hashtext($1)) AS ok`, [room]);
    if (!lock.rows[0].ok) return null;
    return this.lockRoom(c, room);
  }

  async compact(room: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    await this.tx(async (c) => {
      if (await this.isRetired(c, room)) return;
      const row = await this.foldLock(c, room);
      if (!row) return;
      // A process that folds later but saw less must not put back an older snapshot: the updates
      // the newer one covers are gone from the log.
      const put = await c.query(
        `INSERT INTO snapshots (room, data, through_seq) VALUES ($1, $2, $3)
         ON CONFLICT (room) DO UPDATE SET data = EXCLUDED.data, through_seq = EXCLUDED.through_seq
         WHERE snapshots.through_seq <= EXCLUDED.through_seq`,
        [row.id, snapshot, sqlTime(throughSeq)],
      );
      if (put.rowCount) await c.query('DELETE FROM updates WHERE room = $1 AND seq <= $2', [row.id, sqlTime(throughSeq)]);
    });
  }

  async backlog(room: string): Promise<{ count: number; bytes: number }> {
    return this.read(async (c) => {
      const r = await c.query<{ count: number; bytes: number | null }>(
        'SELECT COUNT(*) AS count, SUM(LENGTH(data)) AS bytes FROM updates WHERE room = (SELECT id FROM rooms WHERE name = $1)',
        [room],
      );
      return { count: r.rows[0].count, bytes: r.rows[0].bytes ?? 0 };
    });
  }

  async saveSnapshot(room: string, info: Omit<SnapshotInfo, 'id' | 'bytes'>, data: Uint8Array): Promise<number> {
    return this.tx(async (c) => {
      if (await this.isRetired(c, room)) throw new RetiredError(room);
      const row = await this.lockRoom(c, room);
      if (await this.isRetired(c, room)) throw new RetiredError(room);
      const r = await c.query<{ id: number }>(
        'INSERT INTO saved_snapshots (room, name, kind, by, at, data) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [row.id, info.name, info.kind, info.by, Math.trunc(info.at), data],
      );
      return r.rows[0].id;
    }).catch((err: unknown) => {
      throw err instanceof StoreError && err.cause instanceof RetiredError ? err.cause : err;
    });
  }

  async listSnapshots(room: string): Promise<SnapshotInfo[]> {
    return this.read(async (c) => {
      const r = await c.query<{ id: number; name: string; kind: string; by: string; at: number; bytes: number }>(
        'SELECT id, name, kind, by, at, LENGTH(data) AS bytes FROM saved_snapshots WHERE room = (SELECT id FROM rooms WHERE name = $1) ORDER BY id DESC',
        [room],
      );
      return r.rows.map((s) => ({ id: s.id, name: s.name, kind: s.kind === 'auto' ? 'auto' : 'named', by: s.by, at: s.at, bytes: Number(s.bytes) }));
    });
  }

  async loadSnapshot(room: string, id: number): Promise<Uint8Array | null> {
    if (!Number.isSafeInteger(id)) return null;
    return this.read(async (c) => {
      const r = await c.query<{ data: Buffer }>('SELECT data FROM saved_snapshots WHERE room = (SELECT id FROM rooms WHERE name = $1) AND id = $2', [room, id]);
      return r.rows.length ? bytes(r.rows[0].data) : null;
    });
  }

  async deleteSnapshot(room: string, id: number): Promise<boolean> {
    if (!Number.isSafeInteger(id)) return false;
    return this.tx(async (c) => {
      const r = await c.query('DELETE FROM saved_snapshots WHERE room = (SELECT id FROM rooms WHERE name = $1) AND id = $2', [room, id]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  async snapshotBytes(room: string): Promise<number> {
    return this.read(async (c) => {
      const r = await c.query<{ bytes: number }>(
        'SELECT COALESCE(SUM(LENGTH(data)), 0) AS bytes FROM saved_snapshots WHERE room = (SELECT id FROM rooms WHERE name = $1)',
        [room],
      );
      return Number(r.rows[0].bytes);
    });
  }

  async retainedSummary(room: string): Promise<RetainedSummary | null> {
    return this.read(async (c) => {
      const base = await c.query<{ through_at: number; through_seq: number; bytes: number }>(
        'SELECT through_at, through_seq, LENGTH(data) AS bytes FROM retained_base WHERE room = (SELECT id FROM rooms WHERE name = $1)',
        [room],
      );
      if (base.rows.length) return { earliest: base.rows[0].through_at, baseBytes: base.rows[0].bytes, throughSeq: base.rows[0].through_seq };
      const first = await c.query<{ at: number | null }>('SELECT MIN(at) AS at FROM retained WHERE room = (SELECT id FROM rooms WHERE name = $1)', [room]);
      const at = first.rows[0].at;
      return at === null ? null : { earliest: at, baseBytes: 0, throughSeq: 0 };
    });
  }

  async retainedBase(room: string): Promise<RetainedBase | null> {
    return this.read((c) => this.baseOf(c, room));
  }

  private async baseOf(c: Tx, room: string): Promise<RetainedBase | null> {
    const r = await c.query<{ data: Buffer; through_at: number; through_seq: number }>(
      'SELECT data, through_at, through_seq FROM retained_base WHERE room = (SELECT id FROM rooms WHERE name = $1)',
      [room],
    );
    const b = r.rows[0];
    return b ? { data: bytes(b.data), throughAt: b.through_at, throughSeq: b.through_seq } : null;
  }

  async retainedUpdates(room: string, throughAt: number, after: { at: number; seq: number } | null, limit: number): Promise<RetainedUpdate[]> {
    return this.read(async (c) => {
      const r = await c.query<{ seq: number; at: number; data: Buffer }>(
        `SELECT seq, at, data FROM retained WHERE room = (SELECT id FROM rooms WHERE name = $1)
         AND at <= $2 AND (at, seq) > ($3, $4) ORDER BY at, seq LIMIT $5`,
        [room, sqlTime(throughAt), sqlTime(after?.at ?? Number.MIN_SAFE_INTEGER), after?.seq ?? 0, Math.max(0, Math.trunc(limit))],
      );
      return r.rows.map((u) => ({ seq: u.seq, at: u.at, data: bytes(u.data) }));
    });
  }

  async retainedTimeline(room: string, from: number, to: number, limit: number): Promise<{ at: number; bytes: number }[]> {
    return this.read(async (c) => {
      const r = await c.query<{ at: number; bytes: number }>(
        `SELECT at, LENGTH(data) AS bytes FROM retained WHERE room = (SELECT id FROM rooms WHERE name = $1)
         AND at >= $2 AND at <= $3 ORDER BY at DESC, seq DESC LIMIT $4`,
        [room, sqlTime(from), sqlTime(to), Math.max(0, Math.trunc(limit))],
      );
      return r.rows.map((e) => ({ at: e.at, bytes: e.bytes }));
    });
  }

  async pruneRetained(room: string, before: number, limits: PruneLimits): Promise<number> {
    return this.tx(async (c) => {
      const exists = await c.query('SELECT 1 FROM rooms WHERE name = $1', [room]);
      if (!exists.rows.length) return 0;
      const row = await this.foldLock(c, room);
      if (!row) return 0;
      const r = await c.query<{ seq: number; at: number; data: Buffer }>(
        'SELECT seq, at, data FROM retained WHERE room = $1 AND at < $2 ORDER BY at, seq LIMIT $3',
        [row.id, sqlTime(before), Math.max(0, Math.trunc(limits.maxUpdates))],
      );
      // at most maxBytes, but always at least one when any qualifies (store.ts's rule)
      const batch: RetainedUpdate[] = [];
      let total = 0;
      for (const u of r.rows) {
        if (batch.length > 0 && total + u.data.length > limits.maxBytes) break;
        batch.push({ seq: u.seq, at: u.at, data: bytes(u.data) });
        total += u.data.length;
      }
      if (!batch.length) return 0;
      const base = fold(await this.baseOf(c, room), batch);
      await c.query(
        `INSERT INTO retained_base (room, data, through_at, through_seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT (room) DO UPDATE SET data = EXCLUDED.data, through_at = EXCLUDED.through_at, through_seq = EXCLUDED.through_seq`,
        [row.id, base.data, base.throughAt, base.throughSeq],
      );
      await c.query('DELETE FROM retained WHERE seq = ANY($1::bigint[])', [batch.map((u) => u.seq)]);
      return batch.length;
    });
  }

  async retire(workbook: string, at: number = this.now()): Promise<void> {
    const key = retiredKey(workbook);
    await this.tx(async (c) => {
      // the rows appends lock, in the same (name) order, so an append is either before (and
      // deleted here) or after (and sees the marker)
      const ids: number[] = [];
      for (const room of [key, historyRoom(key)].sort()) ids.push((await this.lockRoom(c, room)).id);
      await c.query('INSERT INTO retired (workbook, at) VALUES ($1, $2) ON CONFLICT (workbook) DO NOTHING', [key, Math.trunc(at)]);
      for (const table of ['updates', 'snapshots', 'saved_snapshots', 'retained', 'retained_base']) {
        await c.query(`DELETE FROM ${table} WHERE room = ANY($1::bigint[])`, [ids]);
      }
      await c.query('DELETE FROM rooms WHERE id = ANY($1::bigint[])', [ids]);
    });
    // the first retirement's time stands (ON CONFLICT DO NOTHING): ask, rather than assume
    this.retired.delete(key);
    await this.retiredAt(key);
  }

  async retiredAt(room: string): Promise<number | null> {
    const key = retiredKey(room);
    const known = this.retired.get(key);
    if (known !== undefined) return known;
    return this.read(async (c) => ((await this.isRetired(c, key)) ? this.retired.get(key)! : null));
  }

  /** Runs `sql` on one of the store's connections (the migration tool and tests use it). */
  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw coded(err);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
