import * as Y from 'yjs';
import { sealBlob } from '../../protocol/blob.js';
import {
  BLOB_CHANGES,
  BLOB_FULL,
  ENVELOPE_BLOBS,
  ENVELOPE_META,
  ENVELOPE_VERSION,
  type BlobBody,
  type BlobFailure,
  type DocTag,
  type SealedKeys,
} from '../../protocol/sealed.js';
import { planCompaction, worthCompacting } from './compaction.js';
import { DeletionGuard } from './guard.js';
import { binaryOf, countChanges, idOf, itemKey, openInfo, randomStream, seqKey, type FailedBlob, type Live, type OpenedInfo } from './items.js';
import { StreamLedger, type Gap } from './streams.js';
import { wellFramedUpdate } from './update-check.js';
import type { Preopened } from './preopen.js';
import { AS_IS_BYTES, skipUpdateEncodingOnce } from '../quiet-load.js';

export { COMPACT_BLOBS, COMPACT_SLACK_BYTES } from './compaction.js';
export { countChanges, type EnvelopeItemId, type FailedBlob } from './items.js';
export type { Gap } from './streams.js';

/**
 * The bridge between a sealed workbook's two docs (src/protocol/sealed.ts): the **envelope**
 * (what y-websocket, the hub and IndexedDB see: an array of sealed blobs) and the **workbook doc**
 * (what src/model edits, only ever in memory). Pure: no DOM, no network, timers injectable.
 *
 * - Opening: every blob in the envelope, and every one inserted later (here or by anyone), is
 *   opened (signature, then AEAD) and its update checked before it is applied to the workbook doc
 *   under `origin`. A blob that fails is never applied; it is kept in `failures` and reported.
 * - Sealing: the workbook doc's other updates are batched (`batchMs`, or `maxBatchBytes`, or
 *   `flush()`) and pushed as one changes blob. A view key never pushes.
 * - Withholding: every blob names its stream and seq; `gaps()` lists seqs missing below the highest seen.
 * - Compaction: `compact()` writes one full-state blob and deletes what it covers, in one envelope
 *   transaction. Blobs that failed to open are never deleted.
 * - A deletion of blobs no live full state covers (a hostile hub or envelope) is undone: the
 *   exact bytes are pushed again (their signatures still verify), and reported.
 */

export const DEFAULT_BATCH_MS = 150;
export const DEFAULT_MAX_BATCH_BYTES = 64 * 1024;
const EPOCH = 1;

export interface SealedBridgeOptions {
  envelope: Y.Doc;
  doc: Y.Doc;
  keys: SealedKeys;
  docTag: DocTag;
  /** this device's per-workbook id (goes into every blob) */
  deviceId: string;
  /** local changes are batched this long before they are sealed (default 150 ms) */
  batchMs?: number;
  /** a batch this big (bytes of Yjs updates) is sealed at once (default 64 KiB) */
  maxBatchBytes?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** this bridge's stream id (default: 16 random bytes, base64url) */
  newStream?: () => string;
  /** blobs of the envelope already opened (preopen.ts), by their bytes: taken at construction instead of opening them again */
  preopened?: Preopened;
  /** listeners from the start, so problems found while opening the envelope at construction reach them */
  onProblem?: (p: SealedProblem) => void;
  onChange?: () => void;
}

export type SealedProblem =
  /** "the hub sent data that does not belong to this workbook": never applied, the rest still loads */
  | { kind: 'bad-blob'; failures: FailedBlob[] }
  /** blobs were deleted from the envelope that no live full state holds; `repushed` were written again */
  | { kind: 'blob-deleted'; blobs: number; repushed: number }
  /** the workbook doc changed under a view key (a programming error): nothing is sealed */
  | { kind: 'refused'; changes: number }
  /** sealing threw (should not happen with an edit key); the changes stay buffered */
  | { kind: 'seal-failed'; error: string };

