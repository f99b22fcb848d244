import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface GlobalCountersOptions {
  /** key prefix, so several hubs (or tests) can share one Redis */
  prefix?: string;
  /** how long a process's counts outlive its last heartbeat (it beats three times per this) */
  ttlMs?: number;
}

/** The answer to a reservation: taken or not, and the hub-wide count it saw (null: Redis unreachable). */
export interface Reservation {
  ok: boolean;
  total: number | null;
}

/**
 * Counts that must hold across every hub process (issue 19): rooms in memory, connections per
 * address. Each process keeps its own part in one hash per counter (field: the process's id) and a
 * liveness key that expires `ttlMs` after its last heartbeat; a total counts only the parts of
 * processes that are alive, so a process killed with -9 stops counting within `ttlMs`, and its
 * stale fields are removed by the next reservation that meets them.
 *
 * With Redis unreachable a reservation is granted with `total: null`: the per-process limits (which
 * every process still applies) bound what one process takes, and a hub whose Redis is down keeps
 * serving rather than refusing everyone.
 */
export class GlobalCounters {
  readonly id = randomBytes(8).toString('hex');
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly mine = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | null = null;

  private constructor(
    private readonly redis: Redis,
    options: GlobalCountersOptions,
  ) {
    this.prefix = options.prefix ?? 'ms:';
    this.ttlMs = options.ttlMs ?? 15_000;
    this.redis.on('error', () => {});
    this.redis.defineCommand('msReserve', { numberOfKeys: 1, lua: RESERVE });
    this.redis.defineCommand('msTotal', { numberOfKeys: 1, lua: TOTAL });
    // a restarted Redis has lost this process's parts: they are written back when it returns
    this.redis.on('ready', () => void this.restore());
  }

  static async open(url: string, options: GlobalCountersOptions = {}): Promise<GlobalCounters> {
    const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    const counters = new GlobalCounters(redis, options);
    await redis.connect();
    await counters.beat();
    counters.heartbeat = setInterval(() => void counters.beat(), Math.max(1, Math.floor(counters.ttlMs / 3)));
    counters.heartbeat.unref();
    return counters;
  }

  private key(counter: string): string {
    return `${this.prefix}count:${counter}`;
  }

  private get aliveKey(): string {
    return `${this.prefix}alive:${this.id}`;
  }

  private async beat(): Promise<void> {
    await this.redis.set(this.aliveKey, '1', 'PX', this.ttlMs).catch(() => {});
  }

  private async restore(): Promise<void> {
    await this.beat();
    for (const [counter, n] of this.mine) await this.redis.hset(this.key(counter), this.id, n).catch(() => {});
  }

  /** Takes one of `counter` if the hub-wide total is below `max`. */
  async reserve(counter: string, max: number): Promise<Reservation> {
    let total: number;
    try {
      total = Number(await (this.redis as unknown as Scripts).msReserve(this.key(counter), this.id, max, `${this.prefix}alive:`));
    } catch {
      this.mine.set(counter, (this.mine.get(counter) ?? 0) + 1);
      return { ok: true, total: null };
    }
    if (total < 0) return { ok: false, total: -total - 1 };
    this.mine.set(counter, (this.mine.get(counter) ?? 0) + 1);
    return { ok: true, total };
  }

  /** Gives back one of `counter` that `reserve` took. */
  async release(counter: string): Promise<void> {
    const n = (this.mine.get(counter) ?? 0) - 1;
    if (n < 0) return;
    if (n === 0) this.mine.delete(counter);
    else this.mine.set(counter, n);
    await (n === 0 ? this.redis.hdel(this.key(counter), this.id) : this.redis.hset(this.key(counter), this.id, n)).catch(() => {});
  }

  /** The hub-wide count of live processes' parts; null when Redis is unreachable. */
  async total(counter: string): Promise<number | null> {
    try {
      return Number(await (this.redis as unknown as Scripts).msTotal(this.key(counter), `${this.prefix}alive:`));
    } catch {
      return null;
    }
  }

  /** A clean stop: this process's parts are removed at once rather than at expiry. */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    try {
      for (const counter of this.mine.keys()) await this.redis.hdel(this.key(counter), this.id);
      await this.redis.del(this.aliveKey);
    } catch {
      // Redis away: the parts expire with the liveness key
    }
    this.mine.clear();
    this.redis.disconnect();
  }

  /** Test hook for a process that dies: stops beating and goes, leaving its parts for expiry to clear. */
  abandon(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.redis.disconnect();
  }
}

interface Scripts {
  msReserve(key: string, id: string, max: number, alivePrefix: string): Promise<number>;
  msTotal(key: string, alivePrefix: string): Promise<number>;
}

/**
 * The live total of a counter hash, dropping fields of processes whose liveness key expired.
 * (The liveness keys are named from the fields, so this runs on one Redis, not a cluster.)
 */
const LIVE_TOTAL = `
local function live_total(key, alive_prefix)
  local fields = redis.call('HGETALL', key)
  local total = 0
  for i = 1, #fields, 2 do
    if redis.call('EXISTS', alive_prefix .. fields[i]) == 1 then
      total = total + tonumber(fields[i + 1])
    else
      redis.call('HDEL', key, fields[i])
    end
  end
  return total
end
`;

/** -(total + 1) when the counter is full; the new total otherwise. Atomic: two processes never both take the last one. */
const RESERVE = `${LIVE_TOTAL}
local total = live_total(KEYS[1], ARGV[3])
if total >= tonumber(ARGV[2]) then return -(total + 1) end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return total + 1
`;

const TOTAL = `${LIVE_TOTAL}
return live_total(KEYS[1], ARGV[1])
`;
