import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { FragmentError, MESSAGE_FRAGMENT, Reassembler } from '../src/protocol/fragments.js';
import * as decoding from 'lib0/decoding';
import { MESSAGE_HELLO, parseCredential, roleFor, type Credential } from '../src/protocol/access.js';
import { CLOSE_REASONS, CloseCode, MESSAGE_AWARENESS, baseWorkbookId } from '../src/protocol/messages.js';
import type { RelayConfig } from './config.js';
import { createRequestHandler } from './http.js';
import { lanUrls } from './network.js';
import { BatchingCommitter, ImmediateCommitter, type Committer } from './committer.js';
import { createWorkbookApi } from './workbook-api.js';
import type { Logger } from './log.js';
import { Room, RoomError, encodeRefused, type Peer } from './room.js';
import type { RoomStore } from './store.js';

const SYNC_PREFIX = '/sync/';
const PING_INTERVAL_MS = 30_000;

export interface Relay {
  listen(): Promise<AddressInfo>;
  /** Stops accepting, closes every socket with a reason, compacts rooms, closes the store. */
  close(): Promise<void>;
  loadedRooms(): string[];
  /** 'room-loaded' and 'room-evicted' (room name): for tests and logs to wait on, instead of timing. */
  readonly events: EventEmitter<{ 'room-loaded': [string]; 'room-evicted': [string] }>;
}

interface RoomSlot {
  room: Room;
  evictTimer: NodeJS.Timeout | null;
  lastUsed: number;
}

