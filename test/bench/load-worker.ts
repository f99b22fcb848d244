/**
 * One load-generator process of test/bench/load.ts (forked with IPC). It holds whole rooms, so a
 * sender and every receiver of its edits share this process's monotonic clock: latency is
 * performance.now() at receipt minus performance.now() at send, with no clock offset between
 * machines or processes.
 *
 * The clients speak the y-websocket protocol on raw `ws` sockets (y-protocols framing, our
 * durable-ack message) instead of a WebsocketProvider with a Y.Doc each: applying every colleague's
 * update to 1,000 docs was what saturated the old single-process generator. Each client keeps a
 * tiny Y.Doc only to make its own edits (one map key per client, so every update refers to its own
 * structs only); receivers read the first struct's id from the update header and look up when it
 * was sent. Presence behaves as y-websocket's does: a client re-sends every newer presence state
 * it receives (that is what browsers put on the hub), unless LOAD_PRESENCE_ECHO=0.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { MESSAGE_AWARENESS, MESSAGE_DURABLE_ACK, MESSAGE_SYNC } from '../../src/protocol/messages.js';

export type Kind = 'ours' | 'y-websocket-server' | 'hocuspocus' | 'floor' | 'floor-presence';

/** parent → worker */
export type ToWorker =
  | { type: 'connect'; kind: Kind; port: number; rooms: string[]; roomSize: number }
  | { type: 'go'; editEveryMs: number; awarenessEveryMs: number; warmupMs: number; measureMs: number; echo: boolean }
  | { type: 'stop' };

/** worker → parent */
export type FromWorker =
  | { type: 'synced' }
  | { type: 'result'; fanout: number[]; acks: number[]; sent: number; expected: number; delivered: number; cpuPct: number };

const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

interface Sent {
  at: number;
  /** receipts still expected; the entry is dropped at zero */
  left: number;
  measured: boolean;
}

/** Edits in flight in this process, by `${client}:${clock}` of their one new struct. */
const inFlight = new Map<string, Sent>();
let measuring = false;
const fanout: number[] = [];
const acks: number[] = [];
let sentMeasured = 0;
let delivered = 0;
let roomSize = 1;

interface Client {
  synced: Promise<void>;
  edit(): void;
  presence(): void;
  close(): void;
}

function frame(type: number, write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, type);
  write(enc);
  return encoding.toUint8Array(enc);
}

/** An awareness message: [client id, clock, state as JSON] for each entry. */
function awarenessFrame(entries: [number, number, string][]): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const [id, clock, json] of entries) {
    encoding.writeVarUint(inner, id);
    encoding.writeVarUint(inner, clock);
    encoding.writeVarString(inner, json);
  }
  return frame(MESSAGE_AWARENESS, (enc) => encoding.writeVarUint8Array(enc, encoding.toUint8Array(inner)));
}

/** The id of an update's first struct (v1 encoding: clients, then structs, client, clock), or null for one with none. */
function firstStructId(update: Uint8Array): string | null {
  const dec = decoding.createDecoder(update);
  if (decoding.readVarUint(dec) === 0) return null;
  if (decoding.readVarUint(dec) === 0) return null;
  const client = decoding.readVarUint(dec);
  const clock = decoding.readVarUint(dec);
  return `${client}:${clock}`;
}

function received(id: string | null): void {
  if (id === null) return;
  const sent = inFlight.get(id);
  if (!sent) return;
  if (sent.measured) {
    fanout.push(performance.now() - sent.at);
    delivered++;
  }
  if (--sent.left <= 0) inFlight.delete(id);
}

