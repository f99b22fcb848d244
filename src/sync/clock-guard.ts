import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as bc from 'lib0/broadcastchannel';
import * as syncProtocol from 'y-protocols/sync';
import type { WebsocketProvider } from 'y-websocket';
import { MESSAGE_SYNC } from '../protocol/messages.js';
import { compareWithHub, overlapsHeld, reissue, type ClockRanges, type Verdict } from './own-work.js';
import type { HubState } from './hub-state.js';

type SyncHandler = WebsocketProvider['messageHandlers'][number];

/** What one connection holds back until the hub has shown what it has at this device's unconfirmed clocks. */
interface Check {
  ws: WebSocket;
  ranges: ClockRanges;
  /** sync messages in arrival order, applied once the check is done; `fromHub`: on the hub's socket, not from another tab */
  queue: { bytes: Uint8Array; fromHub: boolean }[];
  /** durable acks that arrived meanwhile: merged only after the check, so a forged claim is not counted as this device's work on the hub */
  acks: Map<number, number>[];
}

/**
 * Keeps a device's changes from being taken by structs someone else sent under its client ids
 * (src/sync/own-work.ts says how the attack works).
 *
 * On every connection, for each client id this device holds clocks of that the hub has not
 * acknowledged, it asks the hub (a second sync step 1, with those clocks lowered to the last
 * acknowledged) what the hub holds there, and holds the connection's sync messages and acks until
 * the answer is in — so the hub's delete set cannot remove the work before it is compared. While
 * connected, an update that brings structs at clocks the device already holds is compared the same
 * way. Whatever the hub does not hold as this device has it is written again under a fresh client
 * id, and reaches the hub as new changes (pending until acknowledged, so the status stays true).
 */
export class ClockGuard {
  /** transaction origin of re-issued work: not a person's new change (the journal records none) */
  readonly origin: object = {};
  /** items written again so far (tests and the status line read it) */
  reissued = 0;
  private check: Check | null = null;
  /** step 2 messages seen on the current connection: the first answers y-websocket's own step 1 */
  private step2s = 0;
  private readonly original: SyncHandler;
  private readonly listeners = new Set<(count: number) => void>();

