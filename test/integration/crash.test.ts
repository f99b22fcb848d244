import Database from 'better-sqlite3';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DB_FILE_NAME, SqliteStore } from '../../server/store.js';
import { allOnHub, makeClient, untilDoc, type TestClient } from '../support/clients.js';
import { prng } from '../support/prng.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';

/** `npm run soak` sets CRASH_KILLS=200; npm test kills 20 times. */
const KILLS = Number(process.env.CRASH_KILLS ?? 20);
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const ROOM = 'crash-room-0001';

const clients: TestClient[] = [];
let relay: RelayProcess | null = null;
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await relay?.stop('SIGKILL');
  relay = null;
});

/** Opens the hub's database while the hub is dead: integrity, and the workbook as it would load. */
function inspect(dataDir: string): { integrity: string; doc: Y.Doc } {
  const db = new Database(join(dataDir, DB_FILE_NAME), { readonly: true });
  const integrity = String(db.pragma('integrity_check', { simple: true }));
  db.close();
  const store = new SqliteStore(dataDir);
  const doc = new Y.Doc();
  const stored = store.load(ROOM);
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored.updates) Y.applyUpdate(doc, u.data);
  store.close();
  return { integrity, doc };
}

describe('crash safety', () => {
  it(`SIGKILL at ${KILLS} random moments while three clients write: every acknowledged change survives, the database stays intact, everyone converges`, async () => {
    const rand = prng(SEED).next;
    const dataDir = mkdtempSync(join(tmpdir(), 'ms-crash-'));
    // small compaction thresholds so kills also land during compaction
    // writers here send ~100 messages a second each; bursts after a reconnect can pass the default rate
    const env = { COMPACT_AFTER_UPDATES: '40', AUTO_SNAPSHOT_MS: '0', MAX_MESSAGES_PER_SECOND: '10000' };
    relay = await startRelay({ dataDir, env });
    const port = String(relay.port);
    const names = ['Ana', 'Ben', 'Cai'];
    const writers = names.map((n) => makeClient(relay!.syncUrl, ROOM, n));
    clients.push(...writers);
    const sheet = writers[0].wb.initialize({ rows: 30, columns: 3 });
    await allOnHub(writers[0]);
    for (const w of writers) await untilDoc(w, () => w.wb.isInitialized() && w.wb.rowCount(sheet) === 30, `${w.wb.getActor().name} has the sheet`);

    // Load: every client writes a cell every few milliseconds, all through the kills.
    let n = 0;
    const timers = writers.map((w, i) =>
      setInterval(() => {
        const rows = w.wb.rowIds(sheet);
        const cols = w.wb.columns(sheet);
        w.wb.setCell(sheet, rows[(n + i * 7) % rows.length], cols[i].id, `${names[i]} ${n++}`);
      }, 8 + i),
    );
    try {
      for (let k = 0; k < KILLS; k++) {
        // Let a random number of acks arrive, then kill without warning.
        const target = writers.map((w) => w.session.hubAckedClock(w.doc.clientID) + 1 + Math.floor(rand() * 20));
        await until(
          (notify) => {
            // acks change the pending count; writes go on every few ms, so one of these fires often
            const offs = writers.map((w) => w.session.onStatus(notify));
            writers.forEach((w) => w.doc.on('update', notify));
            return () => {
              offs.forEach((off) => off());
              writers.forEach((w) => w.doc.off('update', notify));
            };
          },
          () => writers.some((w, i) => w.session.hubAckedClock(w.doc.clientID) >= target[i]),
          `acks before kill ${k}`,
        );
        const acked = writers.map((w) => w.session.hubAckedClock(w.doc.clientID));
        await relay.stop('SIGKILL');
        const { integrity, doc } = inspect(dataDir);
        expect(integrity).toBe('ok');
        const held = Y.decodeStateVector(Y.encodeStateVector(doc));
        writers.forEach((w, i) => expect(held.get(w.doc.clientID) ?? 0, `${names[i]}'s acknowledged changes after kill ${k}`).toBeGreaterThanOrEqual(acked[i]));
        doc.destroy();
        relay = await startRelay({ dataDir, env: { ...env, PORT: port } });
      }
    } catch (err) {
      throw new Error(`crash test failed with CRASH_SEED=${SEED}: ${(err as Error).message}`);
    } finally {
      timers.forEach(clearInterval);
    }
    // After twenty restarts under load, give the three devices a generous minute to deliver everything.
    await Promise.all(
      writers.map((w) =>
        until((n) => w.session.onStatus(n), () => {
          const s = w.session.getStatus();
          return s.connection === 'online' && s.caughtUp && s.pending === 0;
        }, `${w.wb.getActor().name}: all changes on the hub`, 60_000),
      ),
    );
    const same = () => writers.every((w) => Y.encodeStateVector(w.doc).toString() === Y.encodeStateVector(writers[0].doc).toString());
    await until(
      (notify) => {
        writers.forEach((w) => w.doc.on('update', notify));
        return () => writers.forEach((w) => w.doc.off('update', notify));
      },
      same,
      'all three converged',
      60_000,
    );
    const cells = (w: TestClient) => w.wb.rowIds(sheet).map((r) => w.wb.columns(sheet).map((c) => w.wb.getValue(sheet, r, c.id)));
    expect(cells(writers[1])).toEqual(cells(writers[0]));
    expect(cells(writers[2])).toEqual(cells(writers[0]));
    }, 180_000);
});
