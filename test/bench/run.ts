/**
 * `npm run bench`: performance figures, printed, never asserted. Each number
 * is compared with a peer measured in the same run where one exists.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { Workbook } from '../../src/model/index.js';
import { MESSAGE_DURABLE_ACK, MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { Room, type Peer } from '../../server/room.js';
import { MemoryStore, SqliteStore } from '../../server/store.js';
import { configFromEnv } from '../../server/config.js';
import { createRelay } from '../../server/relay.js';
import { silentLogger } from '../../server/log.js';
import { allOnHub, makeClient, untilDoc, untilStatus } from '../support/clients.js';
import { row } from './stats.js';

const ROWS = 10_000;
const COLS = 10;
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 15);
const EDITS = Number(process.env.BENCH_EDITS ?? 1000);

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function buildWorkbookSnapshot(): { snapshot: Uint8Array; sheet: string } {
  const doc = new Y.Doc();
  const wb = new Workbook(doc, { actor: { name: 'Bench', deviceId: 'bench' } });
  const sheet = wb.initialize({ columns: COLS, rows: 0 });
  const rows = wb.insertRows(sheet, 0, ROWS);
  const cols = wb.columns(sheet);
  const writes = [];
  for (let r = 0; r < ROWS; r++) for (const c of cols) writes.push({ rowId: rows[r], colId: c.id, value: `item ${r} ${c.name}` });
  wb.setCells(sheet, writes);
  return { snapshot: Y.encodeStateAsUpdate(doc), sheet };
}

/** The brief's reference point: raw Yjs, a Y.Map per row holding plain strings (no provenance). */
function buildRawYjsSnapshot(): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    const rows = doc.getMap('rows');
    for (let r = 0; r < ROWS; r++) {
      const m = new Y.Map<string>();
      rows.set(`row${r}`.padEnd(10, '_'), m);
      for (let c = 0; c < COLS; c++) m.set(`col${c}`.padEnd(8, '_'), `item ${r} ${c}`);
    }
  });
  return Y.encodeStateAsUpdate(doc);
}

function benchLoad(): void {
  console.log(`\n# Load a ${ROWS}×${COLS} workbook snapshot (${LOAD_RUNS} runs each)`);
  const { snapshot, sheet } = buildWorkbookSnapshot();
  const raw = buildRawYjsSnapshot();
  const ours: number[] = [];
  const peer: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    ours.push(
      time(() => {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, snapshot);
        const wb = new Workbook(doc, { actor: { name: 'r', deviceId: 'r' } });
        const ids = wb.rowIds(sheet);
        const cols = wb.columns(sheet);
        // what the grid does first: read the visible cells
        for (let r = 0; r < 40; r++) for (const c of cols) wb.getCell(sheet, ids[r], c.id);
      }),
    );
    peer.push(
      time(() => {
        const doc = new Y.Doc();
        Y.applyUpdate(doc, raw);
      }),
    );
  }
  console.log(row(`model load (Y.Doc + Workbook + order), ${(snapshot.length / 1e6).toFixed(1)} MB`, ours));
  console.log(row(`peer: raw Yjs Y.Map per row, no provenance, ${(raw.length / 1e6).toFixed(1)} MB`, peer));
}

/**
 * Both relays run in this process so the only difference is the store: SQLite
 * with synchronous=FULL (the product) versus memory (no durability at all).
 */
async function benchRelay(kind: 'sqlite' | 'memory'): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ms-bench-relay-'));
  // The bench writes to a plain room name (an open workbook): writable only with the hub's setting.
  const config = configFromEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, OPEN_WORKBOOKS_WRITABLE: '1' });
  const store = kind === 'sqlite' ? new SqliteStore(dataDir) : new MemoryStore();
  const relay = createRelay(config, store, silentLogger);
  const { port } = await relay.listen();
  const syncUrl = `ws://127.0.0.1:${port}/sync`;
  const a = makeClient(syncUrl, 'bench-latency-1', 'a');
  const sheet = a.wb.initialize({ rows: 20, columns: 5 });
  await allOnHub(a);
  const b = makeClient(syncUrl, 'bench-latency-1', 'b');
  await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 20, 'b loaded');
  await allOnHub(b);
  const rows = a.wb.rowIds(sheet);
  const cols = a.wb.columns(sheet);
  const toPeer: number[] = [];
  const toAck: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const rowId = rows[i % rows.length];
    const colId = cols[i % cols.length].id;
    const value = `edit ${i}`;
    const t0 = performance.now();
    const seen = untilDoc(b, () => b.wb.getValue(sheet, rowId, colId) === value, 'peer sees edit').then(() => toPeer.push(performance.now() - t0));
    a.wb.setCell(sheet, rowId, colId, value);
    // Waited on only after the edit: before it, "nothing pending" holds at once and would time nothing.
    const clock = Y.getState(a.doc.store, a.doc.clientID);
    const acked = untilStatus(a, () => a.session.hubAckedClock(a.doc.clientID) >= clock, 'durable ack').then(() => toAck.push(performance.now() - t0));
    await Promise.all([seen, acked]);
  }
  const label = kind === 'sqlite' ? 'SQLite synchronous=FULL' : 'peer: memory store, no durability';
  console.log(row(`${label}: edit → other client sees it`, toPeer));
  console.log(row(`${label}: edit → ack back at the editor`, toAck));
  await a.destroy();
  await b.destroy();
  await relay.close();
}