export function createRelay(config: RelayConfig, store: RoomStore, log: Logger): Relay {
  const startedAt = Date.now();
  const rooms = new Map<string, RoomSlot>();
  const sockets = new Set<WebSocket>();
  const events = new EventEmitter<{ 'room-loaded': [string]; 'room-evicted': [string] }>();
  const committer: Committer = config.groupCommit ? new BatchingCommitter(store) : new ImmediateCommitter(store);
  let closing = false;

  const handler = createRequestHandler({
    staticDir: config.staticDir,
    hubInfo: () => {
      const address = server.address();
      const port = address && typeof address === 'object' ? address.port : config.port;
      return { version: config.version, lanUrls: lanUrls(config.host, port, !!config.tls) };
    },
    api: createWorkbookApi({
      store,
      liveDoc: (name) => rooms.get(name)?.room.doc ?? null,
      now: Date.now,
      log,
      // Twice the largest workbook: history beyond that is not a restore anyone is waiting for.
      maxStateInputBytes: 2 * config.maxDocBytes,
    }),
    health: () => ({
      ok: true,
      version: config.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      rooms: rooms.size,
      connections: sockets.size,
      rssBytes: process.memoryUsage().rss,
    }),
  });
  const server: Server = config.tls ? createHttpsServer(config.tls, handler) : createHttpServer(handler);
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes });

  // Loading is synchronous, so two connections arriving together can never load one doc twice.
  function acquire(name: string): Room {
    const slot = rooms.get(name);
    if (slot) {
      if (slot.evictTimer) clearTimeout(slot.evictTimer);
      slot.evictTimer = null;
      slot.lastUsed = Date.now();
      return slot.room;
    }
    while (rooms.size >= config.maxRooms && evictLeastRecentlyUsed()) {
      // keep unloading until there is room for one more
    }
    const room = new Room(name, store, config, log, committer);
    rooms.set(name, { room, evictTimer: null, lastUsed: Date.now() });
    events.emit('room-loaded', name);
    return room;
  }

  /** Unloads one workbook: compacted to disk first; anyone still in it is told to come back (1013). */
  function evict(name: string): void {
    const slot = rooms.get(name);
    if (!slot) return;
    if (slot.evictTimer) clearTimeout(slot.evictTimer);
    slot.room.closeAll(CloseCode.TRY_AGAIN);
    slot.room.compact();
    slot.room.destroy();
    rooms.delete(name);
    events.emit('room-evicted', name);
  }

  /** Empty rooms first, oldest use first; then the least recently used room with people in it. */
  function evictLeastRecentlyUsed(): boolean {
    const byAge = Array.from(rooms.entries()).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    const victim = byAge.find(([, s]) => s.room.peerCount === 0) ?? byAge[0];
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

  // Under memory pressure the hub sheds workbooks (they reload from disk on the next connection)
  // rather than growing until the operating system kills it.
  const memoryCheck = setInterval(() => {
    if (process.memoryUsage().rss > config.maxRssBytes && rooms.size > 0) evictLeastRecentlyUsed();
  }, config.memoryCheckMs);
  memoryCheck.unref();

  /** Connections per remote address, counted from upgrade to close. */
  const perIp = new Map<string, number>();

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
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    const name = url.pathname.startsWith(SYNC_PREFIX) ? url.pathname.slice(SYNC_PREFIX.length) : '';
    // A workbook's room or its journal's (`<id>.h`); either way the link is checked against the workbook.
    const workbook = baseWorkbookId(name);
    if (closing || !workbook) {
      socket.end(closing ? 'HTTP/1.1 503 Service Unavailable\r\n\r\n' : 'HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    if (!originAllowed(req.headers.origin, req.headers.host)) {
      // Cross-site WebSocket hijacking: a page elsewhere must not open a workbook with this browser.
      log.info('refused origin', { origin: String(req.headers.origin).slice(0, 200) });
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const ip = req.socket.remoteAddress ?? 'unknown';
    if ((perIp.get(ip) ?? 0) >= config.maxConnectionsPerIp) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, name, workbook, ip));
  });

  /** Takes one token; false when the bucket is empty. Refills at `rate` per second up to `burst`. */
  function bucket(rate: number, burst: number) {
    let tokens = burst;
    let last = Date.now();
    return () => {
      const now = Date.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    };
  }

  function attach(ws: WebSocket, name: string, workbook: string, ip: string): void {
    sockets.add(ws);
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    let alive = true;
    let room: Room | null = null;
    let lastMessageAt = Date.now();
    const close = (code: number, reason?: string) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, (reason ?? CLOSE_REASONS[code] ?? '').slice(0, 120));
    };
    const peer: Peer = {
      role: 'edit',
      send: (frame) => {
        if (ws.readyState === ws.OPEN) ws.send(frame);
      },
      close,
    };
    ws.on('error', (err) => log.error('socket error', { room: name, error: err.message }));
    ws.on('pong', () => {
      alive = true;
    });
    const ping = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      if (Date.now() - lastMessageAt > config.idleTimeoutMs) {
        close(CloseCode.IDLE);
        return;
      }
      alive = false;
      ws.ping();
    }, Math.min(PING_INTERVAL_MS, config.idleTimeoutMs));
    const handshake = setTimeout(() => close(CloseCode.HANDSHAKE_TIMEOUT), config.handshakeTimeoutMs);
    const messages = bucket(config.maxMessagesPerSecond, config.maxMessagesPerSecond * 2);
    const awareness = bucket(config.maxAwarenessPerSecond, config.maxAwarenessPerSecond * 2);
    const reassembler = new Reassembler(config.maxMessageBytes);
    /** Frames that arrive while the hello is being checked, handled in order once it is. */
    let queue: Uint8Array[] | null = null;

    const fail = (err: unknown) => {
      const code =
        err instanceof RoomError ? err.code : err instanceof FragmentError && err.message === 'message too large' ? CloseCode.MESSAGE_TOO_LARGE : CloseCode.MALFORMED_FRAME;
      log.info('closing connection', { room: name, code, why: err instanceof Error ? err.message : String(err) });
      if (code === CloseCode.READ_ONLY || code === CloseCode.UNAUTHORIZED) peer.send(encodeRefused(code, CLOSE_REASONS[code]));
      close(code);
    };

    const handle = (raw: Uint8Array) => {
      try {
        let frame: Uint8Array | null = raw;
        if (frame[0] === MESSAGE_FRAGMENT) frame = reassembler.push(frame);
        if (!frame || !room) return;
        const slot = rooms.get(name);
        if (slot) slot.lastUsed = Date.now();
        if (frame[0] === MESSAGE_AWARENESS && !awareness()) throw new RoomError(CloseCode.RATE_LIMITED, 'awareness rate');
        room.receive(peer, frame);
      } catch (err) {
        fail(err);
      }
    };

    /** The first frame says who this is: a HELLO with the link's credential, or (open workbooks) anything else. */
    const start = async (first: Uint8Array) => {
      clearTimeout(handshake);
      queue = [];
      let credential: Credential | null = null;
      let isHello = false;
      if (first[0] === MESSAGE_HELLO) {
        isHello = true;
        try {
          const dec = decoding.createDecoder(first);
          decoding.readVarUint(dec);
          credential = parseCredential(decoding.readVarString(dec));
        } catch {
          credential = null;
        }
      }
      const role = await roleFor(workbook, credential);
      if (ws.readyState !== ws.OPEN) return;
      if (!role) {
        fail(new RoomError(CloseCode.UNAUTHORIZED, 'bad or missing key'));
        return;
      }
      peer.role = role;
      try {
        room = acquire(name);
      } catch (err) {
        log.error('room failed to load', { room: name, error: String(err) });
        close(CloseCode.ROOM_LOAD_FAILED);
        return;
      }
      room.join(peer);
      const pending = queue;
      queue = null;
      if (!isHello) handle(first);
      for (const f of pending) handle(f);
    };

    ws.on('message', (data, isBinary) => {
      lastMessageAt = Date.now();
      if (!isBinary) {
        close(CloseCode.MALFORMED_FRAME);
        return;
      }
      if (!messages()) {
        fail(new RoomError(CloseCode.RATE_LIMITED, 'message rate'));
        return;
      }
      const frame = toUint8Array(data);
      if (room) handle(frame);
      else if (queue) {
        if (queue.length > 64) fail(new RoomError(CloseCode.RATE_LIMITED, 'too much before the hello was checked'));
        else queue.push(frame);
      } else void start(frame);
    });
    ws.on('close', () => {
      clearInterval(ping);
      clearTimeout(handshake);
      sockets.delete(ws);
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
      // The room may have been unloaded (and even reloaded) while this socket was closing.
      if (room && rooms.get(name)?.room === room) {
        room.leave(peer);
        if (!closing) release(name);
      }
    });
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
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const [, slot] of rooms) {
        if (slot.evictTimer) clearTimeout(slot.evictTimer);
        slot.room.closeAll(CloseCode.SHUTDOWN);
      }
      // Sockets still in their handshake, or not yet in a room.
      for (const ws of sockets) ws.close(CloseCode.SHUTDOWN, CLOSE_REASONS[CloseCode.SHUTDOWN]);
      const deadline = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
        server.closeAllConnections();
      }, 2000);
      await closed;
      clearTimeout(deadline);
      committer.flush();
      for (const [, slot] of rooms) {
        slot.room.compact();
        slot.room.destroy();
      }
      rooms.clear();
      store.close();
    },
    loadedRooms: () => Array.from(rooms.keys()),
    events,
  };
}

function toUint8Array(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
