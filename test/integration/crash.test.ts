import Database from 'better-sqlite3';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DB_FILE_NAME, SqliteStore } from '../../server/store.js';
import { allOnHub, allSealedOnHub, makeClient, makeSealedClient, untilDoc, type SealedTestClient, type TestClient } from '../support/clients.js';
import { DOC_WORKBOOK } from '../../src/protocol/sealed.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { openEnvelopeState } from '../../src/sync/sealed/open.js';
import { prng } from '../support/prng.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';

/** `npm run soak` sets CRASH_KILLS=200; npm test kills 20 times. */
const KILLS = Number(process.env.CRASH_KILLS ?? 20);
/**
 * The seed is fixed, so every run of npm test sends the same kills at the same moments and a failure replays as it was;
 * CRASH_SEED=<n> tries another. The seed in use is printed at the start and in any failure.
 */
const DEFAULT_SEED = 271_828;
const SEED = seedFrom(process.env.CRASH_SEED, DEFAULT_SEED);
console.info(`CRASH_SEED=${SEED}${SEED === DEFAULT_SEED ? ' (the default)' : ''}`);

function seedFrom(text: string | undefined, fallback: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`CRASH_SEED must be an integer, not ${JSON.stringify(text)}`);
  return n;
}
const ROOM = 'crash-room-0001';

const clients: TestClient[] = [];
const sealedClients: SealedTestClient[] = [];
let relay: RelayProcess | null = null;
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(sealedClients.splice(0).map((c) => c.destroy()));
  await relay?.stop('SIGKILL');
  relay = null;
});

/** Opens the hub's database while the hub is dead: integrity, and the workbook as it would load. */
function inspect(dataDir: string, room = ROOM): { integrity: string; doc: Y.Doc } {
  const db = new Database(join(dataDir, DB_FILE_NAME), { readonly: true });
  const integrity = String(db.pragma('integrity_check', { simple: true }));
  db.close();
  const store = new SqliteStore(dataDir);
  const doc = new Y.Doc();
  const stored = store.load(room);
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored.updates) Y.applyUpdate(doc, u.data);
  store.close();
  return { integrity, doc };
}

describe('crash safety', () => {
  it(`SIGKILL at ${KILLS} random moments while three clients write: every acknowledged change survives, the database stays intact, everyone converges (CRASH_SEED=${SEED})`, async () => {
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

  it(`sealed workbooks: SIGKILL at ${Math.ceil(KILLS / 4)} random moments while three devices write blobs — every acknowledged blob survives and opens, the database stays intact, everyone converges (CRASH_SEED=${SEED})`, async () => {
    const rand = prng(SEED + 1).next;
    const dataDir = mkdtempSync(join(tmpdir(), 'ms-crash-sealed-'));
    const env = { COMPACT_AFTER_UPDATES: '40', AUTO_SNAPSHOT_MS: '0', MAX_MESSAGES_PER_SECOND: '10000' };
    relay = await startRelay({ dataDir, env });
    const port = String(relay.port);
    const keys = newSealedWorkbookKeys();
    const names = ['Ana', 'Ben', 'Cai'];
    const writers = names.map((n) => makeSealedClient(relay!.syncUrl, keys.id, n, keys.edit, { batchMs: 5 }));
    sealedClients.push(...writers);
    await writers[0].session.whenLoaded;
    const sheet = writers[0].wb.initialize({ rows: 30, columns: 3 });
    await allSealedOnHub(writers[0]);
    for (const w of writers) await untilDoc(w, () => w.wb.isInitialized() && w.wb.rowCount(sheet) === 30, `${w.wb.getActor().name} has the sheet`);
    const envelopeAcked = (w: SealedTestClient) => w.session.sync.hubAckedClock(w.session.envelope.clientID);
    let n = 0;
    const timers = writers.map((w, i) =>
      setInterval(() => {
        const rows = w.wb.rowIds(sheet);
        const cols = w.wb.columns(sheet);
        w.wb.setCell(sheet, rows[(n + i * 7) % rows.length], cols[i].id, `${names[i]} ${n++}`);
      }, 12 + i),
    );
    try {
      for (let k = 0; k < Math.ceil(KILLS / 4); k++) {
        const target = writers.map((w) => envelopeAcked(w) + 1 + Math.floor(rand() * 10));
        await until(
          (notify) => {
            const offs = writers.map((w) => w.session.onStatus(notify));
            writers.forEach((w) => w.session.envelope.on('update', notify));
            return () => {
              offs.forEach((off) => off());
              writers.forEach((w) => w.session.envelope.off('update', notify));
            };
          },
          () => writers.some((w, i) => envelopeAcked(w) >= target[i]),
          `acks before kill ${k}`,
        );
        const acked = writers.map((w) => [w.session.envelope.clientID, envelopeAcked(w)] as const);
        await relay.stop('SIGKILL');
        const { integrity, doc } = inspect(dataDir, keys.id);
        expect(integrity).toBe('ok');
        const held = Y.decodeStateVector(Y.encodeStateVector(doc));
        acked.forEach(([client, clock], i) => expect(held.get(client) ?? 0, `${names[i]}'s acknowledged blobs after kill ${k}`).toBeGreaterThanOrEqual(clock));
        // and what is held opens: every blob verifies and decrypts with the link
        expect(openEnvelopeState(Y.encodeStateAsUpdate(doc), sealedKeysFor(keys.id, keys.view)!, DOC_WORKBOOK).failures).toEqual([]);
        doc.destroy();
        relay = await startRelay({ dataDir, env: { ...env, PORT: port } });
      }
    } catch (err) {
      throw new Error(`sealed crash test failed with CRASH_SEED=${SEED}: ${(err as Error).message}`);
    } finally {
      timers.forEach(clearInterval);
    }
    await Promise.all(writers.map((w) => until((nf) => w.session.onStatus(nf), () => {
      const s = w.session.getStatus();
      return s.connection === 'online' && s.caughtUp && s.pending === 0;
    }, `${w.wb.getActor().name}: all changes on the hub`, 60_000)));
    const cells = (w: SealedTestClient) => JSON.stringify(w.wb.rowIds(sheet).map((r) => w.wb.columns(sheet).map((c) => w.wb.getValue(sheet, r, c.id))));
    await until(
      (notify) => {
        writers.forEach((w) => w.doc.on('update', notify));
        return () => writers.forEach((w) => w.doc.off('update', notify));
      },
      () => writers.every((w) => cells(w) === cells(writers[0])),
      'all three converged',
      60_000,
    );
  }, 180_000);
});