export interface SealedBridgeStats {
  /** blobs that opened and were applied */
  applied: number;
  /** blobs that opened but whose (stream, seq) was already applied or covered: skipped */
  duplicates: number;
  failed: number;
  /** blobs this bridge sealed and pushed (changes and full states) */
  pushed: number;
  pushedBytes: number;
  /** blobs deleted from the envelope that a live full state (or another copy) holds: a compaction's */
  deletedCovered: number;
  /** deleted blobs that waited for a full state still pending in the envelope (arrived ahead of what it follows) */
  deletedWaited: number;
  /** blobs pushed again after a deletion nothing covered */
  repushed: number;
  /** local workbook updates refused (view key) and their clock units */
  refusedUpdates: number;
  refusedChanges: number;
  compactions: number;
  /** envelope blobs deleted by this bridge's compactions */
  compactedAway: number;
}

export interface CompactResult {
  /** bytes of the new full-state blob */
  fullBytes: number;
  seq: number;
  deleted: number;
  deletedBytes: number;
  covers: [stream: string, seq: number][];
}

export class SealedBridge {
  /** Transaction origin of everything the bridge applies to the workbook doc and writes to the envelope. */
  readonly origin: object = {};
  /** the updates applied by the take under way, handed to update listeners when it ends */
  private appliedNow: Uint8Array[] | null = null;
  readonly stream: string;
  readonly stats: SealedBridgeStats = {
    applied: 0,
    duplicates: 0,
    failed: 0,
    pushed: 0,
    pushedBytes: 0,
    deletedCovered: 0,
    deletedWaited: 0,
    repushed: 0,
    refusedUpdates: 0,
    refusedChanges: 0,
    compactions: 0,
    compactedAway: 0,
  };
  private readonly envelope: Y.Doc;
  private readonly doc: Y.Doc;
  private readonly keys: SealedKeys;
  private readonly docTag: DocTag;
  private readonly deviceId: string;
  private readonly blobs: Y.Array<unknown>;
  private readonly batchMs: number;
  private readonly maxBatchBytes: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly ledger = new StreamLedger();
  private readonly failed: FailedBlob[] = [];
  /** live envelope items by `client:clock` */
  private readonly live = new Map<string, Live>();
  /** blobs that opened but wait for an earlier blob of their stream (by stream and seq) */
  private readonly waiting = new Map<string, { key: string; item: Y.Item; size: number; info: OpenedInfo; update: Uint8Array }>();
  /** items this bridge is pushing right now: what they hold, so they are not opened again */
  private readonly expected = new Map<string, OpenedInfo>();
  private readonly guard: DeletionGuard;
  /** own (stream, seq) the hub has acknowledged */
  private readonly ackedOwn = new Set<string>();
  private buffer: Uint8Array[] = [];
  private bufferBytes = 0;
  private bufferChanges = 0;
  private timer: unknown = null;
  private seq = 0;
  private destroyed = false;
  private readonly problemListeners = new Set<(p: SealedProblem) => void>();
  private readonly changeListeners = new Set<() => void>();
  /** the construction's pre-opened blobs; dropped once the envelope it was made from is taken */
  private preopened: Preopened | null = null;

  private readonly onEnvelope = (event: Y.YArrayEvent<unknown>) => {
    const { added, deleted } = event.changes;
    if (added.size) this.take([...added] as Y.Item[]);
    if (deleted.size) this.lose([...deleted] as Y.Item[]);
    this.changed();
  };
  private readonly afterEnvelopeTransaction = () => {
    if (this.guard.waiting.length) this.checkDeletions();
  };
  private readonly onLocal = (update: Uint8Array, origin: unknown) => {
    if (origin === this.origin || this.destroyed) return;
    const changes = countChanges(update);
    if (!this.keys.sign) {
      this.stats.refusedUpdates++;
      this.stats.refusedChanges += changes;
      this.problem({ kind: 'refused', changes });
      return;
    }
    this.buffer.push(update);
    this.bufferBytes += update.length;
    this.bufferChanges += changes;
    if (this.bufferBytes > this.maxBatchBytes) this.flush();
    else if (this.timer === null) {
      this.timer = this.setTimer(() => {
        this.timer = null;
        this.flush();
      }, this.batchMs);
    }
    this.changed();
  };

