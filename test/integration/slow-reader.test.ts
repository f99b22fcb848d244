/**
 * A device that stops reading (a hostile one, or a phone whose link stalls) must not make the hub
 * keep every change of its room for it without end: past MAX_BUFFERED_BYTES unread (beyond the
 * largest message it was sent) the hub ends its socket. The room goes on; the honest reader has
 * everything; the writer's changes are all acked; the dropped device, reconnecting, loses nothing.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH } from '../../src/model/values.js';
import { allOnHub, makeClient, untilDoc } from '../support/clients.js';
import { rawSocket } from '../support/raw-socket.js';
import { startRelay } from '../support/relay-process.js';
import { endedAfterEach } from '../support/ended-after-each.js';

/** What y-websocket sends first: sync step 1 with an empty state vector. */
const STEP1 = new Uint8Array([0, 0, 1, 0]);
const LIMIT = 64 * 1024;
const DROPPED = 'dropped a connection that reads too slowly';

const { relays, clients, sockets } = endedAfterEach();

describe('a connection that reads too slowly', () => {
  it(`is dropped past MAX_BUFFERED_BYTES unread, and the room, its writer and its readers lose nothing`, async () => {
    const relay = await startRelay({ env: { MAX_BUFFERED_BYTES: String(LIMIT) } });
    relays.push(relay);
    const room = 'slow-reader-room-1';
    const writer = makeClient(relay.syncUrl, room, 'Ana');
    const reader = makeClient(relay.syncUrl, room, 'Ben');
    clients.push(writer, reader);
    const sheet = writer.wb.initialize({ rows: 400, columns: 1 });
    await allOnHub(writer);

    // joins, is answered, then reads nothing more: its kernel buffers fill, then the hub's
    const slow = rawSocket(relay.syncUrl, room);
    sockets.push(slow);
    await slow.opened;
    const answered = new Promise<void>((res) => slow.ws.once('message', () => res()));
    slow.ws.send(STEP1);
    await answered;
    (slow.ws as unknown as { _socket: Socket })._socket.pause();

    const rows = writer.wb.rowIds(sheet);
    const col = writer.wb.columns(sheet)[0].id;
    const text = (i: number) => `${i}:`.padEnd(MAX_TEXT_LENGTH, 'x');
    let written = 0;
    // at most 400 changes of 50,000 characters (20 MB): far past loopback's buffers and the limit
    while (!relay.stderr().includes(DROPPED) && written < rows.length) {
      for (let k = 0; k < 10; k++, written++) writer.wb.setCell(sheet, rows[written], col, text(written));
      await allOnHub(writer);
    }
    expect(relay.stderr()).toContain(DROPPED);
    const line = relay.stderr().split('\n').find((l) => l.includes(DROPPED))!;
    expect(JSON.parse(line)).toMatchObject({ room, code: 4508 });

    // its socket was ended: once it reads again it finds the end, not a hub still writing to it
    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    expect(await slow.closed).toBe(1006);

    // everyone else has every change, and the writer's are all acknowledged
    await allOnHub(writer);
    await untilDoc(reader, () => reader.wb.getValue(sheet, rows[written - 1], col) === text(written - 1), 'the reader has the last change');
    for (let i = 0; i < written; i++) expect(reader.wb.getValue(sheet, rows[i], col)).toBe(text(i));
    // and a device joining again (the dropped one reconnecting) gets everything
    const again = makeClient(relay.syncUrl, room, 'Slow, again');
    clients.push(again);
    await untilDoc(again, () => again.wb.isInitialized() && again.wb.getValue(sheet, rows[written - 1], col) === text(written - 1), 'the rejoined device has it');
    for (let i = 0; i < written; i++) expect(again.wb.getValue(sheet, rows[i], col)).toBe(text(i));
  }, 120_000);

  it('a device reading a first answer far larger than the limit is not dropped for it', async () => {
    const relay = await startRelay({ env: { MAX_BUFFERED_BYTES: String(LIMIT) } });
    relays.push(relay);
    const room = 'slow-reader-room-2';
    const writer = makeClient(relay.syncUrl, room, 'Ana');
    clients.push(writer);
    const sheet = writer.wb.initialize({ rows: 40, columns: 1 });
    const rows = writer.wb.rowIds(sheet);
    const col = writer.wb.columns(sheet)[0].id;
    for (let i = 0; i < rows.length; i++) writer.wb.setCell(sheet, rows[i], col, `${i}:`.padEnd(MAX_TEXT_LENGTH, 'y'));
    await allOnHub(writer);
    // 2 MB in one sync answer, 30 times the limit: the answer itself is its allowance
    const late = makeClient(relay.syncUrl, room, 'Ben');
    clients.push(late);
    await untilDoc(late, () => late.wb.isInitialized() && late.wb.getValue(sheet, rows[39], col) === `39:`.padEnd(MAX_TEXT_LENGTH, 'y'), 'the late device has it all');
    expect(relay.stderr()).not.toContain(DROPPED);
  }, 60_000);
});
