import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { CloseCode, MESSAGE_DURABLE_ACK, MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { Workbook } from '../../src/model/index.js';
import { Room, RoomError, type Peer } from '../../server/room.js';
import { MemoryStore, type RoomStore } from '../../server/store.js';
import { silentLogger } from '../../server/log.js';

const limits = { compactAfterUpdates: 50, compactAfterBytes: 1 << 20 };

class FakePeer implements Peer {
  role: Peer['role'] = 'edit';
  frames: Uint8Array[] = [];
  closed: number | null = null;
  send(frame: Uint8Array) {
    this.frames.push(frame);
  }
  close(code: number) {
    this.closed = code;
  }
  acks(): Map<number, number>[] {
    return this.frames
      .map((f) => decoding.createDecoder(f))
      .filter((d) => decoding.readVarUint(d) === MESSAGE_DURABLE_ACK)
      .map((d) => Y.decodeStateVector(decoding.readVarUint8Array(d)));
  }
}

function updateFrame(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  encoding.writeVarUint(enc, 2);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

function editsOf(n: number): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId: 'a' } });
  const sheet = wb.initialize({ rows: 1, columns: 1 });
  const [row] = wb.rowIds(sheet);
  const [col] = wb.columns(sheet);
  for (let i = 0; i < n; i++) wb.setCell(sheet, row, col.id, `edit ${i}`);
  return { doc, updates };
}

