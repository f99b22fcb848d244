import type { SnapshotInfo } from '../src/protocol/snapshots.js';
import type { PruneLimits, RetainedBase, RetainedSummary, RetainedUpdate, RoomStore, StoredRoom } from './store.js';

/**
 * RoomStore with every answer a promise: what a store reached over the network (Postgres) can
 * offer. The promise of `append`/`appendMany` resolving is the same promise `append` returning is
 * for the synchronous stores: the update is committed and survives a power cut. Every
 * implementation passes test/unit/async-store-contract.ts; the synchronous stores reach it through
 * `asyncStore` below.
 */
export interface AsyncRoomStore {
  load(room: string): Promise<StoredRoom>;
  append(room: string, update: Uint8Array): Promise<number>;
  appendMany(entries: readonly { room: string; update: Uint8Array }[]): Promise<number[]>;
  compact(room: string, snapshot: Uint8Array, throughSeq: number): Promise<void>;
  backlog(room: string): Promise<{ count: number; bytes: number }>;
  saveSnapshot(room: string, info: Omit<SnapshotInfo, 'id' | 'bytes'>, data: Uint8Array): Promise<number>;
  listSnapshots(room: string): Promise<SnapshotInfo[]>;
  loadSnapshot(room: string, id: number): Promise<Uint8Array | null>;
  deleteSnapshot(room: string, id: number): Promise<boolean>;
  snapshotBytes(room: string): Promise<number>;
  retainedSummary(room: string): Promise<RetainedSummary | null>;
  retainedBase(room: string): Promise<RetainedBase | null>;
  retainedUpdates(room: string, throughAt: number, after: { at: number; seq: number } | null, limit: number): Promise<RetainedUpdate[]>;
  retainedTimeline(room: string, from: number, to: number, limit: number): Promise<{ at: number; bytes: number }[]>;
  pruneRetained(room: string, before: number, limits: PruneLimits): Promise<number>;
  retire(workbook: string, at?: number): Promise<void>;
  retiredAt(room: string): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * Why a store refused: `STORE_UNAVAILABLE` — it could not be reached (the database is stopped,
 * restarting, or the network to it is down); nothing of the refused call was stored, and the same
 * call can be made again once it is back. `STORE_FAILED` — it was reached and refused (a constraint,
 * a full disk); retrying the same call will not help.
 */
export type StoreErrorCode = 'STORE_UNAVAILABLE' | 'STORE_FAILED';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * A synchronous store (SQLite, memory) as an AsyncRoomStore. Each call runs at once, as before;
 * only its answer (or its throw) arrives as a settled promise, so a caller written for the async
 * interface sees the same order of effects as one written for the sync one.
 */
export function asyncStore(store: RoomStore): AsyncRoomStore {
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): Promise<R> => {
      try {
        return Promise.resolve(fn.apply(store, args));
      } catch (err) {
        return Promise.reject(err);
      }
    };
  return {
    load: wrap(store.load),
    append: wrap(store.append),
    appendMany: wrap(store.appendMany),
    compact: wrap(store.compact),
    backlog: wrap(store.backlog),
    saveSnapshot: wrap(store.saveSnapshot),
    listSnapshots: wrap(store.listSnapshots),
    loadSnapshot: wrap(store.loadSnapshot),
    deleteSnapshot: wrap(store.deleteSnapshot),
    snapshotBytes: wrap(store.snapshotBytes),
    retainedSummary: wrap(store.retainedSummary),
    retainedBase: wrap(store.retainedBase),
    retainedUpdates: wrap(store.retainedUpdates),
    retainedTimeline: wrap(store.retainedTimeline),
    pruneRetained: wrap(store.pruneRetained),
    retire: wrap(store.retire),
    retiredAt: wrap(store.retiredAt),
    close: wrap(store.close),
  };
}
