import * as Y from 'yjs';
import { nestsTooDeep } from './content-depth.js';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import {
  CloseCode,
  MESSAGE_AWARENESS,
  MESSAGE_DURABLE_ACK,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
} from '../src/protocol/messages.js';
import { MESSAGE_REFUSED, type Role } from '../src/protocol/access.js';
import { ImmediateCommitter, type Committer } from './committer.js';
import type { Logger } from './log.js';
import type { RoomStore } from './store.js';

/** One end of a connection, as the room sees it; the relay adapts a WebSocket to this. */
export interface Peer {
  /** what its link allows: a view peer's changes are refused */
  role: Role;
  send(frame: Uint8Array): void;
  close(code: number): void;
}

export interface RoomLimits {
  /** Compact the stored log into a snapshot once this many updates pile up… */
  compactAfterUpdates: number;
  /** …or once they add up to this many bytes. */
  compactAfterBytes: number;
  /** Keep an automatic snapshot at most this often while edits arrive (0: never). */
  autoSnapshotMs?: number;
  now?: () => number;
  /** refuse updates that would take the stored workbook past this many bytes */
  maxDocBytes?: number;
  /** refuse a presence state larger than this */
  maxAwarenessBytes?: number;
  /** keep every stored update this long (ms) before folding it into the retained base; 0 or absent: forever */
  retainMs?: number;
}

/**
 * One prune's work, bounded so that folding never holds the event loop long: a backlog of old
 * updates (a hub off for months, a shortened window) is worked off over several compactions.
 */
export const PRUNE_LIMITS = { maxUpdates: 1000, maxBytes: 16 * 1024 * 1024 } as const;

export const AUTO_SNAPSHOT_NAME = 'Automatic';
export const HUB_AUTHOR = 'hub';

export class RoomError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One workbook held in memory while anyone is connected. Every update from a
 * peer is validated, committed to the store, and only then applied and
 * forwarded; the sender gets a durable ack for it.
 */
export class Room {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness: awarenessProtocol.Awareness;
  private readonly peers = new Map<Peer, Set<number>>();
  private lastSeq = 0;
  private backlogCount = 0;
  private backlogBytes = 0;
  /** The whole doc encoded once for every device that arrives with nothing (a new phone): encoding a big doc takes ~0.5 s. */
  private fullState: Uint8Array | null = null;
  private lastAutoSnapshotAt = -Infinity;
  /** bytes submitted to the committer and not yet stored */
  private queuedBytes = 0;
  private destroyed = false;
  private readonly committer: Committer;
  /** snapshot + log as stored: the size MAX_DOC_BYTES bounds */
  private storedBytes = 0;

