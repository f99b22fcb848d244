import * as Y from 'yjs';
import type { DocTag, SealedKeys } from '../../protocol/sealed.js';
import { SyncSession, type SyncOptions } from '../session.js';
import { allOnHub, sameStatus, type SyncStatus } from '../status.js';
import type { WorkbookSession } from '../workbook-session.js';
import { SealedBridge, type SealedProblem } from './bridge.js';
import { preopenEnvelope } from './preopen.js';
import { SealedPresence } from './presence.js';

export interface SealedSessionOptions extends Omit<SyncOptions, 'doc'> {
  /** the workbook doc (or journal doc) the model edits; it lives only in memory */
  doc: Y.Doc;
  /** null when the link gives no keys for this workbook: the hub refuses it (4401) and nothing opens */
  keys: SealedKeys | null;
  docTag: DocTag;
  /** this device's per-workbook id, written (encrypted) into every blob */
  deviceId: string;
  batchMs?: number;
  /** longest random wait before compacting (default 30 s) */
  compactJitterMs?: number;
}

/**
 * A sealed workbook's session: a `SyncSession` carries the envelope (hub, IndexedDB, other tabs,
 * acks, the clock guard — all on ciphertext) and a `SealedBridge` turns it into the workbook doc
 * and back. The status is the envelope's, except that "N changes not yet on the hub" counts the
 * workbook's changes in blobs the hub has not acknowledged, and problems with what the hub sent
 * (blobs that do not open, blobs deleted, blobs missing) are said.
 */
export class SealedSession implements WorkbookSession {
  readonly envelope = new Y.Doc();
  readonly sync: SyncSession;
  readonly awareness: SealedPresence;
  bridge: SealedBridge | null = null;
  readonly whenLoaded: Promise<void>;
  private status: SyncStatus;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private readonly problemListeners = new Set<(p: SealedProblem) => void>();
  /** what the bridge found wrong so far (a listener added late still learns of problems on load) */
  readonly problems: SealedProblem[] = [];
  private readonly offSync: () => void;
  private destroyed = false;
  private compactTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly compactJitterMs: number;
  private readonly flushNow = () => {
    this.bridge?.flush();
  };

  constructor(options: SealedSessionOptions) {
    this.compactJitterMs = options.compactJitterMs ?? 30_000;
    // Connected only once the bridge is made: a blob the hub (or another tab) deleted before then
    // would go unjudged, since the bridge checks deletions of the blobs it has taken in.
    this.sync = new SyncSession({ ...syncOptionsOf(options), doc: this.envelope, connect: false });
    const connect = () => {
      if (!this.destroyed && (options.connect ?? true)) this.sync.connect();
    };
    this.awareness = new SealedPresence(this.sync.awareness, options.keys);
    this.status = this.compute();
    this.offSync = this.sync.onStatus(() => this.refresh());
    // A page being closed or hidden (a phone switching apps) seals what is batched now, so it
    // reaches this device's disk rather than dying with the page.
    if (typeof window !== 'undefined') {
      window.addEventListener('pagehide', this.flushNow);
      document.addEventListener('visibilitychange', this.flushNow);
    }
    this.whenLoaded = this.sync.whenLoaded.then(async () => {
      if (this.destroyed) return;
      if (!options.keys) {
        connect();
        return;
      }
      // The stored envelope's big blobs are opened first with native inflating (preopen.ts).
      const preopened = await preopenEnvelope(this.envelope, options.keys, options.docTag);
      if (this.destroyed) return;
      // listeners go in with the options: the bridge opens the stored envelope as it is made, and
      // what it finds wrong there must be said too
      this.bridge = new SealedBridge({
        envelope: this.envelope,
        doc: options.doc,
        keys: options.keys,
        docTag: options.docTag,
        deviceId: options.deviceId,
        batchMs: options.batchMs,
        preopened,
        onChange: () => this.refresh(),
        onProblem: (p) => {
          this.problems.push(p);
          for (const l of this.problemListeners) l(p);
        },
      });
      this.refresh();
      connect();
    });
  }

  get localUnavailable(): boolean {
    return this.sync.localUnavailable;
  }

  /** Changes not yet on this device's disk: still being sealed, or sealed and being written. */
  get unsavedLocal(): number {
    return this.sync.unsavedLocal + (this.bridge?.unsealed ?? 0);
  }

  retryLocalSave(): void {
    this.sync.retryLocalSave();
  }

  getStatus(): SyncStatus {
    return { ...this.status };
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onProblem(listener: (p: SealedProblem) => void): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  whenAllOnHub(): Promise<void> {
    // seal what is batched now rather than waiting for the timer
    this.bridge?.flush();
    return allOnHub(this);
  }

  /**
   * The envelope holds blobs it cannot integrate yet: something before them (a frame the hub
   * dropped) never arrived. They never reach the bridge, so no stream gap shows; this does.
   */
  get stalled(): boolean {
    const store = this.envelope.store;
    return store.pendingStructs !== null || store.pendingDs !== null;
  }

  /** A fresh connection: a full sync brings whatever a dropped frame held. */
  resync(): void {
    this.sync.disconnect();
    this.sync.connect();
  }

  connect(): void {
    this.sync.connect();
  }

  disconnect(): void {
    this.sync.disconnect();
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.offSync();
    if (this.compactTimer) clearTimeout(this.compactTimer);
    if (typeof window !== 'undefined') {
      window.removeEventListener('pagehide', this.flushNow);
      document.removeEventListener('visibilitychange', this.flushNow);
    }
    // what is batched is sealed into the envelope before it is saved and closed
    this.bridge?.destroy();
    this.awareness.destroy();
    this.listeners.clear();
    await this.sync.destroy();
    this.envelope.destroy();
  }

  private compute(): SyncStatus {
    const s = this.sync.getStatus();
    if (!this.bridge) return s;
    // a change still being batched is not on this device's disk yet: "Saving…", not "Saved"
    const local = this.bridge.unsealed > 0 && s.local === 'saved' ? 'saving' : s.local;
    return { ...s, local, pending: this.bridge.ownPendingChanges((client) => this.sync.hubAckedClock(client)) };
  }

  /**
   * Compaction is an editor device's job, done while online and caught up (so the full state holds
   * what everyone has), after a random wait so that devices seeing the same envelope rarely do it
   * at once — and when they do, both full states merge and the next compaction folds them.
   */
  private considerCompacting(): void {
    const bridge = this.bridge;
    if (!bridge || this.compactTimer || this.destroyed) return;
    const s = this.sync.getStatus();
    if (s.connection !== 'online' || !s.caughtUp || !bridge.shouldCompact()) return;
    this.compactTimer = setTimeout(() => {
      this.compactTimer = null;
      const now = this.sync.getStatus();
      if (this.destroyed || now.connection !== 'online' || !now.caughtUp || !bridge.shouldCompact()) return;
      bridge.compact();
    }, Math.random() * this.compactJitterMs);
  }

  private refresh(): void {
    if (this.destroyed) return;
    this.considerCompacting();
    const next = this.compute();
    if (sameStatus(this.status, next)) return;
    this.status = next;
    for (const l of this.listeners) l({ ...next });
  }
}

/** The envelope session's options: everything but what only the bridge takes. */
function syncOptionsOf(options: SealedSessionOptions): Omit<SyncOptions, 'doc'> {
  const rest: Partial<SealedSessionOptions> = { ...options };
  delete rest.doc;
  delete rest.keys;
  delete rest.docTag;
  delete rest.deviceId;
  delete rest.batchMs;
  delete rest.compactJitterMs;
  return rest as Omit<SyncOptions, 'doc'>;
}
