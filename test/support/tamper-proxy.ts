import type { AddressInfo } from 'node:net';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket, { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { ENVELOPE_BLOBS } from '../../src/protocol/sealed.js';

/**
 * A tampering hub for sealed workbooks: a WebSocket proxy between devices and the real relay.
 *
 *   device ── ws://127.0.0.1:<proxy>/<tag>/sync/<room> ──► proxy ── ws://<relay>/sync/<room> ──► relay
 *
 * Every frame is forwarded both ways unchanged (the CHALLENGE / PROOF handshake included: the proof
 * is bound to the hub's nonce and the room, not to the transport) unless a test sets a `tamper`
 * rule on a connection. Rules only ever see sync messages from the hub to the device that carry a
 * Yjs update (y-protocols sync step 2 or update: MESSAGE_SYNC, then 1 | 2, then varUint8Array),
 * and decide per frame:
 *
 *   'pass'                        deliver it as it came
 *   'hold'                        queue it (`release(order)` delivers queued frames in any order)
 *   'drop'                        never deliver it (Yjs then holds the device's later structs of
 *                                 the same envelope client as pending, until a full sync)
 *   { rewrite(blob) }             deliver it with some envelope blobs' bytes replaced in place:
 *                                 the item keeps its id, so the device holds that id with the
 *                                 tampered bytes (a bit flipped, another workbook's blob…); the
 *                                 hub's other structs still integrate
 *   { withhold(blob) }            deliver it with some blobs marked deleted in the same update
 *                                 (a delete range for their ids merged in): the structs after them
 *                                 still integrate, so the device sees later blobs of the stream
 *                                 while these never reach its bridge (an item added and deleted in
 *                                 one transaction is in neither `added` nor `deleted` of its event)
 *   …, hold: true                 either of the two above, then queued as 'hold' is
 *
 * and `inject(...)` sends the device update frames the relay never sent, built from a scratch
 * Y.Doc whose client id the proxy controls, pushed into an empty envelope array (no origins: the
 * items depend on nothing the device may lack). Every hub→device frame is recorded (`recorded`)
 * with the envelope blobs it inserts, as the relay sent them (`seen`).
 *
 * A device is told apart by the tag in its URL: `proxy.syncUrlFor('ben')` is the `syncUrl` a
 * SyncSession takes. Rules, held frames and records belong to one connection: a device that
 * reconnects gets a new one (`proxy.connection(tag)` is the newest), with no rule.
 */

export interface EnvelopeBlob {
  /** the envelope item's Yjs id */
  client: number;
  clock: number;
  /** the blob's bytes as the relay sent them */
  data: Uint8Array;
}

export interface HubFrame {
  bytes: Uint8Array;
  /** the y-protocols sync kind (0 step 1, 1 step 2, 2 update) for MESSAGE_SYNC frames; null otherwise */
  sync: number | null;
  /** the Yjs update of a step 2 / update frame */
  update: Uint8Array | null;
  /** envelope blobs (ContentBinary items) the update inserts, in the update's order */
  blobs: EnvelopeBlob[];
}

export type TamperVerdict =
  | 'pass'
  | 'hold'
  | 'drop'
  | { rewrite: (blob: EnvelopeBlob) => Uint8Array | null; hold?: boolean }
  | { withhold: (blob: EnvelopeBlob) => boolean; hold?: boolean };

export type TamperRule = (frame: HubFrame, conn: ProxyConnection) => TamperVerdict;

export interface ProxyConnection {
  readonly tag: string;
  readonly room: string;
  /** every frame the relay sent this device, as the relay sent it */
  readonly recorded: HubFrame[];
  /** envelope blobs the relay sent this device (by `client:clock`), untampered */
  readonly seen: Map<string, EnvelopeBlob>;
  /** envelope blobs this device sent the relay (by `client:clock`) */
  readonly sent: Map<string, EnvelopeBlob>;
  /** frames held by a 'hold' verdict, in arrival order */
  readonly held: HubFrame[];
  /** frames dropped by a 'drop' verdict */
  readonly dropped: HubFrame[];
  /** what the rules did: blobs rewritten / withheld in flight, blobs injected, frames sent to the device */
  readonly counts: { rewritten: number; withheld: number; injected: number; delivered: number };
  /** the rule applied to this connection's update frames from the hub (null: pass everything) */
  tamper: TamperRule | null;
  /** Delivers held frames: `order` lists indices into `held` (default: arrival order); the rest stay held. */
  release(order?: number[]): void;
  /** Sends the device blobs the relay never sent, `perFrame` per update frame, each frame from a fresh scratch client id. Returns the items' ids. */
  inject(blobs: Uint8Array[], perFrame?: number): EnvelopeBlob[];
  /** Sends the device a frame as if from the hub. */
  sendToDevice(frame: Uint8Array): void;
  /** resolves once the relay side is open */
  readonly upstreamOpen: Promise<void>;
  readonly closed: boolean;
}

export interface TamperProxy {
  port: number;
  /** a syncUrl for SyncSession: connections through it carry `tag` */
  syncUrlFor(tag: string): string;
  /** connections so far, oldest first (closed ones included) */
  readonly connections: ProxyConnection[];
  /** the newest open connection with this tag (and room, if given) */
  connection(tag: string, room?: string): ProxyConnection | undefined;
  /** resolves with the newest open connection with this tag once its relay side is open */
  whenConnected(tag: string, room?: string, timeoutMs?: number): Promise<ProxyConnection>;
  /** envelope blobs that crossed the proxy for this room, either way (what the relay holds of it), by `client:clock` */
  seenIn(room: string): Map<string, EnvelopeBlob>;
  close(): Promise<void>;
}

/** Client ids of injected items: a high range real Yjs ids (random u32s) are very unlikely to reach in a test. */
let nextScratchClient = 0xfe000000;
export function scratchClientId(): number {
  return nextScratchClient++;
}

export function blobKey(b: { client: number; clock: number }): string {
  return `${b.client}:${b.clock}`;
}

/** Parses a sync frame (either way): the sync kind, the update, and the envelope blobs it inserts. */
export function parseHubFrame(bytes: Uint8Array): HubFrame {
  const frame: HubFrame = { bytes, sync: null, update: null, blobs: [] };
  try {
    const dec = decoding.createDecoder(bytes);
    if (decoding.readVarUint(dec) !== MESSAGE_SYNC) return frame;
    frame.sync = decoding.readVarUint(dec);
    if (frame.sync !== 1 && frame.sync !== 2) return frame;
    frame.update = decoding.readVarUint8Array(dec);
    frame.blobs = blobsOf(frame.update);
  } catch {
    // not ours to judge: forwarded as it is
  }
  return frame;
}

/** The ContentBinary items (envelope blobs: nothing else in an envelope is binary) a v1 update inserts. */
export function blobsOf(update: Uint8Array): EnvelopeBlob[] {
  const out: EnvelopeBlob[] = [];
  for (const s of Y.decodeUpdate(update).structs) {
    if (s instanceof Y.Item && s.content instanceof Y.ContentBinary) {
      out.push({ client: s.id.client, clock: s.id.clock, data: new Uint8Array((s.content as unknown as { content: Uint8Array }).content) });
    }
  }
  return out;
}

export function syncFrame(kind: number, update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  encoding.writeVarUint(enc, kind);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

function varUintBytes(n: number): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, n);
  return encoding.toUint8Array(enc);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength), from);
}

