/**
 * The hosted hub under load (issue 19; never a test): the workload of load.ts — N connections in
 * rooms of ROOM_SIZE, each client editing and sending presence at a set rate — against 1, 2 and 4
 * hub processes on one Postgres and one Redis, the clients of each room spread over the processes
 * (so most deliveries cross Redis). Measured: edit → peer fan-out latency, durable ack latency
 * (committed in Postgres), edits per second, CPU of the hubs, Postgres and Redis.
 *   npx tsx test/bench/hosted-load.ts        (HOSTED_PROCESSES=1,2,4 LOAD_SCALES=200,600 LOAD_SECONDS=8)
 */
import { readFileSync, readdirSync } from 'node:fs';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import { MESSAGE_DURABLE_ACK } from '../../src/protocol/messages.js';
import { startPostgres } from '../support/postgres.js';
import { startRedis } from '../support/redis.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { summarize } from './stats.js';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 8);
const ROOM_SIZE = Number(process.env.LOAD_ROOM_SIZE ?? 10);
const EDIT_EVERY_MS = Number(process.env.LOAD_EDIT_EVERY_MS ?? 2000);
const AWARENESS_EVERY_MS = Number(process.env.LOAD_AWARENESS_EVERY_MS ?? 2000);
const SCALES = (process.env.LOAD_SCALES ?? '200,600').split(',').map(Number);
const PROCESSES = (process.env.HOSTED_PROCESSES ?? '1,2,4').split(',').map(Number);
/** `member`: a room's members spread over the processes (the worst case); `room`: each room on one process, as a proxy hashing the workbook's path would put them */
const SPREAD = process.env.HOSTED_SPREAD === 'room' ? 'room' : 'member';

/** Total CPU seconds of a process and its children's threads, from /proc. */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(stat[11]) + Number(stat[12])) / 100;
  } catch {
    return 0;
  }
}

