import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import type { SnapshotInfo } from '../src/protocol/snapshots.js';

export interface StoredRoom {
  snapshot: Uint8Array | null;
  updates: { seq: number; data: Uint8Array }[];
}

/** Everything stored for a room as one Yjs update, or null when the hub holds nothing for it. */
export function storedUpdate(stored: StoredRoom): Uint8Array | null {
  const parts = stored.updates.map((u) => u.data);
  if (stored.snapshot) parts.unshift(stored.snapshot);
  return parts.length ? Y.mergeUpdates(parts) : null;
}

/**
 * Where the relay keeps workbooks. Synchronous on purpose: `append` returning
 * is the promise that the update survives a power cut, and the relay forwards
 * and acks only after it returns. Every implementation passes
 * test/unit/store-contract.ts.
 */
export interface RoomStore {
  load(room: string): StoredRoom;
  /** Durably stores one update; returns its sequence number (increasing per store). */
  append(room: string, update: Uint8Array): number;
  /** Durably stores several updates, all or none, in one transaction; returns their sequence numbers in order. */
  appendMany(entries: readonly { room: string; update: Uint8Array }[]): number[];
  /** Replaces every update with seq ≤ throughSeq by one snapshot, atomically. */
  compact(room: string, snapshot: Uint8Array, throughSeq: number): void;
  /** Updates stored after the snapshot: what a load still has to replay. */
  backlog(room: string): { count: number; bytes: number };
  /** Keeps a whole-document copy; returns its id (increasing per store). */
  saveSnapshot(room: string, info: Omit<SnapshotInfo, 'id' | 'bytes'>, data: Uint8Array): number;
  /** This room's saved snapshots, newest first. */
  listSnapshots(room: string): SnapshotInfo[];
  loadSnapshot(room: string, id: number): Uint8Array | null;
  close(): void;
}

export const DB_FILE_NAME = 'mutual-sheets.sqlite';