  constructor(
    private readonly provider: WebsocketProvider,
    private readonly hub: HubState,
    private readonly mergeAck: (sv: Map<number, number>) => void,
  ) {
    this.original = provider.messageHandlers[MESSAGE_SYNC];
    provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, p, emitSynced, type) => this.receive(encoder, decoder, p, emitSynced, type);
    provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connected') this.connected();
      else this.dropCheck();
    });
  }

  /** Called with how many items were written again each time it happens. */
  onReissue(listener: (count: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Returns true if the ack is held for now (merged once the connection's check is done). */
  holdAck(sv: Map<number, number>): boolean {
    if (!this.check) return false;
    this.check.acks.push(sv);
    return true;
  }

  /** y-websocket emits "connected" just before it sends its own step 1; ours follows it. */
  private connected(): void {
    this.step2s = 0;
    const ws = this.provider.ws;
    const doc = this.provider.doc;
    const ranges: ClockRanges = new Map();
    const asked = Y.decodeStateVector(Y.encodeStateVector(doc));
    for (const [client, clock] of asked) {
      const acked = this.hub.ackedClock(client);
      if (clock > acked) {
        ranges.set(client, [acked, clock]);
        asked.set(client, acked);
      }
    }
    if (!ws || ranges.size === 0) {
      this.check = null;
      return;
    }
    this.check = { ws, ranges, queue: [], acks: [] };
    queueMicrotask(() => {
      if (this.provider.ws !== ws || this.check?.ws !== ws) return;
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE_SYNC);
      encoding.writeVarUint(enc, syncProtocol.messageYjsSyncStep1);
      encoding.writeVarUint8Array(enc, Y.encodeStateVector(asked));
      ws.send(encoding.toUint8Array(enc));
    });
  }

  private receive(encoder: encoding.Encoder, decoder: decoding.Decoder, p: WebsocketProvider, emitSynced: boolean, type: number): void {
    const rest = decoder.arr.subarray(decoder.pos);
    const kind = peekKind(rest);
    const check = this.check;
    if (check && check.ws === p.ws) {
      check.queue.push({ bytes: rest, fromHub: emitSynced });
      // y-websocket passes emitSynced false for what other tabs post: their step 2 is no answer of the hub's
      if (emitSynced && kind === syncProtocol.messageYjsSyncStep2 && ++this.step2s === 2) this.finish(check);
      return;
    }
    const first = kind === syncProtocol.messageYjsSyncStep2 && ++this.step2s === 1;
    // The answer to y-websocket's own step 1 holds only clocks past this device's (the hub diffs
    // against them); anything else that reaches clocks held here is compared before it applies.
    if (first || (kind !== syncProtocol.messageYjsSyncStep2 && kind !== syncProtocol.messageYjsUpdate)) {
      this.original(encoder, decoder, p, emitSynced, type);
      this.followClientId();
      return;
    }
    this.applyCompared(encoder, decoder, rest, emitSynced);
  }

  /** Applies an update (or step 2) that may reach clocks held here, comparing it first. */
  private applyCompared(encoder: encoding.Encoder, decoder: decoding.Decoder, rest: Uint8Array, emitSynced: boolean): void {
    const p = this.provider;
    const update = payloadOf(rest);
    const overlap = update ? overlapsHeld(p.doc, update) : new Map();
    const verdict = update && overlap.size > 0 ? compareWithHub(p.doc, update, overlap) : null;
    this.original(encoder, decoder, p, emitSynced, MESSAGE_SYNC);
    if (verdict) this.restore(verdict);
    this.followClientId();
  }

  /**
   * The socket went before the hub answered. What the hub sent meanwhile it sends again on the
   * next connection; what other tabs posted (their own changes, by BroadcastChannel) it may never
   * send, if those tabs are offline too: that is applied now, compared as any update is, and a
   * tab's question (its step 1) is answered over the channel it came by.
   */
  private dropCheck(): void {
    const check = this.check;
    this.check = null;
    if (!check) return;
    for (const { bytes, fromHub } of check.queue) {
      if (fromHub) continue;
      const kind = peekKind(bytes);
      const enc = encoding.createEncoder();
      const dec = decoding.createDecoder(bytes);
      if (kind === syncProtocol.messageYjsSyncStep2 || kind === syncProtocol.messageYjsUpdate) this.applyCompared(enc, dec, bytes, false);
      else this.original(enc, dec, this.provider, false, MESSAGE_SYNC);
      this.answerHeld(enc, false, check.ws);
    }
  }

  /** A held message's reply (a step 2 answering a step 1), if it made one, goes back where the question came from. */
  private answerHeld(enc: encoding.Encoder, fromHub: boolean, ws: WebSocket): void {
    if (encoding.length(enc) <= 1) return;
    if (fromHub) ws.send(encoding.toUint8Array(enc));
    else if (this.provider.bcconnected) bc.publish(this.provider.bcChannel, encoding.toUint8Array(enc), this.provider);
  }

  /** The hub's answer to our step 1 is in: compare, then apply everything held, in order. */
  private finish(check: Check): void {
    this.check = null;
    const answer = payloadOf(check.queue[check.queue.length - 1].bytes);
    const verdict = answer ? compareWithHub(this.provider.doc, answer, check.ranges) : null;
    for (const { bytes, fromHub } of check.queue) {
      if (this.provider.ws !== check.ws) return;
      const enc = encoding.createEncoder();
      this.original(enc, decoding.createDecoder(bytes), this.provider, fromHub, MESSAGE_SYNC);
      // the hub's step 1 was held too: its answer (our step 2) goes out now
      this.answerHeld(enc, fromHub, check.ws);
    }
    if (verdict) this.restore(verdict);
    this.followClientId();
    for (const sv of check.acks) this.mergeAck(sv);
  }

  /**
   * Presence is keyed by client id, and y-websocket announces the doc's current one on every
   * (re)connection: when the id moves (here, or in Yjs on a collision), the presence moves with it.
   */
  private followClientId(): void {
    const doc = this.provider.doc;
    const awareness = this.provider.awareness;
    if (awareness.clientID === doc.clientID) return;
    const state = awareness.getLocalState();
    awareness.setLocalState(null);
    awareness.clientID = doc.clientID;
    if (state) awareness.setLocalState(state);
  }

  private restore(verdict: Verdict): void {
    if (verdict.lost.length === 0) return;
    // reissue() moves the doc to a new client id (Yjs does so itself only when a remote struct
    // advances its own id, not when one merely took clocks it had)
    const count = reissue(this.provider.doc, verdict, this.origin);
    if (count === 0) return;
    this.reissued += count;
    console.warn(`[mutual-sheets] ${count} change(s) written again: another device used this device's client id`);
    for (const l of this.listeners) l(count);
  }
}

function peekKind(bytes: Uint8Array): number {
  try {
    return decoding.readVarUint(decoding.createDecoder(bytes));
  } catch {
    return -1;
  }
}

function payloadOf(bytes: Uint8Array): Uint8Array | null {
  try {
    const dec = decoding.createDecoder(bytes);
    decoding.readVarUint(dec);
    return decoding.readVarUint8Array(dec);
  } catch {
    return null;
  }
}
