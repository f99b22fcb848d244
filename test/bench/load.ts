/**
 * Part of `npm run bench` (never a test): relay fan-out under load, our hub against the reference
 * y-websocket server (@y/websocket-server 0.1.1, in memory; it stores nothing) and, when asked
 * (LOAD_KINDS=…,hocuspocus), @hocuspocus/server, and two floors: test/bench/peers/floor.ts forwards
 * update bytes unread, drops presence and stores nothing (what this machine and the generators
 * cost with next to no server at all, the lowest p99 any server could show here), and
 * floor-presence.ts also forwards each newer presence state as the reference does, with no doc
 * behind it (the lowest p99 a server doing the reference's job could show). Each server runs in its own process on loopback
 * for the whole bench; the clients are split over LOAD_WORKERS generator processes
 * (test/bench/load-worker.ts: raw ws clients speaking the y-websocket protocol), each holding
 * whole rooms, so latency is measured send → receipt on one process's monotonic clock.
 *
 * Runs alternate between the kinds (ours, reference, reference, ours, …) at each scale, so a
 * change in the machine's load falls on both; each round's ratio ours/reference is of runs made
 * side by side. Reported per kind: the median over rounds of each run's p50/p95/p99 fan-out
 * latency, the durable ack latency (ours only), server CPU and RSS, and the generators' CPU (a
 * generator near 100% would make the figures its own, not the server's). Deliveries are counted
 * against what was expected (every edit to every other member of its room).
 *
 * Defaults are the relay goal's workload (issue 18): rooms of 20, each client editing every
 * 4,000 ms (5 edits/s per room) and sending presence every 2,000 ms, at 100 and 1,000 connections
 * (5 and 50 rooms), 3 rounds, 1 s warm-up and 4 s measured per run: under 2 min in all.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from './stats.js';
import type { FromWorker, Kind, ToWorker } from './load-worker.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const MEASURE_MS = Number(process.env.LOAD_SECONDS ?? 4) * 1000;
const WARMUP_MS = Number(process.env.LOAD_WARMUP_MS ?? 1000);
const ROOM_SIZE = Number(process.env.LOAD_ROOM_SIZE ?? 20);
const EDIT_EVERY_MS = Number(process.env.LOAD_EDIT_EVERY_MS ?? 4000);
const AWARENESS_EVERY_MS = Number(process.env.LOAD_AWARENESS_EVERY_MS ?? 2000);
const SCALES = (process.env.LOAD_SCALES ?? '100,1000').split(',').map(Number);
const ROUNDS = Number(process.env.LOAD_RUNS ?? 3);
const WORKERS = Number(process.env.LOAD_WORKERS ?? 2);
const ECHO = process.env.LOAD_PRESENCE_ECHO !== '0';
const KINDS = (process.env.LOAD_KINDS ?? 'ours,y-websocket-server,floor,floor-presence').split(',') as Kind[];
/**
 * LOAD_PIN=1: each server on CPU 0 and the generators on CPU 1 (Linux `taskset`), so a server's
 * tail is its own work and the loopback's, not the generators' time on its core. Off by default:
 * a hub shares its machine in the field too.
 */
