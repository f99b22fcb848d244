import * as Y from 'yjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allOnHub, makeClient, untilDoc, type TestClient } from '../support/clients.js';
import { startBackends, startHostedHub, storedClocks, untilAllOnHub, untilConverged, type HostedBackends } from '../support/hosted.js';
import type { RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';

// The hosted hub's two shared services going away under load, and coming back (issue 19).
let backends: HostedBackends;
const hubs: RelayProcess[] = [];
const clients: TestClient[] = [];
const timers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  backends = await startBackends();
}, 60_000);
afterAll(async () => {
  await backends?.destroy();
});
afterEach(async () => {
  timers.splice(0).forEach(clearInterval);
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(hubs.splice(0).map((h) => h.stop('SIGKILL')));
  // a test that failed half-way leaves the next one its services running
  if (down.redis) await backends.redis.start();
  if (down.pg) await backends.pg.start();
  down.redis = down.pg = false;
});
const down = { redis: false, pg: false };

/** Two processes, a writer on each, the sheet on both. */
async function twoWriters(room: string) {
  const [a, b] = await Promise.all([startHostedHub(backends), startHostedHub(backends)]);
  hubs.push(a, b);
  const ana = makeClient(a.syncUrl, room, 'Ana');
  const ben = makeClient(b.syncUrl, room, 'Ben');
  clients.push(ana, ben);
  const sheet = ana.wb.initialize({ rows: 10, columns: 2 });
  await allOnHub(ana);
  await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.rowCount(sheet) === 10, 'Ben has the sheet');
  return { a, b, ana, ben, sheet };
}

function write(c: TestClient, sheet: string, column: number, every: number): void {
  let n = 0;
  timers.push(
    setInterval(() => {
      const rows = c.wb.rowIds(sheet);
      c.wb.setCell(sheet, rows[n % rows.length], c.wb.columns(sheet)[column].id, `${c.wb.getActor().name} ${n++}`);
    }, every),
  );
}

function untilAcked(c: TestClient, clock: number, what: string): Promise<void> {
  return until((n) => c.session.onStatus(n), () => c.session.hubAckedClock(c.doc.clientID) >= clock, what);
}

function untilLogged(hub: RelayProcess, text: string): Promise<void> {
  return until(
    (n) => {
      hub.proc.stderr!.on('data', n);
      return () => hub.proc.stderr!.off('data', n);
    },
    () => hub.stderr().includes(text),
    `the hub logs "${text}"`,
  );
}

const clockIn = (doc: Y.Doc, client: number) => Y.decodeStateVector(Y.encodeStateVector(doc)).get(client) ?? 0;

describe('hosted hub: Redis or Postgres away under load', () => {
  it('Redis stopped: acks go on; fan-out resumes from Postgres when it is back; nothing is lost', async () => {
    const { ana, ben, sheet } = await twoWriters('hosted-redis-1');
    write(ana, sheet, 0, 10);
    write(ben, sheet, 1, 12);
    await backends.redis.stop();
    down.redis = true;
    // both go on being acknowledged: the ack waits for Postgres only
    const from = [ana, ben].map((c) => c.session.hubAckedClock(c.doc.clientID));
    await Promise.all([untilAcked(ana, from[0] + 20, 'Ana acked with Redis down'), untilAcked(ben, from[1] + 20, 'Ben acked with Redis down')]);
    // and nothing Ana's process stored since Redis went reached Ben's process
    expect(clockIn(ben.doc, ana.doc.clientID)).toBeLessThan(ana.session.hubAckedClock(ana.doc.clientID));
    await backends.redis.start();
    down.redis = false;
    // once it is back, each process catches up from Postgres, while the writers still write
    await until(
      (n) => {
        ben.doc.on('update', n);
        return () => ben.doc.off('update', n);
      },
      () => clockIn(ben.doc, ana.doc.clientID) >= from[0] + 20,
      "Ana's changes from the outage reached Ben",
    );
    timers.splice(0).forEach(clearInterval);
    await untilAllOnHub([ana, ben]);
    await untilConverged([ana, ben], 'Ana and Ben converged');
    const stored = await storedClocks(backends, 'hosted-redis-1');
    for (const c of [ana, ben]) expect(stored.get(c.doc.clientID)).toBe(clockIn(c.doc, c.doc.clientID));
  }, 60_000);

  it('Postgres stopped: no acks (the devices keep their changes, pending); when it is back everything lands and reaches everyone', async () => {
    const { a, b, ana, ben, sheet } = await twoWriters('hosted-pg-1');
    // neither process may die of the outage (a connection lost mid-transaction once ended one)
    const died: string[] = [];
    for (const h of [a, b]) h.proc.once('exit', (code, signal) => died.push(`exit ${code ?? signal}: ${h.stderr().slice(-2000)}`));
    await backends.pg.stop();
    down.pg = true;
    const acked = ana.session.hubAckedClock(ana.doc.clientID);
    write(ana, sheet, 0, 15);
    write(ben, sheet, 1, 17);
    // the hub found the database gone and holds the changes, acking none of them
    await untilLogged(a, 'database unreachable: holding changes');
    await untilDoc(ana, () => clockIn(ana.doc, ana.doc.clientID) > acked + 10, 'Ana wrote on');
    expect(ana.session.hubAckedClock(ana.doc.clientID)).toBe(acked);
    expect(ana.session.getStatus().pending).toBeGreaterThan(0);
    expect(ben.session.getStatus().pending).toBeGreaterThan(0);
    await backends.pg.start();
    down.pg = false;
    await untilAcked(ana, acked + 10, 'Ana acked once Postgres is back');
    expect(died).toEqual([]);
    timers.splice(0).forEach(clearInterval);
    await untilAllOnHub([ana, ben]);
    await untilConverged([ana, ben], 'Ana and Ben converged');
    const stored = await storedClocks(backends, 'hosted-pg-1');
    for (const c of [ana, ben]) expect(stored.get(c.doc.clientID)).toBe(clockIn(c.doc, c.doc.clientID));
  }, 60_000);
});
