/**
 * Part of `npm run bench` (never a test): what one idle connection costs our hub. The hub runs in a
 * child process of this script (`hub` mode: createRelay on SQLite as server/main.ts builds it, under
 * tsx, with --expose-gc); this process opens IDLE_N plain y-websocket clients in rooms of
 * IDLE_ROOM_SIZE and asks the hub for its memory after a full collection, against a hub with none:
 * V8 heap in use, heap reserved, outside the heap (Buffers), resident. Resident memory right after
 * the handshakes mostly measures V8's young generation, which they grow (up to 32 MB, once, however
 * many connect) and which V8 gives back a few seconds after allocation stops; so the figure that
 * counts is taken after the hub has been idle IDLE_SETTLE_MS. Then IDLE_N more connect (each one's
 * cost with the young generation already grown), everyone leaves, and the hub's own /healthz must
 * show every room unloaded; what stays is printed as left behind. Median of IDLE_RUNS fresh hubs.
 * IDLE_SNAPSHOTS=<dir> writes heap snapshots (before, idle, after) of the first run, to diff by
 * constructor; IDLE_NODE_FLAGS passes V8 flags to the hub (e.g. --max-semi-space-size=1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { MESSAGE_DURABLE_ACK } from '../../src/protocol/messages.js';

const N = Number(process.env.IDLE_N ?? 1000);
const ROOM_SIZE = Number(process.env.IDLE_ROOM_SIZE ?? 20);
const RUNS = Number(process.env.IDLE_RUNS ?? 3);
const SETTLE_MS = Number(process.env.IDLE_SETTLE_MS ?? 20_000);

interface Memory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  rss: number;
}

async function hub(): Promise<void> {
  const { configFromEnv } = await import('../../server/config.js');
  const { createRelay } = await import('../../server/relay.js');
  const { SqliteStore } = await import('../../server/store.js');
  const { silentLogger } = await import('../../server/log.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'ms-idle-memory-'));
  const config = configFromEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ROOM_GRACE_MS: '200',
    OPEN_WORKBOOKS_WRITABLE: '1',
    // one client process on one address opens every connection and every room
    MAX_CONNECTIONS: '100000',
    MAX_CONNECTIONS_PER_IP: '100000',
    MAX_ROOM_LOADS_PER_IP: '100000',
    MAX_ROOMS: '100000',
  });
  const relay = createRelay(config, new SqliteStore(dataDir), silentLogger);
  const { port } = await relay.listen();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the hub runs with --expose-gc');
  process.stdout.write(`LISTENING ${port}\n`);
  process.stdin.on('data', (d) => {
    const [command, file] = String(d).trim().split(' ');
    if (command === 'snapshot' && file) writeHeapSnapshot(file);
    // twice: the first may leave what finalizers freed for the second
    gc();
    gc();
    const m = process.memoryUsage();
    process.stdout.write(`MEM ${JSON.stringify({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, rss: m.rss })}\n`);
  });
}

/** Lines of a child's stdout, one at a time, in order. */
function lineReader(proc: ChildProcess): () => Promise<string> {
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buf = '';
  proc.stdout!.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  return () => (lines.length ? Promise.resolve(lines.shift()!) : new Promise<string>((r) => waiters.push(r)));
}

async function healthz(port: number): Promise<{ rooms: number; idleRooms: number; connections: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return (await res.json()) as { rooms: number; idleRooms: number; connections: number };
}

interface RunResult {
  /** the first N connections, at once when they are synced */
  synced: Memory;
  /** the same, once the hub has been idle IDLE_SETTLE_MS: V8 gives back the young generation the handshakes grew */
  settled: Memory;
  /** N more on top, at once: each one's cost with the young generation already grown (paid once, not per connection) */
  next: Memory;
  /** after everyone left and every room was unloaded, against the start */
  leftBehind: Memory;
  health: { rooms: number; idleRooms: number; connections: number };
}

const minus = (a: Memory, b: Memory): Memory => ({ heapUsed: a.heapUsed - b.heapUsed, heapTotal: a.heapTotal - b.heapTotal, external: a.external - b.external, rss: a.rss - b.rss });