describe('Room', () => {
  it('stores before it forwards, then acks the sender with the clocks it now holds', () => {
    const store = new MemoryStore();
    const room = new Room('room-1', store, limits, silentLogger);
    const sender = new FakePeer();
    const other = new FakePeer();
    room.join(sender);
    room.join(other);
    const { doc, updates } = editsOf(0);
    const forwardedBefore = other.frames.length;
    let storedWhenForwarded = -1;
    other.send = (f) => {
      storedWhenForwarded = store.backlog('room-1').count;
      other.frames.push(f);
    };
    room.receive(sender, updateFrame(updates[0]));
    expect(storedWhenForwarded).toBe(1);
    // the update, then the hub's word that it holds it (so the receiver does not count it as its own pending change)
    expect(other.frames.length).toBe(forwardedBefore + 2);
    expect(other.acks().at(-1)!.get(doc.clientID)).toBe(Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID));
    const ack = sender.acks().at(-1)!;
    expect(ack.get(doc.clientID)).toBe(Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID));
  });

  it('refuses malformed frames with MALFORMED_FRAME and leaves the doc and store unchanged', () => {
    const store = new MemoryStore();
    const room = new Room('room-1', store, limits, silentLogger);
    const peer = new FakePeer();
    room.join(peer);
    room.receive(peer, updateFrame(editsOf(0).updates[0]));
    const sv = Y.encodeStateVector(room.doc);
    const stored = store.backlog('room-1');
    const bad = [
      new Uint8Array([]),
      new Uint8Array([0]),
      new Uint8Array([0, 2]),
      new Uint8Array([0, 2, 10, 1]),
      updateFrame(new Uint8Array([1, 2, 3, 4, 5, 6])),
      updateFrame(new Uint8Array([255, 255, 255, 255, 15])),
      new Uint8Array([0, 0, 3, 255, 255, 255]),
      new Uint8Array([1, 5, 1, 2, 3, 4, 5]),
      new Uint8Array([42]),
    ];
    for (const frame of bad) {
      let code: number | null = null;
      try {
        room.receive(peer, frame);
      } catch (e) {
        expect(e).toBeInstanceOf(RoomError);
        code = (e as RoomError).code;
      }
      expect(code, `frame ${Array.from(frame)}`).toBe(CloseCode.MALFORMED_FRAME);
      expect(Y.encodeStateVector(room.doc)).toEqual(sv);
      expect(store.backlog('room-1')).toEqual(stored);
    }
  });

  it('a full disk refuses the update with STORAGE_FAILED: nothing applied, nothing forwarded, nothing acked', () => {
    const inner = new MemoryStore();
    let full = false;
    const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const store: RoomStore = Object.assign(Object.create(inner) as RoomStore, {
      append: (r: string, u: Uint8Array) => {
        if (full) throw diskFull();
        return inner.append(r, u);
      },
      appendMany: (entries: { room: string; update: Uint8Array }[]) => {
        if (full) throw diskFull();
        return inner.appendMany(entries);
      },
    });
    const room = new Room('room-1', store, limits, silentLogger);
    const sender = new FakePeer();
    const other = new FakePeer();
    room.join(sender);
    room.join(other);
    const { updates } = editsOf(1);
    room.receive(sender, updateFrame(updates[0]));
    const sv = Y.encodeStateVector(room.doc);
    const acks = sender.acks().length;
    const forwarded = other.frames.length;
    full = true;
    expect(() => room.receive(sender, updateFrame(updates[1]))).toThrowError(RoomError);
    try {
      room.receive(sender, updateFrame(updates[1]));
    } catch (e) {
      expect((e as RoomError).code).toBe(CloseCode.STORAGE_FAILED);
    }
    expect(Y.encodeStateVector(room.doc)).toEqual(sv);
    expect(sender.acks().length).toBe(acks);
    expect(other.frames.length).toBe(forwarded);
    // Space freed: the client's resend lands.
    full = false;
    room.receive(sender, updateFrame(updates[1]));
    expect(sender.acks().length).toBe(acks + 1);
  });

  it('compacts the log so a reload replays a bounded backlog, with nothing lost', () => {
    const store = new MemoryStore();
    const room = new Room('room-1', store, limits, silentLogger);
    const peer = new FakePeer();
    room.join(peer);
    const { doc, updates } = editsOf(500);
    for (const u of updates) room.receive(peer, updateFrame(u));
    expect(store.backlog('room-1').count).toBeLessThan(limits.compactAfterUpdates);
    expect(store.load('room-1').snapshot).not.toBe(null);
    room.compact();
    room.destroy();
    const reloaded = new Room('room-1', store, limits, silentLogger);
    expect(Y.encodeStateAsUpdate(reloaded.doc)).toEqual(Y.encodeStateAsUpdate(doc));
  });

  it('skips an unreadable stored record instead of refusing the whole workbook', () => {
    const store = new MemoryStore();
    const { doc, updates } = editsOf(0);
    store.append('room-1', updates[0]);
    store.append('room-1', new Uint8Array([9, 9, 9, 9]));
    const room = new Room('room-1', store, limits, silentLogger);
    expect(Y.encodeStateVector(room.doc)).toEqual(Y.encodeStateVector(doc));
  });

  it('keeps an automatic snapshot at most once an hour while edits arrive, holding the sheet as the burst began', () => {
    const store = new MemoryStore();
    let clock = 1_000_000;
    const room = new Room('room-1', store, { ...limits, autoSnapshotMs: 3_600_000, now: () => clock }, silentLogger);
    const peer = new FakePeer();
    room.join(peer);
    const { updates } = editsOf(6);
    room.receive(peer, updateFrame(updates[0]));
    // the first edit into an empty doc has nothing to keep
    expect(store.listSnapshots('room-1')).toEqual([]);
    room.receive(peer, updateFrame(updates[1]));
    room.receive(peer, updateFrame(updates[2]));
    expect(store.listSnapshots('room-1')).toMatchObject([{ kind: 'auto', name: 'Automatic', by: 'hub', at: 1_000_000 }]);
    clock += 3_599_999;
    room.receive(peer, updateFrame(updates[3]));
    expect(store.listSnapshots('room-1')).toHaveLength(1);
    clock += 1;
    room.receive(peer, updateFrame(updates[4]));
    const list = store.listSnapshots('room-1');
    expect(list).toHaveLength(2);
    // taken before edit 4 applied: it holds edit 3, not edit 4
    const doc = new Y.Doc();
    Y.applyUpdate(doc, store.loadSnapshot('room-1', list[0].id)!);
    const wb = new Workbook(doc, { actor: { name: 'r', deviceId: 'r' } });
    const sheet = wb.sheets()[0].id;
    expect(wb.getValue(sheet, wb.rowIds(sheet)[0], wb.columns(sheet)[0].id)).toBe('edit 2');
    // a reloaded room remembers when the last one was taken
    room.destroy();
    const again = new Room('room-1', store, { ...limits, autoSnapshotMs: 3_600_000, now: () => clock }, silentLogger);
    again.join(peer);
    again.receive(peer, updateFrame(updates[5]));
    expect(store.listSnapshots('room-1')).toHaveLength(2);
    again.destroy();
  });

  it('a view peer may echo what the hub holds, but any new struct or deletion is refused with READ_ONLY and changes nothing', () => {
    const store = new MemoryStore();
    const room = new Room('room-1', store, limits, silentLogger);
    const editor = new FakePeer();
    room.join(editor);
    const { doc, updates } = editsOf(2);
    for (const u of updates) room.receive(editor, updateFrame(u));
    const viewer = new FakePeer();
    viewer.role = 'view';
    room.join(viewer);
    const before = { sv: Y.encodeStateVector(room.doc), stored: store.backlog('room-1') };
    // y-websocket's answer to the hub's step 1: everything the viewer holds, which the hub already has
    room.receive(viewer, updateFrame(Y.encodeStateAsUpdate(doc)));
    room.receive(viewer, updateFrame(new Uint8Array([0, 0])));
    expect(viewer.closed).toBeNull();
    const wb = new Workbook(doc, { actor: { name: 'Vic', deviceId: 'v' } });
    const sheet = wb.sheets()[0].id;
    const sv = Y.encodeStateVector(doc);
    wb.setCell(sheet, wb.rowIds(sheet)[0], wb.columns(sheet)[0].id, 'changed by a viewer');
    expect(() => room.receive(viewer, updateFrame(Y.encodeStateAsUpdate(doc, sv)))).toThrowError(expect.objectContaining({ code: CloseCode.READ_ONLY }));
    // a deletion alone (no new structs) is a change too
    const deleting = new Y.Doc();
    Y.applyUpdate(deleting, Y.encodeStateAsUpdate(room.doc));
    const svd = Y.encodeStateVector(deleting);
    deleting.getMap('meta').delete('createdAt');
    const update = Y.encodeStateAsUpdate(deleting, svd);
    expect(Y.decodeUpdate(update).structs).toHaveLength(0);
    expect(() => room.receive(viewer, updateFrame(update))).toThrowError(expect.objectContaining({ code: CloseCode.READ_ONLY }));
    expect(Y.encodeStateVector(room.doc)).toEqual(before.sv);
    expect(store.backlog('room-1')).toEqual(before.stored);
  });
});