/** Every process whose command line names `needle` (Postgres forks a backend per connection). */
function pidsNamed(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function childrenOf(parents: number[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (parents.includes(ppid)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

interface Client {
  doc: Y.Doc;
  synced: Promise<void>;
  provider: WebsocketProvider;
  unacked: { clock: number; at: number }[];
}

function connect(port: number, room: string, acks: number[]): Client {
  const doc = new Y.Doc();
  const unacked: { clock: number; at: number }[] = [];
  doc.on('update', (_u: Uint8Array, origin: unknown) => {
    if (origin === null || origin === undefined) unacked.push({ clock: Y.getState(doc.store, doc.clientID), at: performance.now() });
  });
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/sync`, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  provider.messageHandlers[MESSAGE_DURABLE_ACK] = (_enc, dec) => {
    const clock = Y.decodeStateVector(decoding.readVarUint8Array(dec)).get(doc.clientID);
    if (clock === undefined) return;
    const now = performance.now();
    while (unacked.length && unacked[0].clock <= clock) acks.push(now - unacked.shift()!.at);
  };
  const synced = new Promise<void>((r) => provider.once('sync', () => r()));
  return { doc, synced, provider, unacked };
}

const pg = await startPostgres();
const redis = await startRedis();
const env = {
  DATABASE_URL: pg.url,
  REDIS_URL: redis.url,
  MAX_CONNECTIONS_PER_IP: '100000',
  MAX_CONNECTIONS: '100000',
  MAX_ROOM_LOADS_PER_IP: '100000',
  MAX_ROOMS: '100000',
};
let runNo = 0;

async function run(processes: number, n: number) {
  // rooms of their own per run, so no run reloads another's
  const prefix = `r${runNo++}`;
  const hubs: RelayProcess[] = await Promise.all(Array.from({ length: processes }, () => startRelay({ env })));
  // the postmaster (its arguments name the port) and the backends it forked
  const postmaster = pidsNamed(`-p\0${pg.port}\0`).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('/'));
  const pgAll = () => [...postmaster, ...childrenOf(postmaster)];
  const latencies: number[] = [];
  const acks: number[] = [];
  const clients: Client[] = [];
  try {
    for (let i = 0; i < n; i++) {
      // member: client i goes to process i mod P, so a room's edits reach most of its members through Redis
      const c = connect(hubs[(SPREAD === 'room' ? Math.floor(i / ROOM_SIZE) : i) % processes].port, `${prefix}-room-${String(Math.floor(i / ROOM_SIZE)).padStart(5, '0')}`, acks);
      clients.push(c);
      if (i % 50 === 49) await Promise.all(clients.slice(i - 49, i + 1).map((x) => x.synced));
    }
    await Promise.all(clients.map((c) => c.synced));
    for (const c of clients) {
      c.doc.getMap('bench').observe((e, tr) => {
        if (tr.local) return;
        const now = performance.now();
        for (const key of e.keysChanged) {
          const sent = c.doc.getMap('bench').get(key);
          if (typeof sent === 'number') latencies.push(now - sent);
        }
      });
    }
    const cpu = () => ({
      hubs: hubs.reduce((s, h) => s + cpuOf(h.proc.pid!), 0),
      pg: pgAll().reduce((s, p) => s + cpuOf(p), 0),
      redis: pidsNamed(`:${redis.port}`).reduce((s, p) => s + cpuOf(p), 0),
    });
    const before = cpu();
    const t0 = performance.now();
    let edits = 0;
    const timers: NodeJS.Timeout[] = [];
    clients.forEach((c, i) =>
      timers.push(
        setTimeout(
          () =>
            timers.push(
              setInterval(() => {
                edits++;
                c.doc.getMap('bench').set(String(c.doc.clientID), performance.now());
              }, EDIT_EVERY_MS),
              setInterval(() => c.provider.awareness.setLocalStateField('cursor', { at: performance.now() }), AWARENESS_EVERY_MS),
            ),
          (i * 37) % EDIT_EVERY_MS,
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    timers.forEach((t) => clearInterval(t));
    const elapsed = (performance.now() - t0) / 1000;
    const after = cpu();
    const f = latencies.length ? summarize(latencies) : null;
    const a = acks.length ? summarize(acks) : null;
    const pct = (k: 'hubs' | 'pg' | 'redis') => (((after[k] - before[k]) / elapsed) * 100).toFixed(0);
    console.log(
      `P=${processes} N=${String(n).padStart(4)}  edits/s ${(edits / elapsed).toFixed(0).padStart(4)}  deliveries/s ${(latencies.length / elapsed).toFixed(0).padStart(5)}` +
        `  fan-out p50 ${f ? f.median.toFixed(1) : '—'} p99 ${f ? f.p99.toFixed(1) : '—'} ms  ack p50 ${a ? a.median.toFixed(1) : '—'} p99 ${a ? a.p99.toFixed(1) : '—'} ms` +
        `  CPU hubs ${pct('hubs')}% postgres ${pct('pg')}% redis ${pct('redis')}%`,
    );
    return { f, a };
  } finally {
    clients.forEach((c) => c.provider.destroy());
    await Promise.all(hubs.map((h) => h.stop('SIGKILL')));
  }
}

console.log(
  `\n# Hosted hub load: rooms of ${ROOM_SIZE}, ${SPREAD === 'room' ? 'each room on one of P processes' : "each room's members spread over P processes"}, each client edits every ${EDIT_EVERY_MS} ms and sends presence every ${AWARENESS_EVERY_MS} ms, ${SECONDS} s per run; generator, hubs, Postgres and Redis share this machine`,
);
// every y-websocket provider adds an exit listener to this process
process.setMaxListeners(0);
try {
  for (const n of SCALES) for (const p of PROCESSES) await run(p, n);
} finally {
  await pg.destroy();
  await redis.destroy();
}
process.exit(0);
