import pg from 'pg';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { SnapshotInfo } from '../src/protocol/snapshots.js';
import { StoreError } from './async-store.js';
import type { Committer, CommitRequest } from './committer.js';
import type { RelayConfig } from './config.js';
import type { Logger } from './log.js';
import { baseWorkbookId, historyRoom } from '../src/protocol/messages.js';
import { ROOM_LOCK_CLASS } from './pg-schema.js';
import { PostgresStore } from './pg-store.js';
import { RedisBus } from './redis-bus.js';
import { fitSnapshots } from './snapshot-api.js';
import { GlobalCounters } from './redis-counters.js';
import type { Room } from './room.js';
import type { PruneLimits, RoomStore, StoredRoom } from './store.js';

/** Presence applied from another hub process: passed to this process's connections, never published back. */
const PRESENCE_ORIGIN = Symbol('presence elsewhere');

/** Transactions one process has on their way at once (PostgresStore keeps 10 connections). */
const MAX_CONCURRENT = 6;
/** Workbooks in one transaction at most: each one's row stays locked until the commit, holding up the other processes' writes to it. */
const ROOMS_PER_TX = 16;
/** While Postgres cannot be reached, a batch is tried again after this long, doubling up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 2000;

type Hosted = NonNullable<RelayConfig['hosted']>;

/**
 * Group commit into Postgres: what arrives for a workbook while its transaction is on its way goes
 * in its next one, and up to MAX_CONCURRENT transactions are on their way at once (Postgres
 * flushes concurrent commits together), each for a few workbooks rather than all: a transaction
 * locks its workbooks' rows until it commits, so one spanning every workbook would make each other
 * process's transaction wait for it. Each update is acked (its `done`) only once
 * its transaction committed, and only then published to the other hub processes, so none of them
 * forwards a change that could be lost.
 *
 * While Postgres cannot be reached, a batch is tried again until it can: nothing is acked
 * meanwhile, so devices keep their changes and show them as not yet on the hub. A retry after a
 * connection lost mid-commit may store an update twice; Yjs applies an update twice as once.
 */
export class HostedCommitter implements Committer {
  private readonly waiting = new Map<string, { r: CommitRequest; owner: unknown }[]>();
  /** workbooks with a transaction on its way: their next batch waits for it, so their order holds */
  private readonly busy = new Set<string>();
  private active = 0;
  private scheduled = false;
  private idle: (() => void)[] = [];
  private stopping = false;
  private outage = false;

  constructor(
    private readonly store: PostgresStore,
    private readonly published: (room: string, roomSeq: number, update: Uint8Array, owner: unknown) => void,
    private readonly log: Logger,
    /** the room instance that holds `room` now: told with the publication, so a reloaded instance is not left without it */
    private readonly ownerOf: (room: string) => unknown = () => null,
    /** awaited after the batch's `alongside` writes began and before its updates go in (the automatic snapshots) */
    private readonly beforeAppend: () => Promise<void> = () => Promise.resolve(),
    /** the store dropped a room's updates because its workbook was retired (by another process, whose word may not have arrived) */
    private readonly retired: (room: string) => void = () => {},
  ) {}

