import { afterEach, describe, expect, it } from 'vitest';
import { allOnHub, makeClient, untilDoc, untilStatus, type TestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

/**
 * A change that only deletes (restoring a row from the trash deletes its tombstone key) moves no
 * Yjs clock, and the pending count is clocks (src/sync/hub-state.ts): without the clock mark
 * (src/model/clock-marks.ts) an offline restore read "all on the hub" at once.
 */
const clients: TestClient[] = [];
let hub: RelayProcess | null = null;
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await hub?.stop('SIGKILL');
  hub = null;
});

describe('a change of deletions only', () => {
  it('made offline counts as not on the hub until the hub acks it; then a colleague has it', async () => {
    hub = await startRelay();
    const ana = makeClient(hub.syncUrl, 'deletion-pending-1', 'Ana');
    const ben = makeClient(hub.syncUrl, 'deletion-pending-1', 'Ben');
    clients.push(ana, ben);
    const sheet = ana.wb.initialize({ rows: 3, columns: 2 });
    const row = ana.wb.rowIds(sheet)[1];
    ana.wb.deleteRows(sheet, [row]);
    await allOnHub(ana);
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.deletedRows(sheet).some((d) => d.id === row), 'Ben sees the row in the trash');

    ana.session.disconnect();
    await untilStatus(ana, (s) => s.connection !== 'online', 'Ana offline');
    ana.wb.restoreRows(sheet, [row]);
    expect(ana.wb.deletedRows(sheet)).toEqual([]);
    expect(ana.session.getStatus().pending).toBeGreaterThan(0);

    ana.session.connect();
    await allOnHub(ana);
    await untilDoc(ben, () => ben.wb.deletedRows(sheet).length === 0 && ben.wb.rowIds(sheet).includes(row), 'Ben sees the row back');
  });
});
