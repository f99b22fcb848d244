/**
 * Part of `npm run bench` (never a test): the relay load bench for the hosted hub (issue 19). One
 * Postgres and one Redis (test/support, real servers on loopback in temp dirs); for P = 1, 2, 4 hub
 * processes (server/main.ts with DATABASE_URL and REDIS_URL, a fresh database and Redis prefix per
 * P), ROOMS rooms of ROOM_SIZE plain y-websocket clients, the members of each room spread round-robin
 * over the processes, so most deliveries cross Redis (HOSTED_SPREAD=rooms: each room on one process,
 * as behind a proxy that hashes the workbook path). The total edit rate steps up (HOSTED_RATES)
 * until fan-out p99 goes above 100 ms. Measured per step: edit → peer fan-out latency (all, and
 * split into peers on the writer's process and on another), durable-ack latency (committed in
 * Postgres), Postgres transactions, CPU of the hubs, Postgres, Redis and this load generator, hub RSS.
 *   npx tsx test/bench/hosted.ts
 *   (HOSTED_PROCESSES=1,2,4 HOSTED_ROOMS=50 HOSTED_ROOM_SIZE=10 HOSTED_RATES=10,25,50,100,200,400,800
 *    HOSTED_STEP_SECONDS=10 HOSTED_WARMUP_SECONDS=2 HOSTED_DRAIN_MS=3000 HOSTED_AWARENESS_EVERY_MS=0
 *    HOSTED_SPREAD=members|rooms)
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import pg from 'pg';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import { MESSAGE_DURABLE_ACK } from '../../src/protocol/messages.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { summarize } from './stats.js';

const PROCESSES = (process.env.HOSTED_PROCESSES ?? '1,2,4').split(',').map(Number);
const ROOMS = Number(process.env.HOSTED_ROOMS ?? 50);
const ROOM_SIZE = Number(process.env.HOSTED_ROOM_SIZE ?? 10);
const RATES = (process.env.HOSTED_RATES ?? '10,25,50,100,200,400,800').split(',').map(Number);
const STEP_SECONDS = Number(process.env.HOSTED_STEP_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.HOSTED_WARMUP_SECONDS ?? 2);
/** After a step stops editing, how long its last deliveries and acks may take to arrive (they count in its numbers). */
const DRAIN_MS = Number(process.env.HOSTED_DRAIN_MS ?? 3000);
/** 0: edits only, so the rate is the whole load; otherwise every client also sends presence this often. */
const AWARENESS_EVERY_MS = Number(process.env.HOSTED_AWARENESS_EVERY_MS ?? 0);
/**
 * members (the default): a room's members round-robin over the processes, the worst case, every
 * delivery but one in P crossing Redis; rooms: each room's members all on one process (room r on
 * process r mod P), as the proxy's hash of the workbook path does in docs/deploy.md.
 */
const SPREAD = process.env.HOSTED_SPREAD === 'rooms' ? 'rooms' : 'members';
const BOUND_MS = 100;
const TICK_MS = 10;
const CLK_TCK = 100;

// ---- /proc ----

/** User + system CPU seconds of one process (all its threads), 0 once it is gone. */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(stat[11]) + Number(stat[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

interface ProcEntry {
  pid: number;
  ppid: number;
  cmdline: string;
}

function processes(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      out.push({ pid: Number(d), ppid, cmdline: readFileSync(`/proc/${d}/cmdline`, 'utf8') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * The postmaster of our Postgres (its arguments name our port; as root it runs under runuser, whose
 * own command line names the port too) and everything it forked: a backend per pooled connection,
 * the WAL writer, the checkpointer. Looked up at each sample, as backends come and go.
 */
function postgresPids(port: number): number[] {
  const all = processes();
  const master = all.filter((p) => p.cmdline.startsWith('/') && p.cmdline.split('\0')[0].endsWith('/postgres') && p.cmdline.includes(`\0-p\0${port}\0`));
  const masters = new Set(master.map((p) => p.pid));
  return [...masters, ...all.filter((p) => masters.has(p.ppid)).map((p) => p.pid)];
}

/** redis-server rewrites its command line to "redis-server 127.0.0.1:<port>". */
function redisPids(port: number): number[] {
  return processes()
    .filter((p) => p.cmdline.includes('redis-server') && p.cmdline.includes(`:${port}`))
    .map((p) => p.pid);
}

/** Busy and total jiffies of the whole machine (every core), to say how much of it others used. */
function machine(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: total - idle, total };
}

// ---- clients ----

interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
  synced: Promise<void>;
  hub: number;
  /** send time of each local update still waiting for its durable ack, by clock */
  unacked: { clock: number; at: number }[];
}

/** A step's samples; an edit and its deliveries and ack belong to the step it was sent in. */
interface Step {
  rate: number;
  start: number;
  end: number;
  edits: number;
  fanout: number[];
  local: number[];
  cross: number[];
  acks: number[];
  /** deliveries to a peer on another process: sender's edit (`clientID:sent`) and arrival */
  crossArrivals: { edit: string; at: number }[];
}

const steps: Step[] = [];
const hubOfClient = new Map<number, number>();
/** when each edit's durable ack reached its writer, by `clientID:sent` */
const ackAt = new Map<string, number>();
let onProgress: (() => void) | null = null;

function stepOf(t: number): Step | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i].start <= t) return t < steps[i].end ? steps[i] : undefined;
  return undefined;
}