/**
 * The same v1 update with blobs' bytes replaced: a ContentBinary is written as varUint length ‖
 * bytes, and nothing in a v1 update points at an offset, so the segment can be swapped for one of
 * any length. Checked by decoding the result: each replaced item holds exactly its new bytes.
 */
export function rewriteBlobs(update: Uint8Array, replace: Map<string, Uint8Array>): Uint8Array {
  const blobs = blobsOf(update);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const b of blobs) {
    const prefix = varUintBytes(b.data.length);
    let found = -1;
    for (let from = at; ; ) {
      const i = indexOf(update, b.data, from);
      if (i < 0) break;
      if (i >= prefix.length && prefix.every((x, k) => update[i - prefix.length + k] === x)) {
        found = i;
        break;
      }
      from = i + 1;
    }
    if (found < 0) throw new Error(`blob ${blobKey(b)} not found in its update`);
    const next = replace.get(blobKey(b));
    if (next) {
      parts.push(update.subarray(at, found - prefix.length), varUintBytes(next.length), next);
    } else {
      parts.push(update.subarray(at, found + b.data.length));
    }
    at = found + b.data.length;
  }
  parts.push(update.subarray(at));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  const check = new Map(blobsOf(out).map((b) => [blobKey(b), b.data]));
  for (const [key, data] of replace) {
    const got = check.get(key);
    if (!got || Buffer.compare(Buffer.from(got), Buffer.from(data)) !== 0) throw new Error(`rewriting ${key} did not take`);
  }
  return out;
}