  constructor(options: SealedBridgeOptions) {
    this.envelope = options.envelope;
    this.doc = options.doc;
    this.keys = options.keys;
    this.docTag = options.docTag;
    this.deviceId = options.deviceId;
    this.batchMs = options.batchMs ?? DEFAULT_BATCH_MS;
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.stream = (options.newStream ?? randomStream)();
    this.blobs = this.envelope.getArray<unknown>(ENVELOPE_BLOBS);
    this.guard = new DeletionGuard(this.envelope, (data) => {
      const opened = openInfo(this.keys, this.docTag, data, this.deviceId);
      return opened.ok ? opened.info : null;
    });
    if (options.onProblem) this.problemListeners.add(options.onProblem);
    if (options.onChange) this.changeListeners.add(options.onChange);
    // What the doc already holds when the bridge starts was made here before the envelope was open
    // (the journal records edits while its session is still loading): it is sealed like any local
    // change (taken before the blobs are applied, so it is only what was made here; whatever of it
    // the blobs also hold merges away).
    const before = this.doc.store.clients.size > 0 ? Y.encodeStateAsUpdate(this.doc) : null;
    const existing: Y.Item[] = [];
    for (let item = this.blobs._start; item !== null; item = item.right) if (!item.deleted && item.countable) existing.push(item);
    this.preopened = options.preopened ?? null;
    try {
      this.take(existing);
    } finally {
      this.preopened = null;
    }
    if (before) this.onLocal(before, null);
    this.blobs.observe(this.onEnvelope);
    this.envelope.on('afterTransaction', this.afterEnvelopeTransaction);
    this.doc.on('update', this.onLocal);
  }

  /** Whether this bridge can seal (an edit key). */
  get canWrite(): boolean {
    return this.keys.sign !== null;
  }

  /** Clock units of local changes buffered, not sealed yet. */
  get unsealed(): number {
    return this.bufferChanges;
  }

  /** Blobs that did not open (or whose update did not decode), with their envelope item ids. Never applied. */
  get failures(): readonly FailedBlob[] {
    return this.failed;
  }

  /** Seqs missing from streams, below the highest seen (withheld, or not delivered yet). */
  gaps(): Gap[] {
    return this.ledger.gaps();
  }

  /** Live envelope blobs as this bridge counts them. */
  envelopeSize(): { blobs: number; bytes: number; failed: number; full: number } {
    let blobs = 0;
    let bytes = 0;
    let failed = 0;
    let full = 0;
    for (const l of this.live.values()) {
      blobs++;
      bytes += l.size;
      if (!l.blob) failed++;
      else if (l.blob.kind === BLOB_FULL) full++;
    }
    return { blobs, bytes, failed, full };
  }

  /**
   * "N changes not yet on the hub": clock units of this device's blobs (any stream with this
   * device id, so a reloaded page still counts its queued ones) whose envelope item the hub has
   * not acknowledged (`ackedClock(client)` is the hub's durable state-vector clock for that
   * envelope client), plus what is not sealed yet. A blob held twice (written again under another
   * envelope client id) is acknowledged when either copy is. A full state this bridge wrote carries
   * the unacknowledged changes of the blobs it replaced; one from an earlier session counts 0.
   */
  ownPendingChanges(ackedClock: (client: number) => number): number {
    const groups = new Map<string, { pending: number; acked: boolean }>();
    for (const l of this.live.values()) {
      const b = l.blob;
      if (!b || b.deviceId !== this.deviceId) continue;
      const key = seqKey(b.stream, b.seq);
      let g = groups.get(key);
      if (!g) {
        g = { pending: b.pending, acked: this.ackedOwn.has(key) };
        groups.set(key, g);
      }
      if (l.item.id.clock < ackedClock(l.item.id.client)) g.acked = true;
    }
    let sum = this.bufferChanges;
    for (const [key, g] of groups) {
      if (g.acked) this.ackedOwn.add(key);
      else sum += g.pending;
    }
    for (const s of this.guard.waiting) if (s.deviceId === this.deviceId && !groups.has(seqKey(s.stream, s.seq))) sum += s.pending;
    return sum;
  }

