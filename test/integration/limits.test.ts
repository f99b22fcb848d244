import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS } from '../../src/protocol/messages.js';
import { allOnHub, makeClient, untilDoc, untilStatus, type TestClient } from '../support/clients.js';
import { rawSocket } from '../support/raw-socket.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

const relays: RelayProcess[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

/** What y-websocket sends first: sync step 1 with an empty state vector. */
const STEP1 = new Uint8Array([0, 0, 1, 0]);

function awarenessFrame(bytes: number): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_AWARENESS);
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, 12345);
  encoding.writeVarUint(inner, 1);
  encoding.writeVarString(inner, JSON.stringify({ user: { name: 'x'.repeat(bytes) } }));
  encoding.writeVarUint8Array(enc, encoding.toUint8Array(inner));
  return encoding.toUint8Array(enc);
}

async function start(env: Record<string, string>) {
  const relay = await startRelay({ env });
  relays.push(relay);
  return relay;
}

async function healthyPair(relay: RelayProcess, room: string) {
  const a = makeClient(relay.syncUrl, room, 'Ana');
  const b = makeClient(relay.syncUrl, room, 'Ben');
  clients.push(a, b);
  const sheet = a.wb.initialize();
  await allOnHub(a);
  await untilDoc(b, () => b.wb.isInitialized(), 'Ben has the workbook');
  return {
    async edit(text: string) {
      const [row] = a.wb.rowIds(sheet);
      const [col] = a.wb.columns(sheet);
      a.wb.setCell(sheet, row, col.id, text);
      await untilDoc(b, () => b.wb.getValue(sheet, row, col.id) === text, `Ben sees ${text}`);
    },
  };
}

describe('relay limits: each refuses only the connection over it, with its own close code', () => {
  it('message rate, presence size, handshake timeout, document size — while a healthy room keeps syncing', async () => {
    const relay = await start({
      MAX_MESSAGES_PER_SECOND: '50',
      MAX_AWARENESS_PER_SECOND: '20',
      MAX_AWARENESS_BYTES: '512',
      HANDSHAKE_TIMEOUT_MS: '300',
      MAX_DOC_BYTES: '30000',
    });
    const healthy = await healthyPair(relay, 'healthy-room-01');

    const flood = rawSocket(relay.syncUrl, 'flood-room-001');
    await flood.opened;
    flood.ws.send(STEP1);
    for (let i = 0; i < 300; i++) flood.ws.send(new Uint8Array([MESSAGE_QUERY_AWARENESS]));
    expect(await flood.closed).toBe(CloseCode.RATE_LIMITED);
    await healthy.edit('after the flood');

    const big = rawSocket(relay.syncUrl, 'flood-room-001');
    await big.opened;
    big.ws.send(STEP1);
    big.ws.send(awarenessFrame(2000));
    expect(await big.closed).toBe(CloseCode.AWARENESS_TOO_LARGE);

    // Presence has its own, lower rate: 20 a second (here) with bursts of 40.
    const chatty = rawSocket(relay.syncUrl, 'flood-room-001');
    await chatty.opened;
    chatty.ws.send(STEP1);
    for (let i = 0; i < 60; i++) chatty.ws.send(awarenessFrame(10));
    expect(await chatty.closed).toBe(CloseCode.RATE_LIMITED);

    const silent = rawSocket(relay.syncUrl, 'flood-room-001');
    await silent.opened;
    expect(await silent.closed).toBe(CloseCode.HANDSHAKE_TIMEOUT);


    // A workbook that would grow past MAX_DOC_BYTES: the change is refused, the stored doc stays as it was.
    const writer = makeClient(relay.syncUrl, 'big-doc-room-01', 'Wes');
    clients.push(writer);
    const sheet = writer.wb.initialize({ rows: 40, columns: 1 });
    await allOnHub(writer);
    const col = writer.wb.columns(sheet)[0].id;
    const rows = writer.wb.rowIds(sheet);
    writer.wb.setCells(sheet, rows.map((rowId) => ({ rowId, colId: col, value: 'x'.repeat(1000) })));
    await untilStatus(writer, (s) => s.lastClose?.code === CloseCode.DOC_TOO_LARGE, 'refused: too large');
    const reader = makeClient(relay.syncUrl, 'big-doc-room-01', 'Rae');
    clients.push(reader);
    await untilDoc(reader, () => reader.wb.isInitialized(), 'a reader loads what was stored');
    expect(reader.wb.getValue(sheet, rows[0], col)).toBeNull();
    await healthy.edit('after the big doc');
  });

  it('idle timeout: a connection that says nothing is closed with its own code', async () => {
    const relay = await start({ IDLE_TIMEOUT_MS: '1000' });
    const idle = rawSocket(relay.syncUrl, 'idle-room-0001');
    await idle.opened;
    idle.ws.send(STEP1);
    expect(await idle.closed).toBe(CloseCode.IDLE);
  });

  it('connections per address: the one over the limit is refused at the handshake', async () => {
    const relay = await start({ MAX_CONNECTIONS_PER_IP: '3' });
    const open = [0, 1, 2].map(() => rawSocket(relay.syncUrl, 'ip-room-00001'));
    await Promise.all(open.map((s) => s.opened));
    await expect(rawSocket(relay.syncUrl, 'ip-room-00001').opened).rejects.toThrow('HTTP 429');
    open[0].ws.close();
    await open[0].closed;
    // Counting follows closes: a slot is free again.
    await until429Clears(relay);
    for (const s of open.slice(1)) s.ws.close();
  });

  it('rooms in memory: past MAX_ROOMS with every room in use the new one is refused (4503) and nobody is unloaded, and under memory pressure the hub sheds rooms instead of dying', async () => {
    const relay = await start({ MAX_ROOMS: '2' });
    const sockets = ['lru-room-0001', 'lru-room-0002', 'lru-room-0003'].map((room) => rawSocket(relay.syncUrl, room));
    for (const s of sockets.slice(0, 2)) {
      await s.opened;
      s.ws.send(STEP1);
      // wait for the relay's step 1 back: the room is loaded
      await new Promise<void>((res) => s.ws.once('message', () => res()));
    }
    await sockets[2].opened;
    sockets[2].ws.send(STEP1);
    // issue 13: others' churn never unloads a workbook people are in (exhaustion.test.ts has the attack)
    expect(await sockets[2].closed).toBe(4503);
    expect(sockets[0].ws.readyState).toBe(sockets[0].ws.OPEN);
    expect((await (await fetch(`${relay.httpUrl}/healthz`)).json()).rooms).toBe(2);

    const pressured = await start({ MAX_RSS_BYTES: String(16 * 1024 * 1024), MEMORY_CHECK_MS: '50' });
    const s = rawSocket(pressured.syncUrl, 'mem-room-00001');
    await s.opened;
    s.ws.send(STEP1);
    expect(await s.closed).toBe(CloseCode.TRY_AGAIN);
    const health = await fetch(`${pressured.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});

/** Opens sockets until one is accepted: the per-address count dropped when a socket closed. */
async function until429Clears(relay: RelayProcess): Promise<void> {
  const s = rawSocket(relay.syncUrl, 'ip-room-00001');
  await s.opened;
  s.ws.close();
}
