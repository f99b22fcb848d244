import type { RoomStore } from './store.js';

/** One update waiting to be made durable; `done` runs once it is (with its sequence number) or failed. */
export interface CommitRequest {
  room: string;
  update: Uint8Array;
  done(seq: number | null, error?: unknown): void;
  /** what to do when `done` throws after a batched commit (the caller is no longer on the stack) */
  onError(error: unknown): void;
  /**
   * Stored just before the update, in the same transaction (one disk sync instead of its own),
   * in a savepoint of its own: if it throws, only its writes are undone and the update is stored
   * all the same. It must report its own failure (the automatic snapshot logs and retries later).
   */
  alongside?(): void;
}

/** Runs a request's `alongside` write in its own savepoint; its failure never fails the update. */
function storeAlongside(store: RoomStore, r: CommitRequest): void {
  if (!r.alongside) return;
  try {
    store.transaction(() => r.alongside!());
  } catch {
    // reported by `alongside` itself; the update goes on
  }
}

/** How updates reach the disk: one at a time (tests, tools) or in batches (the running relay). */
export interface Committer {
  submit(request: CommitRequest): void;
  /** Stores whatever is still waiting, now (shutdown: nothing may wait forever). */
  flush(): void;
  /** Resolves once no write is still on its way to the disk: the store may be closed then, not before. */
  drain(): Promise<void>;
}

/** Stores each update as it comes, before `submit` returns. */
export class ImmediateCommitter implements Committer {
  constructor(private readonly store: RoomStore) {}

  submit(r: CommitRequest): void {
    storeAlongside(this.store, r);
    let seq: number;
    try {
      seq = this.store.append(r.room, r.update);
    } catch (err) {
      r.done(null, err);
      return;
    }
    r.done(seq);
  }

  flush(): void {
    // Nothing waits: each update was stored in `submit`.
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }
}

/** The longest a batch waits for the disk to have been idle as long as it was busy (see BatchingCommitter). */
export const MAX_COMMIT_WAIT_MS = 20;

/**
 * With a store that syncs off the event loop, batches start at most this often: a transaction
 * and its fsync cost about as much for one update as for several, and a fast disk would otherwise
 * make each update a batch of its own. An ack waits at most this long more; an update after a
 * quiet spell is written at once. At 1,000 connections (250 updates/s) 20 ms rather than 5 took
 * the hub from 48% to 40% of a core (fsync's kernel time counts) for +9 ms on the ack's median.
 */
export const ASYNC_BATCH_EVERY_MS = 20;

/**
 * Group commit: every update that arrives within one turn of the event loop, in
 * any room, goes to disk in one SQLite transaction — one fsync for all of them —
 * and each is acked only after that (forwarding does not wait for it).
 *
 * With a store that syncs off the event loop (`transactionThenSync`, the SQLite store), a batch
 * is written in a fraction of a millisecond and its fsync runs on libuv's thread pool: what
 * arrives while it runs forms the next batch, written once it is done (and ASYNC_BATCH_EVERY_MS
 * after the last one began). Forwarding never
 * waits for the disk, and the batch grows with the disk's latency by itself.
 *
 * Otherwise the fsync blocks the event loop, and while it does nothing is forwarded. So a batch
 * starts no sooner after the last one ended than the last one took (at most
 * MAX_COMMIT_WAIT_MS): at most about half of the time goes to the disk however the updates
 * arrive, and what arrives meanwhile joins the batch. An idle hub commits at once.
 */
export class BatchingCommitter implements Committer {
  private queue: CommitRequest[] = [];
  private scheduled = false;
  private lastEnd = 0;
  private lastTook = 0;
  private lastStart = -Infinity;
  /** a batch is written and its sync running: the next batch waits for it */
  private syncing = false;
  /** drain()s waiting for the sync in flight */
  private drained: (() => void)[] = [];

  constructor(
    private readonly store: RoomStore,
    private readonly now: () => number = () => performance.now(),
  ) {}

  submit(r: CommitRequest): void {
    this.queue.push(r);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.syncing || this.queue.length === 0) return;
    this.scheduled = true;
    const wait = this.store.transactionThenSync
      ? this.lastStart + ASYNC_BATCH_EVERY_MS - this.now()
      : Math.min(MAX_COMMIT_WAIT_MS, this.lastEnd + this.lastTook - this.now());
    if (wait >= 1) setTimeout(() => this.write(), wait);
    else setImmediate(() => this.write());
  }

  private write(): void {
    this.scheduled = false;
    if (this.syncing) return;
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    const store = this.store;
    const writeAll = () => {
      for (const r of batch) storeAlongside(store, r);
      return store.appendMany(batch.map((r) => ({ room: r.room, update: r.update })));
    };
    if (!store.transactionThenSync) {
      const start = this.now();
      let seqs: number[] | null = null;
      let failure: unknown = null;
      try {
        seqs = store.transaction(writeAll);
      } catch (err) {
        failure = err;
      }
      this.lastEnd = this.now();
      this.lastTook = this.lastEnd - start;
      report(batch, seqs, failure);
      return;
    }
    let seqs: number[];
    this.lastStart = this.now();
    try {
      this.syncing = true;
      seqs = store.transactionThenSync(writeAll, (err) => {
        this.syncing = false;
        report(batch, err ? null : seqs, err);
        for (const done of this.drained.splice(0)) done();
        this.schedule();
      });
    } catch (err) {
      this.syncing = false;
      report(batch, null, err);
      this.schedule();
    }
  }

  /**
   * Shutdown, after flush(): the sync still running, if one is, is reported before the store
   * closes the file it is syncing (its callback would otherwise see a closed or reused descriptor).
   */
  drain(): Promise<void> {
    if (!this.syncing) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /**
   * Writes everything queued now, in a transaction of its own synced before it returns (shutdown:
   * nothing may wait forever). A sync already running reports when it is done, as always.
   */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    let seqs: number[] | null = null;
    let failure: unknown = null;
    try {
      seqs = this.store.transaction(() => {
        for (const r of batch) storeAlongside(this.store, r);
        return this.store.appendMany(batch.map((r) => ({ room: r.room, update: r.update })));
      });
    } catch (err) {
      failure = err;
    }
    report(batch, seqs, failure);
  }
}

function report(batch: CommitRequest[], seqs: number[] | null, failure: unknown): void {
  batch.forEach((r, i) => {
    try {
      if (seqs) r.done(seqs[i]);
      else r.done(null, failure);
    } catch (err) {
      r.onError(err);
    }
  });
}

/**
 * Test only (TEST_HOLD_COMMITS=1, server/test-hooks.ts): keeps every update from the disk until
 * `release`, so a test can catch the relay with an update forwarded but not yet durable, every
 * time, without timing. After `release` it passes everything straight on.
 */
export class HoldingCommitter implements Committer {
  private held: CommitRequest[] | null = [];

  constructor(private readonly inner: Committer) {}

  get holding(): boolean {
    return this.held !== null;
  }

  submit(r: CommitRequest): void {
    if (this.held) this.held.push(r);
    else this.inner.submit(r);
  }

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const r of held) this.inner.submit(r);
  }

  flush(): void {
    // Shutdown stores what is held: a graceful stop loses nothing, hook or not.
    this.release();
    this.inner.flush();
  }

  drain(): Promise<void> {
    return this.inner.drain();
  }
}
