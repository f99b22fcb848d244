import Database from 'better-sqlite3';
import { closeSync, fsync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as Y from 'yjs';
import { baseWorkbookId, historyRoom } from '../src/protocol/messages.js';
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

/** One update in the retained log: its sequence number, when the hub stored it (ms, the hub's clock), and the update. */
export interface RetainedUpdate {
  seq: number;
  at: number;
  data: Uint8Array;
}

/** Every retained update pruned so far, merged into one: the state at `throughAt`, minus what was received later. */
export interface RetainedBase {
  data: Uint8Array;
  /** the time of the newest update folded in: states from this moment on can be computed */
  throughAt: number;
  /** the seq of the newest update folded in; it grows with every prune, so a reader can tell one happened */
  throughSeq: number;
}

/** What the retained log holds for a room, read without touching any update's bytes. */
export interface RetainedSummary {
  /** the earliest moment whose state can be computed: the base's time, or the first retained update's */
  earliest: number;
  baseBytes: number;
  /** the base's throughSeq (0 without a base) */
  throughSeq: number;
}

/** Bounds one prune's work: it folds at most this many updates (and stops once past this many bytes). */
export interface PruneLimits {
  maxUpdates: number;
  maxBytes: number;
}

export interface StoreOptions {
  /** the hub's clock, stamped on every retained update (tests inject one) */
  now?: () => number;
}

/**
 * Where the relay keeps workbooks. Synchronous on purpose: `append` returning
 * is the promise that the update survives a power cut, and the relay forwards
 * and acks only after it returns. Every implementation passes
 * test/unit/store-contract.ts.
 *
 * Two logs per room. `updates` is for loading fast and is compacted into one
 * snapshot every few hundred updates. The retained log keeps every update, with
 * the time it was stored, for the retention window, so the state at any moment
 * in that window can be rebuilt (base ⊕ every retained update up to then): even
 * an update that deletes everything destroys nothing the hub acknowledged.
 * Both are written in the same transaction.
 */
export interface RoomStore {
  load(room: string): StoredRoom;
  /** Durably stores one update, in both logs; returns its sequence number (increasing per store). */
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
  /** Removes one saved snapshot; false when this room has no snapshot with that id. */
  deleteSnapshot(room: string, id: number): boolean;
  /** What this room's saved snapshots take together, bytes (they count toward the workbook's MAX_DOC_BYTES). */
  snapshotBytes(room: string): number;
  /** Null when the retained log holds nothing for this room (no such workbook). Cheap: two index lookups. */
  retainedSummary(room: string): RetainedSummary | null;
  retainedBase(room: string): RetainedBase | null;
  /**
   * Retained updates stored at or before `throughAt`, oldest first, after the cursor `after`
   * (the last one a previous page returned), at most `limit`. Stamps strictly increase per room,
   * so this order is both the hub's order of storing and time order.
   */
  retainedUpdates(room: string, throughAt: number, after: { at: number; seq: number } | null, limit: number): RetainedUpdate[];
  /** When each retained update from `from` to `to` (inclusive) was stored, and its size; newest first, at most `limit`. */
  retainedTimeline(room: string, from: number, to: number, limit: number): { at: number; bytes: number }[];
  /**
   * Folds the oldest retained updates stored before `before` into the room's base, atomically;
   * returns how many it folded (at most `limits.maxUpdates`; call again for more).
   */
  pruneRetained(room: string, before: number, limits: PruneLimits): number;
  /**
   * Retires a workbook (its links were replaced, server/retire-api.ts): everything stored for it
   * and its journal (`<id>.h`) — both logs, the retained base, saved snapshots — is deleted, and
   * only a marker with the id and when is kept. From then on the store takes nothing for either
   * room: appends are dropped (the relay refuses them before; this is the last line), a
   * compaction does nothing, a snapshot is refused. Retiring again changes nothing.
   */
  retire(workbook: string, at?: number): void;
  /** Whether `room` (a workbook or its journal) belongs to a retired workbook; when, or null. */
  retiredAt(room: string): number | null;
  /**
   * Runs `fn` in one transaction: what it stores is durable together, with one disk sync (the
   * committer stores an automatic snapshot with the batch of updates it arrived with). Nested
   * calls are savepoints: one that throws undoes only its own writes.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Optional (the SQLite store): `transaction`, except that it returns before the disk sync, which
   * runs off the event loop; `synced` is called once what it wrote is durable, or with why not.
   * Nothing it wrote may be acknowledged before that (server/committer.ts).
   */
  transactionThenSync?<T>(fn: () => T, synced: (error: Error | null) => void): T;
  close(): void;
}

/** A retired workbook's snapshot is refused with this. */
export class RetiredError extends Error {
  constructor(readonly room: string) {
    super(`workbook ${baseWorkbookId(room) ?? room} is retired`);
    this.name = 'RetiredError';
  }
}

/** The rooms a retired workbook takes with it: its own and its journal's. */
function roomsOf(workbook: string): string[] {
  return [workbook, historyRoom(workbook)];
}

/** The workbook a room is retired under: its base id, or the name itself when it is not one the relay serves. */
function retiredKey(room: string): string {
  return baseWorkbookId(room) ?? room;
}

/**
 * Retained updates are stamped with the hub's clock, nudged forward so that no two updates of one
 * room share a time (a moment can then be picked just before any one of them) and a clock set back
 * never reorders them.
 */
function stamp(now: number, last: number | null): number {
  return last === null ? now : Math.max(now, last + 1);
}

/**
 * The base merged with the oldest retained updates, through a garbage-collecting doc: a bare
 * `Y.mergeUpdates` would keep the content of everything ever deleted, so the base would grow with
 * every edit forever. What is collected was deleted by `throughAt`, so it is deleted in every
 * state that can still be asked for: those stay exact.
 */
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

/** The oldest updates a prune may fold: before `before`, within the limits, but always at least one when any qualifies. */
function pruneBatch(candidates: Iterable<RetainedUpdate>, limits: PruneLimits): RetainedUpdate[] {
  const batch: RetainedUpdate[] = [];
  let bytes = 0;
  for (const u of candidates) {
    if (batch.length >= limits.maxUpdates || (batch.length > 0 && bytes + u.data.length > limits.maxBytes)) break;
    batch.push(u);
    bytes += u.data.length;
  }
  return batch;
}

export const DB_FILE_NAME = 'mutual-sheets.sqlite';

/** PRAGMA user_version: 1 added the retained log. */
const SCHEMA_VERSION = 1;

/** a transactionThenSync whose fsync is running (outcome undefined) or done but not yet reported */
interface PendingSync {
  synced: (error: Error | null) => void;
  outcome: Error | null | undefined;
}

export class SqliteStore implements RoomStore {
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly now: () => number;
  /** transactionThenSync's: the WAL, for its fsync, and the two pragmas around its transaction */
  private walFd: number | null = null;
  private syncPragmas: { normal: Database.Statement; full: Database.Statement } | null = null;
  /** whether SQLite took WAL mode: transactionThenSync's fsync of the WAL means something only then */
  private readonly wal: boolean;
  /** transactionThenSync's syncs not yet reported, oldest first */
  private readonly syncsInFlight: PendingSync[] = [];

  constructor(dataDir: string, options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, DB_FILE_NAME));
    this.wal = this.db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    // FULL: an acked update survives power loss, not only a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // Deleted and overwritten rows are zeroed, not left in free pages: text that compaction and
    // pruning removed (an overwritten cell, a deleted snapshot) does not linger in the file.
    this.db.pragma('secure_delete = ON');
    // Each time the WAL starts over it is cut back to nothing, so no stale frames stay behind
    // the ones in use (their pages are in the database file, zeroed where deleted).
    this.db.pragma('journal_size_limit = 0');
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
      -- Rooms by number in the retained log: a secured id is 44 characters, and the log holds
      -- every edit for months (the id would be stored twice per edit, in the row and its index).
      CREATE TABLE IF NOT EXISTS retained_rooms (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      CREATE TABLE IF NOT EXISTS retained (
        seq INTEGER PRIMARY KEY,
        room INTEGER NOT NULL REFERENCES retained_rooms (id),
        at INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS retained_room_at ON retained (room, at);
      CREATE TABLE IF NOT EXISTS retained_base (
        room TEXT PRIMARY KEY,
        data BLOB NOT NULL,
        through_at INTEGER NOT NULL,
        through_seq INTEGER NOT NULL
      );
      -- Workbooks whose links were replaced: only the id and when; nothing else of them is kept.
      CREATE TABLE IF NOT EXISTS retired (
        workbook TEXT PRIMARY KEY,
        at INTEGER NOT NULL
      );
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
      deleteSnapshot: this.db.prepare<[string, number]>('DELETE FROM saved_snapshots WHERE room = ? AND id = ?'),
      // LENGTH of a blob is read from the record header: the snapshots themselves are not read.
      snapshotBytes: this.db.prepare<[string], { bytes: number }>('SELECT COALESCE(SUM(LENGTH(data)), 0) AS bytes FROM saved_snapshots WHERE room = ?'),
      backlog: this.db.prepare<[string], { count: number; bytes: number | null }>(
        'SELECT COUNT(*) AS count, SUM(LENGTH(data)) AS bytes FROM updates WHERE room = ?',
      ),
      addRoom: this.db.prepare<[string]>('INSERT INTO retained_rooms (name) VALUES (?) ON CONFLICT (name) DO NOTHING'),
      retain: this.db.prepare<[number, string, number, Uint8Array]>('INSERT INTO retained (seq, room, at, data) VALUES (?, (SELECT id FROM retained_rooms WHERE name = ?), ?, ?)'),
      lastStamp: this.db.prepare<[string, string], { at: number | null }>(
        'SELECT MAX(at) AS at FROM (SELECT MAX(at) AS at FROM retained WHERE room = (SELECT id FROM retained_rooms WHERE name = ?) UNION ALL SELECT through_at FROM retained_base WHERE room = ?)',
      ),
      baseInfo: this.db.prepare<[string], { throughAt: number; throughSeq: number; bytes: number }>(
        'SELECT through_at AS throughAt, through_seq AS throughSeq, LENGTH(data) AS bytes FROM retained_base WHERE room = ?',
      ),
      base: this.db.prepare<[string], { data: Buffer; throughAt: number; throughSeq: number }>(
        'SELECT data, through_at AS throughAt, through_seq AS throughSeq FROM retained_base WHERE room = ?',
      ),
      putBase: this.db.prepare<[string, Uint8Array, number, number]>(
        'INSERT INTO retained_base (room, data, through_at, through_seq) VALUES (?, ?, ?, ?) ON CONFLICT(room) DO UPDATE SET data = excluded.data, through_at = excluded.through_at, through_seq = excluded.through_seq',
      ),
      firstRetained: this.db.prepare<[string], { at: number | null }>('SELECT MIN(at) AS at FROM retained WHERE room = (SELECT id FROM retained_rooms WHERE name = ?)'),
      retainedPage: this.db.prepare<[string, number, number, number, number], { seq: number; at: number; data: Buffer }>(
        'SELECT seq, at, data FROM retained WHERE room = (SELECT id FROM retained_rooms WHERE name = ?) AND at <= ? AND (at, seq) > (?, ?) ORDER BY at, seq LIMIT ?',
      ),
      timeline: this.db.prepare<[string, number, number, number], { at: number; bytes: number }>(
        'SELECT at, LENGTH(data) AS bytes FROM retained WHERE room = (SELECT id FROM retained_rooms WHERE name = ?) AND at >= ? AND at <= ? ORDER BY at DESC, seq DESC LIMIT ?',
      ),
      prunable: this.db.prepare<[string, number, number], { seq: number; at: number; data: Buffer }>(
        'SELECT seq, at, data FROM retained WHERE room = (SELECT id FROM retained_rooms WHERE name = ?) AND at < ? ORDER BY at, seq LIMIT ?',
      ),
      dropRetained: this.db.prepare<[number]>('DELETE FROM retained WHERE seq = ?'),
      purge: [
        'DELETE FROM updates WHERE room = ?',
        'DELETE FROM snapshots WHERE room = ?',
        'DELETE FROM saved_snapshots WHERE room = ?',
        'DELETE FROM retained WHERE room = (SELECT id FROM retained_rooms WHERE name = ?)',
        'DELETE FROM retained_base WHERE room = ?',
        'DELETE FROM retained_rooms WHERE name = ?',
      ].map((sql) => this.db.prepare<[string]>(sql)),
      retire: this.db.prepare<[string, number]>('INSERT INTO retired (workbook, at) VALUES (?, ?) ON CONFLICT (workbook) DO NOTHING'),
      retired: this.db.prepare<[], { workbook: string; at: number }>('SELECT workbook, at FROM retired'),
    };
    this.migrate();
    // Read once: every append asks, and only this process retires workbooks in this file.
    for (const r of this.stmts.retired.all()) this.retired.set(r.workbook, r.at);
  }

  /** Retired workbooks and when (the `retired` table, held in memory). */
  private readonly retired = new Map<string, number>();

  /**
   * A database from before the retained log holds workbooks with no retained history: their
   * state as stored becomes their base, stamped now, so every moment from the upgrade on can be
   * rebuilt (and earlier ones are refused, not answered with a blank workbook).
   */
  private migrate(): void {
    if (Number(this.db.pragma('user_version', { simple: true })) >= SCHEMA_VERSION) return;
    this.db.transaction(() => {
      const at = this.now();
      const rooms = this.db
        .prepare<[], { room: string; seq: number }>(
          'SELECT room, MAX(seq) AS seq FROM (SELECT room, seq FROM updates UNION ALL SELECT room, through_seq AS seq FROM snapshots) GROUP BY room',
        )
        .all();
      for (const { room, seq } of rooms) {
        const data = storedUpdate(this.load(room));
        if (data && !this.stmts.baseInfo.get(room)) this.stmts.putBase.run(room, data, at, seq);
      }
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  }

  load(room: string): StoredRoom {
    const snap = this.stmts.snapshot.get(room);
    const updates = this.stmts.updates.all(room).map((r) => ({ seq: r.seq, data: new Uint8Array(r.data) }));
    return { snapshot: snap ? new Uint8Array(snap.data) : null, updates };
  }

  append(room: string, update: Uint8Array): number {
    return this.appendMany([{ room, update }])[0];
  }

  appendMany(entries: readonly { room: string; update: Uint8Array }[]): number[] {
    if (!entries.length) return [];
    const now = this.now();
    // One transaction for both logs: an ack means the update is in each, or it is in neither.
    return this.db.transaction(() => {
      const last = new Map<string, number | null>();
      return entries.map((e) => {
        // A retired workbook's room takes nothing (a change that was on its way when it was retired).
        if (this.retiredAt(e.room) !== null) return 0;
        const seq = Number(this.stmts.append.run(e.room, e.update).lastInsertRowid);
        if (!last.has(e.room)) this.stmts.addRoom.run(e.room);
        const prev = last.has(e.room) ? last.get(e.room)! : this.stmts.lastStamp.get(e.room, e.room)!.at;
        const at = stamp(now, prev);
        this.stmts.retain.run(seq, e.room, at, e.update);
        last.set(e.room, at);
        return seq;
      });
    })();
  }

  compact(room: string, snapshot: Uint8Array, throughSeq: number): void {
    if (this.retiredAt(room) !== null) return;
    this.db.transaction(() => {
      this.stmts.putSnapshot.run(room, snapshot, throughSeq);
      this.stmts.dropUpdates.run(room, throughSeq);
    })();
    this.checkpoint();
  }

  /**
   * Copies the WAL into the database file and empties it, so what a compaction, prune or delete
   * just removed is gone from the WAL too (with secure_delete, it is zeros in the file). Never
   * waits: with a reader in the way (a backup running) it copies what it can and the WAL is
   * emptied at a later one, or when it next starts over (journal_size_limit = 0).
   */
  private checkpoint(): void {
    try {
      this.db.pragma('busy_timeout = 0');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // SQLITE_BUSY: the next checkpoint will do it
    } finally {
      this.db.pragma('busy_timeout = 5000');
    }
  }

  backlog(room: string): { count: number; bytes: number } {
    const r = this.stmts.backlog.get(room)!;
    return { count: r.count, bytes: r.bytes ?? 0 };
  }

  saveSnapshot(room: string, info: Omit<SnapshotInfo, 'id' | 'bytes'>, data: Uint8Array): number {
    if (this.retiredAt(room) !== null) throw new RetiredError(room);
    return Number(this.stmts.saveSnapshot.run(room, info.name, info.kind, info.by, info.at, data).lastInsertRowid);
  }

  listSnapshots(room: string): SnapshotInfo[] {
    return this.stmts.listSnapshots.all(room).map((r) => ({ ...r, kind: r.kind === 'auto' ? 'auto' : 'named' }));
  }

  loadSnapshot(room: string, id: number): Uint8Array | null {
    const r = this.stmts.loadSnapshot.get(room, id);
    return r ? new Uint8Array(r.data) : null;
  }

  deleteSnapshot(room: string, id: number): boolean {
    const deleted = this.stmts.deleteSnapshot.run(room, id).changes > 0;
    if (deleted) this.checkpoint();
    return deleted;
  }

  snapshotBytes(room: string): number {
    return this.stmts.snapshotBytes.get(room)!.bytes;
  }

  retainedSummary(room: string): RetainedSummary | null {
    const base = this.stmts.baseInfo.get(room);
    if (base) return { earliest: base.throughAt, baseBytes: base.bytes, throughSeq: base.throughSeq };
    const first = this.stmts.firstRetained.get(room)!.at;
    return first === null ? null : { earliest: first, baseBytes: 0, throughSeq: 0 };
  }

  retainedBase(room: string): RetainedBase | null {
    const r = this.stmts.base.get(room);
    return r ? { data: new Uint8Array(r.data), throughAt: r.throughAt, throughSeq: r.throughSeq } : null;
  }

  retainedUpdates(room: string, throughAt: number, after: { at: number; seq: number } | null, limit: number): RetainedUpdate[] {
    return this.stmts.retainedPage
      .all(room, sqlTime(throughAt), after?.at ?? Number.MIN_SAFE_INTEGER, after?.seq ?? 0, limit)
      .map((r) => ({ seq: r.seq, at: r.at, data: new Uint8Array(r.data) }));
  }

  retainedTimeline(room: string, from: number, to: number, limit: number): { at: number; bytes: number }[] {
    return this.stmts.timeline.all(room, sqlTime(from), sqlTime(to), limit);
  }

  pruneRetained(room: string, before: number, limits: PruneLimits): number {
    const folded = this.db.transaction(() => {
      const rows = this.stmts.prunable.iterate(room, sqlTime(before), limits.maxUpdates);
      const batch = pruneBatch(
        (function* () {
          for (const r of rows) yield { seq: r.seq, at: r.at, data: new Uint8Array(r.data) };
        })(),
        limits,
      );
      if (!batch.length) return 0;
      const base = fold(this.retainedBase(room), batch);
      this.stmts.putBase.run(room, base.data, base.throughAt, base.throughSeq);
      for (const u of batch) this.stmts.dropRetained.run(u.seq);
      return batch.length;
    })();
    if (folded > 0) this.checkpoint();
    return folded;
  }

  retire(workbook: string, at: number = this.now()): void {
    const key = retiredKey(workbook);
    this.db.transaction(() => {
      for (const room of roomsOf(key)) for (const purge of this.stmts.purge) purge.run(room);
      this.stmts.retire.run(key, Math.trunc(at));
    })();
    if (!this.retired.has(key)) this.retired.set(key, Math.trunc(at));
    // secure_delete zeroed the deleted rows in the pages; the checkpoint empties the WAL of the
    // frames that still held them, so the file and its WAL keep nothing of the workbook.
    this.checkpoint();
  }

  retiredAt(room: string): number | null {
    return this.retired.get(retiredKey(room)) ?? null;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * synchronous = NORMAL for this one transaction: SQLite appends it to the WAL without waiting for
   * the disk, and the WAL's fsync runs next on libuv's thread pool (fsync is per file, so it covers
   * these frames and any before them). The event loop never waits for the disk on the forwarding
   * path. Nothing is weaker than FULL once `synced` is called: in NORMAL, SQLite still syncs the WAL
   * before every checkpoint and the database after it, and every other write stays FULL.
   */
  transactionThenSync<T>(fn: () => T, synced: (error: Error | null) => void): T {
    if (!this.wal) {
      // Not in WAL mode (a filesystem that refused it): an ordinary FULL transaction, on disk when it returns.
      const done = this.db.transaction(fn)();
      setImmediate(() => synced(null));
      return done;
    }
    const pragmas = (this.syncPragmas ??= {
      normal: this.db.prepare('PRAGMA synchronous = NORMAL'),
      full: this.db.prepare('PRAGMA synchronous = FULL'),
    });
    pragmas.normal.run();
    let result: T;
    try {
      result = this.db.transaction(fn)();
    } finally {
      pragmas.full.run();
    }
    if (this.walFd === null) {
      // Opened once: SQLite keeps this one WAL file (emptied, never replaced) until the last
      // connection closes. Writable, as fsync wants on some systems. The file may be new since
      // this process opened the database, and SQLite's own first sync of a new journal, which
      // would make its directory entry durable, is one of the syncs NORMAL skips: done here, once.
      this.walFd = openSync(`${this.db.name}-wal`, 'r+');
      const dir = openSync(dirname(this.db.name), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    // fsyncs on the thread pool can finish in any order; a sync is reported only after every one
    // asked for before it, so a caller sees its writes become durable in the order it made them.
    const slot: PendingSync = { synced, outcome: undefined };
    this.syncsInFlight.push(slot);
    fsync(this.walFd, (err) => {
      slot.outcome = err;
      while (this.syncsInFlight.length && this.syncsInFlight[0].outcome !== undefined) {
        const done = this.syncsInFlight.shift()!;
        done.synced(done.outcome ?? null);
      }
    });
    return result;
  }

  close(): void {
    if (this.db.open) this.db.close();
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }
}

/** SQLite integers stop at 2^63; infinite bounds ("everything up to now") are clamped to what a time can be. */
function sqlTime(t: number): number {
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.trunc(t)));
}

/** For tests and for a relay that is only ever a LAN go-between: nothing survives a restart. */
export class MemoryStore implements RoomStore {
  private seq = 0;
  private readonly rooms = new Map<string, StoredRoom>();
  private readonly retained = new Map<string, { base: RetainedBase | null; updates: RetainedUpdate[] }>();
  private readonly now: () => number;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

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
    return this.appendMany([{ room, update }])[0];
  }

  appendMany(entries: readonly { room: string; update: Uint8Array }[]): number[] {
    const now = this.now();
    // All or none, as SqliteStore's transaction: every entry is copied (and so checked) before any is stored.
    const copies = entries.map((e) => (this.retiredAt(e.room) !== null ? null : e.update.slice()));
    return entries.map((e, i) => {
      const data = copies[i];
      if (!data) return 0;
      const seq = ++this.seq;
      this.room(e.room).updates.push({ seq, data });
      const log = this.retainedLog(e.room);
      const last = log.updates.at(-1)?.at ?? log.base?.throughAt ?? null;
      log.updates.push({ seq, at: stamp(now, last), data: data.slice() });
      return seq;
    });
  }

  compact(room: string, snapshot: Uint8Array, throughSeq: number): void {
    if (this.retiredAt(room) !== null) return;
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
    if (this.retiredAt(room) !== null) throw new RetiredError(room);
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

  deleteSnapshot(room: string, id: number): boolean {
    const list = this.saved.get(room) ?? [];
    const at = list.findIndex((s) => s.id === id);
    if (at < 0) return false;
    list.splice(at, 1);
    return true;
  }

  snapshotBytes(room: string): number {
    return (this.saved.get(room) ?? []).reduce((n, s) => n + s.bytes, 0);
  }

  private retainedLog(room: string) {
    let log = this.retained.get(room);
    if (!log) {
      log = { base: null, updates: [] };
      this.retained.set(room, log);
    }
    return log;
  }

  retainedSummary(room: string): RetainedSummary | null {
    const log = this.retained.get(room);
    if (log?.base) return { earliest: log.base.throughAt, baseBytes: log.base.data.length, throughSeq: log.base.throughSeq };
    return log?.updates.length ? { earliest: log.updates[0].at, baseBytes: 0, throughSeq: 0 } : null;
  }

  retainedBase(room: string): RetainedBase | null {
    const base = this.retained.get(room)?.base;
    return base ? { ...base, data: base.data.slice() } : null;
  }

  retainedUpdates(room: string, throughAt: number, after: { at: number; seq: number } | null, limit: number): RetainedUpdate[] {
    const isAfter = (u: RetainedUpdate) => !after || u.at > after.at || (u.at === after.at && u.seq > after.seq);
    return (this.retained.get(room)?.updates ?? [])
      .filter((u) => u.at <= throughAt && isAfter(u))
      .slice(0, limit)
      .map((u) => ({ ...u, data: u.data.slice() }));
  }

  retainedTimeline(room: string, from: number, to: number, limit: number): { at: number; bytes: number }[] {
    return (this.retained.get(room)?.updates ?? [])
      .filter((u) => u.at >= from && u.at <= to)
      .reverse()
      .slice(0, limit)
      .map((u) => ({ at: u.at, bytes: u.data.length }));
  }

  pruneRetained(room: string, before: number, limits: PruneLimits): number {
    const log = this.retained.get(room);
    if (!log) return 0;
    const batch = pruneBatch(
      log.updates.filter((u) => u.at < before),
      limits,
    );
    if (!batch.length) return 0;
    log.base = fold(log.base, batch);
    const folded = new Set(batch.map((u) => u.seq));
    log.updates = log.updates.filter((u) => !folded.has(u.seq));
    return batch.length;
  }

  private readonly retiredRooms = new Map<string, number>();

  retire(workbook: string, at: number = this.now()): void {
    const key = retiredKey(workbook);
    for (const room of roomsOf(key)) {
      this.rooms.delete(room);
      this.saved.delete(room);
      this.retained.delete(room);
    }
    if (!this.retiredRooms.has(key)) this.retiredRooms.set(key, Math.trunc(at));
  }

  retiredAt(room: string): number | null {
    return this.retiredRooms.get(retiredKey(room)) ?? null;
  }

  transaction<T>(fn: () => T): T {
    return fn();
  }

  close(): void {}
}
