import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import {
  CLOSE_REASONS,
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
import { KIND_SKIP, ScanError, UpdateScan, encodePart } from './update-scan.js';
import { wire, type Wire } from './ws-wire.js';

/** One end of a connection, as the room sees it; the relay adapts a WebSocket to this. */
export interface Peer {
  /** what its link allows: a view peer's changes are refused */
  role: Role;
  send(frame: Uint8Array): void;
  close(code: number): void;
  /**
   * Takes one from this connection's allowance for presence messages that set something of its
   * own (a state for one of its ids, or its removal); false when it is spent, and the room
   * refuses the message with 4429 (RATE_LIMITED). Messages that set nothing (a device re-sending
   * others' presence, as y-websocket does with every change it receives) are dropped without
   * asking. Absent: no limit (tests, tools).
   */
  allowPresence?(): boolean;
  /** Writes a broadcast's frames, built once for the whole room (ws-wire.ts). Absent: its frames sent one by one. */
  sendWire?(w: Wire): void;
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
  /** a sync request may list this many client ids beyond those the workbook already has (4416 past it) */
  maxStateVectorClients?: number;
  /** structs in one update, and delete ranges in one update (4417 past either) */
  maxUpdateStructs?: number;
  /** presence states (awareness client ids) one connection may set; others' states it sends are dropped */
  maxPresencePerConnection?: number;
  /** tests: how long a colleague's durable ack may wait (default COLLEAGUE_ACK_MS) */
  colleagueAckMs?: number;
  /** tests: the size of the parts a big update is applied in (defaults: 250 structs, 24 KiB, 2,000 delete ranges) */
  applyParts?: { structs: number; bytes: number; deletes: number };
}

/** The defaults `configFromEnv` uses too; a Room built without them (tests, tools) gets the same. */
export const ROOM_DEFAULTS = {
  maxStateVectorClients: 10_000,
  maxUpdateStructs: 1_000_000,
  maxPresencePerConnection: 4,
} as const;

/**
 * How long the room holds the event loop for one piece of work: reading a big update, applying
 * one. Beyond it the work continues in the next turn, so `/healthz`, other rooms and other
 * connections are served in between (a 64 MiB paste is read and applied over many turns).
 */
export const SLICE_MS = 8;
/** An update this small is applied in one go; a bigger one in parts of about this size. */
const APPLY_PARTS = { structs: 250, bytes: 24 * 1024, deletes: 2000 };
/**
 * Presence changes wait at most this long to go out together (see Room.sendPresence). A cursor
 * lagging this much is not noticed; at 1,000 connections, 200 ms rather than 50 ms took about a
 * third off the hub's CPU (fewer frames out, and fewer echoes back from y-websocket clients).
 */
export const PRESENCE_FLUSH_MS = 200;
/**
 * The durable ack of a colleague's change waits at most this long, merged with the room's others,
 * and goes out sooner in the same socket write as a presence flush. A device counts a change the
 * hub sent it as on the hub already (src/sync/hub-state.ts, `heard`), so this ack only moves its
 * durable record (the clock guard, removing a workbook) and clears another tab's change that
 * reached it by BroadcastChannel. The sender of a change is acked at once.
 */
export const COLLEAGUE_ACK_MS = 1000;
const MANY_ORIGINS = Symbol('several connections');
/** A presence message carrying more states than this is another device echoing everyone's: it cannot set anything of its own. */
const MAX_PRESENCE_ENTRIES = 64;
/** Sync updates of one connection waiting while an earlier one is still being read (count, bytes): beyond, 4429. */
const MAX_WAITING_UPDATES = 256;
const MAX_WAITING_BYTES = 80 * 1024 * 1024;
/**
 * Updates one connection may have held (sent past the hub's clocks before its sync step 2): beyond,
 * 4509 (CLOCK_GAP). Typing while reconnecting is a few small updates; only their bytes are kept.
 */
const MAX_HELD_UPDATES = 64;
const MAX_HELD_BYTES = 64 * 1024;

/**
 * One prune's work, bounded so that folding never holds the event loop long: a backlog of old
 * updates (a hub off for months, a shortened window) is worked off over several compactions.
 */
export const PRUNE_LIMITS = { maxUpdates: 1000, maxBytes: 16 * 1024 * 1024 } as const;

export const AUTO_SNAPSHOT_NAME = 'Automatic';
export const HUB_AUTHOR = 'hub';

/** The origin of updates another hub process committed (hosted hub): no connection of this process. */
export const DURABLE_ORIGIN = Symbol('durable elsewhere');

export class RoomError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the room knows about one connection. */
interface PeerState {
  /** the awareness client ids whose presence this connection sets (at most maxPresencePerConnection) */
  presence: Set<number>;
  /** an update of this connection is being read over several turns: the next ones wait, in order */
  busy: boolean;
  waiting: { update: Uint8Array; step2: boolean }[];
  waitingBytes: number;
  /** refused or gone: whatever is still waiting is dropped */
  gone: boolean;
  /** it has answered the hub's sync step 1 (its step 2 is in) */
  answered: boolean;
  /** updates past the hub's clocks sent before its step 2 (typing while reconnecting): checked again once it is in */
  held: Uint8Array[];
  heldBytes: number;
}

/**
 * One validated update on its two paths: into the doc (which forwards it) and onto the disk.
 * Until it is applied its clocks count as held (`checkClocks`); once it is both applied and
 * durable, its sender is told the hub holds it (the durable ack), and the rest of the room soon after.
 */
interface Job {
  peer: Peer;
  /** the clock the hub holds per client once this update is in (its clients only): what the ack says */
  held: Map<number, number>;
  applied: boolean;
  durable: boolean;
  /** handed to the committer; a failure after this point cannot be refused, as forwarding may have begun */
  submitted: boolean;
  /** Yjs would not take it, or the room broke: it is never acked */
  failed: boolean;
  /** acked, or given up on: no longer counted in `unfinished` */
  settled: boolean;
}

/** A big update being applied a part at a time. */
interface ApplyJob {
  job: Job;
  parts: Generator<Uint8Array | null>;
}

/**
 * One workbook held in memory while anyone is connected. Every update from a
 * peer is validated, committed to the store, and only then applied and
 * forwarded; the sender gets a durable ack for it.
 */
export class Room {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness: awarenessProtocol.Awareness;
  private readonly peers = new Map<Peer, PeerState>();
  private lastSeq = 0;
  private backlogCount = 0;
  private backlogBytes = 0;
  /** the largest update in the log since the last fold, and the size of that fold */
  private backlogLargest = 0;
  private lastFoldBytes = 0;
  /** The whole doc encoded once for every device that arrives with nothing (a new phone): encoding a big doc takes ~0.5 s. */
  private fullState: Uint8Array | null = null;
  private lastAutoSnapshotAt = -Infinity;
  /** bytes submitted to the committer and not yet stored */
  private queuedBytes = 0;
  private destroyed = false;
  private readonly committer: Committer;
  /** snapshot + log as stored: the size MAX_DOC_BYTES bounds */
  private storedBytes = 0;
  /** validated updates not yet applied to the doc: their clocks count as held */
  private readonly inflight = new Set<Job>();
  /** validated updates not yet acked (applied or durable still to come) */
  private unfinished = 0;
  /** what the store durably holds per client, as far as acks have said (the join ack reads it while updates are on their way) */
  private readonly durableClocks = new Map<number, number>();
  /** awareness ids changed and not yet sent, who changed them (MANY_ORIGINS: more than one), and the timer that sends them */
  private readonly presenceDue = new Set<number>();
  private presenceFrom: unknown = null;
  private presenceTimer: NodeJS.Timeout | null = null;
  /** clocks made durable and not yet acked to their senders: sent together at the end of the committer's report */
  private readonly ackDue = new Map<number, number>();
  /** the connections whose updates those are */
  private readonly ackSenders = new Set<Peer>();
  private ackScheduled = false;
  private ackOwed = false;
  /** clocks made durable and not yet acked to everyone (COLLEAGUE_ACK_MS), and the timer that sends them */
  private readonly colleagueAckDue = new Map<number, number>();
  private colleagueAckTimer: NodeJS.Timeout | null = null;
  private readonly colleagueAckMs: number;
  /**
   * Storage failed after forwarding had begun: the doc holds what the disk does not. The room
   * takes nothing more, never compacts, and the relay loads it afresh from disk (devices resend).
   */
  private brokenFlag = false;
  private readonly applying: ApplyJob[] = [];
  private applyScheduled = false;
  private readonly maxSvClients: number;
  private readonly maxStructs: number;
  private readonly maxPresence: number;

  constructor(
    readonly name: string,
    private readonly store: RoomStore,
    private readonly limits: RoomLimits,
    private readonly log: Logger,
    committer?: Committer,
  ) {
    this.committer = committer ?? new ImmediateCommitter(store);
    this.maxSvClients = limits.maxStateVectorClients ?? ROOM_DEFAULTS.maxStateVectorClients;
    this.maxStructs = limits.maxUpdateStructs ?? ROOM_DEFAULTS.maxUpdateStructs;
    this.maxPresence = limits.maxPresencePerConnection ?? ROOM_DEFAULTS.maxPresencePerConnection;
    this.colleagueAckMs = limits.colleagueAckMs ?? COLLEAGUE_ACK_MS;
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    // The relay is not a participant: it must not appear in anyone's presence list.
    this.awareness.setLocalState(null);
    this.load();
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      this.fullState = null;
      // Forwarded as soon as it is validated, durable or not: the durable ack follows once it is
      // on disk, to the sender at once and to everyone within COLLEAGUE_ACK_MS.
      this.broadcast(encodeSync((enc) => syncProtocol.writeUpdate(enc, update)), origin);
    });
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      for (const id of added) this.presenceDue.add(id);
      for (const id of updated) this.presenceDue.add(id);
      for (const id of removed) this.presenceDue.add(id);
      this.presenceFrom = this.presenceTimer === null ? origin : this.presenceFrom === origin ? origin : MANY_ORIGINS;
      this.presenceTimer ??= setTimeout(() => this.sendPresence(), PRESENCE_FLUSH_MS);
    });
  }

  /**
   * Presence changes of the last PRESENCE_FLUSH_MS, in one frame per peer: cursors are the most
   * frequent message in a busy room, and every device re-sends each one it receives, so a frame
   * saved here is one send and one echo saved. Not back to the connection that set them all: its
   * own newer states are all it would hear.
   */
  private sendPresence(): void {
    this.presenceTimer = null;
    if (this.destroyed || this.presenceDue.size === 0) return;
    const frame = encodeAwareness(this.awareness, Array.from(this.presenceDue));
    this.presenceDue.clear();
    const from = this.presenceFrom;
    this.presenceFrom = null;
    if (this.colleagueAckDue.size === 0) {
      this.broadcast(frame, from);
      return;
    }
    // Colleagues' acks that are due ride in the same socket write: no send of their own.
    const ack = this.takeColleagueAcks();
    let both: Wire | null = null;
    for (const peer of this.peers.keys()) {
      if (peer === from) {
        safeSend(peer, ack);
        continue;
      }
      both ??= wire([frame, ack]);
      safeSendWire(peer, both);
    }
  }

  /** The colleagues' acks due, as one frame; nothing is then due. */
  private takeColleagueAcks(): Buffer {
    if (this.colleagueAckTimer) clearTimeout(this.colleagueAckTimer);
    this.colleagueAckTimer = null;
    const ack = toBuffer(encodeAck(encodeSv(this.colleagueAckDue)));
    this.colleagueAckDue.clear();
    return ack;
  }

  private sendColleagueAcks(): void {
    this.colleagueAckTimer = null;
    if (this.destroyed || this.colleagueAckDue.size === 0) return;
    this.broadcast(this.takeColleagueAcks(), null);
  }

  /** One frame to every peer but `except`, framed once for them all. */
  private broadcast(frame: Uint8Array, except: unknown): void {
    let framed: Wire | null = null;
    for (const peer of this.peers.keys()) {
      if (peer === except) continue;
      framed ??= wire([frame]);
      safeSendWire(peer, framed);
    }
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** Storage failed after an update was forwarded: the relay must drop this room (without compacting) and load it again. */
  get broken(): boolean {
    return this.brokenFlag;
  }

  private load(): void {
    this.lastAutoSnapshotAt = this.store.listSnapshots(this.name).find((s) => s.kind === 'auto')?.at ?? -Infinity;
    const stored = this.store.load(this.name);
    this.storedBytes = (stored.snapshot?.length ?? 0) + stored.updates.reduce((n, u) => n + u.data.length, 0);
    const whole = stored.snapshot ? this.applyStored(stored.snapshot, 'snapshot') : false;
    // A room loaded from its fold alone holds exactly those bytes: a new device gets them as they
    // are, instead of the doc encoded again (4–5 s for a 100k-row workbook on the first join).
    if (whole && stored.updates.length === 0) this.fullState = stored.snapshot;
    this.lastFoldBytes = stored.snapshot?.length ?? 0;
    for (const u of stored.updates) {
      this.applyStored(u.data, `update ${u.seq}`);
      this.lastSeq = Math.max(this.lastSeq, u.seq);
      this.backlogCount++;
      this.backlogBytes += u.data.length;
      this.backlogLargest = Math.max(this.backlogLargest, u.data.length);
    }
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(this.doc))) this.durableClocks.set(client, clock);
  }

  /** Whether it applied whole: an unreadable record is skipped, not fatal. */
  private applyStored(data: Uint8Array, what: string): boolean {
    try {
      Y.applyUpdate(this.doc, data, this);
      return true;
    } catch (err) {
      // One bad record must not make the whole workbook unreachable.
      this.log.error('skipped unreadable stored data', { room: this.name, what, error: String(err) });
      return false;
    }
  }

  /**
   * Hosted hub (server/hosted.ts): an update another hub process committed, so already durable.
   * Applied with an origin that is no connection of this process, so the doc forwards it to every
   * connection here, and acked to them at once (a colleague's change is never counted as pending).
   */
  applyDurable(update: Uint8Array): void {
    if (this.destroyed || this.brokenFlag) return;
    try {
      Y.applyUpdate(this.doc, update, DURABLE_ORIGIN);
    } catch (err) {
      this.log.error('skipped unreadable update from another hub process', { room: this.name, error: String(err) });
      return;
    }
    const acked = new Map<number, number>();
    // where each client's structs in it end (an update's own state vector counts only from clock 0)
    for (const [client, clock] of Y.parseUpdateMeta(update).to) {
      const known = Math.max(clock, this.durableClocks.get(client) ?? 0);
      this.durableClocks.set(client, known);
      acked.set(client, known);
    }
    if (acked.size === 0) return;
    this.broadcast(encodeAck(encodeSv(acked)), null);
  }

  join(peer: Peer): void {
    this.peers.set(peer, { presence: new Set(), busy: false, waiting: [], waitingBytes: 0, gone: false, answered: false, held: [], heldBytes: 0 });
    safeSend(peer, encodeSync((enc) => syncProtocol.writeSyncStep1(enc, this.doc)));
    // The doc may hold updates forwarded but not yet durable: those are not acked until they are.
    safeSend(peer, encodeAck(this.unfinished === 0 ? Y.encodeStateVector(this.doc) : encodeSv(this.durableClocks)));
    const states = this.awareness.getStates();
    if (states.size > 0) {
      safeSend(peer, encodeAwareness(this.awareness, Array.from(states.keys())));
    }
  }

  leave(peer: Peer): void {
    const state = this.peers.get(peer);
    this.peers.delete(peer);
    if (!state) return;
    state.gone = true;
    state.waiting = [];
    state.waitingBytes = 0;
    state.held = [];
    // Its people leave everyone's screens now, not after the 30 s presence timeout.
    const shown = Array.from(state.presence).filter((id) => this.awareness.states.has(id));
    if (shown.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, shown, null);
  }

  /**
   * Handles one frame. Throws RoomError when the frame is malformed or cannot be
   * stored; the caller closes that connection only, and the doc is untouched.
   * An update too big to read within one slice is read over several turns; a refusal
   * found then closes the connection from here.
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
      case MESSAGE_AWARENESS:
        this.receiveAwareness(peer, readPayload(dec));
        return;
      case MESSAGE_QUERY_AWARENESS:
        safeSend(peer, encodeAwareness(this.awareness, Array.from(this.awareness.getStates().keys())));
        return;
      default:
        throw new RoomError(CloseCode.MALFORMED_FRAME, `unknown message type ${messageType}`);
    }
  }

  /**
   * A connection sets presence only for the client ids it owns: the first it announces that
   * nobody else holds, up to maxPresencePerConnection. States for anyone else — another
   * device's echo of what the hub sent it, or someone forging a colleague's presence — are
   * dropped, so nobody can replace or remove another person's presence, and a flood of made-up
   * ids costs the flooder its few slots and nothing more.
   */
  private receiveAwareness(peer: Peer, update: Uint8Array): void {
    const state = this.peers.get(peer);
    if (!state) return;
    const dec = decoding.createDecoder(update);
    const kept: { id: number; clock: number; json: string }[] = [];
    try {
      const count = decoding.readVarUint(dec);
      // y-websocket re-sends every presence change it receives: a long list is an echo of the
      // hub's own broadcast. Nothing in it is this connection's to set.
      if (count > MAX_PRESENCE_ENTRIES) return;
      for (let i = 0; i < count; i++) {
        const id = decoding.readVarUint(dec);
        const clock = decoding.readVarUint(dec);
        const json = decoding.readVarString(dec);
        if (state.presence.has(id)) {
          if (json.length > (this.limits.maxAwarenessBytes ?? Infinity)) throw new RoomError(CloseCode.AWARENESS_TOO_LARGE, 'presence state too large');
          kept.push({ id, clock, json });
          continue;
        }
        // Claim only what Yjs would apply (a newer clock): an echo of a state the hub already
        // had, arriving after its owner left, must not hand that person's presence to the echoer.
        // (Checked first: it is what turns away the common case, a device echoing the hub's broadcast.)
        const meta = this.awareness.meta.get(id);
        if (clock <= (meta?.clock ?? 0)) continue;
        if (json === 'null' || this.presenceOwner(id) || state.presence.size >= this.maxPresence) continue;
        if (json.length > (this.limits.maxAwarenessBytes ?? Infinity)) throw new RoomError(CloseCode.AWARENESS_TOO_LARGE, 'presence state too large');
        state.presence.add(id);
        kept.push({ id, clock, json });
      }
    } catch (err) {
      if (err instanceof RoomError) throw err;
      throw new RoomError(CloseCode.MALFORMED_FRAME, 'malformed awareness update');
    }
    // Only what sets this connection's own presence counts toward its presence rate; an echo of
    // others' states set nothing and cost only the general message rate.
    if (kept.length === 0) return;
    if (peer.allowPresence && !peer.allowPresence()) throw new RoomError(CloseCode.RATE_LIMITED, 'presence rate');
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, kept.length);
    for (const k of kept) {
      encoding.writeVarUint(enc, k.id);
      encoding.writeVarUint(enc, k.clock);
      encoding.writeVarString(enc, k.json);
    }
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, encoding.toUint8Array(enc), peer);
    } catch {
      throw new RoomError(CloseCode.MALFORMED_FRAME, 'malformed awareness update');
    }
  }

  private presenceOwner(id: number): Peer | null {
    for (const [p, s] of this.peers) if (s.presence.has(id)) return p;
    return null;
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
      let entries: number;
      try {
        entries = decoding.readVarUint(decoding.createDecoder(sv));
      } catch {
        throw new RoomError(CloseCode.MALFORMED_FRAME, 'malformed state vector');
      }
      // Counted before a single entry is read: 12.5 M made-up clients once held the hub ~54 s.
      // A device lists the clients it shares with the hub plus a few of its own.
      if (entries > this.doc.store.clients.size + this.maxSvClients) {
        throw new RoomError(CloseCode.STATE_VECTOR_TOO_LARGE, `state vector of ${entries} clients`);
      }
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
      this.receiveUpdate(peer, readPayload(dec), kind === syncProtocol.messageYjsSyncStep2);
      return;
    }
    throw new RoomError(CloseCode.MALFORMED_FRAME, `unknown sync message ${kind}`);
  }

  private receiveUpdate(peer: Peer, update: Uint8Array, step2: boolean): void {
    const state = this.peers.get(peer);
    if (!state || state.gone) return;
    if (state.busy) {
      if (state.waiting.length >= MAX_WAITING_UPDATES || state.waitingBytes + update.length > MAX_WAITING_BYTES) {
        throw new RoomError(CloseCode.RATE_LIMITED, 'too many updates waiting');
      }
      state.waiting.push({ update, step2 });
      state.waitingBytes += update.length;
      return;
    }
    this.startUpdate(peer, state, update, step2);
  }

  /** Reads the update within one slice if it can, else over the next turns (later updates of this peer wait). */
  private startUpdate(peer: Peer, state: PeerState, update: Uint8Array, step2: boolean): void {
    if (isEmptyUpdate(update)) {
      safeSend(peer, encodeAck(new Uint8Array([0])));
      if (step2) this.answered(peer, state);
      return;
    }
    const scan = new UpdateScan(update, { maxStructs: this.maxStructs, maxDeleteRanges: this.maxStructs });
    if (scanStep(scan, performance.now() + SLICE_MS)) {
      this.commit(peer, state, update, scan);
      if (step2) this.answered(peer, state);
      return;
    }
    state.busy = true;
    const slice = () => {
      if (this.destroyed || state.gone) return;
      try {
        if (!scanStep(scan, performance.now() + SLICE_MS)) {
          setImmediate(slice);
          return;
        }
        state.busy = false;
        this.commit(peer, state, update, scan);
        if (step2) this.answered(peer, state);
        while (!state.busy && !state.gone && state.waiting.length > 0) {
          const next = state.waiting.shift()!;
          state.waitingBytes -= next.update.length;
          this.startUpdate(peer, state, next.update, next.step2);
        }
      } catch (err) {
        this.refuse(peer, state, err);
      }
    };
    setImmediate(slice);
  }

  /**
   * The connection's sync step 2 is in: what it sent past the hub's clocks before it (a device
   * typing while it reconnects sends its new edits ahead of its offline ones) is checked again,
   * in order, and from now on a change past the hub's clocks is refused.
   */
  private answered(peer: Peer, state: PeerState): void {
    if (state.answered) return;
    state.answered = true;
    const held = state.held;
    state.held = [];
    state.heldBytes = 0;
    for (const update of held) {
      const scan = new UpdateScan(update, { maxStructs: this.maxStructs, maxDeleteRanges: this.maxStructs });
      scanStep(scan, Infinity); // small (MAX_HELD_BYTES), and read once already
      this.commit(peer, state, update, scan);
    }
  }

  /** A refusal found after `receive` returned: the room closes the connection itself. */
  private refuse(peer: Peer, state: PeerState, err: unknown): void {
    state.gone = true;
    state.waiting = [];
    state.waitingBytes = 0;
    const code = err instanceof RoomError ? err.code : CloseCode.MALFORMED_FRAME;
    this.log.info('closing connection', { room: this.name, code, why: err instanceof Error ? err.message : String(err) });
    if (code === CloseCode.READ_ONLY) safeSend(peer, encodeRefused(code, CLOSE_REASONS[code]));
    peer.close(code);
  }

  /**
   * The clock the hub holds for a client, counting updates already handed to the committer
   * (stored or about to be) but not applied yet.
   */
  private heldClock(client: number): number {
    let held = Y.getState(this.doc.store, client);
    for (const job of this.inflight) held = Math.max(held, job.held.get(client) ?? 0);
    return held;
  }

  /**
   * Every struct must start at or before the clock the hub holds for its client, and each
   * client's structs must follow on without a gap; every delete range must end at or before
   * that clock (counting the update's own structs). Yjs keeps whatever arrives past a gap as
   * "pending" and applies it the moment the gap closes: a GC or Skip struct, or a delete range,
   * planted ahead of a colleague's clock would swallow or delete their next edits as they arrive.
   * A device syncs from the hub's state vector, so what it sends starts where the hub's clocks end
   * — except for the edits it makes while reconnecting, sent before its step 2: `commit` holds
   * those until the step 2 is in. (Echoes of what the hub itself holds pending are allowed.)
   * Returns the clock held per client once this update is in, or why it is past them.
   */
  private checkClocks(scan: UpdateScan): Map<number, number> | string {
    const held = new Map<number, number>();
    let pending: PendingHeld | null = null;
    const pendingHeld = () => (pending ??= pendingHeldOf(this.doc));
    for (const b of scan.blocks) {
      let h = this.heldClock(b.client);
      for (let i = b.first; i < b.first + b.count; i++) {
        if (scan.kind[i] === KIND_SKIP) continue;
        const clock = scan.clock[i];
        const end = clock + scan.len[i];
        if (clock > h && !pendingHeld().covers(b.client, clock, end)) {
          return `a change starts at clock ${clock} of client ${b.client}, past the ${h} the hub holds`;
        }
        if (end > h) h = end;
      }
      held.set(b.client, h);
    }
    for (const [client, flat] of scan.deletes) {
      const h = held.get(client) ?? this.heldClock(client);
      for (let k = 0; k < flat.length; k += 2) {
        const end = flat[k] + flat[k + 1];
        if (end > h && !pendingHeld().covers(client, Math.max(flat[k], h), end)) {
          return `a change deletes clocks of client ${client} up to ${end}, past the ${h} the hub holds`;
        }
      }
    }
    return held;
  }

  /**
   * validate → forward → durable → ack. Everything that can refuse an update runs before it is
   * forwarded; it is then handed to the committer and applied to the doc (which forwards it)
   * at once, and acked once it is both applied and on disk. A device counts its own change
   * as on the hub only after that ack: if the hub dies between forwarding and the disk, the
   * sender still holds the change and sends it again. (With the ImmediateCommitter, tests and
   * tools, the store comes first and a failed write is refused before anything is forwarded.)
   */
  private commit(peer: Peer, state: PeerState, update: Uint8Array, scan: UpdateScan): void {
    if (peer.role === 'view') {
      // A view link's device answers the hub's sync with what it holds; that is fine as long as
      // it holds nothing the hub lacks. Anything new is a change, and a view link may not make one.
      if (changesDoc(this.doc, scan)) throw new RoomError(CloseCode.READ_ONLY, 'view-only link sent a change');
      return;
    }
    const held = this.checkClocks(scan);
    if (typeof held === 'string') {
      // Before its step 2, a device may be ahead of the hub for a moment: keep it (unstored) until then.
      if (!state.answered && state.held.length < MAX_HELD_UPDATES && state.heldBytes + update.length <= MAX_HELD_BYTES) {
        state.held.push(update);
        state.heldBytes += update.length;
        return;
      }
      throw new RoomError(CloseCode.CLOCK_GAP, held);
    }
    if (this.storedBytes + this.queuedBytes + update.length > (this.limits.maxDocBytes ?? Infinity)) {
      throw new RoomError(CloseCode.DOC_TOO_LARGE, 'workbook would exceed MAX_DOC_BYTES');
    }
    if (this.brokenFlag) throw new RoomError(CloseCode.STORAGE_FAILED, 'storage failed');
    const job: Job = { peer, held, applied: false, durable: false, submitted: false, failed: false, settled: false };
    this.inflight.add(job);
    this.unfinished++;
    this.queuedBytes += update.length;
    // Taken before this update is applied, so an automatic snapshot holds the sheet as the burst began.
    const snapshot = this.autoSnapshotDue();
    this.committer.submit({
      room: this.name,
      update,
      alongside: snapshot ?? undefined,
      done: (seq, error) => {
        this.queuedBytes -= update.length;
        this.stored(job, update, seq, error);
      },
      onError: (err) => {
        const code = err instanceof RoomError ? err.code : CloseCode.STORAGE_FAILED;
        peer.close(code);
      },
    });
    job.submitted = true;
    if (job.failed || this.destroyed || this.brokenFlag) return;
    const parts = this.limits.applyParts ?? APPLY_PARTS;
    const small = scan.structs <= parts.structs && update.length <= parts.bytes && scan.deleteRanges <= parts.deletes;
    if (small && this.applying.length === 0) {
      try {
        Y.applyUpdate(this.doc, update, peer);
      } catch (err) {
        this.notApplied(job, err);
        throw new RoomError(CloseCode.MALFORMED_FRAME, 'update failed to apply');
      }
      this.applied(job);
      return;
    }
    // A big update (a long offline session, a large paste) is applied in parts, a slice of the
    // event loop at a time; each part is forwarded as it lands, the ack comes after the last.
    // Updates arriving meanwhile are applied after it, in order: applied early, a device's next
    // edit would wait in Yjs as "pending" for the parts before it.
    this.applying.push({ job, parts: small ? whole(update) : updateParts(this.doc, scan, parts) });
    this.scheduleApply();
  }

  /** The committer's answer: on disk (its sequence number), or not. */
  private stored(job: Job, update: Uint8Array, seq: number | null, error?: unknown): void {
    if (seq === null) {
      this.log.error('could not store update', { room: this.name, error: String(error) });
      job.failed = true;
      this.inflight.delete(job);
      this.settle(job);
      // Refused before anything was forwarded (the immediate committer): the caller closes the sender.
      if (!job.submitted) throw new RoomError(CloseCode.STORAGE_FAILED, 'storage failed');
      this.breakRoom();
      return;
    }
    // Unloaded while the batch was on its way to disk: it is stored, and the next load has it.
    if (this.destroyed || this.brokenFlag) return;
    this.lastSeq = seq;
    this.backlogCount++;
    this.backlogBytes += update.length;
    this.backlogLargest = Math.max(this.backlogLargest, update.length);
    this.storedBytes += update.length;
    job.durable = true;
    this.finish(job, true);
    this.maybeCompact();
  }

  private applied(job: Job): void {
    this.inflight.delete(job);
    job.applied = true;
    this.finish(job, false);
  }

  private notApplied(job: Job, err: unknown): void {
    // Stored (or about to be), but Yjs would not take it: the next load skips what it cannot read.
    this.inflight.delete(job);
    job.failed = true;
    this.settle(job);
    this.log.error('stored update failed to apply', { room: this.name, error: String(err) });
  }

  /**
   * Applied and durable: one ack frame, the clocks the hub now holds for the update's clients
   * (worked out when it was validated, so nothing is encoded or parsed again), to its sender.
   */
  private finish(job: Job, fromDisk: boolean): void {
    if (!job.applied || !job.durable || job.failed) return;
    this.settle(job);
    for (const [client, clock] of job.held) {
      if (clock > (this.durableClocks.get(client) ?? 0)) this.durableClocks.set(client, clock);
      if (clock > (this.ackDue.get(client) ?? 0)) this.ackDue.set(client, clock);
    }
    this.ackSenders.add(job.peer);
    this.ackOwed = true;
    if (!fromDisk) {
      this.sendAcks();
      return;
    }
    // Every update of this room that one batch made durable is acked in one frame per sender, once
    // the committer has reported the whole batch (its report runs in one go, before microtasks).
    if (!this.ackScheduled) {
      this.ackScheduled = true;
      queueMicrotask(() => {
        this.ackScheduled = false;
        this.sendAcks();
      });
    }
  }

  /**
   * The senders hear at once (their count of changes not yet on the hub waits on it); everyone
   * else within COLLEAGUE_ACK_MS, merged with the room's other acks of that time.
   */
  private sendAcks(): void {
    // An update of deletions only holds no clocks of its own: it is acked all the same (an empty list).
    if (!this.ackOwed || this.destroyed) return;
    this.ackOwed = false;
    const ack = toBuffer(encodeAck(encodeSv(this.ackDue)));
    for (const peer of this.ackSenders) if (this.peers.has(peer)) safeSend(peer, ack);
    this.ackSenders.clear();
    for (const [client, clock] of this.ackDue) if (clock > (this.colleagueAckDue.get(client) ?? 0)) this.colleagueAckDue.set(client, clock);
    this.ackDue.clear();
    if (this.colleagueAckDue.size > 0) this.colleagueAckTimer ??= setTimeout(() => this.sendColleagueAcks(), this.colleagueAckMs);
  }

  private settle(job: Job): void {
    if (job.settled) return;
    job.settled = true;
    this.unfinished--;
  }

  /**
   * A batched write failed after the update was forwarded: the doc (and every device in the room)
   * holds what the disk does not, and acks built on the doc could claim it. Everyone is told the
   * hub could not save (their changes are kept on their devices) and the relay reloads the room
   * from disk at the next connection; the devices then send again what the disk lacks.
   */
  private breakRoom(): void {
    if (this.brokenFlag) return;
    this.brokenFlag = true;
    this.applying.length = 0;
    this.inflight.clear();
    for (const peer of Array.from(this.peers.keys())) {
      this.leave(peer);
      peer.close(CloseCode.STORAGE_FAILED);
    }
  }

  private scheduleApply(): void {
    if (this.applyScheduled || this.applying.length === 0) return;
    this.applyScheduled = true;
    setImmediate(() => {
      this.applyScheduled = false;
      if (this.destroyed) return;
      this.applySome(performance.now() + SLICE_MS);
      this.scheduleApply();
    });
  }

  /** Applies parts of the waiting big updates until `deadline`; returns when all are in or time is up. */
  private applySome(deadline: number): void {
    while (this.applying.length > 0) {
      const { job, parts } = this.applying[0];
      let next: IteratorResult<Uint8Array | null>;
      try {
        next = parts.next();
        if (!next.done && next.value) Y.applyUpdate(this.doc, next.value, job.peer);
      } catch (err) {
        this.applying.shift();
        this.notApplied(job, err);
        job.peer.close(CloseCode.MALFORMED_FRAME);
        continue;
      }
      if (next.done) {
        this.applying.shift();
        this.applied(job);
        if (this.applying.length === 0) this.maybeCompact();
      }
      if (performance.now() > deadline) return;
    }
  }

  /**
   * Taken before the update that finds the last one an hour old is applied, so
   * it holds the sheet as it was when this burst of editing began.
   */
  private autoSnapshotDue(): (() => void) | null {
    const every = this.limits.autoSnapshotMs ?? 0;
    if (every <= 0 || this.doc.store.clients.size === 0) return null;
    const now = (this.limits.now ?? Date.now)();
    const previous = this.lastAutoSnapshotAt;
    if (now - previous < every) return null;
    // Encoded now (the sheet before this update), written with the update's batch: one disk sync, not two.
    const data = Y.encodeStateAsUpdate(this.doc);
    this.lastAutoSnapshotAt = now;
    return () => {
      try {
        this.store.saveSnapshot(this.name, { name: AUTO_SNAPSHOT_NAME, kind: 'auto', by: HUB_AUTHOR, at: now }, data);
      } catch (err) {
        // The edit itself is stored all the same; a missed automatic copy is logged and tried again at the next edit.
        if (this.lastAutoSnapshotAt === now) this.lastAutoSnapshotAt = previous;
        this.log.error('automatic snapshot failed', { room: this.name, error: String(err) });
        throw err;
      }
    };
  }

  /** A whole-document copy kept by the hub; returns its id. */
  saveSnapshot(name: string, by: string, kind: 'named' | 'auto' = 'named'): number {
    return this.store.saveSnapshot(this.name, { name, kind, by, at: (this.limits.now ?? Date.now)() }, Y.encodeStateAsUpdate(this.doc));
  }

  private maybeCompact(): void {
    // Never while a big update is half applied: the snapshot would fold its log row away.
    if (this.applying.length > 0) return;
    // Folding encodes the whole workbook (~0.5 s for 64 MB, then the store writes it). Replaying
    // one big update loads as fast as its fold would, so the largest update in the log does not
    // count, and a workbook bigger than compactAfterBytes waits until the rest of the log is as
    // big as the last fold: the cost stays in proportion to what arrived.
    const bytes = this.backlogBytes - this.backlogLargest;
    if (this.backlogCount >= this.limits.compactAfterUpdates || bytes >= Math.max(this.limits.compactAfterBytes, this.lastFoldBytes)) {
      this.compact();
    }
  }

  /**
   * Folds the stored log into one snapshot so loading stays as cheap after 100k edits as after 10,
   * then prunes the retained log: compaction happens once per few hundred updates (and at unload),
   * so pruning's cost follows the rate of editing.
   */
  compact(): void {
    // The doc holds what the disk does not (a failed write): folding it would claim it stored.
    if (this.brokenFlag) return;
    // Unloading or shutting down: finish applying what is stored first, so the snapshot holds it.
    if (this.applying.length > 0 && !this.destroyed) this.applySome(Infinity);
    if (this.backlogCount > 0) {
      try {
        const snapshot = Y.encodeStateAsUpdate(this.doc);
        this.store.compact(this.name, snapshot, this.lastSeq);
        this.storedBytes = snapshot.length;
        this.lastFoldBytes = snapshot.length;
        this.backlogCount = 0;
        this.backlogBytes = 0;
        this.backlogLargest = 0;
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
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.presenceTimer = null;
    // Nobody is left to tell; whoever connects next is acked what is durable as it joins.
    if (this.colleagueAckTimer) clearTimeout(this.colleagueAckTimer);
    this.colleagueAckTimer = null;
    this.applying.length = 0;
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

function scanStep(scan: UpdateScan, deadline: number): boolean {
  try {
    return scan.step(deadline);
  } catch (err) {
    if (err instanceof ScanError) {
      throw new RoomError(err.failure === 'too-many-structs' ? CloseCode.TOO_MANY_STRUCTS : CloseCode.MALFORMED_FRAME, err.message);
    }
    throw new RoomError(CloseCode.MALFORMED_FRAME, 'malformed update');
  }
}

/** What the hub holds but has not integrated (Yjs "pending" structs and deletes): a device may echo it back. */
interface PendingHeld {
  covers(client: number, from: number, to: number): boolean;
}

function pendingHeldOf(doc: Y.Doc): PendingHeld {
  const ranges = new Map<number, [number, number][]>();
  const add = (client: number, from: number, to: number) => {
    let list = ranges.get(client);
    if (!list) ranges.set(client, (list = []));
    list.push([from, to]);
  };
  const store = doc.store as unknown as { pendingStructs: { update: Uint8Array } | null; pendingDs: Uint8Array | null };
  try {
    if (store.pendingStructs) {
      for (const s of Y.decodeUpdateV2(store.pendingStructs.update).structs) if (!(s instanceof Y.Skip)) add(s.id.client, s.id.clock, s.id.clock + s.length);
    }
    if (store.pendingDs) {
      for (const [client, list] of Y.decodeUpdateV2(store.pendingDs).ds.clients) for (const r of list) add(client, r.clock, r.clock + r.len);
    }
  } catch {
    // nothing pending can be read: nothing is exempt
  }
  return {
    covers(client, from, to) {
      const list = ranges.get(client);
      if (!list) return false;
      list.sort((a, b) => a[0] - b[0]);
      let at = from;
      for (const [f, t] of list) {
        if (f > at) break;
        if (t > at) at = t;
        if (at >= to) return true;
      }
      return at >= to;
    },
  };
}

/**
 * The parts a big update is applied in. Parts follow the order Yjs itself would integrate the
 * structs in (highest client first, jumping to a client an item depends on), so each part only
 * needs what earlier parts and the doc already hold: nothing goes "pending" and nothing is
 * decoded twice. Structs Yjs would leave pending go in the last part; the delete set comes after,
 * in parts of its own. Yields null (nothing to apply yet) while it is still planning.
 */
function* updateParts(doc: Y.Doc, scan: UpdateScan, size: typeof APPLY_PARTS): Generator<Uint8Array | null> {
  const blocks = scan.blocks;
  const blockOf = new Map<number, number>();
  blocks.forEach((b, i) => blockOf.set(b.client, i));
  // each struct's cross-client dependencies, as a linked list into scan.dep*
  const firstDep = new Int32Array(scan.structs).fill(-1);
  const nextDep = new Int32Array(scan.depOf.length).fill(-1);
  for (let d = scan.depOf.length - 1; d >= 0; d--) {
    nextDep[d] = firstDep[scan.depOf[d]];
    firstDep[scan.depOf[d]] = d;
  }
  const taken = new Int32Array(blocks.length);
  const restFrom = new Int32Array(blocks.length).fill(-1);
  const state = new Map<number, number>();
  const stateOf = (client: number) => state.get(client) ?? Y.getState(doc.store, client);
  const missing = (i: number): number | null => {
    for (let d = firstDep[i]; d >= 0; d = nextDep[d]) {
      if (scan.depClock[d] >= stateOf(scan.depClient[d])) return scan.depClient[d];
    }
    return null;
  };
  const order: number[] = [];
  let ids = blocks.map((_, i) => i).sort((a, b) => blocks[a].client - blocks[b].client);
  const nextTarget = (): number => {
    while (ids.length > 0) {
      const b = ids[ids.length - 1];
      if (taken[b] < blocks[b].count && restFrom[b] < 0) return b;
      ids.pop();
    }
    return -1;
  };
  const take = (b: number) => blocks[b].first + taken[b]++;
  const stack: number[] = [];
  const toRest = () => {
    for (const i of stack) {
      const b = scan.block[i];
      if (restFrom[b] < 0) restFrom[b] = i - blocks[b].first;
      ids = ids.filter((x) => x !== b);
    }
    stack.length = 0;
  };
  let cur = nextTarget();
  let head = cur >= 0 ? take(cur) : -1;
  let steps = 0;
  while (head >= 0) {
    if (++steps % 2048 === 0) yield null;
    if (scan.kind[head] !== KIND_SKIP) {
      const client = blocks[scan.block[head]].client;
      const offset = stateOf(client) - scan.clock[head];
      if (offset < 0) {
        stack.push(head);
        toRest();
      } else {
        const m = missing(head);
        if (m !== null) {
          stack.push(head);
          const mb = blockOf.get(m);
          if (mb === undefined || taken[mb] >= blocks[mb].count || restFrom[mb] >= 0) toRest();
          else {
            head = take(mb);
            continue;
          }
        } else {
          order.push(head);
          if (offset < scan.len[head]) state.set(client, scan.clock[head] + scan.len[head]);
        }
      }
    } else order.push(head);
    if (stack.length > 0) head = stack.pop()!;
    else if (cur >= 0 && taken[cur] < blocks[cur].count && restFrom[cur] < 0) head = take(cur);
    else {
      cur = nextTarget();
      head = cur >= 0 ? take(cur) : -1;
    }
  }
  // Cut the order into parts; a block's structs appear in it in their own order, so each part
  // holds one contiguous range per block.
  let ranges = new Map<number, [number, number]>();
  let n = 0;
  let bytes = 0;
  const flush = (deletes: Map<number, number[]> | null) => {
    const part = encodePart(
      scan,
      Array.from(ranges, ([b, [from, to]]) => [b, from, to] as [number, number, number]),
      deletes,
    );
    ranges = new Map();
    n = 0;
    bytes = 0;
    return part;
  };
  for (const i of order) {
    const b = scan.block[i];
    const r = ranges.get(b);
    if (r) r[1] = i + 1;
    else ranges.set(b, [i, i + 1]);
    n++;
    bytes += scan.byteEndOf(i) - scan.byteStart[i];
    if (n >= size.structs || bytes >= size.bytes) yield flush(null);
  }
  for (let b = 0; b < blocks.length; b++) {
    if (restFrom[b] < 0) continue;
    const from = blocks[b].first + restFrom[b];
    const r = ranges.get(b);
    if (r && r[1] === from) r[1] = blocks[b].first + blocks[b].count;
    else if (r) {
      // cannot happen (a block's rest follows its last ordered struct); keep the part valid anyway
      yield flush(null);
      ranges.set(b, [from, blocks[b].first + blocks[b].count]);
    } else ranges.set(b, [from, blocks[b].first + blocks[b].count]);
  }
  if (ranges.size > 0) yield flush(null);
  let deletes = new Map<number, number[]>();
  let count = 0;
  for (const [client, flat] of scan.deletes) {
    for (let k = 0; k < flat.length; k += 2) {
      let list = deletes.get(client);
      if (!list) deletes.set(client, (list = []));
      list.push(flat[k], flat[k + 1]);
      if (++count >= size.deletes) {
        yield flush(deletes);
        deletes = new Map();
        count = 0;
      }
    }
  }
  if (count > 0) yield flush(deletes);
}

function* whole(update: Uint8Array): Generator<Uint8Array | null> {
  yield update;
}

/** Would applying this (already scanned) update change the doc: new structs, or deletions it does not have yet? */
export function changesDoc(doc: Y.Doc, scan: UpdateScan): boolean {
  for (let i = 0; i < scan.structs; i++) {
    if (scan.kind[i] === KIND_SKIP) continue;
    if (scan.clock[i] + scan.len[i] > Y.getState(doc.store, scan.blocks[scan.block[i]].client)) return true;
  }
  if (scan.deletes.size === 0) return false;
  const held = Y.createDeleteSetFromStructStore(doc.store).clients;
  for (const [client, flat] of scan.deletes) {
    const mine = held.get(client) ?? [];
    for (let k = 0; k < flat.length; k += 2) {
      // Every clock in [clock, clock + len) must already be deleted here; `mine` is sorted and merged.
      let at = flat[k];
      const end = flat[k] + flat[k + 1];
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

function safeSendWire(peer: Peer, w: Wire): void {
  if (!peer.sendWire) {
    for (const f of w.frames) safeSend(peer, f);
    return;
  }
  try {
    peer.sendWire(w);
  } catch {
    peer.close(CloseCode.SHUTDOWN);
  }
}

/** The same bytes as a Buffer, not copied: ws would otherwise wrap a Uint8Array anew for each peer. */
function toBuffer(frame: Uint8Array): Buffer {
  return Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
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