const PIN = process.env.LOAD_PIN === '1';
function pin(pid: number | undefined, cpu: number): void {
  if (PIN && pid) execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

interface ServerProc {
  proc: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

async function startServer(kind: Kind): Promise<ServerProc> {
  const script = { ours: 'server/main.ts', hocuspocus: 'test/bench/peers/hocuspocus.ts', floor: 'test/bench/peers/floor.ts', 'floor-presence': 'test/bench/peers/floor-presence.ts', 'y-websocket-server': 'test/bench/peers/y-websocket-server.ts' }[kind];
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'ms-load-')),
    // The generators open every connection and every room from one address.
    MAX_CONNECTIONS_PER_IP: '100000',
    MAX_CONNECTIONS: '100000',
    MAX_ROOM_LOADS_PER_IP: '100000',
    MAX_ROOMS: '100000',
    // A run's rooms leave memory as soon as it ends (compacted then), not during the next run.
    ROOM_GRACE_MS: '0',
    // The generators' plain y-websocket clients write to open (unkeyed) workbooks.
    OPEN_WORKBOOKS_WRITABLE: '1',
  };
  // LOAD_OURS_DIR: our hub from another checkout (a before/after comparison on the same generators).
  const dir = kind === 'ours' && process.env.LOAD_OURS_DIR ? resolve(process.env.LOAD_OURS_DIR) : ROOT;
  const proc = spawn(process.execPath, ['--import', 'tsx', ...(process.env.LOAD_SERVER_ARGS ?? '').split(' ').filter(Boolean), join(dir, script)], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stderr!.resume();
  pin(proc.pid, 0);
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
        // SIGINT: our hub shuts down cleanly (a --cpu-prof profile is written on a clean exit).
        proc.kill('SIGINT');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Resident memory and total CPU seconds of a process, from /proc. */
function usage(pid: number): { rss: number; cpu: number; sys: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { rss, cpu: (Number(stat[11]) + Number(stat[12])) / 100, sys: Number(stat[12]) / 100 };
}

interface Worker {
  proc: ChildProcess;
  next(): Promise<FromWorker>;
  send(m: ToWorker): void;
}

function startWorker(): Worker {
  const proc = fork(join(ROOT, 'test/bench/load-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  pin(proc.pid, 1);
  const inbox: FromWorker[] = [];
  let waiting: ((m: FromWorker) => void) | null = null;
  proc.on('message', (m: FromWorker) => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(m);
    } else inbox.push(m);
  });
  return {
    proc,
    send: (m) => proc.send(m),
    next: () =>
      inbox.length
        ? Promise.resolve(inbox.shift()!)
        : new Promise((res, rej) => {
            waiting = res;
            proc.once('exit', (code) => rej(new Error(`load worker exited ${code}`)));
          }),
  };
}

interface RunResult {
  fanout: ReturnType<typeof summarize> | null;
  ack: ReturnType<typeof summarize> | null;
  delivered: number;
  expected: number;
  serverCpuPct: number;
  /** the part of serverCpuPct spent in the kernel (socket writes on loopback, fsync) */
  serverSysPct: number;
  rssMb: number;
  /** RSS growth per connection once all are synced (young generation included; see idle-memory.ts) */
  syncedKbPerConn: number;
  workerCpuPct: number[];
}

let runCount = 0;

async function run(kind: Kind, server: ServerProc, n: number): Promise<RunResult> {
  const rooms = Array.from({ length: Math.ceil(n / ROOM_SIZE) }, (_, r) => `load-${String(runCount).padStart(3, '0')}-room-${String(r).padStart(5, '0')}`);
  runCount++;
  const workers = Array.from({ length: Math.min(WORKERS, rooms.length) }, startWorker);
  try {
    const before = usage(server.proc.pid!);
    workers.forEach((w, i) =>
      w.send({ type: 'connect', kind, port: server.port, rooms: rooms.filter((_, r) => r % workers.length === i), roomSize: ROOM_SIZE }),
    );
    for (const w of workers) await w.next();
    const synced = usage(server.proc.pid!);
    for (const w of workers) w.send({ type: 'go', editEveryMs: EDIT_EVERY_MS, awarenessEveryMs: AWARENESS_EVERY_MS, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, echo: ECHO });
    // The server's CPU over the measured window only (the workers measure theirs over the same).
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const m0 = usage(server.proc.pid!);
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const m1 = usage(server.proc.pid!);
    const results: Extract<FromWorker, { type: 'result' }>[] = [];
    for (const w of workers) {
      const m = await w.next();
      if (m.type === 'result') results.push(m);
    }
    const fanout = results.flatMap((r) => r.fanout);
    const acks = results.flatMap((r) => r.acks);
    return {
      fanout: fanout.length ? summarize(fanout) : null,
      ack: acks.length ? summarize(acks) : null,
      delivered: results.reduce((s, r) => s + r.delivered, 0),
      expected: results.reduce((s, r) => s + r.expected, 0),
      serverCpuPct: ((m1.cpu - m0.cpu) / (MEASURE_MS / 1000)) * 100,
      serverSysPct: ((m1.sys - m0.sys) / (MEASURE_MS / 1000)) * 100,
      rssMb: m1.rss / 1024 / 1024,
      syncedKbPerConn: (synced.rss - before.rss) / n / 1024,
      workerCpuPct: results.map((r) => r.cpuPct),
    };
  } finally {
    for (const w of workers) {
      if (w.proc.exitCode === null) {
        const exited = new Promise((r) => w.proc.once('exit', r));
        w.send({ type: 'stop' });
        await exited;
      }
    }
  }
}

const f1 = (x: number) => x.toFixed(1);
const median = (xs: number[]) => summarize(xs).median;

function line(kind: Kind, n: number, r: RunResult): string {
  const f = r.fanout;
  const a = r.ack;
  return (
    `  ${kind.padEnd(19)} N=${String(n).padStart(5)}  fan-out p50 ${f ? f1(f.median) : '—'}  p95 ${f ? f1(f.p95) : '—'}  p99 ${f ? f1(f.p99) : '—'} ms` +
    `  (${r.delivered}/${r.expected} delivered)  ack p50 ${a ? f1(a.median) : '—'} p99 ${a ? f1(a.p99) : '—'} ms` +
    `  server CPU ${r.serverCpuPct.toFixed(0)}% (kernel ${r.serverSysPct.toFixed(0)}%) RSS ${r.rssMb.toFixed(0)} MB (+${r.syncedKbPerConn.toFixed(1)} KB/conn synced)  generators CPU ${r.workerCpuPct.map((c) => c.toFixed(0) + '%').join(' ')}`
  );
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(
  `\n# Load: rooms of ${ROOM_SIZE}, each client edits every ${EDIT_EVERY_MS} ms (${((ROOM_SIZE * 1000) / EDIT_EVERY_MS).toFixed(1)} edits/s per room) and sends presence every ${AWARENESS_EVERY_MS} ms` +
    `${ECHO ? ' (re-sending others’ as y-websocket does)' : ''}; ${ROUNDS} interleaved rounds, ${WARMUP_MS} ms warm-up + ${MEASURE_MS} ms measured per run; ` +
    `${WORKERS} generator processes; ${PIN ? 'each server pinned to CPU 0, the generators to CPU 1' : 'servers and generators share this machine'} (load average ${load()})`,
);
const servers = new Map<Kind, ServerProc>();
for (const kind of KINDS) servers.set(kind, await startServer(kind));
try {
  for (const n of SCALES) {
    const byKind = new Map<Kind, RunResult[]>(KINDS.map((k) => [k, []]));
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // ABBA order: neither kind always runs first, on a machine that warms or cools as it goes.
      const order = round % 2 === 0 ? KINDS : KINDS.slice().reverse();
      for (const kind of order) {
        const r = await run(kind, servers.get(kind)!, n);
        byKind.get(kind)!.push(r);
        console.log(line(kind, n, r));
      }
      const ours = byKind.get('ours')?.[round]?.fanout;
      const ref = byKind.get('y-websocket-server')?.[round]?.fanout;
      if (ours && ref) ratios.push(ours.p99 / ref.p99);
    }
    console.log(`## N=${n} (${n / ROOM_SIZE} rooms × ${ROOM_SIZE}), median of ${ROUNDS} runs (load average ${load()})`);
    for (const kind of KINDS) {
      const rs = byKind.get(kind)!.filter((r) => r.fanout);
      if (!rs.length) continue;
      const acked = rs.filter((r) => r.ack);
      console.log(
        `  ${kind.padEnd(19)} fan-out p50 ${f1(median(rs.map((r) => r.fanout!.median)))}  p95 ${f1(median(rs.map((r) => r.fanout!.p95)))}  p99 ${f1(median(rs.map((r) => r.fanout!.p99)))} ms` +
          (acked.length ? `  ack p50 ${f1(median(acked.map((r) => r.ack!.median)))} p99 ${f1(median(acked.map((r) => r.ack!.p99)))} ms` : '') +
          `  server CPU ${median(rs.map((r) => r.serverCpuPct)).toFixed(0)}%  generator CPU max ${Math.max(...rs.flatMap((r) => r.workerCpuPct)).toFixed(0)}%`,
      );
    }
    if (ratios.length) {
      console.log(`  ratio ours/y-websocket-server fan-out p99, per round: ${ratios.map((x) => x.toFixed(2) + '×').join(' ')}  median ${median(ratios).toFixed(2)}×`);
    }
  }
} finally {
  for (const s of servers.values()) await s.stop();
}
process.exit(0);