  onProblem(listener: (p: SealedProblem) => void): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  /** Called after anything here may have changed: gaps, failures, pending, the envelope's blobs. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Seals what is buffered now, as one blob. Returns whether a blob was pushed. */
  flush(): boolean {
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0 || !this.keys.sign) return false;
    const update = this.buffer.length === 1 ? this.buffer[0] : Y.mergeUpdates(this.buffer);
    const changes = this.bufferChanges;
    const seq = this.seq + 1;
    const body: BlobBody = { deviceId: this.deviceId, stream: this.stream, seq, changes, covers: [], update };
    let data: Uint8Array;
    try {
      data = sealBlob(this.keys, { kind: BLOB_CHANGES, doc: this.docTag, epoch: EPOCH }, body);
    } catch (e) {
      this.problem({ kind: 'seal-failed', error: e instanceof Error ? e.message : String(e) });
      return false;
    }
    this.seq = seq;
    this.buffer = [];
    this.bufferBytes = 0;
    this.bufferChanges = 0;
    this.ledger.see(this.stream, seq, this.deviceId);
    this.push([{ data, kind: BLOB_CHANGES, deviceId: this.deviceId, stream: this.stream, seq, covers: [], pending: changes }]);
    this.stats.pushed++;
    this.stats.pushedBytes += data.length;
    this.changed();
    return true;
  }

  /**
   * Whether a compaction is worth it: more than 256 blobs it would replace, or their bytes past
   * twice the (largest live) full state's plus 1 MiB. Never for a view key. Blobs it could not
   * replace (failed, or past a gap) do not count, so a flood of bad blobs cannot make it loop.
   */
  shouldCompact(): boolean {
    return this.keys.sign !== null && worthCompacting(this.live.values(), this.ledger);
  }

  /**
   * Writes one full-state blob (the workbook doc's whole state, covering each stream's contiguous
   * prefix) and deletes every blob it covers, in one envelope transaction. Local changes not sealed
   * yet go into the full state. Blobs past a gap and blobs that failed to open stay. Null for a
   * view key. Two devices compacting at once is harmless: both full states stay, and merge.
   */
  compact(): CompactResult | null {
    if (!this.keys.sign || this.destroyed) return null;
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    const seq = this.seq + 1;
    // What the full state holds: everything applied here (this session's unsealed changes too).
    const covers = this.ledger.covers();
    const update = Y.encodeStateAsUpdate(this.doc);
    const body: BlobBody = { deviceId: this.deviceId, stream: this.stream, seq, changes: countChanges(update), covers, update };
    let data: Uint8Array;
    try {
      data = sealBlob(this.keys, { kind: BLOB_FULL, doc: this.docTag, epoch: EPOCH }, body);
    } catch (e) {
      this.problem({ kind: 'seal-failed', error: e instanceof Error ? e.message : String(e) });
      return null;
    }
    this.seq = seq;
    this.ledger.see(this.stream, seq, this.deviceId);
    const plan = planCompaction(this.blobs, this.live, covers, this.deviceId, this.ackedOwn);
    const carried = this.bufferChanges + plan.carried;
    this.buffer = [];
    this.bufferBytes = 0;
    this.bufferChanges = 0;
    this.push([{ data, kind: BLOB_FULL, deviceId: this.deviceId, stream: this.stream, seq, covers, pending: carried }], plan.ranges);
    this.stats.pushed++;
    this.stats.pushedBytes += data.length;
    this.stats.compactions++;
    this.stats.compactedAway += plan.deleted;
    this.changed();
    return { fullBytes: data.length, seq, deleted: plan.deleted, deletedBytes: plan.deletedBytes, covers };
  }

  /** Seals what is buffered and stops listening to both docs. */
  destroy(): void {
    if (this.destroyed) return;
    this.flush();
    this.destroyed = true;
    this.blobs.unobserve(this.onEnvelope);
    this.envelope.off('afterTransaction', this.afterEnvelopeTransaction);
    this.doc.off('update', this.onLocal);
    this.problemListeners.clear();
    this.changeListeners.clear();
  }

  // ---- envelope → workbook doc

  /** Opens newly live envelope items, in envelope order, and applies what opens and is new. */
  private take(items: Y.Item[]): void {
    if (items.length === 0) return;
    const failures: FailedBlob[] = [];
    // Opening a big envelope (a returning device's whole workbook): the workbook doc's update
    // listeners get the opened bytes rather than Yjs encoding everything again (quiet-load.ts).
    const bytes = items.reduce((n, item) => n + (binaryOf(item)?.length ?? 0), 0);
    const skip = bytes >= AS_IS_BYTES ? skipUpdateEncodingOnce(this.doc, (tr) => tr.origin === this.origin) : null;
    const applied: Uint8Array[] = [];
    this.appliedNow = applied;
    let skipped: Y.Transaction | null = null;
    try {
      this.transactTake(items, failures);
    } finally {
      this.appliedNow = null;
      skipped = skip?.stop() ?? null;
    }
    if (skipped) for (const update of applied) this.doc.emit('update', [update, this.origin, this.doc, skipped]);
    if (failures.length) {
      this.failed.push(...failures);
      this.stats.failed += failures.length;
      this.problem({ kind: 'bad-blob', failures });
    }
  }

  private transactTake(items: Y.Item[], failures: FailedBlob[]): void {
    Y.transact(
      this.doc,
      () => {
        for (const item of items) {
          try {
            const f = this.takeOne(item);
            if (f) failures.push(f);
          } catch (e) {
            // takeOne catches what it expects; a throw here is a bug, but must not break the bridge
            failures.push({ failure: 'body', item: idOf(item), size: binaryOf(item)?.length ?? 0 });
          }
        }
        this.drain(failures);
      },
      this.origin,
      false,
    );
  }

  private takeOne(item: Y.Item): FailedBlob | null {
    const key = itemKey(item);
    if (this.live.has(key)) return null;
    const own = this.expected.get(key);
    if (own) {
      this.expected.delete(key);
      this.live.set(key, { item, size: own.data.length, blob: own });
      return null;
    }
    const data = binaryOf(item);
    const size = data?.length ?? 0;
    const fail = (failure: BlobFailure): FailedBlob => {
      this.live.set(key, { item, size, blob: null });
      return { failure, item: idOf(item), size };
    };
    if (!data) return fail('malformed');
    const opened = openInfo(this.keys, this.docTag, data, this.deviceId, this.preopened?.get(data));
    if (!opened.ok) return fail(opened.failure);
    const { info, update } = opened;
    if (this.ledger.has(info.stream, info.seq)) {
      this.stats.duplicates++;
      this.live.set(key, { item, size, blob: info });
      return null;
    }
    // Checked whole before any of it is applied (update-check.ts says why this suffices)
    if (!wellFramedUpdate(update)) return fail('body');
    this.live.set(key, { item, size, blob: info });
    // A stream's blobs follow on from each other: one past a missing one would half-apply (Yjs
    // takes its deletes at once and keeps its inserts waiting), so a cell it overwrote would read
    // empty for as long as the hub withholds the earlier blob. It waits instead, counted in the gap.
    // A full state holds everything it needs.
    if (info.kind !== BLOB_FULL && info.seq > 1 && !this.ledger.has(info.stream, info.seq - 1)) {
      this.ledger.hold(info.stream, info.seq, info.deviceId);
      this.waiting.set(seqKey(info.stream, info.seq), { key, item, size, info, update });
      return null;
    }
    return this.apply(key, item, size, info, update);
  }

  private apply(key: string, item: Y.Item, size: number, info: OpenedInfo, update: Uint8Array): FailedBlob | null {
    try {
      Y.applyUpdate(this.doc, update, this.origin);
    } catch {
      // Decoded but did not integrate: whatever part landed cannot be taken back; never counted as held.
      this.live.set(key, { item, size, blob: null });
      return { failure: 'body', item: idOf(item), size };
    }
    this.appliedNow?.push(update);
    this.ledger.see(info.stream, info.seq, info.deviceId);
    for (const [stream, seq] of info.covers) this.ledger.cover(stream, seq);
    this.stats.applied++;
    return null;
  }

  /** Applies the blobs that were waiting for one that has now arrived (or is covered), in order. */
  private drain(failures: FailedBlob[]): void {
    for (let progress = true; progress && this.waiting.size > 0; ) {
      progress = false;
      for (const [k, w] of this.waiting) {
        if (!this.ledger.has(w.info.stream, w.info.seq - 1) && !this.ledger.has(w.info.stream, w.info.seq)) continue;
        this.waiting.delete(k);
        progress = true;
        if (this.ledger.has(w.info.stream, w.info.seq)) {
          this.stats.duplicates++;
          continue;
        }
        if (!this.live.has(w.key)) continue;
        const f = this.apply(w.key, w.item, w.size, w.info, w.update);
        if (f) failures.push(f);
      }
    }
  }

  // ---- deletions (guard.ts)

  /** Items deleted from the envelope; judged once the whole transaction is in (afterTransaction). */
  private lose(items: Y.Item[]): void {
    for (const item of items) {
      const key = itemKey(item);
      const l = this.live.get(key);
      if (!l) continue;
      this.live.delete(key);
      if (l.blob) this.guard.deleted(l.blob);
    }
  }

  /** Deleted blobs nothing live (or on its way) holds are pushed again, byte for byte, and reported. */
  private checkDeletions(): void {
    const verdict = this.guard.check(this.liveBlobs());
    this.stats.deletedCovered += verdict.covered;
    this.stats.deletedWaited += verdict.waiting;
    const lost = verdict.lost;
    if (lost.length === 0) return;
    const repush = this.keys.sign !== null && !this.destroyed;
    if (repush) {
      this.push(lost);
      this.stats.repushed += lost.length;
    }
    this.problem({ kind: 'blob-deleted', blobs: lost.length, repushed: repush ? lost.length : 0 });
    this.changed();
  }

  private *liveBlobs(): Iterable<OpenedInfo> {
    for (const l of this.live.values()) if (l.blob) yield l.blob;
  }

  // ---- writing to the envelope

  /** Pushes blobs (and deletes index ranges) in one envelope transaction, knowing what each new item holds. */
  private push(blobs: OpenedInfo[], deletes: [number, number][] = []): void {
    this.envelope.transact(() => {
      const client = this.envelope.clientID;
      let clock = Y.getState(this.envelope.store, client);
      for (const b of blobs) this.expected.set(`${client}:${clock++}`, b);
      this.blobs.push(blobs.map((b) => b.data));
      for (let i = deletes.length - 1; i >= 0; i--) this.blobs.delete(deletes[i][0], deletes[i][1]);
      const meta = this.envelope.getMap(ENVELOPE_META);
      if (meta.get('v') === undefined) meta.set('v', ENVELOPE_VERSION);
    }, this.origin);
    // Entries are taken as the items are seen (maybe later than here, when this push was nested
    // in another envelope transaction); item ids are never reused, so leftovers are harmless.
  }

  private problem(p: SealedProblem): void {
    for (const l of this.problemListeners) {
      try {
        l(p);
      } catch {
        // a listener's bug is not the bridge's
      }
    }
  }

  private changed(): void {
    for (const l of this.changeListeners) {
      try {
        l();
      } catch {
        // as above
      }
    }
  }
}
