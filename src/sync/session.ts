import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as bc from 'lib0/broadcastchannel';
import * as awarenessProtocol from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import { IndexeddbPersistence } from 'y-indexeddb';
import { MESSAGE_REFUSED, type Credential } from '../protocol/access.js';
import { MESSAGE_CHALLENGE, linkHandshake } from '../protocol/challenge.js';
import { CLOSE_REASONS, FINAL_CLOSE_CODES, MESSAGE_AWARENESS, MESSAGE_DURABLE_ACK, MESSAGE_SYNC, baseWorkbookId, historyRoom } from '../protocol/messages.js';
import { ClockGuard } from './clock-guard.js';
import { greetTabsByStateVector } from './cross-tab.js';
import { fragmentingSocket } from './fragmenting-socket.js';
import { LocalSaver } from './local-saver.js';
import { skipUpdateEncodingOnce, storeReceivedAsIs } from './quiet-load.js';
import { clocksOf, type HubStateStore } from './hub-state.js';
import { allOnHub, sameStatus, type SyncStatus } from './status.js';
import type { WorkbookSession } from './workbook-session.js';

export interface SyncOptions {
  doc: Y.Doc;
  workbookId: string;
  /** base URL of the relay's sync endpoint, e.g. `ws://host:8080/sync` */
  syncUrl: string;
  hubStateStore: HubStateStore;
  /** keep a full copy in IndexedDB (the browser); off in Node tests that have none */
  persist?: boolean;
  WebSocketPolyfill?: unknown;
  /** longest wait between reconnect attempts */
  maxBackoffMs?: number;
  /** connect right away (default) or wait for connect() */
  connect?: boolean;
  /** share updates with other tabs of this browser (default true); tests in one process turn it off */
  crossTab?: boolean;
  /** the link's key for a secured workbook (src/protocol/access.ts) */
  credential?: Credential | null;
}

/**
 * One workbook's link to local storage and to the hub. Owns the providers and
 * computes the single status the UI shows.
 */
export class SyncSession implements WorkbookSession {
  readonly provider: WebsocketProvider;
  /** keeps this device's changes from being taken by structs sent under its client ids */
  readonly guard: ClockGuard;
  private local: IndexeddbPersistence | null = null;
  /** resolves once the local copy (IndexedDB) is loaded into the doc */
  readonly whenLoaded: Promise<void>;
  private status: SyncStatus = { connection: 'connecting', caughtUp: false, pending: 0, lastClose: null, local: 'none', localError: null };
  private saver: LocalSaver | null = null;
  /** the local copy's quiet load: stopped by destroy() too, if the session closes while it is still loading */
  private quietLoad: { stop(): unknown } | null = null;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private readonly hub;
  private destroyed = false;
  private lastClose: SyncStatus['lastClose'] = null;
  private refusal: { code: number; reason: string } | null = null;
  /** true when this device could not open its local copy: edits then live only while the page is open */
  localUnavailable = false;
  /** a message from the hub is being applied: the status waits until what it brought is counted as heard */
  private hearing = false;
  private readonly onDocUpdate = () => {
    if (!this.hearing) this.refresh();
  };
  private readonly onOffline = () => this.provider.disconnect();
  private readonly onOnline = () => {
    // The network is back: try at once, and say "Connecting…" rather than "Offline" while trying.
    this.provider.wsUnsuccessfulReconnects = 0;
    this.connect();
    this.refresh();
  };

