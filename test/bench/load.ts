/**
 * Part of `npm run bench` (never a test): the same workload against our relay,
 * the reference y-websocket server (@y/websocket-server 0.1.1) and
 * @hocuspocus/server 4 (with its own provider), each in its own process on
 * loopback. N connections across rooms of ROOM_SIZE; every client edits and
 * sends presence at a set rate. Measured: edit → peer fan-out latency, durable
 * ack latency (ours only: the others store nothing), server RSS and CPU, and
 * RSS growth per connection once all are synced (no GC, so it includes the young generation the
 * handshakes grew; what an idle connection itself keeps is test/bench/idle-memory.ts). Bounded in count (LOAD_MAX_N) and time (LOAD_SECONDS per run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { MESSAGE_DURABLE_ACK } from '../../src/protocol/messages.js';
import { summarize } from './stats.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const SECONDS = Number(process.env.LOAD_SECONDS ?? 8);
const ROOM_SIZE = Number(process.env.LOAD_ROOM_SIZE ?? 10);
const EDIT_EVERY_MS = Number(process.env.LOAD_EDIT_EVERY_MS ?? 2000);
const AWARENESS_EVERY_MS = Number(process.env.LOAD_AWARENESS_EVERY_MS ?? 2000);
const MAX_N = Number(process.env.LOAD_MAX_N ?? 3000);
const SCALES = (process.env.LOAD_SCALES ?? '100,1000').split(',').map(Number);

type Kind = 'ours' | 'y-websocket-server' | 'hocuspocus';

interface ServerProc {
  proc: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

async function startServer(kind: Kind): Promise<ServerProc> {
  const script = kind === 'ours' ? 'server/main.ts' : kind === 'hocuspocus' ? 'test/bench/peers/hocuspocus.ts' : 'test/bench/peers/y-websocket-server.ts';
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'ms-load-')),
    MAX_CONNECTIONS_PER_IP: '100000',
    // One load generator on one address opens every connection and every room.
    MAX_CONNECTIONS: '100000',
    MAX_ROOM_LOADS_PER_IP: '100000',
    MAX_ROOMS: '100000',
    // The generator's plain y-websocket clients write to open (unkeyed) workbooks.
    OPEN_WORKBOOKS_WRITABLE: '1',
  };
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stderr!.resume();
  const port = await new Promise<number>((res, rej) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    proc.once('exit', (code) => rej(new Error(`${kind} exited ${code}`)));
  });
  proc.stdout!.resume();
  return {
    proc,
    port,
    stop: () =>
      new Promise((res) => {
        if (proc.exitCode !== null) return res();
        proc.once('exit', () => res());
        proc.kill('SIGKILL');
      }),
  };
}

/** Resident memory and total CPU seconds of a process, from /proc. */
function usage(pid: number): { rss: number; cpu: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { rss, cpu: ticks / 100 };
}

interface Client {
  doc: Y.Doc;
  synced: Promise<void>;
  awareness: { setLocalStateField(k: string, v: unknown): void };
  destroy(): void;
  /** our relay only: time of each local update waiting for its durable ack, by clock */
  unacked: { clock: number; at: number }[];
}