/** A v1 update with no structs and a delete set covering exactly these items (one clock each). */
export function deleteOnlyUpdate(items: { client: number; clock: number }[]): Uint8Array {
  const byClient = new Map<number, number[]>();
  for (const i of items) {
    const list = byClient.get(i.client) ?? [];
    list.push(i.clock);
    byClient.set(i.client, list);
  }
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 0);
  encoding.writeVarUint(enc, byClient.size);
  for (const [client, clocks] of byClient) {
    clocks.sort((a, b) => a - b);
    const ranges: [number, number][] = [];
    for (const c of clocks) {
      const last = ranges[ranges.length - 1];
      if (last && last[0] + last[1] === c) last[1]++;
      else if (!last || last[0] + last[1] < c) ranges.push([c, 1]);
    }
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, ranges.length);
    for (const [clock, len] of ranges) {
      encoding.writeVarUint(enc, clock);
      encoding.writeVarUint(enc, len);
    }
  }
  return encoding.toUint8Array(enc);
}

/** An update inserting these blobs into an empty envelope array, from a scratch doc with this client id. */
export function insertUpdate(blobs: Uint8Array[], client = scratchClientId()): { update: Uint8Array; items: EnvelopeBlob[] } {
  const doc = new Y.Doc();
  doc.clientID = client;
  doc.getArray<Uint8Array>(ENVELOPE_BLOBS).push(blobs);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return { update, items: blobs.map((data, clock) => ({ client, clock, data })) };
}