function benchCompaction(): void {
  console.log('\n# Room load after N stored edits, SQLite on disk (compaction removes log replay; the rest is the history Yjs keeps)');
  const many = Number(process.env.BENCH_EDITS_MANY ?? 20_000);
  const cases = [
    { n: 10, compact: true },
    { n: 1_000, compact: true },
    { n: many, compact: true },
    { n: many, compact: false },
  ];
  for (const { n, compact } of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'ms-bench-'));
    const store = new SqliteStore(dir);
    const limits = compact
      ? { compactAfterUpdates: 500, compactAfterBytes: 4 << 20 }
      : { compactAfterUpdates: Number.MAX_SAFE_INTEGER, compactAfterBytes: Number.MAX_SAFE_INTEGER };
    const room = new Room('bench-room-1', store, limits, silentLogger);
    const peer: Peer = { role: 'edit', send() {}, close() {} };
    room.join(peer);
    const doc = new Y.Doc();
    const wb = new Workbook(doc, { actor: { name: 'a', deviceId: 'a' } });
    const frames: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE_SYNC);
      encoding.writeVarUint(enc, 2);
      encoding.writeVarUint8Array(enc, u);
      frames.push(encoding.toUint8Array(enc));
    });
    const sheet = wb.initialize({ rows: 50, columns: 5 });
    const rows = wb.rowIds(sheet);
    const cols = wb.columns(sheet);
    for (let i = 0; i < n; i++) wb.setCell(sheet, rows[i % rows.length], cols[i % cols.length].id, `v${i}`);
    const t = performance.now();
    for (const f of frames) room.receive(peer, f);
    const commitMs = (performance.now() - t) / frames.length;
    room.leave(peer);
    // what eviction does when a room empties; the no-compaction peer skips it
    if (compact) room.compact();
    room.destroy();
    const loads: number[] = [];
    for (let k = 0; k < 10; k++) {
      loads.push(time(() => new Room('bench-room-1', store, limits, silentLogger).destroy()));
    }
    const backlog = store.backlog('bench-room-1').count;
    const label = compact ? `load after ${n} edits` : `peer: same, compaction off`;
    console.log(row(`${label} (log ${backlog}, ${commitMs.toFixed(2)} ms/commit)`, loads));
    store.close();
  }
}

const IDLE_N = Number(process.env.BENCH_IDLE_N ?? 1000);

/**
 * Memory per idle connection: the server in its own process (test/bench/peers/idle-server.ts,
 * --expose-gc), N plain y-websocket clients in rooms of 20 from this one, synced and then idle;
 * heap, resident and outside-heap memory after a full collection, before and after, over N.
 */
async function benchIdleMemory(kind: 'ours' | 'y-websocket-server'): Promise<string> {
  const root = resolve(fileURLToPath(import.meta.url), '../../..');
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(root, 'test/bench/peers/idle-server.ts'), kind], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
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
  const nextLine = () => (lines.length ? Promise.resolve(lines.shift()!) : new Promise<string>((r) => waiters.push(r)));
  const port = Number((await nextLine()).split(' ')[1]);
  const memory = async (snapshot?: string) => {
    proc.stdin!.write(snapshot ? `snapshot ${snapshot}\n` : 'measure\n');
    const [, heap, rss, external] = (await nextLine()).split(' ').map(Number);
    return { heap, rss, external };
  };
  const snapshotDir = process.env.BENCH_IDLE_SNAPSHOTS;
  const before = await memory(snapshotDir && join(snapshotDir, `${kind}-before.heapsnapshot`));
  const providers: WebsocketProvider[] = [];
  const synced = (p: WebsocketProvider) => new Promise<void>((r) => (p.synced ? r() : p.once('sync', () => r())));
  for (let i = 0; i < IDLE_N; i++) {
    const url = `ws://127.0.0.1:${port}${kind === 'ours' ? '/sync' : ''}`;
    const provider = new WebsocketProvider(url, `idle-room-${String(Math.floor(i / 20)).padStart(4, '0')}`, new Y.Doc(), { WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true });
    // our durable acks: not something a plain y-websocket client knows
    provider.messageHandlers[MESSAGE_DURABLE_ACK] = () => {};
    providers.push(provider);
    if (i % 50 === 49) await Promise.all(providers.slice(i - 49).map(synced));
  }
  await Promise.all(providers.map(synced));
  const idle = await memory(snapshotDir && join(snapshotDir, `${kind}-idle.heapsnapshot`));
  providers.forEach((p) => p.destroy());
  proc.kill('SIGKILL');
  const per = (a: number, b: number) => `${((b - a) / IDLE_N / 1024).toFixed(1)} KB`;
  return `${kind.padEnd(20)} N=${IDLE_N} idle: heap ${per(before.heap, idle.heap)}/conn  RSS ${per(before.rss, idle.rss)}/conn  outside heap ${per(before.external, idle.external)}/conn`;
}

async function main() {
  // every spawned server adds an exit listener to this process
  process.setMaxListeners(50);
  console.log(`Mutual Sheets benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  // BENCH_ONLY=idle|relay: one part (the others take minutes on a busy machine)
  const only = process.env.BENCH_ONLY;
  if (!only) benchLoad();
  if (!only || only === 'relay') {
    console.log(`\n# Through the relay with real y-websocket clients, ${EDITS} sequential edits`);
    await benchRelay('sqlite');
    await benchRelay('memory');
  }
  if (!only || only === 'idle') {
    console.log(`\n# Memory per idle connection, ${IDLE_N} connections in rooms of 20 (after a full GC)`);
    console.log(await benchIdleMemory('ours'));
    console.log(await benchIdleMemory('y-websocket-server'));
  }
  if (!only) benchCompaction();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