  constructor(private readonly options: SyncOptions) {
    const { doc, workbookId } = options;
    performance.mark(`ms:session ${workbookId}`);
    this.hub = options.hubStateStore.load(workbookId);
    this.provider = new WebsocketProvider(options.syncUrl, workbookId, doc, {
      connect: false,
      maxBackoffTime: options.maxBackoffMs ?? 5000,
      disableBc: options.crossTab === false,
      // Node tests pass the `ws` class; the browser's own WebSocket otherwise.
      WebSocketPolyfill: fragmentingSocket(
        (options.WebSocketPolyfill ?? WebSocket) as typeof WebSocket,
        undefined,
        // The journal (`<id>.h`) opens with its workbook's link, signed for its own room name.
        linkHandshake(workbookId, baseWorkbookId(workbookId) ?? workbookId, options.credential ?? null),
      ) as typeof WebSocket,
      // y-websocket stops for every 44xx; only the codes that fail the same way every time are final
      // here (a rate limit, an idle timeout or a refused clock gap is worth another try).
      shouldReconnect: (event: CloseEvent) => !FINAL_CLOSE_CODES.includes(event.code),
    });
    this.sendOwnPresenceOnly();
    greetTabsByStateVector(this.provider);
    storeReceivedAsIs(this.provider);
    // Under the clock guard: what it holds back is heard only when it is applied.
    this.hearFromHub();
    this.guard = new ClockGuard(this.provider, this.hub, (sv) => this.mergeAck(sv));
    // The socket wrapper answers the hub's CHALLENGE before y-websocket reads it; here it is only skipped.
    this.provider.messageHandlers[MESSAGE_CHALLENGE] = () => {};
    this.provider.messageHandlers[MESSAGE_REFUSED] = (_encoder, decoder) => {
      const code = decoding.readVarUint(decoder);
      // The hub's own words; the close that follows carries the same code.
      this.refusal = { code, reason: decoding.readVarString(decoder) };
    };
    this.provider.messageHandlers[MESSAGE_DURABLE_ACK] = (_encoder, decoder) => {
      const sv = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
      if (!this.guard.holdAck(sv)) this.mergeAck(sv);
    };
    this.provider.on('status', (e: { status: string }) => {
      if (e.status === 'connected') performance.mark(`ms:hub-open ${workbookId}`);
      this.refresh();
    });
    this.provider.on('sync', (synced: boolean) => {
      if (synced) performance.mark(`ms:hub-synced ${workbookId}`);
      this.refresh();
    });
    this.provider.on('connection-close', (event) => {
      if (event && event.code !== 1000) {
        const said = this.refusal?.code === event.code ? this.refusal.reason : '';
        this.lastClose = { code: event.code, reason: said || event.reason || CLOSE_REASONS[event.code] || '' };
        // A wrong key or a refused change fails the same way every time: stop, and say why.
        if (FINAL_CLOSE_CODES.includes(event.code)) this.provider.disconnect();
      }
      this.refresh();
    });
    doc.on('update', this.onDocUpdate);
    // When the device says it lost its network, say Offline now rather than after the
    // 30 s silence y-websocket waits for; reconnect as soon as it is back.
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', this.onOffline);
      window.addEventListener('online', this.onOnline);
    }