  submit(r: CommitRequest): void {
    let list = this.waiting.get(r.room);
    if (!list) this.waiting.set(r.room, (list = []));
    list.push({ r, owner: this.ownerOf(r.room) });
    if (this.scheduled) return;
    this.scheduled = true;
    // the rest of this turn's updates join the first batch
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Nothing can be stored synchronously here; `drain` is the hosted hub's flush. */
  flush(): void {}

  /** Shutdown: waits for what is queued, giving up on batches Postgres cannot take now (they stay unacked on the devices). */
  async drain(): Promise<void> {
    this.stopping = true;
    this.pump();
    while (this.active > 0 || this.waiting.size > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /**
   * Starts transactions for the workbooks waiting and not busy: one each while there are free
   * slots, several to a transaction (at most ROOMS_PER_TX) when more wait than there are slots,
   * so a busy hub still stores many updates per commit.
   */
  private pump(): void {
    const free = MAX_CONCURRENT - this.active;
    if (free <= 0) return;
    const ready = Array.from(this.waiting.keys()).filter((room) => !this.busy.has(room));
    if (ready.length === 0) return;
    const perTx = Math.min(ROOMS_PER_TX, Math.ceil(ready.length / free));
    for (let at = 0; at < ready.length && this.active < MAX_CONCURRENT; at += perTx) {
      const rooms = ready.slice(at, at + perTx);
      const entries = rooms.flatMap((room) => this.waiting.get(room)!);
      for (const room of rooms) {
        this.waiting.delete(room);
        this.busy.add(room);
      }
      this.active++;
      void this.commit(entries).finally(() => {
        for (const room of rooms) this.busy.delete(room);
        this.active--;
        this.pump();
        if (this.active === 0 && this.waiting.size === 0) for (const wake of this.idle.splice(0)) wake();
      });
    }
  }

  private async commit(entries: { r: CommitRequest; owner: unknown }[]): Promise<void> {
    const batch = entries.map((e) => e.r);
    for (const r of batch) {
      try {
        r.alongside?.();
      } catch {
        // reported by `alongside` itself (the automatic snapshot); the update goes on
      }
    }
    // as with SQLite, an acked update's automatic snapshot is stored (or has failed) by the ack
    await this.beforeAppend();
    const result = await this.append(batch);
    const retired = new Set<string>();
    batch.forEach((r, i) => {
      // roomSeq 0: a retired workbook's update, dropped by the store. Never acked: it is not stored.
      if (result.ok && result.seqs[i].roomSeq === 0) {
        retired.add(r.room);
        return;
      }
      try {
        if (result.ok) r.done(result.seqs[i].seq);
        else r.done(null, result.error);
      } catch (err) {
        r.onError(err);
      }
      if (result.ok) this.published(r.room, result.seqs[i].roomSeq, r.update, entries[i].owner);
    });
    for (const room of retired) this.retired(room);
  }

  private async append(batch: CommitRequest[]): Promise<{ ok: true; seqs: { seq: number; roomSeq: number }[] } | { ok: false; error: unknown }> {
    let wait = RETRY_FIRST_MS;
    for (;;) {
      try {
        const seqs = await this.store.appendSequenced(batch.map((r) => ({ room: r.room, update: r.update })));
        if (this.outage) this.log.info('database reachable again: storing held changes', { updates: batch.length });
        this.outage = false;
        return { ok: true, seqs };
      } catch (err) {
        if (!(err instanceof StoreError && err.code === 'STORE_UNAVAILABLE') || this.stopping) return { ok: false, error: err };
        if (!this.outage) this.log.error('database unreachable: holding changes until it is back', { error: err.message });
        this.outage = true;
        await new Promise<void>((resolve) => setTimeout(resolve, wait));
        wait = Math.min(RETRY_MAX_MS, wait * 2);
      }
    }
  }
}

/**
 * The hosted hub's shared parts for one process (issue 19): the Postgres store, the Redis bus
 * between processes, and the hub-wide counters. The relay asks it to load rooms, and hands it
 * every room it loads, so that updates and presence from other processes reach this one's
 * connections.
 */
export class HostedHub {
  private readonly rooms = new Map<string, Room>();
  private readonly background = new Set<Promise<unknown>>();
  /** automatic snapshots being written: the batch they came with waits for them */
  private readonly snapshots = new Set<Promise<unknown>>();
  readonly committer: HostedCommitter;
  private bus!: RedisBus;
  private closed = false;
  private counters!: GlobalCounters;

  private constructor(
    readonly store: PostgresStore,
    /** the hub's own transactions (compaction by sequence, automatic snapshots once per workbook) */
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly autoSnapshotMs: number,
    /** a workbook and its snapshots together (MAX_DOC_BYTES): older automatic snapshots make way for a new one */
    private readonly maxDocBytes: number,
  ) {
    this.committer = new HostedCommitter(
      store,
      (room, roomSeq, update, owner) => {
        this.publish(room, roomSeq, update);
        // Unloaded and loaded again while this was on its way to Postgres: the new instance read
        // the room before it was committed, and the bus skips this process's own publications.
        const now = this.rooms.get(room);
        if (now && now !== owner) now.applyDurable(update);
      },
      log,
      (room) => this.rooms.get(room) ?? null,
      async () => {
        while (this.snapshots.size > 0) await Promise.all(Array.from(this.snapshots));
      },
      (room) => this.retiredHere(baseWorkbookId(room) ?? room),
    );
  }

  /** What the relay does with a workbook retired on any process: close its rooms here. */
  private retiredHere: (workbook: string) => void = () => {};

  onRetired(handler: (workbook: string) => void): void {
    this.retiredHere = handler;
  }

  /**
   * After this process retired a workbook in Postgres: the other processes close its connections.
   * Tried until Redis takes it; meanwhile a process that missed it finds out at its next write
   * (the store drops it: `retired` above) and no new connection is let in (the relay asks the store).
   */
  announceRetired(workbook: string): void {
    this.track('announcing a retired workbook', workbook, async () => {
      let wait = RETRY_FIRST_MS;
      for (const room of [workbook, historyRoom(workbook)]) {
        while (!(await this.bus.publishRetired(room))) {
          if (this.closed) return;
          await new Promise<void>((resolve) => setTimeout(resolve, wait).unref());
          wait = Math.min(RETRY_MAX_MS, wait * 2);
        }
      }
    });
  }

  static async open(hosted: Hosted, config: Pick<RelayConfig, 'autoSnapshotMs' | 'maxDocBytes'>, log: Logger): Promise<HostedHub> {
    const store = await PostgresStore.open(hosted.databaseUrl);
    const pool = new pg.Pool({ connectionString: hosted.databaseUrl, max: 2, connectionTimeoutMillis: 5000, options: '-c synchronous_commit=on' });
    pool.on('error', () => {});
    // as in PostgresStore.open: a connection lost while checked out must not end the process
    pool.on('connect', (client) => client.on('error', () => {}));
    const hub = new HostedHub(store, pool, log, config.autoSnapshotMs, config.maxDocBytes);
    try {
      hub.bus = await RedisBus.open(
        hosted.redisUrl,
        store,
        {
          update: (room, data) => hub.rooms.get(room)?.applyDurable(data),
          reload: (room, stored) => {
            const r = hub.rooms.get(room);
            if (!r) return;
            if (stored.snapshot) r.applyDurable(stored.snapshot);
            for (const u of stored.updates) r.applyDurable(u.data);
          },
          presence: (room, data) => {
            const r = hub.rooms.get(room);
            if (!r) return;
            try {
              awarenessProtocol.applyAwarenessUpdate(r.awareness, data, PRESENCE_ORIGIN);
            } catch (err) {
              log.error('unreadable presence from another hub process', { room, error: String(err) });
            }
          },
          retired: (room) => hub.retiredHere(baseWorkbookId(room) ?? room),
          error: (err, room) => log.error('catching up from the database failed (tried again at the next message)', { room, error: String(err) }),
        },
        { prefix: hosted.redisPrefix },
      );
      hub.counters = await GlobalCounters.open(hosted.redisUrl, { prefix: hosted.redisPrefix });
    } catch (err) {
      await hub.bus?.close();
      await pool.end().catch(() => {});
      await store.close().catch(() => {});
      throw err;
    }
    return hub;
  }

  /** Per workbook, the newest update Redis refused (it was away): published again once it is back. */
  private readonly unpublished = new Map<string, { roomSeq: number; data: Uint8Array }>();
  private republishTimer: NodeJS.Timeout | null = null;
  private republishWait = RETRY_FIRST_MS;

  /**
   * Publishes a committed update. A process whose subscription came back before this one's
   * publishing connection would otherwise never hear of the updates refused meanwhile (it catches
   * up at the next message, and a quiet workbook sends none): so the newest refused update of each
   * workbook is sent again until Redis takes it, and its number alone makes the others catch up
   * on everything before it from Postgres.
   */
  private publish(room: string, roomSeq: number, data: Uint8Array): void {
    void this.bus.publishUpdate(room, roomSeq, data).then((ok) => {
      if (ok) return;
      const newest = this.unpublished.get(room);
      if (!newest || newest.roomSeq < roomSeq) this.unpublished.set(room, { roomSeq, data });
      this.republishSoon();
    });
  }

  private republishSoon(): void {
    if (this.republishTimer || this.closed) return;
    this.republishTimer = setTimeout(() => {
      this.republishTimer = null;
      const pending = Array.from(this.unpublished);
      this.unpublished.clear();
      void Promise.all(pending.map(async ([room, u]) => [room, u, await this.bus.publishUpdate(room, u.roomSeq, u.data)] as const)).then((results) => {
        let failed = false;
        for (const [room, u, ok] of results) {
          if (ok) continue;
          failed = true;
          const newest = this.unpublished.get(room);
          if (!newest || newest.roomSeq < u.roomSeq) this.unpublished.set(room, u);
        }
        this.republishWait = failed ? Math.min(RETRY_MAX_MS, this.republishWait * 2) : RETRY_FIRST_MS;
        if (this.unpublished.size > 0) this.republishSoon();
      });
    }, this.republishWait);
    this.republishTimer.unref();
  }

  retiredAt(room: string): Promise<number | null> {
    return this.store.retiredAt(room);
  }

  /** Reads a room from Postgres; what `Room` is then built on, and the sequence it was read at. */
  async prepare(name: string): Promise<{ store: RoomStore; roomSeq: number }> {
    const [{ stored, roomSeq }, snapshots] = await Promise.all([this.store.loadSequenced(name), this.store.listSnapshots(name)]);
    return { store: new LoadedRoomStore(this, name, stored, snapshots), roomSeq };
  }

  /** A room the relay just built: from now on what other processes commit and say reaches it. */
  attach(room: Room, roomSeq: number): void {
    this.rooms.set(room.name, room);
    room.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      // each process times out stale presence itself; another's is only passed on, never sent back
      if (origin === PRESENCE_ORIGIN || origin === 'timeout' || this.rooms.get(room.name) !== room) return;
      const changed = added.concat(updated, removed);
      if (changed.length > 0) void this.bus.publishPresence(room.name, awarenessProtocol.encodeAwarenessUpdate(room.awareness, changed));
    });
    // Not awaited: with Redis away the subscription waits for it, and the room serves meanwhile;
    // once subscribed, the bus catches up from Postgres on what was committed since `roomSeq`.
    this.bus.subscribe(room.name, roomSeq).catch((err: unknown) => this.log.error('subscribing to the bus failed', { room: room.name, error: String(err) }));
  }

  /** The room is unloaded (after its compaction was started, which reads how far the bus got). */
  detach(room: Room): void {
    if (this.rooms.get(room.name) !== room) return;
    this.rooms.delete(room.name);
    void this.bus.unsubscribe(room.name);
    this.releaseRoom();
  }

  /**
   * A room about to be loaded, counted hub-wide: false when every process together holds `max`.
   * Given back by `detach`, or by `releaseRoom` when the load fails. With Redis away it is
   * granted (each process's own MAX_ROOMS still holds).
   */
  async reserveRoom(max: number): Promise<boolean> {
    return (await this.counters.reserve('rooms', max)).ok;
  }

  releaseRoom(): void {
    void this.counters.release('rooms');
  }

  /** The newest update of `room` this process holds, with every one before it (its roomSeq; 0: none). */
  seen(room: string): number {
    return this.bus.seen(room) ?? 0;
  }

  /** A connection from `ip` counted hub-wide: false when every process together holds `max` from it. */
  async reserveConnection(ip: string, max: number): Promise<boolean> {
    return (await this.counters.reserve(`ip:${ip}`, max)).ok;
  }

  releaseConnection(ip: string): void {
    void this.counters.release(`ip:${ip}`);
  }

  /** Work a room started and does not wait for (compaction, pruning, snapshots): awaited at close. */
  track(what: string, room: string, work: () => Promise<unknown>, also?: Set<Promise<unknown>>): void {
    const p = work().catch((err: unknown) => this.log.error(`${what} failed`, { room, error: String(err) }));
    this.background.add(p);
    also?.add(p);
    void p.finally(() => {
      this.background.delete(p);
      also?.delete(p);
    });
  }

  /**
   * Folds the log through `roomSeq` into `snapshot`. The Room names its own last sequence, but
   * here its doc also holds what other processes committed, and may lack some of theirs still on
   * the way: the fold covers exactly the updates the bus handed over without a gap. The store
   * takes the room's advisory lock, so two processes never fold one room at once.
   */
  compact(room: string, snapshot: Uint8Array, roomSeq: number): void {
    if (roomSeq <= 0) return;
    this.track('compaction', room, async () => {
      const r = await this.pool.query<{ seq: string }>('SELECT u.seq FROM updates u JOIN rooms r ON r.id = u.room WHERE r.name = $1 AND u.room_seq = $2', [room, roomSeq]);
      // already folded (by another process, or an earlier fold here): nothing to do
      if (r.rows.length === 0) return;
      await this.store.compact(room, snapshot, Number(r.rows[0].seq));
    });
  }

  /**
   * An automatic snapshot, unless another process kept one for this workbook within
   * AUTO_SNAPSHOT_MS: the room's row is locked while it looks, so of two processes whose bursts
   * begin together one keeps it.
   */
  autoSnapshot(room: string, info: Omit<SnapshotInfo, 'id' | 'bytes'>, data: Uint8Array): void {
    this.track('automatic snapshot', room, async () => {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(`SELECT pg_advisory_xact_lock(${ROOM_LOCK_CLASS + 1}, hashtext($1))`, [room]);
        if ((await this.store.retiredAt(room)) !== null) {
          await c.query('ROLLBACK');
          return;
        }
        const row = await c.query<{ id: string }>('INSERT INTO rooms (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id', [room]);
        const id = row.rows[0].id;
        // asked again once the row is locked: a retirement that held it while this waited has
        // deleted the row, and the insert above made a fresh one that would outlive it
        if ((await this.store.retiredAt(room)) !== null) {
          await c.query('ROLLBACK');
          return;
        }
        const recent = await c.query("SELECT 1 FROM saved_snapshots WHERE room = $1 AND kind = 'auto' AND at > $2 LIMIT 1", [id, Math.trunc(info.at - this.autoSnapshotMs)]);
        let kept: number | null = null;
        if (recent.rows.length === 0) {
          const put = await c.query<{ id: string }>(
            'INSERT INTO saved_snapshots (room, name, kind, by, at, data) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
            [id, info.name, info.kind, info.by, Math.trunc(info.at), data],
          );
          kept = Number(put.rows[0].id);
        }
        await c.query('COMMIT');
        // as on the SQLite hub (rotatingAutoSnapshots): the oldest automatic ones make way, never a named one
        if (kept !== null) await fitSnapshots(this.store, room, data.length, this.maxDocBytes, kept);
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    }, this.snapshots);
  }

  pruneRetained(room: string, before: number, limits: PruneLimits): void {
    this.track('pruning the retained log', room, () => this.store.pruneRetained(room, before, limits));
  }

  /** Shutdown: what is queued is stored (or given up on, if the database is away), background work ends, connections close. */
  async close(): Promise<void> {
    await this.committer.drain();
    this.closed = true;
    if (this.republishTimer) clearTimeout(this.republishTimer);
    while (this.background.size > 0) await Promise.all(Array.from(this.background));
    this.rooms.clear();
    await this.bus.close();
    await this.counters.close();
    await this.pool.end().catch(() => {});
    await this.store.close();
  }

  /** Test hook (a process that dies): nothing more is published or counted. */
  get busForTests(): RedisBus {
    return this.bus;
  }
}

/**
 * The synchronous store a Room is built on, for a room already read from Postgres: `load` and
 * `listSnapshots` answer from what was read; the writes a Room makes on its own (compaction,
 * pruning, automatic snapshots) go to Postgres in the background. Updates never come here: the
 * HostedCommitter stores them.
 */
class LoadedRoomStore implements RoomStore {
  constructor(
    private readonly hub: HostedHub,
    private readonly name: string,
    private readonly stored: StoredRoom,
    private readonly snapshots: SnapshotInfo[],
  ) {}