function rawClient(kind: Kind, port: number, room: string): Client {
  const doc = new Y.Doc();
  const map = doc.getMap<number>('bench');
  const ws = new WebSocket(`ws://127.0.0.1:${port}${kind === 'ours' ? '/sync/' : '/'}${room}`, { perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  /** end clock (exclusive) of each own update not yet durably acked, with its send time */
  const unacked: { end: number; at: number; measured: boolean }[] = [];
  /** newest presence clock seen per awareness id, as y-protocols' Awareness keeps it */
  const seen = new Map<number, number>();
  let presenceClock = 0;
  let pending: Uint8Array | null = null;
  doc.on('update', (u: Uint8Array) => (pending = u));
  let resolveSynced!: () => void;
  const synced = new Promise<void>((r) => (resolveSynced = r));
  const send = (f: Uint8Array) => {
    if (ws.readyState === ws.OPEN) ws.send(f);
  };
  ws.on('open', () => {
    send(frame(MESSAGE_SYNC, (enc) => {
      encoding.writeVarUint(enc, SYNC_STEP1);
      encoding.writeVarUint8Array(enc, Y.encodeStateVector(doc));
    }));
  });
  ws.on('message', (data: Buffer) => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const dec = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(dec);
    if (type === MESSAGE_SYNC) {
      const sub = decoding.readVarUint(dec);
      if (sub === SYNC_STEP1) {
        // What the server lacks of this client: only its own edits, which it already sent.
        const diff = Y.encodeStateAsUpdate(doc, decoding.readVarUint8Array(dec));
        send(frame(MESSAGE_SYNC, (enc) => {
          encoding.writeVarUint(enc, SYNC_STEP2);
          encoding.writeVarUint8Array(enc, diff);
        }));
      } else if (sub === SYNC_STEP2) {
        resolveSynced();
      } else if (sub === SYNC_UPDATE) {
        received(firstStructId(decoding.readVarUint8Array(dec)));
      }
    } else if (type === MESSAGE_DURABLE_ACK) {
      const sv = decoding.createDecoder(decoding.readVarUint8Array(dec));
      const n = decoding.readVarUint(sv);
      for (let i = 0; i < n; i++) {
        const client = decoding.readVarUint(sv);
        const clock = decoding.readVarUint(sv);
        if (client !== doc.clientID) continue;
        const now = performance.now();
        while (unacked.length && unacked[0].end <= clock) {
          const u = unacked.shift()!;
          if (u.measured) acks.push(now - u.at);
        }
      }
    } else if (type === MESSAGE_AWARENESS && echo) {
      // y-websocket's provider re-sends each presence state its Awareness took as newer.
      const pd = decoding.createDecoder(decoding.readVarUint8Array(dec));
      const n = decoding.readVarUint(pd);
      const kept: [number, number, string][] = [];
      for (let i = 0; i < n; i++) {
        const id = decoding.readVarUint(pd);
        const clock = decoding.readVarUint(pd);
        const json = decoding.readVarString(pd);
        if (id === doc.clientID || clock <= (seen.get(id) ?? -1)) continue;
        seen.set(id, clock);
        kept.push([id, clock, json]);
      }
      if (kept.length > 0) send(awarenessFrame(kept));
    }
  });
  ws.on('error', () => {});
  return {
    synced,
    edit() {
      const at = performance.now();
      map.set(String(doc.clientID), at);
      const update = pending!;
      pending = null;
      const clock = Y.getState(doc.store, doc.clientID) - 1;
      inFlight.set(`${doc.clientID}:${clock}`, { at, left: roomSize - 1, measured: measuring });
      if (measuring) sentMeasured++;
      if (kind === 'ours') unacked.push({ end: clock + 1, at, measured: measuring });
      send(frame(MESSAGE_SYNC, (enc) => {
        encoding.writeVarUint(enc, SYNC_UPDATE);
        encoding.writeVarUint8Array(enc, update);
      }));
    },
    presence() {
      send(awarenessFrame([[doc.clientID, ++presenceClock, JSON.stringify({ cursor: { at: performance.now() } })]]));
    },
    close() {
      ws.terminate();
      doc.destroy();
    },
  };
}

/**
 * Hocuspocus speaks its own framing (the document name before every message), so it keeps the
 * full provider and a Y.Doc per client: its figures include that client cost, and it is optional.
 */
function providerClient(port: number, room: string): Client {
  const doc = new Y.Doc();
  const map = doc.getMap<number>('bench');
  let resolveSynced = () => {};
  const synced = new Promise<void>((r) => (resolveSynced = r));
  const socket = new HocuspocusProviderWebsocket({ url: `ws://127.0.0.1:${port}`, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: room, document: doc, onSynced: () => resolveSynced() });
  provider.attach();
  map.observe((e, tr) => {
    if (tr.local) return;
    for (const key of e.keysChanged) {
      // each sender writes its own key: the struct now under it is the one it sent
      const item = (map as unknown as { _map: Map<string, { id: { client: number; clock: number } }> })._map.get(key);
      if (item) received(`${item.id.client}:${item.id.clock}`);
    }
  });
  return {
    synced,
    edit() {
      const at = performance.now();
      map.set(String(doc.clientID), at);
      const clock = Y.getState(doc.store, doc.clientID) - 1;
      inFlight.set(`${doc.clientID}:${clock}`, { at, left: roomSize - 1, measured: measuring });
      if (measuring) sentMeasured++;
    },
    presence: () => provider.awareness!.setLocalStateField('cursor', { at: performance.now() }),
    close() {
      provider.destroy();
      socket.destroy();
    },
  };
}

let clients: Client[] = [];
let echo = true;
const timers: NodeJS.Timeout[] = [];

function post(m: FromWorker): void {
  process.send!(m);
}

process.on('message', async (m: ToWorker) => {
  if (m.type === 'connect') {
    roomSize = m.roomSize;
    clients = [];
    for (const room of m.rooms) {
      for (let i = 0; i < m.roomSize; i++) clients.push(m.kind === 'hocuspocus' ? providerClient(m.port, room) : rawClient(m.kind, m.port, room));
      // Connect a room at a time so the handshakes themselves are not the measurement.
      await Promise.all(clients.slice(-m.roomSize).map((c) => c.synced));
    }
    post({ type: 'synced' });
  } else if (m.type === 'go') {
    echo = m.echo;
    clients.forEach((c, i) => {
      // Spread the senders evenly over the period (in a shuffled order), as independent people would be.
      const offset = (((i * 7919) % clients.length) / clients.length) * m.editEveryMs;
      timers.push(
        setTimeout(() => {
          c.edit();
          timers.push(setInterval(() => c.edit(), m.editEveryMs));
        }, offset),
        setTimeout(() => {
          c.presence();
          timers.push(setInterval(() => c.presence(), m.awarenessEveryMs));
        }, (offset * 7) % m.awarenessEveryMs),
      );
    });
    await new Promise((r) => setTimeout(r, m.warmupMs));
    measuring = true;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, m.measureMs));
    measuring = false;
    const c1 = process.cpuUsage(c0);
    const elapsed = performance.now() - t0;
    timers.forEach((t) => clearTimeout(t));
    timers.length = 0;
    // What was sent in the window still counts when it arrives just after.
    await new Promise((r) => setTimeout(r, 1000));
    post({
      type: 'result',
      fanout,
      acks,
      sent: sentMeasured,
      expected: sentMeasured * (roomSize - 1),
      delivered,
      cpuPct: ((c1.user + c1.system) / 1000 / elapsed) * 100,
    });
  } else if (m.type === 'stop') {
    clients.forEach((c) => c.close());
    process.exit(0);
  }
});
