import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { EventEmitter } from 'node:events';
import { isIP, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { FRAGMENT_TIMEOUT_CODE, FragmentBudget, FragmentError, MESSAGE_FRAGMENT, Reassembler, type FragmentFailure } from '../src/protocol/fragments.js';
import * as decoding from 'lib0/decoding';
import { CHALLENGE_ID, LEGACY_KEY_ID, MESSAGE_HELLO, parseCredential, roleFor, type Credential, type Role } from '../src/protocol/access.js';
import { MESSAGE_PROOF, NONCE_BYTES, checkProof, decodeProof, encodeChallenge, syncProofMessage } from '../src/protocol/challenge.js';
import { CLOSE_REASONS, CloseCode, baseWorkbookId, historyRoom } from '../src/protocol/messages.js';
import type { RelayConfig } from './config.js';
import { createRequestHandler } from './http.js';
import { createHostCheck, lanUrls, misdirectedText } from './network.js';
import { BatchingCommitter, HoldingCommitter, ImmediateCommitter, type Committer } from './committer.js';
import { testHooksFromEnv, type TestHooks } from './test-hooks.js';
import { createWorkbookApi } from './workbook-api.js';
import { nodeVerify } from './proofs.js';
import { rotatingAutoSnapshots } from './snapshot-api.js';
import { apiAfter, createRetireApi } from './retire-api.js';
import type { Logger } from './log.js';
import { Room, RoomError, encodeRefused, type Peer } from './room.js';
import type { RoomStore } from './store.js';
import type { HostedHub } from './hosted.js';
import { asyncStore, type AsyncRoomStore } from './async-store.js';
import type { Wire } from './ws-wire.js';

const SYNC_PREFIX = '/sync/';
const PING_INTERVAL_MS = 30_000;

/**
 * Close code: every workbook in memory has people in it and the hub holds MAX_ROOMS, so a new one
 * cannot be loaded without throwing someone out; the client tries again later.
 */
export const HUB_FULL_CODE = 4503;

/** A fragmented message refused for each reason closes with its own code. */
const FRAGMENT_CLOSE: Record<FragmentFailure, number> = {
  malformed: CloseCode.MALFORMED_FRAME,
  'too-large': CloseCode.MESSAGE_TOO_LARGE,
  'too-slow': FRAGMENT_TIMEOUT_CODE,
  busy: CloseCode.TRY_AGAIN,
};

const FRAGMENT_REASON: Record<FragmentFailure, string> = {
  malformed: 'malformed frame',
  'too-large': 'change too large for this hub',
  'too-slow': 'a change in pieces took too long',
  busy: 'hub busy, try again',
};

/**
 * What the hub holds, as the memory guard measures it: V8's heap in use plus memory outside it
 * (Buffers and ArrayBuffers; Node counts `arrayBuffers` inside `external`, so it is not added
 * again). Resident memory is not used: it stays high after memory is freed (the allocator keeps
 * it), so a guard reading it would go on unloading workbooks long after an attack ended.
 */
export function heldBytes(m: NodeJS.MemoryUsage = process.memoryUsage()): number {
  return m.heapUsed + m.external;
}

/** Token buckets per key (an address): `rate` per second, up to `burst`; keys back at full are forgotten by `sweep`. */
function keyedBuckets(rate: number, burst: number) {
  const buckets = new Map<string, { tokens: number; last: number }>();
  const refill = (b: { tokens: number; last: number }, now: number) => {
    b.tokens = Math.min(burst, b.tokens + ((now - b.last) / 1000) * rate);
    b.last = now;
  };
  return {
    take(key: string): boolean {
      const now = Date.now();
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = { tokens: burst, last: now }));
      refill(b, now);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    sweep(): void {
      const now = Date.now();
      for (const [key, b] of buckets) {
        refill(b, now);
        if (b.tokens >= burst) buckets.delete(key);
      }
    },
  };
}

export interface Relay {
  listen(): Promise<AddressInfo>;
  /** Stops accepting, closes every socket with a reason, compacts rooms, closes the store. */
  close(): Promise<void>;
  loadedRooms(): string[];
  /** 'room-loaded' and 'room-evicted' (room name): for tests and logs to wait on, instead of timing. */
  readonly events: EventEmitter<{ 'room-loaded': [string]; 'room-evicted': [string] }>;
}