  load(room: string): StoredRoom {
    this.only(room);
    return this.stored;
  }

  listSnapshots(room: string): SnapshotInfo[] {
    this.only(room);
    return this.snapshots;
  }

  compact(room: string, snapshot: Uint8Array): void {
    this.only(room);
    this.hub.compact(room, snapshot, this.hub.seen(room));
  }

  pruneRetained(room: string, before: number, limits: PruneLimits): number {
    this.only(room);
    this.hub.pruneRetained(room, before, limits);
    return 0;
  }

  saveSnapshot(room: string, info: Omit<SnapshotInfo, 'id' | 'bytes'>, data: Uint8Array): number {
    this.only(room);
    if (info.kind !== 'auto') throw new StoreError('STORE_FAILED', 'named snapshots go through the workbook API');
    this.hub.autoSnapshot(room, info, data);
    return 0;
  }

  transaction<T>(fn: () => T): T {
    return fn();
  }

  private only(room: string): void {
    if (room !== this.name) throw new StoreError('STORE_FAILED', `a store for ${this.name} asked about ${room}`);
  }

  private notHere(): never {
    throw new StoreError('STORE_FAILED', 'the hosted hub stores updates through its committer and serves the rest from Postgres');
  }

  append(): number {
    return this.notHere();
  }
  appendMany(): number[] {
    return this.notHere();
  }
  backlog(): { count: number; bytes: number } {
    return this.notHere();
  }
  loadSnapshot(): Uint8Array | null {
    return this.notHere();
  }
  deleteSnapshot(): boolean {
    return this.notHere();
  }
  snapshotBytes(): number {
    return this.notHere();
  }
  retainedSummary(): never {
    return this.notHere();
  }
  retainedBase(): never {
    return this.notHere();
  }
  retainedUpdates(): never {
    return this.notHere();
  }
  retainedTimeline(): never {
    return this.notHere();
  }
  retire(): void {
    this.notHere();
  }
  retiredAt(): number | null {
    return this.notHere();
  }
  close(): void {}
}
