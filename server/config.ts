import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface RelayConfig {
  host: string;
  port: number;
  dataDir: string;
  /** the built app (vite's dist/) */
  staticDir: string;
  /** largest accepted WebSocket frame, bytes */
  maxFrameBytes: number;
  /** largest message reassembled from fragments (one big Yjs update), bytes */
  maxMessageBytes: number;
  /** how long an empty room stays loaded, so a quick reload does not reload from disk */
  roomGraceMs: number;
  compactAfterUpdates: number;
  compactAfterBytes: number;
  /** automatic snapshots: at most one per this many ms while edits arrive; 0 turns them off */
  autoSnapshotMs: number;
  /** every stored update is kept this long (ms) so any moment in the window can be restored; 0 keeps them forever */
  retainMs: number;
  tls: { cert: string; key: string } | null;
  version: string;
  /** origins besides the hub's own that may open WebSockets (ALLOWED_ORIGINS, comma-separated) */
  allowedOrigins: string[];
  maxMessagesPerSecond: number;
  maxAwarenessPerSecond: number;
  /** one presence state, bytes */
  maxAwarenessBytes: number;
  /** client ids a sync request may list beyond those the workbook has (4416 past it) */
  maxStateVectorClients: number;
  /** structs in one update, and delete ranges in one update (4417 past either) */
  maxUpdateStructs: number;
  /** presence states one connection may set (its own client ids); states it sends for anyone else are dropped */
  maxPresencePerConnection: number;
  /** workbooks held in memory at once; the least recently used is unloaded past this */
  maxRooms: number;
  /** hosted hub: workbooks held in memory by every process together (counted through Redis; one loaded on two processes counts twice) */
  maxRoomsHub: number;
  maxConnectionsPerIp: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  /** a workbook's stored size (snapshot + log), bytes */
  maxDocBytes: number;
  /** memory the hub holds (V8 heap in use + memory outside it: Buffers, ArrayBuffers) above which it sheds what it can instead of growing */
  maxHeapBytes: number;
  /**
   * the older, resident-memory ceiling (MAX_RSS_BYTES), honoured only when set: resident memory
   * stays high after memory is freed, so this one can go on shedding after the pressure is gone
   */
  maxRssBytes: number | null;
  /** how often held (and, if set, resident) memory is compared with its ceiling */
  memoryCheckMs: number;
  /** every connection's unfinished fragmented messages together, bytes; past it a connection is told to try again (1013) */
  maxReassemblyBytes: number;
  /** a fragmented message must complete this soon after its first fragment, ms (else close 4410) */
  fragmentTimeoutMs: number;
  /** WebSocket connections at once, from every address together (503 at the handshake past it) */
  maxConnections: number;
  /**
   * What the hub holds written but unread for one connection, past the largest single message it
   * sent it: a device that stops reading (or reads slower than its room writes) is dropped there
   * (4508), not buffered for without end; it reconnects and syncs what it lacks.
   */
  maxBufferedBytes: number;
  /** workbooks one address may load into memory per minute (close 4429 past it); reopening a loaded one is free */
  maxRoomLoadsPerIpPerMinute: number;
  /** snapshots one workbook may take per hour (named, by people; 429 past it) */
  maxSnapshotsPerHour: number;
  /** snapshots one address may take per hour, over every workbook (429 past it) */
  maxSnapshotsPerHourPerIp: number;
  /** host names besides this computer's own (localhost, its addresses, its hostname) that requests may name (ALLOWED_HOSTS) */
  allowedHosts: string[];
  /** store the updates of one event-loop turn in one transaction (one fsync) */
  groupCommit: boolean;
  /**
   * open (unkeyed, legacy) workbooks take changes from anyone who can reach the hub
   * (OPEN_WORKBOOKS_WRITABLE=1, for plain y-websocket tools and load generators); off by default:
   * they are read-only, and the app offers a secured copy
   */
  openWorkbooksWritable: boolean;
  /**
   * The hosted hub (issue 19): DATABASE_URL (Postgres) and REDIS_URL together; absent (the
   * default), the hub keeps its own SQLite file in DATA_DIR
   */
  hosted?: { databaseUrl: string; redisUrl: string; redisPrefix: string } | null;
  /**
   * addresses of reverse proxies in front of the hub (TRUSTED_PROXIES, comma-separated): for a
   * connection from one of them, the address it names last in X-Forwarded-For is the one limited
   */
  trustedProxies?: string[];
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const DAY_MS = 24 * 3_600_000;

export class ConfigError extends Error {}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${raw}`);
  return n;
}

/** Reads the environment once at start-up; nothing else in server/ looks at process.env. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
  const certPath = env.TLS_CERT;
  const keyPath = env.TLS_KEY;
  if (Boolean(certPath) !== Boolean(keyPath)) throw new ConfigError('set both TLS_CERT and TLS_KEY, or neither');
  const databaseUrl = env.DATABASE_URL || '';
  const redisUrl = env.REDIS_URL || '';
  // One without the other would be a hub that shares its log but not its fan-out (or the reverse).
  if (Boolean(databaseUrl) !== Boolean(redisUrl)) throw new ConfigError('set both DATABASE_URL and REDIS_URL (the hosted hub), or neither');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  return {
    host: env.HOST || '0.0.0.0',
    port: intFrom(env, 'PORT', 8080, 0, 65535),
    dataDir: resolve(env.DATA_DIR || resolve(ROOT, 'data')),
    staticDir: resolve(env.STATIC_DIR || resolve(ROOT, 'dist')),
    maxFrameBytes: intFrom(env, 'MAX_FRAME_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxMessageBytes: intFrom(env, 'MAX_MESSAGE_BYTES', 64 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    roomGraceMs: intFrom(env, 'ROOM_GRACE_MS', 10_000, 0, 3_600_000),
    compactAfterUpdates: intFrom(env, 'COMPACT_AFTER_UPDATES', 500, 1, 10_000_000),
    compactAfterBytes: intFrom(env, 'COMPACT_AFTER_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    autoSnapshotMs: intFrom(env, 'AUTO_SNAPSHOT_MS', 3_600_000, 0, 30 * 24 * 3_600_000),
    retainMs: intFrom(env, 'RETAIN_MS', 90 * DAY_MS, 0, 10 * 365 * DAY_MS),
    tls: certPath && keyPath ? { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') } : null,
    version: pkg.version,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean)
      .map((o) => {
        try {
          return new URL(o).origin;
        } catch {
          throw new ConfigError(`ALLOWED_ORIGINS: ${o} is not an origin like https://sheets.example.org`);
        }
      }),
    maxMessagesPerSecond: intFrom(env, 'MAX_MESSAGES_PER_SECOND', 200, 1, 100_000),
    maxAwarenessPerSecond: intFrom(env, 'MAX_AWARENESS_PER_SECOND', 20, 1, 10_000),
    maxAwarenessBytes: intFrom(env, 'MAX_AWARENESS_BYTES', 4096, 64, 1024 * 1024),
    maxStateVectorClients: intFrom(env, 'MAX_STATE_VECTOR_CLIENTS', 10_000, 1, 10_000_000),
    maxUpdateStructs: intFrom(env, 'MAX_UPDATE_STRUCTS', 1_000_000, 1000, 100_000_000),
    maxPresencePerConnection: intFrom(env, 'MAX_PRESENCE_PER_CONNECTION', 4, 1, 1000),
    maxRooms: intFrom(env, 'MAX_ROOMS', 500, 1, 1_000_000),
    maxRoomsHub: intFrom(env, 'MAX_ROOMS_HUB', 5000, 1, 100_000_000),
    maxConnectionsPerIp: intFrom(env, 'MAX_CONNECTIONS_PER_IP', 200, 1, 1_000_000),
    handshakeTimeoutMs: intFrom(env, 'HANDSHAKE_TIMEOUT_MS', 10_000, 100, 600_000),
    idleTimeoutMs: intFrom(env, 'IDLE_TIMEOUT_MS', 600_000, 1000, 86_400_000),
    maxDocBytes: intFrom(env, 'MAX_DOC_BYTES', 256 * 1024 * 1024, 1024, 8 * 1024 * 1024 * 1024),
    memoryCheckMs: intFrom(env, 'MEMORY_CHECK_MS', 5000, 10, 3_600_000),
    groupCommit: env.GROUP_COMMIT !== '0',
    openWorkbooksWritable: intFrom(env, 'OPEN_WORKBOOKS_WRITABLE', 0, 0, 1) === 1,
    maxHeapBytes: intFrom(env, 'MAX_HEAP_BYTES', 1536 * 1024 * 1024, 16 * 1024 * 1024, 1024 * 1024 * 1024 * 1024),
    maxRssBytes: env.MAX_RSS_BYTES ? intFrom(env, 'MAX_RSS_BYTES', 0, 16 * 1024 * 1024, 1024 * 1024 * 1024 * 1024) : null,
    maxReassemblyBytes: intFrom(env, 'MAX_REASSEMBLY_BYTES', 256 * 1024 * 1024, 1024, 1024 * 1024 * 1024 * 1024),
    fragmentTimeoutMs: intFrom(env, 'FRAGMENT_TIMEOUT_MS', 120_000, 100, 3_600_000),
    maxConnections: intFrom(env, 'MAX_CONNECTIONS', 1000, 1, 1_000_000),
    maxBufferedBytes: intFrom(env, 'MAX_BUFFERED_BYTES', 16 * 1024 * 1024, 64 * 1024, 4 * 1024 * 1024 * 1024),
    maxRoomLoadsPerIpPerMinute: intFrom(env, 'MAX_ROOM_LOADS_PER_IP', 120, 1, 1_000_000),
    maxSnapshotsPerHour: intFrom(env, 'MAX_SNAPSHOTS_PER_HOUR', 20, 1, 1_000_000),
    maxSnapshotsPerHourPerIp: intFrom(env, 'MAX_SNAPSHOTS_PER_HOUR_PER_IP', 60, 1, 1_000_000),
    allowedHosts: (env.ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean)
      .map((h) => {
        if (!/^[a-z0-9.-]+$/.test(h) && !/^\[[0-9a-f:.]+\]$/.test(h)) throw new ConfigError(`ALLOWED_HOSTS: ${h} is not a host name like sheets.example.org (no scheme, no port)`);
        return h;
      }),
    trustedProxies: (env.TRUSTED_PROXIES ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
      .map((a) => {
        if (isIP(a) === 0) throw new ConfigError(`TRUSTED_PROXIES: ${a} is not an IP address like 127.0.0.1`);
        return a;
      }),
    hosted: databaseUrl ? { databaseUrl, redisUrl, redisPrefix: env.REDIS_PREFIX || 'ms:' } : null,
  };
}