/** What of ws 8's insides `sendWire` looks at (its Sender's state and queue, the socket it writes to). */
interface WsInternals {
  _socket?: { writable: boolean; write(bytes: Buffer): boolean };
  _sender?: { _state: number; _queue: unknown[] };
}

interface RoomSlot {
  room: Room;
  evictTimer: NodeJS.Timeout | null;
  lastUsed: number;
}

/**
 * `hooks` are test-only switches (server/test-hooks.ts); a hub not started by a test refuses them.
 * Given a HostedHub instead of a store (DATABASE_URL and REDIS_URL), the relay is one of several
 * processes serving the same workbooks from Postgres (server/hosted.ts).
 */
export function createRelay(config: RelayConfig, backend: RoomStore | HostedHub, log: Logger, hooks: TestHooks = testHooksFromEnv(process.env)): Relay {
  // duck-typed, so the default hub never loads the Postgres and Redis clients
  const hosted = 'prepare' in backend ? backend : null;
  const store = hosted ? hostedRoomsOnly : (backend as RoomStore);
  // What the HTTP API reads and writes: this hub's SQLite file, or Postgres, which every process of a hosted hub shares.
  const apiStore: AsyncRoomStore = hosted ? hosted.store : asyncStore(store);
  const startedAt = Date.now();
  const rooms = new Map<string, RoomSlot>();
  const events = new EventEmitter<{ 'room-loaded': [string]; 'room-evicted': [string] }>();
  // Automatic snapshots make way for each other within the workbook's MAX_DOC_BYTES (server/snapshot-api.ts).
  const roomStore = rotatingAutoSnapshots(store, config.maxDocBytes, log);
  const diskCommitter: Committer = hosted ? hosted.committer : config.groupCommit ? new BatchingCommitter(roomStore) : new ImmediateCommitter(roomStore);
  const committer: Committer = hooks.holdCommits ? holdUntilSignal(diskCommitter, log) : diskCommitter;
  /** Every connection's unfinished fragmented messages together. */
  const fragmentBudget = new FragmentBudget(config.maxReassemblyBytes);
  /** Connections in the middle of a fragmented message: what the memory guard sheds first. */
  const reassembling = new Map<WebSocket, { reassembler: Reassembler; abort: () => void }>();
  const roomLoads = keyedBuckets(config.maxRoomLoadsPerIpPerMinute / 60, config.maxRoomLoadsPerIpPerMinute);
  const hostAllowed = createHostCheck({ bindHost: config.host, allowedHosts: config.allowedHosts });
  let closing = false;
  // Retiring a workbook, and refusing every other request for a retired one, comes before the workbook API.
  const retireApi = createRetireApi({
    store: apiStore,
    now: Date.now,
    log,
    closeRooms: (workbook) => {
      closeRetired(workbook);
      hosted?.announceRetired(workbook);
    },
  });
  hosted?.onRetired(closeRetired);

  const handler = createRequestHandler({
    staticDir: config.staticDir,
    hostAllowed,
    hubInfo: () => {
      const address = server.address();
      const port = address && typeof address === 'object' ? address.port : config.port;
      return { version: config.version, lanUrls: lanUrls(config.host, port, !!config.tls) };
    },
    api: apiAfter(retireApi, createWorkbookApi({
      store: apiStore,
      liveDoc: (name) => rooms.get(name)?.room.doc ?? null,
      now: Date.now,
      log,
      // Twice the largest workbook: history beyond that is not a restore anyone is waiting for.
      maxStateInputBytes: 2 * config.maxDocBytes,
      maxDocBytes: config.maxDocBytes,
      maxSnapshotsPerHour: config.maxSnapshotsPerHour,
      maxSnapshotsPerHourPerIp: config.maxSnapshotsPerHourPerIp,
      openWorkbooksWritable: config.openWorkbooksWritable,
    })),
    health: () => {
      const m = process.memoryUsage();
      return {
        ok: true,
        version: config.version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        rooms: rooms.size,
        // loaded with nobody in them: waiting out ROOM_GRACE_MS before they leave memory
        idleRooms: countIdleRooms(),
        connections: connections.size,
        heldBytes: heldBytes(m),
        maxHeapBytes: config.maxHeapBytes,
        rssBytes: m.rss,
        heapUsedBytes: m.heapUsed,
        heapTotalBytes: m.heapTotal,
        externalBytes: m.external,
        reassemblyBytes: fragmentBudget.bytes,
      };
    },
  });
  const server: Server = config.tls ? createHttpsServer(config.tls, handler) : createHttpServer(handler);
  // clientTracking off: the hub keeps its own map of connections, and ws's would hold a closure per
  // connection keeping the upgrade's request, socket and head alive as long as the connection.
  // No compression: zlib state per connection would cost more than all the rest of an idle one.
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: config.maxFrameBytes });

  /**
   * Loading is synchronous, so two connections arriving together can never load one doc twice.
   * A new workbook takes the place of one nobody has open; when every loaded workbook has people
   * in it, the new one is refused (4503) rather than throwing them out, so others' churn can never
   * unload a workbook in use. Loads are counted per address (4429 past the rate).
   */
  function acquire(name: string, ip: string): Room {
    // A write failed after forwarding: its doc holds what the disk does not, so it is loaded afresh.
    if (rooms.get(name)?.room.broken) evict(name);
    const slot = rooms.get(name);
    if (slot) {
      if (slot.evictTimer) clearTimeout(slot.evictTimer);
      slot.evictTimer = null;
      slot.lastUsed = Date.now();
      return slot.room;
    }
    if (!roomLoads.take(ip)) throw new RoomError(CloseCode.RATE_LIMITED, 'too many workbooks opened from this address');
    while (rooms.size >= config.maxRooms) {
      if (!evictLeastRecentlyUsed(false)) throw new RoomError(HUB_FULL_CODE, 'hub full: every workbook in memory is in use');
    }
    const room = new Room(name, roomStore, config, log, committer);
    rooms.set(name, { room, evictTimer: null, lastUsed: Date.now() });
    events.emit('room-loaded', name);
    return room;
  }

  /** Rooms of the hosted hub being read from Postgres: a second connection waits for the same load. */
  const loading = new Map<string, Promise<Room>>();

  /** acquire, for the hosted hub: the room is read from Postgres (once, however many arrive together). */
  async function acquireHosted(hub: HostedHub, name: string, ip: string): Promise<Room> {
    if (rooms.get(name)?.room.broken) evict(name);
    if (rooms.has(name)) return acquire(name, ip);
    let load = loading.get(name);
    if (!load) {
      if (!roomLoads.take(ip)) throw new RoomError(CloseCode.RATE_LIMITED, 'too many workbooks opened from this address');
      while (rooms.size + loading.size >= config.maxRooms) {
        if (!evictLeastRecentlyUsed(false)) throw new RoomError(HUB_FULL_CODE, 'hub full: every workbook in memory is in use');
      }
      load = (async () => {
        // counted over every process before anything is read; one of this process's idle rooms makes way if the hub is full
        while (!(await hub.reserveRoom(config.maxRoomsHub))) {
          if (!evictLeastRecentlyUsed(false)) throw new RoomError(HUB_FULL_CODE, 'hub full: every workbook in memory is in use');
        }
        let prepared: Awaited<ReturnType<HostedHub['prepare']>>;
        try {
          prepared = await hub.prepare(name);
        } catch (err) {
          hub.releaseRoom();
          throw err;
        }
        const room = new Room(name, prepared.store, config, log, committer);
        rooms.set(name, { room, evictTimer: null, lastUsed: Date.now() });
        hub.attach(room, prepared.roomSeq);
        events.emit('room-loaded', name);
        return room;
      })();
      loading.set(name, load);
      void load.then(
        () => loading.delete(name),
        () => loading.delete(name),
      );
    }
    await load;
    return acquire(name, ip);
  }

  function countIdleRooms(): number {
    let idle = 0;
    for (const slot of rooms.values()) if (slot.room.peerCount === 0) idle++;
    return idle;
  }

  /** Unloads one workbook: compacted to disk first; anyone still in it is told to come back (1013). */
  function evict(name: string): void {
    const slot = rooms.get(name);
    if (!slot) return;
    if (slot.evictTimer) clearTimeout(slot.evictTimer);
    slot.room.closeAll(CloseCode.TRY_AGAIN);
    slot.room.compact();
    hosted?.detach(slot.room);
    slot.room.destroy();
    rooms.delete(name);
    // A line per unload: what a test of the running hub waits on to see a room leave memory.
    log.info('room unloaded', { room: name, rooms: rooms.size });
    events.emit('room-evicted', name);
  }

  /**
   * A retired workbook's rooms (its own and its journal's): everyone in them is told why and
   * closed (RETIRED), and the rooms are dropped without being compacted, so nothing of them is
   * written again (the store refuses their late writes too).
   */
  function closeRetired(workbook: string): void {
    for (const name of [workbook, historyRoom(workbook)]) {
      const slot = rooms.get(name);
      if (!slot) continue;
      if (slot.evictTimer) clearTimeout(slot.evictTimer);
      rooms.delete(name);
      hosted?.detach(slot.room);
      slot.room.closeAll(CloseCode.RETIRED);
      slot.room.destroy();
      events.emit('room-evicted', name);
    }
  }

  /** The least recently used room nobody has open; then, only if `occupiedToo`, the least recently used one. */
  function evictLeastRecentlyUsed(occupiedToo: boolean): boolean {
    let victim: [string, RoomSlot] | undefined;
    let oldestEmpty: [string, RoomSlot] | undefined;
    for (const entry of rooms) {
      if (!victim || entry[1].lastUsed < victim[1].lastUsed) victim = entry;
      if (entry[1].room.peerCount === 0 && (!oldestEmpty || entry[1].lastUsed < oldestEmpty[1].lastUsed)) oldestEmpty = entry;
    }
    victim = oldestEmpty ?? (occupiedToo ? victim : undefined);
    if (!victim) return false;
    log.info('unloading workbook', { room: victim[0], peers: victim[1].room.peerCount, rooms: rooms.size });
    evict(victim[0]);
    return true;
  }

  function release(name: string): void {
    const slot = rooms.get(name);
    if (!slot || slot.room.peerCount > 0 || slot.evictTimer) return;
    slot.evictTimer = setTimeout(() => {
      if (slot.room.peerCount === 0) evict(name);
    }, config.roomGraceMs);
    slot.evictTimer.unref();
  }

  // Under memory pressure the hub sheds what it can rather than growing until the operating system
  // kills it, one step per check: the largest unfinished fragmented message first (its sender is
  // told to try again), then a workbook nobody has open, and only then the least recently used one
  // (its people are told to come back; it reloads from disk).
  const memoryCheck = setInterval(() => {
    roomLoads.sweep();
    const m = process.memoryUsage();
    if (heldBytes(m) <= config.maxHeapBytes && (config.maxRssBytes === null || m.rss <= config.maxRssBytes)) return;
    let biggest: { reassembler: Reassembler; abort: () => void } | null = null;
    for (const r of reassembling.values()) if (!biggest || r.reassembler.pendingBytes > biggest.reassembler.pendingBytes) biggest = r;
    if (biggest) {
      log.info('memory pressure: dropping an unfinished message', { bytes: biggest.reassembler.pendingBytes });
      biggest.abort();
      return;
    }
    if (rooms.size > 0) evictLeastRecentlyUsed(true);
  }, config.memoryCheckMs);
  memoryCheck.unref();

  /** Connections per remote address, counted from upgrade to close. */
  const perIp = new Map<string, number>();

  /** Ends a refused handshake with a status and a body a person can read in the browser's network panel. */
  function refuse(socket: Duplex, status: string, body: string, extra = ''): void {
    const bytes = Buffer.byteLength(body);
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${bytes}\r\nConnection: close\r\n${extra}\r\n${body}`);
  }

  function originAllowed(origin: string | undefined, host: string | undefined): boolean {
    // Browsers always send Origin on a WebSocket handshake; other programs (phones' native apps,
    // scripts, tests) cannot be tricked into using someone's cookies, so they are not asked for one.
    if (!origin) return true;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false;
    }
    if (host && parsed.host === host) return true;
    return config.allowedOrigins.includes(parsed.origin);
  }

  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', destroyOnError);
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    const name = url.pathname.startsWith(SYNC_PREFIX) ? url.pathname.slice(SYNC_PREFIX.length) : '';
    // A workbook's room or its journal's (`<id>.h`); either way the link is checked against the workbook.
    const workbook = baseWorkbookId(name);
    if (closing) {
      refuse(socket, '503 Service Unavailable', 'the hub is shutting down');
      return;
    }
    if (!hostAllowed(req.headers.host)) {
      // DNS rebinding: a page on the attacker's name, resolved to this computer, names it in Host.
      log.info('refused host', { host: String(req.headers.host).slice(0, 200) });
      refuse(socket, '421 Misdirected Request', misdirectedText(req.headers.host));
      return;
    }
    if (!workbook) {
      refuse(socket, '404 Not Found', 'no such workbook path');
      return;
    }
    if (!originAllowed(req.headers.origin, req.headers.host)) {
      // Cross-site WebSocket hijacking: a page elsewhere must not open a workbook with this browser.
      log.info('refused origin', { origin: String(req.headers.origin).slice(0, 200) });
      refuse(socket, '403 Forbidden', 'pages from another site may not open workbooks on this hub (see ALLOWED_ORIGINS)');
      return;
    }
    if (connections.size >= config.maxConnections) {
      refuse(socket, '503 Service Unavailable', 'the hub has as many connections as it takes (MAX_CONNECTIONS); try again soon', 'Retry-After: 10\r\n');
      return;
    }
    const ip = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.trustedProxies ?? []);
    if ((perIp.get(ip) ?? 0) >= config.maxConnectionsPerIp) {
      refuse(socket, '429 Too Many Requests', 'too many connections from this address (MAX_CONNECTIONS_PER_IP)', 'Retry-After: 10\r\n');
      return;
    }
    if (!hosted) {
      wss.handleUpgrade(req, socket, head, (ws) => new Connection(ws, name, workbook, ip, false));
      return;
    }
    // Hosted: connections per address count over every hub process (Redis); granted when Redis is away.
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    hosted.reserveConnection(ip, config.maxConnectionsPerIp).then((ok) => {
      perIp.set(ip, (perIp.get(ip) ?? 1) - 1);
      if (!ok) {
        refuse(socket, '429 Too Many Requests', 'too many connections from this address (MAX_CONNECTIONS_PER_IP)', 'Retry-After: 10\r\n');
        return;
      }
      if (closing || socket.destroyed) {
        hosted.releaseConnection(ip);
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => new Connection(ws, name, workbook, ip, true));
    }, () => socket.destroy());
  });

  /**
   * Every connection, found from its socket by the listeners all sockets share. Its liveness is
   * checked by one timer for all of them (a timer and its closure per connection cost more than the
   * rest of an idle connection's state): unanswered pings terminate, silence past IDLE_TIMEOUT_MS closes.
   */
  const connections = new Map<WebSocket, Connection>();
  const pingSweep = setInterval(() => {
    const now = Date.now();
    for (const [ws, c] of connections) {
      if (!c.alive) {
        ws.terminate();
        continue;
      }
      if (now - c.lastMessageAt > config.idleTimeoutMs) {
        c.close(CloseCode.IDLE);
        continue;
      }
      c.alive = false;
      ws.ping();
    }
  }, Math.min(PING_INTERVAL_MS, config.idleTimeoutMs));
  pingSweep.unref();

  // One listener of each kind for every socket (EventEmitter calls it with the socket as `this`):
  // closures per connection would each keep a context, and through it whatever the upgrade had.
  function onPong(this: WebSocket): void {
    const c = connections.get(this);
    if (c) c.alive = true;
  }
  function onMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    connections.get(this)?.message(data, isBinary);
  }
  function onClose(this: WebSocket): void {
    connections.get(this)?.closed();
  }
  function onSocketError(this: WebSocket, err: Error): void {
    log.error('socket error', { room: connections.get(this)?.name, error: err.message });
  }
  function handshakeTimedOut(c: Connection): void {
    c.close(CloseCode.HANDSHAKE_TIMEOUT);
  }
  function fragmentTimedOut(c: Connection): void {
    c.fail(new FragmentError('message took too long', 'too-slow'));
  }

  /**
   * One connection: what its room sees of it (Peer) and everything the hub keeps for it, as fields
   * of one object whose methods every connection shares. An idle connection's memory is what it
   * holds per se, so nothing here is allocated before it is needed.
   */
  class Connection implements Peer {
    role: Role = 'edit';
    room: Room | null = null;
    /** answered the last ping */
    alive = true;
    lastMessageAt = Date.now();
    /** until the first frame, which says who this is */
    private handshake: NodeJS.Timeout | null;
    /** made at a connection's first fragment: most never send one */
    private reassembler: Reassembler | null = null;
    /** closes the connection when its fragmented message in progress runs out of time */
    private fragmentTimer: NodeJS.Timeout | null = null;
    /** frames that arrive while the hello is being checked, handled in order once it is */
    private queue: Uint8Array[] | null = null;
    /**
     * A signed or sealed workbook's connection is challenged at once: nothing but a PROOF of this nonce opens it.
     * The nonce lives only as long as this connection, so a proof seen on the wire opens nothing later.
     */
    private readonly nonce: Uint8Array | null;
    // Two token buckets (messages; presence messages that set the connection's own state), as numbers rather than objects of their own.
    private messageTokens = config.maxMessagesPerSecond * 2;
    private messageLast = Date.now();
    private presenceTokens = config.maxAwarenessPerSecond * 2;
    private presenceLast = this.messageLast;
    /** the largest message written to it: a device reading a whole workbook's first answer may leave that much unread a while */
    private largestSent = 0;

    constructor(
      private readonly ws: WebSocket,
      readonly name: string,
      private readonly workbook: string,
      private readonly ip: string,
      /** a hosted hub's connection counted over every process, given back at close */
      private readonly countedHubWide: boolean,
    ) {
      this.handshake = setTimeout(handshakeTimedOut, config.handshakeTimeoutMs, this);
      this.nonce = CHALLENGE_ID.test(workbook) ? new Uint8Array(randomBytes(NONCE_BYTES)) : null;
      connections.set(ws, this);
      perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
      ws.on('error', onSocketError);
      ws.on('pong', onPong);
      ws.on('message', onMessage);
      ws.on('close', onClose);
      if (this.nonce) ws.send(encodeChallenge(this.nonce));
    }

    send(frame: Uint8Array): void {
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.ws.send(frame);
      this.sent(frame.length);
    }

    /**
     * What it has not read yet, against MAX_BUFFERED_BYTES past its largest message: a device that
     * stops reading would otherwise have the hub keep every change of its room for it, without end.
     * Its socket is ended at once (a close frame would wait behind what it does not read), which
     * frees what was held; the device reconnects and syncs what it lacks, so nothing is lost.
     */
    private sent(bytes: number): void {
      if (bytes > this.largestSent) this.largestSent = bytes;
      const unread = this.ws.bufferedAmount;
      if (unread <= config.maxBufferedBytes + this.largestSent) return;
      log.info('dropped a connection that reads too slowly', { room: this.name, code: CloseCode.SLOW_READER, unreadBytes: unread });
      this.ws.terminate();
    }

    sendWire(w: Wire): void {
      const ws = this.ws;
      if (ws.readyState !== ws.OPEN) return;
      // The bytes go straight to the socket only when ws has nothing of its own waiting to go
      // first (its sender queues while it reads a Blob or compresses, neither of which this
      // relay does); otherwise ws frames them, in order behind what it holds.
      const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
      // (Checked field by field: a ws whose insides differ frames them itself, as before.)
      if (socket?.writable && sender?._state === 0 && Array.isArray(sender._queue) && sender._queue.length === 0) socket.write(w.bytes);
      else for (const f of w.frames) ws.send(f);
      this.sent(w.bytes.length);
    }

    close(code: number, reason?: string): void {
      const ws = this.ws;
      // A retired workbook's devices are told in a message of their own, as for 4401/4403.
      if (code === CloseCode.RETIRED && ws.readyState === ws.OPEN) ws.send(encodeRefused(code, CLOSE_REASONS[code]));
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, (reason ?? CLOSE_REASONS[code] ?? '').slice(0, 120));
    }

    allowPresence(): boolean {
      const now = Date.now();
      this.presenceTokens = Math.min(config.maxAwarenessPerSecond * 2, this.presenceTokens + ((now - this.presenceLast) / 1000) * config.maxAwarenessPerSecond);
      this.presenceLast = now;
      if (this.presenceTokens < 1) return false;
      this.presenceTokens -= 1;
      return true;
    }

    private allowMessage(): boolean {
      const now = Date.now();
      this.messageTokens = Math.min(config.maxMessagesPerSecond * 2, this.messageTokens + ((now - this.messageLast) / 1000) * config.maxMessagesPerSecond);
      this.messageLast = now;
      if (this.messageTokens < 1) return false;
      this.messageTokens -= 1;
      return true;
    }

    message(data: WebSocket.RawData, isBinary: boolean): void {
      this.lastMessageAt = Date.now();
      if (!isBinary) {
        this.close(CloseCode.MALFORMED_FRAME);
        return;
      }
      if (!this.allowMessage()) {
        this.fail(new RoomError(CloseCode.RATE_LIMITED, 'message rate'));
        return;
      }
      const frame = toUint8Array(data);
      if (this.room) this.handle(frame);
      else if (this.queue) {
        if (this.queue.length > 64) this.fail(new RoomError(CloseCode.RATE_LIMITED, 'too much before the hello was checked'));
        else this.queue.push(frame);
      } else void this.start(frame);
    }

    closed(): void {
      const { ws, ip, name, room } = this;
      connections.delete(ws);
      this.endHandshake();
      this.endReassembly();
      this.queue = null;
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
      if (this.countedHubWide) hosted?.releaseConnection(ip);
      // The room may have been unloaded (and even reloaded) while this socket was closing.
      if (room && rooms.get(name)?.room === room) {
        room.leave(this);
        if (!closing) release(name);
      }
    }

    private endHandshake(): void {
      if (this.handshake) clearTimeout(this.handshake);
      // dropped, not just cleared: a cleared timer still held is memory every idle connection pays
      this.handshake = null;
    }

    private endReassembly(): void {
      this.reassembler?.reset();
      reassembling.delete(this.ws);
      if (this.fragmentTimer) clearTimeout(this.fragmentTimer);
      this.fragmentTimer = null;
    }

    /** Closes this connection for `err`, with its code; `reason` overrides the code's usual words. */
    fail(err: unknown, reason?: string): void {
      const code = err instanceof RoomError ? err.code : err instanceof FragmentError ? FRAGMENT_CLOSE[err.failure] : CloseCode.MALFORMED_FRAME;
      reason ??= err instanceof FragmentError ? FRAGMENT_REASON[err.failure] : undefined;
      log.info('closing connection', { room: this.name, code, why: err instanceof Error ? err.message : String(err) });
      if (code === CloseCode.READ_ONLY || code === CloseCode.UNAUTHORIZED) this.send(encodeRefused(code, CLOSE_REASONS[code]));
      this.endReassembly();
      this.close(code, reason);
    }

    private reassemble(frame: Uint8Array): Uint8Array | null {
      const reassembler = (this.reassembler ??= new Reassembler({ maxMessageBytes: config.maxMessageBytes, maxMessageMs: config.fragmentTimeoutMs, budget: fragmentBudget }));
      const whole = reassembler.push(frame);
      const deadline = reassembler.deadline;
      if (deadline === null) {
        this.endReassembly();
      } else if (!this.fragmentTimer) {
        reassembling.set(this.ws, { reassembler, abort: () => this.fail(new FragmentError('dropped under memory pressure', 'busy')) });
        this.fragmentTimer = setTimeout(fragmentTimedOut, Math.max(0, deadline - Date.now()), this);
        this.fragmentTimer.unref();
      }
      return whole;
    }

    private handle(raw: Uint8Array): void {
      try {
        let frame: Uint8Array | null = raw;
        if (frame[0] === MESSAGE_FRAGMENT) frame = this.reassemble(frame);
        if (!frame || !this.room) return;
        const slot = rooms.get(this.name);
        if (slot) slot.lastUsed = Date.now();
        this.room.receive(this, frame);
      } catch (err) {
        this.fail(err);
      }
    }

    /**
     * The first frame says who this is: a signed or sealed workbook's PROOF; a legacy (`k…`) one's HELLO
     * with the link's key; for an open workbook anything (a HELLO or PROOF there is skipped), and
     * its role is the hub's setting.
     */
    private async start(first: Uint8Array): Promise<void> {
      const { ws, name, workbook, nonce } = this;
      this.endHandshake();
      this.queue = [];
      let role: Role | null;
      let consumed: boolean;
      if (nonce) {
        const proof = first[0] === MESSAGE_PROOF ? decodeProof(first) : null;
        role = proof ? checkProof(workbook, proof, syncProofMessage(nonce, name, proof.role), nodeVerify) : null;
        consumed = true;
      } else if (LEGACY_KEY_ID.test(workbook)) {
        let credential: Credential | null = null;
        if (first[0] === MESSAGE_HELLO) {
          try {
            const dec = decoding.createDecoder(first);
            decoding.readVarUint(dec);
            credential = parseCredential(decoding.readVarString(dec));
          } catch {
            credential = null;
          }
        }
        role = await roleFor(workbook, credential);
        consumed = true;
      } else {
        role = config.openWorkbooksWritable ? 'edit' : 'view';
        consumed = first[0] === MESSAGE_HELLO || first[0] === MESSAGE_PROOF;
      }
      if (ws.readyState !== ws.OPEN) return;
      if (!role) {
        this.fail(new RoomError(CloseCode.UNAUTHORIZED, 'bad or missing key'));
        return;
      }
      this.role = role;
      const retired = hosted ? await hosted.retiredAt(name).catch(() => undefined) : store.retiredAt(name);
      if (ws.readyState !== ws.OPEN) return;
      if (retired === undefined) {
        // the database cannot be reached: the device tries again, its changes kept
        this.close(CloseCode.ROOM_LOAD_FAILED);
        return;
      }
      if (retired !== null) {
        // Its links were replaced: refused for good, edit or view, before anything is loaded.
        this.fail(new RoomError(CloseCode.RETIRED, 'workbook retired'));
        return;
      }
      let room: Room;
      try {
        room = hosted ? await acquireHosted(hosted, name, this.ip) : acquire(name, this.ip);
        if (ws.readyState !== ws.OPEN) {
          release(name);
          return;
        }
      } catch (err) {
        if (err instanceof RoomError) {
          // hub full, or this address opened too many workbooks: said in the hub's own words
          this.fail(err, err.message);
          return;
        }
        log.error('room failed to load', { room: name, error: String(err) });
        this.close(CloseCode.ROOM_LOAD_FAILED);
        return;
      }
      this.room = room;
      room.join(this);
      const pending = this.queue ?? [];
      this.queue = null;
      if (!consumed) this.handle(first);
      for (const f of pending) this.handle(f);
    }
  }

  return {
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(memoryCheck);
      clearInterval(pingSweep);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const [, slot] of rooms) {
        if (slot.evictTimer) clearTimeout(slot.evictTimer);
        slot.room.closeAll(CloseCode.SHUTDOWN);
      }
      // Sockets still in their handshake, or not yet in a room.
      for (const ws of connections.keys()) ws.close(CloseCode.SHUTDOWN, CLOSE_REASONS[CloseCode.SHUTDOWN]);
      const deadline = setTimeout(() => {
        for (const ws of connections.keys()) ws.terminate();
        server.closeAllConnections();
      }, 2000);
      await closed;
      clearTimeout(deadline);
      committer.flush();
      await committer.drain();
      if (hosted) await hosted.committer.drain();
      for (const [, slot] of rooms) {
        slot.room.compact();
        if (hosted) hosted.detach(slot.room);
        slot.room.destroy();
      }
      rooms.clear();
      if (hosted) await hosted.close();
      else store.close();
    },
    loadedRooms: () => Array.from(rooms.keys()),
    events,
  };
}

/**
 * The address a connection's limits count against. Behind a reverse proxy (TRUSTED_PROXIES) every
 * connection comes from the proxy; the proxy appends the address it was reached from to
 * X-Forwarded-For, so the last entry is the one it vouches for (earlier ones anyone can write).
 */
export function clientAddress(remote: string | undefined, forwardedFor: string | string[] | undefined, trusted: readonly string[]): string {
  const peer = remote ?? 'unknown';
  const unmapped = peer.startsWith('::ffff:') ? peer.slice(7) : peer;
  if (!trusted.includes(peer) && !trusted.includes(unmapped)) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const last = header.split(',').map((a) => a.trim()).filter(Boolean).pop();
  return last && isIP(last) !== 0 ? last : peer;
}

/** A socket's error before ws takes it over: one function for every upgrade (a closure would keep the request). */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * A hosted hub's rooms are each built on a store of their own (HostedHub.prepare) and its API on
 * Postgres: nothing may reach for a hub-wide synchronous store.
 */
const hostedRoomsOnly = new Proxy({} as RoomStore, {
  get() {
    throw new Error('the hosted hub has no local store');
  },
});

/** TEST_HOLD_COMMITS: nothing reaches the disk until the process gets SIGUSR2 (tests only, see test-hooks.ts). */
function holdUntilSignal(inner: Committer, log: Logger): Committer {
  const holding = new HoldingCommitter(inner);
  log.info('test hook: holding every commit until SIGUSR2', {});
  process.once('SIGUSR2', () => {
    log.info('test hook: commits released', {});
    holding.release();
  });
  return holding;
}

function toUint8Array(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