function bytesOf(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Close codes `ws` lets a program send (1005 and 1006 only describe a close). */
function sendable(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function closeLike(ws: WebSocket, code: number, reason: Buffer | string): void {
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
  if (code === 1005) ws.close();
  else if (sendable(code)) ws.close(code, reason);
  else ws.terminate();
}

/**
 * Starts the tampering hub in front of a relay's sync URL (`ws://127.0.0.1:<port>/sync`),
 * listening on 127.0.0.1, port 0.
 */
export async function startTamperProxy(upstreamSyncUrl: string): Promise<TamperProxy> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
  await new Promise<void>((res, rej) => {
    wss.once('listening', () => res());
    wss.once('error', rej);
  });
  const port = (wss.address() as AddressInfo).port;
  const connections: ProxyConnection[] = [];
  const byRoom = new Map<string, Map<string, EnvelopeBlob>>();
  const waiters = new Set<() => void>();
  const sockets = new Set<WebSocket>();

  wss.on('connection', (device, req) => {
    sockets.add(device);
    const url = new URL(req.url ?? '/', 'http://proxy');
    const m = /^\/(?:([^/]+)\/)?sync\/(.+)$/.exec(url.pathname);
    if (!m) {
      device.close(4404, 'no such path');
      return;
    }
    const tag = m[1] ?? '';
    const room = decodeURIComponent(m[2]);
    const upstream = new WebSocket(`${upstreamSyncUrl}/${encodeURIComponent(room)}${url.search}`, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
    sockets.add(upstream);
    const toHub: { data: Uint8Array; binary: boolean }[] = [];
    let roomSeen = byRoom.get(room);
    if (!roomSeen) byRoom.set(room, (roomSeen = new Map()));
    const seenInRoom = roomSeen;
    let closed = false;

    const deliver = (bytes: Uint8Array) => {
      if (device.readyState !== WebSocket.OPEN) return;
      device.send(bytes, { binary: true });
      conn.counts.delivered++;
    };

    const conn: ProxyConnection = {
      tag,
      room,
      recorded: [],
      seen: new Map(),
      sent: new Map(),
      held: [],
      dropped: [],
      counts: { rewritten: 0, withheld: 0, injected: 0, delivered: 0 },
      tamper: null,
      upstreamOpen: new Promise<void>((res, rej) => {
        upstream.once('open', () => res());
        upstream.once('error', rej);
      }),
      get closed() {
        return closed;
      },
      release(order) {
        const frames = conn.held;
        const picked = order ?? frames.map((_, i) => i);
        const out = picked.map((i) => {
          const f = frames[i];
          if (!f) throw new Error(`no held frame ${i}`);
          return f;
        });
        const keep = frames.filter((_, i) => !picked.includes(i));
        frames.length = 0;
        frames.push(...keep);
        for (const f of out) deliver(f.bytes);
      },
      inject(blobs, perFrame = blobs.length) {
        const items: EnvelopeBlob[] = [];
        for (let at = 0; at < blobs.length; at += Math.max(1, perFrame)) {
          const { update, items: these } = insertUpdate(blobs.slice(at, at + Math.max(1, perFrame)));
          deliver(syncFrame(2, update));
          items.push(...these);
        }
        conn.counts.injected += blobs.length;
        return items;
      },
      sendToDevice(frame) {
        deliver(frame);
      },
    };
    connections.push(conn);
    conn.upstreamOpen.then(
      () => {
        for (const w of waiters) w();
      },
      () => {},
    );

    upstream.on('open', () => {
      for (const f of toHub.splice(0)) upstream.send(f.data, { binary: f.binary });
    });
    upstream.on('message', (data, isBinary) => {
      if (!isBinary) {
        if (device.readyState === WebSocket.OPEN) device.send(data, { binary: false });
        return;
      }
      const frame = parseHubFrame(bytesOf(data));
      conn.recorded.push(frame);
      for (const b of frame.blobs) {
        conn.seen.set(blobKey(b), b);
        seenInRoom.set(blobKey(b), b);
      }
      // only updates are the rule's: the handshake, acks, presence and step 1 pass untouched
      const verdict: TamperVerdict = conn.tamper && frame.update ? conn.tamper(frame, conn) : 'pass';
      if (verdict === 'pass') deliver(frame.bytes);
      else if (verdict === 'hold') conn.held.push(frame);
      else if (verdict === 'drop') conn.dropped.push(frame);
      else {
        let bytes = frame.bytes;
        if ('rewrite' in verdict) {
          const replace = new Map<string, Uint8Array>();
          for (const b of frame.blobs) {
            const next = verdict.rewrite(b);
            if (next) replace.set(blobKey(b), next);
          }
          conn.counts.rewritten += replace.size;
          if (replace.size) bytes = syncFrame(frame.sync!, rewriteBlobs(frame.update!, replace));
        } else {
          const gone = frame.blobs.filter((b) => verdict.withhold(b));
          conn.counts.withheld += gone.length;
          if (gone.length) bytes = syncFrame(frame.sync!, Y.mergeUpdates([frame.update!, deleteOnlyUpdate(gone)]));
        }
        if (verdict.hold) conn.held.push(bytes === frame.bytes ? frame : parseHubFrame(bytes));
        else deliver(bytes);
      }
    });
    device.on('message', (data, isBinary) => {
      const bytes = bytesOf(data);
      if (isBinary) {
        // the device's own changes (fragments of big ones are not reassembled: not needed here)
        for (const b of parseHubFrame(bytes).blobs) {
          conn.sent.set(blobKey(b), b);
          seenInRoom.set(blobKey(b), b);
        }
      }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(bytes, { binary: isBinary });
      else if (upstream.readyState === WebSocket.CONNECTING) toHub.push({ data: bytes, binary: isBinary });
    });
    upstream.on('close', (code, reason) => {
      closed = true;
      sockets.delete(upstream);
      closeLike(device, code, reason);
    });
    device.on('close', (code, reason) => {
      closed = true;
      sockets.delete(device);
      if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
      else closeLike(upstream, code, reason);
    });
    // a refused upgrade (unexpected-response) or a reset: the device sees its socket close
    upstream.on('error', () => device.terminate());
    device.on('error', () => upstream.terminate());
  });

  const proxy: TamperProxy = {
    port,
    syncUrlFor: (tag) => `ws://127.0.0.1:${port}/${encodeURIComponent(tag)}/sync`,
    connections,
    connection(tag, room) {
      for (let i = connections.length - 1; i >= 0; i--) {
        const c = connections[i];
        if (c.tag === tag && (room === undefined || c.room === room) && !c.closed) return c;
      }
      return undefined;
    },
    whenConnected(tag, room, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        let done = false;
        const check = () => {
          const c = proxy.connection(tag, room);
          if (!c || done) return;
          void c.upstreamOpen.then(() => {
            if (done || c.closed) return;
            done = true;
            waiters.delete(check);
            clearTimeout(timer);
            resolve(c);
          });
        };
        const timer = setTimeout(() => {
          done = true;
          waiters.delete(check);
          reject(new Error(`timed out waiting for a proxied connection "${tag}"`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    seenIn: (room) => byRoom.get(room) ?? new Map(),
    close: async () => {
      for (const s of sockets) s.terminate();
      sockets.clear();
      await new Promise<void>((res) => wss.close(() => res()));
    },
  };
  return proxy;
}