function connect(kind: Kind, port: number, room: string, acks: number[]): Client {
  const doc = new Y.Doc();
  const unacked: { clock: number; at: number }[] = [];
  doc.on('update', (_u: Uint8Array, origin: unknown) => {
    if (origin === null || origin === undefined) unacked.push({ clock: Y.getState(doc.store, doc.clientID), at: performance.now() });
  });
  if (kind === 'hocuspocus') {
    let resolveSynced = () => {};
    const synced = new Promise<void>((r) => (resolveSynced = r));
    // One socket per client, as with the other servers (Hocuspocus could multiplex documents on one).
    const socket = new HocuspocusProviderWebsocket({ url: `ws://127.0.0.1:${port}`, WebSocketPolyfill: WebSocket });
    const provider = new HocuspocusProvider({ websocketProvider: socket, name: room, document: doc, onSynced: () => resolveSynced() });
    provider.attach();
    return {
      doc,
      synced,
      awareness: provider.awareness!,
      destroy: () => {
        provider.destroy();
        socket.destroy();
      },
      unacked,
    };
  }
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}${kind === 'ours' ? '/sync' : ''}`, room, doc, {
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
  return { doc, synced, awareness: provider.awareness, destroy: () => provider.destroy(), unacked };
}

interface RunResult {
  n: number;
  fanout: ReturnType<typeof summarize> | null;
  ack: ReturnType<typeof summarize> | null;
  rssMb: number;
  cpuPct: number;
  idleBytesPerConn: number;
  delivered: number;
}

async function run(kind: Kind, n: number): Promise<RunResult> {
  const server = await startServer(kind);
  const base = usage(server.proc.pid!);
  const latencies: number[] = [];
  const acks: number[] = [];
  const clients: Client[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const c = connect(kind, server.port, `load-room-${String(Math.floor(i / ROOM_SIZE)).padStart(5, '0')}`, acks);
      clients.push(c);
      // Connect in waves so the handshakes themselves are not the measurement.
      if (i % 50 === 49) await Promise.all(clients.slice(i - 49, i + 1).map((x) => x.synced));
    }
    await Promise.all(clients.map((c) => c.synced));
    const idle = usage(server.proc.pid!);
    const idleBytesPerConn = (idle.rss - base.rss) / n;
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
    const start = usage(server.proc.pid!);
    const t0 = performance.now();
    const timers = clients.flatMap((c, i) => [
      setTimeout(
        () =>
          timers.push(
            setInterval(() => c.doc.getMap('bench').set(String(c.doc.clientID), performance.now()), EDIT_EVERY_MS),
            setInterval(() => c.awareness.setLocalStateField('cursor', { at: performance.now() }), AWARENESS_EVERY_MS),
          ),
        (i * 37) % EDIT_EVERY_MS,
      ),
    ]);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    timers.forEach((t) => clearInterval(t));
    const end = usage(server.proc.pid!);
    const elapsed = (performance.now() - t0) / 1000;
    return {
      n,
      fanout: latencies.length ? summarize(latencies) : null,
      ack: acks.length ? summarize(acks) : null,
      rssMb: end.rss / 1024 / 1024,
      cpuPct: ((end.cpu - start.cpu) / elapsed) * 100,
      idleBytesPerConn,
      delivered: latencies.length,
    };
  } finally {
    clients.forEach((c) => c.destroy());
    await server.stop();
  }
}

function line(kind: Kind, r: RunResult): string {
  const f = r.fanout;
  const a = r.ack;
  return (
    `${kind.padEnd(20)} N=${String(r.n).padStart(5)}  fan-out p50 ${f ? f.median.toFixed(1) : '—'} ms  p99 ${f ? f.p99.toFixed(1) : '—'} ms  (${r.delivered} deliveries)` +
    `  ack p50 ${a ? a.median.toFixed(1) : '—'} p99 ${a ? a.p99.toFixed(1) : '—'} ms  RSS ${r.rssMb.toFixed(0)} MB  CPU ${r.cpuPct.toFixed(0)}%  idle RSS +${(r.idleBytesPerConn / 1024).toFixed(1)} KB/conn (just synced, see idle-memory)`
  );
}

// Every spawned server adds exit listeners to this process; there are many runs.
process.setMaxListeners(100);
const kinds = (process.env.LOAD_KINDS ?? 'ours,y-websocket-server,hocuspocus').split(',') as Kind[];
console.log(
  `\n# Load: rooms of ${ROOM_SIZE}, each client edits every ${EDIT_EVERY_MS} ms and sends presence every ${AWARENESS_EVERY_MS} ms, ${SECONDS} s per run; load generator and server share this 2-core machine`,
);
const results = new Map<string, RunResult>();
for (const n of SCALES) {
  for (const kind of kinds) {
    const r = await run(kind, n);
    results.set(`${kind}/${n}`, r);
    console.log(line(kind, r));
  }
  const ours = results.get(`ours/${n}`)!;
  for (const peer of kinds.slice(1)) {
    const p = results.get(`${peer}/${n}`)!;
    if (ours.fanout && p.fanout) {
      console.log(
        `  ratio ours/${peer} at N=${n}: fan-out p50 ${(ours.fanout.median / p.fanout.median).toFixed(2)}×, p99 ${(ours.fanout.p99 / p.fanout.p99).toFixed(2)}×, RSS ${(ours.rssMb / p.rssMb).toFixed(2)}×, CPU ${(ours.cpuPct / Math.max(1, p.cpuPct)).toFixed(2)}×`,
      );
    }
  }
}
// The largest N at which each server keeps fan-out p99 under 100 ms: from the largest scale,
// up by half-steps while it holds, or down by halves while it does not (at most 3 more runs each).
const holds = (r: RunResult) => !!r.fanout && r.fanout.p99 < 100;
for (const kind of kinds) {
  const top = Math.max(...SCALES);
  let best = SCALES.filter((n) => holds(results.get(`${kind}/${n}`)!)).reduce((a, b) => Math.max(a, b), 0);
  const up = holds(results.get(`${kind}/${top}`)!);
  let n = up ? Math.round(top * 1.5) : Math.round(top / 2);
  for (let step = 0; step < 3 && n <= MAX_N && n >= 10; step++) {
    const r = await run(kind, n);
    console.log(line(kind, r));
    if (holds(r)) {
      best = Math.max(best, n);
      if (!up) break;
      n = Math.round(n * 1.5);
    } else {
      if (up) break;
      n = Math.round(n / 2);
    }
  }
  console.log(`  ${kind}: largest N tried with fan-out p99 < 100 ms: ${best || 'none'}`);
}
process.exit(0);
