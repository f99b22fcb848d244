import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../server/config.js';
import { silentLogger } from '../../server/log.js';
import { createRelay, type Relay } from '../../server/relay.js';
import { SqliteStore } from '../../server/store.js';
import { allOnHub, makeClient, untilDoc, type TestClient } from '../support/clients.js';

const relays: Relay[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

async function inProcessRelay(graceMs: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ms-rooms-'));
  // Plain room names are open workbooks: writable only with the hub's setting.
  const config = configFromEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ROOM_GRACE_MS: String(graceMs), OPEN_WORKBOOKS_WRITABLE: '1' });
  const relay = createRelay(config, new SqliteStore(dataDir), silentLogger);
  relays.push(relay);
  const addr = await relay.listen();
  return { relay, syncUrl: `ws://127.0.0.1:${addr.port}/sync` };
}

describe('room lifecycle (relay in-process, so its events can be awaited)', () => {
  it('loads a room once for simultaneous connections, evicts it after the last leaves, and reloads it intact', async () => {
    const { relay, syncUrl } = await inProcessRelay(50);
    let loads = 0;
    relay.events.on('room-loaded', () => loads++);
    const a = makeClient(syncUrl, 'room-life-1', 'ana');
    const b = makeClient(syncUrl, 'room-life-1', 'ben');
    clients.push(a, b);
    const sheet = a.wb.initialize({ rows: 2, columns: 2 });
    await allOnHub(a);
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 2, 'b has it');
    expect(loads).toBe(1);
    expect(relay.loadedRooms()).toEqual(['room-life-1']);

    const evicted = once(relay.events, 'room-evicted');
    await a.destroy();
    await b.destroy();
    clients.length = 0;
    expect(await evicted).toEqual(['room-life-1']);
    expect(relay.loadedRooms()).toEqual([]);

    const c = makeClient(syncUrl, 'room-life-1', 'cai');
    clients.push(c);
    await untilDoc(c, () => c.wb.isInitialized() && c.wb.rowCount(sheet) === 2, 'c loads it again');
    expect(loads).toBe(2);
  });

  it('a reconnect within the grace period keeps the loaded room', async () => {
    const { relay, syncUrl } = await inProcessRelay(60_000);
    let loads = 0;
    relay.events.on('room-loaded', () => loads++);
    const a = makeClient(syncUrl, 'room-grace-1', 'ana');
    clients.push(a);
    a.wb.initialize({ rows: 1, columns: 1 });
    await allOnHub(a);
    a.session.disconnect();
    a.session.connect();
    await allOnHub(a);
    expect(loads).toBe(1);
  });
});
