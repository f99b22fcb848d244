/**
 * Issue 13: the hub under hostile traffic. Each attack is sent to the real hub (a child process)
 * while an honest room keeps editing, and while a separate thread polls /healthz: the hub stays
 * within its memory ceiling, /healthz answers within 200 ms throughout (a bound for starvation,
 * not a benchmark), the honest room is never unloaded or refused, and every change it saw
 * acknowledged is there for a device that opens it afterwards.
 */
import { EventEmitter, once } from 'node:events';
import { request, type IncomingHttpHeaders } from 'node:http';
import { Worker } from 'node:worker_threads';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newWorkbookKeys } from '../../src/protocol/access.js';
import { FRAGMENT_TIMEOUT_CODE, MESSAGE_FRAGMENT } from '../../src/protocol/fragments.js';
import { CloseCode } from '../../src/protocol/messages.js';
import { APP_REQUEST_HEADER, APP_REQUEST_VALUE, SnapshotApiError } from '../../src/protocol/snapshots.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';
import { allOnHub, makeClient, untilDoc, type TestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

/**
 * The bound is 200 ms, and it holds when the hub has the machine to itself:
 * `npm run test:attacks` runs these files alone with HEALTH_BOUND_MS=200. Inside `npm test`,
 * Chromium and other suites share the two cores and an idle hub alone was measured at 88 ms,
 * so the bound there is 1 s: still a starvation detector (the attacks stalled it 54 s and 104 s).
 */
const HEALTH_BOUND_MS = Number(process.env.HEALTH_BOUND_MS ?? 1000);
const HUB_FULL = 4503;
const MiB = 1024 * 1024;
/** What y-websocket sends first: sync step 1 with an empty state vector. */
const STEP1 = new Uint8Array([0, 0, 1, 0]);

const relays: RelayProcess[] = [];
const clients: TestClient[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

async function hub(env: Record<string, string> = {}): Promise<RelayProcess> {
  const relay = await startRelay({ env });
  relays.push(relay);
  return relay;
}

// ---------------------------------------------------------------------------------------------
// /healthz, polled from its own thread, so the attack traffic this process makes does not delay
// the probe: what it measures is the hub's answer time.

interface HealthStats {
  probes: number;
  maxMs: number;
  maxHeldBytes: number;
  maxRssBytes: number;
  maxConnections: number;
  maxReassemblyBytes: number;
  failures: number;
}

const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const stats = { probes: 0, maxMs: 0, maxHeldBytes: 0, maxRssBytes: 0, maxConnections: 0, maxReassemblyBytes: 0, failures: 0 };
let stop = false;
parentPort.on('message', () => { stop = true; });
const probe = () => new Promise((resolve) => {
  const t0 = performance.now();
  const req = http.get(workerData.url, { agent, timeout: 5000 }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      const ms = performance.now() - t0;
      try {
        const h = JSON.parse(body);
        stats.probes++;
        stats.maxMs = Math.max(stats.maxMs, ms);
        stats.maxHeldBytes = Math.max(stats.maxHeldBytes, h.heldBytes);
        stats.maxRssBytes = Math.max(stats.maxRssBytes, h.rssBytes);
        stats.maxConnections = Math.max(stats.maxConnections, h.connections);
        stats.maxReassemblyBytes = Math.max(stats.maxReassemblyBytes, h.reassemblyBytes);
      } catch { stats.failures++; }
      resolve();
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => { stats.failures++; stats.maxMs = Math.max(stats.maxMs, performance.now() - t0); resolve(); });
});
(async () => {
  // One first request opens the connection and warms both ends up; it is not counted.
  await probe();
  Object.assign(stats, { probes: 0, maxMs: 0, failures: 0 });
  parentPort.postMessage('ready');
  while (!stop) {
    await probe();
    // the probe's cadence, not a wait for anything
    await new Promise((r) => setTimeout(r, 10));
  }
  parentPort.postMessage(stats);
})();
`;

/** Starts polling; resolves once the first (uncounted) answer came back. */
async function healthProbe(relay: RelayProcess) {
  const worker = new Worker(PROBE_SOURCE, { eval: true, workerData: { url: `${relay.httpUrl}/healthz` } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return {
    stop: () =>
      new Promise<HealthStats>((resolve, reject) => {
        worker.once('message', (s: HealthStats) => {
          void worker.terminate();
          resolve(s);
        });
        worker.once('error', reject);
        worker.postMessage('stop');
      }),
  };
}

function report(what: string, s: HealthStats): void {
  console.log(
    `[exhaustion] ${what}: /healthz max ${s.maxMs.toFixed(1)} ms over ${s.probes} probes; peak held ${(s.maxHeldBytes / MiB).toFixed(0)} MiB, peak rss ${(s.maxRssBytes / MiB).toFixed(0)} MiB, peak connections ${s.maxConnections}, peak reassembly ${(s.maxReassemblyBytes / MiB).toFixed(0)} MiB`,
  );
}

// ---------------------------------------------------------------------------------------------
// The honest room: two people, one writing a new row per round and the other seeing it.

async function honestRoom(relay: RelayProcess, room = 'honest-room-0001') {
  const a = makeClient(relay.syncUrl, room, 'Ana');
  const b = makeClient(relay.syncUrl, room, 'Ben');
  clients.push(a, b);
  const sheet = a.wb.initialize({ rows: 0, columns: 1 });
  const col = a.wb.columns(sheet)[0].id;
  await allOnHub(a);
  await untilDoc(b, () => b.wb.isInitialized(), 'Ben has the workbook');
  /** every close either of them saw: must stay empty */
  const closes: number[] = [];
  for (const c of [a, b]) {
    let last = c.session.getStatus().lastClose;
    c.session.onStatus(() => {
      const now = c.session.getStatus().lastClose;
      if (now && now !== last) closes.push(now.code);
      last = now;
    });
  }
  const acked: string[] = [];
  let rounds = 0;
  const round = async () => {
    const text = `round ${++rounds}`;
    const [row] = a.wb.insertRows(sheet, a.wb.rowCount(sheet), 1);
    a.wb.setCell(sheet, row, col, text);
    await allOnHub(a);
    acked.push(text);
    await untilDoc(b, () => b.wb.rowIds(sheet).some((r) => b.wb.getValue(sheet, r, col) === text), `Ben sees ${text}`);
  };
  return {
    closes,
    get rounds() {
      return rounds;
    },
    round,
    /**
     * Runs `attack`, editing one round at each step it reports (and one after it ends), as
     * hostile.test.ts does: the honest room is exercised all along without racing the attack for CPU.
     */
    async during<T>(attack: (step: () => void) => Promise<T>): Promise<T> {
      const steps = new EventEmitter();
      let done = false;
      const running = attack(() => steps.emit('step')).finally(() => {
        done = true;
        steps.emit('step');
      });
      while (!done) {
        const next = once(steps, 'step');
        await round();
        if (!done) await next;
      }
      await round();
      return running;
    },
    /** A device that opens the room now has every acknowledged row. */
    async verify() {
      const c = makeClient(relay.syncUrl, room, 'Cai');
      clients.push(c);
      await untilDoc(c, () => c.wb.isInitialized() && c.wb.rowCount(sheet) === acked.length, 'a fresh device loads every acked row');
      const values = c.wb.rowIds(sheet).map((r) => c.wb.getValue(sheet, r, col));
      expect(values.sort()).toEqual(acked.slice().sort());
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Raw sockets from a chosen loopback address (127.0.0.1–127.0.0.255 all reach this computer).

interface Raw {
  ws: WebSocket;
  /** the relay's close code; 0 when the handshake was refused */
  closed: Promise<number>;
  /** resolves with true once open, false when the handshake was refused (status in `status`) */
  opened: Promise<boolean>;
  status: number | null;
  /** resolves at the first frame the relay sends */
  firstFrame: Promise<void>;
}

function raw(relay: RelayProcess, room: string, localAddress = '127.0.0.1', headers: Record<string, string> = {}): Raw {
  // An all-zero mask: ws then skips masking what this side sends (the hub unmasks as always).
  const ws = new WebSocket(`${relay.syncUrl}/${room}`, { localAddress, headers, generateMask: (mask) => void mask.fill(0) });
  sockets.push(ws);
  const r: Raw = { ws, status: null } as Raw;
  ws.on('error', () => {});
  r.closed = new Promise((res) => ws.once('close', (code) => res(r.status === null ? code : 0)));
  r.opened = new Promise((res) => {
    ws.once('open', () => res(true));
    ws.once('unexpected-response', (_req, response) => {
      r.status = response.statusCode ?? -1;
      response.resume();
      res(false);
      ws.terminate();
    });
    ws.once('close', () => res(false));
  });
  r.firstFrame = new Promise((res) => {
    ws.once('message', () => res());
    ws.once('close', () => res());
  });
  return r;
}

function fragmentFrame(id: number, index: number, count: number, payload: Uint8Array, trailing = 0): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_FRAGMENT);
  encoding.writeVarUint(enc, id);
  encoding.writeVarUint(enc, index);
  encoding.writeVarUint(enc, count);
  encoding.writeVarUint8Array(enc, payload);
  const frame = encoding.toUint8Array(enc);
  if (!trailing) return frame;
  const padded = new Uint8Array(frame.length + trailing);
  padded.set(frame);
  return padded;
}

/** Sends `frames` one after another, each once the previous left this process (no unbounded queue here). */
async function sendAll(ws: WebSocket, frames: Iterable<Uint8Array>, sent: (n: number) => void = () => {}): Promise<void> {
  let n = 0;
  for (const f of frames) {
    if (ws.readyState !== WebSocket.OPEN) return;
    await new Promise<void>((res) => ws.send(f, () => res()));
    sent(++n);
  }
}

/** A plain HTTP request with the headers a test chooses (Host included), from a chosen address. */
function http(
  relay: RelayProcess,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: relay.port, path, method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const APP = { [APP_REQUEST_HEADER]: APP_REQUEST_VALUE, 'Content-Type': 'application/json' };

function counts(codes: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const c of codes) out[c] = (out[c] ?? 0) + 1;
  return out;
}

function unloadsOf(relay: RelayProcess, room: string): number {
  return relay
    .stderr()
    .split('\n')
    .filter((l) => l.includes('unloading workbook') && l.includes(`"${room}"`)).length;
}

// ---------------------------------------------------------------------------------------------

describe('the hub under hostile traffic (issue 13)', () => {
  it('fragments: 1 MiB frames carrying 1-byte pieces, a million-piece message, ten connections sending 3 MiB each of a message that never ends — memory stays under the ceiling, the honest room is never unloaded', async () => {
    const relay = await hub({
      MAX_HEAP_BYTES: String(512 * MiB),
      MAX_REASSEMBLY_BYTES: String(12 * MiB),
      FRAGMENT_TIMEOUT_MS: '2500',
      MEMORY_CHECK_MS: '100',
      MAX_CONNECTIONS_PER_IP: '1000',
    });
    const honest = await honestRoom(relay);
    const probe = await healthProbe(relay);

    const attack = async (step: () => void) => {
      // The reported attack: each ~1 MiB frame's payload is 1 byte; the rest rides along after it.
      const views = Array.from({ length: 10 }, (_, i) => raw(relay, `frag-views-${i}-0001`));
      await Promise.all(views.map((s) => s.opened));
      await Promise.all(views.map((s) => (s.ws.send(STEP1), s.firstFrame)));
      for (const s of views) s.ws.send(fragmentFrame(1, 0, 64, new Uint8Array(1), MiB - 64));
      const viewCodes = await Promise.all(views.map((s) => s.closed));
      step();

      // A message declaring a million pieces.
      const many = raw(relay, 'frag-many-00001');
      await many.opened;
      many.ws.send(fragmentFrame(1, 0, 1_000_000, new Uint8Array(1)));
      const manyCode = await many.closed;
      step();

      // Ten connections each sending 12 pieces of 256 KiB (as the app cuts them) of a 64-piece message that never ends.
      const holders = Array.from({ length: 10 }, (_, i) => raw(relay, `frag-hold-${i}-0001`));
      await Promise.all(holders.map((s) => s.opened));
      await Promise.all(holders.map((s) => (s.ws.send(STEP1), s.firstFrame)));
      const piece = new Uint8Array(256 * 1024).fill(7);
      const pieces = Array.from({ length: 12 }, (_, i) => fragmentFrame(9, i, 64, piece));
      const started = Date.now();
      await Promise.all(holders.map((s, k) => sendAll(s.ws, pieces, (n) => k === 0 && n % 3 === 0 && step())));
      step();
      const holderCodes = await Promise.all(holders.map((s) => s.closed));
      return { viewCodes, manyCode, holderCodes, heldForMs: Date.now() - started };
    };

    const result = await honest.during(attack);
    const stats = await probe.stop();
    report('fragments', stats);
    console.log('[exhaustion] fragments: closes', JSON.stringify({ ...result, viewCodes: counts(result.viewCodes), holderCodes: counts(result.holderCodes) }), 'honest rounds', honest.rounds);

    expect(result.viewCodes.every((c) => c === CloseCode.MALFORMED_FRAME)).toBe(true);
    expect(result.manyCode).toBe(CloseCode.MESSAGE_TOO_LARGE);
    // The shared budget (12 MiB) holds at most four of them whole: the others are told to try again
    // (1013) as it runs out, and those still holding part of it are closed when their time is up.
    const byCode = counts(result.holderCodes);
    expect(byCode[CloseCode.TRY_AGAIN] ?? 0).toBeGreaterThanOrEqual(6);
    expect(byCode[FRAGMENT_TIMEOUT_CODE] ?? 0).toBeGreaterThanOrEqual(1);
    expect((byCode[CloseCode.TRY_AGAIN] ?? 0) + (byCode[FRAGMENT_TIMEOUT_CODE] ?? 0)).toBe(10);
    expect(stats.maxReassemblyBytes).toBeLessThanOrEqual(12 * MiB);
    expect(stats.maxHeldBytes).toBeLessThan(512 * MiB);
    expect(stats.failures).toBe(0);
    expect(stats.maxMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(honest.closes).toEqual([]);
    expect(unloadsOf(relay, 'honest-room-0001')).toBe(0);
    // What the hub counts as held for unfinished messages is given back when they end.
    const after = (await (await fetch(`${relay.httpUrl}/healthz`)).json()) as { reassemblyBytes: number; heldBytes: number };
    expect(after.reassemblyBytes).toBe(0);
    await honest.verify();
  }, 60_000);

  it('churn: 510 connections opening new workbooks from five addresses never unload a busy room; past MAX_ROOMS the new room is refused (4503), past the load rate an address is (4429)', async () => {
    const relay = await hub({ MAX_ROOMS: '100', MAX_ROOM_LOADS_PER_IP: '120', HANDSHAKE_TIMEOUT_MS: '30000' });
    const honest = await honestRoom(relay);
    const probe = await healthProbe(relay);
    const address = (i: number) => `127.0.0.${1 + (i % 5)}`;

    const open = async (room: string, from: string) => {
      const s = raw(relay, room, from);
      if (!(await s.opened)) return { s, code: -1 };
      s.ws.send(STEP1);
      await s.firstFrame;
      return { s, code: s.ws.readyState === WebSocket.OPEN ? 0 : await s.closed };
    };

    const attack = async (step: () => void) => {
      // 150 connections that stay, each in a new workbook (50 handshakes at a time): the hub fills up to MAX_ROOMS.
      const held: Awaited<ReturnType<typeof open>>[] = [];
      for (let wave = 0; wave < 3; wave++) {
        held.push(...(await Promise.all(Array.from({ length: 50 }, (_, k) => open(`churn-held-${wave * 50 + k}-0001`, address(k))))));
        step();
      }
      const heldCodes = held.map((h) => h.code);
      // 360 more that come and go, each to yet another new workbook, while the 150 stay.
      const churnCodes: number[] = [];
      for (let wave = 0; wave < 8; wave++) {
        const batch = await Promise.all(Array.from({ length: 45 }, (_, i) => open(`churn-${wave}-${i}-0001`, address(i))));
        churnCodes.push(...batch.map((b) => b.code));
        for (const b of batch) b.s.ws.close();
        await Promise.all(batch.map((b) => b.s.closed));
        step();
      }
      for (const h of held) h.s.ws.close();
      await Promise.all(held.map((h) => h.s.closed));
      // Once they have left, one address opening 130 new workbooks in a row runs into the load rate.
      const rateCodes: number[] = [];
      for (let i = 0; i < 130; i++) {
        const r = await open(`churn-rate-${i}-0001`, '127.0.0.9');
        rateCodes.push(r.code);
        r.s.ws.close();
        await r.s.closed;
        if (i % 10 === 9) step();
      }
      return { heldCodes, churnCodes, rateCodes };
    };

    const result = await honest.during(attack);
    const stats = await probe.stop();
    report('churn', stats);
    console.log('[exhaustion] churn: closes', JSON.stringify({ held: counts(result.heldCodes), churn: counts(result.churnCodes), rate: counts(result.rateCodes) }), 'honest rounds', honest.rounds);

    // 99 slots besides the honest room: those load; the rest are told the hub is full.
    expect(counts(result.heldCodes)[0]).toBe(99);
    expect(counts(result.heldCodes)[HUB_FULL]).toBe(51);
    // While the hub is full of occupied rooms, every newcomer is refused; none of them unloads anyone.
    expect(result.churnCodes.every((c) => c === HUB_FULL)).toBe(true);
    // 120 loads a minute from one address (the burst), then the rate.
    expect(counts(result.rateCodes)[CloseCode.RATE_LIMITED]).toBeGreaterThanOrEqual(5);
    expect(counts(result.rateCodes)[0]).toBeGreaterThanOrEqual(120);
    expect(honest.closes).toEqual([]);
    expect(unloadsOf(relay, 'honest-room-0001')).toBe(0);
    expect(stats.failures).toBe(0);
    expect(stats.maxMs).toBeLessThan(HEALTH_BOUND_MS);
    await honest.verify();
  }, 60_000);

  it('snapshots: 40 requests at once take at most MAX_SNAPSHOTS_PER_HOUR (429 for the rest), per address too; snapshots count toward MAX_DOC_BYTES; named ones can be deleted by an edit link only', async () => {
    const relay = await hub({ MAX_DOC_BYTES: String(2 * MiB), MAX_SNAPSHOTS_PER_HOUR: '20', MAX_SNAPSHOTS_PER_HOUR_PER_IP: '30', AUTO_SNAPSHOT_MS: '1' });
    const room = 'snap-flood-0001';
    const writer = makeClient(relay.syncUrl, room, 'Wes');
    clients.push(writer);
    const sheet = writer.wb.initialize({ rows: 100, columns: 1 });
    const col = writer.wb.columns(sheet)[0].id;
    const rows = writer.wb.rowIds(sheet);
    writer.wb.setCells(sheet, rows.map((rowId, i) => ({ rowId, colId: col, value: `${i} `.padEnd(2000, 'x') })));
    await allOnHub(writer);
    // Automatic snapshots (one per edit here) make way for each other within MAX_DOC_BYTES.
    for (let i = 0; i < 20; i++) {
      writer.wb.setCell(sheet, rows[i], col, `edit ${i}`);
      await allOnHub(writer);
    }
    const api = new SnapshotClient(relay.httpUrl, room);
    const docBytes = Y.encodeStateAsUpdate(writer.doc).length;
    const autos = (await api.list()).filter((s) => s.kind === 'auto');
    expect(autos.length).toBeGreaterThan(1);
    expect(autos.reduce((n, s) => n + s.bytes, 0) + docBytes).toBeLessThanOrEqual(2 * MiB);

    const probe = await healthProbe(relay);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => http(relay, `/api/w/${room}/snapshots`, { method: 'POST', headers: APP, body: JSON.stringify({ name: `flood ${i}`, by: 'Mallory' }) })),
    );
    const stats = await probe.stop();
    report('snapshots', stats);
    const statuses = counts(results.map((r) => r.status));
    console.log('[exhaustion] snapshots: statuses', JSON.stringify(statuses), 'doc bytes', docBytes);
    const list = await api.list();
    const total = list.reduce((n, s) => n + s.bytes, 0);
    // 20 an hour for this workbook; of those, as many as fit in 2 MiB beside the workbook itself (SNAPSHOTS_FULL after).
    expect((statuses[201] ?? 0) + (statuses[413] ?? 0)).toBe(20);
    expect(statuses[429]).toBe(20);
    expect(statuses[413]).toBeGreaterThan(0);
    const refused = results.find((r) => r.status === 429)!;
    expect(JSON.parse(refused.body).error).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(results.find((r) => r.status === 413)!.body).error).toBe('SNAPSHOTS_FULL');
    expect(total + docBytes).toBeLessThanOrEqual(2 * MiB);
    // the newest automatic snapshot stays however many named ones come
    expect(list.some((s) => s.kind === 'auto')).toBe(true);
    expect(stats.maxMs).toBeLessThan(HEALTH_BOUND_MS);

    // Deleting: only named ones, only with the app's header.
    const named = list.find((s) => s.kind === 'named')!;
    const auto = list.find((s) => s.kind === 'auto')!;
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));
    const bare = await http(relay, `/api/w/${room}/snapshots/${named.id}`, { method: 'DELETE' });
    expect([bare.status, JSON.parse(bare.body).error]).toEqual([403, 'CROSS_SITE']);
    expect(await code(api.delete(auto.id))).toBe('AUTOMATIC_SNAPSHOT');
    expect(await code(api.delete(named.id + 1_000_000))).toBe('UNKNOWN_SNAPSHOT');
    expect(await code(api.delete(named.id))).toBe('ok');
    expect((await api.list()).some((s) => s.id === named.id)).toBe(false);
    expect(await code(api.fetch(named.id))).toBe('UNKNOWN_SNAPSHOT');

    // A view link lists but neither takes nor deletes.
    const keys = await newWorkbookKeys();
    const owner = makeClient(relay.syncUrl, keys.id, 'Ana', new Y.Doc(), keys.edit);
    clients.push(owner);
    owner.wb.initialize({ rows: 1, columns: 1 });
    await allOnHub(owner);
    const made = await new SnapshotClient(relay.httpUrl, keys.id, keys.edit).create('day 1', 'Ana');
    const viewer = new SnapshotClient(relay.httpUrl, keys.id, keys.view);
    expect((await viewer.list()).map((s) => s.id)).toContain(made.id);
    expect(await code(viewer.create('mine', 'Vic'))).toBe('READ_ONLY');
    expect(await code(viewer.delete(made.id))).toBe('READ_ONLY');
    expect(await code(new SnapshotClient(relay.httpUrl, keys.id, keys.edit).delete(made.id))).toBe('ok');

    // Per address: this address has taken 21 of its 30 this hour (20 above, 1 just now); another address has its own.
    const other = 'snap-flood-0002';
    const w2 = makeClient(relay.syncUrl, other, 'Wes');
    clients.push(w2);
    w2.wb.initialize({ rows: 1, columns: 1 });
    await allOnHub(w2);
    const fromHere = await Promise.all(
      Array.from({ length: 20 }, (_, i) => http(relay, `/api/w/${other}/snapshots`, { method: 'POST', headers: APP, body: JSON.stringify({ name: `n ${i}`, by: 'M' }) })),
    );
    expect(counts(fromHere.map((r) => r.status))).toEqual({ 201: 9, 429: 11 });
    const elsewhere = await http(relay, `/api/w/${other}/snapshots`, { method: 'POST', headers: APP, body: JSON.stringify({ name: 'x', by: 'M' }), localAddress: '127.0.0.2' });
    expect(elsewhere.status).toBe(201);
  }, 60_000);

  it('connections: 5 addresses × 150 sockets against MAX_CONNECTIONS=400 — the hub holds at most 400, refuses the rest (503) and the honest room keeps syncing', async () => {
    const relay = await hub({ MAX_CONNECTIONS: '400', MAX_CONNECTIONS_PER_IP: '200', HANDSHAKE_TIMEOUT_MS: '30000' });
    const honest = await honestRoom(relay);
    const probe = await healthProbe(relay);
    const all: Raw[] = [];
    const attack = async (step: () => void) => {
      // 750 sockets, 25 handshakes in flight at a time, round-robin over the five addresses.
      for (let wave = 0; wave < 30; wave++) {
        const batch = Array.from({ length: 25 }, (_, k) => {
          const i = wave * 25 + k;
          return raw(relay, `conn-room-${i % 50}-0001`, `127.0.0.${1 + (i % 5)}`);
        });
        all.push(...batch);
        await Promise.all(batch.map((s) => s.opened));
        step();
      }
      const opened = await Promise.all(all.map((s) => s.opened));
      return { accepted: opened.filter(Boolean).length, statuses: counts(all.map((s) => s.status ?? 0)) };
    };
    const result = await honest.during(attack);
    const health = (await (await fetch(`${relay.httpUrl}/healthz`)).json()) as { connections: number };
    const stats = await probe.stop();
    report('connections', stats);
    console.log('[exhaustion] connections:', JSON.stringify(result), 'honest rounds', honest.rounds);
    for (const s of all) s.ws.close();
    await Promise.all(all.map((s) => s.closed));
    // the two honest connections count too
    expect(result.accepted).toBe(398);
    expect(result.statuses[503]).toBe(352);
    expect(health.connections).toBe(400);
    expect(stats.maxConnections).toBeLessThanOrEqual(400);
    expect(stats.maxMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(honest.closes).toEqual([]);
    await honest.verify();
  }, 60_000);

  it('DNS rebinding and cross-site requests: a Host that is not the hub’s is refused (421) everywhere; a state-changing request without the app’s header is refused (403); the app carries its security headers', async () => {
    const relay = await hub({ ALLOWED_HOSTS: 'sheets.example.org' });
    const room = 'rebind-room-0001';
    const writer = makeClient(relay.syncUrl, room, 'Wes');
    clients.push(writer);
    writer.wb.initialize({ rows: 1, columns: 1 });
    await allOnHub(writer);
    const port = relay.port;

    for (const path of ['/', '/index.html', '/healthz', '/api/hub', `/api/w/${room}/snapshots`]) {
      const evil = await http(relay, path, { headers: { Host: `evil.example:${port}` } });
      expect(evil.status, path).toBe(421);
      expect(evil.body).toMatch(/ALLOWED_HOSTS/);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `sheets.example.org:${port}`, `192.168.1.20:${port}`, 'localhost']) {
      expect((await http(relay, '/healthz', { headers: { Host: host } })).status, host).toBe(200);
    }
    // A rebinding page: its Host and its Origin are both the attacker's name.
    const ws = raw(relay, room, '127.0.0.1', { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` });
    expect(await ws.opened).toBe(false);
    expect(ws.status).toBe(421);
    const own = raw(relay, room, '127.0.0.1', { Host: `localhost:${port}`, Origin: `http://localhost:${port}` });
    expect(await own.opened).toBe(true);
    own.ws.close();

    // A form on another site posting to an open workbook's snapshot API.
    const forms: Record<string, string>[] = [
      { 'Content-Type': 'text/plain', Origin: 'http://evil.example' },
      { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example' },
      { 'Content-Type': 'application/json' },
    ];
    for (const headers of forms) {
      const r = await http(relay, `/api/w/${room}/snapshots`, { method: 'POST', headers, body: JSON.stringify({ name: 'pwned', by: 'Mallory' }) });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body).error).toBe('CROSS_SITE');
    }
    const api = new SnapshotClient(relay.httpUrl, room);
    expect((await api.list()).filter((s) => s.kind === 'named')).toEqual([]);
    expect((await api.create('from the app', 'Wes')).name).toBe('from the app');
    // A preflight is never granted.
    const preflight = await http(relay, `/api/w/${room}/snapshots`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();

    const page = await http(relay, '/', { headers: { Host: `127.0.0.1:${port}` } });
    const csp = String(page.headers['content-security-policy']);
    for (const directive of ["default-src 'self'", "img-src 'self' data:", "worker-src 'self'", "frame-ancestors 'none'", "script-src 'self'"]) expect(csp).toContain(directive);
    expect(csp).toMatch(new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${port} wss://127\\.0\\.0\\.1:${port}`));
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  }, 60_000);
});
