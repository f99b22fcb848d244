import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { FragmentError, MESSAGE_FRAGMENT, Reassembler } from '../src/protocol/fragments.js';
import { CLOSE_REASONS, CloseCode, ROOM_ID_PATTERN } from '../src/protocol/messages.js';
import type { RelayConfig } from './config.js';
import { createRequestHandler } from './http.js';
import { createSnapshotApi } from './snapshot-api.js';
import type { Logger } from './log.js';
import { Room, RoomError, type Peer } from './room.js';
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
}

export function createRelay(config: RelayConfig, store: RoomStore, log: Logger): Relay {
  const startedAt = Date.now();
  const rooms = new Map<string, RoomSlot>();
  const sockets = new Set<WebSocket>();
  const events = new EventEmitter<{ 'room-loaded': [string]; 'room-evicted': [string] }>();
  let closing = false;

  const handler = createRequestHandler({
    staticDir: config.staticDir,
    api: createSnapshotApi({ store, liveDoc: (name) => rooms.get(name)?.room.doc ?? null, now: Date.now, log }),
    health: () => ({
      ok: true,
      version: config.version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      rooms: rooms.size,
      connections: sockets.size,
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
      return slot.room;
    }
    const room = new Room(name, store, config, log);
    rooms.set(name, { room, evictTimer: null });
    events.emit('room-loaded', name);
    return room;
  }

  function release(name: string): void {
    const slot = rooms.get(name);
    if (!slot || slot.room.peerCount > 0 || slot.evictTimer) return;
    slot.evictTimer = setTimeout(() => {
      if (slot.room.peerCount > 0) return;
      slot.room.compact();
      slot.room.destroy();
      rooms.delete(name);
      events.emit('room-evicted', name);
    }, config.roomGraceMs);
    slot.evictTimer.unref();
  }

  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://relay.invalid');
    const name = url.pathname.startsWith(SYNC_PREFIX) ? url.pathname.slice(SYNC_PREFIX.length) : '';
    if (closing || !ROOM_ID_PATTERN.test(name)) {
      socket.end(closing ? 'HTTP/1.1 503 Service Unavailable\r\n\r\n' : 'HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, name));
  });

  function attach(ws: WebSocket, name: string): void {
    sockets.add(ws);
    let alive = true;
    const close = (code: number) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, CLOSE_REASONS[code] ?? '');
    };
    const peer: Peer = {
      send: (frame) => {
        if (ws.readyState === ws.OPEN) ws.send(frame);
      },
      close,
    };
    ws.on('error', (err) => log.error('socket error', { room: name, error: err.message }));
    let room: Room;
    try {
      room = acquire(name);
    } catch (err) {
      log.error('room failed to load', { room: name, error: String(err) });
      close(CloseCode.ROOM_LOAD_FAILED);
      sockets.delete(ws);
      return;
    }
    ws.on('pong', () => {
      alive = true;
    });
    const ping = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, PING_INTERVAL_MS);
    const reassembler = new Reassembler(config.maxMessageBytes);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        close(CloseCode.MALFORMED_FRAME);
        return;
      }
      try {
        let frame: Uint8Array | null = toUint8Array(data);
        if (frame[0] === MESSAGE_FRAGMENT) frame = reassembler.push(frame);
        if (frame) room.receive(peer, frame);
      } catch (err) {
        const code =
          err instanceof RoomError ? err.code : err instanceof FragmentError && err.message === 'message too large' ? CloseCode.MESSAGE_TOO_LARGE : CloseCode.MALFORMED_FRAME;
        log.info('closing connection', { room: name, code, why: err instanceof Error ? err.message : String(err) });
        close(code);
      }
    });
    ws.on('close', () => {
      clearInterval(ping);
      sockets.delete(ws);
      room.leave(peer);
      if (!closing) release(name);
    });
    room.join(peer);
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
