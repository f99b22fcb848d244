import { Worker } from 'node:worker_threads';
import { rawUpdate } from '../support/vandal.js';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newWorkbookKeys } from '../../src/protocol/access.js';
import { fragmentFrame } from '../../src/protocol/fragments.js';
import { CloseCode, MESSAGE_AWARENESS, MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { people } from '../../src/ui/presence.js';
import { Workbook } from '../../src/model/workbook.js';
import { allOnHub, makeClient, untilDoc, untilStatus, type TestClient } from '../support/clients.js';
import { rawSocket, type RawSocket } from '../support/raw-socket.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { endedAfterEach } from '../support/ended-after-each.js';
import { until } from '../support/wait.js';

/**
 * Issue 13, the room-level attacks, each against the real hub (a child process): the hub stays up
 * and within memory, /healthz keeps answering within 200 ms while the attack runs (polled from a
 * worker thread, so this process's own work does not count), an honest room keeps syncing, and
 * honest offline work survives.
 */

const { relays, clients, sockets } = endedAfterEach();

/** The starvation bound: not a benchmark, a hub that answers. */
// `npm run test:attacks` runs this file alone with HEALTH_BOUND_MS=200 (the bound); inside `npm test` other
// suites share the two cores, so the bound there is 1 s: still a starvation detector (the attacks stalled it 54 s and 104 s).
const HEALTH_BOUND_MS = Number(process.env.HEALTH_BOUND_MS ?? 1000);

/** Polls /healthz from its own thread until stopped; reports the slowest answer (per phase) and the most memory seen. */
async function healthWatch(relay: RelayProcess) {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    let stop = false, phase = 'start', maxMs = 0, maxRss = 0, polls = 0, failures = 0;
    const byPhase = {};
    parentPort.on('message', (m) => { if (m === 'stop') stop = true; else phase = m; });
    (async () => {
      // one request first, not counted: the worker's own start-up (fetch, the connection) is not the hub's
      await (await fetch(workerData.url)).json();
      parentPort.postMessage('ready');
      while (!stop) {
        const p = phase;
        const t = performance.now();
        try {
          const r = await fetch(workerData.url);
          const j = await r.json();
          if (j.rssBytes > maxRss) maxRss = j.rssBytes;
          if (!j.ok) failures++;
        } catch { failures++; }
        const ms = performance.now() - t;
        if (ms > maxMs) maxMs = ms;
        byPhase[p] = Math.max(byPhase[p] ?? 0, Math.round(ms));
        polls++;
        // a sample every ~20 ms: this measures the hub, it does not wait for anything
        await new Promise((r) => setTimeout(r, 20));
      }
      parentPort.postMessage({ maxMs, maxRss, polls, failures, byPhase });
    })();
    `,
    { eval: true, workerData: { url: `${relay.httpUrl}/healthz` } },
  );
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  return {
    phase: (name: string) => worker.postMessage(name),
    stop: () =>
      new Promise<{ maxMs: number; maxRss: number; polls: number; failures: number; byPhase: Record<string, number> }>((resolve) => {
        worker.once('message', (m) => {
          void worker.terminate();
          resolve(m);
        });
        worker.postMessage('stop');
      }),
  };
}

function syncFrame(kind: number, payload: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  encoding.writeVarUint(enc, kind);
  encoding.writeVarUint8Array(enc, payload);
  return encoding.toUint8Array(enc);
}

async function attacker(relay: RelayProcess, room: string): Promise<RawSocket> {
  const s = rawSocket(relay.syncUrl, room);
  sockets.push(s);
  await s.opened;
  // an open workbook: the first frame joins the room (and the hub answers with its sync step 1)
  s.ws.send(new Uint8Array([3]));
  return s;
}

/** Sends one message, already cut into FRAGMENT frames as the app does for anything over 256 KiB. */
function sendBig(s: RawSocket, fragments: Uint8Array[]): void {
  for (const f of fragments) s.ws.send(f);
}

/** `count` GC structs of length 1 for one client, written straight into bytes (60 MB for 30 M). */
function tinyStructs(client: number, count: number): Uint8Array {
  const head = encoding.createEncoder();
  encoding.writeVarUint(head, 1);
  encoding.writeVarUint(head, count);
  encoding.writeVarUint(head, client);
  encoding.writeVarUint(head, 0);
  const h = encoding.toUint8Array(head);
  const out = new Uint8Array(h.length + count * 2 + 1);
  out.set(h);
  for (let i = 0; i < count; i++) out[h.length + i * 2 + 1] = 1; // info 0 (GC), length 1
  out[out.length - 1] = 0; // no delete set
  return out;
}

/** The hub's state vector, from the sync step 1 it sends every connection first. */
async function hubClock(s: RawSocket, client: number): Promise<number> {
  await until(
    (n) => {
      s.ws.on('message', n);
      return () => s.ws.off('message', n);
    },
    () => s.frames.some((f) => f[0] === MESSAGE_SYNC && f[1] === 0),
    'the hub’s sync step 1',
  );
  const f = s.frames.find((x) => x[0] === MESSAGE_SYNC && x[1] === 0)!;
  const dec = decoding.createDecoder(f);
  decoding.readVarUint(dec);
  decoding.readVarUint(dec);
  return Y.decodeStateVector(decoding.readVarUint8Array(dec)).get(client) ?? 0;
}

/** Two people syncing one sheet while an attack runs (Ana and Ben), and Cai, who will work offline. */
async function honestRoom(relay: RelayProcess, room: string) {
  const a = makeClient(relay.syncUrl, room, 'Ana');
  const b = makeClient(relay.syncUrl, room, 'Ben');
  const c = makeClient(relay.syncUrl, room, 'Cai');
  clients.push(a, b, c);
  const sheet = a.wb.initialize({ rows: 10, columns: 3 });
  await allOnHub(a);
  await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowIds(sheet).length === 10, 'Ben has the sheet');
  await untilDoc(c, () => c.wb.isInitialized() && c.wb.rowIds(sheet).length === 10, 'Cai has the sheet');
  const col = a.wb.columns(sheet)[0].id;
  const rows = a.wb.rowIds(sheet);
  let n = 0;
  return {
    a,
    b,
    c,
    sheet,
    col,
    rows,
    async edit() {
      const text = `round ${++n}`;
      a.wb.setCell(sheet, rows[0], col, text);
      await untilDoc(b, () => b.wb.getValue(sheet, rows[0], col) === text, `Ben sees ${text}`);
    },
  };
}

describe('room-level attacks: event-loop stalls', () => {
  it('a 12.5 M-client state vector (4416), 30 M tiny structs in one update and a million spread over clients (4417): refused from their counts; /healthz stays fast, memory bounded, the honest room syncs and offline work survives', async () => {
    const relay = await startRelay({ env: { MAX_CONNECTIONS_PER_IP: '100' } });
    relays.push(relay);
    const honest = await honestRoom(relay, 'stall-room-001');
    // Cai works offline through the attacks
    honest.c.session.disconnect();
    await untilStatus(honest.c, (s) => s.connection === 'offline', 'Cai offline');
    for (let i = 1; i <= 3; i++) honest.c.wb.setCell(honest.sheet, honest.rows[i], honest.col, `offline ${i}`);

    // built before the watch starts: this process's own work is not the hub's latency
    const sv = encoding.createEncoder();
    encoding.writeVarUint(sv, 12_500_000);
    for (let c = 1; c <= 12_500_000; c++) {
      encoding.writeVarUint(sv, c);
      encoding.writeVarUint(sv, 1);
    }
    const svFrame = syncFrame(0, encoding.toUint8Array(sv));
    const structsFrame = syncFrame(2, tinyStructs(777, 30_000_000));
    const spread = rawUpdate(Array.from({ length: 5 }, (_, c) => ({ client: 900 + c, clock: 0, structs: Array.from({ length: 210_000 }, () => 1) })));
    const spreadFrame = syncFrame(2, spread);
    expect(svFrame.length).toBeGreaterThan(50 * 1024 * 1024);
    expect(structsFrame.length).toBeGreaterThan(60 * 1000 * 1000);
    const svFragments = fragmentFrame(svFrame, 1);
    const structsFragments = fragmentFrame(structsFrame, 1);
    const spreadFragments = fragmentFrame(spreadFrame, 1);

    const watch = await healthWatch(relay);
    const t0 = performance.now();
    const s1 = await attacker(relay, 'stall-room-001');
    watch.phase('state vector');
    sendBig(s1, svFragments);
    expect(await s1.closed).toBe(CloseCode.STATE_VECTOR_TOO_LARGE);
    await honest.edit();
    const s2 = await attacker(relay, 'stall-room-001');
    watch.phase('30 M structs');
    sendBig(s2, structsFragments);
    expect(await s2.closed).toBe(CloseCode.TOO_MANY_STRUCTS);
    await honest.edit();
    const s3 = await attacker(relay, 'stall-room-001');
    watch.phase('spread structs');
    sendBig(s3, spreadFragments);
    expect(await s3.closed).toBe(CloseCode.TOO_MANY_STRUCTS);
    await honest.edit();
    const elapsed = performance.now() - t0;
    const health = await watch.stop();
    console.log(`stalls: ${elapsed.toFixed(0)} ms of attacks, /healthz max ${health.maxMs.toFixed(0)} ms over ${health.polls} polls (${JSON.stringify(health.byPhase)}), hub rss max ${(health.maxRss / 2 ** 20).toFixed(0)} MiB`);
    expect(health.failures).toBe(0);
    expect(health.maxMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(health.maxRss).toBeLessThan(1024 * 1024 * 1024);
    expect(relay.proc.exitCode).toBeNull();

    // Cai's offline edits survive and reach Ana; nothing of the attacks was stored
    honest.c.session.connect();
    await allOnHub(honest.c);
    await untilDoc(honest.a, () => honest.a.wb.getValue(honest.sheet, honest.rows[3], honest.col) === 'offline 3', 'Ana sees Cai’s offline edits');
    const fresh = makeClient(relay.syncUrl, 'stall-room-001', 'Dan');
    clients.push(fresh);
    await untilDoc(fresh, () => fresh.wb.isInitialized() && fresh.wb.getValue(honest.sheet, honest.rows[1], honest.col) === 'offline 1', 'a new device opens it');
    const ids = Array.from(Y.decodeStateVector(Y.encodeStateVector(fresh.doc)).keys());
    expect(ids).not.toContain(777);
    expect(ids).not.toContain(900);
  }, 60_000);
});

describe('room-level attacks: structs forged under someone else’s client id', () => {
  /** The victim (a real client) goes offline and makes 3 edits; the attacker reads its client id from presence and the hub's clock for it. */
  async function victimOffline(relay: RelayProcess, room: string) {
    const honest = await honestRoom(relay, room);
    const victim = honest.c;
    victim.session.awareness.setLocalStateField('user', { name: 'Cai', color: '#1f6feb' });
    await until(
      (n) => {
        honest.a.session.awareness.on('change', n);
        return () => honest.a.session.awareness.off('change', n);
      },
      () => honest.a.session.awareness.getStates().get(victim.doc.clientID)?.user?.name === 'Cai',
      'Ana sees Cai’s presence (and so her client id)',
    );
    const id = victim.doc.clientID;
    victim.session.disconnect();
    await untilStatus(victim, (s) => s.connection === 'offline', 'Cai offline');
    for (let i = 1; i <= 3; i++) victim.wb.setCell(honest.sheet, honest.rows[i], honest.col, `Cai offline ${i}`);
    expect(victim.session.getStatus().pending).toBeGreaterThan(0);
    // the live items those writes left under Cai's id (what a taken id has to write again)
    let victimWrites = 0;
    for (const s of victim.doc.store.clients.get(id) ?? []) if (s instanceof Y.Item && !s.deleted && !(s.parent instanceof Y.AbstractType && s.parent._item?.id.client === id)) victimWrites++;
    return { ...honest, victim, id, victimWrites };
  }

  async function allSurvive(relay: RelayProcess, room: string, h: Awaited<ReturnType<typeof victimOffline>>) {
    h.victim.session.connect();
    await allOnHub(h.victim);
    // the victim's screen still shows its own edits, and its status says Synced because they are on the hub:
    for (let i = 1; i <= 3; i++) expect(h.victim.wb.getValue(h.sheet, h.rows[i], h.col)).toBe(`Cai offline ${i}`);
    const third = makeClient(relay.syncUrl, room, 'Dan');
    clients.push(third);
    await untilDoc(third, () => third.wb.isInitialized() && [1, 2, 3].every((i) => third.wb.getValue(h.sheet, h.rows[i], h.col) === `Cai offline ${i}`), 'a third device has all 3 offline edits');
    await untilDoc(h.a, () => [1, 2, 3].every((i) => h.a.wb.getValue(h.sheet, h.rows[i], h.col) === `Cai offline ${i}`), 'Ana has all 3');
  }

  it('structs or deletes planted past the hub’s clock for the victim’s id (a gap, a Skip, a GC 100,000 ahead, deletes of future clocks) are refused with 4509 (after the attacker’s own sync step 2); the victim’s 3 offline edits survive on the hub and a third device; its status tells the truth', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const h = await victimOffline(relay, 'forge-room-001');
    const watch = await healthWatch(relay);
    for (const make of [
      (c: number) => rawUpdate([{ client: h.id, clock: c + 1, structs: [100_000] }]),
      (c: number) => rawUpdate([{ client: h.id, clock: c, structs: [-1, 100_000] }]),
      (c: number) => rawUpdate([{ client: h.id, clock: c + 50, structs: [-50, 1] }]),
      (c: number) => rawUpdate([], [[h.id, c, 100_000]]),
    ]) {
      const s = await attacker(relay, 'forge-room-001');
      const clock = await hubClock(s, h.id);
      // sent before its own sync step 2 it is only held (a device typing while it reconnects does
      // that); once the step 2 is in and the gap is still open, the hub refuses it
      s.ws.send(syncFrame(2, make(clock)));
      s.ws.send(syncFrame(1, new Uint8Array([0, 0])));
      expect(await s.closed).toBe(CloseCode.CLOCK_GAP);
    }
    await h.edit();
    const health = await watch.stop();
    expect(health.maxMs).toBeLessThan(HEALTH_BOUND_MS);
    await allSurvive(relay, 'forge-room-001', h);
  }, 60_000);

  // The attack as reported: one GC struct at exactly the hub's clock for the offline victim's id,
  // claiming its next 100,000 clocks. On the wire this is the same as a page reloaded while offline
  // relaying its old session's edits (a known id, the hub's clock, sent by a connection that never
  // used it), so the hub accepts it; the device holding the real structs notices (src/sync/clock-guard.ts):
  // it asks the hub what it holds at its unacknowledged clocks, and writes again, under a new client
  // id, whatever the hub does not hold as it does.
  async function forgedThenBack(relay: RelayProcess, room: string, forge: (h: Awaited<ReturnType<typeof victimOffline>>) => Promise<void>) {
    const h = await victimOffline(relay, room);
    await forge(h);
    await allSurvive(relay, room, h);
    expect(h.victim.doc.clientID).not.toBe(h.id);
    // everything live under the taken id from its first unconfirmed clock is written again (3 cells
    // and what each write carries), nothing from before it
    expect(h.victim.session.guard.reissued).toBe(h.victimWrites);
    expect(h.victim.session.getStatus().pending).toBe(0);
    return h;
  }

  it('the reported attack: a GC at the hub’s own clock for the offline victim’s id, claiming 100,000 clocks — the victim re-issues its 3 edits under a new id; they reach the hub and a third device, and its status is true', async () => {
    const relay = await startRelay();
    relays.push(relay);
    await forgedThenBack(relay, 'forge-room-002', async (h) => {
      const s = await attacker(relay, 'forge-room-002');
      const clock = await hubClock(s, h.id);
      s.ws.send(syncFrame(2, rawUpdate([{ client: h.id, clock, structs: [100_000] }])));
      // its own (empty) sync step 2: until then the hub only holds what a connection sends
      s.ws.send(syncFrame(1, new Uint8Array([0, 0])));
      await untilDoc(h.a, () => Y.getState(h.a.doc.store, h.id) === clock + 100_000, 'the forged clocks reach Ana');
    });
  }, 30_000);

  it('a forgery that takes fewer clocks than the victim used (one GC, nothing past its own clock) is caught the same way', async () => {
    const relay = await startRelay();
    relays.push(relay);
    await forgedThenBack(relay, 'forge-room-004', async (h) => {
      const s = await attacker(relay, 'forge-room-004');
      const clock = await hubClock(s, h.id);
      s.ws.send(syncFrame(2, rawUpdate([{ client: h.id, clock, structs: [1] }])));
      s.ws.send(syncFrame(1, new Uint8Array([0, 0])));
      await untilDoc(h.a, () => Y.getState(h.a.doc.store, h.id) === clock + 1, 'the forged clock reaches Ana');
    });
  }, 30_000);

  it('a forgery with real content (another value written under the victim’s id at its clock) is caught too', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const room = 'forge-room-005';
    await forgedThenBack(relay, room, async (h) => {
      // Eve builds the forgery in a copy of the workbook whose client id is Cai's, and sends it raw
      const forger = new Y.Doc();
      Y.applyUpdate(forger, Y.encodeStateAsUpdate(h.a.doc));
      forger.clientID = h.id;
      const forged: Uint8Array[] = [];
      forger.on('update', (u: Uint8Array) => forged.push(u));
      new Workbook(forger, { actor: { name: 'Eve', deviceId: 'eve' } }).setCell(h.sheet, h.rows[1], h.col, 'forged');
      expect(Y.parseUpdateMeta(forged[0]).from.get(h.id)).toBe(Y.getState(h.a.doc.store, h.id));
      const s = await attacker(relay, room);
      s.ws.send(syncFrame(2, forged[0]));
      s.ws.send(syncFrame(1, new Uint8Array([0, 0])));
      await untilDoc(h.a, () => h.a.wb.getValue(h.sheet, h.rows[1], h.col) === 'forged', 'the forged value reaches Ana');
    });
  }, 30_000);

  it('online, racing: a GC at the victim’s clock reaches the hub before the victim’s edit in flight — the victim sees its clocks taken and re-issues the edit', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const room = 'forge-room-006';
    const h = await honestRoom(relay, room);
    const victim = h.c;
    await allOnHub(victim);
    const id = victim.doc.clientID;
    const ws = victim.session.provider.ws!;
    const send = ws.send.bind(ws);
    const held: Parameters<WebSocket['send']>[0][] = [];
    ws.send = (data) => void held.push(data);
    victim.wb.setCell(h.sheet, h.rows[4], h.col, 'in flight');
    expect(held.length).toBeGreaterThan(0);
    const s = await attacker(relay, room);
    s.ws.send(syncFrame(2, rawUpdate([{ client: id, clock: await hubClock(s, id), structs: [100_000] }])));
    s.ws.send(syncFrame(1, new Uint8Array([0, 0])));
    await untilDoc(victim, () => victim.doc.clientID !== id, 'the forged clocks reach the victim');
    ws.send = send;
    for (const data of held) send(data);
    await allOnHub(victim);
    expect(victim.wb.getValue(h.sheet, h.rows[4], h.col)).toBe('in flight');
    await untilDoc(h.a, () => h.a.wb.getValue(h.sheet, h.rows[4], h.col) === 'in flight', 'Ana has the edit');
    expect(victim.session.guard.reissued).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('legitimate flows are not refused: another tab’s offline edits relayed by this tab at the hub’s clock, and a long offline session with a reload (the old session’s id relayed by the new one)', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const room = 'forge-room-003';
    const honest = await honestRoom(relay, room);
    // two tabs of one browser: tab 2 gets tab 1's edits over BroadcastChannel (applied with the
    // provider as origin, so y-websocket does not send them itself) and syncs first
    const tab1 = makeClient(relay.syncUrl, room, 'Ana-tab1');
    const tab2 = makeClient(relay.syncUrl, room, 'Ana-tab2');
    clients.push(tab1, tab2);
    await allOnHub(tab1);
    await allOnHub(tab2);
    await untilDoc(tab1, () => tab1.wb.isInitialized(), 'tab 1 loaded');
    await untilDoc(tab2, () => tab2.wb.isInitialized(), 'tab 2 loaded');
    tab1.session.disconnect();
    tab2.session.disconnect();
    const relayed: Uint8Array[] = [];
    tab1.doc.on('update', (u: Uint8Array) => relayed.push(u));
    for (let i = 0; i < 3; i++) tab1.wb.setCell(honest.sheet, honest.rows[5 + i], honest.col, `tab1 ${i}`);
    for (const u of relayed) Y.applyUpdate(tab2.doc, u, tab2.session.provider);
    tab2.wb.setCell(honest.sheet, honest.rows[9], honest.col, 'tab2');
    tab2.session.connect();
    await allOnHub(tab2);
    expect(tab2.session.getStatus().lastClose).toBeNull();
    await untilDoc(honest.a, () => honest.a.wb.getValue(honest.sheet, honest.rows[7], honest.col) === 'tab1 2' && honest.a.wb.getValue(honest.sheet, honest.rows[9], honest.col) === 'tab2', 'Ana sees both tabs’ work before tab 1 is back');
    tab1.session.connect();
    await allOnHub(tab1);

    // offline for days: hundreds of edits, a paste, a deleted row; then the page is reloaded while
    // still offline (a new client id; the old one's edits come back from IndexedDB) and edits more
    const away = makeClient(relay.syncUrl, room, 'Dee');
    clients.push(away);
    await untilDoc(away, () => away.wb.isInitialized() && away.wb.rowIds(honest.sheet).length === 10, 'Dee has the sheet');
    await allOnHub(away);
    away.session.disconnect();
    const cols = away.wb.columns(honest.sheet).map((c) => c.id);
    for (let i = 0; i < 400; i++) away.wb.setCell(honest.sheet, honest.rows[i % 10], cols[i % 3], `day ${i}`);
    const added = away.wb.insertRows(honest.sheet, 10, 200);
    away.wb.setCells(
      honest.sheet,
      added.flatMap((rowId, r) => cols.map((colId, c) => ({ rowId, colId, value: `pasted ${r}-${c}` }))),
    );
    away.wb.deleteRows(honest.sheet, [honest.rows[8]]);
    const kept = Y.encodeStateAsUpdate(away.doc);
    await away.destroy();
    clients.splice(clients.indexOf(away), 1);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, kept);
    const reloaded = makeClient(relay.syncUrl, room, 'Dee', doc);
    clients.push(reloaded);
    reloaded.wb.setCell(honest.sheet, added[199], cols[2], 'after the reload');
    await allOnHub(reloaded);
    expect(reloaded.session.getStatus().lastClose).toBeNull();
    await untilDoc(honest.a, () => honest.a.wb.getValue(honest.sheet, added[199], cols[2]) === 'after the reload' && honest.a.wb.getValue(honest.sheet, added[0], cols[0]) === 'pasted 0-0', 'Ana has the whole offline session');
    expect(Y.decodeStateVector(Y.encodeStateVector(honest.a.doc))).toEqual(Y.decodeStateVector(Y.encodeStateVector(reloaded.doc)));
  }, 60_000);
});

describe('room-level attacks: presence', () => {
  it('a view link flooding presence (150 made-up ids per 4 KB message) sets at most 4, cannot replace or remove Ana’s, disconnects nobody honest, and its states leave with it; the header draws at most 20 people', async () => {
    const relay = await startRelay({ env: { MAX_CONNECTIONS_PER_IP: '100' } });
    relays.push(relay);
    const keys = await newWorkbookKeys();
    const ana = makeClient(relay.syncUrl, keys.id, 'Ana', new Y.Doc(), keys.edit);
    const ben = makeClient(relay.syncUrl, keys.id, 'Ben', new Y.Doc(), keys.edit);
    clients.push(ana, ben);
    const sheet = ana.wb.initialize({ rows: 3, columns: 2 });
    await allOnHub(ana);
    await untilDoc(ben, () => ben.wb.isInitialized(), 'Ben has the sheet');
    ana.session.awareness.setLocalStateField('user', { name: 'Ana', color: '#cf222e' });
    ben.session.awareness.setLocalStateField('user', { name: 'Ben', color: '#1f6feb' });
    const benSees = (pred: (states: Map<number, Record<string, any>>) => boolean, what: string) =>
      until(
        (n) => {
          ben.session.awareness.on('change', n);
          return () => ben.session.awareness.off('change', n);
        },
        () => pred(ben.session.awareness.getStates()),
        what,
      );
    await benSees((s) => s.get(ana.doc.clientID)?.user?.name === 'Ana', 'Ben sees Ana');

    const viewers: TestClient[] = [];
    for (let v = 0; v < 8; v++) {
      const viewer = makeClient(relay.syncUrl, keys.id, `Vic${v}`, new Y.Doc(), keys.view);
      clients.push(viewer);
      viewers.push(viewer);
      await untilDoc(viewer, () => viewer.wb.isInitialized(), 'the viewer reads');
      viewer.session.awareness.setLocalStateField('user', { name: `Vic${v}` });
    }
    await benSees((st) => Array.from(st.values()).filter((x) => /^Vic\d$/.test(x.user?.name ?? '')).length === 8, 'Ben sees the 8 viewers');
    const flood = (from: number, state: (i: number) => unknown, count = 150) => {
      const inner = encoding.createEncoder();
      encoding.writeVarUint(inner, count);
      for (let i = 0; i < count; i++) {
        encoding.writeVarUint(inner, from + i);
        encoding.writeVarUint(inner, 5);
        encoding.writeVarString(inner, JSON.stringify(state(i)));
      }
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(enc, encoding.toUint8Array(inner));
      return encoding.toUint8Array(enc);
    };
    const watch = await healthWatch(relay);
    // each viewer's device floods over its own (authenticated) socket: 12 messages of 150 ids, within the
    // message rate; only the frames that set one of its own few slots count toward the presence rate
    for (const [v, viewer] of viewers.entries()) {
      const ws = viewer.session.provider.ws!;
      for (let m = 0; m < 12; m++) ws.send(flood(1_000_000 + v * 100_000 + m * 150, (i) => ({ user: { name: `x${i % 10}` } })));
      // and shorter lists, as a device's own message would be: only the connection's few slots are taken
      for (let m = 0; m < 3; m++) ws.send(flood(1_500_000 + v * 100_000 + m * 50, (i) => ({ user: { name: `y${i % 10}` } }), 50));
      // and tries to replace, then remove, Ana's presence
      const inner = encoding.createEncoder();
      encoding.writeVarUint(inner, 2);
      encoding.writeVarUint(inner, ana.doc.clientID);
      encoding.writeVarUint(inner, 10_000);
      encoding.writeVarString(inner, JSON.stringify({ user: { name: 'not Ana' } }));
      encoding.writeVarUint(inner, ben.doc.clientID);
      encoding.writeVarUint(inner, 10_000);
      encoding.writeVarString(inner, 'null');
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(enc, encoding.toUint8Array(inner));
      ws.send(encoding.toUint8Array(enc));
      // then its own presence again, after the flood on the same socket: once Ben has it, the flood was handled
      viewer.session.awareness.setLocalStateField('user', { name: `Vic${v} done` });
    }
    expect(flood(1_000_000, (i) => ({ user: { name: `x${i % 10}` } })).length).toBeLessThanOrEqual(4096);
    // every viewer's own state plus at most 3 made-up ones each reach Ben, and no more
    const vics = (st: Map<number, Record<string, any>>) => Array.from(st.values()).filter((x) => / done$/.test(x.user?.name ?? '')).length;
    await benSees((st) => vics(st) === 8, 'the viewers’ own presence reaches Ben, after their floods');
    ana.wb.setCell(sheet, ana.wb.rowIds(sheet)[0], ana.wb.columns(sheet)[0].id, 'still syncing');
    await untilDoc(ben, () => ben.wb.getValue(sheet, ben.wb.rowIds(sheet)[0], ben.wb.columns(sheet)[0].id) === 'still syncing', 'the honest room still syncs');
    const states = ben.session.awareness.getStates();
    // each viewer: its own state and 3 made-up ones (from the short lists; a 150-long list is an echo and sets nothing)
    expect(states.size).toBe(2 + 8 * 4);
    expect(Array.from(states.values()).filter((x) => /^x/.test(x.user?.name ?? ''))).toHaveLength(0);
    expect(states.get(ana.doc.clientID)?.user?.name).toBe('Ana');
    expect(ana.session.awareness.getStates().get(ben.doc.clientID)?.user?.name).toBe('Ben');
    // nobody honest was disconnected by echoing what the hub sent them
    expect(ana.session.getStatus().connection).toBe('online');
    expect(ben.session.getStatus().connection).toBe('online');
    expect(ana.session.getStatus().lastClose).toBeNull();
    expect(ben.session.getStatus().lastClose).toBeNull();
    // the header draws at most 20 people and one "+N"
    const named = Array.from(states).filter(([id, st]) => id !== ben.doc.clientID && st.user?.name).length;
    expect(named).toBe(1 + 8 * 4);
    const shown = people(ben.session.awareness);
    expect(shown).toHaveLength(21);
    expect(shown[0].name).toBe('Ana');
    expect(shown[20]).toMatchObject({ name: `+${named - 20}`, more: named - 20 });
    const health = await watch.stop();
    expect(health.maxMs).toBeLessThan(HEALTH_BOUND_MS);
    // the viewers leave: their states leave with them, at once
    for (const viewer of viewers) {
      await viewer.destroy();
      clients.splice(clients.indexOf(viewer), 1);
    }
    await benSees((s) => s.size === 2, 'the flood is gone when the viewers leave');
  }, 60_000);
});
