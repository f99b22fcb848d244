import * as Y from 'yjs';
import { PREFERRED_TRIM_SIZE, storeState, type IndexeddbPersistence } from 'y-indexeddb';

export type LocalState = 'saved' | 'saving' | 'failed';

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Takes over y-indexeddb's writes so the app knows when a change is really on
 * this device's disk (y-indexeddb fires and forgets: yjs/y-indexeddb#28). Each
 * local update waits in memory until its IndexedDB transaction completes; a
 * refused write (quota full, storage error) keeps it there, says why, and is
 * retried with backoff — nothing is dropped. Same store and format as
 * y-indexeddb, so its loading and compaction keep working.
 */
export class LocalSaver {
  state: LocalState = 'saved';
  error: string | null = null;
  private readonly queue: Uint8Array[] = [];
  private writing = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryMs = RETRY_FIRST_MS;
  private destroyed = false;

  constructor(
    private readonly doc: Y.Doc,
    private readonly persistence: IndexeddbPersistence,
    private readonly onChange: () => void,
  ) {
    const internal = persistence as unknown as { _storeUpdate: (u: Uint8Array, o: unknown) => void };
    doc.off('update', internal._storeUpdate);
    doc.on('update', this.onUpdate);
  }

  /** Changes made on this device that are not yet on its disk. */
  get unsaved(): number {
    return this.queue.length;
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this.persistence) return;
    this.queue.push(update);
    this.set(this.state === 'failed' ? 'failed' : 'saving', this.error);
    this.pump();
  };

  /** Tries the waiting writes again now (also done on a timer after a failure). */
  retry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.pump();
  }

  private pump(): void {
    const db = (this.persistence as unknown as { db: IDBDatabase | null }).db;
    if (this.writing || this.destroyed || !this.queue.length || !db) return;
    this.writing = true;
    const batch = this.queue.slice();
    const fail = (err: unknown) => {
      this.writing = false;
      const e = err as DOMException | null;
      this.set('failed', e?.name || 'Error');
      this.retryTimer = setTimeout(() => this.retry(), this.retryMs);
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    };
    try {
      const tx = db.transaction(['updates'], 'readwrite');
      const store = tx.objectStore('updates');
      for (const u of batch) store.add(u);
      tx.oncomplete = () => {
        this.writing = false;
        this.queue.splice(0, batch.length);
        this.retryMs = RETRY_FIRST_MS;
        this.set(this.queue.length ? 'saving' : 'saved', null);
        this.compactIfLong(batch.length);
        this.pump();
      };
      tx.onerror = (ev) => {
        ev.preventDefault();
        fail(tx.error);
      };
      tx.onabort = () => {
        if (this.writing) fail(tx.error);
      };
    } catch (err) {
      fail(err);
    }
  }

  /** y-indexeddb's own rule: past 500 stored updates, fold them into one. */
  private compactIfLong(added: number): void {
    const p = this.persistence as unknown as { _dbsize: number };
    p._dbsize += added;
    if (p._dbsize >= PREFERRED_TRIM_SIZE) void storeState(this.persistence, false);
  }

  private set(state: LocalState, error: string | null): void {
    if (state === this.state && error === this.error) return;
    this.state = state;
    this.error = error;
    this.onChange();
    if (state !== 'saving') for (const resolve of this.drained.splice(0)) resolve();
  }

  private readonly drained: (() => void)[] = [];

  /** Resolves once every queued change is on disk, or a write has failed (then they stay queued). */
  drain(): Promise<void> {
    this.pump();
    if (this.state !== 'saving' && !this.writing) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  destroy(): void {
    this.destroyed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.doc.off('update', this.onUpdate);
  }
}
