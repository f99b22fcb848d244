import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { StoredRoom } from './store.js';

/** What a bus subscriber catches up from when it missed messages: the durable store (PostgresStore). */
export interface CatchUpSource {
  /** the room's updates after `roomSeq`, in order; null when some were folded away (then: loadSequenced) */
  updatesAfter(room: string, roomSeq: number): Promise<{ roomSeq: number; data: Uint8Array }[] | null>;
  loadSequenced(room: string): Promise<{ stored: StoredRoom; roomSeq: number }>;
}

export interface BusHandlers {
  /**
   * An update another process committed, in the room's sequence order, each once. Catching up may
   * hand over updates this process already holds (its own, ones it was sent directly): applying a
   * Yjs update twice changes nothing, so the room applies whatever it gets.
   */
  update(room: string, data: Uint8Array, roomSeq: number): void;
  /** The catch-up found the updates it needed folded into a snapshot: the whole room as stored, to merge. */
  reload(room: string, stored: StoredRoom, roomSeq: number): void;
  /** A presence (awareness) message another process's devices sent; it is passed on and never stored. */
  presence(room: string, data: Uint8Array): void;
  /** Another process retired the workbook `room` belongs to: its connections here must close too. */
  retired?(room: string): void;
  /** Something went wrong that nothing else will report (a catch-up that failed); the bus retries at the next message or reconnect. */
  error?(err: unknown, room?: string): void;
}

export interface RedisBusOptions {
  /** key and channel prefix, so several hubs (or tests) can share one Redis */
  prefix?: string;
}

const KIND_UPDATE = 1;
const KIND_PRESENCE = 2;
const KIND_RETIRED = 3;

/** kind (1 byte), origin id (8 bytes), roomSeq (float64, 8 bytes), payload */
const HEADER = 17;

function encode(kind: number, origin: Buffer, roomSeq: number, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER + data.length);
  out[0] = kind;
  origin.copy(out, 1);
  out.writeDoubleBE(roomSeq, 9);
  out.set(data, HEADER);
  return out;
}

/** Per subscribed room: the newest roomSeq handed over, and what arrives while a catch-up runs. */
interface RoomTrack {
  seen: number;
  catchingUp: Promise<void> | null;
  waiting: { roomSeq: number; data: Uint8Array }[];
}

/**
 * Fan-out between hub processes (issue 19). A process publishes each update after it is committed,
 * with its per-workbook sequence number (PostgresStore.appendSequenced's roomSeq). Subscribers hand
 * updates over in sequence; a gap (a message lost, or sent while this process was disconnected) or a
 * reconnection to Redis (it may have restarted, and pub/sub keeps nothing) makes the subscriber
 * catch up from the store, so Redis can lose messages without anything being lost. Presence is
 * relayed on the same channel and kept nowhere.
 */
