import * as Y from 'yjs';
import type { Timeline } from '../src/protocol/retained.js';
import type { AsyncRoomStore } from './async-store.js';
import type { RetainedUpdate } from './store.js';

export type StateAt =
  | { kind: 'state'; update: Uint8Array }
  | { kind: 'unknown' }
  | { kind: 'before'; earliest: number }
  | { kind: 'too-large'; limit: number };

export interface StateAtOptions {
  /** base plus updates read past this many bytes: refused rather than merged */
  maxInputBytes: number;
  /** updates read and merged per step; the event loop runs between steps */
  pageSize?: number;
  /** how a step hands the event loop back (tests may pass something quicker) */
  yieldNow?: () => Promise<void>;
}

const DEFAULT_PAGE_SIZE = 256;
/** A prune landing mid-read restarts the read; prunes come once per compaction, so a third collision means something is wrong. */
const MAX_ATTEMPTS = 3;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The room as it was at `at`: its retained base merged with every retained update stored at or before `at`. */
export async function stateAt(store: AsyncRoomStore, room: string, at: number, options: StateAtOptions): Promise<StateAt> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const result = await readOnce(store, room, at, options);
    if (result) return result;
  }
  throw new Error(`the retained log of ${room} kept being pruned while it was read`);
}

/** null: a prune folded updates into the base while this read was between steps, so what it holds may be incomplete. */
async function readOnce(store: AsyncRoomStore, room: string, at: number, options: StateAtOptions): Promise<StateAt | null> {
  const summary = await store.retainedSummary(room);
  if (!summary) return { kind: 'unknown' };
  if (at < summary.earliest) return { kind: 'before', earliest: summary.earliest };
  const limit = options.maxInputBytes;
  if (summary.baseBytes > limit) return { kind: 'too-large', limit };
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const yieldNow = options.yieldNow ?? nextTurn;
  const merger = new Merger();
  const base = await store.retainedBase(room);
  if ((base?.throughSeq ?? 0) !== summary.throughSeq) return null;
  if (base) merger.push(base.data);
  let bytes = summary.baseBytes;
  let after: RetainedUpdate | null = null;
  for (;;) {
    const page = await store.retainedUpdates(room, at, after, pageSize);
    // Read after the page: a prune that fell before it, or between the two reads, is seen here
    // (a store on the network, Postgres, answers in turns of its own).
    if (((await store.retainedSummary(room))?.throughSeq ?? 0) !== summary.throughSeq) return null;
    for (const u of page) bytes += u.data.length;
    if (bytes > limit) return { kind: 'too-large', limit };
    if (page.length) merger.push(Y.mergeUpdates(page.map((u) => u.data)));
    if (page.length < pageSize) break;
    after = page[page.length - 1];
    await yieldNow();
  }
  return { kind: 'state', update: merger.result() };
}

/**
 * Merges many updates without re-merging a growing result once per page (quadratic): pages are
 * combined like a binary counter, so each byte is merged about log2(pages) times.
 */
class Merger {
  private readonly levels: (Uint8Array | null)[] = [];

  push(update: Uint8Array): void {
    let carry = update;
    let i = 0;
    for (; this.levels[i]; i++) {
      carry = Y.mergeUpdates([this.levels[i]!, carry]);
      this.levels[i] = null;
    }
    this.levels[i] = carry;
  }

  result(): Uint8Array {
    const parts = this.levels.filter((l): l is Uint8Array => l !== null).reverse();
    return parts.length === 1 ? parts[0] : Y.mergeUpdates(parts);
  }
}

/** When each retained change from `from` to `to` was stored, newest first, capped; null for a room with nothing retained. */
export async function timelineOf(store: AsyncRoomStore, room: string, from: number, to: number, maxEntries: number): Promise<Timeline | null> {
  const summary = await store.retainedSummary(room);
  if (!summary) return null;
  const rows = await store.retainedTimeline(room, from, to, maxEntries + 1);
  return { earliest: summary.earliest, entries: rows.slice(0, maxEntries), truncated: rows.length > maxEntries };
}
