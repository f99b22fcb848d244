import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CloseCode, MESSAGE_AWARENESS } from '../../src/protocol/messages.js';
import { allOnHub, makeClient, untilDoc, type TestClient } from '../support/clients.js';
import { rawSocket } from '../support/raw-socket.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { endedAfterEach } from '../support/ended-after-each.js';
import { until } from '../support/wait.js';

/**
 * The presence rate (MAX_AWARENESS_PER_SECOND, bursts of twice that) counts only presence messages
 * that set something of the connection's own. y-websocket re-sends every presence change it
 * receives from others; in a busy room those echoes alone are far past 20 a second, and they set
 * nothing (the room drops them), so they cost only the general message rate.
 */

const { relays, clients, sockets } = endedAfterEach();

/** What y-websocket sends first: sync step 1 with an empty state vector. */
const STEP1 = new Uint8Array([0, 0, 1, 0]);

function awarenessFrame(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

/** One presence state for `id`, as a device sets its own. */
function ownState(id: number, clock: number, state: unknown): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, id);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify(state));
  return awarenessFrame(encoding.toUint8Array(inner));
}

/**
 * Sends `send(i)` `perSecond` times a second, `count` times, or until it returns false. The pace is
 * what is under test; nothing is asserted about time.
 */
function paced(count: number, perSecond: number, send: (i: number) => boolean): Promise<number> {
  return new Promise((resolve) => {
    let i = 0;
    const timer = setInterval(() => {
      if (i >= count || !send(i)) {
        clearInterval(timer);
        resolve(i);
        return;
      }
      i++;
    }, 1000 / perSecond);
  });
}

/** `p`, or a rejection saying what did not happen within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]);
}

function seesPresence(c: TestClient, pred: (states: Map<number, Record<string, any>>) => boolean, what: string): Promise<void> {
  return until(
    (n) => {
      c.session.awareness.on('change', n);
      return () => c.session.awareness.off('change', n);
    },
    () => pred(c.session.awareness.getStates()),
    what,
    5000,
  );
}

/** Ana and Ben in an open workbook, each showing a presence the other sees. */
async function room(relay: RelayProcess, name: string) {
  const ana = makeClient(relay.syncUrl, name, 'Ana');
  const ben = makeClient(relay.syncUrl, name, 'Ben');
  clients.push(ana, ben);
  const sheet = ana.wb.initialize({ rows: 2, columns: 2 });
  await allOnHub(ana);
  await untilDoc(ben, () => ben.wb.isInitialized(), 'Ben has the sheet');
  ana.session.awareness.setLocalStateField('user', { name: 'Ana' });
  ben.session.awareness.setLocalStateField('user', { name: 'Ben' });
  await seesPresence(ben, (s) => s.get(ana.doc.clientID)?.user?.name === 'Ana', 'Ben sees Ana');
  await seesPresence(ana, (s) => s.get(ben.doc.clientID)?.user?.name === 'Ben', 'Ana sees Ben');
  return { ana, ben, sheet };
}

