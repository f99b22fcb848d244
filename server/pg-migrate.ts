import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStore } from './pg-store.js';
import { DB_FILE_NAME, SqliteStore } from './store.js';

/**
 * Everything a store holds for one room, in its own numbering: what migrate-store copies and then
 * compares byte for byte on both sides.
 */
export interface RoomDump {
  updates: { seq: number; data: Uint8Array }[];
  snapshot: { data: Uint8Array; throughSeq: number } | null;
  saved: { id: number; name: string; kind: string; by: string; at: number; data: Uint8Array }[];
  retained: { seq: number; at: number; data: Uint8Array }[];
  base: { data: Uint8Array; throughAt: number; throughSeq: number } | null;
}

/** One end of a migration: the SQLite file of a hub (DATA_DIR) or a Postgres database. */
export interface StoreSide {
  readonly label: string;
  /** every room with anything stored, sorted */
  rooms(): Promise<string[]>;
  dump(room: string): Promise<RoomDump>;
  retired(): Promise<{ workbook: string; at: number }[]>;
  /** true when the side holds nothing (a migration writes only into an empty store) */
  empty(): Promise<boolean>;
  /** writes every room and the retired markers, in one transaction */
  write(source: StoreSide): Promise<number>;
  close(): Promise<void>;
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b);

export class SqliteSide implements StoreSide {
  readonly label: string;
  private readonly db: Database.Database;

  /** Opens DATA_DIR's database; `create` makes it (with SqliteStore's schema) when it is not there. */
  constructor(dataDir: string, create: boolean) {
    const file = join(dataDir, DB_FILE_NAME);
    this.label = `sqlite:${dataDir}`;
    if (!existsSync(file)) {
      if (!create) throw new Error(`${file} does not exist`);
    }
    // SqliteStore makes (or upgrades) the schema, so what is written is what a hub would open
    new SqliteStore(dataDir).close();
    this.db = new Database(file);
    this.db.pragma('synchronous = FULL');
  }

  async rooms(): Promise<string[]> {
    return this.db
      .prepare<[], { room: string }>(
        `SELECT room FROM updates UNION SELECT room FROM snapshots UNION SELECT room FROM saved_snapshots
         UNION SELECT name FROM retained_rooms WHERE id IN (SELECT room FROM retained) UNION SELECT room FROM retained_base ORDER BY 1`,
      )
      .all()
      .map((r) => r.room);
  }

  async dump(room: string): Promise<RoomDump> {
    const snap = this.db.prepare<[string], { data: Buffer; through_seq: number }>('SELECT data, through_seq FROM snapshots WHERE room = ?').get(room);
    const base = this.db.prepare<[string], { data: Buffer; through_at: number; through_seq: number }>('SELECT data, through_at, through_seq FROM retained_base WHERE room = ?').get(room);
    return {
      updates: this.db.prepare<[string], { seq: number; data: Buffer }>('SELECT seq, data FROM updates WHERE room = ? ORDER BY seq').all(room).map((r) => ({ seq: r.seq, data: u8(r.data) })),
      snapshot: snap ? { data: u8(snap.data), throughSeq: snap.through_seq } : null,
      saved: this.db
        .prepare<[string], { id: number; name: string; kind: string; by: string; at: number; data: Buffer }>('SELECT id, name, kind, by, at, data FROM saved_snapshots WHERE room = ? ORDER BY id')
        .all(room)
        .map((r) => ({ ...r, data: u8(r.data) })),
      retained: this.db
        .prepare<[string], { seq: number; at: number; data: Buffer }>(
          'SELECT seq, at, data FROM retained WHERE room = (SELECT id FROM retained_rooms WHERE name = ?) ORDER BY seq',
        )
        .all(room)
        .map((r) => ({ seq: r.seq, at: r.at, data: u8(r.data) })),
      base: base ? { data: u8(base.data), throughAt: base.through_at, throughSeq: base.through_seq } : null,
    };
  }

  async retired(): Promise<{ workbook: string; at: number }[]> {
    return this.db.prepare<[], { workbook: string; at: number }>('SELECT workbook, at FROM retired ORDER BY workbook').all();
  }

  async empty(): Promise<boolean> {
    return (await this.rooms()).length === 0 && (await this.retired()).length === 0;
  }