async function run(snapshotDir: string | undefined): Promise<RunResult> {
  const root = resolve(fileURLToPath(import.meta.url), '../../..');
  const flags = (process.env.IDLE_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, ['--expose-gc', ...flags, '--import', 'tsx', join(root, 'test/bench/idle-memory.ts'), 'hub'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const nextLine = lineReader(proc);
    const port = Number((await nextLine()).split(' ')[1]);
    const memory = async (snapshot?: string): Promise<Memory> => {
      proc.stdin!.write(snapshot ? `snapshot ${join(snapshotDir!, snapshot)}\n` : 'measure\n');
      return JSON.parse((await nextLine()).slice('MEM '.length)) as Memory;
    };
    const snap = (name: string) => (snapshotDir ? name : undefined);
    // The hub left alone: V8's memory reducer shrinks the heap some seconds after allocation stops (nothing waits on an event for it).
    const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
    const roomsGone = async () => {
      for (;;) {
        const h = await healthz(port);
        if (h.rooms === 0 && h.connections === 0) return;
        await new Promise((r) => setImmediate(r));
      }
    };
    // One connection through first, so code loaded and compiled on first use is not counted per connection.
    const warm = new WebsocketProvider(`ws://127.0.0.1:${port}/sync`, 'idle-warm-up', new Y.Doc(), { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true });
    warm.messageHandlers[MESSAGE_DURABLE_ACK] = () => {};
    await new Promise<void>((r) => warm.once('sync', () => r()));
    warm.destroy();
    await roomsGone();
    await settle();
    const before = await memory(snap('before.heapsnapshot'));
    const providers: WebsocketProvider[] = [];
    const synced = (p: WebsocketProvider) => new Promise<void>((r) => (p.synced ? r() : p.once('sync', () => r())));
    const openBatch = async () => {
      for (let k = 0; k < N; k++) {
        const i = providers.length;
        const room = `idle-room-${String(Math.floor(i / ROOM_SIZE)).padStart(5, '0')}`;
        const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/sync`, room, new Y.Doc(), { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true });
        // our durable acks: not something a plain y-websocket client knows
        provider.messageHandlers[MESSAGE_DURABLE_ACK] = () => {};
        providers.push(provider);
        // in waves, so the hub is not measured mid-handshake
        if (k % 50 === 49) await Promise.all(providers.slice(i - 49).map(synced));
      }
      await Promise.all(providers.map(synced));
    };
    await openBatch();
    const synced1 = await memory();
    await settle();
    const settled = await memory(snap('idle.heapsnapshot'));
    const health = await healthz(port);
    await openBatch();
    const synced2 = await memory();
    providers.forEach((p) => p.destroy());
    // Idle rooms leave memory: the hub's own /healthz says when.
    await roomsGone();
    const after = await memory(snap('after.heapsnapshot'));
    return { synced: minus(synced1, before), settled: minus(settled, before), next: minus(synced2, settled), leftBehind: minus(after, before), health };
  } finally {
    proc.kill('SIGKILL');
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const results: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await run(i === 0 ? process.env.IDLE_SNAPSHOTS : undefined));
  const kb = (of: (r: RunResult) => Memory, pick: (m: Memory) => number, per = N) => `${(median(results.map((r) => pick(of(r)))) / per / 1024).toFixed(1)} KB`;
  const figures = (of: (r: RunResult) => Memory) =>
    `heap ${kb(of, (m) => m.heapUsed)}/conn (reserved ${kb(of, (m) => m.heapTotal)})  outside heap ${kb(of, (m) => m.external)}/conn  RSS ${kb(of, (m) => m.rss)}/conn`;
  const h = results[0].health;
  console.log(`\n# Memory per idle connection: ${N} y-websocket clients in rooms of ${ROOM_SIZE}, then ${N} more; after a full GC, median of ${RUNS} hubs`);
  console.log(`ours idle ${SETTLE_MS / 1000} s: ${figures((r) => r.settled)}  [healthz: ${h.connections} connections, ${h.rooms} rooms]`);
  console.log(`  just synced:         ${figures((r) => r.synced)}`);
  console.log(`  the next ${N}, synced: ${figures((r) => r.next)}`);
  console.log(`  everyone gone, every room unloaded: heap ${kb((r) => r.leftBehind, (m) => m.heapUsed, 1)} left behind in all (compiled code), RSS ${kb((r) => r.leftBehind, (m) => m.rss, 1)}`);
}

if (process.argv[2] === 'hub') await hub();
else {
  await main();
  process.exit(0);
}