  constructor(
    readonly name: string,
    private readonly store: RoomStore,
    private readonly limits: RoomLimits,
    private readonly log: Logger,
    committer?: Committer,
  ) {
    this.committer = committer ?? new ImmediateCommitter(store);
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    // The relay is not a participant: it must not appear in anyone's presence list.
    this.awareness.setLocalState(null);
    this.load();
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      this.fullState = null;
      const frame = encodeSync((enc) => syncProtocol.writeUpdate(enc, update));
      // What the hub forwards it has already stored: say so, or a receiving device
      // would count a colleague's change as one of its own not yet on the hub.
      const ack = encodeAck(encodeSv(Y.parseUpdateMeta(update).to));
      for (const peer of this.peers.keys()) {
        if (peer === origin) continue;
        safeSend(peer, frame);
        safeSend(peer, ack);
      }
    });
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const changed = added.concat(updated, removed);
      const owned = this.peers.get(origin as Peer);
      if (owned) {
        for (const id of added) owned.add(id);
        for (const id of removed) owned.delete(id);
      }
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
      const frame = encoding.toUint8Array(enc);
      for (const peer of this.peers.keys()) safeSend(peer, frame);
    });
  }

  get peerCount(): number {
    return this.peers.size;
  }

  private load(): void {
    this.lastAutoSnapshotAt = this.store.listSnapshots(this.name).find((s) => s.kind === 'auto')?.at ?? -Infinity;
    const stored = this.store.load(this.name);
    this.storedBytes = (stored.snapshot?.length ?? 0) + stored.updates.reduce((n, u) => n + u.data.length, 0);
    if (stored.snapshot) this.applyStored(stored.snapshot, 'snapshot');
    for (const u of stored.updates) {
      this.applyStored(u.data, `update ${u.seq}`);
      this.lastSeq = Math.max(this.lastSeq, u.seq);
      this.backlogCount++;
      this.backlogBytes += u.data.length;
    }
  }

  private applyStored(data: Uint8Array, what: string): void {
    try {
      Y.applyUpdate(this.doc, data, this);
    } catch (err) {
      // One bad record must not make the whole workbook unreachable.
      this.log.error('skipped unreadable stored data', { room: this.name, what, error: String(err) });
    }
  }

  join(peer: Peer): void {
    this.peers.set(peer, new Set());
    safeSend(peer, encodeSync((enc) => syncProtocol.writeSyncStep1(enc, this.doc)));
    safeSend(peer, encodeAck(Y.encodeStateVector(this.doc)));
    const states = this.awareness.getStates();
    if (states.size > 0) {
      safeSend(peer, encodeAwareness(this.awareness, Array.from(states.keys())));
    }
  }

  leave(peer: Peer): void {
    const owned = this.peers.get(peer);
    this.peers.delete(peer);
    if (owned && owned.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, Array.from(owned), null);
  }

  /**
   * Handles one frame. Throws RoomError when the frame is malformed or cannot be
   * stored; the caller closes that connection only, and the doc is untouched.
   */
  receive(peer: Peer, frame: Uint8Array): void {
    const dec = decoding.createDecoder(frame);
    let messageType: number;
    try {
      messageType = decoding.readVarUint(dec);
    } catch {
      throw new RoomError(CloseCode.MALFORMED_FRAME, 'empty frame');
    }
    switch (messageType) {
      case MESSAGE_SYNC:
        this.receiveSync(peer, dec);
        return;
      case MESSAGE_AWARENESS: {
        const update = readPayload(dec);
        if (update.length > (this.limits.maxAwarenessBytes ?? Infinity)) throw new RoomError(CloseCode.AWARENESS_TOO_LARGE, 'presence state too large');
        try {
          awarenessProtocol.applyAwarenessUpdate(this.awareness, update, peer);
        } catch {
          throw new RoomError(CloseCode.MALFORMED_FRAME, 'malformed awareness update');
        }
        return;
      }
      case MESSAGE_QUERY_AWARENESS:
        safeSend(peer, encodeAwareness(this.awareness, Array.from(this.awareness.getStates().keys())));
        return;
      default:
        throw new RoomError(CloseCode.MALFORMED_FRAME, `unknown message type ${messageType}`);
    }
  }

  private receiveSync(peer: Peer, dec: decoding.Decoder): void {
    let kind: number;
    try {
      kind = decoding.readVarUint(dec);
    } catch {
      throw new RoomError(CloseCode.MALFORMED_FRAME, 'truncated sync message');
    }
    if (kind === syncProtocol.messageYjsSyncStep1) {
      const sv = readPayload(dec);
      let diff: Uint8Array;
      try {
        if (Y.decodeStateVector(sv).size === 0) {
          this.fullState ??= Y.encodeStateAsUpdate(this.doc);
          diff = this.fullState;
        } else {
          diff = Y.encodeStateAsUpdate(this.doc, sv);
        }
      } catch {
        throw new RoomError(CloseCode.MALFORMED_FRAME, 'malformed state vector');
      }
      safeSend(
        peer,
        encodeSync((enc) => {
          encoding.writeVarUint(enc, syncProtocol.messageYjsSyncStep2);
          encoding.writeVarUint8Array(enc, diff);
        }),
      );
      return;
    }
    if (kind === syncProtocol.messageYjsSyncStep2 || kind === syncProtocol.messageYjsUpdate) {
      this.commit(peer, readPayload(dec));
      return;
    }
    throw new RoomError(CloseCode.MALFORMED_FRAME, `unknown sync message ${kind}`);
  }

  /**
   * validate → store (durable) → apply and forward → ack. The order is the product's promise;
   * the relay's committer groups the "store" step of many updates into one transaction.
   */
  private commit(peer: Peer, update: Uint8Array): void {
    const touched = new Set<number>();
    let decoded: ReturnType<typeof Y.decodeUpdate>;
    try {
      // Parses every struct without touching the doc: a malformed update is refused before it is stored.
      decoded = Y.decodeUpdate(update);
    } catch {
      throw new RoomError(CloseCode.MALFORMED_FRAME, 'malformed update');
    }
    for (const struct of decoded.structs) {
      touched.add(struct.id.client);
      // Absurd clocks would poison every state vector that includes them.
      if (struct.id.clock + struct.length > MAX_CLOCK) throw new RoomError(CloseCode.MALFORMED_FRAME, 'clock out of range');
    }
    for (const [, ranges] of decoded.ds.clients) {
      for (const r of ranges) if (r.clock + r.len > MAX_CLOCK) throw new RoomError(CloseCode.MALFORMED_FRAME, 'delete range out of range');
    }
    if (nestsTooDeep(decoded.structs)) throw new RoomError(CloseCode.MALFORMED_FRAME, 'value nested too deep');
    if (isEmptyUpdate(update)) {
      safeSend(peer, encodeAck(new Uint8Array([0])));
      return;
    }
    if (peer.role === 'view') {
      // A view link's device answers the hub's sync with what it holds; that is fine as long as
      // it holds nothing the hub lacks. Anything new is a change, and a view link may not make one.
      if (changesDoc(this.doc, decoded)) throw new RoomError(CloseCode.READ_ONLY, 'view-only link sent a change');
      return;
    }
    if (this.storedBytes + this.queuedBytes + update.length > (this.limits.maxDocBytes ?? Infinity)) {
      throw new RoomError(CloseCode.DOC_TOO_LARGE, 'workbook would exceed MAX_DOC_BYTES');
    }
    this.queuedBytes += update.length;
    this.committer.submit({
      room: this.name,
      update,
      done: (seq, error) => {
        this.queuedBytes -= update.length;
        this.afterStore(peer, update, touched, seq, error);
      },
      onError: (err) => {
        const code = err instanceof RoomError ? err.code : CloseCode.STORAGE_FAILED;
        peer.close(code);
      },
    });
  }

  /** Once the update is durable (or could not be made so): apply, forward, ack — or refuse. */
  private afterStore(peer: Peer, update: Uint8Array, touched: Set<number>, seq: number | null, error?: unknown): void {
    if (seq === null) {
      this.log.error('could not store update', { room: this.name, error: String(error) });
      throw new RoomError(CloseCode.STORAGE_FAILED, 'storage failed');
    }
    // Unloaded while the batch was on its way to disk: it is stored, and the next load has it.
    if (this.destroyed) return;
    this.lastSeq = seq;
    this.backlogCount++;
    this.backlogBytes += update.length;
    this.storedBytes += update.length;
    this.maybeAutoSnapshot();
    try {
      Y.applyUpdate(this.doc, update, peer);
    } catch (err) {
      this.log.error('stored update failed to apply', { room: this.name, seq, error: String(err) });
      throw new RoomError(CloseCode.MALFORMED_FRAME, 'update failed to apply');
    }
    const docSv = Y.encodeStateVector(this.doc);
    const held = Y.decodeStateVector(docSv);
    const acked = new Map<number, number>();
    for (const client of touched) acked.set(client, held.get(client) ?? 0);
    safeSend(peer, encodeAck(encodeSv(acked)));
    this.maybeCompact();
  }

  /**
   * Taken before the update that finds the last one an hour old is applied, so
   * it holds the sheet as it was when this burst of editing began.
   */
  private maybeAutoSnapshot(): void {
    const every = this.limits.autoSnapshotMs ?? 0;
    if (every <= 0 || this.doc.store.clients.size === 0) return;
    const now = (this.limits.now ?? Date.now)();
    if (now - this.lastAutoSnapshotAt < every) return;
    try {
      this.saveSnapshot(AUTO_SNAPSHOT_NAME, HUB_AUTHOR, 'auto');
      this.lastAutoSnapshotAt = now;
    } catch (err) {
      // The edit itself is already stored; a missed automatic copy is logged and tried again at the next edit.
      this.log.error('automatic snapshot failed', { room: this.name, error: String(err) });
    }
  }

  /** A whole-document copy kept by the hub; returns its id. */
  saveSnapshot(name: string, by: string, kind: 'named' | 'auto' = 'named'): number {
    return this.store.saveSnapshot(this.name, { name, kind, by, at: (this.limits.now ?? Date.now)() }, Y.encodeStateAsUpdate(this.doc));
  }

  private maybeCompact(): void {
    if (this.backlogCount >= this.limits.compactAfterUpdates || this.backlogBytes >= this.limits.compactAfterBytes) {
      this.compact();
    }
  }

  /**
   * Folds the stored log into one snapshot so loading stays as cheap after 100k edits as after 10,
   * then prunes the retained log: compaction happens once per few hundred updates (and at unload),
   * so pruning's cost follows the rate of editing.
   */
  compact(): void {
    if (this.backlogCount > 0) {
      try {
        const snapshot = Y.encodeStateAsUpdate(this.doc);
        this.store.compact(this.name, snapshot, this.lastSeq);
        this.storedBytes = snapshot.length;
        this.backlogCount = 0;
        this.backlogBytes = 0;
      } catch (err) {
        // The log is still intact; compaction is retried at the next threshold.
        this.log.error('compaction failed', { room: this.name, error: String(err) });
      }
    }
    this.pruneRetained();
  }

  /** Folds updates older than the retention window into the room's retained base, a bounded batch at a time. */
  private pruneRetained(): void {
    const retainMs = this.limits.retainMs ?? 0;
    if (retainMs <= 0) return;
    try {
      this.store.pruneRetained(this.name, (this.limits.now ?? Date.now)() - retainMs, PRUNE_LIMITS);
    } catch (err) {
      // Nothing is lost: the updates stay in the log, and the next compaction tries again.
      this.log.error('pruning the retained log failed', { room: this.name, error: String(err) });
    }
  }

  closeAll(code: number): void {
    for (const peer of Array.from(this.peers.keys())) {
      this.leave(peer);
      peer.close(code);
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.awareness.destroy();
    this.doc.destroy();
  }
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

function readPayload(dec: decoding.Decoder): Uint8Array {
  try {
    return decoding.readVarUint8Array(dec);
  } catch {
    throw new RoomError(CloseCode.MALFORMED_FRAME, 'truncated payload');
  }
}

/** Clocks count items; no real workbook comes near 2^31. */
const MAX_CLOCK = 2 ** 31;

/** Would applying this (already decoded) update change the doc: new structs, or deletions it does not have yet? */
export function changesDoc(doc: Y.Doc, update: ReturnType<typeof Y.decodeUpdate>): boolean {
  for (const struct of update.structs) {
    if (struct instanceof Y.Skip) continue;
    if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) return true;
  }
  if (update.ds.clients.size === 0) return false;
  const held = Y.createDeleteSetFromStructStore(doc.store).clients;
  for (const [client, ranges] of update.ds.clients) {
    const mine = held.get(client) ?? [];
    for (const r of ranges) {
      // Every clock in [r.clock, r.clock + r.len) must already be deleted here; `mine` is sorted and merged.
      let at = r.clock;
      const end = r.clock + r.len;
      for (const m of mine) {
        if (m.clock > at) break;
        if (m.clock + m.len > at) at = m.clock + m.len;
        if (at >= end) break;
      }
      if (at < end) return true;
    }
  }
  return false;
}

/** Relay → client: why the connection is about to close, for the app to say in words. */
export function encodeRefused(code: number, reason: string): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_REFUSED);
  encoding.writeVarUint(enc, code);
  encoding.writeVarString(enc, reason);
  return encoding.toUint8Array(enc);
}

/** An update with no structs and no deletions (what a fully synced client sends as step 2). */
function isEmptyUpdate(update: Uint8Array): boolean {
  return update.length === 2 && update[0] === 0 && update[1] === 0;
}

function safeSend(peer: Peer, frame: Uint8Array): void {
  try {
    peer.send(frame);
  } catch {
    peer.close(CloseCode.SHUTDOWN);
  }
}

function encodeSync(write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  write(enc);
  return encoding.toUint8Array(enc);
}

function encodeAck(stateVector: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_DURABLE_ACK);
  encoding.writeVarUint8Array(enc, stateVector);
  return encoding.toUint8Array(enc);
}

function encodeAwareness(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(enc);
}

function encodeSv(sv: Map<number, number>): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, sv.size);
  for (const [client, clock] of sv) {
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, clock);
  }
  return encoding.toUint8Array(enc);
}