describe('presence rate: only presence a connection sets for itself counts', () => {
  it('a device echoing others’ presence 100 times a second for 2 s is not disconnected, keeps syncing, and changes nobody’s presence', async () => {
    const relay = await startRelay({ env: { MAX_AWARENESS_PER_SECOND: '20', MAX_MESSAGES_PER_SECOND: '200' } });
    relays.push(relay);
    const { ana, ben, sheet } = await room(relay, 'presence-echo-01');

    const cai = makeClient(relay.syncUrl, 'presence-echo-01', 'Cai');
    clients.push(cai);
    await untilDoc(cai, () => cai.wb.isInitialized(), 'Cai has the sheet');
    await seesPresence(cai, (s) => s.get(ana.doc.clientID)?.user?.name === 'Ana' && s.get(ben.doc.clientID)?.user?.name === 'Ben', 'Cai sees Ana and Ben');
    const closes: number[] = [];
    cai.session.provider.on('connection-close', (event) => closes.push(event?.code ?? -1));
    const ws = cai.session.provider.ws!;

    // What y-websocket sends back for every presence change it receives: the others' states, as Cai has them.
    const echo = awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(cai.session.awareness, [ana.doc.clientID, ben.doc.clientID]));
    const sent = await paced(200, 100, () => {
      if (ws.readyState !== ws.OPEN) return false;
      ws.send(echo);
      return true;
    });
    expect(sent).toBe(200);

    // Cai's own presence, after the echoes on the same socket: once Ana has it, every echo was handled.
    cai.session.awareness.setLocalStateField('user', { name: 'Cai' });
    await seesPresence(ana, (s) => s.get(cai.doc.clientID)?.user?.name === 'Cai', 'Ana sees Cai after the echoes');
    // still syncing, both ways, on the same connection
    const [row] = ana.wb.rowIds(sheet);
    const [col] = ana.wb.columns(sheet);
    ana.wb.setCell(sheet, row, col.id, 'from Ana');
    await untilDoc(cai, () => cai.wb.getValue(sheet, row, col.id) === 'from Ana', 'Cai sees Ana’s edit');
    cai.wb.setCell(sheet, row, ana.wb.columns(sheet)[1].id, 'from Cai');
    await untilDoc(ana, () => ana.wb.getValue(sheet, row, ana.wb.columns(sheet)[1].id) === 'from Cai', 'Ana sees Cai’s edit');

    expect(closes).toEqual([]);
    expect(cai.session.provider.ws).toBe(ws);
    expect(ws.readyState).toBe(ws.OPEN);
    expect(cai.session.getStatus().connection).toBe('online');
    expect(relay.stderr()).not.toContain('presence rate');
    // the echoes set nothing: Ana's and Ben's presence are still their own
    expect(ben.session.awareness.getStates().get(ana.doc.clientID)?.user?.name).toBe('Ana');
    expect(ana.session.awareness.getStates().get(ben.doc.clientID)?.user?.name).toBe('Ben');
  }, 20_000);

  it('a connection setting its own presence faster than the limit is closed with 4429, and the room goes on', async () => {
    const relay = await startRelay({ env: { MAX_AWARENESS_PER_SECOND: '20', MAX_MESSAGES_PER_SECOND: '200' } });
    relays.push(relay);
    const { ana, ben, sheet } = await room(relay, 'presence-flood-1');

    const flood = rawSocket(relay.syncUrl, 'presence-flood-1');
    sockets.push(flood);
    await flood.opened;
    flood.ws.send(STEP1);
    const id = 777_777;
    const anaSawFlo = seesPresence(ana, (s) => s.get(id)?.user?.name === 'Flo', 'Ana sees Flo');
    // 100 own-state changes a second: past 20 a second with bursts of 40.
    const sent = paced(300, 100, (i) => {
      if (flood.ws.readyState !== flood.ws.OPEN) return false;
      flood.ws.send(ownState(id, i + 1, { user: { name: 'Flo', cursor: i } }));
      return true;
    });
    expect(await within(flood.closed, 5000, 'the flooding connection to be closed')).toBe(CloseCode.RATE_LIMITED);
    // It was closed part-way, for its own states: the first ones were accepted and shown to others.
    await anaSawFlo;
    expect(await sent).toBeLessThan(300);
    expect(relay.stderr()).toContain('presence rate');

    // Its presence leaves with it; the honest room keeps syncing with nobody else disconnected.
    await seesPresence(ana, (s) => !s.has(id), 'Flo’s presence gone');
    const [row] = ana.wb.rowIds(sheet);
    const [col] = ana.wb.columns(sheet);
    ana.wb.setCell(sheet, row, col.id, 'after the flood');
    await untilDoc(ben, () => ben.wb.getValue(sheet, row, col.id) === 'after the flood', 'Ben sees the edit after the flood');
    expect(ana.session.getStatus().connection).toBe('online');
    expect(ben.session.getStatus().connection).toBe('online');
  }, 20_000);
});