    this.whenLoaded = options.persist ? this.openLocal() : Promise.resolve();
    // Connect after the local copy is in: the hub then sends only what this device lacks.
    if (options.connect ?? true) void this.whenLoaded.then(() => this.connect());
    this.refresh();
  }

  /**
   * Opens the device's copy. IndexedDB can be refused (private mode, blocked
   * storage); y-indexeddb would then never settle, so probe first and carry on
   * with the hub alone, saying so, instead of hanging on "Opening…".
   */
  private async openLocal(): Promise<void> {
    const name = localDatabaseName(this.options.workbookId);
    if (!(await canOpenIndexedDb())) {
      this.localUnavailable = true;
      return;
    }
    if (this.destroyed) return;
    const doc = this.options.doc;
    // Marks for the open benchmark (test/bench/open.ts) and for anyone profiling a slow open.
    performance.mark(`ms:local-open ${this.options.workbookId}`);
    const local = new IndexeddbPersistence(name, doc);
    this.local = local;
    // destroy() stops it too: a session closed before the copy loads never sees whenSynced settle.
    const skip = (this.quietLoad = skipUpdateEncodingOnce(doc, (tr) => tr.origin === local));
    try {
      await local.whenSynced;
    } finally {
      skip.stop();
      this.quietLoad = null;
    }
    performance.mark(`ms:local-loaded ${this.options.workbookId}`);
    if (this.destroyed) return;
    this.saver = new LocalSaver(this.options.doc, this.local, () => this.refresh());
    this.refresh();
  }

  /**
   * A change that first reaches this doc in a sync message on the hub's socket is on the hub:
   * it leaves the pending count at once, before the hub's (lazy) durable ack for a colleague's
   * change arrives. Read off the doc's clocks before and after (no update is parsed). Not for
   * what other tabs post (y-websocket passes emitSynced false for those): another tab's change
   * stays pending here until the hub acks it. Nor while Yjs holds structs it could not place yet:
   * a hub message that fills their gap would bring them in too, and they may have come from a tab.
   */
  private hearFromHub(): void {
    const p = this.provider;
    const plain = p.messageHandlers[MESSAGE_SYNC];
    p.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, provider, emitSynced, type) => {
      const store = p.doc.store;
      if (!emitSynced || store.pendingStructs !== null || store.pendingDs !== null) {
        plain(encoder, decoder, provider, emitSynced, type);
        return;
      }
      const before = clocksOf(p.doc);
      this.hearing = true;
      try {
        plain(encoder, decoder, provider, emitSynced, type);
      } finally {
        this.hearing = false;
      }
      const after = clocksOf(p.doc);
      // What this doc wrote itself while the message was applied (an observer answering it, the
      // sealed bridge putting a blob back) moved its own clock: that is work for the hub, not from it.
      after.delete(p.doc.clientID);
      if (this.hub.hear(before, after)) this.options.hubStateStore.save(this.options.workbookId, this.hub);
      this.refresh();
    };
  }

  private mergeAck(sv: Map<number, number>): void {
    if (this.hub.merge(sv)) this.options.hubStateStore.save(this.options.workbookId, this.hub);
    this.refresh();
  }

  /**
   * y-websocket sends the hub every presence change it receives, so in a busy room each device
   * would echo everyone's cursor moves (and hit the hub's presence rate). The hub keeps only a
   * connection's own states anyway: send it ours, and pass the rest on to this browser's other tabs only.
   */
  private sendOwnPresenceOnly(): void {
    const p = this.provider;
    p.awareness.off('update', p._awarenessUpdateHandler);
    const handler = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      const changed = added.concat(updated, removed);
      if (p.bcconnected) bc.publish(p.bcChannel, frameOf(awarenessProtocol.encodeAwarenessUpdate(p.awareness, changed)), p);
      const ws = p.ws;
      if (changed.includes(p.awareness.clientID) && p.wsconnected && ws && ws.readyState === ws.OPEN) {
        ws.send(frameOf(awarenessProtocol.encodeAwarenessUpdate(p.awareness, [p.awareness.clientID])));
      }
    };
    const frameOf = (update: Uint8Array) => {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(enc, update);
      return encoding.toUint8Array(enc);
    };
    // provider.destroy() removes its own handler by this name
    p._awarenessUpdateHandler = handler;
    p.awareness.on('update', handler);
  }

  connect(): void {
    if (!this.destroyed) this.provider.connect();
  }

  disconnect(): void {
    this.provider.disconnect();
  }

  get awareness() {
    return this.provider.awareness;
  }

  getStatus(): SyncStatus {
    return { ...this.status };
  }

  /** Changes made here that are not yet on this device's disk (a reload now would lose them). */
  get unsavedLocal(): number {
    return this.saver?.unsaved ?? 0;
  }

  /** Retries refused local writes now (they are also retried on a timer). */
  retryLocalSave(): void {
    this.saver?.retry();
  }

  /** The clock the hub has durably acknowledged for a Yjs client id (0 if none). */
  hubAckedClock(clientId: number): number {
    return this.hub.ackedClock(clientId);
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the hub holds every change this device has (pending = 0 while connected). */
  whenAllOnHub(): Promise<void> {
    return allOnHub(this);
  }

  private refresh(): void {
    if (this.destroyed) return;
    const p = this.provider;
    const connection = p.wsconnected ? 'online' : p.wsconnecting && p.wsUnsuccessfulReconnects < 2 ? 'connecting' : 'offline';
    const next: SyncStatus = {
      connection,
      caughtUp: p.wsconnected && p.synced,
      pending: this.hub.pendingFor(this.options.doc),
      lastClose: connection === 'online' ? null : this.lastClose,
      local: this.saver?.state ?? 'none',
      localError: this.saver?.error ?? null,
    };
    if (sameStatus(this.status, next)) return;
    this.status = next;
    for (const l of this.listeners) l({ ...next });
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.quietLoad?.stop();
    this.options.doc.off('update', this.onDocUpdate);
    if (typeof window !== 'undefined') {
      window.removeEventListener('offline', this.onOffline);
      window.removeEventListener('online', this.onOnline);
    }
    this.listeners.clear();
    this.provider.destroy();
    // Everything queued reaches the disk before the database closes.
    await this.saver?.drain();
    this.saver?.destroy();
    if (this.local) await this.local.destroy();
  }
}

/** Opens a database of its own: opening the workbook's would create it without y-indexeddb's stores. */
function canOpenIndexedDb(): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const request = indexedDB.open('mutual-sheets:probe');
      request.onsuccess = () => {
        request.result.close();
        resolve(true);
      };
      request.onerror = () => resolve(false);
      request.onblocked = () => resolve(false);
    } catch {
      resolve(false);
    }
  });
}

/** The IndexedDB database holding this device's copy of a workbook. */
export function localDatabaseName(workbookId: string): string {
  return `mutual-sheets:${workbookId}`;
}

/** Deletes this device's copy of a workbook (the hub keeps its own). Settles even if the browser refuses or another tab holds it open. */
export function deleteLocalCopy(workbookId: string): Promise<void> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(localDatabaseName(workbookId));
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

/** Deletes both of this device's copies of a workbook: the workbook's own and its history journal's (`<id>.h`). */
export async function deleteLocalCopies(workbookId: string): Promise<void> {
  await Promise.all([deleteLocalCopy(workbookId), deleteLocalCopy(historyRoom(workbookId))]);
}
