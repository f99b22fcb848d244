import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { SqliteStore } from '../../server/store.js';
import { allOnHub, makeClient, untilDoc, untilHubAcked, type TestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { ConfigError } from '../../server/config.js';
import { testHooksFromEnv } from '../../server/test-hooks.js';

/**
 * The relay forwards a validated update before it is durable and acks it only once it is
 * (docs/architecture.md, "How an edit travels"). TEST_HOLD_COMMITS=1 (server/test-hooks.ts) keeps
 * every update off the disk until SIGUSR2, so the window between forwarding and the disk is held
 * open deterministically instead of hoped for.
 */
const ROOM = 'forward-before-ack-1';
const HOLD = { TEST_HOLD_COMMITS: '1' };

const clients: TestClient[] = [];
const relays: RelayProcess[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

async function relay(options: Parameters<typeof startRelay>[0]) {
  const r = await startRelay(options);
  relays.push(r);
  return r;
}

function client(r: RelayProcess, name: string): TestClient {
  const c = makeClient(r.syncUrl, ROOM, name);
  clients.push(c);
  return c;
}

/** What the hub's database holds for the room, read while the hub is dead: the clock per client. */
function storedClocks(dataDir: string): Map<number, number> {
  const store = new SqliteStore(dataDir);
  const doc = new Y.Doc();
  const stored = store.load(ROOM);
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored.updates) Y.applyUpdate(doc, u.data);
  store.close();
  const clocks = Y.decodeStateVector(Y.encodeStateVector(doc));
  doc.destroy();
  return clocks;
}

const clockOf = (c: TestClient) => Y.getState(c.doc.store, c.doc.clientID);

describe('forwarded before it is durable', () => {
  it('the colleague gets the change while the hub still holds it back from the disk; SIGKILL then; the restarted hub gets it from the sender, stores and acks it, and a third device gets it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ms-forward-'));
    const first = await relay({ dataDir, env: HOLD });
    const port = String(first.port);
    const ana = client(first, 'Ana');
    const ben = client(first, 'Ben');
    const sheet = ana.wb.initialize({ rows: 3, columns: 2 });
    const [row] = ana.wb.rowIds(sheet);
    const [col] = ana.wb.columns(sheet);
    ana.wb.setCell(sheet, row, col.id, 'only forwarded');
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.getValue(sheet, row, col.id) === 'only forwarded', 'Ben gets the change');
    // Forwarded, and nothing of it acked: to Ana it is still hers alone. Ben had it from the hub, so it is
    // none of his changes waiting for the hub; his record of what is durable does not claim it either.
    expect(ana.session.hubAckedClock(ana.doc.clientID)).toBe(0);
    expect(ana.session.getStatus().pending).toBe(clockOf(ana));
    expect(ben.session.getStatus().pending).toBe(0);
    expect(ben.session.hubAckedClock(ana.doc.clientID)).toBe(0);

    expect(await first.stop('SIGKILL')).toBeNull();
    // It never reached the disk: what survives is only on the devices.
    expect(storedClocks(dataDir).get(ana.doc.clientID) ?? 0).toBe(0);
    // Ben leaves, so the change can come back only from its sender.
    await clients.splice(clients.indexOf(ben), 1)[0].destroy();

    const second = await relay({ dataDir, env: { PORT: port } });
    // Ana's session reconnects and sends what the hub lacks; it is stored and acked.
    await allOnHub(ana);
    expect(ana.session.hubAckedClock(ana.doc.clientID)).toBe(clockOf(ana));
    const cai = client(second, 'Cai');
    await untilDoc(cai, () => cai.wb.isInitialized() && cai.wb.getValue(sheet, row, col.id) === 'only forwarded', 'Cai gets the change');
    expect(cai.wb.getCell(sheet, row, col.id)?.by).toBe('Ana');

    // What was acked is on disk: kill again without warning and look.
    const acked = ana.session.hubAckedClock(ana.doc.clientID);
    expect(await second.stop('SIGKILL')).toBeNull();
    expect(storedClocks(dataDir).get(ana.doc.clientID) ?? 0).toBeGreaterThanOrEqual(acked);
  });

  it('released (SIGUSR2), the held update is stored and acked to the sender and the colleague', async () => {
    const r = await relay({ env: HOLD });
    const ana = client(r, 'Ana');
    const ben = client(r, 'Ben');
    const sheet = ana.wb.initialize({ rows: 1, columns: 1 });
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.rowCount(sheet) === 1, 'Ben gets the sheet');
    expect(ana.session.hubAckedClock(ana.doc.clientID)).toBe(0);
    r.proc.kill('SIGUSR2');
    await allOnHub(ana);
    // Ben's comes merged with the room's others, within COLLEAGUE_ACK_MS
    await untilHubAcked(ben, ana.doc.clientID, clockOf(ana), 'Ben gets the ack too');
    expect(ben.session.hubAckedClock(ana.doc.clientID)).toBe(clockOf(ana));
    expect(ben.session.getStatus().pending).toBe(0);
  });

  it('the hook is refused outside tests: with TEST_HOLD_COMMITS=1 but not NODE_ENV=test the hub does not start', async () => {
    expect(() => testHooksFromEnv({ ...HOLD, NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => testHooksFromEnv({ ...HOLD })).toThrow(/for tests only/);
    expect(testHooksFromEnv({}).holdCommits).toBe(false);
    expect(testHooksFromEnv({ ...HOLD, NODE_ENV: 'test' }).holdCommits).toBe(true);
    await expect(startRelay({ env: { ...HOLD, NODE_ENV: 'production' } })).rejects.toThrow(/exited with 1 before listening/);
  });
});