  async write(source: StoreSide): Promise<number> {
    const rooms = await source.rooms();
    const dumps = new Map<string, RoomDump>();
    for (const room of rooms) dumps.set(room, await source.dump(room));
    const retired = await source.retired();
    const ins = {
      update: this.db.prepare('INSERT INTO updates (seq, room, data) VALUES (?, ?, ?)'),
      snapshot: this.db.prepare('INSERT INTO snapshots (room, data, through_seq) VALUES (?, ?, ?)'),
      saved: this.db.prepare('INSERT INTO saved_snapshots (id, room, name, kind, by, at, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      room: this.db.prepare('INSERT INTO retained_rooms (name) VALUES (?) ON CONFLICT (name) DO NOTHING'),
      retained: this.db.prepare('INSERT INTO retained (seq, room, at, data) VALUES (?, (SELECT id FROM retained_rooms WHERE name = ?), ?, ?)'),
      base: this.db.prepare('INSERT INTO retained_base (room, data, through_at, through_seq) VALUES (?, ?, ?, ?)'),
      retired: this.db.prepare('INSERT INTO retired (workbook, at) VALUES (?, ?)'),
    };
    this.db.transaction(() => {
      for (const [room, d] of dumps) {
        for (const u of d.updates) ins.update.run(u.seq, room, u.data);
        if (d.snapshot) ins.snapshot.run(room, d.snapshot.data, d.snapshot.throughSeq);
        for (const s of d.saved) ins.saved.run(s.id, room, s.name, s.kind, s.by, s.at, s.data);
        if (d.retained.length) ins.room.run(room);
        for (const r of d.retained) ins.retained.run(r.seq, room, r.at, r.data);
        if (d.base) ins.base.run(room, d.base.data, d.base.throughAt, d.base.throughSeq);
      }
      for (const r of retired) ins.retired.run(r.workbook, r.at);
    })();
    return rooms.length;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export class PostgresSide implements StoreSide {
  readonly label: string;

  private constructor(
    private readonly client: pg.Client,
    url: string,
  ) {
    this.label = url.replace(/\/\/[^@/]*@/, '//…@');
  }

  /** Opens the database, applying the hub's schema first (PostgresStore.open) so it is the one a hub uses. */
  static async open(url: string): Promise<PostgresSide> {
    await (await PostgresStore.open(url, { maxConnections: 1 })).close();
    const client = new pg.Client({ connectionString: url, options: '-c synchronous_commit=on' });
    await client.connect();
    return new PostgresSide(client, url);
  }

  async rooms(): Promise<string[]> {
    const r = await this.client.query<{ name: string }>(
      `SELECT name FROM rooms WHERE id IN (SELECT room FROM updates UNION SELECT room FROM snapshots UNION SELECT room FROM saved_snapshots
       UNION SELECT room FROM retained UNION SELECT room FROM retained_base) ORDER BY name COLLATE "C"`,
    );
    return r.rows.map((x) => x.name);
  }

  async dump(room: string): Promise<RoomDump> {
    const q = <R extends pg.QueryResultRow>(sql: string) => this.client.query<R>(sql, [room]).then((r) => r.rows);
    const id = '(SELECT id FROM rooms WHERE name = $1)';
    const snap = await q<{ data: Buffer; through_seq: string }>(`SELECT data, through_seq FROM snapshots WHERE room = ${id}`);
    const base = await q<{ data: Buffer; through_at: string; through_seq: string }>(`SELECT data, through_at, through_seq FROM retained_base WHERE room = ${id}`);
    return {
      updates: (await q<{ seq: string; data: Buffer }>(`SELECT seq, data FROM updates WHERE room = ${id} ORDER BY seq`)).map((r) => ({ seq: Number(r.seq), data: u8(r.data) })),
      snapshot: snap[0] ? { data: u8(snap[0].data), throughSeq: Number(snap[0].through_seq) } : null,
      saved: (await q<{ id: string; name: string; kind: string; by: string; at: string; data: Buffer }>(`SELECT id, name, kind, by, at, data FROM saved_snapshots WHERE room = ${id} ORDER BY id`)).map(
        (r) => ({ id: Number(r.id), name: r.name, kind: r.kind, by: r.by, at: Number(r.at), data: u8(r.data) }),
      ),
      retained: (await q<{ seq: string; at: string; data: Buffer }>(`SELECT seq, at, data FROM retained WHERE room = ${id} ORDER BY seq`)).map((r) => ({
        seq: Number(r.seq),
        at: Number(r.at),
        data: u8(r.data),
      })),
      base: base[0] ? { data: u8(base[0].data), throughAt: Number(base[0].through_at), throughSeq: Number(base[0].through_seq) } : null,
    };
  }

  async retired(): Promise<{ workbook: string; at: number }[]> {
    const r = await this.client.query<{ workbook: string; at: string }>('SELECT workbook, at FROM retired ORDER BY workbook COLLATE "C"');
    return r.rows.map((x) => ({ workbook: x.workbook, at: Number(x.at) }));
  }

  async empty(): Promise<boolean> {
    return (await this.rooms()).length === 0 && (await this.retired()).length === 0;
  }

  async write(source: StoreSide): Promise<number> {
    const c = this.client;
    const rooms = await source.rooms();
    await c.query('BEGIN');
    try {
      for (const room of rooms) {
        const d = await source.dump(room);
        // a migrated room's per-workbook sequence starts over at the updates still in the log:
        // every hub is stopped, so no process holds a number from before
        const lastAt = Math.max(...d.retained.map((r) => r.at), d.base?.throughAt ?? -Infinity);
        const r = await c.query<{ id: string }>('INSERT INTO rooms (name, last_room_seq, last_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET last_room_seq = EXCLUDED.last_room_seq, last_at = EXCLUDED.last_at RETURNING id', [
          room,
          d.updates.length,
          Number.isFinite(lastAt) ? lastAt : null,
        ]);
        const id = r.rows[0].id;
        for (const [i, u] of d.updates.entries()) await c.query('INSERT INTO updates (seq, room, room_seq, data) VALUES ($1, $2, $3, $4)', [u.seq, id, i + 1, u.data]);
        if (d.snapshot) await c.query('INSERT INTO snapshots (room, data, through_seq) VALUES ($1, $2, $3)', [id, d.snapshot.data, d.snapshot.throughSeq]);
        for (const s of d.saved) {
          await c.query('INSERT INTO saved_snapshots (id, room, name, kind, by, at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)', [s.id, id, s.name, s.kind, s.by, s.at, s.data]);
        }
        for (const x of d.retained) await c.query('INSERT INTO retained (seq, room, at, data) VALUES ($1, $2, $3, $4)', [x.seq, id, x.at, x.data]);
        if (d.base) await c.query('INSERT INTO retained_base (room, data, through_at, through_seq) VALUES ($1, $2, $3, $4)', [id, d.base.data, d.base.throughAt, d.base.throughSeq]);
      }
      for (const r of await source.retired()) await c.query('INSERT INTO retired (workbook, at) VALUES ($1, $2)', [r.workbook, r.at]);
      // numbering goes on after the highest number copied, as SQLite's AUTOINCREMENT would
      await c.query(
        `SELECT setval('update_seq', GREATEST((SELECT MAX(seq) FROM updates), (SELECT MAX(seq) FROM retained), (SELECT MAX(through_seq) FROM snapshots), (SELECT MAX(through_seq) FROM retained_base), 1))`,
      );
      await c.query(`SELECT setval(pg_get_serial_sequence('saved_snapshots', 'id'), GREATEST((SELECT MAX(id) FROM saved_snapshots), 1))`);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    }
    return rooms.length;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** What differs between two sides, one line per difference (empty: they hold the same, byte for byte). */
export async function compareSides(a: StoreSide, b: StoreSide): Promise<string[]> {
  const out: string[] = [];
  const [ra, rb] = [await a.rooms(), await b.rooms()];
  const inB = new Set(rb);
  for (const room of rb) if (!ra.includes(room)) out.push(`${room}: only in ${b.label}`);
  for (const room of ra) {
    if (!inB.has(room)) {
      out.push(`${room}: only in ${a.label}`);
      continue;
    }
    const [da, db] = [await a.dump(room), await b.dump(room)];
    out.push(...diffDump(da, db).map((d) => `${room}: ${d}`));
  }
  if (JSON.stringify(await a.retired()) !== JSON.stringify(await b.retired())) out.push('the retired workbooks differ');
  return out;
}

const same = (x: Uint8Array, y: Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));

function diffDump(a: RoomDump, b: RoomDump): string[] {
  const out: string[] = [];
  const rows = <T extends { data: Uint8Array }>(what: string, x: T[], y: T[], key: (t: T) => string) => {
    if (x.length !== y.length) out.push(`${what}: ${x.length} vs ${y.length}`);
    else x.forEach((r, i) => (key(r) !== key(y[i]) || !same(r.data, y[i].data)) && out.push(`${what} ${key(r)} differs`));
  };
  rows('update', a.updates, b.updates, (u) => `${u.seq}`);
  rows('saved snapshot', a.saved, b.saved, (s) => JSON.stringify([s.id, s.name, s.kind, s.by, s.at]));
  rows('retained update', a.retained, b.retained, (r) => `${r.seq}@${r.at}`);
  const one = <T extends { data: Uint8Array }>(what: string, x: T | null, y: T | null, key: (t: T) => string) => {
    if (!x || !y) {
      if (x || y) out.push(`${what}: only on one side`);
    } else if (key(x) !== key(y) || !same(x.data, y.data)) out.push(`${what} differs`);
  };
  one('snapshot', a.snapshot, b.snapshot, (s) => `${s.throughSeq}`);
  one('retained base', a.base, b.base, (s) => `${s.throughSeq}@${s.throughAt}`);
  return out;
}