function connect(port: number, hub: number, room: string): Client {
  const doc = new Y.Doc();
  const unacked: { clock: number; at: number }[] = [];
  const bench = doc.getMap<number>('bench');
  doc.on('update', (_u: Uint8Array, origin: unknown) => {
    // the edit's own timestamp, so its ack can be matched with its deliveries
    if (origin === null || origin === undefined) unacked.push({ clock: Y.getState(doc.store, doc.clientID), at: bench.get(String(doc.clientID)) ?? performance.now() });
  });
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/sync`, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  provider.messageHandlers[MESSAGE_DURABLE_ACK] = (_enc, dec) => {
    const clock = Y.decodeStateVector(decoding.readVarUint8Array(dec)).get(doc.clientID);
    if (clock === undefined) return;
    const now = performance.now();
    while (unacked.length && unacked[0].clock <= clock) {
      const at = unacked.shift()!.at;
      const step = stepOf(at);
      if (!step) continue;
      step.acks.push(now - at);
      ackAt.set(`${doc.clientID}:${at}`, now);
    }
    onProgress?.();
  };
  bench.observe((e, tr) => {
    if (tr.local) return;
    const now = performance.now();
    for (const key of e.keysChanged) {
      const sent = bench.get(key);
      if (typeof sent !== 'number') continue;
      const step = stepOf(sent);
      if (!step) continue;
      step.fanout.push(now - sent);
      if (hubOfClient.get(Number(key)) === hub) step.local.push(now - sent);
      else {
        step.cross.push(now - sent);
        step.crossArrivals.push({ edit: `${key}:${sent}`, at: now });
      }
    }
    onProgress?.();
  });
  const synced = new Promise<void>((r) => provider.once('sync', () => r()));
  return { doc, provider, synced, hub, unacked };
}

// ---- one P ----

interface Usage {
  hubs: number;
  pg: number;
  redis: number;
  generator: number;
  machineBusy: number;
  machineTotal: number;
  commits: number;
}

interface StepResult {
  rate: number;
  achieved: number;
  edits: number;
  delivered: number;
  expected: number;
  acked: number;
  fanout: ReturnType<typeof summarize> | null;
  local: ReturnType<typeof summarize> | null;
  cross: ReturnType<typeof summarize> | null;
  /** arrival at a peer on another process minus the ack's arrival at the writer: the Redis leg, roughly */
  afterAck: ReturnType<typeof summarize> | null;
  ack: ReturnType<typeof summarize> | null;
  commitsPerSec: number;
  /** what the hubs' Postgres connections were doing, sampled through the step: how many were in each state, on average */
  waits: [string, number][];
  cpu: { hubs: number; pg: number; redis: number; generator: number; machine: number };
  hubRssMb: number[];
}

interface PResult {
  p: number;
  steps: StepResult[];
  /** the highest step rate whose fan-out p99 held ≤ BOUND_MS (0: none) */
  sustained: number;
  top: boolean;
}

const fmt = (s: ReturnType<typeof summarize> | null, k: 'median' | 'p95' | 'p99') =>
  !s ? '—' : s[k] === Infinity ? 'late' : s[k].toFixed(s[k] < 10 ? 1 : 0);

async function runP(p: number, pgServer: PostgresServer, redis: RedisServer): Promise<PResult> {
  // a database and a Redis prefix of its own: no run loads another's rooms or hears its messages
  const dbName = `ms_bench_p${p}`;
  const admin = new pg.Client({ connectionString: pgServer.url });
  await admin.connect();
  const env = {
    DATABASE_URL: pgServer.url.replace(/\/postgres$/, `/${dbName}`),
    REDIS_URL: redis.url,
    REDIS_PREFIX: `bench${p}:`,
    // one load generator on one address opens every connection and every room
    MAX_CONNECTIONS_PER_IP: '100000',
    MAX_CONNECTIONS: '100000',
    MAX_ROOM_LOADS_PER_IP: '100000',
    MAX_ROOMS: '100000',
    MAX_MESSAGES_PER_SECOND: '10000',
  };
  const hubs: RelayProcess[] = [];
  const clients: Client[] = [];
  let ticker: NodeJS.Timeout | null = null;
  const presence: NodeJS.Timeout[] = [];
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    // started one after another: the first applies the schema to the fresh database
    hubs.push(await startRelay({ env }));
    // every one that started is kept (and stopped below) even when another failed to
    const rest = await Promise.allSettled(Array.from({ length: p - 1 }, () => startRelay({ env })));
    for (const r of rest) if (r.status === 'fulfilled') hubs.push(r.value);
    for (const r of rest) if (r.status === 'rejected') throw r.reason;
    for (let r = 0; r < ROOMS; r++) {
      for (let k = 0; k < ROOM_SIZE; k++) {
        const hub = SPREAD === 'rooms' ? r % p : (r + k) % p;
        const c = connect(hubs[hub].port, hub, `hosted-bench-${String(r).padStart(4, '0')}`);
        hubOfClient.set(c.doc.clientID, hub);
        clients.push(c);
      }
      // a room at a time, so the handshakes are not the measurement
      await Promise.all(clients.slice(-ROOM_SIZE).map((c) => c.synced));
    }
    if (AWARENESS_EVERY_MS > 0) {
      clients.forEach((c, i) =>
        presence.push(
          setTimeout(
            () => presence.push(setInterval(() => c.provider.awareness.setLocalStateField('cursor', { at: performance.now() }), AWARENESS_EVERY_MS)),
            (i * 37) % AWARENESS_EVERY_MS,
          ),
        ),
      );
    }
    // edits go round the rooms first, so consecutive edits are in different rooms
    const order = Array.from({ length: clients.length }, (_, i) => clients[(i % ROOMS) * ROOM_SIZE + Math.floor(i / ROOMS)]);
    let next = 0;
    const edit = (step: Step) => {
      const c = order[next++ % order.length];
      c.doc.getMap<number>('bench').set(String(c.doc.clientID), performance.now());
      step.edits++;
    };
    const pgStats = new pg.Client({ connectionString: env.DATABASE_URL });
    const waitStats = new pg.Client({ connectionString: env.DATABASE_URL });
    const sample = async (): Promise<Usage> => {
      // counted by the backends as they go idle; the one that answers counts its own transaction too
      const commits = Number((await pgStats.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [dbName])).rows[0].n);
      const m = machine();
      const g = process.cpuUsage();
      return {
        hubs: hubs.reduce((s, h) => s + cpuOf(h.proc.pid!), 0),
        pg: postgresPids(pgServer.port).reduce((s, x) => s + cpuOf(x), 0),
        redis: redisPids(redis.port).reduce((s, x) => s + cpuOf(x), 0),
        generator: (g.user + g.system) / 1e6,
        machineBusy: m.busy,
        machineTotal: m.total,
        commits,
      };
    };

    const runStep = async (rate: number, seconds: number): Promise<StepResult> => {
      const start = performance.now();
      const step: Step = { rate, start, end: Infinity, edits: 0, fanout: [], local: [], cross: [], acks: [], crossArrivals: [] };
      steps.push(step);
      const before = await sample();
      // sampled on a connection of its own, so a slow sample never delays the edits' schedule
      const waits = new Map<string, number>();
      let rounds = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const rows = (
            await waitStats.query<{ state: string | null; type: string | null; event: string | null }>(
              `SELECT state, wait_event_type AS type, wait_event AS event FROM pg_stat_activity
                WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
              [dbName],
            )
          ).rows;
          rounds++;
          for (const r of rows) {
            const what =
              r.state === 'idle' ? 'idle' : r.state === 'idle in transaction' ? 'in transaction, waiting for the hub' : r.type ? `${r.type}:${r.event}` : 'running';
            waits.set(what, (waits.get(what) ?? 0) + 1);
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      await new Promise<void>((resolve) => {
        ticker = setInterval(() => {
          const now = performance.now();
          // on schedule from the step's start: a tick that comes late (a busy event loop) catches up
          const due = Math.floor((rate * Math.min(now - start, seconds * 1000)) / 1000);
          while (step.edits < due) edit(step);
          if (now - start >= seconds * 1000) {
            clearInterval(ticker!);
            ticker = null;
            resolve();
          }
        }, TICK_MS);
      });
      const sentFor = (performance.now() - start) / 1000;
      step.end = performance.now();
      const expected = step.edits * (ROOM_SIZE - 1);
      // the last deliveries and acks of the step (each event re-checks), or DRAIN_MS
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, DRAIN_MS);
        function done() {
          clearTimeout(timer);
          onProgress = null;
          resolve();
        }
        onProgress = () => {
          if (step.fanout.length >= expected && step.acks.length >= step.edits) done();
        };
        onProgress();
      });
      const elapsed = (performance.now() - start) / 1000;
      sampling = false;
      await sampler;
      const after = await sample();
      const pct = (k: 'hubs' | 'pg' | 'redis' | 'generator') => ((after[k] - before[k]) / elapsed) * 100;
      // a delivery that did not come within the drain counts as infinitely late, so a lost or stuck one cannot flatter p99
      const afterAck = step.crossArrivals.flatMap((d) => {
        const acked = ackAt.get(d.edit);
        return acked === undefined ? [] : [d.at - acked];
      });
      const fanout = step.fanout.concat(Array<number>(Math.max(0, expected - step.fanout.length)).fill(Infinity));
      return {
        rate,
        achieved: step.edits / sentFor,
        edits: step.edits,
        delivered: step.fanout.length,
        expected,
        acked: step.acks.length,
        fanout: fanout.length ? summarize(fanout) : null,
        local: step.local.length ? summarize(step.local) : null,
        cross: step.cross.length ? summarize(step.cross) : null,
        afterAck: afterAck.length ? summarize(afterAck) : null,
        ack: step.acks.length ? summarize(step.acks) : null,
        commitsPerSec: (after.commits - before.commits) / elapsed,
        waits: [...waits].filter(([k]) => k !== 'idle').map(([k, n]): [string, number] => [k, n / Math.max(1, rounds)]).sort((a, b) => b[1] - a[1]),
        cpu: {
          hubs: pct('hubs'),
          pg: pct('pg'),
          redis: pct('redis'),
          generator: pct('generator'),
          // all cores: 200% is both of a 2-core machine busy, whoever uses them
          machine: ((after.machineBusy - before.machineBusy) / (after.machineTotal - before.machineTotal)) * 100 * cpus().length,
        },
        hubRssMb: hubs.map((h) => rssOf(h.proc.pid!) / 1024 / 1024),
      };
    };

    try {
      await Promise.all([pgStats.connect(), waitStats.connect()]);
      if (WARMUP_SECONDS > 0) await runStep(RATES[0], WARMUP_SECONDS);
      const results: StepResult[] = [];
      let sustained = 0;
      for (const rate of RATES) {
        const r = await runStep(rate, STEP_SECONDS);
        results.push(r);
        const holds = !!r.fanout && r.fanout.p99 <= BOUND_MS;
        console.log(
          `P=${p} ${String(rate).padStart(4)} edits/s (sent ${r.achieved.toFixed(0).padStart(4)}/s)  fan-out p50 ${fmt(r.fanout, 'median')} p95 ${fmt(r.fanout, 'p95')} p99 ${fmt(r.fanout, 'p99')} ms` +
            ` [same process p50 ${fmt(r.local, 'median')} p99 ${fmt(r.local, 'p99')}, other p50 ${fmt(r.cross, 'median')} p99 ${fmt(r.cross, 'p99')},` +
            ` other after the ack p50 ${fmt(r.afterAck, 'median')} p99 ${fmt(r.afterAck, 'p99')}]  delivered ${r.delivered}/${r.expected}` +
            `  ack p50 ${fmt(r.ack, 'median')} p99 ${fmt(r.ack, 'p99')} ms (${r.acked}/${r.edits})  pg xacts ${r.commitsPerSec.toFixed(0)}/s` +
            `  CPU hubs ${r.cpu.hubs.toFixed(0)}% postgres ${r.cpu.pg.toFixed(0)}% redis ${r.cpu.redis.toFixed(0)}% generator ${r.cpu.generator.toFixed(0)}% machine ${r.cpu.machine.toFixed(0)}%` +
            `  hub RSS ${r.hubRssMb.map((m) => m.toFixed(0)).join('+')} MB${holds ? '' : '  ← above the bound'}` +
            `\n      hubs' Postgres connections not idle, on average: ${r.waits.slice(0, 4).map(([k, n]) => `${k} ${n.toFixed(2)}`).join(', ') || 'none'}`,
        );
        if (!holds) break;
        sustained = rate;
      }
      return { p, steps: results, sustained, top: sustained === RATES[RATES.length - 1] };
    } finally {
      await Promise.all([pgStats.end().catch(() => {}), waitStats.end().catch(() => {})]);
    }
  } finally {
    if (ticker) clearInterval(ticker);
    presence.forEach((t) => clearInterval(t));
    onProgress = null;
    clients.forEach((c) => {
      c.provider.destroy();
      c.doc.destroy();
    });
    hubOfClient.clear();
    ackAt.clear();
    await Promise.all(hubs.map((h) => h.stop('SIGKILL')));
    hubs.forEach((h) => rmSync(h.dataDir, { recursive: true, force: true }));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

// ---- main ----

// Every spawned hub, and every y-websocket provider, adds an exit listener to this process.
process.setMaxListeners(ROOMS * ROOM_SIZE + 100);
console.log(
  `\n# Hosted hub load: ${ROOMS} rooms × ${ROOM_SIZE} clients, ${SPREAD === 'rooms' ? 'each room on one of P hub processes' : 'members of a room round-robin over P hub processes'} on one Postgres and one Redis;` +
    ` total edit rate stepped ${RATES.join(', ')}/s, ${STEP_SECONDS} s each, until fan-out p99 > ${BOUND_MS} ms` +
    `${AWARENESS_EVERY_MS > 0 ? `; presence every ${AWARENESS_EVERY_MS} ms per client` : '; no presence'}; generator, hubs, Postgres and Redis share this machine`,
);
let pgServer: PostgresServer | null = null;
let redis: RedisServer | null = null;
let failed = false;
try {
  [pgServer, redis] = await Promise.all([startPostgres(), startRedis()]);
  const results: PResult[] = [];
  for (const p of PROCESSES) results.push(await runP(p, pgServer, redis));
  const sustainedOf = (r: PResult) => `${r.top ? '≥' : ''}${r.sustained || 'none'}`;
  for (const r of results) console.log(`  P=${r.p}: highest edit rate with fan-out p99 ≤ ${BOUND_MS} ms: ${sustainedOf(r)} edits/s`);
  const base = results.find((r) => r.p === 1);
  // latencies compared at the highest rate every P ran
  const common = RATES.filter((rate) => results.every((r) => r.steps.some((s) => s.rate === rate))).pop();
  const at = (r: PResult) => r.steps.find((s) => s.rate === common);
  for (const r of results) {
    if (!base || r === base) continue;
    const s = at(r);
    const b = at(base);
    const ratio = (x: number | undefined, y: number | undefined) => (x !== undefined && y ? `${(x / y).toFixed(2)}×` : '—');
    console.log(
      `  ratio ${r.p}/1: throughput ${ratio(r.sustained || undefined, base.sustained)}${r.top || base.top ? ' (a top step held: a bound, not a ratio)' : ''}` +
        `; at ${common} edits/s fan-out p50 ${ratio(s?.fanout?.median, b?.fanout?.median)}, p99 ${ratio(s?.fanout?.p99, b?.fanout?.p99)}, ack p99 ${ratio(s?.ack?.p99, b?.ack?.p99)}` +
        `, hub CPU ${ratio(s?.cpu.hubs, b?.cpu.hubs)}, postgres CPU ${ratio(s?.cpu.pg, b?.cpu.pg)}`,
    );
  }
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await Promise.all([pgServer?.destroy(), redis?.destroy()]);
}
process.exit(failed ? 1 : 0);
