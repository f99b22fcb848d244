import { afterEach, describe, expect, it } from 'vitest';
import { newWorkbookKeys } from '../../src/protocol/access.js';
import { CloseCode } from '../../src/protocol/messages.js';
import { allOnHub, makeClient, untilDoc, untilStatus, type TestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

/**
 * y-websocket stops for good after any 44xx close; the app's session decides itself which codes
 * are final (src/protocol/messages.ts FINAL_CLOSE_CODES) and reconnects after the rest.
 */

const relays: RelayProcess[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.destroy();
  for (const r of relays.splice(0)) await r.stop();
});

describe('reconnecting after the hub closes a connection', () => {
  it('after an idle close (4409) the device reconnects by itself and what it typed meanwhile reaches the hub', async () => {
    const relay = await startRelay({ env: { IDLE_TIMEOUT_MS: '1000' } });
    relays.push(relay);
    const a = makeClient(relay.syncUrl, 'reconnect-room-01', 'Ana');
    clients.push(a);
    const sheet = a.wb.initialize({ rows: 3, columns: 2 });
    await allOnHub(a);
    // silent for a second: the hub closes it as idle
    let closedIdle = false;
    const off = a.session.onStatus((s) => {
      if (s.lastClose?.code === CloseCode.IDLE) closedIdle = true;
    });
    await untilStatus(a, (s) => s.lastClose?.code === CloseCode.IDLE, 'the idle close');
    a.wb.setCell(sheet, a.wb.rowIds(sheet)[0], a.wb.columns(sheet)[0].id, 'typed while closed');
    await allOnHub(a);
    off();
    expect(closedIdle).toBe(true);
    expect(a.session.provider.shouldConnect).toBe(true);
    const b = makeClient(relay.syncUrl, 'reconnect-room-01', 'Ben');
    clients.push(b);
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.getValue(sheet, b.wb.rowIds(sheet)[0], b.wb.columns(sheet)[0].id) === 'typed while closed', 'Ben has it');
  }, 20_000);

  it('a wrong key (4401) is final: the device stops and says why', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const right = await newWorkbookKeys();
    const wrong = await newWorkbookKeys();
    const a = makeClient(relay.syncUrl, right.id, 'Ana', undefined, wrong.edit);
    clients.push(a);
    await untilStatus(a, (s) => s.lastClose?.code === CloseCode.UNAUTHORIZED, 'the refusal');
    expect(a.session.provider.shouldConnect).toBe(false);
    expect(a.session.getStatus().connection).toBe('offline');
  }, 20_000);
});
