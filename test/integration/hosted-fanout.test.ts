import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allOnHub, allSealedOnHub, makeClient, makeSealedClient, untilDoc, type SealedTestClient, type TestClient } from '../support/clients.js';
import { newSealedWorkbookKeys } from '../../src/protocol/sealed-keys.js';
import { PostgresStore } from '../../server/pg-store.js';
import { startBalancer, type Balancer } from '../support/balancer.js';
import { startBackends, startHostedHub, storedClocks, untilAllOnHub, untilConverged, type HostedBackends } from '../support/hosted.js';
import type { RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';
import WebSocket from 'ws';

// Several hub processes on one Postgres and one Redis (issue 19), all real, on loopback.
let backends: HostedBackends;
const hubs: RelayProcess[] = [];
const clients: (TestClient | SealedTestClient)[] = [];
let balancer: Balancer | null = null;

beforeAll(async () => {
  backends = await startBackends();
}, 60_000);
afterAll(async () => {
  await backends?.destroy();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await balancer?.close();
  balancer = null;
  await Promise.all(hubs.splice(0).map((h) => h.stop('SIGKILL')));
});

describe('hosted hub: several processes on Postgres and Redis', () => {
  it('two clients on two hub processes converge; a third process started later catches up; presence crosses processes', async () => {
    const [a, b] = await Promise.all([startHostedHub(backends), startHostedHub(backends)]);
    hubs.push(a, b);
    const room = 'hosted-converge-1';
    const ana = makeClient(a.syncUrl, room, 'Ana');
    const ben = makeClient(b.syncUrl, room, 'Ben');
    clients.push(ana, ben);
    const sheet = ana.wb.initialize({ rows: 5, columns: 2 });
    await allOnHub(ana);
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.rowCount(sheet) === 5, 'Ben (other process) has the sheet');
    const rows = ana.wb.rowIds(sheet);
    const col = ana.wb.columns(sheet)[0].id;
    ben.wb.setCell(sheet, rows[0], col, 'from Ben');
    ana.wb.setCell(sheet, rows[1], col, 'from Ana');
    await untilConverged([ana, ben], 'Ana and Ben converged');
    await untilAllOnHub([ana, ben]);
    expect(ana.wb.getValue(sheet, rows[0], col)).toBe('from Ben');
    expect(ben.wb.getValue(sheet, rows[1], col)).toBe('from Ana');

    // Presence: Ben's name reaches Ana through Redis, and is stored nowhere.
    ben.session.awareness.setLocalStateField('user', { name: 'Ben' });
    await until(
      (n) => {
        ana.session.awareness.on('change', n);
        return () => ana.session.awareness.off('change', n);
      },
      () => Array.from(ana.session.awareness.getStates().values()).some((s) => (s.user as { name?: string } | undefined)?.name === 'Ben'),
      "Ben's presence on Ana's screen",
    );

    const c = await startHostedHub(backends);
    hubs.push(c);
    const cai = makeClient(c.syncUrl, room, 'Cai');
    clients.push(cai);
    await untilConverged([ana, ben, cai], 'Cai (late process) caught up');
    expect(cai.wb.getValue(sheet, rows[0], col)).toBe('from Ben');
    expect(cai.wb.getValue(sheet, rows[1], col)).toBe('from Ana');
    cai.wb.setCell(sheet, rows[2], col, 'from Cai');
    await untilConverged([ana, ben, cai], 'Cai’s change reached the first two processes');
    await untilAllOnHub([ana, ben, cai]);
    expect(ana.wb.getValue(sheet, rows[2], col)).toBe('from Cai');
    // each of the three processes found an automatic snapshot due at its first edit; one was kept
    const store = await PostgresStore.open(backends.pg.url);
    try {
      const autos = await store.listSnapshots(room);
      expect(autos.filter((x) => x.kind === 'auto')).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('kill -9 one hub process under load: its clients reconnect to another, every acknowledged change is in Postgres and reaches everyone', async () => {
    const [a, b] = await Promise.all([startHostedHub(backends, { COMPACT_AFTER_UPDATES: '50' }), startHostedHub(backends, { COMPACT_AFTER_UPDATES: '50' })]);
    hubs.push(a, b);
    balancer = await startBalancer(() => [a.port, b.port]);
    const room = 'hosted-kill-1';
    const names = ['Ana', 'Ben', 'Cai', 'Dee'];
    const writers = names.map((n) => makeClient(balancer!.syncUrl, room, n));
    clients.push(...writers);
    const sheet = writers[0].wb.initialize({ rows: 20, columns: 4 });
    await allOnHub(writers[0]);
    for (const w of writers) await untilDoc(w, () => w.wb.isInitialized() && w.wb.rowCount(sheet) === 20, `${w.wb.getActor().name} has the sheet`);
    expect(balancer.served.get(a.port)).toBeGreaterThan(0);
    expect(balancer.served.get(b.port)).toBeGreaterThan(0);

    let n = 0;
    const timers = writers.map((w, i) =>
      setInterval(() => {
        const rows = w.wb.rowIds(sheet);
        w.wb.setCell(sheet, rows[(n + i * 3) % rows.length], w.wb.columns(sheet)[i].id, `${names[i]} ${n++}`);
      }, 10 + i),
    );
    try {
      // every writer has had changes acknowledged, then the first process dies without warning
      const start = writers.map((w) => w.session.hubAckedClock(w.doc.clientID));
      await until(
        (notify) => {
          const offs = writers.map((w) => w.session.onStatus(notify));
          writers.forEach((w) => w.doc.on('update', notify));
          return () => {
            offs.forEach((off) => off());
            writers.forEach((w) => w.doc.off('update', notify));
          };
        },
        () => writers.every((w, i) => w.session.hubAckedClock(w.doc.clientID) >= start[i] + 30),
        'thirty acknowledged changes from every writer',
      );
      const acked = writers.map((w) => w.session.hubAckedClock(w.doc.clientID));
      await a.stop('SIGKILL');
      const held = await storedClocks(backends, room);
      writers.forEach((w, i) => expect(held.get(w.doc.clientID) ?? 0, `${names[i]}'s acknowledged changes are in Postgres`).toBeGreaterThanOrEqual(acked[i]));
      // the writers on the dead process come back through the balancer, to the live one, and go on writing
      const after = writers.map((w) => w.session.hubAckedClock(w.doc.clientID));
      await until(
        (notify) => {
          const offs = writers.map((w) => w.session.onStatus(notify));
          return () => offs.forEach((off) => off());
        },
        () => writers.every((w, i) => w.session.hubAckedClock(w.doc.clientID) >= after[i] + 10),
        'every writer acknowledged again after the kill',
        30_000,
      );
    } finally {
      timers.forEach(clearInterval);
    }
    await untilAllOnHub(writers);
    await untilConverged(writers, 'all four converged');
    const finalClocks = await storedClocks(backends, room);
    for (const w of writers) expect(finalClocks.get(w.doc.clientID)).toBe(w.session.hubAckedClock(w.doc.clientID));
  }, 60_000);

  it('connections per address are counted over every process: past MAX_CONNECTIONS_PER_IP the next one is refused (429) whichever process it reaches', async () => {
    // a prefix of their own: processes killed by the tests before are still counted until their parts expire
    const env = { MAX_CONNECTIONS_PER_IP: '2', REDIS_PREFIX: 'limit-test:' };
    const [a, b] = await Promise.all([startHostedHub(backends, env), startHostedHub(backends, env)]);
    hubs.push(a, b);
    const open = (url: string) =>
      new Promise<{ ws: WebSocket; status: number }>((resolve) => {
        const ws = new WebSocket(`${url}/hosted-limit-1`);
        ws.once('open', () => resolve({ ws, status: 101 }));
        ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
      });
    const first = await open(a.syncUrl);
    const second = await open(b.syncUrl);
    expect([first.status, second.status]).toEqual([101, 101]);
    // one on each process: neither is at 2 alone, together they are; a refusal gives nothing back
    expect((await open(a.syncUrl)).status).toBe(429);
    expect((await open(b.syncUrl)).status).toBe(429);
    expect((await open(a.syncUrl)).status).toBe(429);
    first.ws.close();
    second.ws.close();
  }, 60_000);

  it('a sealed workbook across two processes: the editors exchange blobs through Postgres and Redis, and Postgres holds no plain text', async () => {
    const [a, b] = await Promise.all([startHostedHub(backends), startHostedHub(backends)]);
    hubs.push(a, b);
    const keys = newSealedWorkbookKeys();
    const ana = makeSealedClient(a.syncUrl, keys.id, 'Ana', keys.edit);
    const ben = makeSealedClient(b.syncUrl, keys.id, 'Ben', keys.edit);
    clients.push(ana, ben);
    await ana.session.whenLoaded;
    const sheet = ana.wb.initialize({ rows: 3, columns: 2 });
    const col = ana.wb.columns(sheet)[0].id;
    const rows = ana.wb.rowIds(sheet);
    ana.wb.setCell(sheet, rows[0], col, 'Canary-Hosted-5550199');
    await allSealedOnHub(ana);
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.getValue(sheet, rows[0], col) === 'Canary-Hosted-5550199', 'Ben (other process) opens the blobs');
    ben.wb.setCell(sheet, rows[1], col, 'from Ben');
    await allSealedOnHub(ben);
    await untilDoc(ana, () => ana.wb.getValue(sheet, rows[1], col) === 'from Ben', 'Ana has Ben’s edit');
    const store = await PostgresStore.open(backends.pg.url);
    try {
      const rowsOf = await store.query<{ data: Buffer }>('SELECT data FROM updates UNION ALL SELECT data FROM retained UNION ALL SELECT data FROM snapshots');
      expect(rowsOf.length).toBeGreaterThan(0);
      expect(rowsOf.some((r) => r.data.includes(Buffer.from('Canary-Hosted')))).toBe(false);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('workbooks in memory are counted over every process: past MAX_ROOMS_HUB a process unloads one nobody has open, and with none to unload the next is refused (4503) whichever process it reaches', async () => {
    // a long grace, so a room nobody has open stays loaded until the limit makes it leave
    // a Redis prefix of its own: processes killed by earlier tests still count until their liveness expires
    const env = { MAX_ROOMS_HUB: '2', ROOM_GRACE_MS: '600000', REDIS_PREFIX: `rooms-${Date.now()}:` };
    const [a, b] = await Promise.all([startHostedHub(backends, env), startHostedHub(backends, env)]);
    hubs.push(a, b);
    // caught up: the hub has loaded the room (and counted it), not only accepted the socket
    const online = (c: TestClient) =>
      until((n) => c.session.onStatus(n), () => c.session.getStatus().connection === 'online' && c.session.getStatus().caughtUp, 'online and caught up');
    const closedWith = (c: TestClient, code: number) => until((n) => c.session.onStatus(n), () => c.session.getStatus().lastClose?.code === code, `closed with ${code}`);
    const one = makeClient(a.syncUrl, 'hub-rooms-1', 'One');
    const two = makeClient(b.syncUrl, 'hub-rooms-2', 'Two');
    clients.push(one, two);
    await Promise.all([online(one), online(two)]);
    // both processes together hold two, each in use: a third is refused on either
    for (const hub of [a, b]) {
      const third = makeClient(hub.syncUrl, 'hub-rooms-3', 'Three');
      clients.push(third);
      await closedWith(third, 4503);
      await third.destroy();
    }
    // One leaves: its room stays loaded (nobody in it), and makes way for a new one on its process.
    await one.destroy();
    const three = makeClient(a.syncUrl, 'hub-rooms-3', 'Three');
    clients.push(three);
    await online(three);
    expect(two.session.getStatus().connection).toBe('online');
  }, 60_000);
});