export class RedisBus {
  readonly origin = randomBytes(8);
  private readonly rooms = new Map<string, RoomTrack>();
  private readonly prefix: string;
  private everReady = false;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly source: CatchUpSource,
    private readonly handlers: BusHandlers,
    options: RedisBusOptions,
  ) {
    this.prefix = options.prefix ?? 'ms:';
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel.toString(), message));
    this.sub.on('ready', () => {
      // Every ready after the first is a reconnection: whatever was published meanwhile is gone from Redis.
      if (this.everReady) for (const room of this.rooms.keys()) void this.catchUp(room);
      this.everReady = true;
    });
    // ioredis reconnects by itself; an error event without a listener would end the process
    this.pub.on('error', () => {});
    this.sub.on('error', () => {});
  }

  static async open(url: string, source: CatchUpSource, handlers: BusHandlers, options: RedisBusOptions = {}): Promise<RedisBus> {
    // No offline queue on the publishing side: with Redis down a publish fails at once (the update
    // is committed and acked regardless; subscribers catch up when Redis is back).
    const pub = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    const sub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null });
    const bus = new RedisBus(pub, sub, source, handlers, options);
    await Promise.all([pub.connect(), sub.connect()]);
    return bus;
  }

  private channel(room: string): string {
    return `${this.prefix}room:${room}`;
  }

  /**
   * Starts handing over `room`'s updates after `roomSeq` (what the process loaded). Updates
   * committed between the load and the subscription are caught up from the store.
   */
  async subscribe(room: string, roomSeq: number): Promise<void> {
    if (this.rooms.has(room)) return;
    this.rooms.set(room, { seen: roomSeq, catchingUp: null, waiting: [] });
    await this.sub.subscribe(this.channel(room));
    await this.catchUp(room);
  }

  async unsubscribe(room: string): Promise<void> {
    if (!this.rooms.delete(room)) return;
    await this.sub.unsubscribe(this.channel(room)).catch(() => {});
  }

  /** The newest roomSeq handed over for `room` (or loaded, or committed here). */
  seen(room: string): number | null {
    return this.rooms.get(room)?.seen ?? null;
  }

  /**
   * After this process committed an update (never before): tells the others. False when Redis
   * could not take it — nothing to do: the others catch up from the store at their next message
   * or reconnection.
   */
  async publishUpdate(room: string, roomSeq: number, data: Uint8Array): Promise<boolean> {
    const track = this.rooms.get(room);
    // this process holds its own update: it is seen here once every earlier one is
    if (track && roomSeq === track.seen + 1 && !track.catchingUp) track.seen = roomSeq;
    try {
      await this.pub.publish(this.channel(room), encode(KIND_UPDATE, this.origin, roomSeq, data));
      return true;
    } catch {
      return false;
    }
  }

  /** Passes a presence message to the other processes' devices in `room`; stored nowhere. */
  async publishPresence(room: string, data: Uint8Array): Promise<boolean> {
    try {
      await this.pub.publish(this.channel(room), encode(KIND_PRESENCE, this.origin, 0, data));
      return true;
    } catch {
      return false;
    }
  }

  /** Tells the processes holding `room` that its workbook was retired (after the store says so); false when Redis could not take it. */
  async publishRetired(room: string): Promise<boolean> {
    try {
      await this.pub.publish(this.channel(room), encode(KIND_RETIRED, this.origin, 0, new Uint8Array(0)));
      return true;
    } catch {
      return false;
    }
  }

  private onMessage(channel: string, message: Buffer): void {
    if (!channel.startsWith(`${this.prefix}room:`) || message.length < HEADER) return;
    const room = channel.slice(this.prefix.length + 'room:'.length);
    const track = this.rooms.get(room);
    if (!track) return;
    const kind = message[0];
    const data = new Uint8Array(message.subarray(HEADER));
    if (kind === KIND_PRESENCE) {
      if (!message.subarray(1, 9).equals(this.origin)) this.handlers.presence(room, data);
      return;
    }
    if (kind === KIND_RETIRED) {
      if (!message.subarray(1, 9).equals(this.origin)) this.handlers.retired?.(room);
      return;
    }
    if (kind !== KIND_UPDATE) return;
    const roomSeq = message.readDoubleBE(9);
    if (track.catchingUp) {
      track.waiting.push({ roomSeq, data });
      return;
    }
    if (roomSeq <= track.seen) return;
    if (roomSeq === track.seen + 1) {
      track.seen = roomSeq;
      if (!message.subarray(1, 9).equals(this.origin)) this.handlers.update(room, data, roomSeq);
      return;
    }
    track.waiting.push({ roomSeq, data });
    void this.catchUp(room);
  }

  /** Brings `room` up to what the store holds, then hands over what arrived meanwhile. One at a time per room. */
  catchUp(room: string): Promise<void> {
    const track = this.rooms.get(room);
    if (!track) return Promise.resolve();
    if (track.catchingUp) return track.catchingUp;
    const from = track.seen;
    track.catchingUp = (async () => {
      let failed = false;
      try {
        const missed = await this.source.updatesAfter(room, track.seen);
        if (this.rooms.get(room) !== track) return;
        if (missed) {
          for (const u of missed) {
            if (u.roomSeq !== track.seen + 1) break;
            track.seen = u.roomSeq;
            this.handlers.update(room, u.data, u.roomSeq);
          }
        } else {
          const { stored, roomSeq } = await this.source.loadSequenced(room);
          if (this.rooms.get(room) !== track) return;
          track.seen = Math.max(track.seen, roomSeq);
          this.handlers.reload(room, stored, roomSeq);
        }
      } catch (err) {
        failed = true;
        this.handlers.error?.(err, room);
      } finally {
        track.catchingUp = null;
      }
      const waiting = track.waiting.splice(0).sort((a, b) => a.roomSeq - b.roomSeq);
      let gap = false;
      for (const w of waiting) {
        if (w.roomSeq <= track.seen) continue;
        if (w.roomSeq !== track.seen + 1) {
          gap = true;
          break;
        }
        track.seen = w.roomSeq;
        this.handlers.update(room, w.data, w.roomSeq);
      }
      if (gap) {
        track.waiting.push(...waiting.filter((w) => w.roomSeq > track.seen));
        // Once more only when this one got somewhere: a failed catch-up (the store unreachable) is
        // tried again at the next message or reconnection, and a message numbered past anything
        // the store holds (published by something other than a hub) waits rather than spins.
        if (!failed && track.seen > from) void this.catchUp(room);
      }
    })();
    return track.catchingUp;
  }

  async close(): Promise<void> {
    this.rooms.clear();
    this.sub.disconnect();
    this.pub.disconnect();
  }
}