export class SqliteStore implements RoomStore {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, DB_FILE_NAME));
    this.db.pragma('journal_mode = WAL');
    // FULL: an acked update survives power loss, not only a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS updates (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        room TEXT NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS updates_room_seq ON updates (room, seq);
      CREATE TABLE IF NOT EXISTS snapshots (
        room TEXT PRIMARY KEY,
        data BLOB NOT NULL,
        through_seq INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS saved_snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        room TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('named', 'auto')),
        by TEXT NOT NULL,
        at INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS saved_snapshots_room ON saved_snapshots (room, id);
    `);
    this.stmts = {
      snapshot: this.db.prepare<[string], { data: Buffer }>('SELECT data FROM snapshots WHERE room = ?'),
      updates: this.db.prepare<[string], { seq: number; data: Buffer }>('SELECT seq, data FROM updates WHERE room = ? ORDER BY seq'),
      append: this.db.prepare<[string, Uint8Array]>('INSERT INTO updates (room, data) VALUES (?, ?)'),
      putSnapshot: this.db.prepare<[string, Uint8Array, number]>(
        'INSERT INTO snapshots (room, data, through_seq) VALUES (?, ?, ?) ON CONFLICT(room) DO UPDATE SET data = excluded.data, through_seq = excluded.through_seq',
      ),
      dropUpdates: this.db.prepare<[string, number]>('DELETE FROM updates WHERE room = ? AND seq <= ?'),
      saveSnapshot: this.db.prepare<[string, string, string, string, number, Uint8Array]>(
        'INSERT INTO saved_snapshots (room, name, kind, by, at, data) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      listSnapshots: this.db.prepare<[string], Omit<SnapshotInfo, 'kind'> & { kind: string }>(
        'SELECT id, name, kind, by, at, LENGTH(data) AS bytes FROM saved_snapshots WHERE room = ? ORDER BY id DESC',
      ),
      loadSnapshot: this.db.prepare<[string, number], { data: Buffer }>('SELECT data FROM saved_snapshots WHERE room = ? AND id = ?'),
      backlog: this.db.prepare<[string], { count: number; bytes: number | null }>(
        'SELECT COUNT(*) AS count, SUM(LENGTH(data)) AS bytes FROM updates WHERE room = ?',
      ),
    };
  }

  load(room: string): StoredRoom {
    const snap = this.stmts.snapshot.get(room);
    const updates = this.stmts.updates.all(room).map((r) => ({ seq: r.seq, data: new Uint8Array(r.data) }));
    return { snapshot: snap ? new Uint8Array(snap.data) : null, updates };
  }

  append(room: string, update: Uint8Array): number {
    return Number(this.stmts.append.run(room, update).lastInsertRowid);
  }

  appendMany(entries: readonly { room: string; update: Uint8Array }[]): number[] {
    return this.db.transaction(() => entries.map((e) => Number(this.stmts.append.run(e.room, e.update).lastInsertRowid)))();
  }

  compact(room: string, snapshot: Uint8Array, throughSeq: number): void {
    this.db.transaction(() => {
      this.stmts.putSnapshot.run(room, snapshot, throughSeq);
      this.stmts.dropUpdates.run(room, throughSeq);
    })();
  }

  backlog(room: string): { count: number; bytes: number } {
    const r = this.stmts.backlog.get(room)!;
    return { count: r.count, bytes: r.bytes ?? 0 };
  }

  saveSnapshot(room: string, info: Omit<SnapshotInfo, 'id' | 'bytes'>, data: Uint8Array): number {
    return Number(this.stmts.saveSnapshot.run(room, info.name, info.kind, info.by, info.at, data).lastInsertRowid);
  }

  listSnapshots(room: string): SnapshotInfo[] {
    return this.stmts.listSnapshots.all(room).map((r) => ({ ...r, kind: r.kind === 'auto' ? 'auto' : 'named' }));
  }

  loadSnapshot(room: string, id: number): Uint8Array | null {
    const r = this.stmts.loadSnapshot.get(room, id);
    return r ? new Uint8Array(r.data) : null;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** For tests and for a relay that is only ever a LAN go-between: nothing survives a restart. */
export class MemoryStore implements RoomStore {
  private seq = 0;
  private readonly rooms = new Map<string, StoredRoom>();

  private room(room: string): StoredRoom {
    let r = this.rooms.get(room);
    if (!r) {
      r = { snapshot: null, updates: [] };
      this.rooms.set(room, r);
    }
    return r;
  }

  load(room: string): StoredRoom {
    const r = this.room(room);
    return { snapshot: r.snapshot, updates: r.updates.slice() };
  }

  append(room: string, update: Uint8Array): number {
    const seq = ++this.seq;
    this.room(room).updates.push({ seq, data: update.slice() });
    return seq;
  }

  appendMany(entries: readonly { room: string; update: Uint8Array }[]): number[] {
    return entries.map((e) => this.append(e.room, e.update));
  }

  compact(room: string, snapshot: Uint8Array, throughSeq: number): void {
    const r = this.room(room);
    r.snapshot = snapshot.slice();
    r.updates = r.updates.filter((u) => u.seq > throughSeq);
  }

  backlog(room: string): { count: number; bytes: number } {
    const r = this.room(room);
    return { count: r.updates.length, bytes: r.updates.reduce((n, u) => n + u.data.length, 0) };
  }

  private nextSnapshot = 0;
  private readonly saved = new Map<string, (SnapshotInfo & { data: Uint8Array })[]>();

  saveSnapshot(room: string, info: Omit<SnapshotInfo, 'id' | 'bytes'>, data: Uint8Array): number {
    const id = ++this.nextSnapshot;
    const list = this.saved.get(room) ?? [];
    list.push({ ...info, id, bytes: data.length, data: data.slice() });
    this.saved.set(room, list);
    return id;
  }

  listSnapshots(room: string): SnapshotInfo[] {
    return (this.saved.get(room) ?? []).map(({ data: _data, ...info }) => info).reverse();
  }

  loadSnapshot(room: string, id: number): Uint8Array | null {
    return this.saved.get(room)?.find((s) => s.id === id)?.data.slice() ?? null;
  }

  close(): void {}
}
